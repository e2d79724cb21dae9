"""Scale outcomes (the mean or sum of several items): reliability, then scores compared.

A scale's items rated on choice lists are counted as answer patterns
(:mod:`evalkit.analyze.patterns`): reliability (Cronbach's alpha with Feldt's interval,
McDonald's omega, item diagnostics) and the score statistics per group come from the pattern
counts, not from the rows. A scale with an item without a choice list, or with too many
patterns, is scored row by row. Scores are compared as measurements
(:func:`evalkit.analyze.analysers.numeric.continuous_rows`: Welch ANOVA, Welch t, Hedges' g).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze.analysers.numeric import continuous_rows, continuous_stats
from evalkit.analyze.design import compare_domains
from evalkit.analyze.patterns import group_score_stats, pattern_counts
from evalkit.analyze.reliability import reverse_score, scale_reliability, scale_score
from evalkit.analyze.rows import Context, Rows
from evalkit.analyze.values import is_level, numbers, numeric
from evalkit.instrument.model import Instrument, Scale


@dataclass
class ScaleRows:
    """A scale's row of the scales table, its item rows, and each response's score."""

    scale: dict[str, Any]
    items: list[dict[str, Any]]
    row_scores: Callable[[], np.ndarray]


def analyse(scale: Scale, frame: pd.DataFrame, ctx: Context, rows: Rows) -> ScaleRows | None:
    """Reliability of ``scale`` and its scores compared across groups (None: columns missing)."""
    missing = [i for i in scale.items if i not in frame.columns]
    if missing:
        rows.skipped.append(f"{scale.id} (missing columns {', '.join(missing)})")
        return None
    rel, n_scored, stats, row_scores = score_scale(frame, ctx, scale)
    scale_row = {
        "scale": scale.id,
        "items": ",".join(scale.items),
        "reversed": ",".join(scale.reverse),
        "min_items": scale.min_items,
        "n_scored": n_scored,
        "n_complete": rel.n_complete,
        "alpha": rel.alpha.value,
        "alpha_ci_low": rel.alpha.ci_low,
        "alpha_ci_high": rel.alpha.ci_high,
        "omega": rel.omega,
    }
    item_rows = [
        {"scale": scale.id, "reversed": row["item"] in scale.reverse, **row}
        for row in rel.items.to_dict(orient="records")
    ]
    if ctx.design.weighted:
        compare_domains(scale.id, "scale", row_scores(), None, "mean", ctx, rows)
    else:
        continuous_rows(scale.id, "scale", *stats, ctx, rows)
    return ScaleRows(scale_row, item_rows, row_scores)


def score_scale(frame: pd.DataFrame, ctx: Context, scale: Scale):
    """A scale's reliability, number of scored rows, score statistics per group and a
    function giving each row's score.

    Items rated on choice lists are counted as answer patterns (:mod:`.patterns`); a scale
    with an item without one, or with too many patterns, is scored row by row.
    """
    instrument, groups, opts = ctx.instrument, ctx.groups, ctx.opts
    levels = {}
    for item_id in scale.items:
        choice_list = instrument.choices_for(instrument.item(item_id))
        if choice_list is None:
            levels = None
            break
        levels[item_id] = np.array([float(c.value) for c in choice_list.substantive])
    patterns = None
    if levels is not None:
        columns = {item_id: numbers(frame[item_id]) for item_id in scale.items}
        patterns = pattern_counts(columns, levels, scale.reverse, groups.extended_codes(), groups.k)
    if patterns is None:
        items = item_values(frame, instrument, scale.items, scale.reverse)
        score = scale_score(items, scale.min_items, scale.score).to_numpy(dtype=float)
        rel = scale_reliability(scale.id, items, opts.alpha)
        n_scored = int((~np.isnan(score)).sum())
        return rel, n_scored, continuous_stats(score, groups, opts.alpha), lambda: score
    scores = scale_score(patterns.values, scale.min_items, scale.score).to_numpy(dtype=float)
    rel = scale_reliability(scale.id, patterns.values, opts.alpha, counts=patterns.totals)
    n_scored = int(patterns.totals[~np.isnan(scores)].sum())
    stats = group_score_stats(scores, patterns.counts[:-1], opts.alpha)
    return rel, n_scored, stats, lambda: scores[patterns.row_pattern]


def item_values(
    frame: pd.DataFrame, instrument: Instrument, item_ids: tuple[str, ...], reverse
) -> pd.DataFrame:
    """The items' columns as floats, non-levels as NaN, reverse items reversed."""
    cols = {}
    for item_id in item_ids:
        values = pd.Series(numeric(frame[item_id]), index=frame.index)
        item = instrument.item(item_id)
        choice_list = instrument.choices_for(item)
        if choice_list is not None:
            levels = np.array([float(c.value) for c in choice_list.substantive])
            raw = values.to_numpy()
            values = pd.Series(np.where(is_level(raw, levels), raw, np.nan), index=frame.index)
            if item_id in reverse:
                values = reverse_score(values, levels.min(), levels.max())
        cols[item_id] = values
    return pd.DataFrame(cols)
