"""Proportions: Wilson intervals, Newcombe differences, chi-square / Fisher, Cramér's V.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
JASA 22, 209-212.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890 (method 10).
Fagerland, M. W., Lydersen, S., & Laake, P. (2015). Recommended confidence intervals for two
independent binomial proportions. Statistical Methods in Medical Research 24, 224-254.
Cramér, H. (1946). Mathematical Methods of Statistics. Princeton University Press.
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, TestResult, check_alpha, z_value


def wilson_ci(successes, n, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (vectorised over arrays of counts).

    Parameters
    ----------
    successes, n
        Counts (scalars or arrays of the same shape). ``n == 0`` gives NaN.
    alpha
        1 - confidence level.

    Returns
    -------
    (low, high)
        Arrays (or 0-d arrays) with the interval bounds.

    Examples
    --------
    >>> low, high = wilson_ci(100, 200)
    >>> round(float(low), 7), round(float(high), 7)
    (0.4313609, 0.5686391)
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    # exact bounds at the edges (the formula gives them up to rounding)
    low = np.where((n > 0) & (x == 0), 0.0, low)
    high = np.where((n > 0) & (x == n), 1.0, high)
    return low, high


def newcombe_diff(x1, n1, x2, n2, alpha: float = 0.05) -> Estimate:
    """Difference of two independent proportions p1 - p2 with Newcombe's hybrid score CI.

    Examples
    --------
    >>> est = newcombe_diff(7, 34, 1, 34)
    >>> round(est.value, 4), round(est.ci_low, 3), round(est.ci_high, 3)
    (0.1765, 0.019, 0.34)
    """
    if n1 <= 0 or n2 <= 0:
        return Estimate("difference in proportions", np.nan, np.nan, np.nan)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = (float(v) for v in wilson_ci(x1, n1, alpha))
    l2, u2 = (float(v) for v in wilson_ci(x2, n2, alpha))
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Estimate("difference in proportions", float(d), float(low), float(high))


def chi_square(table) -> tuple[float, int, np.ndarray]:
    """Pearson's chi-square without continuity correction: (statistic, df, expected counts).

    Same as ``scipy.stats.chi2_contingency(table, correction=False)`` for any r x c table.

    >>> stat, dof, _ = chi_square([[10, 20], [20, 10]])
    >>> round(stat, 4), dof
    (6.6667, 1)
    """
    t = np.asarray(table, dtype=float)
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = float(np.sum(np.where(expected > 0, (t - expected) ** 2 / expected, 0.0)))
    return stat, (t.shape[0] - 1) * (t.shape[1] - 1), expected


def cramers_v(table) -> float:
    """Cramér's V of a contingency table (chi-square without continuity correction).

    Examples
    --------
    >>> round(cramers_v([[100, 150], [203, 322], [420, 700], [320, 210]]), 12)
    0.186178130775
    """
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if min(t.shape) < 2:
        return float("nan")
    chi2 = chi_square(t)[0]
    return float(np.sqrt(chi2 / (t.sum() * (min(t.shape) - 1))))


def independence_test(table, seed: int = 0, n_resamples: int = 9999) -> tuple[TestResult, float]:
    """Chi-square test of independence without Yates' correction, or Fisher's exact test.

    Fisher's test is used when any expected count is below 5 (the usual rule, Cochran 1954):
    exact for 2x2 tables, Monte Carlo (seeded, ``n_resamples`` tables) for larger ones.
    Rows or columns that are all zero are dropped first.

    Returns
    -------
    (TestResult, min_expected)

    Examples
    --------
    >>> res, _ = independence_test([[6, 2], [1, 4]])
    >>> res.test, round(res.p_value, 6)
    ("Fisher's exact test", 0.102564)
    """
    t = np.asarray(table, dtype=np.int64)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if min(t.shape) < 2:
        return TestResult("chi-square test (no continuity correction)", np.nan, np.nan, np.nan), 0.0
    statistic, dof, expected = chi_square(t)
    min_expected = float(expected.min())
    if min_expected >= 5:
        test = TestResult(
            "chi-square test (no continuity correction)",
            statistic,
            float(dof),
            float(stats.chi2.sf(statistic, dof)),
        )
        return test, min_expected
    if t.shape == (2, 2):
        from scipy.stats import fisher_exact

        p = fisher_exact(t).pvalue
        return TestResult("Fisher's exact test", statistic, 1.0, float(p)), min_expected
    from scipy.stats import MonteCarloMethod, fisher_exact

    method = MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    p = fisher_exact(t, method=method).pvalue
    return (
        TestResult("Fisher's exact test (Monte Carlo)", statistic, float(dof), float(p)),
        min_expected,
    )


def two_proportion_z(x1, n1, x2, n2) -> TestResult:
    """Pearson chi-square (= pooled z-test squared) for a 2x2 comparison, no correction.

    Used for pairwise contrasts of proportions; with small expected counts Fisher's test.
    """
    res, _ = independence_test([[x1, n1 - x1], [x2, n2 - x2]])
    return res


__all__ = [
    "check_alpha",
    "cramers_v",
    "independence_test",
    "newcombe_diff",
    "two_proportion_z",
    "wilson_ci",
]


def cramers_v_ci(
    table, alpha: float = 0.05, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of Cramér's V, rows (groups) resampled within themselves.

    Vectorised over resamples: chi-square of a stack of tables computed with numpy.
    """
    check_alpha(alpha)
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if min(t.shape) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boot = np.stack(
        [rng.multinomial(int(r.sum()), r / r.sum(), size=n_boot) for r in t], axis=1
    ).astype(float)  # B x k x C
    n = boot.sum(axis=(1, 2))
    expected = boot.sum(axis=2)[:, :, None] * boot.sum(axis=1)[:, None, :] / n[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        chi2 = np.nansum(np.where(expected > 0, (boot - expected) ** 2 / expected, 0), axis=(1, 2))
    v = np.sqrt(chi2 / (n * (min(t.shape) - 1)))
    low, high = np.quantile(v, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
