"""KPI computation on small hand-computed data sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import InstrumentError
from evalkit.kpi import load_catalogue
from evalkit.kpi.compute import BREAKDOWN_COLUMNS, KPI_COLUMNS, compute_kpis
from evalkit.kpi.population import load_population


def connector_frame() -> pd.DataFrame:
    """12 connections; 10 with a result; 4 of those via the Office with a positive counterfactual.

    Hand count for K1: 4 / 10 = 0.40.
    K3 (distinct local organisations with an Office-made connection): Port, Airport,
    University, Chamber, EcDev -> 5 ("Port" and "port " are one organisation).
    """
    rows = [
        # unit, origin, has_result, counterfactual, value, contribution, confidence, mode
        ("Port", "introduced_by_office", "yes", "not_at_all", 100000, 50, 80, "in_person"),
        ("port ", "office_network", "yes", "later_smaller", 20000, 20, 50, "virtual"),
        ("Airport", "introduced_by_office", "yes", "later_smaller", None, None, None, "virtual"),
        ("University", "office_network", "yes", "not_at_all", 5000, 100, 100, "in_person"),
        ("Chamber", "introduced_by_office", "yes", "anyway", 1000, 10, 10, "virtual"),
        ("Health", "own_initiative", "yes", "not_at_all", 7000, 0, 50, "virtual"),
        ("Health", "own_initiative", "yes", "anyway", None, None, None, "in_person"),
        ("Culture", "other", "yes", "later_smaller", None, None, None, "in_person"),
        ("Culture", "own_initiative", "yes", "dk", None, None, None, "virtual"),
        ("EcDev", "own_initiative", "yes", "anyway", None, None, None, "in_person"),
        ("EcDev", "introduced_by_office", "no", None, None, None, None, "in_person"),
        ("Port", "own_initiative", "no", None, None, None, None, "virtual"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["unit_name", "connection_origin", "has_result", "counterfactual",
                 "result_value", "contribution_pct", "confidence_pct", "mode"],
    )  # fmt: skip
    frame = frame.astype(
        {"unit_name": "string", "connection_origin": "string", "has_result": "string",
         "counterfactual": "string", "mode": "string", "result_value": "Float64",
         "contribution_pct": "Float64", "confidence_pct": "Float64"}
    )  # fmt: skip
    for choice in ("trade_export", "investment_fdi", "jobs"):
        frame[f"result_type__{choice}"] = pd.array(
            [choice == "trade_export" and i < 2 for i in range(12)], dtype="boolean"
        )
    return frame


def result_for(frame: pd.DataFrame, **kwargs) -> pd.DataFrame:
    return compute_kpis(
        load_catalogue(), {"connector_attribution": frame}, "2026", **kwargs
    ).kpis.set_index("kpi_id")


def test_k1_connector_contribution_rate_hand_computed():
    kpis = result_for(connector_frame())
    k1 = kpis.loc["connector_contribution_rate"]
    assert k1["value"] == pytest.approx(0.4)
    assert k1["n"] == 10
    from evalkit.analyze.proportions import wilson_ci  # checked against published values

    low, high = wilson_ci(4, 10)
    assert (k1["ci_low"], k1["ci_high"]) == pytest.approx((float(low), float(high)))
    # target 0.4, higher is better: 4 of 10 with the interval 0.17-0.69 is too close to call
    assert k1["status"] == "too close to call"


def test_k2_and_k3_hand_computed():
    kpis = result_for(connector_frame(), min_cell=1)  # K2 sums only four outcomes
    # Office-made connections with a value: 100000*.5*.8 + 20000*.2*.5 + 5000*1*1 + 1000*.1*.1
    assert kpis.loc["adjusted_connector_value", "value"] == pytest.approx(40000 + 2000 + 5000 + 10)
    # distinct local organisations, case- and space-insensitive: port, airport, university,
    # chamber, ecdev (the EcDev row was introduced by the Office even without a result)
    assert kpis.loc["brokerage_reach", "value"] == 5
    # trade/export results with a positive counterfactual: rows 0 and 1
    assert kpis.loc["trade_fdi_pipeline", "value"] == 2


def test_every_kpi_has_a_row_and_a_reason_when_not_computed():
    kpis = result_for(connector_frame())
    assert list(kpis.reset_index().columns) == KPI_COLUMNS
    assert len(kpis) == len(load_catalogue().kpis)
    missing = kpis[kpis["status"] == "not computed"]
    assert missing["reason"].notna().all()
    assert "no follow_up responses for 2026" in missing.loc["follow_through_rate", "reason"]


def test_small_kpis_are_suppressed():
    kpis = result_for(connector_frame(), min_cell=11)
    assert kpis.loc["connector_contribution_rate", "status"] == "suppressed"
    assert np.isnan(kpis.loc["connector_contribution_rate", "value"])


def test_change_from_the_comparison_period_uses_newcombe():
    now, before = connector_frame(), connector_frame()
    before.loc[0, "counterfactual"] = "anyway"  # 3 / 10 last year
    result = compute_kpis(
        load_catalogue(), {"connector_attribution": now}, "2026",
        compare_frames={"connector_attribution": before}, compare_period="2025",
    ).kpis.set_index("kpi_id")  # fmt: skip
    k1 = result.loc["connector_contribution_rate"]
    assert k1["compare_value"] == pytest.approx(0.3)
    assert k1["change"] == pytest.approx(0.1)
    from evalkit.analyze.proportions import newcombe_diff

    estimate = newcombe_diff(4, 10, 3, 10)
    assert (k1["change_ci_low"], k1["change_ci_high"]) == pytest.approx(
        (estimate.ci_low, estimate.ci_high)
    )
    assert k1["trend"] == "flat"  # the interval includes 0


def post_engagement_frame(n_per_group: dict[str, int], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    modes = np.repeat(list(n_per_group), list(n_per_group.values()))
    n = len(modes)
    frame = pd.DataFrame({"mode": pd.array(modes, dtype="string")})
    for item in (
        "co_presence",
        "attention",
        "voice",
        "worth_time",
        "achieved_goals",
        "learned_useful",
    ):
        frame[item] = pd.array(rng.integers(1, 6, n), dtype="Int64")
    frame["new_contacts"] = pd.array(rng.poisson(3, n), dtype="Int64")
    frame["would_attend_in_person"] = pd.array(
        rng.choice(["yes", "no", "unsure"], n), dtype="string"
    )
    return frame


def test_breakdown_by_mode_with_complementary_suppression():
    frame = post_engagement_frame(
        {"in_person": 40, "virtual": 30, "hybrid_onsite": 12, "hybrid_remote": 5}
    )
    result = compute_kpis(load_catalogue(), {"post_engagement": frame}, "2026")
    table = result.breakdown
    assert list(table.columns) == BREAKDOWN_COLUMNS
    yield_rows = table[table["kpi_id"] == "connection_yield"].set_index("group")
    # hybrid_remote (5) is under 10; hybrid_onsite, the next smallest, is hidden too
    assert (
        yield_rows.loc["hybrid_remote", "suppressed"]
        and yield_rows.loc["hybrid_onsite", "suppressed"]
    )
    assert np.isnan(yield_rows.loc["hybrid_remote", "value"])
    expected = frame.loc[frame["mode"] == "in_person", "new_contacts"].astype(float).mean()
    assert yield_rows.loc["in_person", "value"] == pytest.approx(expected)


def test_voice_parity_gap_is_a_welch_difference_of_scale_means():
    frame = post_engagement_frame({"hybrid_onsite": 30, "hybrid_remote": 30})
    kpis = compute_kpis(load_catalogue(), {"post_engagement": frame}, "2026").kpis.set_index(
        "kpi_id"
    )
    presence = frame[["co_presence", "attention", "voice"]].astype(float).mean(axis=1)
    onsite = presence[frame["mode"] == "hybrid_onsite"]
    remote = presence[frame["mode"] == "hybrid_remote"]
    from scipy import stats

    test = stats.ttest_ind(onsite, remote, equal_var=False)
    ci = test.confidence_interval()
    k6 = kpis.loc["voice_parity_gap"]
    assert k6["value"] == pytest.approx(onsite.mean() - remote.mean())
    assert (k6["ci_low"], k6["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_reach_ratio_needs_population(tmp_path):
    frame = pd.DataFrame({
        "wave": pd.array(["pre"] * 20, dtype="string"),
        "age_band": pd.array(["18_24"] * 5 + ["35_44"] * 15, dtype="string"),
    })  # fmt: skip
    catalogue = load_catalogue()
    kpis = compute_kpis(catalogue, {"community_programme": frame}, "2026").kpis.set_index("kpi_id")
    assert kpis.loc["inclusive_reach_youth", "status"] == "not computed"
    assert "population" in kpis.loc["inclusive_reach_youth", "reason"]
    path = tmp_path / "population.yaml"
    path.write_text("source: test\nshares: {youth_15_24: 0.125}\n")
    kpis = compute_kpis(
        catalogue, {"community_programme": frame}, "2026", population=load_population(path)
    ).kpis.set_index("kpi_id")
    assert kpis.loc["inclusive_reach_youth", "value"] == pytest.approx(0.25 / 0.125)


def test_bad_population_file_is_one_line(tmp_path):
    path = tmp_path / "population.yaml"
    path.write_text("shares:\n  youth_15_24: 14\n")
    with pytest.raises(
        InstrumentError,
        match=r"population.yaml:2: shares.youth_15_24: share of 'youth_15_24' must be a number",
    ):
        load_population(path)


def test_cost_per_participant_by_mode_from_the_register():
    register = pd.DataFrame({
        "engagement_id": pd.array([f"E{i}" for i in range(24)], dtype="string"),
        "mode": pd.array(["in_person"] * 12 + ["virtual"] * 12, dtype="string"),
        "staff_hours": pd.array([10.0] * 24, dtype="Float64"),
        "loaded_rate": pd.array([50.0] * 24, dtype="Float64"),
        "direct_costs": pd.array([500.0] * 12 + [0.0] * 12, dtype="Float64"),
        "travel_costs": pd.array([1000.0] * 12 + [None] * 12, dtype="Float64"),
        "attendees_in_person": pd.array([20] * 12 + [0] * 12, dtype="Int64"),
        "attendees_virtual": pd.array([0] * 12 + [50] * 12, dtype="Int64"),
    })  # fmt: skip
    result = compute_kpis(load_catalogue(), {"activity_register": register}, "2026")
    k13 = result.kpis.set_index("kpi_id").loc["cost_per_participant"]
    assert k13["value"] == pytest.approx((12 * 2000 + 12 * 500) / (12 * 20 + 12 * 50))
    by_mode = result.breakdown[result.breakdown["kpi_id"] == "cost_per_participant"].set_index(
        "group"
    )
    assert by_mode.loc["in_person", "value"] == pytest.approx(2000 / 20)
    assert by_mode.loc["virtual", "value"] == pytest.approx(500 / 50)
    engagements = result.kpis.set_index("kpi_id").loc["engagements_held"]
    assert engagements["value"] == 24 and engagements["output"]


def test_the_engines_cost_ratio_is_kpi_k13():
    """instruments/activity_register.yaml declares cost_per_attendee with K13's terms, so
    `evalkit analyze` and the scorecard cannot disagree on what a cost per attendee is."""
    from evalkit.analyze import AnalysisOptions, analyze
    from evalkit.instrument import load_instrument

    register_inst = load_instrument("activity_register")
    k13 = next(k for k in load_catalogue().kpis if k.code == "K13")
    ratio = next(r for r in register_inst.ratios if r.id == "cost_per_attendee")

    def terms(side):
        return [(t.item, tuple(t.times), t.factor) for t in side]

    assert terms(ratio.numerator) == terms(k13.numerator.terms)
    assert terms(ratio.denominator) == terms(k13.denominator.terms)
    rng = np.random.default_rng(4)
    register = pd.DataFrame({
        "engagement_id": [f"E{i}" for i in range(30)],
        "mode": ["in_person"] * 15 + ["virtual"] * 15,
        "staff_hours": rng.gamma(3, 10, 30),
        "loaded_rate": np.full(30, 65.0),
        "direct_costs": np.where(rng.random(30) < 0.2, np.nan, rng.gamma(2, 900, 30)),
        "travel_costs": [*rng.gamma(2, 3000, 15), *[np.nan] * 15],
        "attendees_in_person": [*rng.integers(5, 80, 15), *[0] * 15],
        "attendees_virtual": [*[0] * 15, *rng.integers(20, 300, 15)],
    })  # fmt: skip
    kpis = compute_kpis(load_catalogue(), {"activity_register": register}, "2026")
    by_mode = kpis.breakdown[kpis.breakdown["kpi_id"] == k13.id].set_index("group")["value"]
    engine = analyze(register, register_inst, AnalysisOptions(n_boot=99)).descriptives
    engine = engine.set_index("group")["share"]
    for mode in ("in_person", "virtual"):
        assert engine[mode] == pytest.approx(by_mode[mode], rel=1e-12)
