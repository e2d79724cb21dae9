"""Example quotes per theme (issue 19, point 7) in the report: the same in every format,
redacted in every format, never from a personal text item or a small group."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.analyze.themes import load_codebook
from evalkit.instrument import load_instrument
from evalkit.report import demo_data, render_report
from evalkit.report.build import build_file_report_data
from tests.report.formats import html_tables, json_tables, markdown_tables, word_tables, xlsx_sheets
from tests.report.test_safety import _all_text

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "2026" / "follow_up.odk.csv"
HEADER = ["Theme", "Group", "Quote"]
EMAIL = "quoted.person@secret-example.org"
PERSONAL = "Zebulon Quartermaine"  # answer to the pii item 'substantiator'
SMALL = "Partner Xylophone"  # written only by a group below min_cell
CODEBOOK = """\
themes:
  - id: partnership
    label: {en: Partnerships, es: Alianzas}
    keywords: {en: [partner, agreed, joint, zebulon], es: [socio]}
  - id: funding
    label: Funding
    keywords: [grant, funding, investment]
items: [outcome_statement, substantiator, most_significant_change]
"""


def _quote_rows(tables: list[list[list[str]]]) -> list[list[str]]:
    return [row for t in tables if t and t[0] == HEADER for row in t[1:]]


def _expected(data, folder: Path) -> list[list[str]]:
    return [
        [q["label"], data.label(q["group"]), q["quote"]]
        for q in json_tables(folder / "results.json")["quotes"]
    ]


def test_the_quotes_are_the_same_in_every_format(rendered, demo):
    folder = rendered["report.html"].parent
    expected = _expected(demo, folder)
    assert len(expected) == 4
    assert _quote_rows(html_tables(folder / "report.html")[0]) == expected
    assert _quote_rows(markdown_tables(folder / "report.md")[0]) == expected
    assert _quote_rows(word_tables(folder / "report.docx")) == expected
    sheet = xlsx_sheets(folder / "tables.xlsx")["quotes"]
    assert [row[-1] for row in sheet[1:]] == [row[-1] for row in expected]


def test_an_email_in_a_hand_made_quote_is_redacted_in_every_format(tmp_path):
    data = demo_data()
    quotes = data.tables["quotes"].copy()
    quotes.loc[0, "quote"] = f"Write to {EMAIL} or call +44 20 7946 0958 about the grant"
    written = render_report(replace(data, tables={**data.tables, "quotes": quotes}), tmp_path)
    texts = _all_text(written)
    for name in ("report.html", "report.md", "report.docx", "tables.xlsx", "results.json"):
        assert EMAIL not in texts[name] and "7946" not in texts[name], name
        shown = texts[name].replace("\\[", "[").replace("\\]", "]")  # Markdown escapes
        assert "Write to [e-mail] or call [phone]" in shown, name
    assert not [name for name, text in texts.items() if EMAIL in text]


def _export(tmp_path: Path) -> Path:
    """The sample follow-up export with an e-mail in answers, a personal answer that matches
    a theme, and a group of four whose answers match a theme."""
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    remote = frame.index[frame["about-mode"] == "hybrid_remote"]
    frame = frame.drop(remote[4:]).reset_index(drop=True)  # four hybrid_remote rows left
    small = frame["about-mode"] == "hybrid_remote"
    frame.loc[small, "results-outcome_statement"] = f"{SMALL} agreed a joint plan"
    frame.loc[small, "reflection-most_significant_change"] = f"{SMALL} agreed a joint plan"
    others = frame.index[~small]
    frame.loc[others, "results-substantiator"] = f"{PERSONAL}, joint partner office"
    frame.loc[others, "results-outcome_statement"] = [
        f"Our partner agreed a joint pilot {i}; write to {EMAIL}" for i in range(len(others))
    ]
    path = tmp_path / "follow_up.odk.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def file_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quotes")
    book = folder / "themes.yaml"
    book.write_text(CODEBOOK, "utf-8")
    path = _export(folder)
    data = build_file_report_data(path, load_instrument("follow_up"), themes=load_codebook(book))
    return data, render_report(data, folder / "out")


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample data not shipped")
def test_file_report_quotes_are_redacted_and_never_personal_or_from_small_groups(file_report):
    data, written = file_report
    quotes = data.table("quotes")
    assert set(quotes["outcome"]) == {"outcome_statement", "most_significant_change"}
    assert "hybrid_remote" not in set(quotes["group"])
    assert quotes["quote"].str.contains(r"\[e-mail\]").any()
    texts = _all_text(written)
    for name in ("report.html", "report.md", "report.docx", "tables.xlsx", "results.json"):
        assert "[e-mail]" in texts[name].replace("\\[", "[").replace("\\]", "]"), name
    for secret in (EMAIL, PERSONAL, SMALL):
        assert not [name for name, text in texts.items() if secret in text], secret
    folder = written["report.html"].parent
    expected = _expected(data, folder)
    assert _quote_rows(html_tables(folder / "report.html")[0]) == expected
    assert _quote_rows(word_tables(folder / "report.docx")) == expected


@pytest.mark.skipif(not SAMPLE.exists(), reason="sample data not shipped")
def test_cli_report_themes(tmp_path):
    from evalkit.cli.main import cli

    book = tmp_path / "themes.yaml"
    book.write_text(CODEBOOK, "utf-8")
    out = tmp_path / "out"
    args = ["report", str(SAMPLE), "--instrument", "follow_up", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--themes", str(book)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text("utf-8")
    assert 'id="quotes"' in html and "Partnerships" in html
    bad = CliRunner().invoke(cli, [*args, "--themes", str(tmp_path / "missing.yaml")])
    assert bad.exit_code != 0 and "missing.yaml" in bad.output
    assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) <= 2
