"""Trend tests over periods (issue 19, point 5): against R, by definition and by simulation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.analyze.engine import analyze
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.trend import (
    cochran_armitage,
    difference_in_changes,
    jonckheere_terpstra,
    linear_slope,
)
from evalkit.instrument import load_instrument
from evalkit.sample import generate_responses


def test_cochran_armitage_equals_r_prop_trend_test():
    # R 4.2.2: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
    x2, p = cochran_armitage([83, 90, 129, 70], [86, 93, 136, 82])
    assert x2 == pytest.approx(8.2249, abs=5e-5)
    assert p == pytest.approx(0.004132, abs=5e-7)


def test_cochran_armitage_uneven_scores_equal_r():
    # R: prop.trend.test(c(15, 22, 30), c(50, 55, 60), score = c(2022, 2024, 2025))
    x2, p = cochran_armitage([15, 22, 30], [50, 55, 60], [2022, 2024, 2025])
    assert x2 == pytest.approx(4.370212976, rel=1e-9)
    assert p == pytest.approx(0.03657242063, rel=1e-8)


def test_jonckheere_terpstra_equals_r_kendall_normal_approximation():
    # g <- rep(1:3, c(6, 6, 6)); y <- c(1,1,1,2,2,3, 1,1,2,2,3,3, 1,2,2,3,3,3)
    # cor.test(g, y, method = "kendall", exact = FALSE): z = 1.373028348,
    # p-value = 0.1697435341, tau = 0.2962962963
    jt, z, p, tau = jonckheere_terpstra([[3, 2, 1], [2, 2, 2], [1, 2, 3]])
    assert z == pytest.approx(1.373028348, rel=1e-9)
    assert p == pytest.approx(0.1697435341, rel=1e-9)
    assert tau == pytest.approx(0.2962962963, rel=1e-9)
    assert jt == 70.0


def test_jonckheere_statistic_is_the_count_of_ordered_pairs():
    rng = np.random.default_rng(5)
    groups = [rng.integers(1, 6, size) for size in (7, 11, 4, 9)]
    direct = 0.0
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            diff = groups[j][None, :] - groups[i][:, None]
            direct += (diff > 0).sum() + 0.5 * (diff == 0).sum()
    table = np.array([np.bincount(g, minlength=6)[1:] for g in groups])
    assert jonckheere_terpstra(table)[0] == direct


def test_linear_slope_equals_r_lm():
    # d <- data.frame(s = rep(1:3, each = 2), y = c(1, 2, 2, 3, 4, 5)); lm(y ~ s, d)
    b, se, lo, hi = linear_slope([2, 2, 2], [1.5, 2.5, 4.5], [0.5, 0.5, 0.5])
    assert b == pytest.approx(1.5)
    assert se == pytest.approx(0.3385016002, rel=1e-9)
    assert (lo, hi) == pytest.approx((0.560168889, 2.439831111), rel=1e-8)


def test_trend_tests_hold_their_size_under_no_trend():
    rng = np.random.default_rng(20261207)
    reps, n = 2000, np.array([60, 80, 70, 90])
    reject_ca = reject_jt = 0
    probs = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    for _ in range(reps):
        successes = rng.binomial(n, 0.35)
        reject_ca += cochran_armitage(successes, n)[1] < 0.05
        table = np.array([rng.multinomial(m, probs) for m in n])
        reject_jt += jonckheere_terpstra(table)[2] < 0.05
    # binomial 99.9% band around 5% for 2000 replications: about 3.4% to 6.6%
    assert 0.034 < reject_ca / reps < 0.066
    assert 0.034 < reject_jt / reps < 0.066


def test_difference_in_changes_interval_covers():
    rng = np.random.default_rng(7)
    reps, n = 2000, 150
    p = {"a": (0.40, 0.55), "b": (0.45, 0.50)}  # a changes 10 points more than b
    truth = (0.55 - 0.40) - (0.50 - 0.45)
    covered = 0
    for _ in range(reps):
        cells = {g: rng.binomial(n, p[g]) / n for g in p}
        var = {g: cells[g] * (1 - cells[g]) / n for g in p}
        _, lo, hi, _, _ = difference_in_changes(cells["a"], var["a"], cells["b"], var["b"])
        covered += lo <= truth <= hi
    assert 0.93 <= covered / reps <= 0.97


def _periods(shift_per_period: float, periods=("2024", "2025", "2026"), n=500):
    """post_engagement answers in each period; worth_time moved up by the planted shift."""
    inst = load_instrument("post_engagement")
    parts = []
    for i, period in enumerate(periods):
        frame = generate_responses(inst, n=n, seed=11 + i)
        moved = frame["worth_time"].astype("Float64") + round(shift_per_period * i)
        frame["worth_time"] = moved.clip(1, 5).round().astype("Int64")
        frame["period"] = period
        parts.append(frame)
    return inst, pd.concat(parts, ignore_index=True)


def test_planted_trend_is_found_and_said():
    inst, frame = _periods(1.0)
    result = analyze(frame, inst, AnalysisOptions(by="period", outcomes=("worth_time",)))
    row = result.trends.iloc[0]
    assert row["test"] == "Jonckheere-Terpstra test"
    assert row["n_periods"] == 3 and row["first_period"] == "2024"
    assert row["p_value"] < 1e-6 and row["effect"] > 0
    assert row["slope_ci_low"] > 0 and row["slope_unit"] == "year"
    sentences = result.findings[result.findings["kind"] == "trend"]["sentence"]
    assert len(sentences) == 1 and "rose" in sentences.iloc[0]
    assert "2024–2026" in sentences.iloc[0]


def test_no_trend_gives_no_trend_finding():
    inst, frame = _periods(0.0)
    result = analyze(frame, inst, AnalysisOptions(by="period", outcomes=("worth_time",)))
    assert len(result.trends) == 1
    assert not (result.findings["kind"] == "trend").any()


def test_two_periods_have_no_trend_test_and_say_why():
    inst, frame = _periods(0.0, periods=("2025", "2026"))
    result = analyze(frame, inst, AnalysisOptions(by="period", outcomes=("worth_time",)))
    assert result.trends.empty
    assert "3 or more periods" in result.metadata["trend_note"]
    assert not result.interactions.empty  # first vs last period still compares the modes


def test_interaction_rows_match_hand_computed_cells():
    inst, frame = _periods(0.0)
    result = analyze(frame, inst, AnalysisOptions(by="period", outcomes=("next_step",)))
    row = result.interactions.iloc[0]
    yes = inst.choices_for(inst.item("next_step")).substantive[0].name
    cell = {}
    for period in ("2024", "2026"):
        for mode in (row["group_a"], row["group_b"]):
            answers = frame.loc[(frame["period"] == period) & (frame["mode"] == mode), "next_step"]
            answers = answers.dropna().astype(str)
            answers = answers[
                answers.isin([c.name for c in inst.choices_for(inst.item("next_step")).substantive])
            ]
            cell[period, mode] = (answers == yes).mean()
    change_a = cell["2026", row["group_a"]] - cell["2024", row["group_a"]]
    change_b = cell["2026", row["group_b"]] - cell["2024", row["group_b"]]
    assert row["change_a"] == pytest.approx(100 * change_a)
    assert row["difference"] == pytest.approx(100 * (change_a - change_b))


def test_cli_writes_trend_tables(tmp_path):
    from evalkit.cli.main import cli

    _, frame = _periods(1.0)
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "analyze",
            "--frame",
            str(path),
            "--instrument",
            "post_engagement",
            "--by",
            "period",
            "--outcome",
            "worth_time",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "trend over periods" in result.output
    trends = pd.read_csv(out / "trends.csv")
    assert trends.loc[0, "outcome"] == "worth_time"
    assert json.loads((out / "metadata.json").read_text())["breakdown"] == "period"
