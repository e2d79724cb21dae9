"""``evalkit analyze`` reads a platform export (validated) or a workspace."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze.frame_io import restore_missing_choices
from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.sample.generate import generate_responses
from evalkit.sample.platforms import write_export
from evalkit.store import ingest_file

INSTRUMENT = load_instrument("post_engagement")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A Kobo export with 2 N/A answers to worth_time and one out-of-range row."""
    folder = tmp_path_factory.mktemp("analyze")
    frame = generate_responses(INSTRUMENT, 400, seed=11)
    frame = frame[frame["submitted_at"] < "2026-06-01"].reset_index(drop=True)
    # required items always answered, so that only the rows planted below fail
    frame["engagement_id"] = frame["engagement_id"].fillna("E-1")
    frame["mode"] = frame["mode"].fillna("virtual")
    frame["worth_time"] = frame["worth_time"].fillna(3)
    status = pd.DataFrame({"worth_time": ["answered"] * len(frame)})
    frame.loc[[0, 1], "worth_time"] = pd.NA
    status.loc[[0, 1], "worth_time"] = "choice:na"
    frame["new_contacts"] = frame["new_contacts"].astype("Int64")
    frame.loc[2, "new_contacts"] = 9999  # max is 500: quarantined
    path = write_export(frame, INSTRUMENT, "kobo", folder / "kobo.csv", status=status)
    return path, frame


def test_analyze_a_platform_export(runner, export, tmp_path):
    path, frame = export
    out = tmp_path / "result.json"
    result = runner.invoke(
        cli, ["analyze", str(path), "--instrument", "post_engagement", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"1 of {len(frame)} rows failed validation" in result.stderr
    data = json.loads(out.read_text())
    assert data["metadata"]["rows_valid"] == len(frame) - 1
    worth = [r for r in data["tables"]["descriptives"] if r["outcome"] == "worth_time"]
    assert sum(r["missing_choice"] for r in worth) == 2  # the two N/A answers are counted


def test_analyze_a_workspace_period(runner, export, tmp_path):
    path, _ = export
    workspace = tmp_path / "ws.duckdb"
    ingest_file(path, INSTRUMENT, workspace=workspace, period="2026")
    args = [
        "analyze",
        "--workspace",
        str(workspace),
        "--period",
        "2026",
        "--instrument",
        "post_engagement",
    ]
    result = runner.invoke(cli, [*args, "--outcome", "worth_time", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tables"]["comparisons"][0]["test"] == "Kruskal-Wallis test"
    missing = runner.invoke(
        cli, [*args[:-4], "--period", "1999", "--instrument", "post_engagement"]
    )
    assert (
        missing.exit_code == 2 and "no post_engagement responses for period 1999" in missing.output
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--instrument", "post_engagement"],
        ["a.csv", "--workspace", "w.duckdb", "--instrument", "post_engagement"],
        ["--pre", "a.csv", "--instrument", "post_engagement"],
    ],
)
def test_exactly_one_source(runner, args):
    result = runner.invoke(cli, ["analyze", *args])
    assert result.exit_code == 2
    assert (
        "give one of: FILE, --workspace W, --frame F, or both --pre F and --post F" in result.output
    )


def test_restore_missing_choices_only_touches_flagged_cells():
    frame = pd.DataFrame({"worth_time": pd.array([5, pd.NA, pd.NA], dtype="Int64")})
    status = pd.DataFrame({"worth_time": ["answered", "choice:na", "blank"]})
    restored = restore_missing_choices(frame, status, INSTRUMENT)
    assert restored["worth_time"].astype("string").tolist() == ["5", "na", pd.NA]
    assert np.array_equal(frame["worth_time"].isna().to_numpy(), [False, True, True])  # not mutated
