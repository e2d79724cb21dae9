"""The network report (``evalkit pool -o DIR``), in the annual report's look.

Files: ``network_report.html`` (self-contained: inline CSS and SVG charts), ``network_report.md``,
``network_tables.xlsx``, ``results.json`` (equal to :meth:`PoolResult.to_dict`), every table as
``<name>.csv`` and ``<name>.parquet`` (so a network of hundreds of cities keeps its history
in DuckDB: ``SELECT * FROM 'pooled.parquet'``), and ``charts/<id>.png``.

The content: which cities took part; per outcome a forest plot (cities, pooled diamond,
prediction interval) and the heterogeneity in plain words, hedged as associations; network
KPIs with funnel plots; and what each city withheld.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit._version import __version__
from evalkit.io import (
    neutralise_formula,
    write_bytes_atomic,
    write_csv_atomic,
    write_text_atomic,
)
from evalkit.network.charts import forest_chart, funnel_chart
from evalkit.network.pool import PoolResult, write_parquet
from evalkit.report.document import Block, Document, Section

PRIMARY = {"binary": "odds_ratio", "ordinal": "smd", "numeric": "hedges_g", "scale": "hedges_g"}
MEASURE_WORDS = {
    "odds_ratio": "odds ratio",
    "risk_ratio": "risk ratio",
    "risk_difference": "risk difference",
    "smd": "standardised mean difference (Hedges' g of the answer scores)",
    "hedges_g": "standardised mean difference (Hedges' g)",
    "mean_difference": "mean difference",
}


def _f(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def _what(row: Any) -> str:
    outcome = row.outcome if isinstance(row.outcome, str) and row.outcome else ""
    return outcome or (str(row.group) if isinstance(row.group, str) else "")


def _sentence(row: dict[str, Any]) -> str:
    """The pooled result and its heterogeneity in plain words, hedged as an association."""
    a, b = row["group_a"].replace("_", " "), row["group_b"].replace("_", " ")
    measure = MEASURE_WORDS.get(row["measure"], row["measure"])
    text = (
        f"{row['outcome']}: across {row['k']} cities the {measure} of {a} compared with {b} "
        f"participants is {_f(row['estimate'])} (95% CI {_f(row['ci_low'])} to "
        f"{_f(row['ci_high'])})"
    )
    if isinstance(row.get("pi_low"), float) and not math.isnan(row["pi_low"]):
        text += f"; in a new city it would likely lie between {_f(row['pi_low'])} and " + _f(
            row["pi_high"]
        )
    text += (
        f". The difference between {a} and {b} participants {row['heterogeneity']}"
        f" (I² {_f(row['i2'], 0)}%, τ² {_f(row['tau2'], 3)}). This is an association: "
        "participants chose their mode."
    )
    return text


def build_network_document(result: PoolResult) -> tuple[Document, list[Any]]:
    """The report's sections and charts (format-independent, like the annual report)."""
    meta = result.metadata
    charts: list[Any] = []
    sections = []
    bundles = result.bundles
    sections.append(
        Section(
            "cities",
            "Cities in this network report",
            [
                Block(
                    "p",
                    f"{len(bundles)} cities shared aggregates of {meta['instrument_id']} "
                    f"{meta['instrument_version']} for {', '.join(meta['periods'])}. No city "
                    "sent a respondent's answers: only counts, means and variances, each "
                    "checked for small cells before it left the office.",
                ),
                Block(
                    "table",
                    header=["City", "Period", "Responses", "Min cell", "File"],
                    rows=[
                        [
                            str(r.city),
                            str(r.period),
                            f"{int(r.responses):,}",
                            str(r.min_cell),
                            str(r.file),
                        ]
                        for r in bundles.itertuples()
                    ],
                    numeric=[False, False, True, True, False],
                ),
            ],
        )
    )
    pooled = result.pooled
    random = pooled[pooled["method"].astype(str).str.startswith("random")]
    blocks: list[Block] = [
        Block(
            "caption",
            "Associations, not effects: participants chose how to take part, so differences "
            "between modes may reflect who chose each mode.",
        )
    ]
    pairs = list(dict.fromkeys(zip(random["group_a"], random["group_b"], strict=True)))
    main_pair = pairs[0] if pairs else None
    for (outcome, kind), block in random.groupby(["outcome", "outcome_type"], sort=False):
        measure = PRIMARY.get(str(kind), "hedges_g")
        rows = block[block["measure"] == measure]
        if not len(rows):
            continue
        blocks.append(Block("h3", text=str(outcome)))
        for row in rows.to_dict("records"):
            blocks.append(Block("p", text=_sentence(row)))
        main = (
            rows[(rows["group_a"] == main_pair[0]) & (rows["group_b"] == main_pair[1])]
            if main_pair
            else rows.iloc[:0]
        )
        if len(main):
            row = main.iloc[0].to_dict()
            cities = result.city_effects
            cities = cities[
                (cities["outcome"] == outcome) & (cities["measure"] == measure)
                & (cities["group_a"] == row["group_a"]) & (cities["group_b"] == row["group_b"])
            ]  # fmt: skip
            if len(cities):
                chart = forest_chart(
                    f"forest-{len(charts) + 1}",
                    f"{outcome}: {row['group_a']} vs {row['group_b']}",
                    cities,
                    row,
                )
                charts.append(chart)
                blocks.append(Block("chart", chart=chart))
    sections.append(Section("outcomes", "Outcomes across cities", blocks))
    by_type = _by_type_section(result.by_type, main_pair)
    if by_type is not None:
        sections.append(by_type)
    kpi_blocks: list[Block] = [
        Block(
            "p",
            "Each city's KPI against its number of respondents. Cities inside the funnel "
            "differ from the network's value by no more than chance would give: they are "
            "not ranked (Spiegelhalter 2005; inner limits 95%, outer 99.8%).",
        )
    ]
    for kpi_id, block in result.kpis.groupby("kpi_id", sort=False):
        first = block.iloc[0]
        network = block[block["city"] == "network"].iloc[0]
        share = first["kind"] == "proportion"
        shown = (lambda v: f"{v:.1%}") if share else (lambda v: f"{v:.2f}")
        kpi_blocks.append(Block("h3", text=f"{first['code']} {kpi_id}"))
        outside = block[block["funnel_position"].astype(str).str.contains("limit")]
        kpi_blocks.append(
            Block(
                "p",
                f"Network value {shown(network['value'])} (95% CI {shown(network['ci_low'])} "
                f"to {shown(network['ci_high'])}, n = {int(network['n']):,}). "
                + (
                    "Every city lies within the 95% limits."
                    if not len(outside)
                    else "Outside the 95% limits: "
                    + ", ".join(f"{r.city} ({r.funnel_position})" for r in outside.itertuples())
                    + "."
                ),
            )
        )
        if (block["city"] != "network").sum() >= 2:
            chart = funnel_chart(
                f"funnel-{len(charts) + 1}", f"{first['code']} {kpi_id}", block, share
            )
            charts.append(chart)
            kpi_blocks.append(Block("chart", chart=chart))
    sections.append(Section("kpis", "Network KPIs", kpi_blocks))
    withheld = result.withheld
    items = [
        f"{r.city}: {r.action} {r.table} {_what(r)} — {r.reason}" for r in withheld.itertuples()
    ]
    sections.append(
        Section(
            "withheld",
            "What each city withheld",
            [
                Block(
                    "p",
                    "Tables with a count from 1 to the threshold minus one never leave an "
                    "office: they were coarsened (answer levels merged) or withheld whole.",
                ),
                Block("list", items=items or ["Nothing was withheld."]),
            ],
        )
    )
    sections.append(
        Section(
            "methods",
            "How the pooled numbers are computed",
            [
                Block(
                    "list",
                    items=[
                        "Binary outcomes: Mantel-Haenszel odds and risk ratios stratified by "
                        "city with the Cochran-Mantel-Haenszel test and the Breslow-Day test.",
                        "Ordinal outcomes: the CMH mean-score test stratified by city and the "
                        "pooled standardised mean difference of the answer scores.",
                        f"Every per-city effect: random-effects meta-analysis (tau² by "
                        f"{meta['method']}), with I², Cochran's Q and the prediction interval "
                        "for a new city; the fixed-effect estimate is in the tables.",
                    ],
                )
            ],
        )
    )
    doc = Document(
        title="Network report",
        subtitle=f"{len(bundles)} cities · {meta['instrument_id']} · {', '.join(meta['periods'])}",
        language="en",
        sections=sections,
        footer=f"evalkit {__version__} · pooled from aggregates only · see docs/network.md",
        min_cell=int(bundles["min_cell"].max()) if len(bundles) else 10,
    )
    return doc, charts


def _by_type_section(table: pd.DataFrame, pair: tuple[str, str] | None) -> Section | None:
    """Mantel-Haenszel odds ratios within each type of engagement (first pair of modes)."""
    if pair is None or not len(table):
        return None
    mh = table[
        table["method"].astype(str).str.startswith("Mantel")
        & (table["measure"] == "odds_ratio")
        & (table["group_a"] == pair[0]) & (table["group_b"] == pair[1])
    ]  # fmt: skip
    if not len(mh):
        return None
    a, b = (g.replace("_", " ") for g in pair)
    rows = [
        [str(r.outcome), str(r.engagement_type).replace("_", " "), str(int(r.k)),
         _f(r.estimate), f"{_f(r.ci_low)} to {_f(r.ci_high)}", _f(r.p_value, 3)]
        for r in mh.sort_values(["outcome", "engagement_type"]).itertuples()
    ]  # fmt: skip
    return Section(
        "by-type",
        "By type of engagement",
        [
            Block(
                "p",
                f"The odds that {a} participants answer yes (or agree), compared with {b} "
                "participants, within each type of engagement: an odds ratio below 1 means "
                f"{a} participants did so less often. Pooled over the cities that could split "
                "their answers by type (Mantel-Haenszel); types with few answers are counted "
                "under 'other' by each office and are not shown. Associations, not effects.",
            ),
            Block(
                "table",
                header=["Outcome", "Type of engagement", "Cities", "Odds ratio", "95% CI", "p"],
                rows=rows,
                numeric=[False, False, True, True, True, True],
            ),
        ],
    )


def _xlsx(result: PoolResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name in result.TABLES:
        sheet = book.create_sheet(name[:31])
        frame = result.table(name)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return neutralise_formula(value) if isinstance(value, str) else value


def write_network_outputs(result: PoolResult, directory: str | Path) -> dict[str, Path]:
    """Write the network report and every table into ``directory`` (atomically, each file)."""
    from evalkit.report.markdown import render_markdown
    from evalkit.report.render import render_html

    out = Path(directory)
    written: dict[str, Path] = {}
    doc, charts = build_network_document(result)
    written["network_report.html"] = write_text_atomic(
        out / "network_report.html", render_html(doc)
    )
    written["network_report.md"] = write_text_atomic(
        out / "network_report.md", render_markdown(doc)
    )
    written["network_tables.xlsx"] = write_bytes_atomic(out / "network_tables.xlsx", _xlsx(result))
    for name in result.TABLES:
        written[f"{name}.csv"] = write_csv_atomic(result.table(name), out / f"{name}.csv")
    for path in write_parquet(result, out):
        written[path.name] = path
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    written["results.json"] = write_text_atomic(out / "results.json", text)
    for chart in charts:
        path = out / "charts" / f"{chart.id}.png"
        written[f"charts/{chart.id}.png"] = write_bytes_atomic(path, chart.canvas.png())
    return written
