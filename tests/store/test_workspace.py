"""The workspace: idempotent ingest (same export twice, then a superset), atomicity, loading."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.errors import DataError
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import write_export
from evalkit.store import ingest as ws
from evalkit.store import ingest_file, load_responses, load_status, provenance, workspace_status
from tests.ingest.frames import make_frame


@pytest.fixture
def inst():
    return load_instrument("post_engagement")


@pytest.fixture
def exports(inst, tmp_path):
    """An export of 40 responses and a later export with those 40 plus 25 new ones."""
    frame, status = make_frame(inst, n=65, seed=21)
    first = write_export(frame.iloc[:40], inst, "kobo", tmp_path / "first.csv",
                         status=status.iloc[:40])  # fmt: skip
    later = write_export(frame, inst, "kobo", tmp_path / "later.csv", status=status)
    return frame, status, first, later


def test_same_export_twice_then_superset_gives_exactly_the_union(inst, exports, tmp_path):
    frame, _, first, later = exports
    db = tmp_path / "w.duckdb"
    one = ingest_file(first, inst, workspace=db, period="2026")
    two = ingest_file(first, inst, workspace=db, period="2026")
    three = ingest_file(later, inst, workspace=db, period="2026")
    assert (one.rows_in, one.rows_new, one.rows_present, one.rows_quarantined) == (40, 40, 0, 0)
    assert (two.rows_new, two.rows_present) == (0, 40)
    assert (three.rows_in, three.rows_new, three.rows_present) == (65, 25, 40)
    stored = load_responses(db, inst)
    assert sorted(stored["response_id"]) == sorted(frame["response_id"])
    assert stored["response_id"].is_unique
    assert stored["ingest_id"].tolist() if "ingest_id" in stored else True
    history = provenance(db)
    assert history["rows_new"].tolist() == [40, 0, 25]
    assert history["sha256"].iloc[0] == history["sha256"].iloc[1] != history["sha256"].iloc[2]
    assert set(history.columns) >= {"file_name", "sha256", "platform", "instrument_id",
                                    "instrument_version", "period", "ingested_at", "rows_in",
                                    "rows_new", "rows_present", "rows_quarantined"}  # fmt: skip


def test_loaded_frame_is_the_canonical_frame_without_personal_data(inst, exports, tmp_path):
    frame, status, first, _ = exports
    db = tmp_path / "w.duckdb"
    ingest_file(first, inst, workspace=db, period="2026")
    stored = load_responses(db, inst, period="2026").sort_values("response_id")
    expected = frame.iloc[:40].sort_values("response_id")
    columns = [c for c in expected.columns if c not in ("source", "most_valuable",
                                                         "participant_code")]  # fmt: skip
    pd.testing.assert_frame_equal(
        stored[columns].reset_index(drop=True), expected[columns].reset_index(drop=True)
    )
    assert "most_valuable" not in stored and "participant_code" not in stored
    assert stored["participant_code__key"].str.len().dropna().eq(64).all()
    states = load_status(db, inst).sort_values("response_id").reset_index(drop=True)
    assert states["worth_time"].tolist() == status.iloc[:40].set_axis(
        frame["response_id"].iloc[:40]).sort_index()["worth_time"].astype(str).tolist()  # fmt: skip
    assert load_responses(db, inst, period="2025").empty


def test_same_person_gets_the_same_key_across_surveys_so_follow_ups_link(tmp_path):
    db = tmp_path / "w.duckdb"
    post = tmp_path / "post.csv"
    post.write_text("response_id,engagement_id,mode,worth_time,participant_code\n"
                    "p1,E1,virtual,5,Ana@Example.org\n")  # fmt: skip
    ingest_file(post, load_instrument("post_engagement"), workspace=db, period="2026")
    again = tmp_path / "again.csv"
    again.write_text("response_id,engagement_id,mode,worth_time,participant_code\n"
                     "p2,E2,virtual,4, ana@example.org\n")  # fmt: skip
    ingest_file(again, load_instrument("post_engagement"), workspace=db, period="2026")
    keys = load_responses(db, "post_engagement")["participant_code__key"]
    assert keys.nunique() == 1 and "ana" not in keys.iloc[0]
    later = tmp_path / "follow_up.csv"
    later.write_text(
        "response_id,wave,engagement_id,mode,actions,participant_code\n"
        "f1,d90,E1,virtual,joint_proposal,ANA@example.org\n"
    )
    ingest_file(later, load_instrument("follow_up"), workspace=db, period="2026")
    follow = load_responses(db, "follow_up")
    linked = follow.merge(load_responses(db, "post_engagement"), on="participant_code__key")
    assert linked["response_id_x"].tolist() == ["f1", "f1"]
    assert b"ana@example.org" not in db.read_bytes().lower()


def test_a_crash_mid_ingest_leaves_the_workspace_as_it_was(inst, exports, tmp_path, monkeypatch):
    _, _, first, later = exports
    db = tmp_path / "w.duckdb"
    ingest_file(first, inst, workspace=db, period="2026")
    before = (workspace_status(db), provenance(db))

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ws, "_record_provenance", crash)  # after the rows were inserted
    with pytest.raises(RuntimeError, match="power cut"):
        ingest_file(later, inst, workspace=db, period="2026")
    pd.testing.assert_frame_equal(workspace_status(db), before[0])
    pd.testing.assert_frame_equal(provenance(db), before[1])
    assert len(load_responses(db, inst)) == 40


def test_first_ingest_crash_leaves_no_tables(inst, exports, tmp_path, monkeypatch):
    _, _, first, _ = exports
    db = tmp_path / "w.duckdb"
    monkeypatch.setattr(ws, "_record_provenance", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        ingest_file(first, inst, workspace=db)
    assert workspace_status(db).empty


def test_quarantined_rows_are_not_stored(inst, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("response_id,engagement_id,mode,worth_time\nr1,E,virtual,5\nr2,E,virtual,8\n")
    summary = ingest_file(path, inst, workspace=tmp_path / "w.duckdb", period="2026")
    assert (summary.rows_new, summary.rows_quarantined) == (1, 1)
    assert load_responses(tmp_path / "w.duckdb", inst)["response_id"].tolist() == ["r1"]


def test_missing_workspace_and_instrument_are_clear_errors(inst, tmp_path):
    with pytest.raises(DataError, match="no workspace here"):
        workspace_status(tmp_path / "none.duckdb")
    path = tmp_path / "r.csv"
    path.write_text("response_id,engagement_id,mode,worth_time\nr1,E,virtual,5\n")
    ingest_file(path, inst, workspace=tmp_path / "w.duckdb", period="2026")
    with pytest.raises(DataError, match="no responses to follow_up"):
        load_responses(tmp_path / "w.duckdb", "follow_up")


def test_cli_ingest_and_status(inst, exports, tmp_path, runner):
    _, _, first, later = exports
    db = str(tmp_path / "w.duckdb")
    args = ["--instrument", "post_engagement", "--workspace", db, "--period", "2026"]
    result = runner.invoke(cli, ["ingest", str(first), *args])
    assert result.exit_code == 0, result.output
    assert "40 rows read: 40 new, 0 changed, 0 already present, 0 quarantined" in result.output
    result = runner.invoke(cli, ["ingest", str(later), *args, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["rows_new"] == 25
    result = runner.invoke(cli, ["workspace", "status", "--workspace", db, "--json"])
    assert json.loads(result.output) == [
        {"instrument_id": "post_engagement", "period": "2026", "source": "kobo", "responses": 65}
    ]
    result = runner.invoke(cli, ["workspace", "status", "--workspace", db])
    assert "post_engagement   2026   kobo         65" in result.output
