"""The fast CSV path (pyarrow) and the careful one (pandas' C parser) read the same grid.

read_grid sends a UTF-8 CSV to pyarrow and falls back to the C parser for whatever pyarrow
declines; every platform reader downstream sees one grid either way. These tests read each
CSV fixture through both paths and compare the grids cell by cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import EvalkitError, Location
from evalkit.ingest.detect import _SAMPLE, _read_csv_arrow, _read_csv_text, read_grid

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(
    [*ROOT.glob("sample_data/**/*.csv"), *(ROOT / "tests" / "ingest" / "bad_inputs").glob("*.csv")]
)


def _both(path: Path):
    fast = _read_csv_arrow(path, path.read_bytes()[:_SAMPLE])
    try:
        careful = _read_csv_text(path, Location(file=str(path)))
    except EvalkitError as exc:
        careful = exc
    return fast, careful


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fast_and_careful_paths_give_the_same_grid(path):
    fast, careful = _both(path)
    if fast is None:  # declined: read_grid gives the careful path's grid or error
        if isinstance(careful, Exception):
            with pytest.raises(type(careful), match=re.escape(careful.message[:30])):
                read_grid(path)
        else:
            pd.testing.assert_frame_equal(read_grid(path).cells, careful.cells)
        return
    assert not isinstance(careful, Exception), f"the C parser refuses it: {careful}"
    pd.testing.assert_frame_equal(fast.cells, careful.cells)
    assert (fast.encoding, fast.delimiter, fast.empty_rows) == (
        careful.encoding,
        careful.delimiter,
        careful.empty_rows,
    )


def test_most_fixtures_take_the_fast_path():
    taken = [p.name for p in FIXTURES if _both(p)[0] is not None]
    assert len(taken) >= len(FIXTURES) * 2 // 3, taken


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'id,q\r\nr1,"never closed\r\n', "an odd number of quotes"),
        (b"id,q\nr1,a,extra\n", "a row with extra cells"),
        (b"id,q\nr1\n", "a short row"),
        ("id,q\nr1,café\n".encode("cp1252"), "not UTF-8"),
        ("id,q\nr1,a\n".encode("utf-16"), "UTF-16"),
        (b"\xef\xbb\xbf\xef\xbb\xbfid,q\nr1,a\n", "a doubled BOM"),
    ],
)
def test_fast_path_declines_what_needs_the_careful_one(tmp_path, content, why):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    assert _read_csv_arrow(path, content[:_SAMPLE]) is None, why


def test_blank_lines_keep_the_row_numbers_on_both_paths(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,q,z\nr1,a,1\n\nr2,b,2\n\n\n")
    fast, careful = _both(path)
    assert fast is not None
    pd.testing.assert_frame_equal(fast.cells, careful.cells)
    assert fast.cells.index.tolist() == [0, 1, 3] and fast.empty_rows == careful.empty_rows == 3


def test_a_header_longer_than_the_sample_still_reads(tmp_path):
    headers = [f"question_{i:05d}" for i in range(8000)]  # about 110 kB of header
    path = tmp_path / "wide.csv"
    path.write_text(",".join(headers) + "\n" + ",".join("1" for _ in headers) + "\n")
    grid = read_grid(path)
    assert grid.cells.shape == (2, 8000)
    assert grid.cells.iloc[0, -1] == headers[-1] and grid.cells.iloc[1, -1] == "1"


def test_text_stays_text(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,code,score,when\nr1,007,1.0,2026-03-04\nr2,,NA,\n")
    grid = _read_csv_arrow(path, path.read_bytes())
    assert grid is not None
    assert grid.cells.iloc[1].tolist() == ["r1", "007", "1.0", "2026-03-04"]
    assert grid.cells.iloc[2].tolist() == ["r2", "", "NA", ""]  # no NA guessing
