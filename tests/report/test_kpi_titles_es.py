"""`--lang es`: the KPI names are Spanish in the report and its tables (issue 18)."""

from __future__ import annotations

import pytest

from evalkit.instrument import load_instrument
from evalkit.kpi import load_catalogue
from evalkit.report import render_report
from evalkit.report.build import build_report_data
from evalkit.sample.generate import generate_responses, write_csv
from evalkit.store import ingest_file


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("es")
    ws = folder / "ws.duckdb"
    frame = generate_responses("post_engagement", 120, seed=5, period="2026")
    csv = write_csv(frame, folder / "pe.csv")
    ingest_file(csv, load_instrument("post_engagement"), workspace=ws, period="2026")
    return ws


def test_every_kpi_has_a_spanish_title():
    missing = [k.code for k in load_catalogue().kpis if not k.title_es]
    assert not missing


def test_spanish_report_names_every_kpi_in_spanish(workspace, tmp_path):
    catalogue = load_catalogue()
    data = build_report_data(str(workspace), "2026", lang="es")
    titles = dict(zip(data.table("kpis")["kpi_id"], data.table("kpis")["title"], strict=True))
    assert titles == {k.id: k.title_es for k in catalogue.kpis}
    render_report(data, tmp_path)
    for name in ("report.html", "report.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "Tasa de seguimiento a los 90 días" in text
        english = [k.title for k in catalogue.kpis if k.title in text]
        assert not english, f"{name} keeps English KPI names: {english}"


def test_an_office_title_without_a_translation_is_not_replaced(tmp_path):
    office = tmp_path / "kpis.yaml"
    office.write_text(
        "extends: library\nversion: 1.0.0\nkpis:\n  - id: follow_through_rate\n"
        "    title: Follow-ups with a next step\n",
        encoding="utf-8",
    )
    kpi = next(k for k in load_catalogue(office).kpis if k.id == "follow_through_rate")
    assert kpi.title_in("es") == "Follow-ups with a next step"
    assert kpi.title_in("en") == "Follow-ups with a next step"


def test_spanish_report_says_why_a_kpi_is_missing_in_spanish(workspace, tmp_path):
    data = build_report_data(str(workspace), "2026", lang="es")
    render_report(data, tmp_path)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "sin respuestas de connector_attribution para 2026" in text
    assert "responses for 2026" not in text
