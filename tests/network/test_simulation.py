"""Coverage of pooled intervals by simulation (seeded, a few seconds)."""

from __future__ import annotations

import numpy as np

from evalkit.network.effects import mantel_haenszel, two_by_two
from evalkit.network.meta import meta_analysis

REPS = 1000


def _mean_difference_network(rng, cities, delta, tau):
    """Per-city mean differences from normal data (n 80-200 per group), true effect delta."""
    n_a = rng.integers(80, 200, cities)
    n_b = rng.integers(80, 200, cities)
    theta = delta + tau * rng.standard_normal(cities)
    sd_a, sd_b = 1.0, 1.3
    mean_a = theta + sd_a * rng.standard_normal(cities) / np.sqrt(n_a)
    mean_b = sd_b * rng.standard_normal(cities) / np.sqrt(n_b)
    var_a = sd_a**2 * rng.chisquare(n_a - 1) / (n_a - 1)
    var_b = sd_b**2 * rng.chisquare(n_b - 1) / (n_b - 1)
    return mean_a - mean_b, var_a / n_a + var_b / n_b


def test_reml_interval_covers_the_planted_effect_and_i2_is_near_zero():
    """12 cities, no heterogeneity: 95% CI covers 93-97% of the time; mean I² small."""
    rng = np.random.default_rng(20260)
    covered, i2 = 0, []
    for _ in range(REPS):
        y, v = _mean_difference_network(rng, 12, 0.25, 0.0)
        r = meta_analysis(y, v)
        covered += r.ci_low <= 0.25 <= r.ci_high
        i2.append(r.i2)
    assert 0.93 <= covered / REPS <= 0.97
    assert np.mean(i2) < 12 and np.median(i2) < 2


def test_hartung_knapp_covers_with_heterogeneity():
    """15 cities, tau = 0.15: the Hartung-Knapp 95% CI covers 93-97%; I² is well above 0."""
    rng = np.random.default_rng(20261)
    covered, i2 = 0, []
    for _ in range(REPS):
        y, v = _mean_difference_network(rng, 15, 0.25, 0.15)
        r = meta_analysis(y, v, hartung_knapp=True)
        covered += r.ci_low <= 0.25 <= r.ci_high
        i2.append(r.i2)
    assert 0.93 <= covered / REPS <= 0.97
    assert np.mean(i2) > 40


def test_mantel_haenszel_odds_ratio_covers_the_planted_odds_ratio():
    """10 cities of binomial 2x2 tables, common log OR 0.5: MH 95% CI covers 93-97%."""
    rng = np.random.default_rng(20262)
    log_or = 0.5
    covered_mh = covered_re = 0
    for _ in range(REPS):
        base = rng.uniform(0.2, 0.5, 10)
        p_a = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + log_or)))
        n_a, n_b = rng.integers(100, 250, 10), rng.integers(100, 250, 10)
        x_a, x_b = rng.binomial(n_a, p_a), rng.binomial(n_b, base)
        tables = [
            [[xa, na - xa], [xb, nb - xb]]
            for xa, na, xb, nb in zip(x_a, n_a, x_b, n_b, strict=True)
        ]
        mh = mantel_haenszel(tables)
        covered_mh += mh["or_low"] <= np.exp(log_or) <= mh["or_high"]
        pairs = [two_by_two(t)["odds_ratio"] for t in tables]
        r = meta_analysis([p[0] for p in pairs], [p[1] for p in pairs])
        covered_re += r.ci_low <= log_or <= r.ci_high
    assert 0.93 <= covered_mh / REPS <= 0.97
    assert 0.93 <= covered_re / REPS <= 0.97
