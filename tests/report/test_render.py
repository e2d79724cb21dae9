"""render_report: every output file, the sections of the annual report, and what they show."""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import pandas as pd
import pytest

from evalkit.report import ReportData, demo_data, render_report, results_dict
from evalkit.report.render import render_outputs

CHART_IDS = [
    "chart-kpi-by-mode",
    "chart-effects",
    "chart-likert",
    "chart-network",
    "chart-heatmap",
    "chart-reach",
]
SVG_NS = "{http://www.w3.org/2000/svg}"


class Outline(HTMLParser):
    """Collect tags, attributes and the text of each section of report.html."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.section: str | None = None
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self.section = attributes.get("id")
            self.text[self.section] = []

    def handle_data(self, data):
        if self.section:
            self.text[self.section].append(data)

    def section_text(self, name: str) -> str:
        return " ".join(self.text[name])


@pytest.fixture(scope="module")
def html(rendered):
    return rendered["report.html"].read_text("utf-8")


@pytest.fixture(scope="module")
def outline(html):
    parser = Outline()
    parser.feed(html)
    return parser


def test_all_outputs_are_written(rendered):
    expected = {"report.html", "report.md", "tables.xlsx", "results.json", "report.docx"}
    expected |= {f"charts/{c}.{ext}" for c in CHART_IDS for ext in ("svg", "png")}
    assert set(rendered) == expected
    for path in rendered.values():
        assert path.stat().st_size > 0
    folder = rendered["report.html"].parent
    assert not [p for p in folder.rglob("*.tmp")], "temporary files left behind"


def test_html_is_self_contained(html):
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert not re.search(r"\bsrc\s*=", html)
    assert "url(" not in html and "@import" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("#") for h in hrefs)
    # The only absolute URL outside escaped text is the SVG namespace.
    urls = set(re.findall(r'="(https?://[^"]+)"', html))
    assert urls == {"http://www.w3.org/2000/svg"}


def test_sections_of_the_annual_report_in_order(outline):
    sections = [a["id"] for t, a in outline.tags if t == "section"]
    assert sections == [
        "summary",
        "scorecard",
        "outputs",
        "mode",
        "connector",
        "relationships",
        "inclusive",
        "findings",
        "quotes",
        "stories",
        "methods",
        "appendix",
    ]


def test_scorecard_keeps_outputs_apart_from_outcomes(outline):
    scorecard, outputs = outline.section_text("scorecard"), outline.section_text("outputs")
    assert "K1 Connector contribution rate" in scorecard
    assert "K16" not in scorecard and "K17" not in scorecard
    assert "K16 Engagements held (output)" in outputs
    assert "K1 " not in outputs


def test_scorecard_row_shows_this_year_last_year_target_trend_n(html):
    row = re.search(r"<tr><th scope=\"row\">K1 Connector contribution rate</th>(.*?)</tr>", html)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    # value, CI, last year, target, trend, status, n, response rate, source
    assert cells[:4] == ["46%", "33% to 59%", "38%", "40%"]
    # the change's interval includes 0, and the value's interval straddles the target
    assert cells[4] == "▶ not distinguishable from last year (+8 pts, 95% CI −10 to +26 pts)"
    assert cells[5] == "≈ too close to call"
    assert cells[6:8] == ["54", "79%"]  # 27 of 34 connector surveys


def test_a_kpi_not_computed_states_why(outline):
    text = outline.section_text("scorecard")
    assert "not computed: population shares file is missing for this group" in text


def test_every_chart_is_inline_svg_with_title_desc_and_a_data_table(html):
    for chart_id in CHART_IDS:
        match = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, flags=re.S)
        assert match, chart_id
        svg = ElementTree.fromstring(match.group(0))
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert svg.find(f"{SVG_NS}title").text
        assert svg.find(f"{SVG_NS}desc").text
        figure = re.search(
            rf'<figure class="chart-figure" id="{chart_id}-figure">(.*?)</figure>', html, re.S
        )
        assert "<figcaption>" in figure.group(1)
        assert '<th scope="col">' in figure.group(1)  # the data-table fallback


def test_every_table_header_has_a_scope(outline):
    headers = [a for t, a in outline.tags if t == "th"]
    assert headers
    assert all(a.get("scope") in ("col", "row") for a in headers)


def test_mode_section_says_associations_not_effects(outline):
    assert "Associations, not effects" in outline.section_text("mode")
    assert "Associations, not effects" in outline.section_text("methods")


def test_print_css_is_present(html):
    assert "@media print" in html and "@page" in html
    assert "break-inside: avoid" in html


def test_suppressed_cells_are_dashes_with_a_note(outline, html):
    mode = outline.section_text("mode")
    assert "— suppressed" in html  # in the charts
    assert "“—” = suppressed: fewer than 10 responses." in mode
    assert "fewer than 10 responses" in outline.section_text("inclusive")


def test_results_json_is_the_tables_plus_metadata(rendered, demo):
    written = json.loads(rendered["results.json"].read_text("utf-8"))
    assert written == json.loads(json.dumps(results_dict(demo)))
    assert written["metadata"]["period"] == "2026"
    assert written["metadata"]["compare_period"] == "2025"
    assert written["metadata"]["min_cell"] == 10
    k1 = next(r for r in written["tables"]["kpis"] if r["code"] == "K1")
    assert k1["value"] == 0.46 and k1["ci_low"] == 0.33 and k1["status"] == "too close to call"


def test_suppression_holds_in_json_and_xlsx_even_when_upstream_left_numbers():
    from openpyxl import load_workbook

    data = demo_data()
    leaky = data.tables["kpi_breakdown"].copy()
    hidden = leaky["suppressed"].astype(bool)
    leaky.loc[hidden, ["value", "ci_low", "ci_high", "n"]] = [0.777777, 0.6, 0.9, 7]
    tables = {**data.tables, "kpi_breakdown": leaky}
    from dataclasses import replace

    outputs = render_outputs(replace(data, tables=tables))
    records = json.loads(outputs["results.json"])["tables"]["kpi_breakdown"]
    row = next(r for r in records if r["suppressed"])
    assert row["group"] == "hybrid_remote"
    assert [row[k] for k in ("value", "ci_low", "ci_high", "n")] == [None] * 4

    import io

    sheet = load_workbook(io.BytesIO(outputs["tables.xlsx"]))["kpi_breakdown"]
    values = [c.value for r in sheet.iter_rows() for c in r]
    assert 0.777777 not in values and 7 not in values
    html_row = (
        '<th scope="row">K4 Follow-through rate at 90 days</th><td data-label="Group">Hybrid – '
        'remote</td><td data-label="Value">—</td><td data-label="95% CI">—</td>'
        '<td data-label="n">—</td></tr>'
    )
    assert html_row in outputs["report.html"]
    md_row = "| K4 Follow-through rate at 90 days | Hybrid – remote | — | — | — |"
    assert md_row in outputs["report.md"]
    for name in ("report.html", "report.md"):
        assert "60% to 90%" not in outputs[name]


def test_xlsx_has_a_readme_and_one_formatted_sheet_per_table(rendered):
    from openpyxl import load_workbook

    book = load_workbook(rendered["tables.xlsx"])
    assert book.sheetnames[0] == "README"
    assert {"kpis", "kpi_breakdown", "comparisons", "likert", "inclusive_reach"} <= set(
        book.sheetnames
    )
    kpis = book["kpis"]
    assert kpis.freeze_panes == "A2"
    assert kpis["A1"].value == "KPI id" and kpis["A1"].font.bold  # headings in words
    assert not any("_" in str(c.value) for c in kpis[1])
    assert kpis["A2"].value == "connector_contribution_rate"
    value_column = [c.value for c in kpis[1]].index("Value") + 1
    assert kpis.cell(row=2, column=value_column).value == 0.46  # numbers stay numbers
    # each KPI's values in its unit's format: K1 a share, K2 dollars, K7 a score
    formats = [kpis.cell(row=r, column=value_column).number_format for r in (2, 3, 9)]
    assert formats == ["0.0%", '"$"#,##0', "0.00"]
    last_year = [c.value for c in kpis[1]].index("Last year") + 1
    assert kpis.cell(row=2, column=last_year).number_format == "0.0%"
    readme = [c.value for c in book["README"]["A"]]
    assert "Suppression" in readme


def test_markdown_has_the_same_sections_tables_and_chart_images(rendered, outline):
    md = rendered["report.md"].read_text("utf-8")
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings[0] == "Summary" and headings[-1].startswith("Appendix")
    assert len(headings) == 12
    assert "| K1 Connector contribution rate | 46% | 33% to 59% | 38% | 40% |" in md
    for chart_id in CHART_IDS:
        assert f"](charts/{chart_id}.png)" in md
        assert (rendered["report.md"].parent / "charts" / f"{chart_id}.png").exists()


def test_docx_has_headings_tables_and_one_picture_per_chart(rendered):
    import docx

    word = docx.Document(str(rendered["report.docx"]))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Summary", "KPI scorecard", "Outputs (activity counts)"]
    assert "Methods" in headings
    assert len(word.inline_shapes) == len(CHART_IDS)
    first = word.tables[0]
    assert first.rows[0].cells[0].text == "KPI"
    assert first.rows[1].cells[1].text == "46%"


def test_chart_files_are_valid_svg_and_png(rendered):
    for chart_id in CHART_IDS:
        svg = ElementTree.parse(rendered[f"charts/{chart_id}.svg"]).getroot()
        assert svg.tag == f"{SVG_NS}svg"
        assert float(svg.get("width")) > 100 and float(svg.get("height")) > 50
        png = rendered[f"charts/{chart_id}.png"].read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        # PNG at 144 dpi: twice the SVG's pixel size.
        assert (width, height) == (
            round(2 * float(svg.get("width"))),
            round(2 * float(svg.get("height"))),
        )


def test_spanish_report_uses_spanish_headings(tmp_path):
    written = render_report(demo_data(language="es"), tmp_path)
    html = written["report.html"].read_text("utf-8")
    assert '<html lang="es">' in html
    assert "Cuadro de indicadores (KPI)" in html
    assert "Asociaciones, no efectos" in html
    assert "— suprimido" in html  # chart wording is translated too
    assert "7 organizaciones locales vinculadas con 11 contrapartes" in html
    assert "— suppressed" not in html and "Dots are" not in html


def test_an_empty_report_renders_every_section_with_a_note(tmp_path):
    written = render_report(ReportData(title="Empty", period="2026"), tmp_path)
    html = written["report.html"].read_text("utf-8")
    assert "<svg" not in html
    assert html.count("No data for this section in this period.") >= 5
    assert not any(name.startswith("charts/") for name in written)
    assert json.loads(written["results.json"].read_text("utf-8"))["tables"]["kpis"] == []
    docx_names = zipfile.ZipFile(written["report.docx"]).namelist()
    assert "word/document.xml" in docx_names


def test_tables_with_only_some_columns_still_render(tmp_path):
    kpis = pd.DataFrame({"kpi_id": ["x"], "code": ["K1"], "title": ["Only a value"], "value": [3]})
    data = ReportData(title="Partial", period="2026", tables={"kpis": kpis})
    html = render_report(data, tmp_path)["report.html"].read_text("utf-8")
    cell = '<td data-label="This year" class="num">3.00</td>'
    assert f'<th scope="row">K1 Only a value</th>{cell}' in html


def test_k8_by_network_is_shown_with_its_suppressed_network(outline):
    text = outline.section_text("relationships")
    assert "K8 by network" in text
    assert "Sister Cities International" in text and "4.4" in text
    assert "Strong Cities Network" in text


def test_likert_table_from_analysis_levels_renders(tmp_path):
    from evalkit.report import likert_from_levels

    levels = pd.DataFrame(
        {
            "outcome": ["worth_time"] * 4,
            "group_var": ["mode"] * 4,
            "group": ["virtual", "virtual", "in_person", "in_person"],
            "level": [1, 2, 1, 2],
            "label": ["No", "Yes", "No", "Yes"],
            "count": [30, 10, 5, 35],
            "share": [0.75, 0.25, 0.125, 0.875],
            "suppressed": [False] * 4,
        }
    )
    data = ReportData(title="t", period="2026", tables={"likert": likert_from_levels(levels)})
    html = render_report(data, tmp_path)["report.html"].read_text("utf-8")
    html = re.sub(r' data-label="[^"]*"', "", html)  # phones label each cell by its column
    assert "<td>virtual</td><td>75%</td><td>25%</td>" in html
    assert "<td>in_person</td><td>12%</td><td>88%</td>" in html  # 12.5 rounds half to even


def test_spanish_report_writes_numbers_as_the_rae_recommends(tmp_path):
    # Ortografía de la lengua española (2010): no point or comma between thousands (readers
    # disagree on what they mean), a space instead from five digits on, a space before %.
    # (The findings sentences come from the analysis in English and are left out here.)
    html = render_report(demo_data(language="es"), tmp_path)["report.html"].read_text("utf-8")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    numbers = [c for c in cells if re.fullmatch(r"[$+−]?\d[\d,.\u00a0]*(\u00a0%)?", c)]
    assert "$1\u00a0284\u00a0000" in numbers and "1140" in numbers  # four digits: no space
    assert not [c for c in numbers if "," in c]  # no English thousands separator
    assert any(c.endswith("\u00a0%") for c in numbers) and not any(
        c.endswith("%") and not c.endswith("\u00a0%") for c in numbers
    )
    assert any(" a " in c for c in cells)
    english = render_report(demo_data(), tmp_path / "en")["report.html"].read_text("utf-8")
    cells_en = re.findall(r"<td[^>]*>(.*?)</td>", english, flags=re.S)
    assert "$1,284,000" in cells_en and not any("\u00a0%" in c for c in cells_en)
