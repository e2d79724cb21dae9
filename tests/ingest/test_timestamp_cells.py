"""A bad timestamp error names the bad cell (issue 16, point 7): a column mixing ISO times
with and without a zone offset, or an offset time beside a cell that is no time, was
refused naming the first (valid) cell with an offset, because the careful path does not
read offsets."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.ingest._base import InputError
from evalkit.ingest.timestamps import parse_timestamps

WITH = "2026-03-01T10:00:00+02:00"
WITHOUT = "2026-03-02 10:00:00"


def _cells(values: list[str]) -> pd.Series:
    # indexed as the platform readers index a body: record number, the header being 0
    return pd.Series(values, index=range(1, len(values) + 1), dtype="string")


def _error(values: list[str]) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_timestamps(_cells(values), path="f.csv", column="submitted_at")
    return caught.value


@pytest.mark.parametrize(
    ("values", "row", "cell"),
    [
        ([WITH, WITH, WITHOUT, WITH], 4, WITHOUT),  # one time without: that one
        ([WITHOUT, WITH, WITHOUT], 3, WITH),  # one time with: that one
        ([WITH, WITHOUT], 3, WITHOUT),  # as many of each: the first unlike the first cell
        ([WITHOUT, "", WITHOUT, WITH, WITH, WITHOUT], 5, WITH),
    ],
)
def test_mixed_offsets_name_the_odd_cell(values, row, cell):
    error = _error(values)
    assert error.code == "bad-timestamp"
    assert error.location.row == row and error.location.column == "submitted_at"
    assert repr(cell) in str(error) and "mixes times with and without offsets" in str(error)


@pytest.mark.parametrize(
    "values",
    [
        [WITH, "garbage"],
        [WITH, "2026-06-01T10:00:00+03:00", "garbage"],  # differing offsets (summer time)
        [WITH, "2026-13-45T10:00:00+02:00"],
    ],
)
def test_a_bad_cell_beside_offset_times_is_the_one_named(values):
    error = _error(values)
    assert error.location.row == len(values) + 1
    assert f"cannot read the timestamp {values[-1]!r}" in str(error)


def test_offset_times_the_fast_path_does_not_take_are_read():
    parsed = parse_timestamps(_cells([WITH, "2026-06-01 10:00+03"]))
    assert parsed.tolist() == [
        pd.Timestamp("2026-03-01 08:00", tz="UTC"),
        pd.Timestamp("2026-06-01 07:00", tz="UTC"),
    ]


def test_the_cli_names_the_row_and_column_of_the_bad_cell(runner, tmp_path):
    path = tmp_path / "export.csv"
    rows = [f"r{n},{t},RIV-2026-001,in_person,4" for n, t in enumerate([WITH, WITH, WITHOUT])]
    path.write_text(
        "response_id,submitted_at,engagement_id,mode,worth_time\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(path), "--instrument", "post_engagement"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {path}: row 4: column 'submitted_at': the timestamp '{WITHOUT}' has no zone "
        f"offset, unlike row 2 ('{WITH}')"
    )
