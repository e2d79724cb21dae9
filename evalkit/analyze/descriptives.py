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


def mean_ci(n, mean, var, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Student t interval of each mean, ``mean ± t(n-1) * sd / sqrt(n)`` (NaN when n < 2).

    >>> low, high = mean_ci([10], [0.75], [1.7890097**2])  # R t.test(sleep$extra[1:10])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (-0.5298, 2.0298)
    """
    from evalkit.analyze import _dist

    nn = np.asarray(n, dtype=float)
    m = np.asarray(mean, dtype=float)
    v = np.asarray(var, dtype=float)
    ok = nn > 1
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(ok, _dist.t.ppf(1 - alpha / 2, np.where(ok, nn - 1, 1)), np.nan)
        half = t * np.sqrt(v / nn)
    return np.where(ok, m - half, np.nan), np.where(ok, m + half, np.nan)


def median_ci_ranks(n: int, alpha: float = 0.05) -> tuple[int, int]:
    """1-based ranks (r, n - r + 1) of the order statistics bounding the distribution-free
    interval of a median: r = qbinom(alpha / 2, n, 1/2), as R ``DescTools::MedianCI(method =
    "exact")``. Coverage is at least 1 - alpha for continuous data; (0, 0) when n is too
    small for any interval (r = 0: fewer than 6 values at 95%).

    >>> median_ci_ranks(50), median_ci_ranks(5)
    ((18, 33), (0, 0))
    """
    from scipy.stats import binom

    if n <= 0:
        return 0, 0
    r = int(binom.ppf(alpha / 2, n, 0.5))
    return (r, n - r + 1) if r >= 1 else (0, 0)


def order_statistics_from_counts(levels, counts, ranks) -> np.ndarray:
    """The values at 1-based ``ranks`` of data given as counts over sorted ``levels``.

    >>> order_statistics_from_counts([1, 2, 5], [2, 1, 1], [1, 3, 4]).tolist()
    [1.0, 2.0, 5.0]
    """
    v = np.asarray(levels, dtype=float)
    upper = np.cumsum(np.asarray(counts, dtype=np.int64))
    return v[np.searchsorted(upper, np.asarray(ranks, dtype=np.int64), side="left")]


def median_ci_from_counts(levels, counts, alpha: float = 0.05) -> tuple[float, float]:
    """Distribution-free interval of the median from counts (:func:`median_ci_ranks`)."""
    n = int(np.asarray(counts, dtype=np.int64).sum())
    r, s = median_ci_ranks(n, alpha)
    if r == 0:
        return np.nan, np.nan
    low, high = order_statistics_from_counts(levels, counts, [r, s])
    return float(low), float(high)


def quartiles_and_median_ci(levels, counts, alpha: float = 0.05) -> np.ndarray:
    """(q1, median, q3, median CI low, median CI high) of data given as counts over levels."""
    return np.concatenate(
        [quantiles_from_counts(levels, counts), median_ci_from_counts(levels, counts, alpha)]
    )


def median_ci_sorted(codes: np.ndarray, values: np.ndarray, k: int, alpha: float = 0.05):
    """k x 2 distribution-free median intervals of ``values`` in each group ``codes`` (0..k-1),
    from one sort of the values (for data with too many distinct values for count tables)."""
    out = np.full((k, 2), np.nan)
    order = np.lexsort((values, codes))
    ordered = values[order]
    n = np.bincount(codes, minlength=k)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    for g in range(k):  # groups, not rows
        r, s = median_ci_ranks(int(n[g]), alpha)
        if r:
            out[g] = ordered[starts[g] + r - 1], ordered[starts[g] + s - 1]
    return out
