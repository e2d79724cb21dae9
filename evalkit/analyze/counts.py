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
    v = np.asarray(values, dtype=float)
    a = np.asarray(counts_a, dtype=np.int64)
    b = np.asarray(counts_b, dtype=np.int64)
    na, nb = int(a.sum()), int(b.sum())
    nan = float("nan")
    if na < 2 or nb < 2:
        return Estimate("mean difference", nan, nan, nan)
    diff = float(a @ v / na - b @ v / nb)
    rng = np.random.default_rng(seed)
    draw_a = rng.multinomial(na, a / na, size=n_boot) @ v / na
    draw_b = rng.multinomial(nb, b / nb, size=n_boot) @ v / nb
    low, high = np.quantile(draw_a - draw_b, [alpha / 2, 1 - alpha / 2])
    return Estimate("mean difference", diff, float(low), float(high))
