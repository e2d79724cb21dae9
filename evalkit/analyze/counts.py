"""Count outcomes (new contacts): bootstrap CI of a mean difference from count tables.

Counts are skewed and heavy-tailed, so they are tested with rank statistics
(:mod:`evalkit.analyze.ordinal`) and their mean difference gets a percentile bootstrap
interval. Because a count item takes few distinct values, each bootstrap resample of a group
is a multinomial draw over those values: B resamples cost O(B x distinct values), not
O(B x n).

References
----------
Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze._common import Estimate, check_alpha


def bootstrap_means(values, table, n_boot: int = 4000, seed: int = 0) -> np.ndarray:
    """``n_boot`` bootstrap means of each row of a group x value count table (k x n_boot).

    Each resample of a group is one multinomial draw of its n over the values. Groups are
    drawn in order from one generator; a group with fewer than two answers gets NaN.

    Examples
    --------
    >>> means = bootstrap_means([0, 1, 2], [[0, 5, 5], [5, 5, 0]], n_boot=1000, seed=1)
    >>> means.shape, bool(means[0].min() >= 1), bool(means[1].max() <= 1)
    ((2, 1000), True, True)
    """
    v = np.asarray(values, dtype=float)
    counts = np.atleast_2d(np.asarray(table, dtype=np.int64))
    rng = np.random.default_rng(seed)
    out = np.full((len(counts), n_boot), np.nan)
    for i, row in enumerate(counts):  # groups, not rows
        n = int(row.sum())
        if n >= 2:
            out[i] = rng.multinomial(n, row / n, size=n_boot) @ v / n
    return out


def mean_diff_ci(values, counts_a, counts_b, means_a, means_b, alpha: float = 0.05) -> Estimate:
    """mean(a) - mean(b) with the percentile interval of the bootstrap means' differences
    (``means_a``, ``means_b`` from :func:`bootstrap_means`); NaN when a group has fewer than
    two answers."""
    check_alpha(alpha)
    v = np.asarray(values, dtype=float)
    a = np.asarray(counts_a, dtype=np.int64)
    b = np.asarray(counts_b, dtype=np.int64)
    na, nb = int(a.sum()), int(b.sum())
    nan = float("nan")
    if na < 2 or nb < 2:
        return Estimate("mean difference", nan, nan, nan)
    diff = float(a @ v / na - b @ v / nb)
    low, high = np.quantile(np.asarray(means_a) - np.asarray(means_b), [alpha / 2, 1 - alpha / 2])
    return Estimate("mean difference", diff, float(low), float(high))


def bootstrap_mean_diff(
    values,
    counts_a,
    counts_b,
    alpha: float = 0.05,
    n_boot: int = 4000,
    seed: int = 0,
) -> Estimate:
    """Percentile bootstrap CI of mean(a) - mean(b) given counts over shared ``values``.

    Examples
    --------
    >>> est = bootstrap_mean_diff([0, 1, 2], [0, 5, 5], [5, 5, 0], seed=1)
    >>> est.value
    1.0
    >>> bool(est.ci_low > 0)
    True
    """
    check_alpha(alpha)
    means = bootstrap_means(values, [counts_a, counts_b], n_boot, seed)
    return mean_diff_ci(values, counts_a, counts_b, means[0], means[1], alpha)
