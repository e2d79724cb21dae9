"""Cost per outcome: the ratio of two totals with a seeded BCa bootstrap interval.

"Cost per new contact" across engagements is sum(cost) / sum(contacts), a ratio of totals
(not the mean of per-engagement ratios, which over-weights small engagements). Its sampling
distribution is skewed, so the interval is the bias-corrected and accelerated (BCa) bootstrap
(Efron 1987), resampling engagements (pairs of cost and outcome) with a recorded seed.

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. JASA 82, 171-185.
Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, ch. 14.
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze._common import Estimate, check_alpha


def ratio_of_totals(
    numerator, denominator, alpha: float = 0.05, n_resamples: int = 9999, seed: int = 0
) -> Estimate:
    """sum(numerator) / sum(denominator) with a BCa bootstrap CI over paired units.

    Units with a missing value in either array are dropped. NaN when the denominator total is 0.

    Examples
    --------
    >>> est = ratio_of_totals([100, 200, 300], [2, 5, 3], seed=1)
    >>> est.value
    60.0
    >>> bool(est.ci_low < 60 < est.ci_high)
    True
    """
    check_alpha(alpha)
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    ok = ~(np.isnan(num) | np.isnan(den))
    num, den = num[ok], den[ok]
    nan = float("nan")
    if len(num) < 2 or den.sum() == 0:
        return Estimate("ratio of totals", nan, nan, nan)
    value = float(num.sum() / den.sum())

    def statistic(a, b, axis=-1):
        with np.errstate(invalid="ignore", divide="ignore"):
            return a.sum(axis=axis) / b.sum(axis=axis)

    from scipy import stats

    res = stats.bootstrap(
        (num, den),
        statistic,
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=1 - alpha,
        method="BCa",
        rng=np.random.default_rng(seed),
    )
    return Estimate("ratio of totals", value, res.confidence_interval.low,
                    res.confidence_interval.high)  # fmt: skip
