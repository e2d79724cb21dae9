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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evalkit.analyze import _dist
from evalkit.analyze._common import Estimate, check_alpha

# Largest bootstrap index matrix drawn at once (elements): bounds memory for big groups.
_CHUNK = 1 << 22


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


def bootstrap_ratios(num: np.ndarray, den: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """``n_boot`` bootstrap replicates of sum(num) / sum(den), resampling units (pairs).

    One index matrix per chunk of replicates, ``rng.integers(0, n, (B, n))``: the same draws
    as ``scipy.stats.bootstrap(..., paired=True)`` with the same generator, so the two agree
    exactly. A replicate whose denominator total is 0 is NaN.

    Examples
    --------
    >>> draws = bootstrap_ratios(np.array([1.0, 3.0]), np.array([1.0, 1.0]), 4,
    ...                          np.random.default_rng(0))
    >>> draws.shape, bool(np.all((draws >= 1) & (draws <= 3)))
    ((4,), True)
    """
    n = len(num)
    out = np.empty(n_boot)
    step = max(1, _CHUNK // max(n, 1))
    for start in range(0, n_boot, step):  # chunks of replicates, not rows
        stop = min(n_boot, start + step)
        idx = rng.integers(0, n, (stop - start, n))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start:stop] = num[idx].sum(axis=1) / den[idx].sum(axis=1)
    return out


def jackknife_ratios(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Leave-one-unit-out ratios of totals, (sum(num) - num_i) / (sum(den) - den_i).

    >>> jackknife_ratios(np.array([2.0, 4.0, 6.0]), np.array([1.0, 1.0, 2.0])).tolist()
    [3.3333333333333335, 2.6666666666666665, 3.0]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return (num.sum() - num) / (den.sum() - den)


def _acceleration(jackknife: Sequence[np.ndarray]) -> float:
    """BCa acceleration from one jackknife array per sample (Efron & Tibshirani 1993,
    eq. 14.15; for several samples as scipy.stats.bootstrap computes it)."""
    num = den = 0.0
    for values in jackknife:
        n = float(len(values))
        u = (n - 1) * (values.mean() - values)
        num += float(np.sum(u**3)) / n**3
        den += float(np.sum(u**2)) / n**2
    if not np.isfinite(num) or not np.isfinite(den):
        return float("nan")
    return num / (6 * den**1.5) if den > 0 else 0.0  # no jackknife spread: no acceleration


def _bias(draws: np.ndarray, theta: float) -> float:
    """z0: the normal quantile of the share of replicates below the estimate (ties half)."""
    share = (np.count_nonzero(draws < theta) + np.count_nonzero(draws <= theta)) / (2 * len(draws))
    return float(_dist.norm.ppf(share))


def bca_interval(
    theta: float, draws: np.ndarray, jackknife: Sequence[np.ndarray], alpha: float = 0.05
) -> Estimate:
    """Bias-corrected and accelerated bootstrap interval (Efron 1987).

    Parameters
    ----------
    theta
        The estimate on the data.
    draws
        Its bootstrap replicates.
    jackknife
        Leave-one-out estimates, one array per independently resampled sample.
    alpha
        1 - confidence level.

    Returns
    -------
    Estimate
        ``value`` = theta, and the interval; NaN when a replicate is not finite (a resample
        with a zero denominator) or the bias correction is infinite.

    Examples
    --------
    >>> num, den = np.array([3.0, 1, 4, 1, 5, 9, 2, 6]), np.array([1.0, 2, 1, 2, 1, 3, 1, 2])
    >>> draws = bootstrap_ratios(num, den, 999, np.random.default_rng(2))
    >>> est = bca_interval(num.sum() / den.sum(), draws, [jackknife_ratios(num, den)])
    >>> bool(est.ci_low < est.value < est.ci_high)
    True
    """
    check_alpha(alpha)
    nan = float("nan")
    if len(draws) == 0 or not np.all(np.isfinite(draws)):
        return Estimate("BCa", theta, nan, nan)
    z0 = _bias(draws, theta)
    acc = _acceleration(jackknife)
    if not (np.isfinite(z0) and np.isfinite(acc)):
        return Estimate("BCa", theta, nan, nan)
    z = np.array([_dist.norm.ppf(alpha / 2), _dist.norm.ppf(1 - alpha / 2)])
    levels = _dist.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
    low, high = np.quantile(draws, levels)
    return Estimate("BCa", theta, float(low), float(high))


def bca_p_value(
    draws: np.ndarray, theta: float, jackknife: Sequence[np.ndarray], null: float = 0.0
) -> float:
    """Two-sided bootstrap p-value of ``theta == null``, by inverting the BCa interval.

    The p-value is the smallest alpha whose BCa interval (:func:`bca_interval`) excludes
    ``null``, so ``p < alpha`` exactly when that interval excludes it (up to the
    interpolation between replicates). With B replicates it is reported as at least 1/B.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> draws = rng.normal(2.0, 1.0, 4000)
    >>> p = bca_p_value(draws, 2.0, [np.array([1.0, 2.0, 3.0])])  # 0 is 2 SE away
    >>> bool(abs(p - 0.0455) < 0.01)
    True
    """
    b = len(draws)
    if b == 0 or not np.all(np.isfinite(draws)):
        return float("nan")
    z0 = _bias(draws, theta)
    acc = _acceleration(jackknife)
    if not (np.isfinite(z0) and np.isfinite(acc)):
        return float("nan")
    share = (np.count_nonzero(draws < null) + np.count_nonzero(draws <= null)) / (2 * b)
    if share in (0.0, 1.0):  # every replicate on one side: every interval excludes the null
        return 1 / b
    v = float(_dist.norm.ppf(share)) - z0  # the BCa map z0 + u / (1 - a u), solved for u
    # beyond the range of the BCa map every interval excludes the null: smallest p
    u = v / (1 + acc * v) if 1 + acc * v > 0 else float(np.copysign(np.inf, v))
    tail = float(_dist.norm.cdf(u - z0))
    return float(min(1.0, max(2 * min(tail, 1 - tail), 1 / b)))


@dataclass(frozen=True)
class RatioContrast:
    """Group a against group b: the difference and the ratio of their ratios of totals.

    Attributes
    ----------
    difference
        ratio_a - ratio_b with its BCa interval.
    ratio
        ratio_a / ratio_b with its BCa interval.
    p_value
        Two-sided bootstrap p-value of ``difference == 0`` (:func:`bca_p_value`).
    """

    difference: Estimate
    ratio: Estimate
    p_value: float


@dataclass(frozen=True)
class GroupRatios:
    """Per-group ratios of totals with their BCa intervals, and the bootstrap replicates kept
    so that every pair of groups is contrasted from the same draws.

    Attributes
    ----------
    n
        Units (rows) per group.
    numerator, denominator
        Totals per group.
    ratio
        numerator / denominator per group (NaN when the denominator total is 0).
    ci_low, ci_high
        BCa interval per group (NaN for groups not drawn or degenerate).
    draws, jackknife
        Bootstrap and leave-one-out ratios per group (None for groups not drawn).
    alpha, n_boot, seed
        The settings used.
    """

    n: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    ratio: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    draws: tuple[np.ndarray | None, ...]
    jackknife: tuple[np.ndarray | None, ...]
    alpha: float
    n_boot: int
    seed: int

    def contrast(self, a: int, b: int) -> RatioContrast:
        """Compare group ``a`` with group ``b``: units resampled within each group
        independently (the groups' own replicates), BCa intervals and p-value."""
        nan = float("nan")
        da, db, ja, jb = self.draws[a], self.draws[b], self.jackknife[a], self.jackknife[b]
        ra, rb = float(self.ratio[a]), float(self.ratio[b])
        if da is None or db is None or ja is None or jb is None:
            empty = Estimate("", nan, nan, nan)
            return RatioContrast(empty, empty, nan)
        diff = bca_interval(ra - rb, da - db, [ja - rb, ra - jb], self.alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = bca_interval(ra / rb, da / db, [ja / rb, ra / jb], self.alpha)
        p = bca_p_value(da - db, ra - rb, [ja - rb, ra - jb])
        return RatioContrast(
            Estimate("difference of ratios", diff.value, diff.ci_low, diff.ci_high),
            Estimate("ratio of ratios", rel.value, rel.ci_low, rel.ci_high),
            p,
        )


def group_ratios(
    numerator,
    denominator,
    codes,
    k: int,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
    draw=None,
) -> GroupRatios:
    """Ratio of totals per group with a seeded BCa bootstrap interval.

    Parameters
    ----------
    numerator, denominator
        Per-unit values (rows: engagements); units with NaN in either are left out.
    codes
        Group of each unit, 0..k-1 (-1: no group).
    k
        Number of groups.
    alpha
        1 - confidence level.
    n_boot
        Bootstrap replicates per group.
    seed
        Seed of the one generator that draws every group's replicates, group 0 first, each
        group's units taken in (denominator, numerator) order so that the result does not
        depend on the order of the rows.
    draw
        Boolean mask of groups to bootstrap (default: all with 2 or more units); suppressed
        groups are not drawn.

    Returns
    -------
    GroupRatios

    Notes
    -----
    The ratio of totals is :math:`R_g = \\sum_{i \\in g} c_i / \\sum_{i \\in g} a_i`. Each group's
    units are resampled with replacement (one ``B x n_g`` index matrix), so the replicates of
    two groups are independent and ``R_a* - R_b*`` is the bootstrap distribution of the
    difference. Intervals are BCa (Efron 1987; Efron & Tibshirani 1993, ch. 14), with the
    acceleration from the jackknife; they equal ``scipy.stats.bootstrap(method="BCa")``.

    Examples
    --------
    >>> num = np.array([100.0, 200, 300, 50, 80, 120, 90, 60])
    >>> den = np.array([2.0, 5, 3, 10, 8, 12, 10, 10])
    >>> res = group_ratios(num, den, np.array([0, 0, 0, 1, 1, 1, 1, 1]), 2, seed=1)
    >>> res.ratio.tolist(), res.n.tolist()
    ([60.0, 8.0], [3, 5])
    >>> c = res.contrast(0, 1)
    >>> c.difference.value, round(c.ratio.value, 2)
    (52.0, 7.5)
    """
    check_alpha(alpha)
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    ok = (codes >= 0) & ~np.isnan(num) & ~np.isnan(den)
    num, den, codes = num[ok], den[ok], codes[ok]
    # units sorted within each group by (denominator, numerator): the draws then do not
    # depend on the order of the rows (a file and a workspace give the same interval)
    order = np.lexsort((num, den, codes))
    n = np.bincount(codes, minlength=k)
    tot_num = np.bincount(codes, weights=num, minlength=k)
    tot_den = np.bincount(codes, weights=den, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(tot_den != 0, tot_num / tot_den, np.nan)
    wanted = np.ones(k, dtype=bool) if draw is None else np.asarray(draw, dtype=bool)
    rng = np.random.default_rng(seed)
    low, high = np.full(k, np.nan), np.full(k, np.nan)
    draws: list[np.ndarray | None] = []
    jack: list[np.ndarray | None] = []
    starts = np.concatenate([[0], np.cumsum(n)])
    for g in range(k):  # groups, not rows
        rows = order[starts[g] : starts[g + 1]]
        if not wanted[g] or n[g] < 2 or not np.isfinite(ratio[g]):
            draws.append(None)
            jack.append(None)
            continue
        d = bootstrap_ratios(num[rows], den[rows], n_boot, rng)
        j = jackknife_ratios(num[rows], den[rows])
        est = bca_interval(float(ratio[g]), d, [j], alpha)
        low[g], high[g] = est.ci_low, est.ci_high
        draws.append(d)
        jack.append(j)
    return GroupRatios(
        n, tot_num, tot_den, ratio, low, high, tuple(draws), tuple(jack), alpha, n_boot, seed
    )
