"""Descriptive statistics per group, computed from count tables or grouped moments.

Quantiles follow R's default (type 7, linear interpolation between order statistics), which
pandas and numpy also use, so a median here equals ``median()`` there.
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze.proportions import wilson_ci


def quantiles_from_counts(levels, counts, probs=(0.25, 0.5, 0.75)) -> np.ndarray:
    """Type-7 quantiles of data given as counts over sorted ``levels`` (no expansion).

    Examples
    --------
    Same as ``np.quantile([1, 1, 2, 5], [0.25, 0.5, 0.75])``:

    >>> quantiles_from_counts([1, 2, 5], [2, 1, 1]).tolist()
    [1.0, 1.5, 2.75]
    """
    v = np.asarray(levels, dtype=float)
    c = np.asarray(counts, dtype=np.int64)
    n = int(c.sum())
    if n == 0:
        return np.full(len(probs), np.nan)
    h = (n - 1) * np.asarray(probs, dtype=float)
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    upper = np.cumsum(c)  # index i (0-based) has value v[searchsorted(upper, i, 'right')]
    v_lo = v[np.searchsorted(upper, lo, side="right")]
    v_hi = v[np.searchsorted(upper, hi, side="right")]
    return v_lo + (h - lo) * (v_hi - v_lo)


def moments_from_counts(levels, table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample variance) of each row of a group x level count table.

    >>> n, m, v = moments_from_counts([1, 2, 3], [[1, 1, 1], [0, 2, 0]])
    >>> n.tolist(), m.tolist(), v.tolist()
    ([3.0, 2.0], [2.0, 2.0], [1.0, 0.0])
    """
    v = np.asarray(levels, dtype=float)
    c = np.atleast_2d(np.asarray(table, dtype=float))
    n = c.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = c @ v / n
        ss = c @ (v**2) - n * mean**2
        var = np.where(n > 1, np.maximum(ss, 0) / (n - 1), np.nan)
    return n, mean, var


def share_with_ci(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share ``successes / n`` with its Wilson interval (NaN where n is 0)."""
    x = np.asarray(successes, dtype=float)
    nn = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(nn > 0, x / nn, np.nan)
    low, high = wilson_ci(x, nn, alpha)
    return share, low, high
