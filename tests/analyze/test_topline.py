"""The topline (issue 19, point 1): every outcome described, no groups compared.

References: Wilson intervals (REFERENCE_VALUES.md: 100/200 -> [0.4313609, 0.5686391]); the
one-sample t interval of R ``t.test(sleep$extra[1:10])`` (scipy computes the same:
[-0.5297804, 2.0297804]); the distribution-free median interval of R
``DescTools::MedianCI(method = "exact")`` (order statistics qbinom(alpha/2, n, 1/2) and
n - k + 1 of the sorted data), whose coverage for continuous data is exactly
1 - 2 P(B <= k - 1), B ~ Binomial(n, 1/2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.analysers.multi_response import mention_shares
from evalkit.analyze.descriptives import median_ci_ranks, median_ci_sorted
from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]


@pytest.fixture(scope="module")
def frame():
    return post_engagement_frame(1500, seed=3)


@pytest.fixture(scope="module")
def topline(frame):
    return analyze(frame, INST, AnalysisOptions(by="none", n_boot=199))


def test_topline_describes_every_outcome_and_compares_nothing(topline, frame):
    assert len(topline.comparisons) == 0 and len(topline.pairwise) == 0
    d = topline.descriptives.set_index("outcome")
    assert set(d["group"]) == {"all"} and set(d["group_var"]) == {"none"}
    assert d.loc["worth_time", "n"] == frame["worth_time"].notna().sum()
    assert d.loc["worth_time", "missing"] == frame["worth_time"].isna().sum()
    assert {"presence", "value_index", "recommend", "next_step_types__visit"} <= set(d.index)
    assert topline.metadata["breakdown"] == "none"
    # alpha, its Feldt interval and omega for every scale, with item diagnostics
    assert set(topline.scales["scale"]) == {"presence", "value_index"}
    assert topline.scales["alpha_ci_low"].notna().all() and len(topline.scale_items) == 6


def test_distribution_has_wilson_intervals(topline, frame):
    levels = topline.levels[topline.levels.outcome == "worth_time"].set_index("level")
    counts = frame["worth_time"].value_counts()
    n = counts.sum()
    for level in ["1", "2", "3", "4", "5"]:
        x = counts.get(int(level), 0)
        assert levels.loc[level, "count"] == x
        ci = stats.binomtest(int(x), int(n)).proportion_ci(method="wilson")
        assert levels.loc[level, "share_ci_low"] == pytest.approx(ci.low, rel=1e-9)
        assert levels.loc[level, "share_ci_high"] == pytest.approx(ci.high, rel=1e-9)


def test_mean_interval_is_the_t_interval(topline, frame):
    row = topline.descriptives.set_index("outcome").loc["new_contacts"]
    values = frame["new_contacts"].dropna().to_numpy(dtype=float)
    ci = stats.ttest_1samp(values, 0).confidence_interval()
    assert (row.mean_ci_low, row.mean_ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_mean_interval_of_a_decimal_item_matches_r_t_test():
    inst = load_instrument("follow_up")
    frame = pd.DataFrame({"result_value": pd.array(SLEEP_1, dtype="Float64")})
    res = analyze(frame, inst, AnalysisOptions(by="none", outcomes=("result_value",)))
    row = res.descriptives.iloc[0]
    assert row.mean_ci_low == pytest.approx(-0.5297804, abs=1e-7)
    assert row.mean_ci_high == pytest.approx(2.0297804, abs=1e-7)


def test_median_interval_is_descTools_exact(topline, frame):
    row = topline.descriptives.set_index("outcome").loc["new_contacts"]
    values = np.sort(frame["new_contacts"].dropna().to_numpy(dtype=float))
    k = int(stats.binom.ppf(0.025, len(values), 0.5))
    assert (row.median_ci_low, row.median_ci_high) == (values[k - 1], values[len(values) - k])


def test_median_interval_covers_as_the_binomial_says():
    """Continuous data, n = 40: coverage is exactly 1 - 2 P(B <= k - 1) = 0.9615."""
    rng = np.random.default_rng(0)
    reps, n = 4000, 40
    data = rng.exponential(1.0, (reps, n))  # true median log 2
    codes = np.repeat(np.arange(reps), n)
    ci = median_ci_sorted(codes, data.ravel(), reps)
    covered = np.mean((ci[:, 0] <= np.log(2)) & (np.log(2) <= ci[:, 1]))
    k, _ = median_ci_ranks(n)
    exact = 1 - 2 * stats.binom.cdf(k - 1, n, 0.5)
    assert 0.93 <= exact <= 0.97
    assert covered == pytest.approx(exact, abs=3 * np.sqrt(exact * (1 - exact) / reps))


def test_multi_response_table(topline, frame):
    table = topline.multi_response.set_index("option")
    ticks = frame[[f"next_step_types__{c}" for c in table.index]]
    answered = ticks.notna().any(axis=1)
    mentions = ticks[answered].sum().sum()
    for option in table.index:
        x = int(ticks.loc[answered, f"next_step_types__{option}"].sum())
        assert table.loc[option, "count"] == x
        assert table.loc[option, "n_respondents"] == answered.sum()
        assert table.loc[option, "share_respondents"] == pytest.approx(x / answered.sum())
        assert table.loc[option, "share_mentions"] == pytest.approx(x / mentions)
        assert table.loc[option, "n_mentions"] == mentions


def test_share_of_mentions_interval_covers():
    """Respondents tick correlated options: the cluster (ratio) interval still covers 95%."""
    rng = np.random.default_rng(1)
    reps, n, p = 2000, 150, np.array([0.6, 0.3, 0.2])
    trait = rng.normal(0, 1, (reps, n, 1))  # some people tick many options
    ticks = (rng.normal(0, 1, (reps, n, 3)) + trait < stats.norm.ppf(p) * np.sqrt(2)).astype(float)
    truth = p / p.sum()  # each option's expected share of all mentions
    covered = np.zeros(3)
    for r in range(reps):
        _, low, high = mention_shares(ticks[r], np.zeros(n, dtype=np.int64), 1, 0.05)
        covered += (low[:, 0] <= truth) & (truth <= high[:, 0])
    assert np.all((covered / reps >= 0.93) & (covered / reps <= 0.97)), covered / reps


def test_instrument_without_group_item_gets_the_topline(write_yaml, minimal_text):
    from evalkit.instrument import load_instrument as load

    path = write_yaml(minimal_text.replace("    role: group\n", ""))
    inst = load(str(path))
    frame = pd.DataFrame({"worth_time": pd.array([1, 2, 3, 3] * 5, dtype="Int64")})
    res = analyze(frame, inst)
    assert res.metadata["breakdown"] == "none" and len(res.comparisons) == 0
    assert res.descriptives.loc[0, "n"] == 20


def test_topline_refuses_adjustment(frame):
    from evalkit.errors import UsageError

    with pytest.raises(UsageError, match="topline"):
        analyze(frame, INST, AnalysisOptions(by="none", adjust=("drained",)))


def test_cli_topline(runner, tmp_path, frame):
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(
        cli, ["analyze", "--frame", str(path), "--instrument", "post_engagement", "--by", "none"]
    )
    assert result.exit_code == 0, result.output
    assert "topline (no breakdown)" in result.output
    assert "presence: alpha" in result.output and "NPS" in result.output
