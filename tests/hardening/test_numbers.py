"""Overflowing numbers in numeric items (issue 17, point 6): ``1e308``, ``inf`` and 26-digit
integers were cast to Int64 and reported as '-9223372036854775808', with numpy's
RuntimeWarnings on stderr. Now each such cell is quarantined as ``number-too-large`` naming
its row, column and the allowed range; numbers within range are kept (decimals as floats)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

from evalkit.cli.main import cli

BIG = "9" * 26
HEADER = "response_id,engagement_id,mode,worth_time,new_contacts,travel_from\n"


def _export(tmp_path, cells: list[str], column: str = "new_contacts"):
    rows = []
    for n, cell in enumerate(cells, start=1):
        row = {"worth_time": "4", "new_contacts": "2", column: cell}
        rows.append(
            f"r{n},RIV-2026-001,in_person,{row['worth_time']},{row['new_contacts']},Durban\n"
        )
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _run(runner, args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = runner.invoke(cli, args)
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return result, leaked


def test_overflowing_integers_are_quarantined_with_the_allowed_range(runner, tmp_path):
    path = _export(tmp_path, ["1e308", "1e309", BIG, "-" + BIG, "-9223372036854775809", "7"])
    result, leaked = _run(
        runner, ["validate", str(path), "--instrument", "post_engagement", "--json"]
    )
    assert leaked == []
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["rows"] == {"in": 6, "valid": 1, "quarantined": 5}
    failures = [f for f in report["failures"] if f["item"] == "new_contacts"]
    assert [f["code"] for f in failures] == ["number-too-large"] * 5
    assert [f["source_row"] for f in failures] == [2, 3, 4, 5, 6]
    assert [f["value"] for f in failures] == [
        "1e308", "1e309", BIG, "-" + BIG, "-9223372036854775809"
    ]  # fmt: skip
    assert failures[0]["message"] == (
        "new_contacts: '1e308' is too large a number to read; allowed 0 to 500"
    )
    assert "9223372036854775808'" not in result.output


def test_the_text_report_names_row_column_and_range(runner, tmp_path):
    path = _export(tmp_path, ["3", BIG])
    result, leaked = _run(runner, ["validate", str(path), "--instrument", "post_engagement"])
    assert leaked == []
    assert result.exit_code == 1
    assert (
        f"row 3: number-too-large: new_contacts: '{BIG}' is too large a number to read; "
        "allowed 0 to 500" in result.output
    )


def test_infinite_and_huge_likert_answers_are_not_choices(runner, tmp_path):
    path = _export(tmp_path, ["inf", "-inf", "1e308", BIG, "4"], column="worth_time")
    result, leaked = _run(
        runner, ["validate", str(path), "--instrument", "post_engagement", "--json"]
    )
    assert leaked == []
    report = json.loads(result.output)
    assert report["rows"] == {"in": 5, "valid": 1, "quarantined": 4}
    values = {f["value"] for f in report["failures"] if f["item"] == "worth_time"}
    assert values == {"inf", "-inf", "1e308", BIG}
    assert "9223372036854775808" not in result.output


DECIMAL = """\
id: costs
version: 1.0.0
title: {en: Costs}
languages: [en]
items:
  - id: hours
    type: decimal
    min: 0
    text: {en: Staff hours}
  - id: balance
    type: decimal
    text: {en: Balance}
"""


@pytest.mark.parametrize(
    ("cell", "kept"),
    [("1e14", 1e14), ("-999999999999999.5", None), ("0.25", 0.25), ("1e-400", 0.0)],
)
def test_decimals_in_range_are_kept_as_floats(write_yaml, tmp_path, cell, kept):
    from evalkit.instrument import load_instrument
    from evalkit.validate import validate_file

    instrument = load_instrument(write_yaml(DECIMAL))
    path = tmp_path / "costs.csv"
    path.write_text(f"response_id,hours,balance\nr1,1,{cell}\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        report = validate_file(path, instrument)
    assert report.rows_quarantined == 0
    value = report.valid_frame["balance"].iloc[0]
    assert value == (float(cell) if kept is None else kept)


@pytest.mark.parametrize("cell", ["1e308", "inf", "-1e16", BIG])
def test_decimals_out_of_range_are_quarantined(write_yaml, tmp_path, cell):
    from evalkit.instrument import load_instrument
    from evalkit.validate import validate_file

    instrument = load_instrument(write_yaml(DECIMAL))
    path = tmp_path / "costs.csv"
    path.write_text(f"response_id,hours,balance\nr1,{cell},{cell}\n", encoding="utf-8")
    report = validate_file(path, instrument)
    assert report.rows_quarantined == 1
    messages = set(report.failures["message"])
    assert messages == {
        f"hours: '{cell}' is too large a number to read; allowed 0 to 10^15",
        f"balance: '{cell}' is too large a number to read; allowed -10^15 to 10^15",
    }


@pytest.mark.parametrize("command", ["validate", "ingest", "analyze"])
def test_no_numpy_warning_reaches_stderr(tmp_path, command):
    path = _export(tmp_path, ["1e308", "1e309", "inf", "nan", BIG, "-" + BIG, "3", "4", "5"])
    args = [command, str(path), "--instrument", "post_engagement"]
    if command == "ingest":
        args += ["--workspace", str(tmp_path / "ws.duckdb"), "--period", "2026"]
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "evalkit", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Warning" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode in (0, 1), done.stderr
    assert "9223372036854775808" not in done.stdout


@pytest.mark.parametrize(("column", "cell"), [("worth_time", "nan"), ("new_contacts", "NaN")])
def test_a_cell_reading_nan_is_shown_as_written(runner, tmp_path, column, cell):
    # the failure's value is the respondent's text: 'nan' was blanked as if it were missing
    path = _export(tmp_path, [cell, "3"], column=column)
    result, _ = _run(runner, ["validate", str(path), "--instrument", "post_engagement", "--json"])
    failures = json.loads(result.output)["failures"]
    assert [(f["source_row"], f["value"]) for f in failures] == [(2, cell)]
    assert f"'{cell}'" in failures[0]["message"]
