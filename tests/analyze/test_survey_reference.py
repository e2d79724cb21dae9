"""Survey weighting against R ``survey`` 4.5 on the api data (REFERENCE_VALUES.md "Survey weights").

The data are R's ``data(api)`` (tests/analyze/data/README.md). The R numbers are those of
REFERENCE_VALUES.md, which are the fixtures R ``survey`` 4.5 wrote for the public repository
xKDR/Survey.jl (``test/r_reference/*.csv``): full double precision, so the tolerances are tight.
Nothing here compares evalkit with its own earlier output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze.weights import rake, rao_scott_test, weighted_mean, weighted_t_test
from evalkit.errors import UsageError

DATA = Path(__file__).parent / "data"
Z975 = 1.959963984540054  # qnorm(0.975)

# population margins of the api population (R ?rake example)
POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
MARGINS = {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE}
# rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)): weights(rk) take one
# value per stype x sch.wide cell (the base weights are constant); Survey.jl rake_weights.csv
R_RAKE_WEIGHTS = {
    ("E", "Yes"): 29.8704638727345,
    ("E", "No"): 39.838509410554,
    ("H", "Yes"): 50.3301527726748,
    ("H", "No"): 67.1257826263303,
    ("M", "Yes"): 36.7921816646831,
    ("M", "No"): 49.0700673992951,
}


@pytest.fixture(scope="module")
def apisrs() -> pd.DataFrame:
    return pd.read_csv(DATA / "apisrs.csv", dtype={"cds": str})


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "apiclus1.csv", dtype={"cds": str})


def test_bundled_data_are_the_r_samples(apisrs, apiclus1):
    """apisrs: 200 of 6194 schools, pw = 6194/200; apiclus1: 15 districts, 183 schools,
    svymean(~api00, dclus1) = 644.1694 (R ?svymean), table(apiclus1$stype) = 144/14/25."""
    assert len(apisrs) == 200 and apisrs.cds.is_unique
    assert apisrs.pw.sum() == pytest.approx(6194)
    assert (apisrs.fpc == 6194).all()
    assert len(apiclus1) == 183 and apiclus1.dnum.nunique() == 15
    assert apiclus1.stype.value_counts().to_dict() == {"E": 144, "M": 25, "H": 14}
    assert weighted_mean(apiclus1.api00, apiclus1.pw).value == pytest.approx(
        644.169398907104, rel=1e-12
    )


def test_svymean_apisrs(apisrs):
    """svymean(~api00, svydesign(id=~1, weights=~pw, data=apisrs)): 656.585, SE 9.40277217088064."""
    est = weighted_mean(apisrs.api00, apisrs.pw)
    assert est.value == pytest.approx(656.585, rel=1e-12)
    se = (est.ci_high - est.value) / Z975
    assert se == pytest.approx(9.40277217088064, rel=1e-9)


def test_svymean_apisrs_with_fpc(apisrs):
    """svydesign(id=~1, fpc=~fpc, data=apisrs): SE 9.2497220392828 (sampling without
    replacement, 200 of 6194 schools); fpc as the sampling fraction gives the same."""
    est = weighted_mean(apisrs.api00, apisrs.pw, fpc=apisrs.fpc)
    assert est.value == pytest.approx(656.585, rel=1e-12)
    assert (est.ci_high - est.value) / Z975 == pytest.approx(9.2497220392828, rel=1e-9)
    as_fraction = weighted_mean(apisrs.api00, apisrs.pw, fpc=200 / 6194)
    assert as_fraction.ci_high == pytest.approx(est.ci_high, rel=1e-12)


def test_fpc_errors(apisrs):
    with pytest.raises(UsageError, match="one positive population size"):
        weighted_mean(apisrs.api00, apisrs.pw, fpc=np.arange(200) + 1000)
    with pytest.raises(UsageError, match="smaller than the sample"):
        weighted_mean(apisrs.api00, apisrs.pw, fpc=150)


def test_svyttest_apisrs(apisrs):
    """svyttest(api00 ~ comp.imp, dsrs): difference 50.7955336101449, t = 2.73793972735426,
    df = 198, p = 0.00674596667841804, 95% CI 14.2097464671882 to 87.3813207531015."""
    codes = np.where(apisrs["comp.imp"] == "Yes", 0, 1)  # difference Yes - No, as R's coef
    test, diff = weighted_t_test(apisrs.api00, codes, apisrs.pw)
    assert diff.value == pytest.approx(50.7955336101449, rel=1e-12)
    assert test.statistic == pytest.approx(2.73793972735426, rel=1e-9)
    assert test.df == 198
    assert test.p_value == pytest.approx(0.00674596667841804, rel=1e-7)
    assert diff.ci_low == pytest.approx(14.2097464671882, rel=1e-8)
    assert diff.ci_high == pytest.approx(87.3813207531015, rel=1e-8)


def test_svychisq_apisrs(apisrs):
    """svychisq(~stype + awards, dsrs) (Rao-Scott, statistic = "F"): F = 8.73670415506363,
    df = (2, 398), p = 0.0001934764159777."""
    stype = pd.Categorical(apisrs.stype).codes
    awards = pd.Categorical(apisrs.awards).codes
    res = rao_scott_test(stype, awards, apisrs.pw)
    assert res.statistic == pytest.approx(8.73670415506363, rel=1e-9)
    assert res.df == pytest.approx(2, rel=1e-9)
    assert res.df2 == pytest.approx(398, rel=1e-9)
    assert res.p_value == pytest.approx(0.0001934764159777, rel=1e-7)
    # the table's orientation does not matter
    assert rao_scott_test(awards, stype, apisrs.pw).statistic == pytest.approx(res.statistic)


def _cell_weights(frame: pd.DataFrame, w: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """Weights rescaled to the population total (6194), by stype x sch.wide cell."""
    scaled = w * sum(POP_STYPE.values()) / w.sum()
    cells = pd.Series(scaled).groupby([frame["stype"], frame["sch.wide"]])
    return {key: group.to_numpy() for key, group in cells}


def test_rake_apiclus1_reproduces_r_rake(apiclus1):
    """R's rake() stops when the stype x sch.wide table of weights moves by less than
    epsilon = 1 (a count) between passes: after pass 4 here. evalkit's rake with the same four
    passes and no bounds gives R's weights and R's mean api00, 641.230246862208."""
    base = apiclus1.pw.to_numpy()

    def joint_table(passes: int) -> np.ndarray:
        w, _ = rake(apiclus1, MARGINS, base, lower=0, upper=np.inf, tol=0, max_iter=passes)
        total = sum(POP_STYPE.values())
        return pd.Series(w * total / w.sum()).groupby([apiclus1.stype, apiclus1["sch.wide"]]).sum()

    moves = [np.max(np.abs(joint_table(p + 1) - joint_table(p))) for p in (2, 3)]
    assert moves[0] >= 1 > moves[1]  # so R stops after pass 4

    w, report = rake(apiclus1, MARGINS, base, lower=0, upper=np.inf, tol=0, max_iter=4)
    assert report.iterations == 4 and report.n_trimmed == 0
    for cell, values in _cell_weights(apiclus1, w).items():
        assert values == pytest.approx(R_RAKE_WEIGHTS[cell], rel=1e-12), cell
    mean = np.sum(w * apiclus1.api00) / w.sum()
    assert mean == pytest.approx(641.230246862208, rel=1e-12)


def test_rake_apiclus1_defaults_within_bounds_and_close_to_r(apiclus1):
    """With evalkit's defaults (bounds 0.2-5 x mean weight, margin error < 1e-6) no weight is
    trimmed, and the mean differs from R's by less than 2e-7 relatively: R stops one pass
    earlier (epsilon = 1 count), evalkit iterates to the exact margins."""
    w, report = rake(apiclus1, MARGINS, apiclus1.pw.to_numpy())
    assert report.converged and report.n_trimmed == 0
    assert w.min() > 0.2 and w.max() < 5  # weights are relative to their mean (1)
    shares = pd.Series(w).groupby(apiclus1.stype).sum() / w.sum()
    assert shares["H"] == pytest.approx(755 / 6194, abs=1e-6)
    mean = np.sum(w * apiclus1.api00) / w.sum()
    assert mean == pytest.approx(641.230246862208, rel=2e-7)
    assert mean != pytest.approx(641.230246862208, rel=1e-9)  # the documented difference


API_INSTRUMENT = """\
id: api_schools
version: 1.0.0
title: API schools (R survey's data(api), for reference tests)
languages: [en]
choice_lists:
  stype:
    - {value: E, label: Elementary}
    - {value: H, label: High}
    - {value: M, label: Middle}
  yes_no:
    - {value: "Yes", label: "Yes"}
    - {value: "No", label: "No"}
items:
  - {id: stype, type: select_one, choices: stype, role: group, text: School type}
  - {id: comp_imp, type: select_one, choices: yes_no, role: covariate, text: Comparable improvement}
  - {id: awards, type: select_one, choices: yes_no, role: outcome, text: Eligible for awards}
  - {id: api00, type: decimal, role: outcome, text: API in 2000}
"""


@pytest.fixture(scope="module")
def api_engine_inputs(apisrs, tmp_path_factory):
    from evalkit.instrument import load_instrument

    path = tmp_path_factory.mktemp("api") / "api_schools.yaml"
    path.write_text(API_INSTRUMENT, encoding="utf-8")
    frame = apisrs.rename(columns={"comp.imp": "comp_imp"})[
        ["stype", "comp_imp", "awards", "api00", "pw"]
    ]
    return frame, load_instrument(str(path))


def test_engine_weighted_pair_is_svyttest(api_engine_inputs):
    """evalkit analyze --weights pw --by comp_imp: the pairwise row for api00 is R's svyttest."""
    from evalkit.analyze import AnalysisOptions, analyze

    frame, inst = api_engine_inputs
    res = analyze(frame, inst, AnalysisOptions(by="comp_imp", weights="pw", outcomes=("api00",)))
    row = res.pairwise.iloc[0]
    assert (row.group_a, row.group_b) == ("Yes", "No")
    assert row.difference == pytest.approx(50.7955336101449, rel=1e-12)
    assert row.statistic == pytest.approx(2.73793972735426, rel=1e-9)
    assert row.df == 198
    assert row.p_value == pytest.approx(0.00674596667841804, rel=1e-7)
    assert row.difference_ci_low == pytest.approx(14.2097464671882, rel=1e-8)
    # two groups: the Wald F omnibus is the square of that t on (1, 198) df
    omnibus = res.comparisons.iloc[0]
    assert omnibus.statistic == pytest.approx(2.73793972735426**2, rel=1e-9)
    assert (omnibus.df, omnibus.df2) == (1, 198)
    assert omnibus.p_value == pytest.approx(0.00674596667841804, rel=1e-7)
    # the group SEs are svyby's domain SEs: the difference SE is their root sum of squares
    d = res.descriptives.set_index("group")
    se = np.hypot(d.loc["Yes", "mean_se"], d.loc["No", "mean_se"])
    assert se == pytest.approx(50.7955336101449 / 2.73793972735426, rel=1e-9)


def test_engine_weighted_select_one_omnibus_is_svychisq(api_engine_inputs):
    """evalkit analyze --weights pw (groups: stype): awards gets R's svychisq Rao-Scott F."""
    from evalkit.analyze import AnalysisOptions, analyze

    frame, inst = api_engine_inputs
    res = analyze(frame, inst, AnalysisOptions(weights="pw", outcomes=("awards",)))
    row = res.comparisons.iloc[0]
    assert row.test == "Rao-Scott F test (design-based chi-square)"
    assert row.statistic == pytest.approx(8.73670415506363, rel=1e-9)
    assert (row.df, row.df2) == (pytest.approx(2), pytest.approx(398))
    assert row.p_value == pytest.approx(0.0001934764159777, rel=1e-7)


def test_design_based_tests_hold_alpha_with_unequal_weights():
    """The api samples have equal weights; with strongly unequal weights (log-normal, sd 1,
    design effect about 1 + CV^2 = 2.7) and no association, the Rao-Scott F and the design t
    reject about 5% of the time, while Pearson's X^2 on the weighted table scaled to n
    (ignoring the design effect) rejects far more often. (With such weights the Rao-Scott F is
    somewhat liberal in small samples, about 7% at n = 400; docs/methods.md.)"""
    rng = np.random.default_rng(5)
    reps, n = 600, 1500
    rs, naive, tt = 0, 0, 0
    for _ in range(reps):
        g = rng.choice(3, n, p=[0.5, 0.3, 0.2])
        c = (rng.random(n) < 0.4).astype(np.int64)
        w = np.exp(rng.normal(0, 1, n))
        rs += rao_scott_test(c, g, w).p_value < 0.05
        table = np.zeros((2, 3))
        np.add.at(table, (c, g), w)
        table *= n / w.sum()
        expected = np.outer(table.sum(1), table.sum(0)) / n
        x2 = np.sum((table - expected) ** 2 / expected)
        naive += np.exp(-x2 / 2) < 0.05  # chi-square sf on 2 df
        codes = np.where(g == 2, -1, g)
        tt += weighted_t_test(rng.normal(0, 1, n), codes, w)[0].p_value < 0.05
    assert 0.03 <= rs / reps <= 0.075
    assert 0.03 <= tt / reps <= 0.075
    assert naive / reps > 0.15


def test_rao_scott_degenerate_tables_give_nan_not_errors():
    """One answer only, or no complete rows: no test (NaN), no exception."""
    w = np.ones(6)
    one_level = rao_scott_test(np.zeros(6, dtype=int), np.array([0, 0, 1, 1, 2, 2]), w)
    assert np.isnan(one_level.statistic) and np.isnan(one_level.p_value)
    none = rao_scott_test(np.full(6, -1), np.array([0, 0, 1, 1, 2, 2]), w)
    assert np.isnan(none.statistic)
