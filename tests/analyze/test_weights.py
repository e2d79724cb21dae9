"""Survey weights: Kish n, linearised SEs, raking, and weighted runs of the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.weights import kish_n, load_margins, rake, weighted_mean
from evalkit.errors import DataError, UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")


def test_kish_effective_n():
    """Kish (1965): n_eff = (sum w)^2 / sum w^2; equal weights give n."""
    assert kish_n(np.full(50, 3.0)) == pytest.approx(50)
    assert kish_n([1, 1, 2, 4]) == pytest.approx(64 / 22)


def test_weighted_mean_se_equal_weights_is_textbook():
    """svymean with equal weights (as apisrs) reduces to mean and s / sqrt(n).

    R's published apisrs values are tested on the bundled data in test_survey_reference.py.
    """
    rng = np.random.default_rng(0)
    y = rng.normal(650, 130, 200)
    est = weighted_mean(y, np.full(200, 31.05))
    assert est.value == pytest.approx(y.mean())
    se = (est.ci_high - est.ci_low) / (2 * 1.959963984540054)
    assert se == pytest.approx(y.std(ddof=1) / np.sqrt(200))


def test_weighted_mean_ci_covers_population_mean_under_unequal_sampling():
    """Poisson sampling with inclusion probability rising with y: the unweighted mean is biased,
    the weighted (Hajek) mean with its linearised SE covers the population mean ~95%."""
    rng = np.random.default_rng(1)
    pop = rng.gamma(2.0, 10.0, 20_000)
    prob = np.clip(0.005 + pop / pop.sum() * 1000, 0, 1)
    truth = pop.mean()
    hits, biased = 0, 0
    reps = 600
    for _ in range(reps):
        take = rng.random(len(pop)) < prob
        est = weighted_mean(pop[take], 1 / prob[take])
        hits += est.ci_low <= truth <= est.ci_high
        biased += pop[take].mean() > truth
    assert 0.93 <= hits / reps <= 0.97
    assert biased / reps > 0.99


def test_rake_independent_table_has_closed_form():
    """A sample table proportional to row x column shares rakes in one pass to
    w_ij = (R_i / r_i)(C_j / c_j) (Deming & Stephan 1940)."""
    cells = {("f", "young"): 30, ("f", "old"): 45, ("m", "young"): 10, ("m", "old"): 15}
    rows = [k for k, n in cells.items() for _ in range(n)]
    df = pd.DataFrame(rows, columns=["sex", "age"])
    margins = {"sex": {"f": 0.5, "m": 0.5}, "age": {"young": 0.5, "old": 0.5}}
    w, report = rake(df, margins, upper=10)
    assert report.converged and report.iterations <= 2
    expected = {
        ("f", "young"): (0.5 / 0.75) * (0.5 / 0.4),
        ("m", "old"): (0.5 / 0.25) * (0.5 / 0.6),
    }
    scale = w[0] / expected[("f", "young")]
    assert w[-1] / scale == pytest.approx(expected[("m", "old")])
    shares = pd.Series(w).groupby(df["sex"]).sum() / w.sum()
    assert shares["f"] == pytest.approx(0.5)


def test_rake_matches_margins_and_reports_bounds():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], 500, p=[0.6, 0.3, 0.1]), "b": rng.choice(["u", "v"], 500)}
    )
    margins = {"a": {"x": 1, "y": 1, "z": 1}, "b": {"u": 30, "v": 70}}
    w, report = rake(df, margins, upper=10)
    assert report.converged
    share = pd.Series(w).groupby(df["a"]).sum() / w.sum()
    assert share.to_numpy() == pytest.approx([1 / 3] * 3, abs=1e-5)
    _, tight = rake(df, margins, lower=0.9, upper=1.1)
    assert not tight.converged and tight.n_trimmed > 0


def test_rake_errors():
    df = pd.DataFrame({"a": ["x", "q"]})
    with pytest.raises(DataError, match="'q' in 'a' has no population margin"):
        rake(df, {"a": {"x": 1}})
    with pytest.raises(UsageError, match="not a column"):
        rake(df, {"b": {"x": 1}})


def test_load_margins(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("mode: {in_person: 0.5, virtual: 0.5}\n")
    assert load_margins(path) == {"mode": {"in_person": 0.5, "virtual": 0.5}}
    path.write_text("mode: {in_person: lots}\n")
    with pytest.raises(DataError, match="not a non-negative number"):
        load_margins(path)


def test_weighted_engine_run_equal_weights_matches_unweighted_means():
    frame = post_engagement_frame(800, seed=3, shift={"virtual": -0.4})
    frame["w"] = 2.0
    res = analyze(frame, INST, AnalysisOptions(outcomes=("presence", "worth_time"), weights="w"))
    plain = analyze(frame, INST, AnalysisOptions(outcomes=("presence", "worth_time")))
    a = res.descriptives.set_index(["outcome", "group"])
    b = plain.descriptives.set_index(["outcome", "group"])
    assert a["mean"].to_numpy() == pytest.approx(b["mean"].to_numpy())
    assert a["share"].loc["worth_time"].to_numpy() == pytest.approx(
        b["share"].loc["worth_time"].to_numpy()
    )
    assert a["n_effective"].to_numpy() == pytest.approx(a["n"].to_numpy())
    assert set(res.comparisons.test) == {"Wald F test (linearised SE)"}
    assert res.metadata["weights"] == "w"


def test_raking_in_engine_records_report():
    frame = post_engagement_frame(800, seed=3)
    margins = {"mode": {"in_person": 1, "virtual": 1, "hybrid_onsite": 1, "hybrid_remote": 1}}
    res = analyze(frame, INST, AnalysisOptions(outcomes=("presence",), margins=margins))
    assert res.metadata["rake_converged"] is True
    assert res.metadata["kish_n_effective"] < len(frame)


def test_bad_weights_rejected():
    frame = post_engagement_frame(50, seed=3)
    frame["w"] = -1.0
    with pytest.raises(DataError, match="must be positive"):
        analyze(frame, INST, AnalysisOptions(weights="w"))


def test_weighted_engine_pairs_are_svyttest_on_the_pair_with_four_modes():
    """With four modes, unequal weights and missing answers, each weighted pair is the
    two-group design t (R: svyttest on subset(design, mode %in% c(a, b))): the other modes
    and the unanswered rows stay in the design (SE factor n/(n-1), n = all weighted rows),
    df = n_a + n_b - 2 answered rows."""
    from evalkit.analyze.weights import weighted_t_test

    frame = post_engagement_frame(600, seed=4, shift={"virtual": -0.3})
    rng = np.random.default_rng(4)
    frame["w"] = np.exp(rng.normal(0, 0.7, len(frame)))
    res = analyze(frame, INST, AnalysisOptions(outcomes=("new_contacts",), weights="w"))
    row = res.pairwise.set_index(["group_a", "group_b"]).loc[("in_person", "virtual")]
    mode = frame["mode"].astype(str).to_numpy()
    codes = np.select([mode == "in_person", mode == "virtual"], [0, 1], -1)
    y = frame["new_contacts"].to_numpy(dtype=float, na_value=np.nan)
    test, diff = weighted_t_test(y, codes, frame["w"].to_numpy())
    answered = ~np.isnan(y) & (codes >= 0)
    assert row.df == answered.sum() - 2 == test.df
    assert row.statistic == pytest.approx(test.statistic, rel=1e-12)
    assert row.difference_ci_low == pytest.approx(diff.ci_low, rel=1e-12)
    omnibus = res.comparisons.iloc[0]
    assert omnibus.test == "Wald F test (linearised SE)"
    assert omnibus.df == 3 and omnibus.df2 == (~np.isnan(y)).sum() - 4


def test_weighted_select_one_rao_scott_leaves_out_suppressed_modes():
    """A mode below --min-cell (and the complementary one) is left out of the Rao-Scott table."""
    from evalkit.analyze.weights import rao_scott_test

    frame = post_engagement_frame(400, seed=6, mode_p=(0.5, 0.3, 0.18, 0.02))
    frame["w"] = np.exp(np.random.default_rng(6).normal(0, 0.5, len(frame)))
    res = analyze(frame, INST, AnalysisOptions(outcomes=("next_step",), weights="w"))
    row = res.comparisons.iloc[0]
    assert row.test == "Rao-Scott F test (design-based chi-square)" and row.suppressed
    shown = res.descriptives.loc[~res.descriptives.suppressed, "group"].tolist()
    assert len(shown) == row.n_groups == 2
    mode = frame["mode"].astype(str).to_numpy()
    groups = np.select([mode == shown[0], mode == shown[1]], [0, 1], -1)
    answers = pd.Categorical(frame["next_step"], categories=["yes", "no", "not_yet"]).codes
    expected = rao_scott_test(answers.astype(np.int64), groups, frame["w"].to_numpy())
    assert row.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert row.df2 == pytest.approx(expected.df2)
