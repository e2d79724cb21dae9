"""Numeric outcomes: counts (integer items) and measurements (decimal items, scale scores).

Counts have few distinct values: they are analysed from the group x value count table as
ranks (:func:`evalkit.analyze.analysers.ordinal.rank_rows`: Kruskal-Wallis, Brunner-Munzel)
with the share reporting at least one and a bootstrap interval of the difference in means.
Measurements get Welch's ANOVA, pairwise Welch t intervals and Hedges' g from each group's
n, mean and variance (:func:`continuous_rows`, also used by scales and pre/post change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.analysers.ordinal import rank_rows
from evalkit.analyze.breakdown import Breakdown
from evalkit.analyze.descriptives import mean_ci, median_ci_sorted, quartiles_and_median_ci
from evalkit.analyze.design import compare_domains
from evalkit.analyze.means import hedges_g, omega_squared_welch, welch_anova, welch_t
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.values import numbers, numeric, observed_levels
from evalkit.instrument.model import Item


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """An integer (count) or decimal item compared across groups."""
    series = frame[item.id]
    otype = "count" if item.type == "integer" else "continuous"
    if ctx.design.weighted:
        compare_domains(item.id, otype, numeric(series), None, "mean", ctx, rows)
    elif item.type == "integer":
        values = numbers(series)
        levels = observed_levels(values)
        table = ctx.groups.table(values, levels)
        at_least_one = table[:, levels >= 1].sum(axis=1)
        rank_rows(item.id, "count", table, levels, ctx, rows, at_least_one, "share >= 1", None)
    else:
        continuous(item.id, "continuous", numeric(series), ctx, rows)


def continuous(
    outcome: str, outcome_type: str, values: np.ndarray, ctx: Context, rows: Rows
) -> None:
    """Welch comparison of a measurement given row by row (NaN: no value)."""
    stats = continuous_stats(values, ctx.groups, ctx.opts.alpha)
    continuous_rows(outcome, outcome_type, *stats, ctx, rows)


def continuous_stats(
    values: np.ndarray, groups: Breakdown, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample variance, k x 5 quartiles and median interval) of ``values`` in each
    group."""
    k = groups.k
    ok = (groups.codes >= 0) & ~np.isnan(values)
    codes, v = groups.codes[ok], values[ok]
    n = np.bincount(codes, minlength=k).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=v, minlength=k) / n
        dev = v - mean[codes]
        var = np.where(n > 1, np.bincount(codes, weights=dev**2, minlength=k) / (n - 1), np.nan)
    return n, mean, var, group_quantiles(codes, v, k, alpha)


def continuous_rows(
    outcome: str,
    outcome_type: str,
    n: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    quant: np.ndarray,
    ctx: Context,
    rows: Rows,
) -> None:
    """Descriptives, Welch ANOVA and pairwise Welch t / Hedges' g from group statistics
    (``quant``: k x 5 quartiles and median interval)."""
    groups, opts = ctx.groups, ctx.opts
    hidden = ctx.suppressed(n)
    missing = groups.missing(n.astype(np.int64))
    m_low, m_high = mean_ci(n, mean, var, opts.alpha)
    for i, name in enumerate(groups.names):
        row = {
            **base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": quant[i, 1],
            "q1": quant[i, 0],
            "q3": quant[i, 2],
            "share_name": "",
            "n_effective": n[i],
            "mean_se": np.sqrt(var[i] / n[i]) if n[i] > 1 else np.nan,
            "mean_ci_low": m_low[i],
            "mean_ci_high": m_high[i],
            "median_ci_low": quant[i, 3],
            "median_ci_high": quant[i, 4],
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))
    if not groups.compares:
        return
    shown = ~hidden
    res = welch_anova(n[shown], mean[shown], var[shown])
    rows.comparisons.append(
        {
            **base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "df2": res.df2,
            "p_value": res.p_value,
            "effect_name": "omega-squared (Welch, approximate)",
            "effect": omega_squared_welch(res.statistic, res.df, n[shown].sum()),
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": comparison_note(hidden, groups),
        }
    )
    for a, b, row in shown_pairs(outcome, outcome_type, groups, n, hidden, rows):
        t, diff = welch_t(n[a], mean[a], var[a], n[b], mean[b], var[b], opts.alpha)
        g = hedges_g(n[a], mean[a], var[a], n[b], mean[b], var[b], opts.alpha)
        rows.pairwise.append(
            {
                **row,
                "estimate_name": "mean",
                "estimate_a": mean[a],
                "estimate_b": mean[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Welch t interval",
                "test": t.test,
                "statistic": t.statistic,
                "df": t.df,
                "p_value": t.p_value,
                "effect_name": "Hedges' g",
                "effect": g.value,
                "effect_ci_low": g.ci_low,
                "effect_ci_high": g.ci_high,
                "note": "",
            }
        )


def group_quantiles(codes: np.ndarray, v: np.ndarray, k: int, alpha: float = 0.05) -> np.ndarray:
    """k x 5: quartiles (type 7) and the median's distribution-free interval. Few distinct
    values (scale scores): from count tables."""
    out = np.full((k, 5), np.nan)
    if len(v) == 0:
        return out
    value_codes, uniques = pd.factorize(np.round(v, 9))  # hashing, no sort of the rows
    if len(uniques) <= 5000:
        order = np.argsort(uniques)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        table = np.bincount(
            codes * len(uniques) + rank[value_codes], minlength=k * len(uniques)
        ).reshape(k, len(uniques))
        levels = np.asarray(uniques)[order]
        for i in range(k):  # groups, not rows
            out[i] = quartiles_and_median_ci(levels, table[i], alpha)
        return out
    quant = pd.Series(v).groupby(codes).quantile([0.25, 0.5, 0.75]).unstack().reindex(range(k))
    out[:, :3] = quant.to_numpy(dtype=float)
    out[:, 3:] = median_ci_sorted(codes, v, k, alpha)
    return out
