"""Issue 16, point 7f: an ingest without --period takes the year of the submission dates
(with a note) when they all fall in one year, and is refused in one line otherwise."""

from __future__ import annotations

import pytest

from evalkit.cli.main import cli
from evalkit.errors import EvalkitError
from evalkit.instrument import load_instrument
from evalkit.store import ingest_file, load_responses, provenance, workspace_status

KOBO = (
    '"engagement_id";"mode";"worth_time";"_uuid";"_submission_time"\r\n'
    '"E1";"virtual";"5";"u1";"{first}"\r\n'
    '"E1";"virtual";"4";"u2";"{second}"\r\n'
)


@pytest.fixture
def inst():
    return load_instrument("post_engagement")


def _kobo(tmp_path, first, second, name="kobo.csv"):
    path = tmp_path / name
    path.write_text(KOBO.format(first=first, second=second), encoding="utf-8")
    return path


def test_period_is_the_year_of_the_submission_dates_with_a_note(inst, tmp_path):
    path = _kobo(tmp_path, "2025-03-04T09:05:00", "2025-11-30T23:59:00")
    db = tmp_path / "w.duckdb"
    summary = ingest_file(path, inst, workspace=db)
    assert summary.period == "2025"
    assert any("2025" in n and "--period" in n for n in summary.notes)
    assert load_responses(db, inst)["period"].unique().tolist() == ["2025"]
    assert provenance(db)["period"].tolist() == ["2025"]


def test_cli_prints_the_derived_period(inst, tmp_path, runner):
    path = _kobo(tmp_path, "2025-03-04T09:05:00", "2025-03-05T10:00:00")
    db = tmp_path / "w.duckdb"
    args = ["ingest", str(path), "--instrument", "post_engagement", "--workspace", str(db)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "note: period 2025" in result.output
    assert workspace_status(db)["period"].tolist() == ["2025"]


def test_dates_over_two_years_need_period(inst, tmp_path, runner):
    path = _kobo(tmp_path, "2025-12-31T22:00:00", "2026-01-01T08:00:00")
    db = tmp_path / "w.duckdb"
    with pytest.raises(EvalkitError) as info:
        ingest_file(path, inst, workspace=db)
    line = info.value.one_line()
    assert "\n" not in line and "--period" in line and "2025" in line and "2026" in line
    args = ["ingest", str(path), "--instrument", "post_engagement", "--workspace", str(db)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert workspace_status(db).empty if db.exists() else True
    summary = ingest_file(path, inst, workspace=db, period="2026")
    assert summary.period == "2026" and summary.notes == []


def test_no_submission_dates_need_period(inst, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,engagement_id,mode,worth_time\nr1,E1,virtual,5\n")
    with pytest.raises(EvalkitError, match="--period"):
        ingest_file(path, inst, workspace=tmp_path / "w.duckdb")
