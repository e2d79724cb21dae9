"""Stratified, cluster and two-stage designs (evalkit.analyze.survey) against R survey.

R 4.2.2 with survey 4.1-1 (Debian r-base-core, r-cran-survey), ``data(api)``, computed once
and written here (tests/analyze/data/README.md says where the CSV copies come from):
  dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)
  dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)
  dclus2 <- svydesign(id=~dnum+snum, weights=~pw, fpc=~fpc1+fpc2, data=apiclus2)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze.survey import (
    design_total,
    domain_difference,
    domain_means,
    sample_design,
    wald_domains,
)
from evalkit.analyze.weights import rao_scott_first_order, rao_scott_test
from evalkit.errors import DataError

DATA = Path(__file__).parent / "data"
DESIGNS = {
    "dstrat": ("apistrat", {"strata": "stype", "fpc": "fpc"}),
    "dclus1": ("apiclus1", {"cluster": "dnum", "fpc": "fpc"}),
    "dclus2": ("apiclus2", {"cluster": "dnum/snum", "fpc": "fpc1/fpc2"}),
}


def _design(name: str):
    file, args = DESIGNS[name]
    frame = pd.read_csv(DATA / f"{file}.csv", dtype={"cds": str})
    return frame, sample_design(frame, frame.pw.to_numpy(), **args)


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0].astype(np.int64)


# svychisq(~sch.wide+stype, d): F, ndf, ddf, p; statistic="Chisq": X^2 (unadjusted), its p
SVYCHISQ = {
    "dstrat": (17.2474439638888, 1.82867150416358, 360.248286320226, 2.03504635946512e-07,
               26.7535340358908, 3.23243841628859e-08),
    "dclus1": (5.19336954147488, 1.49463977770746, 20.9249568879044, 0.0217474623707969,
               11.9408920807453, 0.00555326330311322),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SVYCHISQ))
def test_svychisq_second_and_first_order(name):
    """The second-order F with non-integer df (ddf = ndf x degf: 197 and 14), and the
    first-order chi-square X^2 / mean(eigenvalues of Delta) on 2 df beside it."""
    frame, d = _design(name)
    f, ndf, ddf, p, x2, p1 = SVYCHISQ[name]
    rows, cols, w = _codes(frame["sch.wide"]), _codes(frame.stype), frame.pw.to_numpy()
    res = rao_scott_test(rows, cols, w, design=d)
    assert res.statistic == pytest.approx(f, rel=1e-10)
    assert res.df == pytest.approx(ndf, rel=1e-10)
    assert res.df2 == pytest.approx(ddf, rel=1e-10)
    assert res.p_value == pytest.approx(p, rel=1e-8)
    first = rao_scott_first_order(rows, cols, w, design=d)
    assert first.df == 2
    assert first.df2 == pytest.approx(x2, rel=1e-10)  # R prints this unadjusted X^2
    assert first.statistic == pytest.approx(2 * f, rel=1e-10)  # X^2 / (tr(Delta) / 2)
    assert first.p_value == pytest.approx(p1, rel=1e-8)


def test_svychisq_two_stage():
    """svychisq(~sch.wide+stype, dclus2): F = 11.8727451425609, ndf = 1.38249880859244,
    ddf = 53.9174535351051 (degf 39), p = 3.22114662438083e-04."""
    frame, d = _design("dclus2")
    res = rao_scott_test(_codes(frame["sch.wide"]), _codes(frame.stype), frame.pw.to_numpy(),
                         design=d)  # fmt: skip
    assert d.degf == 39
    assert (res.statistic, res.df, res.df2) == (
        pytest.approx(11.8727451425609, rel=1e-10),
        pytest.approx(1.38249880859244, rel=1e-10),
        pytest.approx(53.9174535351051, rel=1e-10),
    )
    assert res.p_value == pytest.approx(3.22114662438083e-04, rel=1e-8)


# svyttest(api00~sch.wide, d): t, df, p, difference (Yes - No), CI
SVYTTEST = {
    "dstrat": (3.8683819081027, 196, 0.000149054470775805, 82.7835854421897,
               40.5796549084546, 124.987515975925),
    "dclus1": (2.10898984779292, 13, 0.0549088170890467, 41.3190217391304,
               -1.00660613164295, 83.6446496099038),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SVYTTEST))
def test_svyttest_with_design_df(name):
    frame, d = _design(name)
    t, df, p, diff, low, high = SVYTTEST[name]
    test, est = domain_difference(
        _codes(frame["sch.wide"]), frame.api00.to_numpy(float), frame.pw.to_numpy(), (0, 1), d
    )
    assert test.statistic == pytest.approx(t, rel=1e-10)
    assert test.df == df
    assert test.p_value == pytest.approx(p, rel=1e-8)
    assert est.value == pytest.approx(diff, rel=1e-12)
    assert (est.ci_low, est.ci_high) == (pytest.approx(low, rel=1e-9), pytest.approx(high))


# svyttest(api00~stype, subset(d, stype %in% c("E","M"))): t, df, p, M - E, CI
SUBSET_TTEST = {
    "dstrat": (-1.854227895027309, 147, 0.0657103313035522, -37.83, -78.149157249227386,
               2.4891572492273966),
    "dclus1": (-1.215566799176797, 13, 0.245764334312516, -17.428055555555495,
               -48.402104033033041, 13.545992921922050),
    "dclus2": (-1.9942289949451644, 33, 0.0544431526218585, -50.4584008667389057,
               -101.9361342205426411, 1.0193324870648368),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SUBSET_TTEST))
def test_svyttest_of_two_of_three_domains(name):
    """The third type (H) stays in the design; df is the subset's: dstrat 150 PSUs in 2
    strata - 1 = 147."""
    frame, d = _design(name)
    t, df, p, diff, low, high = SUBSET_TTEST[name]
    codes = _codes(frame.stype)  # E 0, H 1, M 2
    test, est = domain_difference(codes, frame.api00.to_numpy(float), frame.pw.to_numpy(),
                                  (0, 2), d)  # fmt: skip
    assert test.statistic == pytest.approx(t, rel=1e-10)
    assert test.df == df
    assert test.p_value == pytest.approx(p, rel=1e-8)
    assert est.value == pytest.approx(diff, rel=1e-12)
    assert est.ci_low == pytest.approx(low, rel=1e-9)
    assert est.ci_high == pytest.approx(high, rel=1e-8)


# regTermTest(svyglm(api00~stype, d), ~stype): F, ndf, ddf, p
REGTERMTEST = {
    "dstrat": (3.5979729975279526, 2, 195, 0.0292120031244502),
    "dclus1": (1.278200742517776, 2, 12, 0.313879768243218),
    "dclus2": (9.88803390269672, 2, 37, 3.62805317669845e-04),
}


@pytest.mark.parametrize("name", sorted(REGTERMTEST))
def test_wald_f_of_correlated_domain_means(name):
    frame, d = _design(name)
    f, ndf, ddf, p = REGTERMTEST[name]
    _, mean, cov, _, _ = domain_means(_codes(frame.stype), frame.api00.to_numpy(float),
                                      frame.pw.to_numpy(), 3, d)  # fmt: skip
    res = wald_domains(mean, cov, d.degf + 1 - 3)
    assert res.statistic == pytest.approx(f, rel=1e-10)
    assert (res.df, res.df2) == (ndf, ddf)
    assert res.p_value == pytest.approx(p, rel=1e-8)


# svytotal(~enroll, d, deff=TRUE, na.rm=TRUE): total, SE, DEff (R prints DEff to 7 digits)
SVYTOTAL = {
    "dstrat": (3687177.5324383, 114641.7161008, 0.36202),
    "dclus1": (3404940.1345291, 932235.0270412, 31.31066),
    "dclus2": (2639272.93, 799637.7736484, 24.19401),
}


@pytest.mark.parametrize("name", sorted(SVYTOTAL))
def test_svytotal_with_deff(name):
    frame, d = _design(name)
    total, se, deff = SVYTOTAL[name]
    got = design_total(frame.enroll.to_numpy(float), frame.pw.to_numpy(), d)
    assert got[0] == pytest.approx(total, rel=1e-12)
    assert got[1] == pytest.approx(se, rel=1e-11)
    assert got[2] == pytest.approx(deff, abs=5e-6)


def test_svymean_two_stage():
    """svymean(~api00, dclus2, deff=TRUE): 670.81180811808, SE 30.09902737684, DEff 6.25051;
    without the second fpc R's variance is the ultimate cluster's: SE 29.8891624724711 with
    fpc=~fpc1 (one stage), 30.7115763093288 with no fpc at all."""
    frame, d = _design("dclus2")
    y, w, one = frame.api00.to_numpy(float), frame.pw.to_numpy(), np.zeros(len(frame), int)
    _, mean, cov, deff, _ = domain_means(one, y, w, 1, d)
    assert mean[0] == pytest.approx(670.81180811808, rel=1e-12)
    assert np.sqrt(cov[0, 0]) == pytest.approx(30.09902737684, rel=1e-11)
    assert deff[0] == pytest.approx(6.25051, abs=5e-6)
    one_stage = sample_design(frame, w, cluster="dnum/snum", fpc="fpc1")
    se = np.sqrt(domain_means(one, y, w, 1, one_stage)[2][0, 0])
    assert se == pytest.approx(29.8891624724711, rel=1e-11)
    no_fpc = sample_design(frame, w, cluster="dnum/snum")
    se = np.sqrt(domain_means(one, y, w, 1, no_fpc)[2][0, 0])
    assert se == pytest.approx(30.7115763093288, rel=1e-11)


def test_two_stage_lonely_unit_sampled_with_certainty_is_not_an_error():
    """Ten districts of apiclus2 have one sampled school, each the district's only one (fpc2
    = 1): R's default survey.lonely.psu = "fail" passes them (they add no variance). With a
    population of two schools the lone school is an error that names the fix."""
    frame = pd.read_csv(DATA / "apiclus2.csv", dtype={"cds": str})
    alone = frame.groupby("dnum").snum.transform("size") == 1
    assert int(alone.sum()) == 10 and set(frame.fpc2[alone]) == {1}
    frame.loc[alone, "fpc2"] = 2
    with pytest.raises(DataError, match=r"only one sampled unit of 'snum'.*--lonely-psu"):
        sample_design(frame, frame.pw.to_numpy(), cluster="dnum/snum", fpc="fpc1/fpc2")
