"""Public and internal editions (issue 18, point 7): the public report (the default)
suppresses named partners and quotes of small groups and prints no placeholder stories; the
internal one keeps them and says "internal" on every page of every format."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalkit.analyze.themes import load_codebook
from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from evalkit.report import ReportData, demo_data, render_report
from evalkit.report.build import build_report_data
from tests.report.test_safety import _all_text

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "2026"
MARK = "INTERNAL EDITION — not for publication"
CODEBOOK = """\
themes:
  - id: partners
    label: Partners
    keywords: [partner, team, city, export]
"""


def test_an_unknown_edition_is_a_one_line_error():
    with pytest.raises(UsageError, match="edition 'draft' is not known"):
        ReportData(title="t", period="2026", edition="draft")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    from evalkit.store import ingest_file

    folder = tmp_path_factory.mktemp("editions")
    workspace = folder / "w.duckdb"
    for name, instrument in (
        ("partner_relationship.csv", "partner_relationship"),
        ("follow_up.odk.csv", "follow_up"),
    ):
        ingest_file(SAMPLE / name, load_instrument(instrument), workspace=workspace, period="2026")
    book = folder / "themes.yaml"
    book.write_text(CODEBOOK, "utf-8")
    themes = load_codebook(book)
    return {
        edition: build_report_data(str(workspace), "2026", themes=themes, edition=edition)
        for edition in ("public", "internal")
    }


needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="sample data not shipped")


@needs_sample
def test_the_public_edition_names_no_partner_rated_by_few(editions):
    assert editions["public"].table("relationships").empty  # every partner is rated once
    internal = editions["internal"].table("relationships")
    assert not internal["suppressed"].any() and internal["score"].notna().any()
    assert set(internal["n"].dropna()) == {1}
    assert editions["public"].omitted_partners() == internal["partner"].nunique() > 10
    assert editions["internal"].omitted_partners() == 0


@needs_sample
def test_placeholder_stories_only_in_the_internal_edition(editions):
    assert editions["public"].table("stories").empty
    stories = editions["internal"].table("stories")
    assert len(stories) and stories["selected_by"].str.contains("a panel should choose").all()


@needs_sample
def test_quotes_of_small_groups_only_in_the_internal_edition(editions, tmp_path):
    from evalkit.report.build import build_file_report_data
    from tests.report import test_quotes

    assert len(editions["internal"].table("quotes")) >= len(editions["public"].table("quotes"))
    book = tmp_path / "themes.yaml"
    book.write_text(test_quotes.CODEBOOK, "utf-8")
    path, follow_up = test_quotes._export(tmp_path), load_instrument("follow_up")
    built = {
        edition: build_file_report_data(
            path, follow_up, themes=load_codebook(book), edition=edition
        ).table("quotes")
        for edition in ("public", "internal")
    }
    small = test_quotes.SMALL
    assert not built["public"]["quote"].str.contains(small).any()
    assert "hybrid_remote" not in set(built["public"]["group"])
    shown = built["internal"][built["internal"]["group"] == "hybrid_remote"]
    assert shown["quote"].str.contains(small).all() and len(shown) >= 1
    for quotes in built.values():  # both editions: redacted, never the personal item
        assert not quotes["quote"].str.contains(test_quotes.EMAIL).any()
        assert not quotes["quote"].str.contains(test_quotes.PERSONAL).any()


@needs_sample
def test_the_public_report_says_why_no_partner_is_shown(editions, tmp_path):
    written = render_report(editions["public"], tmp_path)
    html = written["report.html"].read_text("utf-8")
    count = editions["public"].omitted_partners()
    assert f"not even named (left out: {count})" in html and "chart-heatmap" not in html
    assert MARK not in html and "City of Lyon" not in html
    internal = render_report(editions["internal"], tmp_path / "internal")
    assert "City of Lyon" in internal["report.html"].read_text("utf-8")


def _word_headers(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    return [
        " ".join(p.text for p in part.paragraphs)
        for section in document.sections
        for part in (section.header, section.footer)
    ]


def test_every_format_of_the_internal_edition_is_marked(tmp_path):
    written = render_report(replace(demo_data(), edition="internal"), tmp_path)
    texts = _all_text(written)
    html = texts["report.html"]
    assert html.index('class="edition-banner"') < html.index("<main>")  # before any content
    assert html.count(MARK) == 2  # the banner and the footer
    md = texts["report.md"]
    assert md.splitlines()[4] == f"> **{MARK}: named partners and small groups are shown " \
        "without suppression.**" and md.count(MARK) == 2  # fmt: skip
    assert all(MARK in text for text in _word_headers(written["report.docx"]))
    from openpyxl import load_workbook

    book = load_workbook(written["tables.xlsx"])
    assert "INTERNAL" in book["README"]["B4"].value
    assert all("INTERNAL" in sheet.oddHeader.center.text for sheet in book.worksheets[1:])
    assert '"edition": "internal"' in texts["results.json"]


def test_the_public_edition_is_not_marked(rendered):
    texts = _all_text(rendered)
    assert not [name for name, text in texts.items() if "INTERNAL" in text]
    assert '"edition": "public"' in texts["results.json"]
    with zipfile.ZipFile(io.BytesIO(rendered["report.docx"].read_bytes())) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/header")]


def test_cli_edition(tmp_path):
    from evalkit.cli.main import cli

    path = SAMPLE / "follow_up.odk.csv"
    args = ["report", str(path), "--instrument", "follow_up", "-o", str(tmp_path)]
    result = CliRunner().invoke(cli, [*args, "--edition", "internal"])
    assert result.exit_code == 0, result.output
    assert MARK in (tmp_path / "report.html").read_text("utf-8")
    bad = CliRunner().invoke(cli, [*args, "--edition", "draft"])
    assert bad.exit_code == 2 and "draft" in bad.output
