"""The engine: fixed tables, the test each outcome type gets, suppression, p adjustments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import COLUMNS, AnalysisOptions, analyze
from evalkit.analyze.findings import CAUSAL_WORDS
from evalkit.analyze.multiplicity import benjamini_hochberg, holm
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")


@pytest.fixture(scope="module")
def result():
    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    return analyze(frame, INST, AnalysisOptions(seed=5, n_boot=500), input_sha256="abc")


def test_every_table_has_its_fixed_columns(result):
    for name, columns in COLUMNS.items():
        assert tuple(result.tables[name].columns) == columns, name


def test_columns_do_not_change_with_options():
    frame = post_engagement_frame(300, seed=2)
    a = analyze(frame, INST, AnalysisOptions(outcomes=("worth_time",), alpha=0.1))
    b = analyze(frame, INST, AnalysisOptions(outcomes=("presence",), min_cell=200))
    for name in COLUMNS:
        assert list(a.tables[name].columns) == list(b.tables[name].columns)


def test_test_chosen_by_outcome_type(result):
    by_outcome = result.comparisons.set_index("outcome")
    assert by_outcome.loc["worth_time", "test"] == "Kruskal-Wallis test"
    assert by_outcome.loc["worth_time", "outcome_type"] == "ordinal"
    assert by_outcome.loc["new_contacts", "test"] == "Kruskal-Wallis test"
    assert by_outcome.loc["presence", "test"] == "Welch ANOVA"
    assert by_outcome.loc["next_step", "test"].startswith("chi-square")
    assert by_outcome.loc["next_step_types__visit", "outcome_type"] == "binary"
    assert by_outcome.loc["recommend", "outcome_type"] == "nps"
    pw = result.pairwise
    assert set(pw.loc[pw.outcome == "worth_time", "test"]) == {"Brunner-Munzel test"}
    assert set(pw.loc[pw.outcome == "presence", "effect_name"]) == {"Hedges' g"}
    assert set(pw.loc[pw.outcome == "next_step", "difference_method"]) == {"Newcombe hybrid score"}
    # 4 modes -> 6 pairs per outcome; an item asked only of two modes -> 1 pair
    sizes = pw.groupby("outcome").size()
    assert sizes.pop("would_attend_in_person") == 1
    assert (sizes == 6).all()


def test_ordinal_omnibus_equals_scipy_kruskal_on_raw_values(result):
    from scipy import stats

    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    samples = [
        frame.loc[frame["mode"] == m, "worth_time"].dropna().astype(int)
        for m in ["in_person", "virtual", "hybrid_onsite", "hybrid_remote"]
    ]
    ref = stats.kruskal(*samples)
    row = result.comparisons.set_index("outcome").loc["worth_time"]
    assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-8)
    bm = stats.brunnermunzel(samples[1], samples[0])  # scipy: positive when 2nd is larger
    pw = result.pairwise.set_index(["outcome", "group_a", "group_b"])
    assert pw.loc[("worth_time", "in_person", "virtual"), "statistic"] == pytest.approx(
        bm.statistic, rel=1e-10
    )


def test_holm_within_outcome_and_bh_across_run(result):
    pw = result.pairwise
    for _, family in pw.groupby("outcome"):
        assert family["p_holm"].to_numpy() == pytest.approx(
            holm(family["p_value"].to_numpy()), nan_ok=True
        )
    all_p = np.concatenate([result.comparisons["p_value"], pw["p_value"]]).astype(float)
    fdr = benjamini_hochberg(all_p)
    assert result.comparisons["p_fdr"].to_numpy(dtype=float) == pytest.approx(
        fdr[: len(result.comparisons)], nan_ok=True
    )
    assert (pw["p_fdr"].dropna() >= pw["p_value"].dropna() - 1e-15).all()


def test_planted_difference_is_found_and_described_without_causal_words(result):
    f = result.findings
    diffs = f[f.kind == "difference"]
    assert {"worth_time", "presence"} <= set(diffs.outcome)
    virt = diffs[(diffs.outcome == "worth_time") & (diffs.group_b == "virtual")]
    assert len(virt) >= 1
    sentence = virt.sentence.iloc[0]
    assert sentence.startswith("In person participants")
    assert "more often than Virtual participants" in sentence
    assert "95% CI" in sentence
    for text in f.sentence:
        assert not any(word in text.lower() for word in CAUSAL_WORDS), text


def test_no_difference_gives_not_detectable_sentence():
    frame = post_engagement_frame(600, seed=4)
    res = analyze(frame, INST, AnalysisOptions(outcomes=("presence",)))
    f = res.findings
    if res.comparisons.loc[0, "p_fdr"] >= 0.05:
        assert f.kind.tolist() == ["not_detectable"]
        assert "not evidence that the modes are alike" in f.sentence.iloc[0]


def test_descriptives_top2box_and_levels(result):
    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    d = result.descriptives.set_index(["outcome", "group"])
    sub = frame.loc[frame["mode"] == "virtual", "worth_time"].dropna()
    row = d.loc[("worth_time", "virtual")]
    assert row["n"] == len(sub)
    assert row["mean"] == pytest.approx(sub.astype(float).mean())
    assert row["median"] == pytest.approx(sub.astype(float).median())
    assert row["share"] == pytest.approx((sub >= 4).mean())
    assert row["share_ci_low"] < row["share"] < row["share_ci_high"]
    assert row["missing"] == (frame["mode"] == "virtual").sum() - len(sub)
    lv = result.levels
    lv_v = lv[(lv.outcome == "worth_time") & (lv.group == "virtual") & (lv.level != "na")]
    assert lv_v["count"].sum() == len(sub)
    assert lv_v["label"].tolist()[-1] == "Strongly agree"


def test_nps_descriptive():
    frame = pd.DataFrame(
        {
            "mode": ["in_person"] * 20 + ["virtual"] * 20,
            "recommend": pd.array([10] * 10 + [8] * 5 + [3] * 5 + [9] * 4 + [5] * 16, "Int64"),
        }
    )
    res = analyze(frame, INST, AnalysisOptions(outcomes=("recommend",)))
    d = res.descriptives.set_index("group")
    assert d.loc["in_person", "nps"] == pytest.approx(100 * (10 - 5) / 20)
    assert d.loc["virtual", "nps"] == pytest.approx(100 * (4 - 16) / 20)
    pw = res.pairwise.iloc[0]
    assert pw["difference"] == pytest.approx(25 - (-60))


def test_small_group_suppressed_with_its_complement():
    frame = post_engagement_frame(400, seed=0, mode_p=(0.6, 0.35, 0.015, 0.035))
    counts = frame["mode"].value_counts()
    assert counts["hybrid_onsite"] < 10 <= counts["hybrid_remote"]
    res = analyze(frame, INST, AnalysisOptions(outcomes=("presence",), min_cell=10))
    d = res.descriptives.set_index("group")
    assert bool(d.loc["hybrid_onsite", "suppressed"])
    assert np.isnan(d.loc["hybrid_onsite", "n"]) and np.isnan(d.loc["hybrid_onsite", "mean"])
    # complementary: the next smallest group is hidden too, so total - shown reveals nothing
    assert bool(d.loc["hybrid_remote", "suppressed"])
    pw = res.pairwise
    hidden = pw[pw.suppressed]
    assert len(hidden) == 5 and hidden["p_value"].isna().all()
    assert "suppressed groups left out" in res.comparisons.loc[0, "note"]
    assert (res.findings.kind == "suppressed").any()


def test_select_multiple_uses_only_people_asked(result):
    row = result.comparisons.set_index("outcome").loc["next_step_types__meeting"]
    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    assert row["n"] == frame["next_step_types__meeting"].notna().sum()


def test_metadata_records_run(result):
    meta = result.metadata
    assert meta["instrument_id"] == "post_engagement" and meta["instrument_version"] == "1.0.0"
    assert meta["input_sha256"] == "abc" and meta["seed"] == 5
    assert meta["min_cell"] == 10 and meta["alpha"] == 0.05
    from evalkit import __version__

    assert meta["evalkit_version"] == __version__


def test_json_round_trip_has_no_nan(result):
    data = json.loads(result.to_json())
    assert set(data["tables"]) == set(COLUMNS)
    assert "NaN" not in result.to_json()
    assert len(data["tables"]["pairwise"]) == len(result.pairwise)


def test_seed_makes_bootstrap_reproducible():
    frame = post_engagement_frame(500, seed=8)
    opts = AnalysisOptions(outcomes=("new_contacts",), seed=3, n_boot=300)
    a, b = analyze(frame, INST, opts), analyze(frame, INST, opts)
    pd.testing.assert_frame_equal(a.pairwise, b.pairwise)
    c = analyze(frame, INST, AnalysisOptions(outcomes=("new_contacts",), seed=4, n_boot=300))
    assert not np.allclose(a.pairwise["difference_ci_low"], c.pairwise["difference_ci_low"])


def test_errors_name_the_problem():
    frame = post_engagement_frame(50, seed=1)
    with pytest.raises(UsageError, match="'nope' is not a column"):
        analyze(frame, INST, AnalysisOptions(by="nope"))
    with pytest.raises(UsageError, match="alpha"):
        analyze(frame, INST, AnalysisOptions(alpha=1.5))
    with pytest.raises(UsageError, match="min-cell"):
        analyze(frame, INST, AnalysisOptions(min_cell=-1))


def test_missing_choice_counted_not_analysed():
    frame = pd.DataFrame(
        {"mode": ["in_person"] * 12 + ["virtual"] * 12, "worth_time": ["5", "na", "4"] * 8}
    )
    res = analyze(frame, INST, AnalysisOptions(outcomes=("worth_time",), min_cell=1))
    d = res.descriptives.set_index("group")
    assert d.loc["in_person", "missing_choice"] == 4
    assert d.loc["in_person", "n"] == 8
    assert d.loc["in_person", "missing"] == 0
    lv = res.levels[(res.levels.group == "in_person") & (res.levels.level == "na")]
    assert lv["count"].tolist() == [4] and lv["label"].tolist() == ["Not applicable"]
    assert lv["share"].isna().all()


def test_no_personal_data_in_outputs(result):
    text = result.to_json()
    for item in INST.items:
        if item.pii:
            assert f'"{item.id}' not in text


def test_omnibus_effect_sizes_have_seeded_bootstrap_intervals(result):
    comp = result.comparisons.set_index("outcome")
    for outcome in ("worth_time", "next_step"):
        row = comp.loc[outcome]
        assert row["effect_ci_low"] <= row["effect"] <= row["effect_ci_high"], outcome
    from evalkit.analyze.ordinal import epsilon_squared_ci
    from evalkit.analyze.proportions import cramers_v_ci

    table = [[40, 30, 20, 10], [10, 20, 30, 40], [25, 25, 25, 25]]
    assert epsilon_squared_ci(table, seed=3) == epsilon_squared_ci(table, seed=3)
    wide = cramers_v_ci(table, seed=3)
    narrow = cramers_v_ci([[10 * x for x in row] for row in table], seed=3)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_count_mean_difference_interval_agrees_with_welch_at_large_n():
    # each group is resampled once for all its pairs; at this n the percentile bootstrap
    # interval of a mean difference is close to the normal-theory (Welch) interval
    frame = post_engagement_frame(20000, seed=8, shift={"virtual": -0.5})
    res = analyze(frame, INST, AnalysisOptions(outcomes=("new_contacts",), n_boot=2000))
    pairs = res.tables["pairwise"]
    assert len(pairs) == 6
    counts = frame["new_contacts"].astype(float)
    for row in pairs.itertuples():
        a = counts[frame["mode"] == row.group_a].dropna()
        b = counts[frame["mode"] == row.group_b].dropna()
        se = np.sqrt(a.var() / len(a) + b.var() / len(b))
        assert row.difference == pytest.approx(a.mean() - b.mean(), abs=1e-12)
        assert row.difference_ci_low == pytest.approx(row.difference - 1.96 * se, abs=0.15 * se)
        assert row.difference_ci_high == pytest.approx(row.difference + 1.96 * se, abs=0.15 * se)


def test_items_analysed_on_threads_give_the_one_thread_result(result, monkeypatch):
    """Outcomes are analysed on two threads: every table and row order as on one thread."""
    from evalkit.analyze import engine

    monkeypatch.setattr(engine, "_THREADS", 1)
    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    alone = analyze(frame, INST, AnalysisOptions(seed=5, n_boot=500), input_sha256="abc")
    assert alone.metadata == result.metadata
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(alone.tables[name], table, obj=name)
