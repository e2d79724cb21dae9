"""Ordinal outcomes (Likert items), analysed from the group x level count table.

Per group: distribution over levels, mean, SD, quartiles and the top-2-box share (top box
for fewer than 4 levels) with a Wilson interval. Omnibus: Kruskal-Wallis from the table
with epsilon-squared and its bootstrap interval. Pairs: Brunner-Munzel with P(A>B)+½P(A=B)
and the rank-biserial correlation, and the difference of top-2-box shares (Newcombe).
:func:`rank_rows` serves count outcomes too (:mod:`.numeric`), with a bootstrap difference
of means instead of shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.analysers.categorical import levels_rows, missing_choice_rows
from evalkit.analyze.counts import bootstrap_means, mean_diff_ci
from evalkit.analyze.descriptives import (
    mean_ci,
    median_ci_from_counts,
    moments_from_counts,
    quantiles_from_counts,
    share_with_ci,
)
from evalkit.analyze.design import compare_domains
from evalkit.analyze.ordinal import brunner_munzel_counts, epsilon_squared_ci, kruskal_counts
from evalkit.analyze.proportions import newcombe_diff
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.values import missing_names, numbers, numeric
from evalkit.instrument.model import Item


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """A Likert item compared across groups from its count table."""
    series = frame[item.id]
    choice_list = ctx.instrument.choices_for(item)
    subs = choice_list.substantive if choice_list else ()
    levels = np.array([float(c.value) for c in subs])
    lang = ctx.lang
    if ctx.design.weighted:
        _weighted(item, series, subs, levels, ctx, rows)
        return
    table = ctx.groups.table(numbers(series), levels)
    missing_choice = ctx.groups.count_choices(series, missing_names(ctx.instrument, item))
    levels_rows(
        item.id, table, [c.name for c in subs], [c.label.get(lang) for c in subs], ctx, rows
    )
    missing_choice_rows(item.id, item, series, table, ctx, rows)
    top2 = table[:, -2:].sum(axis=1) if len(levels) >= 4 else table[:, -1]
    share_name = (
        f"top-2-box ({subs[-2].label.get(lang)} or {subs[-1].label.get(lang)})"
        if len(levels) >= 4
        else f"top box ({subs[-1].label.get(lang)})"
    )
    rank_rows(item.id, "ordinal", table, levels, ctx, rows, top2, share_name, missing_choice)


def _weighted(item: Item, series: pd.Series, subs, levels, ctx: Context, rows: Rows) -> None:
    values = numeric(series)
    values = np.where(np.isin(values, levels), values, np.nan)
    top = levels[-2:] if len(levels) >= 4 else levels[-1:]
    indicator = np.where(np.isnan(values), np.nan, np.isin(values, top).astype(float))
    labels = " or ".join(c.label.get(ctx.lang) for c in subs[-len(top) :])
    name = f"top-2-box ({labels})" if len(top) == 2 else f"top box ({labels})"
    compare_domains(item.id, "ordinal", values, indicator, name, ctx, rows)


def rank_rows(
    outcome: str,
    outcome_type: str,
    table: np.ndarray,
    levels: np.ndarray,
    ctx: Context,
    rows: Rows,
    successes: np.ndarray,
    share_name: str,
    missing_choice: np.ndarray | None,
) -> None:
    """Descriptives, Kruskal-Wallis and pairwise Brunner-Munzel rows from a k x L table."""
    groups, opts = ctx.groups, ctx.opts
    n, mean, var = moments_from_counts(levels, table)
    hidden = ctx.suppressed(n)
    missing = groups.missing(n.astype(np.int64))
    share, s_low, s_high = share_with_ci(successes, n, opts.alpha)
    m_low, m_high = mean_ci(n, mean, var, opts.alpha)
    for i, name in enumerate(groups.names):
        q1, med, q3 = quantiles_from_counts(levels, table[i])
        med_low, med_high = median_ci_from_counts(levels, table[i], opts.alpha)
        row = {
            **base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i] - (missing_choice[i] if missing_choice is not None else 0)),
            "missing_choice": int(missing_choice[i]) if missing_choice is not None else 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": med,
            "q1": q1,
            "q3": q3,
            "share_name": share_name,
            "share": share[i],
            "share_ci_low": s_low[i],
            "share_ci_high": s_high[i],
            "n_effective": n[i],
            "mean_se": np.sqrt(var[i] / n[i]) if n[i] > 1 else np.nan,
            "mean_ci_low": m_low[i],
            "mean_ci_high": m_high[i],
            "median_ci_low": med_low,
            "median_ci_high": med_high,
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))
    if not groups.compares:
        return
    shown = ~hidden
    res, eps2 = kruskal_counts(table[shown])
    eps_low, eps_high = epsilon_squared_ci(table[shown], opts.alpha, opts.n_boot, opts.seed)
    rows.comparisons.append(
        {
            **base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "p_value": res.p_value,
            "effect_name": "epsilon-squared",
            "effect": eps2,
            "effect_ci_low": eps_low,
            "effect_ci_high": eps_high,
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": comparison_note(hidden, groups),
        }
    )
    # a count outcome's mean differences: each group resampled once, for all its pairs
    seed = opts.seed + len(rows.pairwise)
    draws = None
    for a, b, row in shown_pairs(outcome, outcome_type, groups, n, hidden, rows):
        bm, ps, rb = brunner_munzel_counts(table[a], table[b], opts.alpha)
        if outcome_type == "ordinal":
            diff = newcombe_diff(successes[a], n[a], successes[b], n[b], opts.alpha)
            est = (share_name, share[a], share[b], "Newcombe hybrid score")
        else:
            if draws is None:
                draws = bootstrap_means(levels, table, opts.n_boot, seed)
            diff = mean_diff_ci(levels, table[a], table[b], draws[a], draws[b], opts.alpha)
            est = ("mean", mean[a], mean[b], f"percentile bootstrap ({opts.n_boot}, seed {seed})")
        rows.pairwise.append(
            {
                **row,
                "estimate_name": est[0],
                "estimate_a": est[1],
                "estimate_b": est[2],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": est[3],
                "test": bm.test,
                "statistic": bm.statistic,
                "df": bm.df,
                "p_value": bm.p_value,
                "effect_name": "P(A>B)+0.5P(A=B)",
                "effect": ps.value,
                "effect_ci_low": ps.ci_low,
                "effect_ci_high": ps.ci_high,
                "effect2_name": "rank-biserial correlation",
                "effect2": rb.value,
                "effect2_ci_low": rb.ci_low,
                "effect2_ci_high": rb.ci_high,
                "note": "",
            }
        )
