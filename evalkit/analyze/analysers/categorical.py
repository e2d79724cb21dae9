"""Binary and categorical outcomes (select_one items, yes/no options): shares and tables.

Per group: the share of the first substantive choice with a Wilson interval, and the whole
distribution over choices (the levels table). Omnibus: chi-square test of the group x choice
table (no Yates correction), or Fisher's exact test when an expected count is below 5;
Cramér's V with a bootstrap interval. Pairs: the same test on the two groups' rows,
the difference of shares with Newcombe's hybrid score interval, Cohen's h and Cramér's V.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze import _dist
from evalkit.analyze._common import category_codes
from evalkit.analyze.descriptives import share_with_ci
from evalkit.analyze.design import compare_domains
from evalkit.analyze.proportions import cramers_v, cramers_v_ci, independence_test, newcombe_diff
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.values import missing_names
from evalkit.instrument.model import Item


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """A select_one item: its choices' distribution per group, compared across groups."""
    series = frame[item.id]
    choice_list = ctx.instrument.choices_for(item)
    subs = choice_list.substantive if choice_list else ()
    names = [c.name for c in subs]
    labels = [c.label.get(ctx.lang) for c in subs]
    codes = category_codes(series, names)  # -1, missing or unknown, is no level
    if ctx.design.weighted:
        indicator = np.where(codes < 0, np.nan, (codes == 0).astype(float))
        name = f"share {labels[0]}"
        compare_domains(item.id, "categorical", indicator, indicator, name, ctx, rows, codes)
        return
    table = ctx.groups.table(codes, np.arange(len(names), dtype=float))
    missing_choice = ctx.groups.count_choices(series, missing_names(ctx.instrument, item))
    categorical_rows(item.id, "categorical", table, names, labels, ctx, rows, missing_choice)


def levels_rows(outcome, table, names, labels, ctx: Context, rows: Rows) -> None:
    """One levels-table row per group and level: count and share of the group's answers."""
    groups = ctx.groups
    n = table.sum(axis=1)
    hidden = ctx.suppressed(n)
    share, low, high = share_with_ci(table, n[:, None], ctx.opts.alpha)
    for i, group in enumerate(groups.names):
        for j, level in enumerate(names):
            rows.levels.append(
                {
                    "outcome": outcome,
                    "group_var": groups.var,
                    "group": group,
                    "level": level,
                    "label": labels[j],
                    "count": np.nan if hidden[i] else int(table[i, j]),
                    "share": np.nan if hidden[i] else share[i, j],
                    "share_ci_low": np.nan if hidden[i] else low[i, j],
                    "share_ci_high": np.nan if hidden[i] else high[i, j],
                    "suppressed": bool(hidden[i]),
                }
            )


def missing_choice_rows(outcome, item, series, table, ctx: Context, rows: Rows) -> None:
    """Rows of the levels table for 'not applicable'-type answers: counted, no share."""
    groups = ctx.groups
    choice_list = ctx.instrument.choices_for(item)
    hidden = ctx.suppressed(table.sum(axis=1))
    for choice in [c for c in choice_list if c.missing] if choice_list else []:
        counts = groups.count_choices(series, {choice.name})
        for i, group in enumerate(groups.names):
            rows.levels.append(
                {
                    "outcome": outcome,
                    "group_var": groups.var,
                    "group": group,
                    "level": choice.name,
                    "label": choice.label.get(ctx.lang),
                    "count": np.nan if hidden[i] else int(counts[i]),
                    "share": np.nan,  # not part of the distribution over levels
                    "suppressed": bool(hidden[i]),
                }
            )


def categorical_rows(
    outcome: str,
    outcome_type: str,
    table: np.ndarray,
    names: list[str],
    labels: list[str],
    ctx: Context,
    rows: Rows,
    missing_choice: np.ndarray | None = None,
) -> None:
    """Descriptives, the omnibus independence test and pairwise contrasts of a k x L table."""
    groups, opts = ctx.groups, ctx.opts
    n = table.sum(axis=1).astype(float)
    hidden = ctx.suppressed(n)
    missing = groups.missing(n.astype(np.int64))
    mc = missing_choice if missing_choice is not None else np.zeros(len(n), dtype=np.int64)
    first = table[:, 0]
    share, s_low, s_high = share_with_ci(first, n, opts.alpha)
    share_name = f"share {labels[0]}" if names else ""
    if outcome_type != "binary":
        levels_rows(outcome, table, names, labels, ctx, rows)
    for i, name in enumerate(groups.names):
        row = {
            **base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i] - mc[i]),
            "missing_choice": int(mc[i]),
            "share_name": share_name,
            "share": share[i],
            "share_ci_low": s_low[i],
            "share_ci_high": s_high[i],
            "n_effective": n[i],
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))
    if not groups.compares:
        return
    shown = table[~hidden]
    res, min_expected = independence_test(shown, seed=opts.seed)
    v_ci = cramers_v_ci(shown, opts.alpha, opts.n_boot, opts.seed)
    note = comparison_note(hidden, groups)
    if res.test.startswith("Fisher"):
        note = "; ".join(filter(None, [note, f"smallest expected count {min_expected:.1f} < 5"]))
    rows.comparisons.append(
        {
            **base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "p_value": res.p_value,
            "effect_name": "Cramér's V",
            "effect": cramers_v(shown),
            "effect_ci_low": v_ci[0],
            "effect_ci_high": v_ci[1],
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": note,
        }
    )
    z = float(_dist.norm.ppf(1 - opts.alpha / 2))
    for a, b, row in shown_pairs(outcome, outcome_type, groups, n, hidden, rows):
        pair = table[[a, b]]
        test, _ = independence_test(pair, seed=opts.seed)
        diff = newcombe_diff(first[a], n[a], first[b], n[b], opts.alpha)
        h = 2 * np.arcsin(np.sqrt(share[a])) - 2 * np.arcsin(np.sqrt(share[b]))
        h_se = np.sqrt(1 / n[a] + 1 / n[b])
        rows.pairwise.append(
            {
                **row,
                "estimate_name": share_name,
                "estimate_a": share[a],
                "estimate_b": share[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Newcombe hybrid score",
                "test": test.test,
                "statistic": test.statistic,
                "df": test.df,
                "p_value": test.p_value,
                "effect_name": "Cohen's h",
                "effect": h,
                "effect_ci_low": h - z * h_se,
                "effect_ci_high": h + z * h_se,
                "effect2_name": "Cramér's V",
                "effect2": cramers_v(pair),
                "note": "",
            }
        )
