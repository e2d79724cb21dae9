"""The connector network and the partner heatmap (split from :mod:`evalkit.report.charts`).

Same conventions as every chart: each comes with a title, a one-sentence description and a
data table; suppressed partner cells (fewer than ``min_cell`` answers, or hidden so that
they cannot be derived from the totals) are drawn as "—".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.report.canvas import Canvas
from evalkit.report.charts import GRID, INK, MUTED, SEQUENTIAL, STATUS_COLOURS, Chart, _short
from evalkit.report.model import NETWORK_STATUSES, ReportData
from evalkit.report.text import DASH, STATUS_LABELS, STRINGS, fmt_n, missing

# -- connector network ------------------------------------------------------------------------


def network_chart(data: ReportData) -> Chart | None:
    """Office → local units → counterparts; edges coloured by connection status."""
    s, status_labels = STRINGS[data.language], STATUS_LABELS[data.language]
    edges = data.table("network").dropna(subset=["local_unit", "counterpart"])
    if edges.empty:
        return None
    edges = edges.assign(
        via_office=edges["via_office"].map(lambda v: False if missing(v) else bool(v))
    )
    units = list(dict.fromkeys(edges["local_unit"].astype(str)))
    partners = list(dict.fromkeys(edges["counterpart"].astype(str)))
    step = 30.0
    width, top = 820.0, 70.0
    height = top + step * max(len(units), len(partners), 3) + 20
    x_office, x_unit, x_partner = 70.0, 330.0, 590.0
    canvas = Canvas(
        width,
        height,
        s["network"],
        s["network_desc"].format(units=len(units), partners=len(partners)),
    )
    # legend
    x = 4.0
    for status in NETWORK_STATUSES:
        canvas.line(x, 14, x + 22, 14, stroke=STATUS_COLOURS[status], width=3)
        canvas.text(x + 26, 18, status_labels[status], size=10)
        x += 40 + 6.0 * len(status_labels[status])
    canvas.line(4, 34, 26, 34, stroke=MUTED, width=2, dash=True)
    canvas.text(30, 38, s["own"], size=10)

    def ys(n: int) -> list[float]:
        span = step * max(len(units), len(partners), 3)
        offset = top + (span - step * n) / 2 + step / 2
        return [offset + step * i for i in range(n)]

    unit_y = dict(zip(units, ys(len(units)), strict=True))
    partner_y = dict(zip(partners, ys(len(partners)), strict=True))
    office_y = top + step * max(len(units), len(partners), 3) / 2
    linked = set(edges.loc[edges["via_office"], "local_unit"].astype(str))
    for unit in units:
        if unit in linked:
            canvas.line(
                x_office + 8, office_y, x_unit - 6, unit_y[unit], stroke="#555555", width=1.4
            )
    rows: list[list[str]] = []
    for e in edges.itertuples():
        status = str(e.status) if str(e.status) in STATUS_COLOURS else "dormant"
        canvas.line(
            x_unit + 6,
            unit_y[str(e.local_unit)],
            x_partner - 6,
            partner_y[str(e.counterpart)],
            stroke=STATUS_COLOURS[status],
            width=2.2,
            dash=not e.via_office,
        )
        rows.append(
            [
                str(e.local_unit),
                str(e.counterpart),
                status_labels.get(status, status),
                s["yes"] if e.via_office else s["no"],
            ]
        )
    canvas.circle(x_office, office_y, 9, fill=INK)
    canvas.text(
        x_office, office_y - 14, _short(s["office"], 26), size=11, anchor="middle", bold=True
    )
    for unit, y in unit_y.items():
        label = _short(unit, 34)
        canvas.rect(x_unit - 3.1 * len(label) - 3, y - 19, 6.2 * len(label) + 6, 13, "#ffffff")
        canvas.text(x_unit, y - 9, label, size=10, anchor="middle")
        canvas.circle(x_unit, y, 5, fill="#ffffff", stroke=INK)
    for partner, y in partner_y.items():
        canvas.circle(x_partner, y, 5, fill="#ffffff", stroke=INK)
        canvas.text(x_partner + 9, y + 4, _short(partner, 34), size=10)
    header = [s["unit"], s["counterpart"], s["status"], s["via_office"]]
    return Chart("chart-network", canvas.title, canvas.description, canvas, header, rows)


# -- heatmap -----------------------------------------------------------------------------------


def _partner_n(cells: pd.DataFrame, partner: str) -> str:
    """The answers behind a partner's row (the most of its cells); "—" when suppressed."""
    counts = pd.to_numeric(cells.xs(partner, level="partner")["n"], errors="coerce")
    return DASH if counts.isna().all() else fmt_n(counts.max())


def heatmap_chart(data: ReportData) -> Chart | None:
    """Partners × relationship dimensions, coloured 1–7, with year-over-year arrows."""
    s = STRINGS[data.language]
    table = data.table("relationships").dropna(subset=["partner", "dimension"])
    if table.empty:
        return None
    partners = list(dict.fromkeys(table["partner"].astype(str)))
    dimensions = list(dict.fromkeys(table["dimension"].astype(str)))
    cells = table.assign(
        partner=table["partner"].astype(str), dimension=table["dimension"].astype(str)
    )
    cells = cells.drop_duplicates(["partner", "dimension"], keep="last").set_index(
        ["partner", "dimension"]
    )
    label_w, cell_w, cell_h = 220.0, 120.0, 28.0
    width = label_w + cell_w * len(dimensions) + 20
    height = 40.0 + cell_h * len(partners) + 40
    canvas = Canvas(
        width,
        height,
        s["heatmap"],
        s["heatmap_desc"],
    )
    for j, dim in enumerate(dimensions):
        canvas.text(
            label_w + cell_w * (j + 0.5),
            28,
            _short(data.label(dim), 18),
            size=11,
            anchor="middle",
            bold=True,
        )
    rows: list[list[str]] = []
    for i, partner in enumerate(partners):
        y = 40 + cell_h * i
        canvas.text(label_w - 8, y + cell_h / 2 + 4, _short(partner, 32), size=11, anchor="end")
        row = [partner]
        for j, dim in enumerate(dimensions):
            x = label_w + cell_w * j
            if (partner, dim) not in cells.index or missing(cells.loc[(partner, dim), "score"]):
                canvas.rect(x + 1, y + 1, cell_w - 2, cell_h - 2, "#ffffff", stroke=GRID)
                canvas.text(
                    x + cell_w / 2, y + cell_h / 2 + 4, DASH, size=11, anchor="middle", fill=MUTED
                )
                row.append(DASH)
                continue
            score = float(cells.loc[(partner, dim), "score"])
            previous = cells.loc[(partner, dim), "previous_score"]
            level = int(np.clip(round(score) - 1, 0, 6))
            canvas.rect(x + 1, y + 1, cell_w - 2, cell_h - 2, SEQUENTIAL[level])
            arrow = ""
            if not missing(previous) and abs(score - float(previous)) >= 0.2:
                arrow = " ▲" if score > float(previous) else " ▼"
            text = f"{score:.1f}{arrow}"
            canvas.text(
                x + cell_w / 2,
                y + cell_h / 2 + 4,
                text,
                size=11,
                anchor="middle",
                fill="#ffffff" if level >= 5 else INK,
            )
            row.append(text + ("" if missing(previous) else f" ({float(previous):.1f})"))
        rows.append([*row, _partner_n(cells, partner)])
    # scale legend
    y = 40 + cell_h * len(partners) + 12
    for k, colour in enumerate(SEQUENTIAL):
        canvas.rect(label_w + 22 * k, y, 22, 12, colour, stroke=GRID)
        canvas.text(label_w + 22 * k + 11, y + 24, str(k + 1), size=9, anchor="middle", fill=MUTED)
    header = [s["partner"], *[data.label(d) for d in dimensions], s["n"]]
    return Chart("chart-heatmap", canvas.title, canvas.description, canvas, header, rows)
