"""Every table says the same thing in all five formats (HTML, Markdown, Word, XLSX, JSON).

Each format is parsed back independently (tests/report/formats.py) and compared cell by
cell: HTML, Markdown and Word hold the same tables; the workbook holds results.json's
tables; and the rows the text shows (scorecard, outcome harvest, K8 by network, response
rates) say what results.json says. The demo workspace's report is checked the same way in
tests/test_demo.py.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.report.text import STRINGS, fmt, fmt_ci, fmt_n, number_language
from tests.report.formats import (
    find_table,
    html_tables,
    json_tables,
    text_formats_agree,
    xlsx_matches_json,
)

YES_NO = {"yes": "yes", "no": "no", True: "yes", False: "no"}


def document_matches_json(folder: Path, language: str = "en") -> list[str]:
    """The rows of the text's tables against results.json; the differences."""
    s = STRINGS[language]
    body, _ = html_tables(folder / "report.html")
    tables = json_tables(folder / "results.json")
    problems = []
    with number_language(language):
        outcomes = tables["outcomes"]
        if outcomes:
            header = [s["unit"], s["counterpart"], s["outcome"], s["contribution"]]
            shown = find_table(body, header)
            column = shown[0].index(s["substantiated"])
            for row, record in zip(shown[1:], outcomes, strict=True):
                expected = s[YES_NO[record["substantiated"]]]
                if row[column] != expected:
                    shown_flag, flag = row[column], record["substantiated"]
                    problems.append(f"outcome {record['outcome']!r}: {shown_flag!r} vs {flag!r}")
        by_code = {r["code"]: r for r in tables["kpis"]}
        for table in body:
            header = table[0]
            if header[:2] != [s["kpi"], s["this_year"]]:
                continue
            for row in table[1:]:
                record = by_code[row[0].split()[0]]
                unit = record["unit"]
                checks = {
                    s["this_year"]: fmt(record["value"], unit),
                    s["n"]: fmt_n(record["n"]),
                    s["ci"]: fmt_ci(record["ci_low"], record["ci_high"], unit),
                    s["target"]: fmt(record["target"], unit),
                }
                for name, expected in checks.items():
                    shown_value = row[header.index(name)] if name in header else expected
                    if shown_value != expected:
                        problems.append(f"{record['code']} {name}: {shown_value!r} != {expected!r}")
        networks = [r for r in tables["kpi_breakdown"] if r["group_var"] == "network"]
        if networks:
            shown = find_table(body, [s["network_name"]])
            for row, record in zip(shown[1:], networks, strict=True):
                value = row[shown[0].index(s["n"])]
                if value != fmt_n(record["n"]):
                    problems.append(f"network {record['group']}: n {value!r} vs {record['n']}")
        rates = tables["response_rates"]
        if rates:
            shown = find_table(body, [s["instrument"], s["invited"], s["responded"]])
            for row, record in zip(shown[1:], rates, strict=True):
                if row[2] != fmt_n(record["responded"]):
                    problems.append(f"responses of {record['instrument']}: {row[2]!r}")
    return problems


def assert_formats_agree(folder: Path, language: str = "en") -> None:
    problems = [
        *text_formats_agree(folder),
        *xlsx_matches_json(folder),
        *document_matches_json(folder, language),
    ]
    assert problems == [], "\n".join(problems[:20])


def test_the_demo_report_says_the_same_in_every_format(rendered):
    assert_formats_agree(rendered["report.html"].parent)


def test_a_substantiated_no_is_printed_no_everywhere(rendered):
    outcomes = json_tables(rendered["results.json"])["outcomes"]
    assert {r["substantiated"] for r in outcomes} == {"yes", "no"}  # the builder's words
    shown = find_table(html_tables(rendered["report.html"])[0], ["Local unit"])
    column = shown[0].index("Substantiated")
    assert [row[column] for row in shown[1:]] == [r["substantiated"] for r in outcomes]
