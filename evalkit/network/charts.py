"""Forest and funnel plots of the network report, drawn on the annual report's Canvas.

Each chart is a :class:`evalkit.report.charts.Chart`: an inline-SVG drawing (PNG through
matplotlib for ``charts/``) with its title, description and data table, so the network
report looks like the annual report and a reader who cannot see a chart loses nothing.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pandas as pd

from evalkit.report.canvas import Canvas
from evalkit.report.charts import DOT, GRID, INK, MUTED, Chart, _ticks

POOLED = "#D55E00"
LIMIT_95 = "#56B4E9"
LIMIT_998 = "#0072B2"


def _finite(*values: Any) -> bool:
    return all(v is not None and isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def _fmt(value: float, ratio: bool) -> str:
    if not _finite(value):
        return "—"
    return f"{value:.2f}" if ratio or abs(value) < 100 else f"{value:,.0f}"


def forest_chart(chart_id: str, title: str, cities: pd.DataFrame, pooled: dict[str, Any]) -> Chart:
    """Cities' estimates with CIs, the pooled diamond and the prediction interval.

    Ratios are drawn on a log axis; the dashed line is "no difference" (1 or 0).
    """
    ratio = pooled["measure"] in ("odds_ratio", "risk_ratio")

    def tr(v: float) -> float:
        return math.log(v) if ratio else v

    rows = cities.sort_values("city").to_dict("records")
    width, label_w, right_w, row_h = 760.0, 170.0, 190.0, 22.0
    x0, x1 = label_w, width - right_w
    height = 40.0 + row_h * (len(rows) + 3) + 30.0
    desc = (
        f"{len(rows)} cities' {pooled['measure'].replace('_', ' ')} of {pooled['group_a']} "
        f"compared with {pooled['group_b']}, with the pooled estimate (diamond) and the "
        "prediction interval for a new city (bar under it)."
    )
    canvas = Canvas(width, height, title, desc)
    candidates = [v for r in rows for v in (r["ci_low"], r["ci_high"])]
    candidates += [pooled.get(key) for key in ("ci_low", "ci_high", "pi_low", "pi_high")]
    values = [tr(v) for v in candidates if _finite(v) and (not ratio or v > 0)]
    values.append(0.0)
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 or 1.0
    low, high = low - pad, high + pad

    def x_of(v: float) -> float:
        return x0 + (tr(v) - low) / (high - low) * (x1 - x0)

    top = 30.0
    bottom = top + row_h * (len(rows) + 2.5)
    canvas.text(4, 18, title, size=13, bold=True)
    for tick in _ticks(low, high):
        value = math.exp(tick) if ratio else tick
        x = x0 + (tick - low) / (high - low) * (x1 - x0)
        canvas.line(x, top, x, bottom, stroke=GRID, width=0.8)
        canvas.text(x, bottom + 14, _fmt(value, ratio), size=10, anchor="middle", fill=MUTED)
    ref = 1.0 if ratio else 0.0
    canvas.line(x_of(ref), top - 4, x_of(ref), bottom, stroke=INK, width=1.2, dash=True)
    table = []
    for i, r in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        canvas.text(x0 - 8, cy + 4, str(r["city"])[:24], size=11, anchor="end")
        if _finite(r["ci_low"], r["ci_high"]):
            canvas.line(x_of(r["ci_low"]), cy, x_of(r["ci_high"]), cy, stroke=DOT, width=2)
        if _finite(r["estimate"]):
            canvas.circle(x_of(r["estimate"]), cy, 4, fill=DOT, stroke="#ffffff")
        est, low_, high_ = (_fmt(r[k], ratio) for k in ("estimate", "ci_low", "ci_high"))
        text = f"{est} [{low_}, {high_}]"
        canvas.text(width - 8, cy + 4, text, size=10, anchor="end", fill=MUTED)
        table.append(
            [
                str(r["city"]),
                _fmt(r["estimate"], ratio),
                f"{_fmt(r['ci_low'], ratio)} to {_fmt(r['ci_high'], ratio)}",
                f"{int(r['n_a'])} / {int(r['n_b'])}",
            ]
        )
    cy = top + row_h * (len(rows) + 1)
    canvas.text(x0 - 8, cy + 4, "Pooled (random effects)", size=11, anchor="end", bold=True)
    est, lo, hi = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
    if _finite(est, lo, hi):
        # the diamond, filled with vertical strokes (Canvas has no polygon)
        xl, xm, xh = x_of(lo), x_of(est), x_of(hi)
        steps = max(int(xh - xl), 2)
        for s in range(steps + 1):
            x = xl + (xh - xl) * s / steps
            half = 7.0 * (1 - abs(x - xm) / max(xm - xl if x <= xm else xh - xm, 1e-9))
            canvas.line(x, cy - half, x, cy + half, stroke=POOLED, width=1.2)
        pi_lo, pi_hi = pooled.get("pi_low"), pooled.get("pi_high")
        if _finite(pi_lo, pi_hi):
            canvas.line(x_of(pi_lo), cy + 12, x_of(pi_hi), cy + 12, stroke=POOLED, width=1.5)
            canvas.line(x_of(pi_lo), cy + 9, x_of(pi_lo), cy + 15, stroke=POOLED, width=1.5)
            canvas.line(x_of(pi_hi), cy + 9, x_of(pi_hi), cy + 15, stroke=POOLED, width=1.5)
        canvas.text(
            width - 8,
            cy + 4,
            f"{_fmt(est, ratio)} [{_fmt(lo, ratio)}, {_fmt(hi, ratio)}]",
            size=10,
            anchor="end",
            bold=True,
        )
        table.append(["Pooled", _fmt(est, ratio), f"{_fmt(lo, ratio)} to {_fmt(hi, ratio)}", ""])
        if _finite(pi_lo, pi_hi):
            table.append(
                ["Prediction interval", "", f"{_fmt(pi_lo, ratio)} to {_fmt(pi_hi, ratio)}", ""]
            )
    header = ["City", "Estimate", "95% CI", f"n ({pooled['group_a']} / {pooled['group_b']})"]
    return Chart(chart_id, title, desc, canvas, header, table)


def funnel_chart(chart_id: str, title: str, kpi: pd.DataFrame, share: bool) -> Chart:
    """A KPI per city against its denominator, with 95% and 99.8% control limits."""
    cities = kpi[kpi["city"] != "network"].sort_values("n")
    target = float(cities["target_value"].iloc[0])
    width, height = 760.0, 360.0
    x0, x1, y0, y1 = 70.0, width - 150.0, 30.0, height - 50.0
    desc = (
        f"{len(cities)} cities' values against their number of respondents; the funnel "
        "shows where a city of that size falls by chance alone if it had the network's value "
        "(inner lines 95%, outer 99.8%)."
    )
    canvas = Canvas(width, height, title, desc)
    canvas.text(4, 18, title, size=13, bold=True)
    n_max = float(cities["n"].max()) * 1.1
    n_min = max(float(cities["n"].min()) * 0.5, 2.0)
    grid_n = [n_min + (n_max - n_min) * i / 60 for i in range(61)]
    if share:
        from evalkit.network.funnel import proportion_limits

        curves = [proportion_limits(target, max(int(n), 1)) for n in grid_n]
    else:
        from evalkit.network.funnel import mean_limits

        sigma = float(
            (
                (cities["high_95"] - cities["target_value"])
                * cities["n"].pow(0.5)
                / 1.959963984540054
            ).median()
        )
        curves = [mean_limits(target, sigma, n) for n in grid_n]
    values = [v for c in curves for v in c.values()] + list(cities["value"].astype(float))
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 0.1
    lo, hi = lo - pad, hi + pad

    def xy(n: float, v: float) -> tuple[float, float]:
        return x0 + (n - 0) / n_max * (x1 - x0), y1 - (v - lo) / (hi - lo) * (y1 - y0)

    for tick in _ticks(lo, hi):
        _, y = xy(0, tick)
        canvas.line(x0, y, x1, y, stroke=GRID, width=0.8)
        canvas.text(
            x0 - 6,
            y + 4,
            f"{tick:.0%}" if share else f"{tick:.2f}",
            size=10,
            anchor="end",
            fill=MUTED,
        )
    for tick in _ticks(0, n_max):
        x, _ = xy(tick, lo)
        canvas.text(x, y1 + 16, f"{tick:,.0f}", size=10, anchor="middle", fill=MUTED)
    canvas.text(
        (x0 + x1) / 2, y1 + 34, "respondents (denominator)", size=10, anchor="middle", fill=MUTED
    )
    _, ty = xy(0, target)
    canvas.line(x0, ty, x1, ty, stroke=INK, width=1.2, dash=True)
    for key, colour in (("95", LIMIT_95), ("998", LIMIT_998)):
        for side in ("low", "high"):
            pts = [xy(n, c[f"{side}_{key}"]) for n, c in zip(grid_n, curves, strict=True)]
            for (xa, ya), (xb, yb) in itertools.pairwise(pts):
                if all(math.isfinite(v) for v in (ya, yb)):
                    canvas.line(xa, ya, xb, yb, stroke=colour, width=1.2)
    table = []
    for r in cities.itertuples():
        x, y = xy(float(r.n), float(r.value))
        canvas.circle(
            x,
            y,
            4.5,
            fill=POOLED if r.funnel_position != "within limits" else DOT,
            stroke="#ffffff",
        )
        canvas.text(x + 7, y - 5, str(r.city)[:18], size=9, fill=MUTED)
        shown = f"{r.value:.1%}" if share else f"{r.value:.2f}"
        table.append([str(r.city), shown, f"{int(r.n):,}", str(r.funnel_position)])
    canvas.text(x1 + 10, ty + 4, "network", size=10, fill=INK)
    return Chart(chart_id, title, desc, canvas, ["City", "Value", "n", "Funnel position"], table)
