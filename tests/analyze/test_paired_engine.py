"""Pre/post: matched on the hashed key, paired tests, change compared between modes (DiD)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalkit.analyze import AnalysisOptions, analyze_paired
from evalkit.analyze.paired import paired_compare
from evalkit.cli.main import cli
from evalkit.instrument import load_instrument

INST = load_instrument("community_programme")
ITEMS = ["intercultural_confidence", "find_opportunities", "benefits_people_like_me"]


def _waves(n=300, seed=0, gain=None):
    """Pre and post waves; virtual participants gain 0.6 levels less than in-person ones."""
    rng = np.random.default_rng(seed)
    gain = gain if gain is not None else {"in_person": 1.0, "virtual": 0.4}
    keys = [f"h{i:04d}" for i in range(n)]
    mode = rng.choice(["in_person", "virtual"], n)
    pre = {"participant_code": keys}
    post = {"participant_code": keys, "mode": mode}
    shift = np.vectorize(gain.get)(mode)
    for item in ITEMS:
        base = rng.normal(2.5, 0.8, n)
        pre[item] = pd.array(np.clip(np.round(base), 1, 5).astype(int), dtype="Int64")
        after = base + shift + rng.normal(0, 0.5, n)
        post[item] = pd.array(np.clip(np.round(after), 1, 5).astype(int), dtype="Int64")
    pre_df, post_df = pd.DataFrame(pre), pd.DataFrame(post)
    # one person only answered pre, one key is duplicated in post: neither can be matched
    post_df = post_df.iloc[1:]
    post_df = pd.concat([post_df, post_df.iloc[[0]]], ignore_index=True)
    return pre_df, post_df


def test_matching_counts_and_paired_rows():
    pre, post = _waves()
    res = analyze_paired(pre, post, INST, AnalysisOptions(outcomes=("intercultural_confidence",)))
    meta = res.metadata
    assert meta["n_pre"] == 300 and meta["n_post"] == 300
    assert meta["n_matched"] == 298 and meta["n_duplicate_keys_dropped"] == 2
    comp = res.comparisons
    t_row = comp[comp.test == "paired t-test"].iloc[0]
    pre_m = pre.set_index("participant_code")["intercultural_confidence"].astype(float)
    post_m = post.drop_duplicates("participant_code", keep=False).set_index("participant_code")
    post_m = post_m["intercultural_confidence"].astype(float)
    both = pre_m.index.intersection(post_m.index)
    ref = paired_compare(pre_m[both].to_numpy(), post_m[both].to_numpy())
    assert t_row["effect"] == pytest.approx(ref.mean_change.value)
    assert t_row["p_value"] == pytest.approx(ref.t_test.p_value)
    assert (comp.group_var == "wave").sum() == 2
    assert "participant_code" not in res.to_json()
    assert "h0001" not in res.to_json()


def test_difference_in_differences_between_modes():
    pre, post = _waves(600, seed=2)
    res = analyze_paired(pre, post, INST, AnalysisOptions(outcomes=("global_readiness",)))
    pw = res.pairwise.set_index("outcome").loc["global_readiness:change"]
    assert pw["estimate_name"] == "mean"
    assert pw["group_a"] == "in_person" and pw["group_b"] == "virtual"
    # planted: in-person participants gain 0.6 more on the latent scale (less after rounding)
    assert 0.3 < pw["difference"] < 0.7 and pw["difference_ci_low"] > 0
    kinds = set(res.findings.kind)
    assert "change" in kinds and "difference" in kinds
    change = res.findings[res.findings.kind == "change"].sentence.iloc[0]
    assert change.startswith("Between the pre and post surveys") and "rose" in change


def test_cli_pre_post(runner, tmp_path):
    pre, post = _waves(120, seed=3)
    pre.to_csv(tmp_path / "pre.csv", index=False)
    post.to_csv(tmp_path / "post.csv", index=False)
    args = ["analyze", "--pre", str(tmp_path / "pre.csv"), "--post", str(tmp_path / "post.csv"),
            "--instrument", "community_programme", "--json", "-"]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["metadata"]["design"] == "paired pre/post"
    assert data["metadata"]["n_matched"] == 118
    assert "h0005" not in result.output
    summary = runner.invoke(cli, args[:-2])
    assert summary.exit_code == 0, summary.output
    assert (
        "118 people in both waves (pre 120, post 120, 2 duplicate keys dropped)" in summary.output
    )
    assert "Between the pre and post surveys" in summary.output
    bad = runner.invoke(cli, ["analyze", "--pre", str(tmp_path / "pre.csv"),
                              "--instrument", "community_programme"])  # fmt: skip
    assert bad.exit_code == 2 and "or both --pre F and --post F" in bad.output
