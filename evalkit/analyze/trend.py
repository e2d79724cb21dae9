"""Trend tests over ordered periods, from period x level count tables.

- :func:`cochran_armitage`: the Cochran-Armitage test for a trend in proportions, as R's
  ``prop.trend.test`` computes it (chi-square on 1 df, no continuity correction);
- :func:`jonckheere_terpstra`: the Jonckheere-Terpstra test for an ordered alternative of an
  ordinal or numeric outcome, with the variance corrected for ties; it is Kendall's S between
  the period and the answer, so its normal approximation is R's
  ``cor.test(period, y, method = "kendall", exact = FALSE)``; Kendall's tau-b is its effect;
- :func:`linear_slope`: the change per period of a mean or share, the slope of the least
  squares line through every answer (R ``lm(y ~ period)``), with its t interval;
- :func:`difference_in_changes`: is the change between two periods larger in one group than
  in another (the period x group interaction on the outcome's own scale), a Wald interval
  from the four cells' variances.

Everything works from per-period sums (counts, means, within-period sums of squares), so a
million answers cost one pass to tabulate them.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from evalkit.analyze._common import z_value


def cochran_armitage(successes, totals, scores=None) -> tuple[float, float]:
    """Chi-square test for a linear trend in proportions (R ``prop.trend.test``).

    Parameters
    ----------
    successes, totals
        Per period (in order): answers counted as a success, and all answers.
    scores
        The periods' positions (default ``1..k``; years give uneven gaps their due).

    Returns
    -------
    tuple
        (chi-square statistic on 1 df, two-sided p-value); NaN when every answer is the same.

    Examples
    --------
    >>> x2, p = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82])
    >>> round(x2, 4), round(p, 6)
    (8.2249, 0.004132)
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(totals, dtype=float)
    s = np.arange(1, len(n) + 1, dtype=float) if scores is None else np.asarray(scores, float)
    big_n = n.sum()
    p_bar = x.sum() / big_n
    s_bar = (n * s).sum() / big_n
    variance = p_bar * (1 - p_bar) * (n * (s - s_bar) ** 2).sum()
    if not variance > 0:
        return float("nan"), float("nan")
    statistic = float(((x * (s - s_bar)).sum()) ** 2 / variance)
    return statistic, float(stats.chi2.sf(statistic, 1))


def jonckheere_terpstra(table) -> tuple[float, float, float, float]:
    """Jonckheere-Terpstra test of a period x level count table (periods and levels ordered).

    Parameters
    ----------
    table
        k x L counts: row i holds period i's answers at each level, levels ascending.

    Returns
    -------
    tuple
        (JT statistic: pairs of answers ordered like their periods, ties counted ½;
        z of the normal approximation with the tie-corrected variance; two-sided p;
        Kendall's tau-b between period and answer).

    Examples
    --------
    >>> jt, z, p, tau = jonckheere_terpstra([[3, 2, 1], [2, 2, 2], [1, 2, 3]])
    >>> float(jt), round(z, 4), round(tau, 4)
    (70.0, 1.373, 0.2963)
    """
    t = np.asarray(table, dtype=float)
    n_i = t.sum(axis=1)  # per period
    u_j = t.sum(axis=0)  # per level
    big_n = n_i.sum()
    # answers of later periods at each level: a reverse cumulative sum over periods
    later = np.cumsum(t[::-1], axis=0)[::-1]
    later = np.vstack([later[1:], np.zeros((1, t.shape[1]))])
    above = later.sum(axis=1, keepdims=True) - np.cumsum(later, axis=1)  # later, higher level
    concordant = float((t * above).sum())
    tied = float((t * later).sum())
    discordant = float((n_i * later.sum(axis=1)).sum()) - concordant - tied
    s = concordant - discordant
    jt = concordant + tied / 2
    variance = _kendall_s_variance(n_i, u_j, big_n)
    pairs = big_n * (big_n - 1) / 2
    denominator = np.sqrt(
        (pairs - (n_i * (n_i - 1)).sum() / 2) * (pairs - (u_j * (u_j - 1)).sum() / 2)
    )
    if not variance > 0 or not denominator > 0:
        return jt, float("nan"), float("nan"), float("nan")
    z = s / np.sqrt(variance)
    return jt, float(z), float(2 * stats.norm.sf(abs(z))), float(s / denominator)


def _kendall_s_variance(n_i: np.ndarray, u_j: np.ndarray, big_n: float) -> float:
    """Variance of Kendall's S under independence with ties in both margins (Kendall 1970)."""

    def term(c, f):
        return (c * (c - 1) * f).sum()

    v0 = big_n * (big_n - 1) * (2 * big_n + 5)
    vt, vu = term(n_i, 2 * n_i + 5), term(u_j, 2 * u_j + 5)
    t2, u2 = term(n_i, n_i - 2), term(u_j, u_j - 2)
    t1, u1 = term(n_i, 1.0), term(u_j, 1.0)
    v = (v0 - vt - vu) / 18
    if big_n > 2:
        v += t2 * u2 / (9 * big_n * (big_n - 1) * (big_n - 2))
    if big_n > 1:
        v += t1 * u1 / (2 * big_n * (big_n - 1))
    return float(v)


def linear_slope(
    n, mean, within_ss, scores=None, alpha: float = 0.05
) -> tuple[float, float, float, float]:
    """Least-squares slope of the answers on the period's score, from per-period sums.

    Parameters
    ----------
    n, mean, within_ss
        Per period: answers, their mean, and the sum of squared deviations from that mean.
    scores
        The periods' positions (default ``1..k``).
    alpha
        1 - confidence level.

    Returns
    -------
    tuple
        (slope: change of the mean per unit of score, its standard error, CI low, CI high),
        as R ``lm(y ~ score)`` on the answers gives them.

    Examples
    --------
    >>> b, se, lo, hi = linear_slope([2, 2, 2], [1.5, 2.5, 4.5], [0.5, 0.5, 0.5])
    >>> round(b, 3), round(se, 4)
    (1.5, 0.3385)
    """
    n = np.asarray(n, dtype=float)
    ok = n > 0
    n, mean, within = n[ok], np.asarray(mean, float)[ok], np.asarray(within_ss, float)[ok]
    s = np.arange(1, len(ok) + 1, dtype=float) if scores is None else np.asarray(scores, float)
    s = s[ok]
    big_n = n.sum()
    s_bar = (n * s).sum() / big_n
    y_bar = (n * mean).sum() / big_n
    sxx = (n * (s - s_bar) ** 2).sum()
    if not sxx > 0 or big_n <= 2:
        return (float("nan"),) * 4
    slope = float((n * (s - s_bar) * (mean - y_bar)).sum() / sxx)
    fitted = y_bar + slope * (s - s_bar)
    sse = within.sum() + (n * (mean - fitted) ** 2).sum()
    se = float(np.sqrt(sse / (big_n - 2) / sxx))
    t = stats.t.ppf(1 - alpha / 2, big_n - 2)
    return slope, se, slope - t * se, slope + t * se


def difference_in_changes(
    mean_a, var_a, mean_b, var_b, alpha: float = 0.05
) -> tuple[float, float, float, float, float]:
    """How much more group a changed than group b between two periods.

    Parameters
    ----------
    mean_a, var_a, mean_b, var_b
        Pairs (first period, last period) of each group's mean (or share) and the variance
        of that mean (``s² / n``, or ``p (1 - p) / n`` for a share).
    alpha
        1 - confidence level.

    Returns
    -------
    tuple
        (change of a - change of b, CI low, CI high, z, two-sided p). The four cells are
        independent samples, so the variance of the difference is the sum of theirs.

    Examples
    --------
    >>> d, lo, hi, z, p = difference_in_changes((0.4, 0.6), (0.0024, 0.0024),
    ...                                         (0.5, 0.5), (0.0025, 0.0025))
    >>> round(d, 2), round(z, 3)
    (0.2, 2.02)
    """
    change_a = mean_a[1] - mean_a[0]
    change_b = mean_b[1] - mean_b[0]
    d = float(change_a - change_b)
    se = float(np.sqrt(var_a[0] + var_a[1] + var_b[0] + var_b[1]))
    if not se > 0:
        return d, float("nan"), float("nan"), float("nan"), float("nan")
    z = d / se
    half = z_value(alpha) * se
    return d, d - half, d + half, z, float(2 * stats.norm.sf(abs(z)))
