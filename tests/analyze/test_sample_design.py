"""Complex designs (evalkit.analyze.survey) against R survey on data(api).

R reference values (R 4.2, survey from Debian r-cran-survey), computed once and written here:
  dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)
  dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze.survey import domain_means, sample_design

DATA = Path(__file__).parent / "data"


def _one(frame):
    return np.zeros(len(frame), dtype=np.int64)


def test_svymean_stratified():
    """svymean(~api00, dstrat, deff=TRUE): 662.287363159321, SE 9.40894080278458, DEff 1.20446;
    degf(dstrat) = 197."""
    s = pd.read_csv(DATA / "apistrat.csv", dtype={"cds": str})
    d = sample_design(s, s.pw.to_numpy(), strata="stype", fpc="fpc")
    _, mean, cov, deff, _ = domain_means(_one(s), s.api00.to_numpy(float), s.pw.to_numpy(), 1, d)
    assert mean[0] == pytest.approx(662.287363159321, rel=1e-12)
    assert np.sqrt(cov[0, 0]) == pytest.approx(9.40894080278458, rel=1e-10)
    assert deff[0] == pytest.approx(1.20446, abs=5e-6)
    assert d.degf == 197


def test_svyby_cluster():
    """svymean(~api00, dclus1): 644.16939890710, SE 23.542240693781, DEff 9.34587;
    svyby(~api00, ~stype, dclus1, svymean, deff=TRUE): E 648.868055555556 (22.3624088938319,
    6.58367352502780), H 618.571428571429 (38.0202493594075, 2.22825931686862),
    M 631.44 (31.6094652272455, 2.16389972008046); degf(dclus1) = 14."""
    c = pd.read_csv(DATA / "apiclus1.csv", dtype={"cds": str})
    d = sample_design(c, c.pw.to_numpy(), cluster="dnum", fpc="fpc")
    y, w = c.api00.to_numpy(float), c.pw.to_numpy()
    _, mean, cov, deff, _ = domain_means(_one(c), y, w, 1, d)
    assert mean[0] == pytest.approx(644.16939890710, rel=1e-12)
    assert np.sqrt(cov[0, 0]) == pytest.approx(23.542240693781, rel=1e-10)
    assert deff[0] == pytest.approx(9.34587, abs=5e-6)
    codes = pd.factorize(c.stype, sort=True)[0]
    _, mean, cov, deff, _ = domain_means(codes, y, w, 3, d)
    assert mean == pytest.approx([648.868055555556, 618.571428571429, 631.44], rel=1e-12)
    se = np.sqrt(np.diag(cov))
    assert se == pytest.approx([22.3624088938319, 38.0202493594075, 31.6094652272455], rel=1e-10)
    assert deff == pytest.approx([6.58367352502780, 2.22825931686862, 2.16389972008046], rel=1e-9)
    assert d.degf == 14
