"""Net Promoter Score outcomes (0-10 items).

Per group: the distribution's mean, SD and quartiles and the NPS (% promoters 9-10 minus %
detractors 0-6) with its multinomial interval. NPS has no omnibus test; pairs get the
difference of NPS with a Wald interval and z-test on the multinomial SE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.descriptives import (
    mean_ci,
    median_ci_from_counts,
    moments_from_counts,
    quantiles_from_counts,
)
from evalkit.analyze.design import compare_domains
from evalkit.analyze.nps import nps, nps_diff
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.values import numbers, numeric
from evalkit.instrument.model import Item

LEVELS = np.arange(11, dtype=float)


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """An NPS item compared across groups pairwise."""
    series = frame[item.id]
    if ctx.design.weighted:
        values = numeric(series)
        score = np.where(np.isnan(values), np.nan, (values >= 9) * 100.0 - (values <= 6) * 100.0)
        compare_domains(item.id, "nps", values, score, "NPS", ctx, rows)
        return
    nps_rows(item.id, numbers(series), ctx, rows)


def nps_rows(outcome: str, values, ctx: Context, rows: Rows) -> None:
    """Descriptives and pairwise NPS differences from the group x 0-10 count table."""
    groups, opts = ctx.groups, ctx.opts
    table = groups.table(values, LEVELS)
    n, mean, var = moments_from_counts(LEVELS, table)
    hidden = ctx.suppressed(n)
    missing = groups.missing(n.astype(np.int64))
    ppd = np.stack(
        [table[:, 9:].sum(axis=1), table[:, 7:9].sum(axis=1), table[:, :7].sum(axis=1)], axis=1
    )
    m_low, m_high = mean_ci(n, mean, var, opts.alpha)
    for i, name in enumerate(groups.names):
        q1, med, q3 = quantiles_from_counts(LEVELS, table[i])
        med_low, med_high = median_ci_from_counts(LEVELS, table[i], opts.alpha)
        est = nps(*ppd[i], alpha=opts.alpha)
        row = {
            **base(outcome, "nps", groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": med,
            "q1": q1,
            "q3": q3,
            "share_name": "NPS (points, -100 to 100)",
            "share": est.value,
            "share_ci_low": est.ci_low,
            "share_ci_high": est.ci_high,
            "nps": est.value,
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
    rows.comparisons.append(
        {
            **base(outcome, "nps", groups),
            "test": "none (NPS is compared pairwise)",
            "effect_name": "",
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": comparison_note(hidden, groups),
        }
    )
    for a, b, row in shown_pairs(outcome, "nps", groups, n, hidden, rows):
        diff, z, p = nps_diff(tuple(ppd[a]), tuple(ppd[b]), opts.alpha)
        rows.pairwise.append(
            {
                **row,
                "estimate_name": "NPS",
                "estimate_a": nps(*ppd[a]).value,
                "estimate_b": nps(*ppd[b]).value,
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Wald, multinomial SE",
                "test": "z-test of NPS difference (multinomial SE)",
                "statistic": z,
                "p_value": p,
                "effect_name": "",
                "note": "",
            }
        )
