"""Scales of rated items from answer-pattern counts: one table instead of an n x m matrix.

A scale of m rated items, item j with L_j levels, has at most prod(L_j + 1) answer patterns
(each item answered at one of its levels, or not). Everything the engine reports about the
scale follows from how many rows of each group hold each pattern: a pattern's score is the
same for every row holding it, so the score distribution per group (n, mean, sd, quartiles)
is a count-weighted sum over patterns, and Cronbach's alpha, omega and the item analysis
need only the item covariance over complete patterns (frequency weights). A million rows
then cost m integer passes to build each row's pattern and one ``np.bincount``, not a float
matrix of n x m and its copies; the results equal the row-by-row computation
(tests/analyze/test_patterns.py compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._columns import level_index

# more patterns than this (many items with many levels) go row by row
MAX_PATTERNS = 1 << 18


@dataclass(frozen=True)
class PatternCounts:
    """The observed answer patterns of a scale's items and their counts per group.

    Attributes
    ----------
    values
        P x m DataFrame, one row per observed pattern: each item's value (reverse-scored
        where the scale says so), NaN where the item is not answered at one of its levels.
    counts
        (k + 1) x P integer array: rows of each group holding each pattern; the last row
        counts rows without a group.
    row_pattern
        Each response row's pattern (a row of ``values``).
    """

    values: pd.DataFrame
    counts: np.ndarray
    row_pattern: np.ndarray

    @property
    def totals(self) -> np.ndarray:
        """Rows holding each pattern, with or without a group."""
        return self.counts.sum(axis=0)


def pattern_counts(
    columns: dict[str, object],
    levels: dict[str, np.ndarray],
    reverse: tuple[str, ...],
    group_codes: np.ndarray,
    n_groups: int,
) -> PatternCounts | None:
    """Count answer patterns of ``columns`` (item id -> values) per group.

    Parameters
    ----------
    columns
        Each item's values: a float array or a nullable integer column (see
        :func:`evalkit.analyze._common.level_index`).
    levels
        Each item's substantive levels; a value that is not one of them counts as no answer.
    reverse
        Items to reverse-score (``low + high - x``).
    group_codes
        Each row's group, ``n_groups`` for rows without one.
    n_groups
        Number of groups k.

    Returns
    -------
    PatternCounts, or None when the items have more than :data:`MAX_PATTERNS` patterns.

    Examples
    --------
    >>> cols = {"a": np.array([1.0, 2, 2, np.nan]), "b": np.array([2.0, 1, 1, 2])}
    >>> lv = {"a": np.array([1.0, 2]), "b": np.array([1.0, 2])}
    >>> pc = pattern_counts(cols, lv, ("b",), np.array([0, 1, 1, 0]), 2)
    >>> pc.values.to_dict("list"), pc.counts.tolist()
    ({'a': [1.0, 2.0, nan], 'b': [1.0, 2.0, 1.0]}, [[1, 0, 1], [0, 2, 0], [0, 0, 0]])
    """
    radix = [len(levels[item]) + 1 for item in columns]  # each level, then "no answer"
    n_patterns = int(np.prod(radix, dtype=np.float64))
    if n_patterns > MAX_PATTERNS:
        return None
    code = None
    for item, size in zip(columns, radix, strict=True):
        index = level_index(columns[item], levels[item])
        if code is None:
            code = index
        else:  # mixed radix, first item most significant, in place on one array
            code *= size
            code += index
    code = code if code is not None else np.zeros(len(group_codes), dtype=np.intp)
    cells = group_codes.astype(np.intp) * n_patterns
    cells += code
    counts = np.bincount(cells, minlength=(n_groups + 1) * n_patterns)
    counts = counts.reshape(n_groups + 1, n_patterns)
    observed = np.flatnonzero(counts.sum(axis=0))
    # each row's pattern as a position among the observed ones
    position = np.full(n_patterns, -1, dtype=np.intp)
    position[observed] = np.arange(len(observed))
    row_pattern = np.take(position, code, out=code)
    values = _pattern_values(observed, columns, levels, reverse, radix)
    return PatternCounts(values, counts[:, observed], row_pattern)


def _pattern_values(observed, columns, levels, reverse, radix) -> pd.DataFrame:
    """Decode pattern numbers into each item's value (NaN: no answer)."""
    rest = observed.copy()
    out = {}
    for item, size in reversed(list(zip(columns, radix, strict=True))):
        state = rest % size
        rest //= size
        lv = np.asarray(levels[item], dtype=float)
        if item in reverse and len(lv):
            lv = lv.min() + lv.max() - lv
        out[item] = np.append(lv, np.nan)[state]
    return pd.DataFrame({item: out[item] for item in columns})


def group_score_stats(
    scores: np.ndarray, counts: np.ndarray, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample variance, k x 5 quartiles and median interval) of each group's scores,
    from the scores of the patterns (NaN: not scored) and a k x P count table.

    Quartiles are type 7 (as numpy and R's default), computed from counts over the distinct
    scores rounded to 9 decimals (unrounded when there are more than 5,000), as the engine
    does for scores computed row by row; then the median's distribution-free interval
    (:func:`evalkit.analyze.descriptives.median_ci_ranks`; NaN below 6 scores at 95%).

    >>> n, mean, var, q = group_score_stats(np.array([1.0, 2.0, np.nan]), np.array([[1, 3, 5]]))
    >>> n.tolist(), mean.tolist(), q.round(2).tolist()
    ([4.0], [1.75], [[1.75, 2.0, 2.0, nan, nan]])
    """
    from evalkit.analyze.descriptives import quartiles_and_median_ci

    scored = ~np.isnan(scores)
    s = scores[scored]
    c = np.asarray(counts, dtype=np.int64)[:, scored]
    k = c.shape[0]
    n = c.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = c @ s / n
        ss = (c * (s[None, :] - mean[:, None]) ** 2).sum(axis=1)
        var = np.where(n > 1, ss / (n - 1), np.nan)
    quant = np.full((k, 5), np.nan)
    if len(s):
        uniques, inverse = np.unique(np.round(s, 9), return_inverse=True)
        if len(uniques) > 5000:
            uniques, inverse = np.unique(s, return_inverse=True)
        for g in range(k):  # groups, not rows
            table = np.bincount(inverse, weights=c[g], minlength=len(uniques))
            quant[g] = quartiles_and_median_ci(uniques, table.astype(np.int64), alpha)
    return n, mean, var, quant
