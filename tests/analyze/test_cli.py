"""`evalkit analyze` and `evalkit plan`: thin commands over the library."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze, file_sha256
from evalkit.analyze.frame_io import read_frame
from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame


@pytest.fixture
def frame_csv(tmp_path):
    path = tmp_path / "frame.csv"
    frame = post_engagement_frame(400, seed=9, shift={"virtual": -0.5})
    frame["most_valuable"] = "=HYPERLINK(secret)"  # personal free text: must never come out
    frame.to_csv(path, index=False)
    return path


def test_json_equals_library_result(runner, frame_csv):
    result = runner.invoke(
        cli, ["analyze", "--frame", str(frame_csv), "--instrument", "post_engagement",
              "--seed", "7", "--json", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    inst = load_instrument("post_engagement")
    lib = analyze(
        read_frame(frame_csv, inst), inst, AnalysisOptions(seed=7), file_sha256(frame_csv)
    )
    assert json.loads(result.output) == json.loads(lib.to_json())
    assert "secret" not in result.output


def test_summary_csv_and_json_files(runner, frame_csv, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["analyze", "--frame", str(frame_csv), "--instrument", "post_engagement",
              "-o", str(out), "--json", str(tmp_path / "r.json")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "worth_time" in result.output and "Kruskal-Wallis" in result.output
    assert "Findings (associations, not effects):" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["comparisons.csv", "pairwise.csv", "descriptives.csv", "levels.csv",
         "multi_response.csv", "scales.csv", "scale_items.csv", "trends.csv",
         "interactions.csv", "texts.csv", "themes.csv", "quotes.csv", "findings.csv",
         "balance.csv", "metadata.json"]
    )  # fmt: skip
    comparisons = pd.read_csv(out / "comparisons.csv")
    assert comparisons.columns[0] == "outcome"
    meta = json.loads((tmp_path / "r.json").read_text())["metadata"]
    assert meta["input_sha256"] == file_sha256(frame_csv)


def test_csv_cells_are_formula_neutralised(runner, tmp_path):
    frame = post_engagement_frame(100, seed=1)
    frame["mode"] = frame["mode"].astype(str).replace({"hybrid_remote": "=cmd"})
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "o"
    result = runner.invoke(
        cli, ["analyze", "--frame", str(path), "--instrument", "post_engagement", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = (out / "descriptives.csv").read_text()
    assert "'=cmd" in text and ",=cmd" not in text


def test_missing_file_is_one_line_exit_2(runner, tmp_path):
    result = runner.invoke(
        cli, ["analyze", "--frame", str(tmp_path / "no.csv"), "--instrument", "post_engagement"]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "file not found" in result.output


def test_bad_value_names_row_and_column_exit_1(runner, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("mode,worth_time\nvirtual,4\nin_person,lots\n")
    result = runner.invoke(
        cli, ["analyze", "--frame", str(path), "--instrument", "post_engagement"]
    )
    assert result.exit_code == 1
    assert "row 3" in result.output and "'worth_time'" in result.output
    assert "Traceback" not in result.output


def test_unknown_group_variable_exit_2(runner, frame_csv):
    result = runner.invoke(
        cli, ["analyze", "--frame", str(frame_csv), "--instrument", "post_engagement",
              "--by", "nope"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'nope' is not a column" in result.output


def test_plan_sample_size_and_mdd(runner):
    result = runner.invoke(cli, ["plan", "--p1", "0.70", "--p2", "0.55"])
    assert result.exit_code == 0
    assert result.output.startswith("n per group: 162 (161.93")
    result = runner.invoke(cli, ["plan", "--outcome", "mean", "--d", "0.5", "--json"])
    assert json.loads(result.output)["n_per_group"] == pytest.approx(63.76561, abs=1e-5)
    result = runner.invoke(cli, ["plan", "--outcome", "mean", "--n", "64"])
    assert "+0.499 SD" in result.output


def test_plan_missing_target_is_usage_error(runner):
    result = runner.invoke(cli, ["plan", "--outcome", "mean"])
    assert result.exit_code == 2
    assert "give --d" in result.output


@pytest.mark.parametrize("n_boot", ["0", "-5", "98"])
def test_too_few_bootstrap_resamples_is_one_line_exit_2(runner, frame_csv, n_boot):
    result = runner.invoke(
        cli, ["analyze", "--frame", str(frame_csv), "--instrument", "post_engagement",
              "--n-boot", n_boot],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert f"--n-boot must be at least 99, got {n_boot}" in result.output
