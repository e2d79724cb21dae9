"""The report's charts, each drawn once on a :class:`~evalkit.report.canvas.Canvas`.

Every chart comes with its text alternative: a title, a one-sentence description and a data
table (header + rows of display strings) that the HTML shows under the figure, so a reader
who cannot see the chart, or prints in black and white, loses nothing. Colours are the
Okabe–Ito colour-blind-safe palette and a brown–teal diverging scale; no meaning rests on
colour alone (labels and the data table carry it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evalkit.report.canvas import Canvas
from evalkit.report.model import ReportData
from evalkit.report.text import (
    DASH,
    STRINGS,
    fmt,
    fmt_ci,
    fmt_n,
    missing,
    plain_effect,
)

INK = "#222222"
GRID = "#d0d0d0"
MUTED = "#6b6b6b"
DOT = "#0072B2"
STATUS_COLOURS = {
    "dormant": "#999999",
    "exchanging_info": "#56B4E9",
    "joint_activity": "#E69F00",
    "formal_agreement": "#009E73",
}
# Diverging scales, negative to positive (ColorBrewer BrBG, colour-blind safe).
DIVERGING = {
    2: ["#a6611a", "#018571"],
    3: ["#d8b365", "#e8e8e8", "#5ab4ac"],
    4: ["#a6611a", "#dfc27d", "#80cdc1", "#018571"],
    5: ["#a6611a", "#dfc27d", "#e8e8e8", "#80cdc1", "#018571"],
    6: ["#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"],
    7: ["#8c510a", "#d8b365", "#f6e8c3", "#e8e8e8", "#c7eae5", "#5ab4ac", "#01665e"],
}
SEQUENTIAL = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]


@dataclass
class Chart:
    """One chart: its drawing and its text alternative."""

    id: str
    title: str
    description: str
    canvas: Canvas
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""

    def svg(self) -> str:
        return self.canvas.svg(self.id)


def _short(text: Any, limit: int = 30) -> str:
    s = "" if missing(text) else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


# -- dot and interval -----------------------------------------------------------------------


@dataclass
class DotRow:
    label: str
    value: float
    low: float
    high: float
    n: Any
    suppressed: bool = False


def dot_interval(
    chart_id: str,
    title: str,
    description: str,
    panels: list[tuple[str, list[DotRow], float | None, str | None]],
    lang: str,
    panel_header: str = "",
) -> Chart:
    """Panels of dots with interval whiskers; each panel has its own axis and reference line.

    ``panels`` holds ``(panel title, rows, reference value or None, unit)``.
    """
    s = STRINGS[lang]
    width, label_w, right_w, row_h = 760.0, 250.0, 70.0, 24.0
    plot_x0, plot_x1 = label_w, width - right_w
    height = 10.0 + sum(
        44.0 + row_h * len(rows) + 8.0 + (14.0 if "\n" in title else 0.0)
        for title, rows, _, _ in panels
    )
    canvas = Canvas(width, height, title, description)
    header = [panel_header or s["kpi"], s["group"], s["value"], s["ci"], s["n"]]
    table: list[list[str]] = []
    y = 10.0
    for panel_title, rows, reference, unit in panels:
        heading, _, subheading = panel_title.partition("\n")
        canvas.text(4, y + 14, _short(heading, 90), size=13, bold=True)
        y += 22
        if subheading:  # the measure, in words
            canvas.text(4, y + 10, _short(subheading, 120), size=10, fill=MUTED)
            y += 14
        values = [v for r in rows if not r.suppressed for v in (r.value, r.low, r.high)]
        values = [float(v) for v in values if not missing(v)]
        if reference is not None:
            values.append(float(reference))
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        if high - low < 1e-9:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.06
        low, high = low - pad, high + pad

        def x_of(v: float, low: float = low, high: float = high) -> float:
            return plot_x0 + (float(v) - low) / (high - low) * (plot_x1 - plot_x0)

        top, bottom = y, y + row_h * len(rows)
        for tick in _ticks(low, high):
            canvas.line(x_of(tick), top, x_of(tick), bottom, stroke=GRID, width=0.8)
            canvas.text(
                x_of(tick), bottom + 13, fmt(tick, unit), size=10, anchor="middle", fill=MUTED
            )
        if reference is not None:
            canvas.line(
                x_of(reference), top - 2, x_of(reference), bottom, stroke=INK, width=1.2, dash=True
            )
        for i, r in enumerate(rows):
            cy = top + row_h * i + row_h / 2
            canvas.text(plot_x0 - 8, cy + 4, _short(r.label, 38), size=11, anchor="end")
            if r.suppressed or missing(r.value):
                canvas.rect(plot_x0 + 2, cy - 9, 90, 17, "#ffffff")  # over the grid lines
                canvas.text(
                    plot_x0 + 6,
                    cy + 4,
                    f"{DASH} {s['suppressed']}" if r.suppressed else DASH,
                    size=11,
                    fill=MUTED,
                )
                n_text = DASH
            else:
                if not (missing(r.low) or missing(r.high)):
                    canvas.line(x_of(r.low), cy, x_of(r.high), cy, stroke=DOT, width=2)
                    canvas.line(x_of(r.low), cy - 4, x_of(r.low), cy + 4, stroke=DOT, width=1.5)
                    canvas.line(x_of(r.high), cy - 4, x_of(r.high), cy + 4, stroke=DOT, width=1.5)
                canvas.circle(x_of(r.value), cy, 4.5, fill=DOT, stroke="#ffffff")
                n_text = fmt_n(r.n)
            canvas.text(width - 8, cy + 4, f"n={n_text}", size=10, anchor="end", fill=MUTED)
            table.append(
                [
                    panel_title.replace("\n", " — "),
                    r.label,
                    fmt(r.value, unit),
                    fmt_ci(r.low, r.high, unit),
                    n_text,
                ]
            )
        y = bottom + 30
    return Chart(chart_id, title, description, canvas, header, table)


def kpi_by_mode_chart(data: ReportData) -> Chart | None:
    """K4, K5, K7, K10, K13… broken down by mode: one panel per KPI."""
    s = STRINGS[data.language]
    breakdown = data.table("kpi_breakdown")
    breakdown = breakdown[breakdown["group_var"] == "mode"]
    if breakdown.empty:
        return None
    kpis = data.table("kpis").set_index("kpi_id")
    panels = []
    for kpi_id, rows in breakdown.groupby("kpi_id", sort=False):
        info = kpis.loc[kpi_id] if kpi_id in kpis.index else None
        code = "" if info is None or missing(info["code"]) else f"{info['code']} "
        title = data.label(kpi_id) if info is None else str(info["title"])
        unit = None if info is None or missing(info["unit"]) else str(info["unit"])
        dots = [
            DotRow(
                data.group_label(kpi_id, r.group),
                r.value,
                r.ci_low,
                r.ci_high,
                r.n,
                bool(r.suppressed),
            )
            for r in rows.itertuples()
        ]
        panels.append((f"{code}{title}", dots, None, unit))
    return dot_interval(
        "chart-kpi-by-mode",
        s["kpi_by_mode"],
        s["kpi_by_mode_desc"],
        panels,
        data.language,
    )


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    names = frame["effect_name"].map(lambda v: "" if missing(v) else str(v).strip())
    return frame[names != ""]


def _reference(effect_name: str) -> float:
    """No difference: 0.5 for probability-of-superiority measures, 1 for ratios, else 0."""
    if effect_name.replace(" ", "").startswith("P("):
        return 0.5
    return 1.0 if effect_name.startswith("ratio of") else 0.0


def _excludes(low: Any, high: Any, reference: float) -> bool:
    if missing(low) or missing(high):
        return False
    return float(low) > reference or float(high) < reference


def effects_chart(data: ReportData) -> Chart | None:
    """Effect sizes between modes with CIs, one panel per effect measure, "no difference" line.

    Pairwise contrasts (``pairwise``: one row per outcome and pair of modes) are shown when
    given, as they say which modes differ; otherwise the omnibus effects of ``comparisons``.
    """
    s = STRINGS[data.language]
    pairwise = _named(data.table("pairwise"))
    panels: list[tuple[str, list[DotRow], float | None, str | None]] = []
    if len(pairwise):
        # One panel per outcome and measure; one row per pair of modes.
        # only questions with a pair whose interval excludes "no difference", and in them
        # those pairs and the suppressed ones (the rest: the appendix table)
        mask = [
            _excludes(r.effect_ci_low, r.effect_ci_high, _reference(str(r.effect_name)))
            for r in pairwise.itertuples()
        ]
        clear = pairwise[mask]
        shown = pairwise[[m or bool(s) for m, s in zip(mask, pairwise["suppressed"], strict=True)]]
        keys = list(dict.fromkeys(zip(clear["outcome"], clear["effect_name"], strict=True)))
        for outcome, name in keys:
            rows = shown[(shown["outcome"] == outcome) & (shown["effect_name"] == name)]
            dots = [
                DotRow(
                    f"{data.label(r.group_a)} vs {data.label(r.group_b)}",
                    r.effect,
                    r.effect_ci_low,
                    r.effect_ci_high,
                    _sum_n(r.n_a, r.n_b),
                    bool(r.suppressed),
                )
                for r in rows.itertuples()
            ]
            title = f"{data.label(outcome)}\n{plain_effect(name, data.language)}"
            panels.append((title, dots, _reference(str(name)), None))
    else:
        comparisons = _named(data.table("comparisons"))
        for name in dict.fromkeys(comparisons["effect_name"]):
            rows = comparisons[comparisons["effect_name"] == name]
            dots = [
                DotRow(
                    data.label(r.outcome),
                    r.effect,
                    r.effect_ci_low,
                    r.effect_ci_high,
                    r.n,
                    bool(r.suppressed),
                )
                for r in rows.itertuples()
            ]
            panels.append((plain_effect(name, data.language), dots, _reference(str(name)), None))
    if not panels:
        return None
    return dot_interval(
        "chart-effects",
        s["effects"],
        s["effects_desc"],
        panels,
        data.language,
        panel_header=s["effect"],
    )


def _sum_n(a: Any, b: Any) -> Any:
    return float("nan") if missing(a) or missing(b) else float(a) + float(b)


# -- diverging stacked bars ----------------------------------------------------------------


def likert_chart(data: ReportData) -> Chart | None:
    """Diverging stacked bars: per item and mode, disagreement left of 0, agreement right."""
    s = STRINGS[data.language]
    likert = data.table("likert")
    likert = likert[pd.to_numeric(likert["level"], errors="coerce").notna()].copy()
    if likert.empty:
        return None
    likert["level"] = pd.to_numeric(likert["level"])
    levels = sorted(likert["level"].unique())
    k = len(levels)
    colours = DIVERGING.get(k, DIVERGING[5] if k > 7 else DIVERGING[2])
    labels = likert.drop_duplicates("level").set_index("level")["label"].reindex(levels).tolist()
    count = pd.to_numeric(likert["count"], errors="coerce")
    totals = count.groupby([likert["item"], likert["group"]]).transform("sum")
    share = (count / totals.where(totals > 0)).where(
        count.notna(), pd.to_numeric(likert["share"], errors="coerce")
    )
    likert["share_"] = share
    bars = likert.pivot_table(
        index=["item", "group"], columns="level", values="share_", aggfunc="sum", sort=False
    )
    bars = bars.reindex(columns=levels).fillna(0.0)
    hidden = likert.groupby(["item", "group"], sort=False)["suppressed"].any()
    keys = list(dict.fromkeys(zip(likert["item"], likert["group"], strict=True)))

    width, label_w, row_h = 760.0, 230.0, 22.0
    items = list(dict.fromkeys(i for i, _ in keys))
    height = (
        56.0 + sum(22 + row_h * sum(1 for i, _ in keys if i == item) + 8 for item in items) + 20
    )
    canvas = Canvas(
        width,
        height,
        s["likert"],
        s["likert_desc"],
    )
    # legend
    x = 4.0
    for colour, label in zip(colours, labels, strict=False):
        canvas.rect(x, 8, 12, 12, colour, stroke="#888888")
        canvas.text(x + 16, 18, _short(label, 22), size=10)
        x += 22 + 6.2 * len(_short(label, 22))
    centre, half = label_w + (width - label_w - 20) / 2, (width - label_w - 20) / 2
    y = 40.0
    header = [s["item"], s["group"], *[_short(lab, 30) for lab in labels]]
    rows: list[list[str]] = []
    for item in items:
        canvas.text(4, y + 14, _short(data.label(item), 100), size=12, bold=True)
        y += 22
        group_rows = [(i, g) for i, g in keys if i == item]
        # The centre line goes under the bars: visible between rows, never over a label.
        canvas.line(centre, y - 2, centre, y + row_h * len(group_rows) + 2, stroke=INK, width=1)
        for _, group in group_rows:
            cy = y + row_h / 2
            canvas.text(label_w - 8, cy + 4, _short(data.label(group), 30), size=11, anchor="end")
            if hidden.get((item, group), False):
                canvas.text(centre + 6, cy + 4, f"{DASH} {s['suppressed']}", size=11, fill=MUTED)
                rows.append([data.label(item), data.label(group), *[DASH] * k])
                y += row_h
                continue
            shares = bars.loc[(item, group)].to_numpy(dtype=float)
            negative = shares[: k // 2].sum() + (shares[k // 2] / 2 if k % 2 else 0.0)
            x = centre - negative * half
            for colour, value, label in zip(colours, shares, labels, strict=False):
                w = value * half
                canvas.rect(x, y + 3, w, row_h - 6, colour, tip=f"{label}: {fmt(value, 'share')}")
                if value >= 0.08:
                    dark = colour in ("#a6611a", "#018571", "#8c510a", "#01665e")
                    canvas.text(
                        x + w / 2,
                        cy + 4,
                        fmt(value, "share"),
                        size=9,
                        anchor="middle",
                        fill="#ffffff" if dark else INK,
                    )
                x += w
            rows.append([data.label(item), data.label(group), *[fmt(v, "share") for v in shares]])
            y += row_h
        y += 8
    canvas.text(centre, y + 10, "0", size=9, anchor="middle", fill=MUTED)
    return Chart("chart-likert", canvas.title, canvas.description, canvas, header, rows)


# -- inclusive reach ---------------------------------------------------------------------------


def reach_chart(data: ReportData) -> Chart | None:
    """Horizontal ratio bars with their confidence intervals and a 1.0 reference line."""
    s = STRINGS[data.language]
    table = data.table("inclusive_reach").dropna(subset=["group"])
    if table.empty:
        return None
    values = pd.to_numeric(pd.concat([table["ratio"], table["ci_high"]]), errors="coerce").dropna()
    high = max(2.0, float(values.max()) * 1.08 if len(values) else 2.0)
    label_w, right_w, row_h = 230.0, 70.0, 30.0
    width = 760.0
    height = 30.0 + row_h * len(table) + 40
    x0, x1 = label_w, width - right_w

    def x_of(v: float) -> float:
        return x0 + float(v) / high * (x1 - x0)

    canvas = Canvas(
        width,
        height,
        s["reach"],
        s["reach_desc"],
    )
    top, bottom = 20.0, 20.0 + row_h * len(table)
    for tick in _ticks(0, high):
        canvas.line(x_of(tick), top, x_of(tick), bottom, stroke=GRID, width=0.8)
        canvas.text(x_of(tick), bottom + 14, f"{tick:.1f}", size=10, anchor="middle", fill=MUTED)
    rows: list[list[str]] = []
    for i, r in enumerate(table.itertuples()):
        y = top + row_h * i
        cy = y + row_h / 2
        canvas.text(x0 - 8, cy + 4, _short(data.label(r.group), 34), size=11, anchor="end")
        if r.suppressed or missing(r.ratio):
            canvas.text(
                x0 + 6,
                cy + 4,
                f"{DASH} {s['suppressed']}" if r.suppressed else DASH,
                size=11,
                fill=MUTED,
            )
        else:
            colour = "#009E73" if float(r.ratio) >= 1 else "#D55E00"
            canvas.rect(x0, y + 6, x_of(r.ratio) - x0, row_h - 12, colour)
            if not (missing(r.ci_low) or missing(r.ci_high)):
                canvas.line(x_of(r.ci_low), cy, x_of(r.ci_high), cy, stroke=INK, width=1.5)
                canvas.line(x_of(r.ci_low), cy - 5, x_of(r.ci_low), cy + 5, stroke=INK, width=1.5)
                canvas.line(x_of(r.ci_high), cy - 5, x_of(r.ci_high), cy + 5, stroke=INK, width=1.5)
            canvas.text(width - 8, cy + 4, fmt(r.ratio, "ratio"), size=11, anchor="end")
        rows.append(
            [
                data.label(r.group),
                fmt(r.share, "share"),
                fmt(r.population_share, "share"),
                fmt(r.ratio, "ratio"),
                fmt_ci(r.ci_low, r.ci_high, "ratio"),
                fmt_n(r.n),
            ]
        )
    canvas.line(x_of(1.0), top - 6, x_of(1.0), bottom + 2, stroke=INK, width=1.5, dash=True)
    canvas.text(x_of(1.0), top - 8, "1.0", size=10, anchor="middle", bold=True)
    header = [s["group"], s["share"], s["population_share"], s["ratio"], s["ci"], s["n"]]
    return Chart("chart-reach", canvas.title, canvas.description, canvas, header, rows)
