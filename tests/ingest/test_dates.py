"""Timestamps and joined answers as real platforms write them (issue 16, points 2 and 5).

Each fixture reproduces one quirk seen in a real export: Google Forms' own CSV download
(year first, 12-hour clock, a zone abbreviation or ``GMT-5``, checkboxes joined with ``;``),
a New Zealand Qualtrics export re-saved with day-first dates, a time in the hour repeated
when the clocks go back.
"""
# ruff: noqa: E501  (fixture lines are platform exports, kept byte-exact)

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from evalkit.errors import DataError
from evalkit.ingest import read_responses
from evalkit.ingest.timestamps import parse_timestamps
from evalkit.instrument import load_instrument_file

FORM = """\
id: sust
version: 1.0.0
title: Sustainability
languages: [en]
choice_lists:
  efforts:
    - {value: waste, label: "Waste management (food, trash, recycling, etc)"}
    - {value: community, label: Community service / outreach}
    - {value: energy, label: Energy & water usage (facilities)}
  imp:
    - {value: 1, label: "1"}
    - {value: 2, label: "2"}
    - {value: 3, label: "3"}
items:
  - {id: importance, type: likert, choices: imp, role: outcome, text: How important is it?}
  - {id: efforts, type: select_multiple, choices: efforts, text: Which efforts? (Pick top 2!)}
"""

SIGN = """\
id: sign
version: 1.0.0
title: Sign
languages: [en]
choice_lists:
  seen: [{value: 1, label: "Yes"}, {value: 2, label: "No"}]
items:
  - {id: seen_it, type: select_one, choices: seen, text: Have seen it}
"""


@pytest.fixture
def form(write_yaml):
    return load_instrument_file(write_yaml(FORM, "sust.yaml"))


@pytest.fixture
def sign(write_yaml):
    return load_instrument_file(write_yaml(SIGN, "sign.yaml"))


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_google_forms_own_download(form, tmp_path):
    path = _write(
        tmp_path,
        "responses.csv",
        """\
        Timestamp,How important is it?,Which efforts? (Pick top 2!)
        2022/06/22 11:07:29 AM AST,3,"Waste management (food, trash, recycling, etc);Community service / outreach"
        2022/06/22 1:26:52 PM AST,2,Energy & water usage (facilities);Community service / outreach
        2022/06/22 12:05:00 AM GMT-5,1,Community service / outreach
        2022/06/22 12:30:00 PM GMT+05:30,1,"Waste management (food, trash, recycling, etc)"
        """,
    )
    result = read_responses(path, form)
    f = result.frame
    assert result.issues.empty
    assert f["submitted_at"].tolist() == [
        pd.Timestamp("2022-06-22T15:07:29Z"),  # AST = UTC-4
        pd.Timestamp("2022-06-22T17:26:52Z"),  # 1 PM
        pd.Timestamp("2022-06-22T05:05:00Z"),  # 12 AM is midnight
        pd.Timestamp("2022-06-22T07:00:00Z"),  # 12 PM is noon
    ]
    assert f["efforts__waste"].tolist() == [True, False, False, True]
    assert f["efforts__community"].tolist() == [True, True, True, False]
    assert f["efforts__energy"].tolist() == [False, True, False, False]
    assert any("AST read as UTC-4" in n for n in result.notes)


def test_google_sheets_copy_month_first_from_the_cells(form, tmp_path):
    path = _write(
        tmp_path,
        "sheet.csv",
        """\
        Timestamp,How important is it?,Which efforts? (Pick top 2!)
        6/22/2022 11:07:29,3,Community service / outreach
        7/1/2022 9:00,2,Community service / outreach
        """,
    )
    f = read_responses(path, form).frame
    assert f["submitted_at"].tolist() == [
        pd.Timestamp("2022-06-22T11:07:29Z"),
        pd.Timestamp("2022-07-01T09:00:00Z"),
    ]


def test_ambiguous_dates_are_refused_naming_the_option(form, tmp_path):
    path = _write(
        tmp_path,
        "sheet.csv",
        """\
        Timestamp,How important is it?,Which efforts? (Pick top 2!)
        6/7/2022 11:07:29,3,Community service / outreach
        6/8/2022 11:07:29,3,Community service / outreach
        """,
    )
    with pytest.raises(DataError) as caught:
        read_responses(path, form)
    line = str(caught.value)
    assert "row 2" in line and "'Timestamp'" in line and "--date-order" in line
    assert "\n" not in line
    dmy = read_responses(path, form, date_order="dmy").frame["submitted_at"]
    assert dmy.iloc[0] == pd.Timestamp("2022-07-06T11:07:29Z")
    mdy = read_responses(path, form, date_order="mdy").frame["submitted_at"]
    assert mdy.iloc[0] == pd.Timestamp("2022-06-07T11:07:29Z")


def test_cells_that_contradict_each_other_are_refused(form, tmp_path):
    path = _write(
        tmp_path,
        "sheet.csv",
        """\
        Timestamp,How important is it?,Which efforts? (Pick top 2!)
        13/7/2022 11:07:29,3,Community service / outreach
        6/14/2022 11:07:29,3,Community service / outreach
        """,
    )
    with pytest.raises(DataError, match="--date-order"):
        read_responses(path, form)


QUALTRICS_NZ = """\
StartDate,EndDate,RecordedDate,ResponseId,1_Q1_1
Start Date,End Date,Recorded Date,Response ID,Have seen it
"{""ImportId"":""startDate"",""timeZone"":""Pacific/Auckland""}","{""ImportId"":""endDate"",""timeZone"":""Pacific/Auckland""}","{""ImportId"":""recordedDate"",""timeZone"":""Pacific/Auckland""}","{""ImportId"":""_recordId""}","{""ImportId"":""1_QID10_1""}"
9/11/2022 17:54,9/11/2022 18:44,9/11/2022 18:44,R_1,Yes
10/11/2022 18:23,11/11/2022 8:57,11/11/2022 8:57,R_2,No
"""


def test_new_zealand_export_is_read_day_first_with_a_note(sign, tmp_path):
    path = _write(tmp_path, "nz.csv", QUALTRICS_NZ)
    result = read_responses(path, sign)
    # 9 November 2022 18:44 NZDT (UTC+13) is 05:44 UTC the same day, not 11 September
    assert result.frame["submitted_at"].tolist() == [
        pd.Timestamp("2022-11-09T05:44:00Z"),
        pd.Timestamp("2022-11-10T19:57:00Z"),
    ]
    assert any("day first" in n and "Pacific/Auckland" in n for n in result.notes)
    month_first = read_responses(path, sign, date_order="mdy").frame["submitted_at"]
    assert month_first.iloc[0] == pd.Timestamp("2022-09-11T06:44:00Z")  # NZST, UTC+12


QUALTRICS_DST = """\
StartDate,EndDate,RecordedDate,ResponseId,1_Q1_1
Start Date,End Date,Recorded Date,Response ID,Have seen it
"{""ImportId"":""startDate"",""timeZone"":""America/New_York""}","{""ImportId"":""endDate"",""timeZone"":""America/New_York""}","{""ImportId"":""recordedDate"",""timeZone"":""America/New_York""}","{""ImportId"":""_recordId""}","{""ImportId"":""1_QID10_1""}"
2023-11-05 00:20:00,2023-11-05 00:30:00,2023-11-05 00:30:00,R_1,Yes
2023-11-05 01:20:00,2023-11-05 01:30:00,2023-11-05 01:30:00,R_2,No
2023-03-12 02:10:00,2023-03-12 02:30:00,2023-03-12 02:30:00,R_3,No
"""


def test_a_time_in_the_repeated_hour_is_never_blanked(sign, tmp_path):
    path = _write(tmp_path, "dst.csv", QUALTRICS_DST)
    result = read_responses(path, sign)
    at = result.frame["submitted_at"]
    assert at.notna().all()
    assert at.iloc[1] == pd.Timestamp("2023-11-05T05:30:00Z")  # EDT, the first 01:30
    assert at.iloc[2] == pd.Timestamp("2023-03-12T07:30:00Z")  # 02:30 moved to 03:30 EDT
    notes = " ".join(result.notes)
    assert "repeated" in notes and "row(s) 5" in notes
    assert "skipped" in notes and "row(s) 6" in notes


def test_bad_timestamp_names_its_row_and_column(sign, tmp_path):
    path = _write(
        tmp_path,
        "kobo.csv",
        """\
        "seen_it";"_uuid";"_submission_time"
        "1";"u1";"2025-03-04T09:05:00"
        "1";"u2";"yesterday"
        """,
    )
    with pytest.raises(DataError) as caught:
        read_responses(path, sign)
    assert "row 3" in str(caught.value) and "'_submission_time'" in str(caught.value)


def test_qualtrics_bad_timestamp_names_the_date_column(sign, tmp_path):
    text = QUALTRICS_DST.replace("2023-03-12 02:30:00,R_3", "soon,R_3")
    path = _write(tmp_path, "q.csv", text)
    with pytest.raises(DataError) as caught:
        read_responses(path, sign)
    assert "row 6" in str(caught.value) and "'RecordedDate'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022/06/22 11:07:29 PM EDT", "2022-06-23T03:07:29Z"),
        ("2022/06/22 11:07:29 a. m. GMT", "2022-06-22T11:07:29Z"),
        ("2022/06/22 11:07:29 UTC", "2022-06-22T11:07:29Z"),
        ("2022-06-22 11:07 PM", "2022-06-22T23:07:00Z"),
        ("22.06.2022 23:07:29", "2022-06-22T23:07:29Z"),
    ],
)
def test_more_timestamp_shapes(text, expected):
    assert parse_timestamps(pd.Series([text])).iloc[0] == pd.Timestamp(expected)


def test_unknown_zone_is_an_error():
    with pytest.raises(DataError, match="unknown time zone 'XYZ'"):
        parse_timestamps(pd.Series(["2022/06/22 11:07:29 AM XYZ"]))


def test_date_order_option_is_checked(form, tmp_path):
    from evalkit.errors import UsageError

    path = _write(
        tmp_path, "x.csv", "Timestamp,How important is it?\n2022/06/22 1:00:00 PM GMT,3\n"
    )
    with pytest.raises(UsageError):
        read_responses(path, form, date_order="yyyy")


@pytest.mark.parametrize("command", ["validate", "analyze"])
def test_date_order_on_the_commands_that_read_files(form, tmp_path, runner, command):
    from evalkit.cli.main import cli

    path = _write(
        tmp_path,
        "sheet.csv",
        """\
        Timestamp,How important is it?,Which efforts? (Pick top 2!)
        6/7/2022 11:07:29,3,Community service / outreach
        6/8/2022 11:07:29,2,Community service / outreach
        """,
    )
    args = [command, str(path), "--instrument", form.path, "--by", "none"][
        : 4 + 2 * (command == "analyze")
    ]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2 and "--date-order" in refused.output
    read = runner.invoke(cli, [*args, "--date-order", "dmy"])
    assert read.exit_code == 0, read.output
