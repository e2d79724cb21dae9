"""import-xlsform reads what pyxform reads (issue 16, points 3 and 4).

Each test builds its own small workbook with openpyxl reproducing one quirk seen in real
forms (pyxform's templates, Kobo and ODK downloads, UNHCR's multilingual forms).
"""

from __future__ import annotations

import openpyxl
import pytest

from evalkit.cli.main import cli
from evalkit.export.xlsform_import import XLSFormImportError, import_xlsform, to_yaml
from evalkit.instrument import load_instrument_file
from evalkit.validate.report import validate_file


def _form(path, survey, choices=None, settings=None):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


YES_NO = [("list_name", "name", "label"), ("yn", "yes", "Yes"), ("yn", "no", "No")]


def test_list_name_header_with_a_space(tmp_path):
    # pyxform's own templates spell the choices header "list name"
    path = _form(
        tmp_path / "f.xlsx",
        [("type", "name", "label"), ("select_one yn", "ok", "All right?")],
        [("list name", "name", "label"), ("yn", "yes", "Yes"), ("yn", "no", "No")],
    )
    inst = import_xlsform(path).instrument
    assert inst.choice_list("yn").values == ("yes", "no")
    assert inst.item("ok").choices == "yn"


@pytest.mark.parametrize("header", ["bind::relevant", "relevance"])
def test_relevant_header_aliases(tmp_path, header):
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("type", "name", "label", header),
            ("select_one yn", "ok", "All right?", None),
            ("integer", "why", "How many?", "${ok} = 'no'"),
        ],
        YES_NO,
    )
    assert import_xlsform(path).instrument.item("why").relevant == "ok = 'no'"


def test_string_and_int_type_aliases(tmp_path):
    path = _form(
        tmp_path / "f.xlsx",
        [("type", "name", "label"), ("string", "city", "City"), ("int", "n", "How many?")],
    )
    inst = import_xlsform(path).instrument
    assert (inst.item("city").type, inst.item("n").type) == ("text", "integer")


def test_cascading_select_that_repeats_a_choice_name(tmp_path):
    survey = [
        ("type", "name", "label", "choice_filter"),
        ("select_one country", "country", "Country", None),
        ("select_one city", "city", "City", "country=${country}"),
    ]
    choices = [
        ("list_name", "name", "label", "country"),
        ("country", "ke", "Kenya", None),
        ("country", "ug", "Uganda", None),
        ("city", "capital", "Nairobi", "ke"),
        ("city", "capital", "Kampala", "ug"),
        ("city", "other", "Other", "ke"),
        ("city", "other", "Other", "ug"),
    ]
    settings = [("allow_choice_duplicates",), ("yes",)]
    result = import_xlsform(_form(tmp_path / "f.xlsx", survey, choices, settings))
    assert result.instrument.choice_list("city").values == ("capital", "other")
    text = "\n".join(result.warnings)
    assert "choice list 'city' repeats capital, other" in text
    assert "choice_filter (country=${country}) not imported" in text


def test_image_only_choices_are_labelled_by_their_name(tmp_path):
    path = _form(
        tmp_path / "f.xlsx",
        [("type", "name", "label"), ("select_one face", "mood", "How do you feel?")],
        [
            ("list_name", "name", "label", "media::image"),
            ("face", "happy", None, "happy.png"),
            ("face", "sad", None, "sad.png"),
        ],
    )
    result = import_xlsform(path)
    labels = [c.label.get("en") for c in result.instrument.choice_list("face")]
    assert labels == ["happy", "sad"]
    assert any("2 choice(s) have no text label (image only)" in w for w in result.warnings)


def test_plain_label_beside_a_translation_keeps_the_default_text(tmp_path):
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("type", "name", "label", "label::Español (es)"),
            ("select_one yn", "ok", "All right?", "¿Todo bien?"),
        ],
        [
            ("list_name", "name", "label", "label::Español (es)"),
            ("yn", "yes", "Yes", "Sí"),
            ("yn", "no", "No", "No"),
        ],
    )
    result = import_xlsform(path)
    inst = result.instrument
    assert inst.languages == ("en", "es")
    assert inst.item("ok").text.as_dict() == {"en": "All right?", "es": "¿Todo bien?"}
    assert inst.choice_list("yn").choices[0].label.as_dict() == {"en": "Yes", "es": "Sí"}
    assert any("without '::language' are taken as English (en)" in w for w in result.warnings)


def test_language_columns_without_a_code(tmp_path):
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("type", "name", "label::English", "label::Tigrinya", "label::Klingon"),
            ("text", "where", "Where?", "ኣበይ?", "nuqDaq?"),
        ],
    )
    result = import_xlsform(path)
    assert result.instrument.languages[:2] == ("en", "ti")
    made_up = result.instrument.languages[2]
    assert result.instrument.item("where").text.get(made_up) == "nuqDaq?"
    assert any(
        f"language 'Klingon' names no language code: evalkit calls it {made_up!r}" in w
        for w in result.warnings
    )


def test_one_bad_relevant_keeps_the_question_and_the_form(tmp_path):
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("type", "name", "label", "relevant", "required"),
            ("select_one yn", "ok", "All right?", None, "yes"),
            ("text", "why", "Why not?", "${ok} = 'no' and string-length(${ok}) >", "yes"),
            ("integer", "n", "How many?", "${ok} = 'maybe'", "yes"),
            ("integer", "m", "And now?", "${ok} = 'yes'", None),
        ],
        YES_NO,
    )
    result = import_xlsform(path)
    inst = result.instrument
    assert [i.id for i in inst.items] == ["ok", "why", "n", "m"]
    assert inst.item("why").relevant is None and inst.item("why").required is False
    assert inst.item("n").relevant is None and inst.item("n").required is False
    assert inst.item("m").relevant == "ok = 'yes'"
    text = "\n".join(result.warnings)
    assert (
        "question 'why': relevant \"${ok} = 'no' and string-length(${ok}) >\" not imported" in text
    )
    assert "question 'n': relevant \"ok = 'maybe'\" not imported ('maybe' is not a choice" in text
    assert "question 'n': required dropped" in text


def test_failed_import_shows_its_warnings(tmp_path, runner):
    path = _form(
        tmp_path / "f.xlsx",
        [("type", "name", "label::Klingon"), ("note", "hello", "nuqneH")],
    )
    with pytest.raises(XLSFormImportError) as caught:
        import_xlsform(path)
    assert any("language 'Klingon'" in w for w in caught.value.warnings)
    result = runner.invoke(cli, ["instrument", "import-xlsform", str(path), "-o", "x.yaml"])
    assert result.exit_code == 1
    assert "warning: language 'Klingon' names no language code" in result.output
    assert "warning: note(s) not imported: they ask nothing" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("error: ")
    assert "the form has no question" in result.output


def _group_form(tmp_path):
    survey = [
        ("type", "name", "label", "relevant", "required"),
        ("select_one yn", "attended", "Did you attend?", None, "yes"),
        ("begin group", "event", "The event", "${attended} = 'yes'", None),
        ("select_one yn", "useful", "Was it useful?", None, "yes"),
        ("integer", "hours", "How many hours?", "${useful} = 'yes'", "yes"),
        ("end group", None, None, None, None),
        ("select_one yn", "again", "Would you come again?", None, "yes"),
    ]
    return _form(tmp_path / "group.xlsx", survey, YES_NO, [("form_id",), ("event_form",)])


def test_group_relevant_is_combined_into_each_child(tmp_path):
    inst = import_xlsform(_group_form(tmp_path)).instrument
    assert inst.item("useful").relevant == "attended = 'yes'"
    assert inst.item("hours").relevant == "(attended = 'yes') and (useful = 'yes')"
    assert inst.item("again").relevant is None
    assert [s.id for s in inst.sections] == ["event"]


def test_items_of_a_group_never_shown_are_not_quarantined(tmp_path):
    result = import_xlsform(_group_form(tmp_path))
    yaml_path = tmp_path / "event_form.yaml"
    yaml_path.write_text(to_yaml(result.data), encoding="utf-8")
    inst = load_instrument_file(yaml_path)
    export = tmp_path / "responses.csv"
    export.write_text(
        "response_id,attended,useful,hours,again\n"
        "r1,no,,,yes\n"  # the group was never shown: useful and hours are empty
        "r2,yes,yes,3,no\n"
        "r3,yes,no,,yes\n",
        encoding="utf-8",
    )
    report = validate_file(export, inst)
    assert (report.rows_in, report.rows_valid, report.rows_quarantined) == (3, 3, 0)
    assert report.failures.empty, report.failures
    assert report.valid_status["useful"].tolist()[0] == "not_shown"
    assert report.valid_status["hours"].tolist() == ["not_shown", "answered", "not_shown"]


def _unanalysed_form(tmp_path):
    survey = [
        ("type", "name", "label", "calculation"),
        ("start", "start", None, None),
        ("select_one yn", "ok", "All right?", None),
        ("integer", "n", "How many?", None),
        ("geopoint", "loc", "Where are you?", None),
        ("time", "when", "What time is it?", None),
        ("barcode", "code", "Scan the code", None),
        ("calculate", "double", None, "${n} * 2"),
    ]
    return _form(tmp_path / "geo.xlsx", survey, YES_NO, [("form_id",), ("geo_form",)])


def test_unanalysed_questions_are_recorded_in_the_instrument(tmp_path):
    result = import_xlsform(_unanalysed_form(tmp_path))
    recorded = {u["name"]: u["type"] for u in result.data["unanalysed"]}
    assert recorded == {
        "start": "start",
        "loc": "geopoint",
        "when": "time",
        "code": "barcode",
        "double": "calculate",
    }
    yaml_path = tmp_path / "geo.yaml"
    yaml_path.write_text(to_yaml(result.data), encoding="utf-8")
    inst = load_instrument_file(yaml_path)
    assert [u.name for u in inst.unanalysed] == ["start", "loc", "when", "code", "double"]
    assert inst == result.instrument


@pytest.mark.parametrize(
    "header",
    [
        # ODK Central: geopoint split into four columns, '-' between group levels
        "SubmissionDate,start,ok,n,loc-Latitude,loc-Longitude,loc-Altitude,loc-Accuracy,when,"
        "code,double,meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
        "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion",
        # KoboToolbox (XML values and headers): the point and its parts
        "_uuid,start,ok,n,loc,_loc_latitude,_loc_longitude,_loc_altitude,_loc_precision,"
        "when,code,double",
    ],
)
def test_export_with_geopoint_and_calculate_validates_without_a_map(tmp_path, runner, header):
    result = import_xlsform(_unanalysed_form(tmp_path))
    yaml_path = tmp_path / "geo.yaml"
    yaml_path.write_text(to_yaml(result.data), encoding="utf-8")
    cells = {
        "KEY": "uuid:1",
        "_uuid": "1",
        "start": "2024-05-01T10:00:00.000+02:00",
        "SubmissionDate": "2024-05-01T10:05:00.000Z",
        "meta-instanceID": "uuid:1",
        "ok": "yes",
        "n": "2",
        "loc": "1 2 3 4",
        "when": "10:00:00.000+02:00",
        "code": "123",
        "double": "4",
    }
    names = header.split(",")
    row = ",".join(cells.get(h, "1.5" if "_l" in h or "-" in h else "") for h in names)
    export = tmp_path / "export.csv"
    export.write_text(f"{header}\n{row}\n", encoding="utf-8")
    out = runner.invoke(cli, ["validate", str(export), "--instrument", str(yaml_path)])
    assert out.exit_code == 0, out.output
    assert "all rows valid" in out.output
    assert "records as not analysed (geopoint, time, calculate, ...) ignored" in out.output


def test_kobo_literacy_test_columns_are_recorded(tmp_path, runner):
    path = _form(
        tmp_path / "lit.xlsx",
        [
            ("type", "name", "label", "appearance"),
            ("select_multiple words", "passage", "Read aloud", "literacy"),
        ],
        [("list_name", "name", "label"), ("words", 1, "one"), ("words", 2, "two")],
    )
    result = import_xlsform(path)
    assert [u["name"] for u in result.data["unanalysed"]] == [
        "passage/Word at flash",
        "passage/Duration of exercise",
        "passage/Total words attempted",
    ]
    yaml_path = tmp_path / "lit.yaml"
    yaml_path.write_text(to_yaml(result.data), encoding="utf-8")
    export = tmp_path / "lit.csv"
    export.write_text(
        '"passage/Word at flash";"passage/Duration of exercise";"passage/Total words attempted";'
        '"passage";"passage/1";"passage/2";"_id";"_uuid";"_submission_time";"_index"\n'
        '"2";"60";"2";"1 2";"1";"1";"1";"u1";"2025-03-02T10:00:00";"1"\n',
        encoding="utf-8",
    )
    out = runner.invoke(cli, ["validate", str(export), "--instrument", str(yaml_path)])
    assert out.exit_code == 0, out.output
