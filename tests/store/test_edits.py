"""Re-imports (issue 16, point 6): the same responses in another format count once, an edit
under the same id is applied with the earlier version kept, near duplicates are reported."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import duckdb
import openpyxl
import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import write_export
from evalkit.store import ingest_file, load_responses, provenance
from tests.ingest.frames import make_frame


@pytest.fixture
def inst():
    return load_instrument("post_engagement")


def _google_time(text):
    """A timestamp of the Google CSV (its own download: '2026/03/10 5:25:04 PM GMT')."""
    for fmt in ("%Y/%m/%d %I:%M:%S %p", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text.removesuffix(" GMT"), fmt)
        except ValueError:
            continue
    raise ValueError(text)


def _as_xlsx(csv_path, xlsx_path):
    """The Google sheet's own XLSX download: timestamps as dates, numbers as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    with csv_path.open(encoding="utf-8") as handle:
        for n, row in enumerate(csv.reader(handle)):
            if n and row[0]:
                row[0] = _google_time(row[0])
            sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c for c in row])
    book.save(xlsx_path)
    return xlsx_path


def test_google_csv_then_xlsx_of_the_same_responses_counts_them_once(inst, tmp_path):
    frame, status = make_frame(inst, n=30, seed=3)
    first = write_export(frame, inst, "google", tmp_path / "g.csv", status=status)
    again = _as_xlsx(first, tmp_path / "g.xlsx")
    db = tmp_path / "w.duckdb"
    one = ingest_file(first, inst, workspace=db, period="2026")
    two = ingest_file(again, inst, workspace=db, period="2026")
    assert one.rows_new == one.rows_in - one.rows_quarantined > 0
    assert two.rows_new == 0
    assert two.rows_present + two.rows_near_duplicate == one.rows_new
    assert len(load_responses(db, inst)) == one.rows_new


CSV_HEAD = "response_id,submitted_at,engagement_id,mode,worth_time,new_contacts\n"


def test_an_edit_under_the_same_id_is_applied_and_the_earlier_version_kept(inst, tmp_path):
    db = tmp_path / "w.duckdb"
    before = tmp_path / "before.csv"
    before.write_text(CSV_HEAD + "r1,2026-03-01T10:00:00Z,E1,virtual,2,1\n"
                      "r2,2026-03-01T11:00:00Z,E1,virtual,4,0\n")  # fmt: skip
    after = tmp_path / "after.csv"
    after.write_text(CSV_HEAD + "r1,2026-03-01T10:00:00Z,E1,virtual,5,1\n"
                     "r2,2026-03-01T11:00:00Z,E1,virtual,4,0\n"
                     "r3,2026-03-02T09:00:00Z,E2,in_person,3,2\n")  # fmt: skip
    ingest_file(before, inst, workspace=db, period="2026")
    summary = ingest_file(after, inst, workspace=db, period="2026")
    assert (summary.rows_new, summary.rows_changed, summary.rows_present) == (1, 1, 1)
    stored = load_responses(db, inst).set_index("response_id")
    assert stored.loc["r1", "worth_time"] == 5 and len(stored) == 3
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT response_id, worth_time, ingest_id, changed_by_ingest "
        "FROM revisions__post_engagement"
    ).fetchall()
    con.close()
    assert rows == [("r1", 2, 1, 2)]
    assert provenance(db)["rows_changed"].tolist() == [0, 1]


def test_near_duplicates_with_another_id_are_reported_not_added(inst, tmp_path, runner):
    db = tmp_path / "w.duckdb"
    first = tmp_path / "first.csv"
    first.write_text(CSV_HEAD + "a1,2026-03-01T10:00:12Z,E1,virtual,2,1\n"
                     "a2,2026-03-01T10:00:40Z,E1,virtual,4,0\n")  # fmt: skip
    other = tmp_path / "other.csv"  # the same answers, ids of another format, minute precision
    other.write_text(CSV_HEAD + "b1,2026-03-01T10:00:00Z,E1,virtual,2,1\n"
                     "b2,2026-03-01T10:00:00Z,E1,virtual,5,0\n"
                     "b3,2026-03-01T11:00:00Z,E1,virtual,4,0\n")  # fmt: skip
    ingest_file(first, inst, workspace=db, period="2026")
    args = ["--instrument", "post_engagement", "--workspace", str(db), "--period", "2026"]
    result = runner.invoke(cli, ["ingest", str(other), *args])
    assert result.exit_code == 0, result.output
    assert "3 rows read: 2 new, 0 changed, 0 already present, 1 near duplicate skipped, 0 quar" in (
        result.output
    )
    assert "near duplicate: b1 repeats a1" in result.output
    assert sorted(load_responses(db, inst)["response_id"]) == ["a1", "a2", "b2", "b3"]
    kept = runner.invoke(cli, ["ingest", str(other), *args, "--keep-near-duplicates", "--json"])
    assert json.loads(kept.output)["rows_new"] == 1
    assert len(load_responses(db, inst)) == 5


def test_rows_in_are_accounted_for(inst, tmp_path):
    frame, status = make_frame(inst, n=50, seed=8)
    path = write_export(frame, inst, "kobo", tmp_path / "k.csv", status=status)
    db = tmp_path / "w.duckdb"
    for _ in range(2):
        s = ingest_file(path, inst, workspace=db, period="2026")
        parts = (s.rows_new, s.rows_changed, s.rows_present, s.rows_near_duplicate,
                 s.rows_erased, s.rows_quarantined)  # fmt: skip
        assert sum(parts) == s.rows_in
    assert pd.Series(provenance(db)["rows_present"]).tolist() == [0, 50]
