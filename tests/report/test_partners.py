"""Named partners are small groups (issue 18, point 7): the relationship table carries its
counts, suppresses partners below min_cell and hides enough others that no hidden cell can
be derived from the totals; no format shows a suppressed partner's score."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evalkit.report import demo_data, render_report
from evalkit.report.partners import DIMENSIONS, hidden_cells, relationships_table
from tests.report.formats import json_tables, xlsx_sheets
from tests.report.test_safety import _all_text

ITEMS = {
    "trust": ["trust_fair", "trust_promises", "trust_ability"],
    "control_mutuality": ["cm_attentive", "cm_listens", "cm_weight"],
    "commitment": ["commit_long_term", "commit_bond", "commit_prefer"],
    "satisfaction": ["sat_happy", "sat_benefit", "sat_pleased"],
}


def _answers(sizes: dict[str, int], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for partner, n in sizes.items():
        for _ in range(n):
            row = {"partner_name": f"  {partner} "}  # names are stripped
            row.update({i: int(rng.integers(1, 8)) for items in ITEMS.values() for i in items})
            rows.append(row)
    return pd.DataFrame(rows)


def test_hidden_cells_leave_no_hidden_total_below_the_threshold():
    rng = np.random.default_rng(5)
    for _ in range(500):
        n = pd.Series(rng.integers(0, 25, size=rng.integers(1, 8)))
        hidden = hidden_cells(n, 10)
        assert (hidden | (n >= 10) | (n == 0)).all()  # every small cell is hidden
        total = n[hidden].sum()
        assert total == 0 or total >= 10 or hidden[n > 0].all()


def test_counts_scores_and_suppression_of_the_partner_table():
    now = _answers({"Alpha": 15, "Beta": 3, "Gamma": 12, "Delta": 20})
    table = relationships_table(now, None, min_cell=10)
    trust = table[table["dimension"] == "trust"].set_index("partner")
    assert trust.loc["Alpha", "n"] == 15 and trust.loc["Delta", "n"] == 20
    alpha = now[now["partner_name"].str.strip() == "Alpha"][ITEMS["trust"]]
    assert trust.loc["Alpha", "score"] == pytest.approx(alpha.mean(axis=1).mean())
    # Beta (3) is suppressed; alone it would be total minus the others: Gamma (12) goes too
    assert trust["suppressed"].to_dict() == {
        "Alpha": False, "Beta": True, "Delta": False, "Gamma": True}  # fmt: skip
    assert trust.loc[["Beta", "Gamma"], ["score", "n"]].isna().all().all()
    shown = table[~table["suppressed"]]
    for dimension in DIMENSIONS:
        hidden_n = len(now) - shown.loc[shown["dimension"] == dimension, "n"].sum()
        assert hidden_n == 0 or hidden_n >= 10  # what the totals reveal is not a small group


def test_last_years_score_is_hidden_where_last_year_was_small():
    now = _answers({"Alpha": 15, "Beta": 14})
    before = _answers({"Alpha": 12, "Beta": 4, "Gamma": 9}, seed=1)
    table = relationships_table(now, before, min_cell=10)
    previous = table[table["dimension"] == "trust"].set_index("partner")["previous_score"]
    assert previous.notna()["Alpha"] and previous.isna()["Beta"]
    assert "Gamma" not in previous.index  # not rated this year: not in the table


def _with_kenya_rated_once(edition: str):
    data = demo_data()
    rel = data.tables["relationships"].copy()
    rel.loc[rel["partner"] == "Consulate of Kenya", ["score", "n"]] = [1.234, 1]
    return replace(data, tables={**data.tables, "relationships": rel}, edition=edition)


def test_a_partner_rated_once_is_not_even_named_in_the_public_edition(tmp_path):
    written = render_report(_with_kenya_rated_once("public"), tmp_path)
    texts = _all_text(written)
    assert not [name for name, text in texts.items() if "1.234" in text or "1.2 " in text]
    assert not [name for name, text in texts.items() if "Consulate of Kenya" in text]
    partners = {r["partner"] for r in json_tables(tmp_path / "results.json")["relationships"]}
    assert partners == {"Sister city: Guadalajara", "Sister city: Lyon"}
    sheet = xlsx_sheets(tmp_path / "tables.xlsx")["relationships"]
    assert {row[0] for row in sheet[1:]} == partners
    assert "left out, not even named (left out: 3)" in texts["report.html"]


def test_the_internal_edition_names_the_partner_and_still_hides_a_suppressed_score(tmp_path):
    written = render_report(_with_kenya_rated_once("internal"), tmp_path)
    texts = _all_text(written)
    assert "Consulate of Kenya" in texts["report.html"]
    assert not [name for name, text in texts.items() if "1.234" in text]
    kenya = [r for r in json_tables(tmp_path / "results.json")["relationships"]
             if r["partner"] == "Consulate of Kenya"]  # fmt: skip
    assert kenya and all(r["suppressed"] and r["score"] is None and r["n"] is None for r in kenya)
