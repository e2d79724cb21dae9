"""``evalkit workspace export`` (issue 17, point 5): the stored responses and a codebook;
read back with ``analyze --frame`` they give the same tables as ``analyze --workspace``."""

from __future__ import annotations

import os

import openpyxl
import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import write_export
from evalkit.store import ingest_file
from tests.ingest.frames import make_frame


@pytest.fixture
def workspace(tmp_path):
    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=80, seed=12)
    path = write_export(frame, inst, "kobo", tmp_path / "k.csv", status=status)
    db = tmp_path / "w.duckdb"
    ingest_file(path, inst, workspace=db, period="2026")
    return db


def _tables(runner, args, folder):
    result = runner.invoke(cli, ["analyze", *args, "--instrument", "post_engagement",
                                 "--by", "mode", "-o", str(folder)])  # fmt: skip
    assert result.exit_code == 0, result.output
    return {p.name: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_export_read_back_with_frame_gives_the_workspace_results(workspace, runner, tmp_path,
                                                                 suffix):  # fmt: skip
    out = tmp_path / f"clean{suffix}"
    result = runner.invoke(cli, ["workspace", "export", "--instrument", "post_engagement",
                                 "--period", "2026", "-o", str(out),
                                 "--workspace", str(workspace)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "80 responses" in result.output
    stored = _tables(runner, ["--workspace", str(workspace)], tmp_path / "ws")
    exported = _tables(runner, ["--frame", str(out)], tmp_path / "fr")
    assert stored.keys() == exported.keys() and stored
    for name, table in stored.items():
        pd.testing.assert_frame_equal(exported[name], table, obj=name)
    book = pd.read_csv(tmp_path / "clean.codebook.csv")
    assert {"column", "item", "type", "question", "value", "label", "missing"} <= set(book)
    assert "worth_time" in set(book["column"])


def test_pii_keys_only_with_include_pii_and_labels_on_request(workspace, runner, tmp_path):
    base = ["workspace", "export", "--instrument", "post_engagement", "--workspace",
            str(workspace)]  # fmt: skip
    runner.invoke(cli, [*base, "-o", str(tmp_path / "a.csv")])
    assert "participant_code__key" not in pd.read_csv(tmp_path / "a.csv").columns
    runner.invoke(cli, [*base, "-o", str(tmp_path / "b.xlsx"), "--labels", "--include-pii"])
    sheet = openpyxl.load_workbook(tmp_path / "b.xlsx").active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "participant_code__key" in header
    modes = {row[header.index("mode")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    inst = load_instrument("post_engagement")
    labels = {c.label.get() for c in inst.choices_for(inst.item("mode"))}
    assert modes <= labels | {None} and len(modes - {None}) >= 2


def test_export_files_respect_the_umask(workspace, runner, tmp_path):
    old = os.umask(0o022)
    try:
        out = str(tmp_path / "x.csv")
        runner.invoke(cli, ["workspace", "export", "--instrument", "post_engagement",
                            "-o", out, "--workspace", str(workspace)])  # fmt: skip
    finally:
        os.umask(old)
    assert (tmp_path / "x.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "x.codebook.csv").stat().st_mode & 0o777 == 0o644


def test_unknown_format_is_a_one_line_error(workspace, runner, tmp_path):
    out = str(tmp_path / "x.json")
    result = runner.invoke(cli, ["workspace", "export", "--instrument", "post_engagement",
                                 "-o", out, "--workspace", str(workspace)])  # fmt: skip
    assert result.exit_code == 2 and "name the file .csv, .parquet or .xlsx" in result.output
