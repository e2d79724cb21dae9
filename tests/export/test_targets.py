"""Every library instrument exports to every target; each format's rules hold."""

from __future__ import annotations

import csv
import io
import pathlib

import openpyxl
import pytest

from evalkit.errors import UsageError
from evalkit.export import TARGETS, export_instrument
from evalkit.export.limesurvey import MAX_ANSWER_CODE, MAX_QUESTION_CODE, code_map
from evalkit.export.redcap import COLUMNS as REDCAP_COLUMNS
from evalkit.export.template import template_columns
from evalkit.instrument import load_instrument, load_instrument_file
from evalkit.instrument.library import LIBRARY_IDS

FORMULA_STARTS = ("=", "+", "-", "@")


@pytest.fixture
def hostile(write_yaml, minimal_text):
    """An instrument whose texts try formula and script injection."""
    text = (
        minimal_text.replace("How did you take part?", "=HYPERLINK('http://evil')")
        .replace("label: {en: In person, es: En persona}", "label: {en: '+cmd|calc', es: '-1'}")
        .replace("Worth my time.", "<script>alert(1)</script>")
        .replace("label: {en: Agree, es: De acuerdo}", "label: {en: '@SUM(A1)', es: '@x'}")
    )
    return load_instrument_file(write_yaml(text))


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("instrument_id", LIBRARY_IDS)
def test_every_library_instrument_exports_to_every_target(instrument_id, target, tmp_path):
    path = tmp_path / f"{instrument_id}{TARGETS[target].suffix}"
    result = export_instrument(load_instrument(instrument_id), target, path)
    assert result.path == path and path.stat().st_size > 0
    assert all(extra.is_file() for extra in result.extra_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [path.name, *(e.name for e in result.extra_files)]
    )


def _csv_rows(path, delimiter=","):
    text = path.read_text("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


@pytest.mark.parametrize("target", ["csv-template", "redcap", "limesurvey", "qualtrics"])
def test_no_text_cell_can_run_as_a_formula(target, hostile, tmp_path):
    path = tmp_path / f"h{TARGETS[target].suffix}"
    result = export_instrument(hostile, target, path)
    tables = [p for p in (path, *result.extra_files) if p.suffix in (".csv",)]
    if target == "limesurvey":
        tables.append(path)
    for table in tables:
        delimiter = "\t" if table.suffix == ".txt" else ","
        for row in _csv_rows(table, delimiter):
            for value in row:
                assert not value.startswith(FORMULA_STARTS), (table.name, value)
    if target == "redcap":
        labels = {row[0]: row[4] for row in _csv_rows(path)}
        assert labels["mode"] == "'=HYPERLINK('http://evil')"


def test_html_escapes_script(hostile, tmp_path):
    path = tmp_path / "form.html"
    export_instrument(hostile, "html", path)
    html = path.read_text("utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<link" not in html and "src=" not in html  # self-contained


def test_html_is_in_the_chosen_language_with_boxes_and_ids(tmp_path):
    path = tmp_path / "pe_es.html"
    export_instrument(load_instrument("post_engagement"), "html", path, lang="es")
    html = path.read_text("utf-8")
    assert '<html lang="es">' in html
    assert "¿Cómo participó en este encuentro?" in html
    assert "How did you take part" not in html
    assert '<span class="item-id">next_step_types</span>' in html
    assert html.count('<span class="box">') == 5  # next_step_types: 5 check boxes
    assert "Responda solo si: next_step is &#34;Sí&#34;" in html
    assert "@media print" in html


def test_codebook_lists_ids_values_skip_logic_and_outcomes(tmp_path, hostile):
    path = tmp_path / "pe.md"
    export_instrument(load_instrument("post_engagement"), "codebook", path)
    text = path.read_text("utf-8")
    assert "### 14. `would_attend_in_person`" in text
    assert "| Hybrid – remote | `hybrid_remote` |" in text
    assert 'Ask only if: mode is "Virtual" or mode is "Hybrid – remote"' in text
    assert text.count("**Outcome**") == len(load_instrument("post_engagement").outcomes)
    assert "Google Forms or Microsoft Forms" in text
    export_instrument(hostile, "codebook", path)
    assert "<script>" not in path.read_text("utf-8")


def test_csv_template_is_the_canonical_header(tmp_path):
    instrument = load_instrument("post_engagement")
    path = tmp_path / "pe.csv"
    export_instrument(instrument, "csv-template", path)
    (header,) = _csv_rows(path)
    assert header == template_columns(instrument)
    assert header[:3] == ["response_id", "submitted_at", "source"]
    assert "next_step_types__introduction" in header and "next_step_types" not in header
    assert "participant_code" in header  # pii is typed in by the office


def test_qualtrics_tags_recodes_and_value_map(tmp_path):
    instrument = load_instrument("post_engagement")
    path = tmp_path / "pe.txt"
    result = export_instrument(instrument, "qualtrics", path)
    text = path.read_text("utf-8")
    assert text.startswith("[[AdvancedFormat]]\n")
    assert text.count("[[ID:") == len(instrument.items)
    assert "[[Block:About your participation]]" in text
    assert (
        "[[Question:MC:MultipleAnswer:Vertical]]\n[[ID:next_step_types]]\n"
        "What kind of next step? Tick all that apply.\n[[AdvancedChoices]]\n"
        "[[Choice:1]]\nA follow-up meeting\n"
    ) in text
    assert "[[ID:worth_time]]" in text and "[[Choice:5]]\nStrongly agree\n[[Choice:6]]\n" in text
    assert "[[ID:recommend]]" in text and "[[Choice:0]]\n0\n" in text
    rows = _csv_rows(result.extra_files[0])
    assert rows[0] == ["item_id", "recode", "value", "label"]
    assert ["worth_time", "6", "na", "Not applicable"] in rows
    assert ["mode", "4", "hybrid_remote", "Hybrid – remote"] in rows
    needing_logic = [n for n in result.notes if n.startswith("add display logic")]
    assert [n.split()[4].rstrip(":") for n in needing_logic] == [
        "next_step_types",
        "tech_worked",
        "would_attend_in_person",
        "travel_from",
        "travel_mode",
    ]


def test_redcap_dictionary_columns_choices_and_branching(tmp_path):
    path = tmp_path / "dict.csv"
    export_instrument(load_instrument("connector_attribution"), "redcap", path)
    rows = _csv_rows(path)
    assert tuple(rows[0]) == REDCAP_COLUMNS and len(rows[0]) == 18
    assert all(len(row) == 18 for row in rows)
    fields = {row[0]: dict(zip(REDCAP_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert rows[1][0] == "record_id"
    has_result = fields["has_result"]
    assert has_result["Field Type"] == "radio"
    assert has_result["Choices, Calculations, OR Slider Labels"] == "yes, Yes | no, No"
    assert has_result["Required Field?"] == "y"
    assert fields["result_type"]["Field Type"] == "checkbox"
    assert fields["engagement_id"]["Branching Logic (Show field only if...)"] == (
        "[connection_origin] = 'introduced_by_office' or [connection_origin] = 'office_network'"
    )
    assert fields["jobs_announced"]["Branching Logic (Show field only if...)"] == (
        "[has_result] = 'yes' and ([result_type(jobs)] = '1' or "
        "[result_type(investment_fdi)] = '1' or [result_type(trade_export)] = '1')"
    )
    assert fields["contribution_pct"]["Text Validation Type OR Show Slider Number"] == "number"
    assert (
        fields["contribution_pct"]["Text Validation Min"],
        fields["contribution_pct"]["Text Validation Max"],
    ) == ("0", "100")
    assert fields["reporting_year"]["Text Validation Type OR Show Slider Number"] == "integer"
    assert fields["reporting_year"]["Section Header"] == "Your unit"
    assert fields["unit_type"]["Section Header"] == ""
    follow_up = tmp_path / "fu.csv"
    export_instrument(load_instrument("follow_up"), "redcap", follow_up)
    fu = {row[0]: row for row in _csv_rows(follow_up)}
    assert fu["outcome_statement"][11] == "[actions(none)] = '0'"
    assert fu["participant_code"][10] == "y"


def test_limesurvey_codes_respect_limits_and_rename_map_is_written(tmp_path):
    for instrument_id in LIBRARY_IDS:
        instrument = load_instrument(instrument_id)
        codes = code_map(instrument)
        questions = [c for (item, value), c in codes.items() if value is None]
        assert len(set(questions)) == len(questions)
        assert all(
            c.isalnum() and c[0].isalpha() and len(c) <= MAX_QUESTION_CODE for c in questions
        )
        for item in instrument.items:
            answers = [c for (i, v), c in codes.items() if i == item.id and v is not None]
            assert len(set(answers)) == len(answers)
            assert all(c.isalnum() and len(c) <= MAX_ANSWER_CODE for c in answers)
    path = tmp_path / "pe.txt"
    result = export_instrument(load_instrument("post_engagement"), "limesurvey", path, lang="es")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(path, "\t")
    assert rows[0][:9] == [
        "id",
        "related_id",
        "class",
        "type/scale",
        "name",
        "relevance",
        "text",
        "help",
        "language",
    ]
    assert [rows[1][2], rows[1][4], rows[1][6]] == ["S", "language", "es"]
    questions = [r for r in rows if r[2] == "Q"]
    assert len(questions) == 2 * 19  # es block, then the en block row for row
    assert [r[8] for r in questions[:19]] == ["es"] * 19
    tech = next(r for r in questions if r[4] == "techworked")
    assert tech[5] == 'mode.NAOK == "virtu" or mode.NAOK == "hybr2"'
    renames = _csv_rows(result.extra_files[0])
    assert renames[0] == ["item_id", "value", "code"]
    assert ["would_attend_in_person", "", "wouldattendinperson"] in renames
    assert ["mode", "hybrid_remote", "hybr2"] in renames
    assert result.notes[0].startswith("keep pe.codes.csv with the survey: ")


def test_unknown_target_or_language_is_a_usage_error(tmp_path):
    instrument = load_instrument("follow_up")
    with pytest.raises(UsageError, match="unknown export format 'pdf'; use one of: xlsform"):
        export_instrument(instrument, "pdf", tmp_path / "x.pdf")
    with pytest.raises(UsageError, match="follow_up has no 'fr' wording"):
        export_instrument(instrument, "html", tmp_path / "x.html", lang="fr")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_failed_export_leaves_no_partial_file(target, tmp_path, monkeypatch):
    path = tmp_path / f"out{TARGETS[target].suffix}"
    path.write_text("earlier export", encoding="utf-8")

    def half_then_fail(self, data, *args, **kwargs):
        with open(self, "w", encoding="utf-8") as handle:
            handle.write(str(data)[: len(data) // 2])
        raise OSError("disk full")

    def save_half_then_fail(self, filename):
        pathlib.Path(filename).write_bytes(b"PK\x03\x04 partial")
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", half_then_fail)
    monkeypatch.setattr(openpyxl.Workbook, "save", save_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        export_instrument(load_instrument("post_engagement"), target, path)
    monkeypatch.undo()
    assert path.read_text("utf-8") == "earlier export"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != path.name]
    assert leftovers == []
