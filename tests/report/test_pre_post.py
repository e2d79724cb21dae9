"""The community programme before and after, in the report (issue 18, point 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.instrument import load_instrument
from evalkit.report import ReportData, render_report
from evalkit.report.document import build_document
from evalkit.report.pre_post import pre_post_table
from evalkit.sample.linked import generate_linked
from tests.report.formats import (
    find_table,
    html_tables,
    json_tables,
    markdown_tables,
    word_tables,
    xlsx_matches_json,
)

SIZES = {"activity_register": 10, "post_engagement": 40, "community_programme": 300}


@pytest.fixture(scope="module")
def community():
    city = generate_linked("2026", seed=9, sizes=SIZES, improvement_sd=0.8)
    return city.frames["community_programme"]


@pytest.fixture(scope="module")
def table(community):
    return pre_post_table(community, load_instrument("community_programme"), "en", 10, 0)


def test_the_change_is_the_paired_t_test_of_residents_who_answered_twice(community, table):
    wave = community["wave"].astype(str)
    item = "find_opportunities"
    pre = community[wave == "pre"].set_index("participant_code")[item]
    post = community[wave == "post"].set_index("participant_code")[item]
    both = pd.concat([pre, post], axis=1, keys=["pre", "post"], join="inner").dropna()
    both = both.astype(float)
    ref = stats.ttest_rel(both["post"], both["pre"])
    low, high = ref.confidence_interval()
    row = table.set_index("outcome").loc[item]
    assert row["n"] == len(both)
    assert row["change"] == pytest.approx((both["post"] - both["pre"]).mean())
    assert row["p_value"] == pytest.approx(ref.pvalue)
    assert (row["change_ci_low"], row["change_ci_high"]) == pytest.approx((low, high))


def test_a_planted_improvement_is_said_in_words(table):
    data = ReportData(title="T", period="2026", tables={"pre_post": table})
    section = next(s for s in build_document(data).sections if s.id == "pre-post")
    said = next(b for b in section.blocks if b.kind == "list").items
    assert any(s.startswith("“Global readiness”: answers rose by") for s in said)
    row = table.set_index("outcome").loc["global_readiness"]
    assert row["change_ci_low"] > 0 and row["p_fdr"] < 0.05


def test_same_in_every_format_and_small_outcomes_suppressed(table, tmp_path):
    small = pd.DataFrame([{"outcome": "met_count", "label": "How many?", "n": 4, "change": 1.5,
                           "change_ci_low": 0.1, "change_ci_high": 2.9, "p_value": 0.04,
                           "p_fdr": 0.04, "suppressed": True}])  # fmt: skip
    both = pd.concat([table, small], ignore_index=True)
    data = ReportData(title="T", period="2026", tables={"pre_post": both})
    render_report(data, tmp_path)
    header = ["Question", "Residents (both times)", "Average change"]
    shown = find_table(html_tables(tmp_path / "report.html")[0], header)
    assert find_table(markdown_tables(tmp_path / "report.md")[0], header) == shown
    assert find_table(word_tables(tmp_path / "report.docx"), header) == shown
    assert not xlsx_matches_json(tmp_path)
    hidden = [r for r in json_tables(tmp_path / "results.json")["pre_post"] if r["suppressed"]]
    assert hidden and all(r["n"] is None and r["change"] is None for r in hidden)
    assert shown[-1][1:3] == ["—", "suppressed (too few residents)"]
    assert not np.isnan(table["change"]).all()
