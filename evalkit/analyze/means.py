"""Means from summary statistics: Welch ANOVA, Welch t, Games-Howell, Hedges' g.

Every function takes group sizes, means and variances (not raw rows), so the engine can
compute them once per group with a vectorised groupby and weighted analyses can pass
effective quantities.

References
----------
Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
Biometrika 38, 330-336.
Welch, B. L. (1947). The generalization of "Student's" problem when several different
population variances are involved. Biometrika 34, 28-35.
Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal
n's and/or variances. Journal of Educational Statistics 1, 113-125.
Hedges, L. V., & Olkin, I. (1985). Statistical Methods for Meta-Analysis. Academic Press
(small-sample correction J and the large-sample variance of g).
Delacre, M., Lakens, D., & Leys, C. (2017). Why psychologists should by default use Welch's
t-test instead of Student's t-test. International Review of Social Psychology 30, 92-101.
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, TestResult, check_alpha


def welch_anova(n, mean, var) -> TestResult:
    """Welch's heteroscedastic one-way ANOVA (R ``oneway.test(var.equal = FALSE)``).

    Examples
    --------
    R's ``PlantGrowth`` (F = 5.181, df = (2, 17.128), p = 0.01739):

    >>> ctrl = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]
    >>> trt1 = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]
    >>> trt2 = [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26]
    >>> g = [np.array(x) for x in (ctrl, trt1, trt2)]
    >>> r = welch_anova([len(x) for x in g], [x.mean() for x in g], [x.var(ddof=1) for x in g])
    >>> round(r.statistic, 4), round(r.df, 0), round(r.df2, 4), round(r.p_value, 5)
    (5.181, 2.0, 17.1284, 0.01739)
    """
    n = np.asarray(n, dtype=float)
    m = np.asarray(mean, dtype=float)
    v = np.asarray(var, dtype=float)
    keep = (n >= 2) & (v > 0)
    n, m, v = n[keep], m[keep], v[keep]
    k = len(n)
    nan = float("nan")
    if k < 2:
        return TestResult("Welch ANOVA", nan, nan, nan)
    w = n / v
    sw = w.sum()
    grand = np.sum(w * m) / sw
    a = np.sum(w * (m - grand) ** 2) / (k - 1)
    lam = np.sum((1 - w / sw) ** 2 / (n - 1))
    b = 1 + 2 * (k - 2) / (k**2 - 1) * lam
    f = a / b
    df2 = (k**2 - 1) / (3 * lam)
    return TestResult("Welch ANOVA", float(f), float(k - 1), float(stats.f.sf(f, k - 1, df2)), df2)


def welch_t(n1, m1, v1, n2, m2, v2, alpha: float = 0.05) -> tuple[TestResult, Estimate]:
    """Welch's t-test for group 1 minus group 2, with the CI of the mean difference.

    Examples
    --------
    R's ``sleep`` data (t = -1.8608, df = 17.776, p = 0.07939, CI [-3.3654832, 0.2054832]):

    >>> g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    >>> g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    >>> t, d = welch_t(10, g1.mean(), g1.var(ddof=1), 10, g2.mean(), g2.var(ddof=1))
    >>> round(t.statistic, 4), round(t.df, 3), round(t.p_value, 5)
    (-1.8608, 17.776, 0.07939)
    >>> round(d.ci_low, 7), round(d.ci_high, 7)
    (-3.3654832, 0.2054832)
    """
    check_alpha(alpha)
    nan = float("nan")
    if n1 < 2 or n2 < 2:
        return TestResult("Welch t-test", nan, nan, nan), Estimate("mean difference", nan, nan, nan)
    se2 = v1 / n1 + v2 / n2
    diff = float(m1 - m2)
    if se2 <= 0:
        return TestResult("Welch t-test", nan, nan, nan), Estimate(
            "mean difference", diff, diff, diff
        )
    se = float(np.sqrt(se2))
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    return (
        TestResult("Welch t-test", t, float(df), p),
        Estimate("mean difference", diff, diff - q * se, diff + q * se),
    )


def games_howell(n1, m1, v1, n2, m2, v2, k: int, alpha: float = 0.05) -> tuple[float, Estimate]:
    """Games-Howell p-value and simultaneous CI for one pair among ``k`` groups.

    Returns
    -------
    (p_value, mean difference with its Games-Howell interval)
    """
    check_alpha(alpha)
    se2 = v1 / n1 + v2 / n2
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    diff = float(m1 - m2)
    q = abs(diff) / np.sqrt(se2 / 2)
    from scipy.stats import studentized_range

    p = float(studentized_range.sf(q, k, df))
    crit = float(studentized_range.ppf(1 - alpha, k, df)) / np.sqrt(2)
    half = crit * float(np.sqrt(se2))
    return min(p, 1.0), Estimate("mean difference", diff, diff - half, diff + half)


def hedges_g(n1, m1, v1, n2, m2, v2, alpha: float = 0.05) -> Estimate:
    """Hedges' g (pooled-SD standardised difference, small-sample corrected) with a CI.

    The interval uses the large-sample variance of Hedges & Olkin (1985):
    ``(n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2))``.

    Examples
    --------
    R's ``sleep`` data: Cohen's d = -0.832, Hedges' g = -0.797 (J = 0.958):

    >>> g1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
    >>> g2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
    >>> g = hedges_g(10, g1.mean(), g1.var(ddof=1), 10, g2.mean(), g2.var(ddof=1))
    >>> round(g.value, 3)
    -0.797
    """
    check_alpha(alpha)
    nan = float("nan")
    if n1 < 2 or n2 < 2:
        return Estimate("Hedges' g", nan, nan, nan)
    sp2 = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
    if sp2 <= 0:
        return Estimate("Hedges' g", nan, nan, nan)
    d = (m1 - m2) / np.sqrt(sp2)
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    g = float(j * d)
    se = float(np.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2))))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return Estimate("Hedges' g", g, g - z * se, g + z * se)


def omega_squared_welch(f: float, df1: float, n_total: float) -> float:
    """An approximate omega-squared from a Welch F (Carroll & Nordholm 1975 form), >= 0."""
    if not np.isfinite(f):
        return float("nan")
    return float(max(0.0, df1 * (f - 1) / (df1 * (f - 1) + n_total)))
