"""KPIs over several periods: the history table, trend tests, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.kpi import load_catalogue
from evalkit.kpi.compute import Value, kpis_from_workspace
from evalkit.kpi.history import kpi_history_from_workspace, kpi_trend, weighted_slope
from evalkit.sample.generate import generate_responses, write_csv
from evalkit.store import ingest_file

PERIODS = ("2024", "2025", "2026")


def _kpi(kpi_id: str):
    return next(k for k in load_catalogue().kpis if k.id == kpi_id)


def test_proportion_trend_is_cochran_armitage_as_in_r():
    # R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82)): X-squared = 8.2249,
    # p-value = 0.004132 (equally spaced years give the same test as scores 1..4)
    series = [
        (str(2023 + i), Value(x / n, n=n, se=float(np.sqrt(x / n * (1 - x / n) / n)),
                              counts=(x, n)))
        for i, (x, n) in enumerate(zip([83, 90, 129, 70], [86, 93, 136, 82], strict=True))
    ]  # fmt: skip
    row = kpi_trend(_kpi("follow_through_rate"), series)
    assert row["test"] == "Cochran-Armitage trend test"
    assert row["statistic"] == pytest.approx(8.2249, abs=5e-5)
    assert row["p_value"] == pytest.approx(0.004132, abs=5e-7)
    assert row["trend"] == "down" and row["periods"] == 4


def test_fewer_than_three_periods_get_no_test():
    series = [("2025", Value(0.5, n=50, se=0.07)), ("2026", Value(0.6, n=50, se=0.07))]
    row = kpi_trend(_kpi("relationship_quality_index"), series)
    assert np.isnan(row.get("p_value", np.nan)) and "fewer than 3 periods" in row["note"]


def test_weighted_slope_type_one_error_and_coverage():
    """Simulation: the slope's 95% CI covers the planted slope 93-97% of the time, and
    with no trend the test rejects about 5% of the time."""
    rng = np.random.default_rng(20261207)
    years = np.array([2021.0, 2022, 2024, 2025, 2026])
    ses = np.array([0.2, 0.35, 0.15, 0.3, 0.25])
    reps = 4000
    covered = rejected = 0
    for _ in range(reps):
        planted = 0.1 * (years - 2021) + rng.normal(0, ses)
        _, low, high, _, _ = weighted_slope(planted, ses, years)
        covered += low <= 0.1 <= high
        flat = rng.normal(3.0, ses)
        rejected += weighted_slope(flat, ses, years)[4] < 0.05
    assert 0.93 <= covered / reps <= 0.97
    assert 0.03 <= rejected / reps <= 0.07


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("years")
    path = folder / "ws.duckdb"
    for i, period in enumerate(PERIODS):
        frame = generate_responses("post_engagement", 250, seed=40 + i, period=period)
        frame = frame[frame["submitted_at"] < "2026-06-01"]
        csv = write_csv(frame, folder / f"pe_{period}.csv")
        ingest_file(csv, load_instrument("post_engagement"), workspace=path, period=period)
    return path


def test_history_holds_every_period_and_equals_the_scorecard(workspace):
    past = kpi_history_from_workspace(str(workspace), "2026")
    assert past.metadata["periods"] == list(PERIODS)
    assert list(past.history["period"].unique()) == list(PERIODS)
    now = kpis_from_workspace(str(workspace), "2026").kpis.set_index("kpi_id")
    last = past.history[past.history["period"] == "2026"].set_index("kpi_id")
    shown = now["value"].notna()
    assert np.allclose(last.loc[shown[shown].index, "value"], now.loc[shown, "value"])
    k15 = past.trends.set_index("kpi_id").loc["incremental_reach_virtual"]
    assert k15["periods"] == 3 and k15["test"] == "Cochran-Armitage trend test"
    # only up to --period
    assert kpi_history_from_workspace(str(workspace), "2025").metadata["periods"] == [
        "2024", "2025"]  # fmt: skip


def test_kpi_cli_prints_the_history_and_writes_it(runner, workspace, tmp_path):
    out = tmp_path / "out"
    args = ["kpi", "--workspace", str(workspace), "--period", "2026"]
    result = runner.invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "KPIs over the periods 2024–2026" in result.output
    k15 = [line for line in result.output.splitlines() if line.startswith("K15 ")][-1]
    assert k15.count("%") >= 3 and "Cochran-Armitage" in k15
    assert (out / "kpi_history.csv").exists() and (out / "kpi_trends.csv").exists()
    printed = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    library = kpi_history_from_workspace(str(workspace), "2026").to_dict()
    assert printed["kpi_history"] == json.loads(json.dumps(library))
    quiet = runner.invoke(cli, [*args, "--no-history"])
    assert "KPIs over the periods" not in quiet.output


def test_compare_period_without_data_is_an_error(runner, workspace):
    args = ["kpi", "--workspace", str(workspace), "--period", "2026", "--compare", "2019"]
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert "2019" in result.output and "2024, 2025, 2026" in result.output
