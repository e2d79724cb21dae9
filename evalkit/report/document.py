"""The report's content, independent of format: sections of blocks built from ReportData.

Every renderer (HTML, Markdown, Word) walks the same :class:`Document`, so the formats say
the same thing. Blocks hold plain strings; each renderer escapes them for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evalkit._version import __version__
from evalkit.report.charts import (
    Chart,
    effects_chart,
    kpi_by_mode_chart,
    likert_chart,
    reach_chart,
)
from evalkit.report.charts_partners import heatmap_chart, network_chart
from evalkit.report.model import ReportData, clean_text
from evalkit.report.summary import key_messages, ranked_findings
from evalkit.report.text import (
    DASH,
    STRINGS,
    TREND_ARROWS,
    fmt,
    fmt_change,
    fmt_ci,
    fmt_n,
    fmt_p,
    missing,
    plain_effect,
)


@dataclass
class Block:
    """One piece of a section: a paragraph, a list, a table, a chart, a note or a story.

    ``kind`` is one of ``p``, ``caption``, ``note``, ``list``, ``messages`` (the summary's
    numbered key messages), ``table``, ``chart``, ``story``, ``h3``. Tables carry
    ``header``, ``rows`` (strings) and ``numeric`` (right-aligned columns); the first column
    of a table is the row header.
    """

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    chart: Chart | None = None


@dataclass
class Section:
    id: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    language: str
    sections: list[Section]
    footer: str
    min_cell: int
    banner: str = ""  # the internal edition's mark, shown on every page

    @property
    def charts(self) -> list[Chart]:
        return [b.chart for s in self.sections for b in s.blocks if b.chart is not None]


def _table(header: list[str], rows: list[list[str]], numeric: list[bool] | None = None) -> Block:
    return Block("table", header=header, rows=rows, numeric=numeric or [False] * len(header))


def _kpi_name(row: Any) -> str:
    code = "" if missing(row.code) else f"{row.code} "
    return f"{code}{'' if missing(row.title) else row.title}"


STATUS_MARKS = {"met": "✓ ", "not met": "✗ ", "too close to call": "≈ "}


def _status(row: Any, s: dict[str, str], lang: str = "en") -> str:
    from evalkit.report.reasons import reason_in

    status = "" if missing(row.status) else str(row.status)
    if status == "not computed":
        reason = "" if missing(row.reason) else f": {reason_in(str(row.reason), lang)}"
        return f"{s['not_computed']}{reason}"
    return STATUS_MARKS.get(status, "") + s.get(status, status)


def _trend(row: Any, s: dict[str, str]) -> str:
    """``▲ up +14 pts (95% CI 2 to 26)``; ``▶ not distinguishable from last year (…)``."""
    trend = "" if missing(row.trend) else str(row.trend)
    if trend not in TREND_ARROWS:
        return DASH
    unit = _unit(row)
    change = fmt_change(row.change, row.change_ci_low, row.change_ci_high, unit)
    interval = fmt_ci(row.change_ci_low, row.change_ci_high, unit, signed=True)
    detail = change if interval == DASH else f"{change}, {s['ci']} {interval}"
    return f"{TREND_ARROWS[trend]} {s[trend]} ({detail})"


def _unit(row: Any) -> str | None:
    return None if missing(row.unit) else str(row.unit)


def _rates(data: ReportData) -> dict[str, str]:
    rates = data.table("response_rates")
    return {str(r.instrument): fmt(r.rate, "share") for r in rates.itertuples()}


def _scorecard_rows(data: ReportData, kpis: pd.DataFrame) -> list[list[str]]:
    s, rates = STRINGS[data.language], _rates(data)
    rows = []
    for r in kpis.itertuples():
        unit = _unit(r)
        source = "" if missing(r.source) else str(r.source)
        rows.append(
            [
                _kpi_name(r),
                fmt(r.value, unit),
                fmt_ci(r.ci_low, r.ci_high, unit),
                fmt(r.compare_value, unit),
                fmt(r.target, unit),
                _trend(r, s),
                _status(r, s, data.language),
                fmt_n(r.n),
                rates.get(source, DASH),
                ", ".join(data.label(p.strip()) for p in source.split(",")) if source else DASH,
            ]
        )
    return rows


def _scorecard_header(s: dict[str, str]) -> tuple[list[str], list[bool]]:
    header = [
        s["kpi"],
        s["this_year"],
        s["ci"],
        s["last_year"],
        s["target"],
        s["trend"],
        s["status"],
        s["n"],
        s["response_rate"],
        s["source"],
    ]
    return header, [False, True, True, True, True, False, False, True, True, False]


def _kpi_subset(data: ReportData, codes: tuple[str, ...]) -> pd.DataFrame:
    kpis = data.table("kpis")
    return kpis[kpis["code"].isin(codes)]


def _nothing(s: dict[str, str]) -> Block:
    return Block("note", text=s["nothing"])


def _scorecard(data: ReportData) -> list[Section]:
    s = STRINGS[data.language]
    kpis = data.table("kpis")
    is_output = kpis["output"].map(lambda v: False if missing(v) else bool(v)).astype(bool)
    outcomes, outputs = kpis[~is_output], kpis[is_output]
    header, numeric = _scorecard_header(s)
    blocks = [Block("p", text=s["scorecard_intro"])]
    blocks.append(
        _table(header, _scorecard_rows(data, outcomes), numeric) if len(outcomes) else _nothing(s)
    )
    out_rows = [
        [_kpi_name(r), fmt(r.value, _unit(r)), fmt(r.compare_value, _unit(r)), _trend(r, s)]
        for r in outputs.itertuples()
    ]
    out_blocks = [Block("p", text=s["outputs_intro"])]
    out_blocks.append(
        _table(
            [s["kpi"], s["this_year"], s["last_year"], s["trend"]],
            out_rows,
            [False, True, True, False],
        )
        if out_rows
        else _nothing(s)
    )
    return [
        Section("scorecard", s["scorecard"], blocks),
        Section("outputs", s["outputs"], out_blocks),
    ]


def _suppressed_note(data: ReportData, *names: str) -> list[Block]:
    s = STRINGS[data.language]
    if any(data.table(n)["suppressed"].any() for n in names):
        return [
            Block(
                "note", text=s["suppressed_note"].format(dash=DASH, min_cell=data.methods.min_cell)
            )
        ]
    return []


def _mode(data: ReportData) -> Section:
    s = STRINGS[data.language]
    blocks = [Block("caption", text=s["mode_caption"])]
    for chart in (kpi_by_mode_chart(data), effects_chart(data), likert_chart(data)):
        if chart is not None:
            blocks.append(Block("chart", chart=chart))
    efficiency = _kpi_subset(data, ("K13", "K14", "K15"))
    if len(efficiency):
        header, numeric = _scorecard_header(s)
        blocks.append(Block("h3", text="K13–K15"))
        blocks.append(_table(header, _scorecard_rows(data, efficiency), numeric))
    blocks += _suppressed_note(data, "kpi_breakdown", "comparisons", "likert")
    if len(blocks) == 1:
        blocks.append(_nothing(s))
    return Section("mode", s["mode"], blocks)


def _connector(data: ReportData) -> Section:
    s = STRINGS[data.language]
    blocks = [Block("p", text=s["connector_intro"])]
    kpis = _kpi_subset(data, ("K1", "K2", "K3"))
    if len(kpis):
        header, numeric = _scorecard_header(s)
        blocks.append(_table(header, _scorecard_rows(data, kpis), numeric))
    chart = network_chart(data)
    if chart is not None:
        blocks.append(Block("chart", chart=chart))
    outcomes = data.table("outcomes").head(10)
    if len(outcomes):
        rows = [
            [
                "" if missing(r.unit) else str(r.unit),
                "" if missing(r.counterpart) else str(r.counterpart),
                "" if missing(r.outcome) else str(r.outcome),
                "" if missing(r.contribution) else str(r.contribution),
                s[r.substantiated] if r.substantiated in ("yes", "no") else DASH,
            ]
            for r in outcomes.itertuples()
        ]
        blocks.append(Block("h3", text=s["outcomes"]))
        blocks.append(
            _table(
                [s["unit"], s["counterpart"], s["outcome"], s["contribution"], s["substantiated"]],
                rows,
            )
        )
    if len(blocks) == 1:
        blocks.append(_nothing(s))
    return Section("connector", s["connector"], blocks)


def _relationships(data: ReportData) -> Section:
    s = STRINGS[data.language]
    blocks: list[Block] = []
    kpis = _kpi_subset(data, ("K7", "K8"))
    if len(kpis):
        header, numeric = _scorecard_header(s)
        blocks.append(_table(header, _scorecard_rows(data, kpis), numeric))
    chart = heatmap_chart(data)
    if chart is not None:
        blocks.append(Block("chart", chart=chart))
    omitted = data.omitted_partners()
    if omitted:
        text = s["partners_hidden"].format(count=omitted, min_cell=data.methods.min_cell)
        blocks.append(Block("note", text=text))
    breakdown = data.table("kpi_breakdown")
    networks = breakdown[breakdown["group_var"] == "network"]
    if len(networks):
        units = data.table("kpis").set_index("kpi_id")["unit"].to_dict()
        rows = [
            [
                data.group_label(r.kpi_id, r.group), data.label(r.kpi_id),
                fmt(r.value, units.get(r.kpi_id)),
                fmt_ci(r.ci_low, r.ci_high, units.get(r.kpi_id)), fmt_n(r.n),
            ]
            for r in networks.itertuples()
        ]  # fmt: skip
        blocks.append(Block("h3", text=s["by_network"]))
        blocks.append(
            _table([s["network_name"], s["kpi"], s["value"], s["ci"], s["n"]], rows,
                   [False, False, True, True, True])
        )  # fmt: skip
    blocks += _suppressed_note(data, "kpi_breakdown", "relationships")
    return Section("relationships", s["relationships"], blocks or [_nothing(s)])


def _inclusive(data: ReportData) -> Section:
    s = STRINGS[data.language]
    blocks: list[Block] = []
    kpis = _kpi_subset(data, ("K9", "K9b", "K9c", "K10"))
    if len(kpis):
        header, numeric = _scorecard_header(s)
        blocks.append(_table(header, _scorecard_rows(data, kpis), numeric))
    chart = reach_chart(data)
    if chart is not None:
        blocks.append(Block("chart", chart=chart))
        blocks.append(Block("note", text=s["reach_note"]))
    blocks += _suppressed_note(data, "inclusive_reach")
    return Section("inclusive", s["inclusive"], blocks or [_nothing(s)])


# findings shown in the body; the others are listed in the appendix
BODY_FINDINGS = 8


def _summary(data: ReportData) -> Section:
    """The first page: the period and the key messages; the scorecard follows."""
    s = STRINGS[data.language]
    period = f"{s['period']}: {data.period}"
    if data.compare_period:
        period += f" ({s['compare']} {data.compare_period})"
    messages = key_messages(data)
    blocks = [Block("p", text=period + ".")]
    if messages:
        blocks += [Block("h3", text=s["key_messages"]), Block("messages", items=messages)]
    else:
        blocks.append(_nothing(s))
    blocks.append(Block("note", text=s["summary_more"]))
    return Section("summary", s["summary"], blocks)


def _findings(data: ReportData) -> Section:
    s = STRINGS[data.language]
    notable, _ = ranked_findings(data)
    if not notable:
        return Section("findings", s["findings"], [_nothing(s)])
    blocks = [Block("p", text=s["findings_intro"]), Block("list", items=notable[:BODY_FINDINGS])]
    return Section("findings", s["findings"], blocks)


def _appendix(data: ReportData) -> Section | None:
    """The technical tables and the findings not shown in the body."""
    s = STRINGS[data.language]
    blocks = [Block("p", text=s["appendix_intro"])]
    comparisons = data.table("comparisons")
    if len(comparisons):
        rows = [
            [
                data.label(r.outcome),
                "" if missing(r.test) else str(r.test),
                "" if missing(r.effect_name) else str(r.effect_name),
                fmt(r.effect),
                fmt_ci(r.effect_ci_low, r.effect_ci_high),
                fmt_p(r.p_value),
                fmt_p(r.p_fdr),
                fmt_n(r.n),
                "" if missing(r.note) else str(r.note),
            ]
            for r in comparisons.itertuples()
        ]
        header = [s["outcome"], s["test"], s["effect"], s["value"], s["ci"], "p", s["p_fdr"],
                  s["n"], ""]  # fmt: skip
        blocks.append(Block("h3", text=s["comparisons_table"]))
        blocks.append(
            _table(header, rows, [False, False, False, True, True, True, True, True, False])
        )
        names = [n for n in dict.fromkeys(comparisons["effect_name"]) if not missing(n)]
        names += [n for n in dict.fromkeys(data.table("pairwise")["effect_name"])
                  if not missing(n) and n not in names]  # fmt: skip
        if names:
            words = [f"{n}: {plain_effect(n, data.language)}" for n in names]
            blocks += [Block("h3", text=s["effect_words"]), Block("list", items=words)]
    notable, rest = ranked_findings(data)
    rest = notable[BODY_FINDINGS:] + rest
    if rest:
        blocks += [Block("h3", text=s["all_findings"]), Block("list", items=rest)]
    return Section("appendix", s["appendix"], blocks) if len(blocks) > 1 else None


def _stories(data: ReportData) -> Section | None:
    s = STRINGS[data.language]
    stories = data.table("stories")
    if stories.empty:
        return None
    blocks = [Block("note", text=s["stories_note"])]
    for r in stories.itertuples():
        blocks.append(
            Block(
                "story",
                text="" if missing(r.title) else str(r.title),
                items=[
                    "" if missing(r.story) else str(r.story),
                    "" if missing(r.selected_by) else str(r.selected_by),
                ],
            )
        )
    return Section("stories", s["stories"], blocks)


def _quotes(data: ReportData) -> Section | None:
    """Example quotes per theme, one table per question (theme, group, quote)."""
    s = STRINGS[data.language]
    quotes = data.table("quotes")
    if quotes.empty:
        return None
    blocks = [Block("note", text=s["quotes_note"].format(min_cell=data.methods.min_cell))]
    for outcome, rows in quotes.groupby("outcome", sort=False):
        blocks.append(Block("h3", text=data.label(outcome)))
        cells = [
            [
                "" if missing(r.label) else str(r.label),
                data.label(r.group),
                str(r.quote),
            ]
            for r in rows.itertuples()
        ]
        blocks.append(_table([s["theme"], s["group"], s["quote"]], cells))
    return Section("quotes", s["quotes"], blocks)


def _methods(data: ReportData) -> Section:
    s, m = STRINGS[data.language], data.methods
    blocks: list[Block] = []
    rates = data.table("response_rates")
    if len(rates):
        rows = [
            [data.label(r.instrument), fmt_n(r.invited), fmt_n(r.responded), fmt(r.rate, "share")]
            for r in rates.itertuples()
        ]
        blocks.append(Block("h3", text=s["response_rates"]))
        blocks.append(
            _table(
                [s["instrument"], s["invited"], s["responded"], s["rate"]],
                rows,
                [False, True, True, True],
            )
        )
    if m.tests_used:
        blocks += [Block("h3", text=s["tests_used"]), Block("list", items=list(m.tests_used))]
    blocks += [
        Block("h3", text=s["suppression"]),
        Block("p", text=s["suppression_text"].format(min_cell=m.min_cell, dash=DASH)),
        Block("h3", text=s["associations"]),
        Block("p", text=s["associations_text"]),
    ]
    if m.attribution:
        blocks += [Block("h3", text=s["attribution"]), Block("p", text=m.attribution)]
    if m.limitations:
        blocks += [Block("h3", text=s["limitations"]), Block("list", items=list(m.limitations))]
    if m.notes:
        blocks.append(Block("list", items=list(m.notes)))
    return Section("methods", s["methods"], blocks)


def build_document(data: ReportData) -> Document:
    """Lay out the annual-report sections (DOMAIN.md, "The annual-report section")."""
    s = STRINGS[data.language]
    subtitle = f"{s['period']}: {data.period}"
    if data.compare_period:
        subtitle += f" ({s['compare']} {data.compare_period})"
    from evalkit.report.kpi_trends import kpi_trend_section
    from evalkit.report.pre_post import pre_post_section

    years, pre_post = kpi_trend_section(data), pre_post_section(data)
    sections = [
        _summary(data),
        *_scorecard(data),
        *([years] if years is not None else []),
        _mode(data),
        _connector(data),
        _relationships(data),
        _inclusive(data),
        *([pre_post] if pre_post is not None else []),
        _findings(data),
    ]
    for optional in (_quotes(data), _stories(data)):
        if optional is not None:
            sections.append(optional)
    sections.append(_methods(data))
    appendix = _appendix(data)
    if appendix is not None:
        sections.append(appendix)
    return Document(
        title=clean_text(data.title),
        subtitle=subtitle,
        language=data.language,
        sections=sections,
        footer=s["generated"].format(version=__version__),
        min_cell=data.methods.min_cell,
        banner=s["internal_banner"] if data.edition == "internal" else "",
    )
