"""Network KPIs: each city's KPI and the network's, with funnel-plot control limits.

A funnel plot (Spiegelhalter 2005, Statistics in Medicine 24:1185-1202) draws each city's
KPI against its denominator with the limits within which a city of that size would fall by
chance alone if every city had the network's value: 95% (about 2 SD) and 99.8% (about
3 SD). Cities inside the funnel are not ranked: their differences are what chance gives.

- proportions: the network value ``θ = Σ numerators / Σ denominators``; limits are the
  exact binomial quantiles at ``n`` with Spiegelhalter's interpolation
  ``(r_p − α)/n``, ``α = (F(r_p) − p)/(F(r_p) − F(r_p − 1))``, F the Bin(n, θ) CDF.
- means and indices: ``θ`` the n-weighted mean, limits ``θ ± z_p σ/√n`` with σ² the
  pooled within-city variance.

:data:`KPI_COLUMNS` are the fixed columns: one row per KPI and city plus a ``city ==
"network"`` row per KPI (the pooled value with its 95% CI).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from scipy import stats

KPI_COLUMNS = [
    "kpi_id", "code", "kind", "unit", "city", "period", "n", "value", "ci_low", "ci_high",
    "target_value", "low_95", "high_95", "low_998", "high_998", "funnel_position",
]  # fmt: skip
LEVELS = {"95": 0.975, "998": 0.999}


def binomial_limit(theta: float, n: int, p: float) -> float:
    """Spiegelhalter's interpolated binomial control limit at probability ``p`` for ``n``.

    Examples
    --------
    >>> round(binomial_limit(0.5, 100, 0.975), 4)
    0.5932
    """
    if n <= 0:
        return float("nan")
    r = float(stats.binom.ppf(p, n, theta))
    f_r, f_before = stats.binom.cdf(r, n, theta), stats.binom.cdf(r - 1, n, theta)
    alpha = (f_r - p) / (f_r - f_before) if f_r > f_before else 0.0
    return float((r - alpha) / n)


def proportion_limits(theta: float, n: int) -> dict[str, float]:
    """The 95% and 99.8% limits for a proportion with denominator ``n``."""
    out = {}
    for name, p in LEVELS.items():
        out[f"low_{name}"] = binomial_limit(theta, n, 1 - p)
        out[f"high_{name}"] = binomial_limit(theta, n, p)
    return out


def mean_limits(theta: float, sigma: float, n: int) -> dict[str, float]:
    """``θ ± z σ/√n`` at 95% and 99.8%."""
    out = {}
    for name, p in LEVELS.items():
        half = float(stats.norm.ppf(p)) * sigma / math.sqrt(n)
        out[f"low_{name}"], out[f"high_{name}"] = theta - half, theta + half
    return out


def _position(value: float, limits: dict[str, float]) -> str:
    if not math.isfinite(value):
        return ""
    if value > limits["high_998"]:
        return "above 99.8% limit"
    if value < limits["low_998"]:
        return "below 99.8% limit"
    if value > limits["high_95"]:
        return "above 95% limit"
    if value < limits["low_95"]:
        return "below 95% limit"
    return "within limits"


def network_kpis(bundles: list[Any]) -> pd.DataFrame:
    """Every KPI the bundles carry, per city and for the network (:data:`KPI_COLUMNS`)."""
    from evalkit.analyze.proportions import wilson_ci

    frames = []
    for b in bundles:
        t = b.tables["kpis"].copy()
        if len(t):
            t["city"], t["period"] = b.city, b.period
            frames.append(t)
    if not frames:
        return pd.DataFrame(columns=KPI_COLUMNS)
    all_rows = pd.concat(frames, ignore_index=True)
    out: list[dict[str, Any]] = []
    for kpi_id, block in all_rows.groupby("kpi_id", sort=False):
        first = block.iloc[0]
        base = {"kpi_id": kpi_id, "code": first["code"], "kind": first["kind"],
                "unit": first["unit"]}  # fmt: skip
        if first["kind"] == "proportion":
            num = block["numerator"].astype(float)
            den = block["denominator"].astype(float)
            theta = float(num.sum() / den.sum())
            low, high = wilson_ci(int(num.sum()), int(den.sum()), 0.05)
            for row, x, n in zip(block.itertuples(), num, den, strict=True):
                lim = proportion_limits(theta, int(n))
                c_low, c_high = wilson_ci(int(x), int(n), 0.05)
                value = x / n
                out.append({**base, "city": row.city, "period": row.period, "n": int(n),
                            "value": value, "ci_low": float(c_low), "ci_high": float(c_high),
                            "target_value": theta, **lim,
                            "funnel_position": _position(value, lim)})  # fmt: skip
            out.append({**base, "city": "network", "period": "", "n": int(den.sum()),
                        "value": theta, "ci_low": float(low), "ci_high": float(high),
                        "target_value": theta})  # fmt: skip
        else:
            n = block["n"].astype(float).to_numpy()
            mean = block["mean"].astype(float).to_numpy()
            var = block["variance"].astype(float).to_numpy()
            theta = float((n * mean).sum() / n.sum())
            within = float(((n - 1) * var).sum() / (n - 1).sum())
            sigma = math.sqrt(within)
            z = float(stats.norm.ppf(0.975))
            for row, ni, mi, vi in zip(block.itertuples(), n, mean, var, strict=True):
                lim = mean_limits(theta, sigma, int(ni))
                half = float(stats.t.ppf(0.975, ni - 1)) * math.sqrt(vi / ni)
                out.append({**base, "city": row.city, "period": row.period, "n": int(ni),
                            "value": mi, "ci_low": mi - half, "ci_high": mi + half,
                            "target_value": theta, **lim,
                            "funnel_position": _position(mi, lim)})  # fmt: skip
            # the network mean's SE from the total variance of all answers
            total = float((((n - 1) * var) + n * (mean - theta) ** 2).sum() / (n.sum() - 1))
            se = math.sqrt(total / n.sum())
            out.append({**base, "city": "network", "period": "", "n": int(n.sum()),
                        "value": theta, "ci_low": theta - z * se, "ci_high": theta + z * se,
                        "target_value": theta})  # fmt: skip
    return pd.DataFrame(out).reindex(columns=KPI_COLUMNS)
