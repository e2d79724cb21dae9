"""Scorecard semantics (issue 18, point 5): status and change read from the 95% interval.

Hand-computed cases: met / not met / too close to call for each direction; parity KPIs with
a side and a tolerance (a reach ratio of 2.22 is not under-representation); counts with
exact Poisson (Garwood) intervals, checked against published values, so 11 against 12
organisations is not shown as a fall.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from evalkit.kpi.catalogue import load_catalogue
from evalkit.kpi.compute import Value, _change, _status, poisson_value

CATALOGUE = load_catalogue()


def kpi(kpi_id: str, **changes):
    return replace(CATALOGUE.kpi(kpi_id), **changes)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Value(0.59, 0.54, 0.63), "met"),  # K4 target 0.50: the whole interval above
        (Value(0.38, 0.21, 0.57), "too close to call"),  # K1 target 0.40: straddles it
        (Value(0.30, 0.20, 0.35), "not met"),  # wholly below
        (Value(0.40, 0.40, 0.55), "met"),  # the lower end exactly on the target
    ],
)
def test_higher_is_better_reads_the_interval(value, expected):
    assert _status(kpi("connector_contribution_rate", target=0.4), value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Value(900, 800, 990), "met"), (Value(900, 800, 1100), "too close to call"),
     (Value(1200, 1050, 1400), "not met")],
)  # fmt: skip
def test_lower_is_better_mirrors_it(value, expected):
    assert _status(kpi("cost_per_participant", target=1000), value) == expected


def test_reach_ratio_counts_only_under_representation():
    k9 = CATALOGUE.kpi("inclusive_reach_youth")
    assert (k9.side, k9.tolerance, k9.target) == ("at_least", 0.2, 1.0)
    # the demo's 2.22 (1.81 to 2.68): over-represented, so not a shortfall
    assert _status(k9, Value(2.22, 1.81, 2.68)) == "met"
    assert _status(k9, Value(0.85, 0.70, 1.00)) == "too close to call"  # 0.8 inside
    assert _status(k9, Value(0.60, 0.50, 0.75)) == "not met"  # wholly under 0.8


def test_a_two_sided_parity_kpi_needs_the_interval_inside_the_band():
    k6 = CATALOGUE.kpi("voice_parity_gap")
    assert (k6.side, k6.tolerance, k6.target) == ("both", 0.2, 0.0)
    assert _status(k6, Value(0.05, -0.10, 0.15)) == "met"
    assert _status(k6, Value(0.40, 0.11, 0.70)) == "too close to call"
    assert _status(k6, Value(-0.40, -0.55, -0.25)) == "not met"


def test_poisson_interval_of_a_count_matches_published_values():
    # Garwood (1936) exact limits, as tabulated (e.g. Ulm 1990): x=11 -> 5.49 to 19.68,
    # x=0 -> 0 to 3.69, x=5 -> 1.62 to 11.67
    assert (poisson_value(11, 23).ci_low, poisson_value(11, 23).ci_high) == pytest.approx(
        (5.491, 19.683), abs=0.001
    )
    assert poisson_value(0, 3).ci_high == pytest.approx(3.689, abs=0.001)
    assert (poisson_value(5, 5).ci_low, poisson_value(5, 5).ci_high) == pytest.approx(
        (1.623, 11.668), abs=0.001
    )


def test_a_count_down_by_one_is_not_a_change():
    k3 = CATALOGUE.kpi("brokerage_reach")
    change, low, high, trend = _change(k3, poisson_value(11, 23), poisson_value(12, 24), 0.05)
    # -1 +- 1.96 * sqrt(11 + 12) = -1 +- 9.40
    assert (change, low, high) == pytest.approx((-1, -10.40, 8.40), abs=0.01)
    assert trend == "flat"
    _, low, _, trend = _change(k3, poisson_value(40, 40), poisson_value(12, 12), 0.05)
    assert low == pytest.approx(28 - 1.96 * 52**0.5, abs=0.01) and trend == "up"
