"""XLSForm export converts with pyxform, and export -> import-xlsform gives an equal instrument."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from pyxform.xls2xform import convert

from evalkit.errors import DataError, InstrumentError
from evalkit.export.xlsform import export_xlsform
from evalkit.export.xlsform_import import import_xlsform, to_yaml
from evalkit.instrument import load_instrument, load_instrument_file
from evalkit.instrument.library import LIBRARY_IDS
from tests.export.strategies import instruments


def _sheet(path, name):
    sheet = openpyxl.load_workbook(path)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _differences(a, b):
    return [
        (f.name, getattr(a, f.name), getattr(b, f.name))
        for f in dataclasses.fields(a)
        if f.compare and getattr(a, f.name) != getattr(b, f.name)
    ]


@pytest.mark.parametrize("instrument_id", LIBRARY_IDS)
def test_library_xlsform_converts_with_pyxform_and_reads_back_equal(instrument_id, tmp_path):
    instrument = load_instrument(instrument_id)
    path = tmp_path / f"{instrument_id}.xlsx"
    export_xlsform(instrument, path)
    result = convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    assert f'<data id="{instrument_id}" version="{instrument.version}">' in result.xform
    back = import_xlsform(path)
    assert back.warnings == ()
    assert back.instrument == instrument, _differences(instrument, back.instrument)
    yaml_path = tmp_path / f"{instrument_id}.yaml"
    yaml_path.write_text(to_yaml(back.data), encoding="utf-8")
    assert load_instrument_file(yaml_path) == instrument


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instrument=instruments())
def test_generated_instruments_round_trip(instrument, tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "form.xlsx"
    export_xlsform(instrument, path)
    back = import_xlsform(path)
    assert back.instrument == instrument, _differences(instrument, back.instrument)
    convert(xlsform=str(path), validate=False)  # raises on any error


def test_post_engagement_sheets_follow_xlsform(tmp_path):
    path = tmp_path / "pe.xlsx"
    export_xlsform(load_instrument("post_engagement"), path)
    survey = _sheet(path, "survey")
    by_name = {row["name"]: row for row in survey}
    assert survey[0]["type"] == "begin group" and survey[0]["name"] == "about"
    assert sum(row["type"] == "begin group" for row in survey) == 5
    assert sum(row["type"] == "end group" for row in survey) == 5
    assert by_name["mode"]["label::English (en)"] == "How did you take part in this engagement?"
    assert by_name["mode"]["label::Spanish (es)"] == "¿Cómo participó en este encuentro?"
    assert by_name["mode"]["required"] == "yes"
    assert by_name["worth_time"]["type"] == "select_one agree5"
    assert by_name["worth_time"]["appearance"] == "likert"
    assert by_name["new_contacts"]["constraint"] == ". >= 0 and . <= 500"
    assert by_name["recommend"]["type"] == "integer"
    assert by_name["recommend"]["constraint"] == ". >= 0 and . <= 10"
    assert by_name["tech_worked"]["relevant"] == (
        "${mode} = 'virtual' or ${mode} = 'hybrid_remote'"
    )
    assert by_name["next_step_types"]["type"] == "select_multiple next_step_types"
    assert by_name["most_valuable"]["evalkit_pii"] == "yes"
    choices = _sheet(path, "choices")
    assert {k: choices[4][k] for k in ("list_name", "name")} == {"list_name": "agree5", "name": 1}
    assert all(" " not in str(row["name"]) for row in choices)
    (settings_row,) = _sheet(path, "settings")
    assert settings_row == {
        "form_id": "post_engagement",
        "version": "1.0.0",
        "form_title": "Post-engagement participant survey",
        "default_language": "English (en)",
    }
    assert openpyxl.load_workbook(path)["evalkit"].sheet_state == "hidden"


def test_not_spelling_round_trips_through_xpath(tmp_path):
    instrument = load_instrument("follow_up")
    path = tmp_path / "fu.xlsx"
    export_xlsform(instrument, path)
    row = next(r for r in _sheet(path, "survey") if r["name"] == "outcome_statement")
    assert row["relevant"] == "not(selected(${actions}, 'none'))"
    assert import_xlsform(path).instrument.item("outcome_statement").relevant == (
        "not selected(actions, 'none')"
    )


def test_formula_text_never_becomes_a_formula(tmp_path, write_yaml, minimal_text):
    text = minimal_text.replace("How did you take part?", "=HYPERLINK('http://x')").replace(
        "label: {en: Virtual, es: Virtual}", "label: {en: '@SUM(A1)', es: '+1'}"
    )
    instrument = load_instrument_file(write_yaml(text))
    path = tmp_path / "mini.xlsx"
    export_xlsform(instrument, path)
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    labels = [r["label::English (en)"] for r in _sheet(path, "survey")]
    assert "=HYPERLINK('http://x')" in labels  # a text cell, no visible '
    assert import_xlsform(path).instrument == instrument


def test_language_choice_puts_that_language_first(tmp_path):
    instrument = load_instrument("post_engagement")
    path = tmp_path / "pe_es.xlsx"
    export_xlsform(instrument, path, lang="es")
    (settings_row,) = _sheet(path, "settings")
    assert settings_row["default_language"] == "Spanish (es)"
    assert settings_row["form_title"] == "Encuesta a participantes después del encuentro"
    assert import_xlsform(path).instrument == instrument


def _write_form(path, survey, choices, settings_rows=None):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("survey", survey), ("choices", choices), ("settings", settings_rows)):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def test_import_office_form_lists_what_it_cannot_carry(tmp_path):
    survey = [
        (
            "type",
            "name",
            "label::English (en)",
            "label::Français (fr)",
            "required",
            "relevant",
            "constraint",
            "appearance",
            "choice_filter",
            "calculation",
            "hint::English (en)",
        ),
        ("start", "start", None, None, None, None, None, None, None, None, None),
        (
            "begin group",
            "engage",
            "Engagement",
            "Engagement",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "select_multiple chan",
            "channels",
            "How did you take part?",
            "Comment avez-vous participé ?",
            "yes",
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "text",
            "channels_other",
            "Please specify",
            "Précisez",
            None,
            "selected(${channels}, 'other')",
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "select_one agree5",
            "satisfied",
            "I was satisfied",
            "J'étais satisfait·e",
            None,
            None,
            None,
            "likert",
            None,
            None,
            "Pick one",
        ),
        (
            "integer",
            "Age-Years",
            "Age",
            "Âge",
            None,
            None,
            ". >= 13 and . <= 120",
            None,
            None,
            None,
            None,
        ),
        (
            "decimal",
            "score",
            "Score",
            "Score",
            None,
            None,
            "regex(., '^[0-9]+$')",
            None,
            None,
            None,
            None,
        ),
        ("end group", None, None, None, None, None, None, None, None, None, None),
        (
            "select_one city",
            "city",
            "City",
            "Ville",
            None,
            "${Age-Years} > 17",
            None,
            None,
            "country=${channels}",
            None,
            None,
        ),
        (
            "select_one chan or_other",
            "main",
            "Main channel",
            "Canal principal",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        ("calculate", "double", None, None, None, None, None, None, None, "${score} * 2", None),
        ("begin repeat", "visits", "Visits", "Visites", None, None, None, None, None, None, None),
        ("date", "visit_date", "Date", "Date", None, None, None, None, None, None, None),
        ("end repeat", None, None, None, None, None, None, None, None, None, None),
        ("geopoint", "where", "Where?", "Où ?", None, None, None, None, None, None, None),
        ("note", "thanks", "Thank you", "Merci", None, None, None, None, None, None, None),
        (
            "integer",
            "n",
            "Count",
            "Nombre",
            None,
            "count-selected(${channels}) > 1",
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    choices = [
        ("list_name", "name", "label::English (en)", "label::Français (fr)", "country"),
        ("chan", "virtual", "Virtual", "En ligne", None),
        ("chan", "in_person", "In person", "En présentiel", None),
        ("chan", "other", "Other", "Autre", None),
        *[("agree5", k, f"Level {k}", f"Niveau {k}", None) for k in range(1, 6)],
        ("city", "lyon", "Lyon", "Lyon", "in_person"),
    ]
    settings_rows = [
        ("form_id", "version", "form_title", "default_language"),
        ("Engage-Form", "2024031501", "Engagement", "English (en)"),
    ]
    path = _write_form(tmp_path / "office.xlsx", survey, choices, settings_rows)
    result = import_xlsform(path)
    inst = result.instrument
    assert inst.id == "engage_form" and inst.version == "1.0.0"
    assert inst.languages == ("en", "fr")
    assert [i.id for i in inst.items] == [
        "channels",
        "channels_other",
        "satisfied",
        "age_years",
        "score",
        "city",
        "main",
        "main_other",
        "n",
    ]
    assert inst.item("satisfied").type == "likert"
    assert inst.item("satisfied").hint.as_dict() == {"en": "Pick one", "fr": "Pick one"}
    assert inst.item("channels").required is True
    assert inst.item("channels").text.as_dict()["fr"] == "Comment avez-vous participé ?"
    assert inst.item("channels_other").relevant == "selected(channels, 'other')"
    assert inst.item("channels_other").pii is True
    assert (inst.item("age_years").min, inst.item("age_years").max) == (13, 120)
    assert inst.item("city").relevant == "age_years > 17"
    assert inst.item("n").relevant is None
    assert inst.choice_list("agree5").values == (1, 2, 3, 4, 5)
    assert [s.id for s in inst.sections] == ["engage"]
    text = "\n".join(result.warnings)
    for expected in (
        "repeat 'visits' (row 13) not analysed (evalkit has one answer per question; recorded "
        "under unanalysed): visit_date",
        "calculate 'double' (row 12) not analysed",
        "question 'city': choice_filter (country=${channels}) not imported",
        "question 'where' (row 16) of type 'geopoint' not analysed",
        "note(s) not imported: they ask nothing (recorded under unanalysed, as Kobo exports an "
        "empty column for each): thanks",
        "question 'score': constraint \"regex(., '^[0-9]+$')\" not imported",
        "question 'n': relevant 'count-selected(${channels}) > 1' not imported",
        "question 'Age-Years' renamed 'age_years'",
        "form version '2024031501' is not a semantic version",
        "metadata fields not analysed (the platform records them; recorded under unanalysed): "
        "start",
        "marked as personal data (pii: true) until you review them: channels_other",
    ):
        assert expected in text


def test_import_single_language_form_without_settings(tmp_path):
    path = _write_form(
        tmp_path / "plain.xlsx",
        [("type", "name", "label"), ("select_one yn", "ok", "All right?")],
        [("list_name", "name", "label"), ("yn", "yes", "Yes"), ("yn", "no", "No")],
    )
    result = import_xlsform(path)
    assert result.instrument.id == "plain"
    assert result.instrument.languages == ("en",)
    assert result.instrument.item("ok").text.as_dict() == {"en": "All right?"}
    assert "the form names no language" in result.warnings[0]
    assert not any("translation" in w for w in result.warnings), result.warnings


def test_import_errors_are_one_line(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        import_xlsform(tmp_path / "missing.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(DataError, match=r"not an XLSForm workbook pyxform can read"):
        import_xlsform(bad)
    no_survey = _write_form(tmp_path / "nosurvey.xlsx", None, [("list_name", "name")])
    with pytest.raises(InstrumentError, match=r"pyxform cannot convert the form: .*'survey'"):
        import_xlsform(no_survey)
    empty = _write_form(
        tmp_path / "empty.xlsx", [("type", "name", "label"), ("note", "n", "Hi")], None
    )
    with pytest.raises(InstrumentError, match="the form has no question"):
        import_xlsform(empty)
