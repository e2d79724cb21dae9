"""Corrections over a year (issue 17, points 1-4): ingests, undo, relabel, periods, erase."""

from __future__ import annotations

import json

import duckdb
import pytest

from evalkit.cli.main import cli
from evalkit.errors import DataError
from evalkit.instrument import load_instrument
from evalkit.store import ingest_file, load_responses, provenance, workspace_status
from evalkit.store.maintain import list_ingests, relabel, undo
from evalkit.store.tombstones import erase

HEAD = "response_id,submitted_at,engagement_id,mode,worth_time,new_contacts,participant_code\n"


@pytest.fixture
def inst():
    return load_instrument("post_engagement")


def _csv(path, *rows):
    path.write_text(HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def year(inst, tmp_path):
    """Three ingests: r1, r2 added; r1 edited and r3 added; r2 edited again."""
    db = tmp_path / "w.duckdb"
    one = _csv(tmp_path / "one.csv", "r1,2026-03-01T10:00:00Z,E1,virtual,2,1,ana@x.org",
               "r2,2026-03-01T11:00:00Z,E1,virtual,4,0,ben@x.org")  # fmt: skip
    two = _csv(tmp_path / "two.csv", "r1,2026-03-01T10:00:00Z,E1,virtual,5,1,ana@x.org",
               "r2,2026-03-01T11:00:00Z,E1,virtual,4,0,ben@x.org",
               "r3,2026-03-02T09:00:00Z,E2,in_person,3,2,cy@x.org")  # fmt: skip
    three = _csv(tmp_path / "three.csv", "r2,2026-03-01T11:00:00Z,E1,virtual,1,0,ben@x.org")
    for path in (one, two, three):
        ingest_file(path, inst, workspace=db, period="2026")
    return db


def _answers(db, inst):
    frame = load_responses(db, inst).set_index("response_id")
    return frame["worth_time"].astype(object).to_dict()


def _revisions(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(
            "SELECT response_id, worth_time, ingest_id, changed_by_ingest "
            "FROM revisions__post_engagement"
        ).fetchall())  # fmt: skip
    finally:
        con.close()


def test_ingests_lists_every_ingest_with_its_counts(year, runner):
    table = list_ingests(year)
    assert table["ingest_id"].tolist() == [1, 2, 3]
    assert table[["rows_new", "rows_changed", "rows_present"]].values.tolist() == [
        [2, 0, 0], [1, 1, 1], [0, 1, 0]]  # fmt: skip
    out = runner.invoke(cli, ["workspace", "ingests", "--workspace", str(year), "--json"])
    rows = json.loads(out.output)
    assert rows[1]["file_name"] == "two.csv" and len(rows[1]["sha256"]) == 64
    assert rows[1]["instrument_version"] == "1.0.0" and rows[1]["period"] == "2026"
    text = runner.invoke(cli, ["workspace", "ingests", "--workspace", str(year)])
    assert text.exit_code == 0 and "three.csv" in text.output


def test_undo_of_an_ingest_that_applied_edits_rolls_them_back(inst, year, runner):
    assert _answers(year, inst) == {"r1": 5, "r2": 1, "r3": 3}
    dry = runner.invoke(cli, ["workspace", "undo", "2", "--workspace", str(year), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 response it added would be removed" in dry.output
    assert _answers(year, inst) == {"r1": 5, "r2": 1, "r3": 3}
    result = undo(year, 2)
    assert (result.removed, result.restored) == (1, 1)
    # r1 back to ingest 1's version, r3 gone, r2 keeps ingest 3's later edit
    assert _answers(year, inst) == {"r1": 2, "r2": 1}
    assert _revisions(year) == [("r2", 4, 1, 3)]
    assert provenance(year)["undone_at"].notna().tolist() == [False, True, False]
    with pytest.raises(DataError, match="undone already"):
        undo(year, 2)
    undo(year, 3)  # and the rest of the chain still unwinds
    assert _answers(year, inst) == {"r1": 2, "r2": 4}
    assert _revisions(year) == []


def test_undo_of_an_unknown_ingest_is_a_one_line_error(year, runner):
    out = runner.invoke(cli, ["workspace", "undo", "9", "--workspace", str(year)])
    assert out.exit_code != 0 and "no ingest 9" in out.output and "Traceback" not in out.output


def test_relabel_moves_responses_and_the_ingests_period(inst, tmp_path, runner):
    db = tmp_path / "w.duckdb"
    path = _csv(tmp_path / "a.csv", "r1,2026-03-01T10:00:00Z,E1,virtual,2,1,")
    summary = ingest_file(path, inst, workspace=db, period="2062")
    assert summary.warnings and "outside period 2062" in summary.warnings[0]
    out = runner.invoke(cli, ["workspace", "relabel", "--period", "2062", "--to", "2026",
                              "--ingest", "1", "--workspace", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "period 2062 -> 2026: 1 response moved (ingest 1)" in out.output
    assert workspace_status(db)["period"].tolist() == ["2026"]
    assert provenance(db)["period"].tolist() == ["2026"]
    with pytest.raises(DataError, match="not a year"):
        relabel(db, "2026", "FY2026")


def test_ingest_refuses_a_period_that_is_no_period_and_accepts_a_declared_one(inst, tmp_path,
                                                                               runner):  # fmt: skip
    db = tmp_path / "w.duckdb"
    path = _csv(tmp_path / "a.csv", "r1,2025-08-01T10:00:00Z,E1,virtual,2,1,")
    args = ["--instrument", "post_engagement", "--workspace", str(db)]
    out = runner.invoke(cli, ["ingest", str(path), *args, "--period", "FY2026"])
    assert out.exit_code == 2 and "'FY2026' is not a year (2026), a quarter" in out.output
    assert "evalkit workspace period FY2026" in out.output
    for good in ("2026-Q1", "2026-03"):
        assert runner.invoke(cli, ["ingest", str(path), *args, "--period", good]).exit_code == 0
    declared = runner.invoke(cli, ["workspace", "period", "FY2026", "--from", "2025-07-01",
                                   "--to", "2026-06-30", "--workspace", str(db)])  # fmt: skip
    assert declared.exit_code == 0, declared.output
    out = runner.invoke(cli, ["ingest", str(path), *args, "--period", "FY2026"])
    assert out.exit_code == 0 and "outside" not in out.output
    out = runner.invoke(cli, ["ingest", str(path), *args, "--period", "2026-Q1"])
    assert "warning: 1 of 1 submission dates fall outside period 2026-Q1" in out.output


def test_erase_removes_everywhere_and_a_reingest_does_not_bring_it_back(inst, year, runner):
    out = runner.invoke(cli, ["workspace", "erase", "--response", "r2", "--workspace", str(year)])
    assert out.exit_code == 0, out.output
    assert "1 response erased on " in out.output
    assert sorted(_answers(year, inst)) == ["r1", "r3"]
    assert [r[0] for r in _revisions(year)] == ["r1"]
    again = ingest_file(year.parent / "two.csv", inst, workspace=year, period="2026")
    assert (again.rows_erased, again.rows_new) == (1, 0)
    assert sorted(_answers(year, inst)) == ["r1", "r3"]
    con = duckdb.connect(str(year), read_only=True)
    log = con.execute("SELECT action, message FROM evalkit_log").fetchall()
    con.close()
    assert log[-1][0] == "erase" and "r2" not in log[-1][1]
    assert b"ben@x.org" not in year.read_bytes()


def test_erase_by_respondent_key_removes_their_responses_in_every_instrument(inst, year):
    result = erase(year, respondent=" ANA@x.org")
    assert result.responses == {"post_engagement": 1} and result.revisions == 1
    assert sorted(_answers(year, inst)) == ["r2", "r3"]
    back = _csv(year.parent / "new.csv", "r9,2026-05-01T10:00:00Z,E3,virtual,5,0,ana@x.org")
    assert ingest_file(back, inst, workspace=year, period="2026").rows_erased == 1
    with pytest.raises(DataError, match="no response 'zz'"):
        erase(year, response_id="zz")


def test_an_erased_response_leaves_the_file_itself(inst, tmp_path):
    db = tmp_path / "my-workspace.duckdb"
    rid = "uuid-erase-me-7f3a9c"
    path = _csv(tmp_path / "a.csv", f"{rid},2026-03-01T10:00:00Z,E1,virtual,2,1,",
                "uuid-keep-me-0b21,2026-03-01T10:00:00Z,E1,virtual,4,1,")  # fmt: skip
    ingest_file(path, inst, workspace=db, period="2026")
    assert rid.encode() in db.read_bytes()
    erase(db, response_id=rid)
    assert rid.encode() not in db.read_bytes()
    assert b"uuid-keep-me-0b21" in db.read_bytes()
    assert list_ingests(db)["rows_new"].tolist() == [2]
    assert not (tmp_path / "my-workspace.duckdb.rewrite").exists()
