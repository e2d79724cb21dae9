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

from evalkit.analyze.weights import rake, weighted_mean

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
