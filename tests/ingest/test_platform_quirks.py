"""Readers against the literal fixture seeds of FORMATS.md and each platform's quirks."""
# ruff: noqa: E501  (fixture lines are platform exports, kept byte-exact)

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from evalkit.errors import DataError
from evalkit.ingest import load_mapping, read_responses, tokenize
from evalkit.instrument import load_instrument_file

CHANNELS = """\
id: channels
version: 1.0.0
title: {en: Channels, fr: Canaux}
languages: [en, fr]
choice_lists:
  chan:
    - {value: virtual, label: {en: Virtual, fr: En ligne}}
    - {value: in_person, label: {en: "In person, with interpreter", fr: En présentiel}}
    - {value: other, label: {en: Other, fr: Autre}}
  agree5:
    - {value: 1, label: {en: Strongly disagree, fr: Pas du tout d'accord}}
    - {value: 2, label: {en: Disagree, fr: Pas d'accord}}
    - {value: 3, label: {en: Neither, fr: Ni l'un ni l'autre}}
    - {value: 4, label: {en: Agree, fr: D'accord}}
    - {value: 5, label: {en: Strongly agree, fr: Tout à fait d'accord}}
  mode:
    - {value: virtual, label: {en: Virtual, fr: En ligne}}
    - {value: hybrid, label: {en: Hybrid, fr: Hybride}}
items:
  - {id: channels, type: select_multiple, choices: chan, text: {en: "How did you take part?", fr: "Comment avez-vous participé ?"}}
  - {id: channels_other, type: text, pii: false, relevant: "selected(channels, 'other')", text: {en: Please specify, fr: Précisez}}
  - {id: satisfied, type: likert, choices: agree5, role: outcome, text: {en: I was satisfied, fr: "J'étais satisfait·e"}}
  - {id: mode, type: select_one, choices: mode, role: group, text: {en: Mode, fr: Mode}}
"""


@pytest.fixture
def inst(write_yaml):
    return load_instrument_file(write_yaml(CHANNELS, "channels.yaml"))


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).encode(encoding))
    return path


def test_kobo_xml_groups_unanswered_split_cells_are_na(inst, tmp_path):
    path = _write(
        tmp_path,
        "kobo.csv",
        """\
        "engage/channels";"engage/channels/virtual";"engage/channels/in_person";"engage/channels/other";"engage/channels_other";"engage/satisfied";"_id";"_uuid";"_submission_time";"_validation_status";"_index"
        "virtual other";"1";"0";"1";"Radio call-in";"5";"101";"a1b2";"2025-03-04T09:05:00";"validation_status_approved";"1"
        "";"";"";"";"";"";"102";"c3d4";"2025-03-05T11:00:00";"";"2"
        """,
    )
    result = read_responses(path, inst)
    f = result.frame
    assert result.platform == "kobo" and result.delimiter == ";"
    assert f["response_id"].tolist() == ["a1b2", "c3d4"]
    assert f["submitted_at"].iloc[0] == pd.Timestamp("2025-03-04T09:05:00Z")
    assert f["channels__virtual"].tolist() == [True, pd.NA]
    assert f["channels__in_person"].tolist() == [False, pd.NA]
    assert f["channels__other"].tolist() == [True, pd.NA]
    assert f["channels_other"].tolist() == ["Radio call-in", pd.NA]
    assert f["satisfied"].tolist() == [5, pd.NA]
    assert result.status["channels"].tolist() == ["answered", "blank"]
    used = dict(zip(result.columns["header"], result.columns["used_as"], strict=True))
    assert used["engage/channels"] == "item" and used["engage/channels/other"] == "option"
    assert used["_index"] == "metadata"


def test_odk_central(inst, tmp_path):
    path = _write(
        tmp_path,
        "odk.csv",
        """\
        SubmissionDate,engage-channels,engage-channels/virtual,engage-channels/in_person,engage-channels/other,meta-instanceID,KEY,ReviewState
        2025-03-04T09:05:00.000Z,virtual in_person,1,1,0,uuid:a1,uuid:a1,approved
        """,
    )
    result = read_responses(path, inst)
    assert result.platform == "odk"
    f = result.frame
    assert f["response_id"].tolist() == ["a1"]
    assert [f[f"channels__{c}"].iloc[0] for c in ("virtual", "in_person", "other")] == [
        True,
        True,
        False,
    ]


QUALTRICS = """\
    StartDate,ResponseId,Q1,Q1_3_TEXT,Q2,mode
    Start Date,Response ID,How did you take part? - Selected Choice,How did you take part? - Other - Text,I was satisfied,mode
    "{""ImportId"":""startDate"",""timeZone"":""Europe/Berlin""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID1_3_TEXT""}","{""ImportId"":""QID2""}","{""ImportId"":""mode""}"
    2025-03-04 10:05:00,R_abc,"1,3",Radio call-in,5,hybrid
    2025-03-04 10:07:00,R_def,,,-99,virtual
    """


def test_qualtrics_three_rows_time_zone_and_minus_99(inst, tmp_path):
    result = read_responses(_write(tmp_path, "q.csv", QUALTRICS), inst)
    f = result.frame
    assert result.platform == "qualtrics"
    assert f["response_id"].tolist() == ["R_abc", "R_def"]
    assert f["submitted_at"].iloc[0] == pd.Timestamp("2025-03-04T09:05:00Z")  # Berlin is UTC+1
    assert f["channels__virtual"].tolist() == [True, pd.NA]
    assert f["channels__in_person"].tolist() == [False, pd.NA]
    assert f["channels__other"].tolist() == [True, pd.NA]
    assert f["satisfied"].tolist() == [5, pd.NA]
    assert result.status["satisfied"].tolist() == ["answered", "seen_unanswered"]
    assert f["mode"].tolist() == ["hybrid", "virtual"]
    assert result.source_row.tolist() == [4, 5]


def test_qualtrics_legacy_two_rows_with_bom_and_trailing_comma(inst, tmp_path):
    text = (
        "V1,V2,V8,V9,Q1,Q2,\r\n"
        "ResponseID,ResponseSet,StartDate,EndDate,How did you take part?,I was satisfied,\r\n"
        'R_1,Default,2025-03-04 10:00:00,2025-03-04 10:05:00,"1,2",4,\r\n'
    )
    path = tmp_path / "legacy.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    result = read_responses(path, inst)
    assert result.platform == "qualtrics" and result.encoding == "utf-8-sig"
    assert result.frame["response_id"].tolist() == ["R_1"]
    assert result.frame["channels__in_person"].tolist() == [True]
    assert result.frame["satisfied"].tolist() == [4]
    assert "unknown" not in set(result.columns["used_as"])


def test_qualtrics_split_multi_select_columns(inst, tmp_path):
    path = _write(
        tmp_path,
        "split.csv",
        """\
        ResponseId,RecordedDate,Q1_1,Q1_2,Q1_3
        Response ID,Recorded Date,How did you take part? - Virtual,"How did you take part? - In person, with interpreter",How did you take part? - Other
        "{""ImportId"":""_recordId""}","{""ImportId"":""recordedDate"",""timeZone"":""UTC""}","{""ImportId"":""QID1"",""choiceId"":""1""}","{""ImportId"":""QID1"",""choiceId"":""2""}","{""ImportId"":""QID1"",""choiceId"":""3""}"
        R_1,2025-03-04 10:00:00,1,,1
        R_2,2025-03-04 10:00:00,,,
        """,
    )
    f = read_responses(path, inst).frame
    assert f["channels__virtual"].tolist() == [True, pd.NA]
    assert f["channels__in_person"].tolist() == [False, pd.NA]
    assert f["channels__other"].tolist() == [True, pd.NA]


def test_google_labels_with_commas_longest_first(inst, tmp_path):
    path = _write(
        tmp_path,
        "g.csv",
        """\
        Timestamp,How did you take part?,I was satisfied
        3/4/2025 10:05:00,"In person, with interpreter, Virtual",5
        3/14/2025 9:00:00,"In person, with interpreter",Agree
        """,
    )
    result = read_responses(path, inst)
    f = result.frame
    assert result.platform == "google"
    assert f["channels__in_person"].tolist() == [True, True]
    assert f["channels__virtual"].tolist() == [True, False]
    assert f["satisfied"].tolist() == [5, 4]
    assert f["submitted_at"].iloc[1] == pd.Timestamp("2025-03-14T09:00:00Z")
    assert f["response_id"].str.startswith("g").all() and f["response_id"].is_unique
    again = read_responses(path, inst).frame
    assert again["response_id"].tolist() == f["response_id"].tolist()


def test_tokenize_reports_unknown_options():
    tokens = sorted(["a b", "a", "c"], key=len, reverse=True)
    assert tokenize("a b c", tokens, " ") == (["a b", "c"], [])
    assert tokenize("a;zz;c;", tokens, ";") == (["a", "c"], ["zz"])


def test_headers_match_texts_in_any_language_case_and_space_tolerant(inst, tmp_path):
    path = _write(
        tmp_path,
        "fr.csv",
        """\
        response_id,COMMENT  avez-vous participé ?,j'étais satisfait·e
        r1,En ligne En présentiel,Tout à fait d'accord
        """,
    )
    f = read_responses(path, inst).frame
    assert f["channels__virtual"].tolist() == [True]
    assert f["channels__in_person"].tolist() == [True]
    assert f["satisfied"].tolist() == [5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_encodings_and_delimiters_are_sniffed(inst, tmp_path, encoding, sep):
    text = sep.join(["response_id", "Comment avez-vous participé ?", "satisfied"]) + "\r\n"
    text += sep.join(["r1", "En présentiel", "3"]) + "\r\n"
    path = tmp_path / "x.txt"
    path.write_bytes(text.encode(encoding))
    result = read_responses(path, inst)
    assert result.delimiter == sep
    assert result.encoding == encoding
    assert result.frame["channels__in_person"].tolist() == [True]


def test_map_file_for_custom_headers_and_ignored_columns(inst, tmp_path):
    mapping = _write(
        tmp_path,
        "map.yaml",
        """\
        columns:
          "Satisfaction (1-5)": satisfied
          "Took part online": channels__virtual
          "Internal note": ignore
        """,
    )
    path = _write(
        tmp_path,
        "custom.csv",
        """\
        response_id,Satisfaction (1-5),Took part online,Internal note,Surprise
        r1,4,1,call back,x
        """,
    )
    result = read_responses(path, inst, mapping=load_mapping(mapping))
    assert result.frame["satisfied"].tolist() == [4]
    assert result.frame["channels__virtual"].tolist() == [True]
    used = dict(zip(result.columns["header"], result.columns["used_as"], strict=True))
    assert used == {
        "response_id": "metadata",
        "Satisfaction (1-5)": "item",
        "Took part online": "option",
        "Internal note": "ignored",
        "Surprise": "unknown",
    }


def test_platform_can_be_forced(inst, tmp_path):
    path = _write(tmp_path, "plain.csv", "id,satisfied\nx,5\n")
    result = read_responses(path, inst, platform="evalkit")
    assert not result.detected and result.platform == "generic"
    with pytest.raises(Exception, match="unknown platform"):
        read_responses(path, inst, platform="surveymonkey")


def test_map_file_must_name_items(inst, tmp_path):
    mapping = _write(tmp_path, "map.yaml", "columns: {satisfied: nonexistent}\n")
    path = _write(tmp_path, "c.csv", "response_id,satisfied\nr1,5\n")
    with pytest.raises(DataError, match="not an item of channels"):
        read_responses(path, inst, mapping=load_mapping(mapping))


def test_empty_rows_are_skipped_and_row_numbers_kept(inst, tmp_path):
    path = _write(tmp_path, "e.csv", "response_id,satisfied\r\nr1,5\r\n,\r\n,\r\nr2,4\r\n")
    result = read_responses(path, inst)
    assert result.frame["response_id"].tolist() == ["r1", "r2"]
    assert result.source_row.tolist() == [2, 5]
    assert "2 empty row(s) skipped" in result.notes


def test_data_without_a_header_is_reported(inst, tmp_path):
    path = _write(tmp_path, "h.csv", "response_id,satisfied,\r\nr1,5,surprise\r\n")
    result = read_responses(path, inst)
    unknown = result.columns[result.columns["used_as"] == "unknown"]
    assert unknown["header"].tolist() == ["(column 3, no header)"]


def test_xlsx_typed_cells(write_yaml, tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    inst = load_instrument_file(
        write_yaml(
            CHANNELS.replace(
                "  - {id: mode,",
                "  - {id: day, type: date, text: {en: Day, fr: Jour}}\n  - {id: mode,",
            ),
            "c2.yaml",
        )
    )
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "I was satisfied",
            "Day",
            "How did you take part?",
        ]
    )
    when = dt.datetime(2026, 3, 4, 9, 30)
    sheet.append([7, when, when, "anonymous", None, 4, dt.datetime(2026, 2, 1), "Virtual;Other;"])
    book.save(tmp_path / "ms.xlsx")
    result = read_responses(tmp_path / "ms.xlsx", inst)
    f = result.frame
    assert result.platform == "msforms" and result.issues.empty
    assert f["response_id"].tolist() == ["7"]
    assert f["submitted_at"].tolist() == [pd.Timestamp("2026-03-04T09:30:00Z")]
    assert f["satisfied"].tolist() == [4]
    assert f["day"].tolist() == [pd.Timestamp("2026-02-01")]
    assert [f[f"channels__{c}"].iloc[0] for c in ("virtual", "in_person", "other")] == [
        True,
        False,
        True,
    ]


def test_forcing_the_wrong_platform_is_refused(inst, tmp_path):
    path = _write(tmp_path, "e.csv", "response_id,satisfied\r\nr1,5\r\n")
    for platform in ("kobo", "odk", "qualtrics", "msforms"):
        with pytest.raises(DataError) as info:
            read_responses(path, inst, platform=platform)
        assert info.value.code == "wrong-platform"


def test_map_choice_must_exist_and_absent_items_are_noted(inst, tmp_path):
    mapping = _write(tmp_path, "map.yaml", "columns: {Online: channels__zoom}\n")
    path = _write(tmp_path, "c.csv", "response_id,satisfied,Online\nr1,5,1\n")
    with pytest.raises(DataError, match="channels__zoom"):
        read_responses(path, inst, mapping=load_mapping(mapping))
    result = read_responses(_write(tmp_path, "d.csv", "response_id,satisfied\nr1,5\n"), inst)
    assert "no column for item(s) channels, channels_other, mode" in result.notes


def test_missing_choice_in_a_multi_select(tmp_path):
    from evalkit.instrument import load_instrument

    inst = load_instrument("community_programme")
    path = _write(
        tmp_path,
        "g.csv",
        """\
        Timestamp,wave,programme,mode,What is your race and/or ethnicity? Select all that apply.
        2026/03/04 10:00:00 AM GMT,pre,youth,virtual,"Asian, White"
        2026/03/04 10:01:00 AM GMT,pre,youth,virtual,Prefer not to say
        2026/03/04 10:02:00 AM GMT,pre,youth,virtual,
        """,
    )
    result = read_responses(path, inst)
    assert result.issues.empty
    assert result.frame["race_ethnicity__asian"].tolist() == [True, pd.NA, pd.NA]
    assert result.frame["race_ethnicity__white"].tolist() == [True, pd.NA, pd.NA]
    assert "race_ethnicity__prefer_not" not in result.frame
    assert result.status["race_ethnicity"].tolist() == ["answered", "choice:prefer_not", "blank"]


def test_qualtrics_choice_text_export_with_commas_in_labels(inst, tmp_path):
    path = _write(
        tmp_path,
        "labels.csv",
        """\
        ResponseId,RecordedDate,Q1,Q2,Q3
        Response ID,Recorded Date,How did you take part? - Selected Choice,I was satisfied,Mode
        "{""ImportId"":""_recordId""}","{""ImportId"":""recordedDate"",""timeZone"":""UTC""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2""}","{""ImportId"":""QID3""}"
        R_1,2026-03-04 10:00:00,"In person, with interpreter,Other",Strongly agree,Hybrid
        """,
    )
    f = read_responses(path, inst).frame
    assert [f[f"channels__{c}"].iloc[0] for c in ("virtual", "in_person", "other")] == [
        False,
        True,
        True,
    ]
    assert f["satisfied"].tolist() == [5] and f["mode"].tolist() == ["hybrid"]


def test_kobo_hxl_row_is_skipped(inst, tmp_path):
    path = _write(
        tmp_path,
        "hxl.csv",
        """\
        "satisfied";"_uuid";"_submission_time"
        "#indicator+satisfaction";"#meta+id";"#date+submitted"
        "4";"u1";"2026-03-01T10:00:00"
        """,
    )
    result = read_responses(path, inst)
    assert result.frame["satisfied"].tolist() == [4]
    assert result.source_row.tolist() == [3]
    assert "an HXL tag row was skipped" in result.notes


def test_kobo_label_headers_with_group_labels_and_slashes_in_labels(tmp_path):
    from evalkit.instrument import load_instrument

    inst = load_instrument("post_engagement")
    path = _write(
        tmp_path,
        "k.csv",
        """\
        "About/Engagement code (printed on your invitation)";"About/How did you take part in this engagement?";"Value/The engagement was worth the time I invested.";"Format and travel/Audio/video and the platform worked well for me.";"_uuid";"_submission_time"
        "E1";"Virtual";"Agree";"Strongly agree";"u1";"2026-03-01T10:00:00"
        """,
    )
    result = read_responses(path, inst)
    assert result.frame["tech_worked"].tolist() == [5]
    assert result.frame["worth_time"].tolist() == [4]
    assert "unknown" not in set(result.columns["used_as"])


def test_blank_lines_keep_spreadsheet_row_numbers(inst, tmp_path):
    path = _write(tmp_path, "b.csv", "response_id,satisfied\r\nr1,5\r\n\r\nr2,9\r\n")
    from evalkit.validate import validate_file

    report = validate_file(path, inst)
    assert report.failures["source_row"].tolist() == [4]
