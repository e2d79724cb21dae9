"""Adjusted associations: regression adjustment, propensity weights, balance table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.adjust import adjusted_comparison, balance_table, propensity_weights
from evalkit.analyze.findings import CAUSAL_WORDS
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")


def _confounded(n=4000, seed=0):
    """Group b has higher x; y depends on x (slope 2) and on group (planted -0.5 for b)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    codes = (rng.random(n) < 1 / (1 + np.exp(-1.5 * x))).astype(np.int64)
    y = 2 * x - 0.5 * codes + rng.normal(0, 1, n)
    return codes, x, y


def test_regression_adjustment_recovers_planted_difference():
    codes, x, y = _confounded()
    raw = y[codes == 0].mean() - y[codes == 1].mean()
    assert raw < -1  # confounding: the raw difference has the wrong sign
    res = adjusted_comparison(y, codes, ["a", "b"], pd.DataFrame({"x": x}), "linear")
    row = res.pairs.iloc[0]
    assert row["estimate"] == pytest.approx(0.5, abs=0.1)
    assert row["ci_low"] < 0.5 < row["ci_high"]
    assert res.model == "least squares, HC3 robust SE"


def test_ordinal_and_logistic_models_run_and_report_ratios():
    codes, x, y = _confounded(2000, seed=1)
    levels = np.digitize(y, [-2, -0.5, 0.5, 2]) + 1.0
    res = adjusted_comparison(levels, codes, ["a", "b"], pd.DataFrame({"x": x}), "ordinal")
    assert res.effect_name == "adjusted cumulative odds ratio"
    assert res.pairs.iloc[0]["estimate"] > 1  # a (reference) higher than b at equal x
    binary = (y > 0).astype(float)
    res = adjusted_comparison(binary, codes, ["a", "b"], pd.DataFrame({"x": x}), "logistic")
    assert res.effect_name == "adjusted odds ratio" and res.pairs.iloc[0]["estimate"] > 1


def test_overlap_weights_balance_means_exactly():
    """Li, Morgan & Zaslavsky (2018): with a logistic propensity model, overlap weights give
    exact balance of every covariate mean in the model."""
    codes, x, _ = _confounded(3000, seed=2)
    cov = pd.DataFrame({"x": x, "x2": x**2})
    w = propensity_weights(codes, cov, "overlap")
    table = balance_table(codes, ["a", "b"], cov, w)
    assert (table["smd_unweighted"].abs() > 0.3).any()
    assert table["smd_weighted"].abs().max() < 1e-6


def test_ipw_improves_balance():
    codes, x, _ = _confounded(3000, seed=3)
    cov = pd.DataFrame({"x": x})
    w = propensity_weights(codes, cov, "ipw")
    table = balance_table(codes, ["a", "b"], cov, w)
    assert abs(table["smd_weighted"].iloc[0]) < 0.1 < abs(table["smd_unweighted"].iloc[0])


def test_engine_adjusted_rows_are_labelled_and_held_apart():
    frame = post_engagement_frame(1500, seed=5, shift={"virtual": -0.4})
    res = analyze(
        frame, INST, AnalysisOptions(outcomes=("presence", "worth_time"), adjust=("drained",))
    )
    comp = res.comparisons
    adjusted = comp[comp.adjusted]
    assert len(adjusted) == 2
    assert all(n.startswith("adjusted association") for n in adjusted.note)
    pw = res.pairwise
    adj_pw = pw[pw.note.str.startswith("adjusted association")]
    assert len(adj_pw) == 12
    assert set(adj_pw.effect_name) == {
        "adjusted mean difference",
        "adjusted cumulative odds ratio",
    }
    assert set(res.balance.covariate) == {"drained"}
    assert (res.findings.kind == "adjusted").sum() == 2
    for text in res.findings.sentence:
        assert not any(word in text.lower() for word in CAUSAL_WORDS), text


def test_engine_propensity_weighting():
    frame = post_engagement_frame(1500, seed=6)
    res = analyze(
        frame,
        INST,
        AnalysisOptions(outcomes=("presence",), adjust=("drained",), propensity="overlap"),
    )
    assert res.comparisons["adjusted"].all()
    assert res.comparisons.note.iloc[0].startswith("adjusted association (overlap")
    assert res.balance["smd_weighted"].abs().max() < 0.02  # near-exact with four groups


def test_adjust_errors():
    frame = post_engagement_frame(200, seed=7)
    with pytest.raises(UsageError, match="covariate 'nope'"):
        analyze(frame, INST, AnalysisOptions(adjust=("nope",)))
    with pytest.raises(UsageError, match="needs covariates"):
        analyze(frame, INST, AnalysisOptions(propensity="ipw"))
