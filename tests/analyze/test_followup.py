"""Follow-up linking (issue 19, point 6): links by hand, attrition tests' size, IPW, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.analyze.followup import (
    analyze_followup,
    attrition_tests,
    linked_cohort,
    response_rates,
    response_weights,
)
from evalkit.instrument import load_instrument
from evalkit.sample.linked import generate_linked

POST = load_instrument("post_engagement")
FOLLOW = load_instrument("follow_up")


def _baseline():
    return pd.DataFrame(
        {
            "participant_code__key": ["k1", "k2", "k3", None, "k5", "k5"],
            "engagement_id": ["e1", "e1", "e2", "e2", "e3", "e4"],
            "mode": ["virtual", "in_person", "virtual", "virtual", "in_person", "virtual"],
        }
    )


def _followups():
    return pd.DataFrame(
        {
            "participant_code__key": ["k1", "k1", "k3", "k5", "k9", "k2"],
            "engagement_id": ["e1", "e1", "e2", "e4", "e1", "e1"],
            "wave": ["d90", "d90", "d90", "d90", "d90", "m6"],
        }
    )


def test_linking_by_key_and_engagement_counted_by_hand():
    cohort, meta = linked_cohort(_baseline(), _followups(), "participant_code", "mode")
    # the row without a code cannot be followed up; k5 attended two engagements
    assert meta["n_eligible"] == 5
    assert meta["n_followup_duplicates_dropped"] == 1  # k1 answered d90 twice
    assert meta["n_followup_unlinked"] == 1  # k9 was never a baseline respondent
    pairs = zip(cohort["_key"], cohort["engagement_id"], strict=True)
    answered = dict(zip(pairs, cohort["answered_d90"], strict=True))
    assert answered == {
        ("k1", "e1"): True,
        ("k2", "e1"): False,
        ("k3", "e2"): True,
        ("k5", "e3"): False,
        ("k5", "e4"): True,
    }
    assert cohort["answered_m6"].sum() == 1
    rates = response_rates(cohort, ["d90"], "mode", 0.05, min_cell=1).set_index("group")
    assert rates.loc["virtual", "n_eligible"] == 3 and rates.loc["virtual", "n_responded"] == 3
    assert rates.loc["in_person", "rate"] == 0.0
    hidden = response_rates(cohort, ["d90"], "mode", 0.05, min_cell=10)
    assert hidden["suppressed"].all() and hidden["n_responded"].isna().all()


def test_missing_key_is_a_one_line_error():
    from evalkit.errors import UsageError

    with pytest.raises(UsageError, match="participant_code"):
        linked_cohort(_baseline().drop(columns="participant_code__key"), _followups(),
                      "participant_code", "mode")  # fmt: skip


def _cohort(rng, n, answer_prob):
    worth = rng.integers(1, 6, n)
    mode = rng.choice(["in_person", "virtual"], n)
    frame = pd.DataFrame({"mode": mode, "worth_time": pd.array(worth, dtype="Int64")})
    frame["answered_d90"] = rng.random(n) < answer_prob(worth)
    return frame


def test_attrition_tests_hold_their_size_when_dropout_is_random():
    rng = np.random.default_rng(42)
    reps, rejected = 600, np.zeros(2)
    for _ in range(reps):
        cohort = _cohort(rng, 120, lambda w: np.full(len(w), 0.5))
        table = attrition_tests(cohort, ["d90"], POST, "mode")
        rejected += table["p_value"].to_numpy() < 0.05
    # 99.9% binomial band around 5% with 600 replications: about 2.1% to 7.9%
    assert np.all((rejected / reps > 0.021) & (rejected / reps < 0.079)), rejected / reps


def test_attrition_that_depends_on_the_baseline_answer_is_found():
    rng = np.random.default_rng(3)
    cohort = _cohort(rng, 800, lambda w: 0.15 + 0.15 * (w - 1))  # satisfied people answer
    table = attrition_tests(cohort, ["d90"], POST, "mode").set_index("variable")
    assert table.loc["worth_time", "p_fdr"] < 1e-6
    assert table.loc["worth_time", "effect"] > 0.6  # responders rate higher
    assert table.loc["worth_time", "mean_responded"] > table.loc["worth_time", "mean_dropped"]
    assert table.loc["mode", "p_value"] > 0.001


def test_inverse_probability_weights_restore_the_cohort_mean():
    rng = np.random.default_rng(8)
    cohort = _cohort(rng, 4000, lambda w: 0.1 + 0.18 * (w - 1))
    answered = cohort["answered_d90"].to_numpy()
    worth = cohort["worth_time"].to_numpy(dtype=float)
    weights = response_weights(cohort, answered, POST, "mode")
    assert np.isnan(weights[~answered]).all()
    naive = worth[answered].mean()
    weighted = np.average(worth[answered], weights=weights[answered])
    assert naive - worth.mean() > 0.4  # the responders alone overstate the cohort
    assert abs(weighted - worth.mean()) < 0.05
    assert np.nanmean(weights) == pytest.approx(1, abs=0.1)  # stabilised


@pytest.fixture(scope="module")
def city():
    return generate_linked(
        "2026", seed=2, sizes={"activity_register": 30, "post_engagement": 800,
                               "community_programme": 20},
    )  # fmt: skip


def test_outcomes_are_grouped_by_the_baseline_mode(city):
    post, follow = city.frames["post_engagement"], city.frames["follow_up"]
    follow = follow.copy()
    follow["mode"] = "virtual"  # a wrong mode on the follow-up must not be used
    result = analyze_followup(post, follow, POST, FOLLOW)
    d90 = result.outcomes["d90"]
    assert d90.metadata["group_var"] == "mode"
    assert len(d90.metadata["groups"].split(",")) > 1
    n_d90 = int(result.response_rates.query("wave == 'd90'")["n_responded"].sum())
    assert d90.metadata["n_rows"] == n_d90
    weighted = analyze_followup(post, follow, POST, FOLLOW, ipw=True)
    assert weighted.outcomes["d90"].metadata.get("weights") == "_followup_ipw"


def test_cli_on_a_workspace(city, tmp_path):
    from evalkit.cli.main import cli
    from evalkit.sample.generate import write_csv
    from evalkit.store import ingest_file

    ws = tmp_path / "ws.duckdb"
    for inst_id in ("post_engagement", "follow_up"):
        frame = city.frames[inst_id]
        frame = frame[frame["submitted_at"] < pd.Timestamp.now(tz="UTC")]
        csv = write_csv(frame, tmp_path / f"{inst_id}.csv")
        ingest_file(csv, load_instrument(inst_id), workspace=ws, period="2026")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["followup", "--workspace", str(ws), "--period", "2026",
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "can be followed up" in result.output and "d90" in result.output
    rates = pd.read_csv(out / "response_rates.csv")
    assert set(rates["wave"]) == {"d90", "m6"}
    assert (out / "outcomes_d90" / "comparisons.csv").is_file()
    as_json = runner.invoke(cli, ["followup", "--workspace", str(ws), "--period", "2026",
                                  "--json", "-"])  # fmt: skip
    assert json.loads(as_json.output)["metadata"]["link_key"] == "participant_code__key"
