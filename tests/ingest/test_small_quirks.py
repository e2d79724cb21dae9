"""Issue 16, point 7: small real-world quirks, each read right or refused with a fitting hint.

Fixtures are written here to reproduce what was seen in ../shared/realworld/ (ODK Central's
repeat CSVs, Kobo's split select_multiple columns, Qualtrics' ``_TEXT`` columns, Google's
``Email Address``, Kobo label exports); the real files are tested where they are present.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

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
