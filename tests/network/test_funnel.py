"""Funnel-plot limits (Spiegelhalter 2005) checked against the binomial and the normal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from evalkit.network.funnel import binomial_limit, mean_limits, proportion_limits


@pytest.mark.parametrize("theta", [0.2, 0.5, 0.7])
def test_binomial_limits_approach_the_normal_for_large_n(theta):
    n = 20_000
    limits = proportion_limits(theta, n)
    for key, z in (("95", 1.959964), ("998", 3.090232)):
        half = z * math.sqrt(theta * (1 - theta) / n)
        assert limits[f"high_{key}"] == pytest.approx(theta + half, abs=2 / n)
        assert limits[f"low_{key}"] == pytest.approx(theta - half, abs=2 / n)


def test_binomial_limit_brackets_the_exact_quantile():
    """Spiegelhalter's interpolated limit lies between (r-1)/n and r/n, r the quantile."""
    for n in (20, 57, 130):
        r = stats.binom.ppf(0.975, n, 0.3)
        value = binomial_limit(0.3, n, 0.975)
        assert (r - 1) / n <= value <= r / n


def test_share_of_cities_outside_the_95_limits_is_about_5_percent():
    rng = np.random.default_rng(7)
    n = rng.integers(50, 400, 4000)
    x = rng.binomial(n, 0.4)
    outside = [
        not (lim["low_95"] <= xi / ni <= lim["high_95"])
        for xi, ni in zip(x, n, strict=True)
        for lim in [proportion_limits(0.4, int(ni))]
    ]
    assert 0.035 <= np.mean(outside) <= 0.065


def test_mean_limits_are_z_sigma_over_root_n():
    lim = mean_limits(3.0, 2.0, 100)
    assert lim["high_95"] == pytest.approx(3.0 + 1.959964 * 0.2, abs=1e-6)
    assert lim["low_998"] == pytest.approx(3.0 - 3.090232 * 0.2, abs=1e-6)
