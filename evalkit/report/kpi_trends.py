"""The report's "KPIs over the years" section: every KPI in every stored period.

The tables come from :mod:`evalkit.kpi.history` (``kpi_history``: one row per KPI and
period; ``kpi_trends``: one row per KPI with its trend test). The section shows a table of
the KPIs that have a value in two or more periods, each period's value in its unit, and the
trend in plain words ("rising", "falling", "no clear change"); the chart draws one small
panel per KPI (the period's value and its 95% interval, the target as a dashed line).
Suppressed values are shown as suppressed and were never part of a trend.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evalkit.report.charts import Chart, DotRow, dot_interval
from evalkit.report.document import Block, Section
from evalkit.report.model import ReportData
from evalkit.report.text import DASH, fmt, fmt_p, missing

WORDS = {
    "en": {
        "heading": "KPIs over the years",
        "intro": "Each KPI in every year the office has data for, up to {period}. A KPI is "
        "called rising or falling only when a test over three or more years says the change "
        "is unlikely to be chance (p below 0.05); with two years, compare the values and their "
        "intervals in the scorecard.",
        "up": "▲ rising",
        "down": "▼ falling",
        "flat": "▶ no clear change",
        "counts": "census count: {trend}",
        "few": "fewer than three years with a value: no test",
        "chart": "KPIs by year, with 95% intervals",
        "chart_desc": "One panel per KPI: the value in each year with its 95% interval; the "
        "dashed line is the target.",
        "kpi": "KPI",
        "trend": "Trend",
        "suppressed": "suppressed",
    },
    "es": {
        "heading": "Los indicadores a lo largo de los años",
        "intro": "Cada indicador en cada año con datos, hasta {period}. Un indicador se dice "
        "en alza o en baja solo cuando una prueba sobre tres o más años indica que el cambio "
        "difícilmente se debe al azar (p menor que 0,05); con dos años, compare los valores y "
        "sus intervalos en el cuadro de indicadores.",
        "up": "▲ en alza",
        "down": "▼ en baja",
        "flat": "▶ sin cambio claro",
        "counts": "recuento censal: {trend}",
        "few": "menos de tres años con valor: sin prueba",
        "chart": "Indicadores por año, con intervalos del 95%",
        "chart_desc": "Un panel por indicador: el valor de cada año con su intervalo del 95%; "
        "la línea discontinua es la meta.",
        "kpi": "Indicador",
        "trend": "Tendencia",
        "suppressed": "suprimido",
    },
}


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def _shown(history: pd.DataFrame) -> pd.DataFrame:
    """The rows of KPIs with a value in at least two periods."""
    valued = history[history["value"].notna()]
    keep = valued.groupby("kpi_id")["period"].nunique()
    return history[history["kpi_id"].isin(keep[keep >= 2].index)]


def _trend_words(trend: Any, w: dict[str, str]) -> str:
    if trend is None:
        return DASH
    direction = "" if missing(trend.trend) else str(trend.trend)
    if missing(trend.test):
        if direction and not missing(trend.slope):
            return w["counts"].format(trend=w[direction])
        return w["few"]
    return f"{w[direction]} (p {fmt_p(trend.p_value)})"


def _value(row: Any, w: dict[str, str]) -> str:
    if row.status == "suppressed":
        return w["suppressed"]
    return DASH if missing(row.value) else fmt(row.value, None if missing(row.unit) else row.unit)


def kpi_trend_chart(data: ReportData) -> Chart | None:
    """Small multiples: one panel per KPI, a row per period (value and 95% interval)."""
    history = _shown(data.table("kpi_history"))
    if history.empty:
        return None
    w = _words(data.language)
    panels = []
    for _, rows in history.groupby("kpi_id", sort=False):
        first = rows.iloc[0]
        unit = None if missing(first["unit"]) else str(first["unit"])
        target = None if missing(first["target"]) else float(first["target"])
        dots = [
            DotRow(str(r.period), r.value, r.ci_low, r.ci_high, r.n, r.status == "suppressed")
            for r in rows.itertuples()
            if r.status != "not computed"
        ]
        panels.append((f"{first['code']} {first['title']}", dots, target, unit))
    return dot_interval("chart-kpi-years", w["chart"], w["chart_desc"], panels, data.language,
                        panel_header=w["kpi"])  # fmt: skip


def kpi_trend_section(data: ReportData) -> Section | None:
    """The section, or None when no KPI has values in two periods."""
    history = _shown(data.table("kpi_history"))
    if history.empty:
        return None
    w = _words(data.language)
    periods = sorted(history["period"].astype(str).unique())
    trends = {r.kpi_id: r for r in data.table("kpi_trends").itertuples()}
    rows = []
    for kpi_id, block in history.groupby("kpi_id", sort=False):
        by_period = {str(r.period): r for r in block.itertuples()}
        first = block.iloc[0]
        values = [_value(by_period[p], w) if p in by_period else DASH for p in periods]
        rows.append([f"{first['code']} {first['title']}", *values,
                     _trend_words(trends.get(kpi_id), w)])  # fmt: skip
    blocks = [
        Block("p", text=w["intro"].format(period=data.period)),
        Block(
            "table",
            header=[w["kpi"], *periods, w["trend"]],
            rows=rows,
            numeric=[False, *[True] * len(periods), False],
        ),
    ]
    chart = kpi_trend_chart(data)
    if chart is not None:
        blocks.append(Block("chart", chart=chart))
    return Section("kpi-years", w["heading"], blocks)
