"""``evalkit analyze --strata/--cluster/--fpc`` (issue 20, point 2): every comparison of the
engine is R survey's on the design (values from R 4.2.2, survey 4.1-1, ``data(api)``; see
test_survey_designs_r.py for the library functions)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument

DATA = Path(__file__).parent / "data"

INSTRUMENT = """\
id: api_designs
version: 1.0.0
title: API schools (R survey's data(api), for design tests)
languages: [en]
choice_lists:
  stype:
    - {value: E, label: Elementary}
    - {value: H, label: High}
    - {value: M, label: Middle}
  yes_no:
    - {value: "No", label: "No"}
    - {value: "Yes", label: "Yes"}
items:
  - {id: stype, type: select_one, choices: stype, role: group, text: School type}
  - {id: sch_wide, type: select_one, choices: yes_no, role: outcome, text: School-wide target met}
  - {id: api00, type: decimal, role: outcome, text: API in 2000}
  - {id: dnum, type: integer, role: context, text: District}
  - {id: fpc, type: decimal, role: context, text: Schools in the stratum}
  - {id: pw, type: decimal, role: weight, text: Sampling weight}
"""


@pytest.fixture(scope="module")
def inst_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "api_designs.yaml"
    path.write_text(INSTRUMENT, encoding="utf-8")
    return path


def _frame(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{name}.csv", dtype={"cds": str})
    return frame.rename(columns={"sch.wide": "sch_wide"})[
        ["stype", "sch_wide", "api00", "dnum", "fpc", "pw"]
    ]


def test_stratified_design_in_the_engine(inst_path):
    """dstrat, groups = school type: regTermTest(svyglm(api00~stype, dstrat), ~stype)
    F = 3.5979729975279526 on (2, 195), p = 0.0292120031244502; svyttest on the E and M
    schools t = 1.854227895027309 (E - M) on 147 df; svychisq(~sch.wide+stype, dstrat)
    F = 17.2474439638888 (1.82867150416358, 360.248286320226). The pw item has role: weight,
    so it is the weight without --weights."""
    res = analyze(_frame("apistrat"), load_instrument(inst_path),
                  AnalysisOptions(strata="stype", fpc="fpc"))  # fmt: skip
    assert res.metadata["weights"] == "pw"
    assert res.metadata["survey_design"]["degf"] == 197
    comp = res.comparisons.set_index("outcome")
    api = comp.loc["api00"]
    assert api.test == "Wald F test (linearised SE)"
    assert api.statistic == pytest.approx(3.5979729975279526, rel=1e-10)
    assert (api.df, api.df2) == (2, 195)
    assert api.p_value == pytest.approx(0.0292120031244502, rel=1e-8)
    pair = res.pairwise.set_index(["outcome", "group_a", "group_b"]).loc[("api00", "E", "M")]
    assert pair.difference == pytest.approx(37.83, rel=1e-12)
    assert pair.statistic == pytest.approx(1.854227895027309, rel=1e-10)
    assert pair.df == 147
    assert pair.p_value == pytest.approx(0.0657103313035522, rel=1e-8)
    assert pair.difference_ci_low == pytest.approx(-2.4891572492273966, rel=1e-8)
    chisq = comp.loc["sch_wide"]
    assert chisq.test == "Rao-Scott F test (design-based chi-square)"
    assert chisq.statistic == pytest.approx(17.2474439638888, rel=1e-10)
    assert chisq.df == pytest.approx(1.82867150416358, rel=1e-10)
    assert chisq.df2 == pytest.approx(360.248286320226, rel=1e-10)


def test_cluster_design_descriptives_carry_deff(inst_path):
    """dclus1: svyby(~api00, ~stype, dclus1, svymean, deff=TRUE): SE 22.3624088938319,
    38.0202493594075, 31.6094652272455; DEff 6.58367352502780, 2.22825931686862,
    2.16389972008046; effective n = n / deff. regTermTest F = 1.278200742517776 on (2, 12)."""
    res = analyze(_frame("apiclus1"), load_instrument(inst_path),
                  AnalysisOptions(cluster="dnum", fpc="fpc", weights="pw"))  # fmt: skip
    d = res.descriptives[res.descriptives.outcome == "api00"].set_index("group")
    se = [22.3624088938319, 38.0202493594075, 31.6094652272455]
    deff = [6.58367352502780, 2.22825931686862, 2.16389972008046]
    assert d.loc[["E", "H", "M"], "mean_se"].tolist() == pytest.approx(se, rel=1e-10)
    assert d.loc[["E", "H", "M"], "deff"].tolist() == pytest.approx(deff, rel=1e-9)
    assert (d.n / d.deff).tolist() == pytest.approx(d.n_effective.tolist(), rel=1e-12)
    api = res.comparisons.set_index("outcome").loc["api00"]
    assert api.statistic == pytest.approx(1.278200742517776, rel=1e-10)
    assert (api.df, api.df2) == (2, 12)
    assert api.note.startswith("survey design")


def test_design_without_weights_for_clusters_is_an_error(inst_path):
    frame = _frame("apiclus1").drop(columns="pw")
    with pytest.raises(UsageError, match="needs the sampling weights"):
        analyze(frame, load_instrument(inst_path), AnalysisOptions(cluster="dnum"))


def test_stratified_weights_from_fpc_alone(inst_path):
    """R derives the weights N_h / n_h from fpc when none are given: the same F as with pw
    (to 1e-6: data(api) stores pw in single precision, 44.2099990844727 for 4421 / 100)."""
    frame = _frame("apistrat")
    inst = load_instrument(inst_path)
    with_pw = analyze(frame, inst, AnalysisOptions(strata="stype", fpc="fpc"))
    derived = analyze(frame, inst, AnalysisOptions(strata="stype", fpc="fpc", weights="none"))
    a, b = with_pw.comparisons.statistic, derived.comparisons.statistic
    assert a.to_numpy() == pytest.approx(b.to_numpy(), rel=1e-6)


def test_cli_design_options(inst_path, tmp_path):
    from evalkit.cli.main import cli

    path = tmp_path / "apiclus1.csv"
    _frame("apiclus1").to_csv(path, index=False)
    args = ["analyze", "--frame", str(path), "--instrument", str(inst_path), "--cluster",
            "dnum", "--fpc", "fpc", "--json", "-"]  # fmt: skip
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    meta = json.loads(out.output)["metadata"]
    assert meta["survey_design"]["degf"] == 14 and meta["weights"] == "pw"
    bad = CliRunner().invoke(cli, [*args[:-2], "--lonely-psu", "adjust", "--cluster", "nope"])
    assert bad.exit_code != 0
    assert "'nope' is not in the responses" in bad.output
    assert "Traceback" not in bad.output
    assert np.isfinite(meta["kish_n_effective"])


def test_crosstab_with_a_cluster_design(inst_path):
    """evalkit crosstab --rows sch_wide --cols stype --cluster dnum --fpc fpc on apiclus1:
    svychisq(~sch.wide+stype, dclus1) F = 5.19336954147488 on (1.49463977770746,
    20.9249568879044), p = 0.0217474623707969; pw (role: weight) is the weight."""
    from evalkit.analyze.crosstab import crosstab

    res = crosstab(_frame("apiclus1"), load_instrument(inst_path), "sch_wide", "stype",
                   AnalysisOptions(cluster="dnum", fpc="fpc", n_boot=99))  # fmt: skip
    row = res.test.iloc[0]
    assert row.test == "Rao-Scott F test (design-based chi-square)"
    assert row.statistic == pytest.approx(5.19336954147488, rel=1e-10)
    assert (row.df, row.df2) == (pytest.approx(1.49463977770746, rel=1e-10),
                                 pytest.approx(20.9249568879044, rel=1e-10))  # fmt: skip
    assert row.p_value == pytest.approx(0.0217474623707969, rel=1e-8)
    assert res.metadata["weights"] == "pw"
    assert res.metadata["survey_design"]["degf"] == 14


def test_crosstab_cli_reads_the_design_columns(inst_path, tmp_path):
    """The CLI reads only the columns it names: the design's and the role: weight item must be
    among them (from a platform export)."""
    from evalkit.cli.main import cli

    path = tmp_path / "apiclus1.csv"
    frame = _frame("apiclus1")
    frame.insert(0, "response_id", [f"r{i}" for i in range(len(frame))])
    frame.to_csv(path, index=False)
    args = ["crosstab", str(path), "--platform", "generic", "--instrument", str(inst_path),
            "--rows", "sch_wide", "--cols", "stype", "--cluster", "dnum", "--fpc", "fpc",
            "--n-boot", "99", "--json", "-"]  # fmt: skip
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    test = json.loads(out.output)["tables"]["test"][0]
    assert test["statistic"] == pytest.approx(5.19336954147488, rel=1e-10)


def test_design_intervals_use_t_on_the_design_df_and_the_note_gives_first_order(inst_path):
    """dclus1 (14 df): the descriptives' interval is mean +- qt(0.975, 14) SE, R
    confint(svyby(...), df = degf(dclus1)): E 648.868055555556 +- 2.1447866879178 x
    22.3624088938319. The sch.wide x stype row's note carries the first-order chi-square,
    2 x F = 10.3867390829498 on 2 df, whose p is R svychisq(statistic = "Chisq")'s
    0.00555326330311322."""
    res = analyze(_frame("apiclus1"), load_instrument(inst_path),
                  AnalysisOptions(cluster="dnum", fpc="fpc"))  # fmt: skip
    e = res.descriptives.set_index(["outcome", "group"]).loc[("api00", "E")]
    half = 2.1447866879178039 * 22.3624088938319  # R: qt(0.975, 14)
    assert e.mean_ci_low == pytest.approx(648.868055555556 - half, rel=1e-10)
    assert e.mean_ci_high == pytest.approx(648.868055555556 + half, rel=1e-10)
    note = res.comparisons.set_index("outcome").loc["sch_wide", "note"]
    assert "first-order Rao-Scott chi-square 10.387 on 2 df, p = 0.00555" in note
