"""The workspace gives back exactly what validation produced (issue 16, point 1).

A select_one coded 1-4 with a blank in the column was stored as ``'4.0'`` and read back as
missing: ``evalkit analyze FILE`` counted n = 103, ``analyze --workspace`` n = 0, without a
word. The property test ingests random rows of an instrument with every item type (numeric
and text choice names, blanks, not shown, missing choices, invalid cells that quarantine)
and compares the workspace's frame and status with the validated ones, cell by cell.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.cli.main import cli
from evalkit.errors import DataError
from evalkit.instrument import load_instrument
from evalkit.store import codec, ingest_file, load_responses, load_status

FIXTURES = Path(__file__).parent / "fixtures"
EVERY_TYPE = FIXTURES / "every_type.yaml"
HEADER = ["response_id", "submitted_at", "rating", "mode", "worth", "topics", "contacts",
          "spend", "recommend", "comment", "follow_up_on"]  # fmt: skip

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
_row = st.fixed_dictionaries(
    {
        "submitted_at": st.sampled_from(["", "2026-03-01T10:00:00Z", "2026-11-30T23:59:59Z"]),
        "rating": st.sampled_from(["", "1", "2", "3", "4", "9", "7", "Good"]),
        "mode": st.sampled_from(["", "in_person", "virtual", "na"]),
        "worth": st.sampled_from(["", "1", "3", "5", "na", "6"]),
        "topics": st.sampled_from(["", "1", "2", "science", "1 2 science", "2 science", "3"]),
        "contacts": st.sampled_from(["", "0", "7", "12000", "-1", "x"]),
        "spend": st.sampled_from(["", "0", "2.5", "1e3", "-0.125", "abc"]),
        "recommend": st.sampled_from(["", "0", "6", "10", "11"]),
        "comment": st.one_of(st.just(""), _text),
        "follow_up_on": st.sampled_from(["", "2026-04-01", "2027-12-31", "not a date"]),
    }
)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n, row in enumerate(rows):
            writer.writerow([f"r{n}", *(row[c] for c in HEADER[1:])])
    return path


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("response_id").reset_index(drop=True)


# each example validates and ingests a file (about 0.7 s): 12 examples keep this near 8 s
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_row, min_size=1, max_size=25))
def test_every_item_type_reads_back_equal_to_the_validated_frame(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lossless")
    inst = load_instrument(EVERY_TYPE)
    path = _write(folder / "r.csv", rows)
    db = folder / "w.duckdb"
    summary = ingest_file(path, inst, workspace=db, period="2026")
    report = summary.report
    assert report is not None and report.valid_frame is not None
    assert summary.rows_new == report.rows_valid
    if report.rows_valid == 0:
        return
    stored = load_responses(db, inst)
    expected = _sorted(report.valid_frame)
    pd.testing.assert_frame_equal(_sorted(stored.drop(columns="period")), expected)
    states = report.valid_status.astype("string")
    ids = report.valid_frame["response_id"].astype("string").reset_index(drop=True)
    states = pd.concat([ids, states.reset_index(drop=True)], axis=1)
    pd.testing.assert_frame_equal(_sorted(load_status(db, inst)), _sorted(states))


def _numeric_kobo(path: Path, n: int = 120) -> Path:
    """A Kobo-like export: numeric choice names 1-4 with blanks in the column."""
    lines = ["start,end,rating,mode,_id,_uuid,_submission_time"]
    for i in range(n):
        rating = "" if i % 9 == 0 else str(1 + i % 4)
        lines.append(f"2026-03-01T10:00:00.000+01:00,2026-03-01T10:05:00.000+01:00,{rating},"
                     f"virtual,{i},uuid-{i:04d},2026-03-01T09:06:00")  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_numeric_choices_give_the_same_n_from_the_file_and_from_the_workspace(runner, tmp_path):
    path = _numeric_kobo(tmp_path / "kobo.csv")
    db = str(tmp_path / "w.duckdb")
    args = ["--instrument", str(EVERY_TYPE), "--by", "none"]
    direct = runner.invoke(cli, ["analyze", str(path), *args])
    assert direct.exit_code == 0, direct.output
    result = runner.invoke(
        cli, ["ingest", str(path), "--instrument", str(EVERY_TYPE), "--workspace", db,
              "--period", "2026"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = runner.invoke(cli, ["analyze", "--workspace", db, *args])
    assert stored.exit_code == 0, stored.output

    def n_of(output: str) -> int:
        return int(re.search(r"^rating\s+\S+\s+(\d+)", output, re.MULTILINE).group(1))

    assert n_of(direct.output) == n_of(stored.output) == 120 - 14


def test_choice_text_is_the_choice_name_not_the_float_it_became():
    column = pd.Series(pd.Categorical([4, None, 1], categories=[1, 2, 3, 4]))
    assert column.astype("string").tolist()[0] == "4.0"  # what the store used to write
    assert codec._text_of_categorical(column).tolist() == ["4", pd.NA, "1"]


def test_a_round_trip_that_loses_a_cell_rolls_the_ingest_back(tmp_path, monkeypatch):
    inst = load_instrument(EVERY_TYPE)
    path = _numeric_kobo(tmp_path / "kobo.csv", n=10)
    db = tmp_path / "w.duckdb"
    ingest_file(path, inst, workspace=db, period="2025")
    original = codec._text_of_categorical

    def lossy(values):
        return original(values).str.replace("3", "4")  # still a choice: only the check sees it

    monkeypatch.setattr(codec, "_text_of_categorical", lossy)
    with pytest.raises(DataError, match="would not give back"):
        ingest_file(_numeric_kobo(tmp_path / "more.csv", n=20), inst, workspace=db, period="2026")
    assert len(load_responses(db, inst)) == 10


def test_old_workspaces_with_float_text_still_read_and_unknown_values_are_an_error():
    inst = load_instrument(EVERY_TYPE)
    item = inst.item("rating")
    values = pd.Series(["4.0", None, "1"], dtype="string")
    decoded = codec.decode_item(values, inst, item, "rating")
    assert decoded.astype(object).tolist()[0] == 4 and decoded.isna().tolist() == [
        False,
        True,
        False,
    ]
    with pytest.raises(DataError, match="'8' of rating is not a choice"):
        codec.decode_item(pd.Series(["8"], dtype="string"), inst, item, "rating")
