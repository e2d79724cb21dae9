"""Crosstabs (issue 19, point 4): counts, percentages, test, V, residuals, suppression.

References: R ``?chisq.test`` / Agresti (2002) Table 3.2, party identification by gender,
M = [[762, 327, 468], [484, 239, 477]]: X-squared = 30.07, df = 2, p-value = 2.954e-07;
``chisq.test(M)$stdres`` = 4.50, 0.70, -5.32 (Agresti reports the same). R ``?fisher.test``:
the tea-tasting table [[3, 1], [1, 3]] has p-value = 0.4857; the job-satisfaction table
``Job`` has p-value = 0.7827.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions
from evalkit.analyze.crosstab import adjusted_residuals, crosstab, suppress_cells
from evalkit.cli.main import cli
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")
OPTS = AnalysisOptions(n_boot=199)


def _frame_from_table(table, rows=("in_person", "virtual"), cols=("yes", "no", "not_sure")):
    """Rows of responses reproducing a mode x next_step count table."""
    r, c = np.nonzero(np.ones_like(np.asarray(table)))
    counts = np.asarray(table).ravel()
    return pd.DataFrame(
        {
            "mode": np.repeat(np.asarray(rows)[r], counts),
            "next_step": np.repeat(np.asarray(cols)[c], counts),
        }
    )


def test_chi_square_and_residuals_match_r():
    frame = _frame_from_table([[762, 327, 468], [484, 239, 477]])
    res = crosstab(frame, INST, "mode", "next_step", OPTS)
    test = res.test.iloc[0]
    assert test.statistic == pytest.approx(30.07015, abs=1e-4)
    assert test.df == 2 and test.p_value == pytest.approx(2.954e-07, rel=1e-3)
    cells = res.cells.set_index(["row", "col"])
    assert cells.loc[("in_person", "yes"), "std_residual"] == pytest.approx(4.50, abs=0.005)
    assert cells.loc[("in_person", "no"), "std_residual"] == pytest.approx(0.70, abs=0.005)
    assert cells.loc[("virtual", "not_sure"), "std_residual"] == pytest.approx(5.32, abs=0.005)
    assert cells.loc[("in_person", "yes"), "row_share"] == pytest.approx(762 / 1557)
    assert cells.loc[("in_person", "yes"), "col_share"] == pytest.approx(762 / 1246)
    assert cells["count"].sum() == 2757 and cells["share"].sum() == pytest.approx(1)
    # Cramér's V = sqrt(X2 / n (min dim - 1)), its bootstrap interval around it
    v = np.sqrt(30.07015 / 2757)
    assert test.cramers_v == pytest.approx(v, rel=1e-5)
    assert test.cramers_v_ci_low < v < test.cramers_v_ci_high


def test_residuals_sum_of_squares_equals_chi_square_for_2x2():
    # for a 2x2 table each adjusted residual squared is Pearson's X^2
    _, res = adjusted_residuals([[20, 10], [5, 25]])
    from scipy.stats import chi2_contingency

    x2 = chi2_contingency([[20, 10], [5, 25]], correction=False)[0]
    assert np.allclose(res**2, x2)


def test_fisher_exact_for_small_2x2_matches_r():
    frame = _frame_from_table([[3, 1], [1, 3]], cols=("yes", "no"))
    res = crosstab(frame, INST, "mode", "next_step", AnalysisOptions(min_cell=0, n_boot=199))
    assert res.test.loc[0, "test"] == "Fisher's exact test"
    assert res.test.loc[0, "p_value"] == pytest.approx(0.4857, abs=5e-5)


def test_fisher_monte_carlo_for_larger_tables_matches_r():
    job = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]])
    inst = load_instrument("follow_up")
    item = next(i for i in inst.items if i.type == "likert")
    levels = [c.name for c in inst.choices_for(item).substantive][:4]
    # rows: engagement types of the register are not in follow_up; use two Likert items
    other = next(i for i in inst.items if i.type == "likert" and i.id != item.id)
    levels2 = [c.name for c in inst.choices_for(other).substantive][:4]
    r, c = np.indices(job.shape)
    frame = pd.DataFrame(
        {
            item.id: np.repeat(np.asarray(levels)[r.ravel()], job.ravel()),
            other.id: np.repeat(np.asarray(levels2)[c.ravel()], job.ravel()),
        }
    )
    res = crosstab(frame, inst, item.id, other.id, AnalysisOptions(min_cell=0, n_boot=199))
    assert res.test.loc[0, "test"] == "Fisher's exact test (Monte Carlo)"
    # 9,999 tables: Monte Carlo standard error sqrt(p (1 - p) / 9999) = 0.004
    assert res.test.loc[0, "p_value"] == pytest.approx(0.7827, abs=0.015)


def test_small_cells_are_suppressed_with_a_complement():
    hide = suppress_cells([[50, 3, 40], [60, 30, 45], [20, 20, 4]])
    # the 3 and the 4 are small; each line then holds one hidden cell, so others go too
    for line in (*hide, *hide.T):
        assert line.sum() != 1
    assert hide[0, 1] and hide[2, 2]


def test_suppressed_cells_show_nothing_and_small_rows_leave_the_table():
    rows = ("in_person", "virtual", "hybrid_remote")
    frame = _frame_from_table([[80, 40, 3], [70, 50, 30], [90, 90, 90]], rows=rows)
    frame = pd.concat([frame, pd.DataFrame({"mode": ["hybrid_onsite"] * 4, "next_step": "yes"})])
    res = crosstab(frame, INST, "mode", "next_step", OPTS)
    test = res.test.iloc[0]
    # one hidden row would be derivable from the total: a second (the smallest other) goes too
    assert set(test.rows_suppressed.split(",")) == {"in_person", "hybrid_onsite"}
    assert set(res.cells["row"]) == {"virtual", "hybrid_remote"} and test.n == 420
    frame = _frame_from_table([[80, 40, 3], [70, 50, 30]])
    res = crosstab(frame, INST, "mode", "next_step", OPTS)
    hidden = res.cells[res.cells.suppressed]
    assert len(hidden) >= 2 and hidden[["count", "row_share", "std_residual"]].isna().all().all()


def test_where_and_bad_input(tmp_path):
    frame = post_engagement_frame(800, seed=4)
    res = crosstab(frame, INST, "mode", "next_step",
                   AnalysisOptions(where="mode != 'virtual'", n_boot=199))  # fmt: skip
    assert "virtual" not in set(res.cells["row"]) and res.metadata["where"] == "mode != 'virtual'"
    with pytest.raises(UsageError, match="both"):
        crosstab(frame, INST, "mode", "mode", OPTS)
    with pytest.raises(UsageError, match="not a column"):
        crosstab(frame, INST, "mode", "nope", OPTS)


def test_weighted_crosstab_uses_rao_scott():
    frame = post_engagement_frame(600, seed=6)
    frame["w"] = np.random.default_rng(0).uniform(0.5, 2, len(frame))
    res = crosstab(frame, INST, "mode", "next_step", AnalysisOptions(weights="w", n_boot=199))
    assert res.test.loc[0, "test"].startswith("Rao-Scott")
    cells = res.cells
    # weighted shares: each row's shares sum to one
    assert cells.groupby("row")["row_share"].sum().to_numpy() == pytest.approx(1)


def test_cli_writes_csv_xlsx_json(runner, tmp_path):
    from openpyxl import load_workbook

    path = Path(__file__).resolve().parents[2] / "sample_data" / "2026" / "post_engagement.kobo.csv"
    out, xlsx, js = tmp_path / "out", tmp_path / "t.xlsx", tmp_path / "t.json"
    args = ["crosstab", str(path), "--instrument", "post_engagement",
            "--rows", "mode", "--cols", "next_step", "--n-boot", "199",
            "-o", str(out), "--xlsx", str(xlsx), "--json", str(js)]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "mode by next_step" in result.output and "Cramér's V" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["cells.csv", "metadata.json", "test.csv"]
    assert load_workbook(xlsx).sheetnames == ["cells", "test", "metadata"]
    data = json.loads(js.read_text())
    assert data["tables"]["test"][0]["row_var"] == "mode"
