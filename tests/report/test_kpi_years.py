"""The report's "KPIs over the years": every stored period, the same in every format."""

from __future__ import annotations

import math

import pytest

from evalkit.instrument import load_instrument
from evalkit.kpi.history import kpi_history_from_workspace
from evalkit.report import render_report
from evalkit.report.build import build_report_data
from evalkit.sample.generate import generate_responses, write_csv
from evalkit.store import ingest_file
from tests.report.formats import (
    find_table,
    html_tables,
    json_tables,
    markdown_tables,
    text_formats_agree,
    word_tables,
    xlsx_matches_json,
)

PERIODS = ("2024", "2025", "2026")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("years-report")
    ws = folder / "ws.duckdb"
    sizes = {"2024": 250, "2025": 6, "2026": 250}  # 2025: too few respondents to show
    for i, period in enumerate(PERIODS):
        frame = generate_responses("post_engagement", sizes[period], seed=60 + i, period=period)
        csv = write_csv(frame, folder / f"pe_{period}.csv")
        ingest_file(csv, load_instrument("post_engagement"), workspace=ws, period=period)
    data = build_report_data(str(ws), "2026")
    out = folder / "report"
    render_report(data, out)
    return ws, out


def test_every_year_is_shown_and_the_formats_agree(report):
    ws, out = report
    header = ["KPI", *PERIODS, "Trend"]
    body, _ = html_tables(out / "report.html")
    table = find_table(body, header)
    k15 = next(row for row in table if row[0].startswith("K15 "))
    past = kpi_history_from_workspace(str(ws), "2026").history
    k15_rows = past[past["code"] == "K15"].set_index("period")
    assert k15[1] == f"{k15_rows.loc['2024', 'value']:.0%}"
    assert k15[2] == "suppressed" and k15_rows.loc["2025", "status"] == "suppressed"
    assert k15[4] == "fewer than three years with a value: no test"  # 2025 is suppressed
    assert find_table(markdown_tables(out / "report.md")[0], header) == table
    assert find_table(word_tables(out / "report.docx"), header) == table
    assert not text_formats_agree(out)
    assert not xlsx_matches_json(out)


def test_the_size_of_a_suppressed_year_is_never_published(report):
    _, out = report
    rows = json_tables(out / "results.json")["kpi_history"]
    suppressed = [r for r in rows if r["status"] == "suppressed"]
    assert suppressed and all(r["n"] is None or math.isnan(r["n"]) for r in suppressed)
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "n=6<" not in text and "n=6 " not in text
