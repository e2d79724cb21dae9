"""Free text is escaped in every format, pii never appears, failures leave no partial file."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from evalkit.errors import EvalkitError
from evalkit.report import render as render_module
from evalkit.report import render_report
from tests.report.conftest import EMAIL, FORMULA, HOSTILE
from tests.report.demo_data import demo_data


def _all_text(paths) -> dict[str, str]:
    """Every output as text (zip members of docx/xlsx unpacked)."""
    texts = {}
    for name, path in paths.items():
        data = path.read_bytes()
        if name.endswith((".docx", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                texts[name] = "\n".join(
                    archive.read(member).decode("utf-8", "replace") for member in archive.namelist()
                )
        elif name.endswith(".png"):
            continue
        else:
            texts[name] = data.decode("utf-8")
    return texts


def test_markup_in_free_text_never_reaches_any_output_as_markup(hostile_rendered):
    for name, text in _all_text(hostile_rendered).items():
        assert HOSTILE not in text, f"raw <script> in {name}"
    html = hostile_rendered["report.html"].read_text("utf-8")
    assert html.count("<script") == 0
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html  # body text, escaped
    assert '&lt;script&gt;alert("pwned")&lt;/script&gt;' in html  # inside the SVG charts
    assert "<title>Report &lt;script&gt;" in html
    md = hostile_rendered["report.md"].read_text("utf-8")
    assert "&lt;script&gt;" in md


def test_svg_chart_files_escape_free_text(hostile_rendered):
    from xml.etree import ElementTree

    network = hostile_rendered["charts/chart-network.svg"]
    texts = [t.text for t in ElementTree.parse(network).getroot().iter() if t.text]
    # Parsed back, the counterpart's name is plain text (truncated to 34 characters).
    assert any(t.startswith('<script>alert("pwned")') for t in texts)


def test_pii_columns_never_reach_any_output(hostile_rendered):
    for name, text in _all_text(hostile_rendered).items():
        assert EMAIL not in text, f"pii in {name}"
        assert "respondent_email" not in text, f"pii column name in {name}"


def test_formulas_are_neutralised_in_the_workbook(hostile_rendered):
    from openpyxl import load_workbook

    book = load_workbook(hostile_rendered["tables.xlsx"])
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    texts = [v for v in cells if isinstance(v, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert "'" + FORMULA in texts  # network local_unit
    assert book["stories"]["B2"].value.startswith("'" + FORMULA)  # the story column


def test_results_json_keeps_text_verbatim_for_machines(hostile_rendered):
    data = json.loads(hostile_rendered["results.json"].read_text("utf-8"))
    assert data["tables"]["network"][0]["counterpart"] == HOSTILE
    assert EMAIL not in json.dumps(data)


def test_a_failure_while_rendering_writes_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("word writer broke")

    monkeypatch.setattr(render_module, "render_docx", broken)
    with pytest.raises(RuntimeError):
        render_report(demo_data(), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_failure_while_writing_leaves_no_partial_file(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.docx").write_bytes(b"last year's report")
    real = render_module.write_bytes_atomic

    def fail_on_docx(path, data):
        if str(path).endswith("report.docx"):
            from evalkit.io import atomic_path

            with atomic_path(path) as tmp:
                tmp.write_bytes(data[: len(data) // 2])  # half written, then the disk fills
                raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(render_module, "write_bytes_atomic", fail_on_docx)
    with pytest.raises(EvalkitError) as caught:
        render_report(demo_data(), out)
    assert caught.value.code == "report-write"
    assert "report.docx" in caught.value.one_line()
    assert "No space left on device" in caught.value.one_line()
    assert (out / "report.docx").read_bytes() == b"last year's report"  # untouched
    assert not list(out.glob(".*.tmp"))


def test_an_output_folder_that_is_a_file_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "report"
    blocker.write_text("not a folder")
    with pytest.raises(EvalkitError) as caught:
        render_report(demo_data(), blocker)
    message = caught.value.one_line()
    assert "\n" not in message and "report.html" in message
    assert "choose an output folder you can write to" in message


def test_control_characters_do_not_break_xml_formats(tmp_path):
    from dataclasses import replace
    from xml.etree import ElementTree

    data = demo_data()
    stories = data.tables["stories"].copy()
    stories.loc[0, "story"] = "Bell\x07 and vertical tab\x0b and NUL\x00 in a story"
    network = data.tables["network"].copy()
    network.loc[0, "counterpart"] = "Port\x1bof Rotterdam"
    tables = {**data.tables, "stories": stories, "network": network}
    written = render_report(replace(data, tables=tables, title="Report\x0c 2026"), tmp_path)
    ElementTree.parse(written["charts/chart-network.svg"])  # well-formed XML
    html = written["report.html"].read_text("utf-8")
    assert "Bell and vertical tab and NUL in a story" in html
    assert "<title>Report 2026</title>" in html
    from openpyxl import load_workbook

    assert load_workbook(written["tables.xlsx"])["stories"]["B2"].value.startswith("Bell and")
