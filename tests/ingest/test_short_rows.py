"""Short or truncated rows are flagged (issue 16, point 7): a row with fewer cells than the
header was padded with empty cells and read as blank answers, so a file cut off in the
middle of a row looked complete. Now each such row is quarantined as ``short-row``, naming
how many cells it has and the first column it lacks."""

from __future__ import annotations

import json

import pytest

from evalkit.cli.main import cli
from evalkit.ingest.detect import read_grid

HEADER = "response_id,engagement_id,mode,worth_time,new_contacts,travel_from"
FULL = "r{n},RIV-2026-001,in_person,4,2,Durban"


def _validate(runner, path) -> dict:
    result = runner.invoke(
        cli, ["validate", str(path), "--instrument", "post_engagement", "--json"]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _short(report: dict) -> list[tuple[int, str]]:
    return [(f["source_row"], f["message"]) for f in report["failures"] if f["code"] == "short-row"]


def test_a_row_cut_short_is_quarantined_naming_what_it_lacks(runner, tmp_path):
    path = tmp_path / "export.csv"
    lines = [HEADER, FULL.format(n=1), "r2,RIV-2026-001,in_person,4,2", FULL.format(n=3), "r4,RIV"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _validate(runner, path)
    assert report["rows"] == {"in": 4, "valid": 2, "quarantined": 2}
    assert _short(report) == [
        (
            3,
            "the row has only 5 of the header's 6 cells (none from 'travel_from' on): the file "
            "may have been cut off; export it again, or complete the row",
        ),
        (
            5,
            "the row has only 2 of the header's 6 cells (none from 'mode' on): the file may "
            "have been cut off; export it again, or complete the row",
        ),
    ]


def test_a_file_cut_off_in_its_last_row_is_not_complete(runner, tmp_path):
    # travel_from is optional: read as blank, the cut row passed as valid
    path = tmp_path / "export.csv"
    text = "\n".join([HEADER, FULL.format(n=1), FULL.format(n=2)]) + "\n"
    path.write_text(text + "r3,RIV-2026-001,in_person,4,2", encoding="utf-8")
    report = _validate(runner, path)
    assert report["rows"]["quarantined"] == 1
    assert [row for row, _ in _short(report)] == [4]
    stored = runner.invoke(
        cli,
        [
            "ingest", str(path), "--instrument", "post_engagement",
            "--workspace", str(tmp_path / "ws.duckdb"), "--period", "2026",
        ],
    )  # fmt: skip
    assert stored.exit_code == 1
    assert "2 new" in stored.stdout and "1 quarantined" in stored.stdout


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_full_rows_blank_lines_and_empty_cells_are_not_short(runner, tmp_path, encoding):
    path = tmp_path / "export.csv"
    lines = [
        HEADER,
        FULL.format(n=1),
        "",
        "r2,RIV-2026-001,in_person,4,,",
        ",,,,,",
        'r3,RIV-2026-001,in_person,4,2,"São\nPaulo"',
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    report = _validate(runner, path)
    assert _short(report) == []
    assert report["rows"] == {"in": 3, "valid": 3, "quarantined": 0}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_short_rows_are_flagged_in_every_encoding(runner, tmp_path, encoding):
    path = tmp_path / "export.csv"
    lines = [HEADER, FULL.format(n=1), "r2,RIV-2026-001,in_person,4,2", "r3,Café,in_person"]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    report = _validate(runner, path)
    assert [row for row, _ in _short(report)] == [3, 4]


def test_the_grid_records_short_rows_with_quoted_line_breaks(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('id,a,b\nr1,"x\ny",1\nr2,"p\nq"\n\nr3,1,2\n', encoding="utf-8")
    grid = read_grid(path)
    assert grid.short_rows == {2: 2}
    assert grid.cells.loc[2].tolist() == ["r2", "p\nq", ""]
