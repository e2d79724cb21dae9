"""Issue 16, point 7: small real-world quirks, each read right or refused with a fitting hint.

Fixtures are written here to reproduce what was seen in ../shared/realworld/ (ODK Central's
repeat CSVs, Kobo's split select_multiple columns, Qualtrics' ``_TEXT`` columns, Google's
``Email Address``, Kobo label exports); the real files are tested where they are present.
"""
# ruff: noqa: E501  (fixture lines are platform exports, kept byte-exact)

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.ingest import read_responses
from evalkit.instrument import load_instrument_file

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "realworld"

SMALL = """\
id: small
version: 1.0.0
title: {en: Small}
languages: [en]
choice_lists:
  chan:
    - {value: virtual, label: {en: Virtual}}
    - {value: in_person, label: {en: In person}}
    - {value: other, label: {en: Other}}
  agree5:
    - {value: 1, label: {en: Disagree}}
    - {value: 2, label: {en: Neutral}}
    - {value: 3, label: {en: Agree}}
items:
  - {id: name, type: text, pii: false, text: {en: Name}}
  - {id: age, type: integer, text: {en: Age}}
  - {id: channels, type: select_multiple, choices: chan, text: {en: "How did you take part?"}}
  - {id: satisfied, type: likert, choices: agree5, role: outcome, text: {en: I was satisfied}}
  - {id: channels_other, type: text, pii: false, text: {en: Other channel}}
  - {id: email, type: text, role: id, pii: true, text: {en: Your e-mail}}
"""


@pytest.fixture
def small(write_yaml):
    return load_instrument_file(write_yaml(SMALL, "small.yaml"))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode("utf-8"))
    return path


# (a) a repeat group's child table is not the responses


def test_odk_repeat_child_csv_is_refused_naming_the_main_table(small, tmp_path):
    path = _write(
        tmp_path,
        "household-members.csv",
        """\
        name,age,PARENT_KEY,KEY
        Billy,4,uuid:two,uuid:two/members[1]
        Blaine,6,uuid:two,uuid:two/members[2]
        """,
    )
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small)
    err = info.value
    assert err.code == "repeat-table" and err.exit_code == 2
    line = err.one_line()
    assert "\n" not in line
    assert "PARENT_KEY" in line and "repeat" in line
    assert "household.csv" in line  # the main table of ODK Central's ZIP


def test_kobo_repeat_sheet_is_refused_naming_its_parent(small, tmp_path):
    path = _write(
        tmp_path,
        "members.csv",
        """\
        name,age,_index,_parent_table_name,_parent_index,_submission__uuid
        Billy,4,1,household_survey,1,a1b2
        """,
    )
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small)
    assert info.value.code == "repeat-table"
    assert "'household_survey'" in info.value.one_line()


def test_repeat_child_refused_through_the_cli(small, tmp_path, runner):
    from evalkit.cli.main import cli

    path = _write(tmp_path, "f-kids.csv", "name,age,PARENT_KEY,KEY\nBilly,4,two,two/kids[1]\n")
    inst = tmp_path / "small.yaml"
    result = runner.invoke(cli, ["validate", str(path), "--instrument", str(inst)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "repeat" in result.output


@pytest.mark.skipif(not (REALWORLD / "exports").is_dir(), reason="no ../shared/realworld")
def test_realworld_central_repeat_child_is_refused(small):
    path = REALWORLD / "exports" / "odk" / "central_singlerepeat-child_0.csv"
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small)
    assert info.value.code == "repeat-table"


# (e) a Kobo label export with two identical labels


def test_kobo_label_export_with_repeated_label_advises_xml_headers(small, tmp_path):
    path = _write(
        tmp_path,
        "kobo_labels.csv",
        """\
        "Name";"Age";"Comments";"Comments";"_id";"_uuid";"_submission_time"
        "Ana";"30";"fine";"more";"1";"a1";"2025-03-04T09:05:00"
        """,
    )
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small)
    line = info.value.one_line()
    assert info.value.code == "duplicate-header"
    assert "XML values and headers" in line and "Comments" in line


def test_other_platforms_keep_the_rename_advice(small, tmp_path):
    path = _write(tmp_path, "g.csv", "response_id,Name,Name\nr1,a,b\n")
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small)
    assert info.value.code == "duplicate-header"
    assert "XML values" not in info.value.one_line()
    assert "rename one of the columns" in info.value.one_line()


@pytest.mark.skipif(not (REALWORLD / "exports").is_dir(), reason="no ../shared/realworld")
def test_realworld_kobo_label_exports_with_repeated_labels(small):
    for name in ("site_inspection.labels.csv", "literacy_test.labels.csv"):
        with pytest.raises(EvalkitError) as info:
            read_responses(REALWORLD / "exports" / "kobo" / name, small)
        assert info.value.code == "duplicate-header"
        assert "XML values and headers" in info.value.one_line()


# (c) Qualtrics "other, specify" (_TEXT) columns can be mapped

QUALTRICS_TEXT = """\
StartDate,ResponseId,Q1,Q1_3_TEXT,Q2
Start Date,Response ID,How did you take part? - Selected Choice,How did you take part? - Other - Text,I was satisfied
"{""ImportId"":""startDate"",""timeZone"":""Europe/Berlin""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID1_3_TEXT""}","{""ImportId"":""QID2""}"
2025-03-04 10:05:00,R_abc,"1,3",Radio call-in,3
2025-03-04 10:07:00,R_def,1,,2
"""


@pytest.mark.parametrize("key", ["Q1_3_TEXT", "How did you take part? - Other - Text"])
def test_qualtrics_text_column_can_be_mapped(small, tmp_path, key):
    path = _write(tmp_path, "q.csv", QUALTRICS_TEXT)
    result = read_responses(path, small, mapping={key: "channels_other"})
    assert result.platform == "qualtrics"
    assert result.frame["channels_other"].tolist() == ["Radio call-in", pd.NA]
    assert result.frame["channels__other"].tolist() == [True, False]
    used = dict(zip(result.columns["header"], result.columns["used_as"], strict=True))
    assert used["Q1_3_TEXT"] == "item"
    assert not any("_TEXT" in note for note in result.notes)


def test_qualtrics_text_column_left_unmapped_is_noted(small, tmp_path):
    result = read_responses(_write(tmp_path, "q.csv", QUALTRICS_TEXT), small)
    assert result.frame["channels_other"].isna().all()
    assert any("Q1_3_TEXT" in note and "--map" in note for note in result.notes)


def test_qualtrics_item_whose_id_ends_in_text_is_read(write_yaml, tmp_path):
    inst = load_instrument_file(
        write_yaml(SMALL.replace("id: channels_other,", "id: channel_text,"), "small_text.yaml")
    )
    text = QUALTRICS_TEXT.replace("Q1_3_TEXT,", "channel_text,", 1)
    result = read_responses(_write(tmp_path, "q.csv", text), inst)
    assert result.frame["channel_text"].tolist() == ["Radio call-in", pd.NA]


# (d) Google's Email Address as the respondent key (hashed, never stored)

GOOGLE_EMAIL = """\
Timestamp,Email Address,Name,How did you take part?,I was satisfied
2025/03/04 10:05:00 AM GMT,Ana@Example.org,Ana,Virtual,Agree
2025/03/05 11:00:00 AM GMT,bo@example.org,Bo,"Virtual, In person",Neutral
"""


def test_google_email_address_can_be_the_respondent_key(small, tmp_path):
    from evalkit.store import ingest_file, load_responses
    from evalkit.validate import validate_file
    from evalkit.validate.privacy import keyed_hash

    path = _write(tmp_path, "google.csv", GOOGLE_EMAIL)
    mapping = {"Email Address": "email"}
    report = validate_file(path, small, mapping=mapping, key="k")
    assert report.valid
    assert "email" not in report.valid_frame
    assert report.valid_frame["email__key"].tolist() == [
        keyed_hash("ana@example.org", "k"),
        keyed_hash("bo@example.org", "k"),
    ]
    workspace = tmp_path / "w.duckdb"
    ingest_file(path, small, workspace=workspace, period="2025", mapping=mapping)
    stored = load_responses(workspace, small)
    assert stored["email__key"].notna().all() and stored["email__key"].nunique() == 2
    assert b"example.org" not in workspace.read_bytes()


def test_google_email_address_matches_an_item_of_that_text(write_yaml, tmp_path):
    inst = load_instrument_file(
        write_yaml(SMALL.replace("text: {en: Your e-mail}", "text: {en: Email address}"), "e.yaml")
    )
    result = read_responses(_write(tmp_path, "google.csv", GOOGLE_EMAIL), inst)
    assert result.frame["email"].tolist() == ["Ana@Example.org", "bo@example.org"]


def test_email_address_refused_for_an_item_that_is_not_personal(small, tmp_path):
    path = _write(tmp_path, "google.csv", GOOGLE_EMAIL)
    with pytest.raises(EvalkitError) as info:
        read_responses(path, small, mapping={"Email Address": "channels_other"})
    assert info.value.code == "bad-map" and "pii: true" in info.value.one_line()


def test_google_email_address_unmapped_is_still_ignored(small, tmp_path):
    result = read_responses(_write(tmp_path, "google.csv", GOOGLE_EMAIL), small)
    assert result.frame["email"].isna().all()
    used = dict(zip(result.columns["header"], result.columns["used_as"], strict=True))
    assert used["Email Address"] == "metadata"


# (b) a joined select_multiple cell that disagrees with its option columns

KOBO_BOTH = """\
"channels";"channels/virtual";"channels/in_person";"channels/other";"satisfied";"_uuid";"_submission_time"
"virtual other";"1";"0";"1";"3";"u1";"2025-03-04T09:05:00"
"virtual in_person";"1";"0";"0";"2";"u2";"2025-03-04T10:05:00"
"";"";"";"";"1";"u3";"2025-03-04T11:05:00"
"";"0";"1";"0";"1";"u4";"2025-03-04T12:05:00"
"in_person";"";"";"";"1";"u5";"2025-03-04T13:05:00"
"In person Virtual";"1";"1";"0";"3";"u6";"2025-03-04T14:05:00"
"""


def test_joined_cell_disagreeing_with_option_columns_is_quarantined_with_a_note(small, tmp_path):
    from evalkit.validate import validate_file

    path = _write(tmp_path, "kobo.csv", KOBO_BOTH)
    report = validate_file(path, small)
    bad = report.failures[report.failures["code"] == "multi-mismatch"]
    # row 3: in_person in the cell, 0 in its column; row 5: blank cell, in_person ticked;
    # row 7 agrees (labels in the cell); row 6 has only the cell: see the next test
    assert bad["source_row"].tolist() == [3, 5]
    assert set(bad["item"]) == {"channels"}
    assert bad["value"].tolist() == ["virtual in_person", ""]
    message = bad["message"].iloc[0]
    assert "'channels'" in message and "'channels/in_person'" in message
    assert sorted(report.quarantine["_source_row"]) == [3, 5]
    assert report.quarantine["_reasons"].iloc[0].startswith("multi-mismatch: ")
    # the original cells are kept in the quarantine, the joined cell and the options
    assert report.quarantine["channels"].tolist() == ["virtual in_person", ""]
    assert report.quarantine["channels/in_person"].tolist() == ["0", "1"]
    assert report.rows_valid == 4


def test_joined_missing_choice_without_an_option_column_is_kept(write_yaml, tmp_path):
    text = SMALL.replace(
        "    - {value: other, label: {en: Other}}",
        "    - {value: other, label: {en: Other}}\n"
        "    - {value: none, label: {en: Did not take part}, missing: true}",
    )
    inst = load_instrument_file(write_yaml(text, "small_none.yaml"))
    result = read_responses(_write(tmp_path, "kobo.csv", KOBO_BOTH.replace(
        '"virtual other";"1";"0";"1"', '"none";"0";"0";"0"')), inst)  # fmt: skip
    assert result.status["channels"].tolist()[0] == "choice:none"
    assert result.issues[result.issues["row"] == 0].empty


def test_empty_option_columns_take_the_joined_answer_with_a_note(small, tmp_path):
    result = read_responses(_write(tmp_path, "kobo.csv", KOBO_BOTH), small)
    frame = result.frame.set_index("response_id")
    # u5: the option cells are empty (Kobo: a submission of an earlier form version)
    assert frame.loc["u5", "channels__in_person"] == True  # noqa: E712
    assert frame.loc["u5", "channels__virtual"] == False  # noqa: E712
    assert result.status["channels"].tolist()[4] == "answered"
    assert frame.loc["u3", ["channels__virtual", "channels__in_person"]].isna().all()
    note = next(n for n in result.notes if n.startswith("channels:"))
    assert "(6)" in note and "'channels'" in note


def test_joined_cell_with_an_option_that_is_no_choice(small, tmp_path):
    from evalkit.validate import validate_file

    text = KOBO_BOTH.replace('"virtual other";"1";"0";"1"', '"virtual zoom";"1";"0";"0"')
    report = validate_file(_write(tmp_path, "kobo.csv", text), small)
    row2 = report.failures[report.failures["source_row"] == 2]
    assert row2["code"].tolist() == ["unknown-choice"]


def test_option_columns_alone_or_joined_alone_raise_no_mismatch(small, tmp_path):
    from evalkit.validate import validate_file

    only_split = "\n".join(
        ";".join(cells.split(";")[1:]) for cells in textwrap.dedent(KOBO_BOTH).splitlines()
    )
    report = validate_file(_write(tmp_path, "split.csv", only_split + "\n"), small)
    assert "multi-mismatch" not in set(report.failures["code"])


@pytest.mark.skipif(not (REALWORLD / "exports").is_dir(), reason="no ../shared/realworld")
def test_realworld_central_joined_choices_without_option_columns_are_kept():
    from evalkit.instrument import load_instrument
    from evalkit.validate import validate_file

    inst = load_instrument(str(REALWORLD / "instruments" / "odk_selectmultiple.yaml"))
    report = validate_file(REALWORLD / "exports" / "odk" / "central_selectMultiple_0.csv", inst)
    # q1 = 'a b' and 'b' with columns only for x, y, z (all 0); g1-q2 = 'x y z' and 'm x'
    # with columns for m, n: nothing contradicts, and what only the joined cell says is kept
    assert report.valid and report.rows_valid == 2
    frame = report.valid_frame
    assert frame["q1__a"].tolist() == [True, False] and frame["q1__b"].tolist() == [True, True]
    assert frame["q1__x"].tolist() == [False, False]
    assert frame["q2__m"].tolist() == [False, True] and frame["q2__x"].tolist() == [True, True]
    assert frame["q2__z"].tolist() == [True, False]


def test_a_text_column_is_not_claimed_by_a_choice_question_of_the_same_text(small, tmp_path):
    text = QUALTRICS_TEXT.replace("How did you take part? - Other - Text", "I was satisfied")
    result = read_responses(_write(tmp_path, "q.csv", text), small)
    used = dict(zip(result.columns["header"], result.columns["used_as"], strict=True))
    assert used["Q1_3_TEXT"] == "metadata" and used["Q2"] == "item"
    assert result.frame["satisfied"].tolist() == [3, 2]
