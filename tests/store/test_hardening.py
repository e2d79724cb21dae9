"""Workspace hardening (issue 17, point 6): outputs checked before the transaction, a second
command waits for the lock, a missing folder is named, files respect the umask."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from evalkit.cli.main import cli
from evalkit.errors import DataError
from evalkit.instrument import load_instrument
from evalkit.io import write_text_atomic
from evalkit.store import ingest_file, workspace_status

ROWS = "response_id,engagement_id,mode,worth_time\nr1,E1,virtual,5\nr2,E1,virtual,9\n"


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS)
    return path


def test_unwritable_quarantine_stores_nothing_and_says_why(export, tmp_path, runner):
    db = tmp_path / "w.duckdb"
    args = ["ingest", str(export), "--instrument", "post_engagement", "--workspace", str(db)]
    (tmp_path / "a_file").write_text("")
    for bad in (tmp_path / "missing" / "q.csv", tmp_path / "a_file" / "q.csv"):
        result = runner.invoke(cli, [*args, "--quarantine", str(bad)])
        assert result.exit_code == 2, result.output
        assert "the quarantine file" in result.output and "nothing was ingested" in result.output
        assert "internal error" not in result.output
    assert not db.exists() or workspace_status(db).empty


def test_a_failing_quarantine_write_rolls_the_ingest_back(export, tmp_path, monkeypatch):
    from evalkit.validate import ValidationReport

    def full_disk(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ValidationReport, "write_quarantine", full_disk)
    db = tmp_path / "w.duckdb"
    with pytest.raises(OSError):
        ingest_file(export, load_instrument("post_engagement"), workspace=db, period="2026",
                    quarantine=tmp_path / "q.csv")  # fmt: skip
    assert workspace_status(db).empty


def test_quarantine_written_with_the_umask(export, tmp_path, runner):
    old = os.umask(0o022)
    try:
        runner.invoke(cli, ["ingest", str(export), "--instrument", "post_engagement",
                            "--workspace", str(tmp_path / "w.duckdb"), "--period", "2026",
                            "--quarantine", str(tmp_path / "q.csv")])  # fmt: skip
        write_text_atomic(tmp_path / "t.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "q.csv").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "t.txt").stat().st_mode & 0o777 == 0o644


def _hold_lock(db, seconds):
    code = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('held', flush=True); time.sleep(float(sys.argv[2]))")  # fmt: skip
    child = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)],
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_ingest_waits_for_the_lock_and_says_so(export, tmp_path):
    db = tmp_path / "w.duckdb"
    child = _hold_lock(db, 1.5)
    lines: list[str] = []
    try:
        start = time.monotonic()
        summary = ingest_file(export, load_instrument("post_engagement"), workspace=db,
                              period="2026", progress=lines.append, lock_timeout=30)  # fmt: skip
    finally:
        child.wait()
    assert summary.rows_new == 1 and time.monotonic() - start >= 0.5
    assert sum("waiting for the workspace" in line for line in lines) == 1


def test_the_lock_wait_has_a_timeout_that_names_the_option(export, tmp_path, runner):
    db = tmp_path / "w.duckdb"
    child = _hold_lock(db, 3)
    try:
        result = runner.invoke(cli, ["ingest", str(export), "--instrument", "post_engagement",
                                     "--workspace", str(db), "--lock-timeout", "0.3"])  # fmt: skip
    finally:
        child.kill()
        child.wait()
    assert result.exit_code == 2, result.output
    assert "still holds the workspace after 0.3 s" in result.output
    assert "--lock-timeout" in result.output


def test_a_workspace_in_a_missing_folder_is_named_not_blamed_on_other_programs(export, tmp_path,
                                                                               runner):  # fmt: skip
    target = tmp_path / "no" / "such" / "w.duckdb"
    result = runner.invoke(cli, ["ingest", str(export), "--instrument", "post_engagement",
                                 "--workspace", str(target)])  # fmt: skip
    assert result.exit_code == 2
    assert "does not exist" in result.output and "other programs" not in result.output
    with pytest.raises(DataError, match="does not exist"):
        workspace_status(target)
