"""``evalkit report`` from a workspace and from one file."""

from __future__ import annotations

import json

import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.sample import build_city
from evalkit.store import ingest_file

FILES = ("report.html", "report.md", "tables.xlsx", "results.json", "report.docx")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    written = build_city(folder / "data", periods=("2025", "2026"), seed=7)
    workspace = folder / "ws.duckdb"
    for path in written:
        if path.parent.name in ("2025", "2026"):
            instrument = load_instrument(path.name.split(".")[0])  # post_engagement.kobo.csv
            ingest_file(path, instrument, workspace=workspace, period=path.parent.name)
    population = next(p for p in written if p.name.startswith("population"))
    return folder, workspace, population


def test_report_from_a_workspace_writes_every_file(runner, city, tmp_path):
    _, workspace, population = city
    out = tmp_path / "report"
    args = ["report", "--workspace", str(workspace), "--period", "2026", "--compare", "2025"]
    result = runner.invoke(cli, [*args, "--population", str(population), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "report.html")
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    assert list((out / "charts").glob("*.svg")) and list((out / "charts").glob("*.png"))
    results = json.loads((out / "results.json").read_text())
    kpi_ids = {row["kpi_id"] for row in results["tables"]["kpis"]}
    assert {"connector_contribution_rate", "incremental_reach_virtual"} <= kpi_ids
    html = (out / "report.html").read_text()
    assert "Associations, not effects" in html
    assert "@example.org" not in html  # participant codes (pii) never reach the report


def test_every_kpi_has_a_value_or_a_reason(runner, city, tmp_path):
    _, workspace, _ = city
    out = tmp_path / "report"
    result = runner.invoke(
        cli, ["report", "--workspace", str(workspace), "--period", "2026", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "results.json").read_text())["tables"]["kpis"]
    for row in rows:
        assert row["value"] is not None or row["reason"], row["kpi_id"]
    reach = next(r for r in rows if r["kpi_id"] == "inclusive_reach_youth")
    assert reach["status"] == "not computed" and "population" in reach["reason"]


def test_report_from_one_file_in_spanish(runner, city, tmp_path):
    folder, _, _ = city
    source = folder / "data" / "2026" / "post_engagement.kobo.csv"
    out = tmp_path / "file_report"
    result = runner.invoke(
        cli,
        ["report", str(source), "--instrument", "post_engagement", "--lang", "es", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert 'lang="es"' in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x"], "give --period P (the workspace's reporting period) or FILE --instrument"),
        (["f.csv", "--workspace", "w", "-o", "x"], "give either FILE"),
        (["--workspace", "w.duckdb", "-o", "x"], "give --period P"),
        (["--period", "2026", "--workspace", "nope.duckdb", "-o", "x"], "no such workspace"),
    ],
)
def test_usage_errors_are_one_line(runner, args, message):
    result = runner.invoke(cli, ["report", *args])
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
