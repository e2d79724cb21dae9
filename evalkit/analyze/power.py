"""Planning: sample size per group for a target difference, and the minimum detectable one.

The formulas are those of R's ``pwr`` package (Champely), which follows Cohen (1988):
two-sample t-test power from the noncentral t distribution (``pwr.t.test``) and two
proportions through Cohen's h with the normal approximation (``pwr.2p.test``).

References
----------
Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.). Erlbaum.
Champely, S. (2020). pwr: Basic Functions for Power Analysis. R package version 1.3-0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from evalkit.analyze._common import check_alpha
from evalkit.errors import UsageError


@dataclass(frozen=True)
class Plan:
    """A planning result.

    ``n_per_group`` is fractional (round it up); ``mdd`` is on the outcome's scale.
    """

    outcome: str
    effect_name: str
    effect: float
    n_per_group: float
    mdd: float
    alpha: float
    power: float
    comparisons: int
    note: str


def _check(alpha: float, power: float) -> None:
    check_alpha(alpha)
    if not 0 < power < 1:
        raise UsageError(f"power must be between 0 and 1, got {power}", hint="use e.g. 0.8")


def power_t(d: float, n: float, alpha: float = 0.05) -> float:
    """Power of a two-sided two-sample t-test with ``n`` per group (R ``pwr.t.test``)."""
    df = 2 * n - 2
    nc = d * np.sqrt(n / 2)
    q = stats.t.ppf(1 - alpha / 2, df)
    value = float(stats.nct.sf(q, df, nc) + stats.nct.cdf(-q, df, nc))
    return 1.0 if np.isnan(value) else value  # scipy's nct gives NaN only far in the tail


def n_two_means(d: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """n per group to detect a standardised difference ``d`` (R ``pwr.t.test``).

    Examples
    --------
    >>> round(n_two_means(0.5), 5)
    63.76561
    """
    _check(alpha, power)
    if d == 0:
        raise UsageError("the target difference is 0", hint="give a non-zero difference")
    approx = 2 * (_z_sum(alpha, power) / abs(d)) ** 2  # normal approximation
    upper = 3 * approx + 10
    return float(
        optimize.brentq(lambda n: power_t(abs(d), n, alpha) - power, 2 + 1e-9, upper, xtol=1e-10)
    )


def _z_sum(alpha: float, power: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2)).

    >>> round(cohens_h(0.5, 0.4), 12)
    0.201357920790
    """
    return float(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2)))


def power_h(h: float, n: float, alpha: float = 0.05) -> float:
    """Power of the two-sided two-proportion test (R ``pwr.2p.test``)."""
    z = stats.norm.ppf(1 - alpha / 2)
    return float(stats.norm.sf(z - h * np.sqrt(n / 2)) + stats.norm.cdf(-z - h * np.sqrt(n / 2)))


def n_two_proportions(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """n per group to detect proportions ``p1`` vs ``p2`` (R ``pwr.2p.test``).

    Examples
    --------
    >>> round(n_two_proportions(0.70, 0.55), 4)
    161.9349
    """
    _check(alpha, power)
    h = abs(cohens_h(p1, p2))
    if h == 0:
        raise UsageError("the two proportions are equal", hint="give different --p1 and --p2")
    return float(optimize.brentq(lambda n: power_h(h, n, alpha) - power, 1e-6, 1e12, xtol=1e-10))


def mdd_means(n: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest standardised difference d detectable with ``n`` per group."""
    _check(alpha, power)
    if n < 3:
        raise UsageError(f"n per group must be at least 3, got {n}", hint="give a larger --n")
    upper = 1.5 * _z_sum(alpha, power) * np.sqrt(2 / n) + 0.1
    return float(optimize.brentq(lambda d: power_t(d, n, alpha) - power, 1e-9, upper))


def mdd_proportion(p1: float, n: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest p2 - p1 (in the direction away from 0.5... downward if p1 > 0.5) detectable."""
    _check(alpha, power)
    if n < 2:
        raise UsageError(f"n per group must be at least 2, got {n}", hint="give a larger --n")
    sign = -1.0 if p1 > 0.5 else 1.0
    limit = p1 if sign < 0 else 1 - p1

    def gap(delta: float) -> float:
        return power_h(abs(cohens_h(p1 + sign * delta, p1)), n, alpha) - power

    if gap(limit - 1e-12) < 0:
        return float("nan")
    return float(sign * optimize.brentq(gap, 1e-12, limit - 1e-12))


def plan(
    outcome: str,
    *,
    d: float | None = None,
    p1: float | None = None,
    p2: float | None = None,
    n: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    comparisons: int = 1,
) -> Plan:
    """Sample size (given a target) or minimum detectable difference (given ``n``).

    ``outcome`` is ``mean`` (a scale score or continuous outcome; give ``d``, the difference in
    standard deviations) or ``proportion`` (a share such as top-2-box; give ``p1`` and ``p2``).
    ``comparisons`` > 1 divides alpha (Bonferroni), which is conservative for Holm.
    """
    if comparisons < 1:
        raise UsageError("--comparisons must be 1 or more", hint="the number of pairwise contrasts")
    a = alpha / comparisons
    note = f"alpha {alpha} / {comparisons} comparisons" if comparisons > 1 else ""
    if outcome == "mean":
        if n is not None:
            return Plan(
                outcome,
                "d",
                float("nan"),
                float(n),
                mdd_means(n, a, power),
                alpha,
                power,
                comparisons,
                note,
            )
        if d is None:
            raise UsageError("give --d (target difference in SDs) or --n", hint="e.g. --d 0.3")
        return Plan(
            outcome, "d", d, n_two_means(d, a, power), abs(d), alpha, power, comparisons, note
        )
    if outcome == "proportion":
        if p1 is None:
            raise UsageError("give --p1 (the expected share in one group)", hint="e.g. --p1 0.7")
        if n is not None:
            return Plan(
                outcome,
                "p2 - p1",
                float("nan"),
                float(n),
                mdd_proportion(p1, n, a, power),
                alpha,
                power,
                comparisons,
                note,
            )
        if p2 is None:
            raise UsageError("give --p2 (the share to detect) or --n", hint="e.g. --p2 0.55")
        return Plan(
            outcome,
            "Cohen's h",
            cohens_h(p1, p2),
            n_two_proportions(p1, p2, a, power),
            p2 - p1,
            alpha,
            power,
            comparisons,
            note,
        )
    raise UsageError(f"unknown outcome kind {outcome!r}", hint="use mean or proportion")
