"""``evalkit kpi`` on a small workspace built from generated responses."""

from __future__ import annotations

import json

import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.kpi import load_catalogue
from evalkit.kpi.compute import KPI_COLUMNS, kpis_from_workspace
from evalkit.sample.generate import generate_responses, write_csv
from evalkit.store import ingest_file


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ws")
    path = folder / "ws.duckdb"
    for period, seed in (("2025", 1), ("2026", 2)):
        frame = generate_responses("post_engagement", 300, seed=seed, period=period)
        # keep only rows valid today: the generator spreads dates over the whole year
        frame = frame[frame["submitted_at"] < "2026-06-01"]
        csv = write_csv(frame, folder / f"pe_{period}.csv")
        ingest_file(csv, load_instrument("post_engagement"), workspace=path, period=period)
    return path


def test_scorecard_lists_every_kpi(runner, workspace):
    result = runner.invoke(
        cli, ["kpi", "--workspace", str(workspace), "--period", "2026", "--compare", "2025"]
    )
    assert result.exit_code == 0, result.output
    scorecard, _, history = result.output.partition("\n\n")
    assert history.startswith("KPIs over the periods 2025–2026")
    lines = scorecard.splitlines()
    assert lines[0].split()[:3] == ["code", "KPI", "value"]
    codes = [line.split()[0] for line in lines[1:]]
    assert codes == [k.code for k in load_catalogue().kpis]
    k15 = next(line for line in lines if line.startswith("K15 "))
    assert "%" in k15 and "vs 2025" in k15
    k1 = next(line for line in lines if line.startswith("K1 "))
    assert "not computed: no connector_attribution responses for 2026" in k1


def test_json_equals_the_library_result(runner, workspace):
    result = runner.invoke(
        cli, ["kpi", "--workspace", str(workspace), "--period", "2026", "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    library = kpis_from_workspace(str(workspace), "2026").to_dict()
    history = printed.pop("kpi_history")  # the workspace holds 2025 too
    assert printed == json.loads(json.dumps(library))
    assert history["metadata"]["periods"] == ["2025", "2026"]
    assert list(printed["kpis"][0]) == KPI_COLUMNS


def test_csv_output_and_population_file(runner, workspace, tmp_path):
    population = tmp_path / "population.csv"
    population.write_text("group,population_share\nyouth_15_24,0.14\n")
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        [
            "kpi",
            "--workspace",
            str(workspace),
            "--period",
            "2026",
            "--population",
            str(population),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "kpis.csv").read_text().startswith(",".join(KPI_COLUMNS))
    assert (out / "kpi_breakdown.csv").exists()


def test_bad_inputs_are_one_line(runner, workspace, tmp_path):
    missing = runner.invoke(
        cli, ["kpi", "--workspace", str(tmp_path / "nope.duckdb"), "--period", "2026"]
    )
    assert missing.exit_code == 2
    assert missing.output.startswith("error: ") and "no such workspace" in missing.output
    bad = tmp_path / "population.yaml"
    bad.write_text("shares: {youth_15_24: 14}\n")
    result = runner.invoke(
        cli, ["kpi", "--workspace", str(workspace), "--period", "2026", "--population", str(bad)]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "must be a number between 0 and 1" in result.output


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0.02, "points", "+0.02"), (-0.06, "points", "−0.06"), (-0.089, "share", "−8.9 pts"),
     (-204.0, "currency", "−$204"), (1.0, "count", "+1"), (-0.001, "ratio", "±0.00")],
)  # fmt: skip
def test_changes_carry_one_sign(value, unit, text):
    from evalkit.cli.kpi import format_change

    assert format_change(value, unit) == text
