"""Ratio-of-totals outcomes (cost per attendee): per group the ratio with a BCa interval,
per pair the difference and the ratio of the two ratios, bootstrapped within groups.

The units are the rows (e.g. engagements of the activity register); a unit counts towards a
group's ratio when both its numerator and its denominator were recorded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.ratios import group_ratios
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.values import numeric
from evalkit.instrument.model import Ratio, Term


def side_values(frame: pd.DataFrame, terms: tuple[Term, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-row sum of the terms (an unrecorded part adds 0, as in the KPI catalogue) and
    whether any term of the side was recorded."""
    total = np.zeros(len(frame))
    recorded = np.zeros(len(frame), dtype=bool)
    for term in terms:
        value = numeric(frame[term.item]) * term.factor
        for other in term.times:
            value = value * numeric(frame[other])
        recorded |= ~np.isnan(value)
        total += np.nan_to_num(value, nan=0.0)
    return total, recorded


def analyse(ratio: Ratio, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """A ratio the instrument declares, compared across groups pairwise."""
    groups, opts = ctx.groups, ctx.opts
    absent = [name for name in ratio.items if name not in frame.columns]
    if absent:
        rows.skipped.append(f"{ratio.id} (missing columns {', '.join(absent)})")
        return
    if ctx.design.weighted:
        rows.skipped.append(f"{ratio.id} (ratios of totals are not survey-weighted)")
        return
    num, num_ok = side_values(frame, ratio.numerator)
    den, den_ok = side_values(frame, ratio.denominator)
    unit = (groups.codes >= 0) & num_ok & den_ok  # a unit with both sides recorded
    codes = np.where(unit, groups.codes, -1)
    k = groups.k
    n = np.bincount(codes[unit], minlength=k)
    hidden = ctx.suppressed(n)
    res = group_ratios(num, den, codes, k, opts.alpha, opts.n_boot, opts.seed, draw=~hidden)
    missing = groups.missing(n.astype(np.int64))
    name = f"ratio of totals ({ratio.unit})" if ratio.unit else "ratio of totals"
    method = f"BCa bootstrap ({opts.n_boot} resamples of units within each group, seed {opts.seed})"
    for i, group in enumerate(groups.names):
        row = {
            **base(ratio.id, "ratio", groups),
            "group": group,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "share_name": name,
            "share": res.ratio[i],
            "share_ci_low": res.ci_low[i],
            "share_ci_high": res.ci_high[i],
            "n_effective": n[i],
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))
    if not groups.compares:
        return
    note = "units: rows (e.g. engagements); compared pairwise; " + method
    rows.comparisons.append(
        {
            **base(ratio.id, "ratio", groups),
            "test": "none (ratios are compared pairwise)",
            "effect_name": "",
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": "; ".join(filter(None, [note, comparison_note(hidden, groups)])),
        }
    )
    for a, b, row in shown_pairs(ratio.id, "ratio", groups, n, hidden, rows):
        contrast = res.contrast(a, b)
        rows.pairwise.append(
            {
                **row,
                "estimate_name": name,
                "estimate_a": res.ratio[a],
                "estimate_b": res.ratio[b],
                "difference": contrast.difference.value,
                "difference_ci_low": contrast.difference.ci_low,
                "difference_ci_high": contrast.difference.ci_high,
                "difference_method": method,
                "test": "bootstrap test (BCa interval of the difference inverted)",
                "p_value": contrast.p_value,
                "effect_name": "ratio of the ratios (a / b)",
                "effect": contrast.ratio.value,
                "effect_ci_low": contrast.ratio.ci_low,
                "effect_ci_high": contrast.ratio.ci_high,
                "note": f"bootstrap p-value: the smallest alpha whose BCa interval of the "
                f"difference excludes 0 (resolution about 1/{opts.n_boot})",
            }
        )
