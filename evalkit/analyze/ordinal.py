"""Rank statistics computed from a group x level COUNT TABLE (O(levels) once tabulated).

A Likert item with five levels answered by a million people is a 4 x 5 table of counts; every
rank statistic below needs only the midrank of each level, so the tests cost nothing compared
with reading the data. Ties are handled exactly (midranks, tie-corrected variances).

References
----------
Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis.
JASA 47, 583-621.
Brunner, E., & Munzel, U. (2000). The nonparametric Behrens-Fisher problem: asymptotic theory
and a small-sample approximation. Biometrical Journal 42, 17-25.
Kerby, D. S. (2014). The simple difference formula: an approach to teaching nonparametric
correlation. Comprehensive Psychology 3, 11.IT.3.1.
Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited.
Trends in Sport Sciences 21, 19-25 (epsilon-squared = H / (n - 1)).
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, TestResult, check_alpha


def midranks(level_totals) -> np.ndarray:
    """Midrank of each level given how many observations fall on each level.

    Examples
    --------
    >>> midranks([2, 3, 1]).tolist()
    [1.5, 4.0, 6.0]
    """
    t = np.asarray(level_totals, dtype=float)
    upper = np.cumsum(t)
    return upper - t + (t + 1) / 2


def kruskal_counts(table) -> tuple[TestResult, float]:
    """Kruskal-Wallis H test (tie-corrected) from a k x L table of counts.

    Rows are groups, columns ordered levels. Empty rows/columns are ignored.

    Returns
    -------
    (TestResult, epsilon_squared)
        epsilon-squared = H / (n - 1).

    Examples
    --------
    Same as ``scipy.stats.kruskal([1, 1, 2], [2, 3, 3])`` (H = 3.3333, p = 0.06789):

    >>> res, eps2 = kruskal_counts([[2, 1, 0], [0, 1, 2]])
    >>> round(res.statistic, 4), res.df, round(res.p_value, 5)
    (3.3333, 1.0, 0.06789)
    """
    c = np.asarray(table, dtype=float)
    c = c[c.sum(axis=1) > 0][:, c.sum(axis=0) > 0]
    k = c.shape[0]
    n_i = c.sum(axis=1)
    big_n = n_i.sum()
    if k < 2 or c.shape[1] < 2:
        return TestResult("Kruskal-Wallis test", np.nan, np.nan, np.nan), np.nan
    t = c.sum(axis=0)
    r = midranks(t)
    rank_sums = c @ r
    h = 12 / (big_n * (big_n + 1)) * np.sum(rank_sums**2 / n_i) - 3 * (big_n + 1)
    ties = 1 - np.sum(t**3 - t) / (big_n**3 - big_n)
    h = float(h / ties)
    p = float(stats.chi2.sf(h, k - 1))
    return TestResult("Kruskal-Wallis test", h, float(k - 1), p), h / (big_n - 1)


def brunner_munzel_counts(
    counts_a, counts_b, alpha: float = 0.05
) -> tuple[TestResult, Estimate, Estimate]:
    """Brunner-Munzel test of groups a and b from their counts over the same ordered levels.

    The effect is the probability of superiority of a over b,
    ``P(A > B) + 0.5 P(A = B)``, with the Brunner-Munzel t-approximation interval, and the
    rank-biserial correlation ``2 P - 1`` with the same interval mapped.

    Returns
    -------
    (TestResult, probability of superiority, rank-biserial correlation)
        The statistic is positive when a tends to be larger than b (note: scipy's
        ``brunnermunzel(x, y)`` is positive when y is larger).

    Examples
    --------
    scipy's documentation example (``brunnermunzel(x1, x2)``: statistic 3.1374674823029505,
    p 0.0057862086661515377):

    >>> x1 = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
    >>> x2 = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
    >>> a = np.bincount(x2, minlength=6); b = np.bincount(x1, minlength=6)
    >>> res, ps, rb = brunner_munzel_counts(a, b)
    >>> round(res.statistic, 10), round(res.p_value, 10), round(ps.value, 6)
    (3.1374674823, 0.0057862087, 0.788961)
    """
    check_alpha(alpha)
    a = np.asarray(counts_a, dtype=float)
    b = np.asarray(counts_b, dtype=float)
    na, nb = a.sum(), b.sum()
    nan = float("nan")
    if na < 2 or nb < 2:
        return (
            TestResult("Brunner-Munzel test", nan, nan, nan),
            Estimate("probability of superiority", nan, nan, nan),
            Estimate("rank-biserial correlation", nan, nan, nan),
        )
    # placement of each level of a among b (share of b below + half of b equal), and vice versa
    cum_b = np.cumsum(b) - b
    cum_a = np.cumsum(a) - a
    place_a = (cum_b + 0.5 * b) / nb  # per level, for observations of a
    place_b = (cum_a + 0.5 * a) / na
    p_hat = float(np.sum(a * place_a) / na)  # P(A > B) + 0.5 P(A = B)
    var_a = float(np.sum(a * (place_a - p_hat) ** 2) / (na - 1))
    var_b = float(np.sum(b * (place_b - (1 - p_hat)) ** 2) / (nb - 1))
    se2 = var_a / na + var_b / nb
    ps_name = "probability of superiority"
    if se2 <= 0:
        # complete separation or all values equal: the test is undefined (as in scipy, which
        # returns inf/nan); report the estimate without an interval
        return (
            TestResult("Brunner-Munzel test", nan, nan, nan),
            Estimate(ps_name, p_hat, nan, nan),
            Estimate("rank-biserial correlation", 2 * p_hat - 1, nan, nan),
        )
    se = np.sqrt(se2)
    stat = (p_hat - 0.5) / se
    df = se2**2 / ((var_a / na) ** 2 / (na - 1) + (var_b / nb) ** 2 / (nb - 1))
    p = float(2 * stats.t.sf(abs(stat), df))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    low, high = max(0.0, p_hat - q * se), min(1.0, p_hat + q * se)
    return (
        TestResult("Brunner-Munzel test", float(stat), float(df), min(p, 1.0)),
        Estimate(ps_name, p_hat, low, high),
        Estimate("rank-biserial correlation", 2 * p_hat - 1, 2 * low - 1, 2 * high - 1),
    )


def _h_batch(tables: np.ndarray) -> np.ndarray:
    """Tie-corrected Kruskal-Wallis H for a stack of k x L tables (B x k x L), vectorised."""
    c = tables.astype(float)
    n_i = c.sum(axis=2)  # B x k
    big_n = n_i.sum(axis=1)  # B
    t = c.sum(axis=1)  # B x L
    r = np.cumsum(t, axis=1) - t + (t + 1) / 2
    rank_sums = np.einsum("bkl,bl->bk", c, r)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = 12 / (big_n * (big_n + 1)) * np.sum(
            np.where(n_i > 0, rank_sums**2 / n_i, 0), axis=1
        ) - 3 * (big_n + 1)
        ties = 1 - np.sum(t**3 - t, axis=1) / (big_n**3 - big_n)
        return h / ties


def _resample_rows(table: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Stratified bootstrap of a k x L count table: each row redrawn from its own shares."""
    rng = np.random.default_rng(seed)
    rows = []
    for row in np.asarray(table, dtype=np.int64):  # loop over groups, not observations
        n = int(row.sum())
        rows.append(rng.multinomial(n, row / n, size=n_boot) if n else np.zeros((n_boot, len(row))))
    return np.stack(rows, axis=1)  # B x k x L


def epsilon_squared_ci(
    table, alpha: float = 0.05, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of epsilon-squared (rows resampled within groups, seeded).

    As in R ``rcompanion::epsilonSquared(ci = TRUE)`` (Mangiafico), which also uses a
    percentile bootstrap. A multinomial draw per group keeps the cost O(B x k x L).

    Examples
    --------
    >>> low, high = epsilon_squared_ci([[30, 20, 10], [10, 20, 30]], seed=1)
    >>> bool(0 < low < 0.112 < high < 1)
    True
    """
    check_alpha(alpha)
    c = np.asarray(table, dtype=float)
    c = c[c.sum(axis=1) > 0][:, c.sum(axis=0) > 0]
    if c.shape[0] < 2 or c.shape[1] < 2:
        return float("nan"), float("nan")
    boot = _resample_rows(c, n_boot, seed)
    eps2 = _h_batch(boot) / (c.sum() - 1)
    eps2 = eps2[np.isfinite(eps2)]
    low, high = np.quantile(eps2, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
