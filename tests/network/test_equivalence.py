"""Pooled from bundles = the same analysis on the concatenated microdata, stratified by city."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from evalkit.instrument import load_instrument
from evalkit.network.bundle import write_bundle
from evalkit.network.meta import meta_analysis
from evalkit.network.pool import pool
from evalkit.network.share import aggregate_frame
from evalkit.sample.effects import Effect
from evalkit.sample.generate import generate_responses

CITIES = ("Avon", "Bree", "Cray", "Dunn", "Eske")


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """Five cities' microdata (kept here) and their bundles (min_cell 1: nothing coarsened)."""
    folder = tmp_path_factory.mktemp("eq")
    inst = load_instrument("post_engagement")
    frames = []
    for i, city in enumerate(CITIES):
        effects = [Effect("next_step", "item", "shift_logit", -0.3 - 0.2 * i,
                          (("mode", "virtual"),), choice="yes")]  # fmt: skip
        frame = generate_responses(inst, 500, seed=100 + i, effects=effects)
        share = aggregate_frame(frame, inst, city, "2026", min_cell=1)
        write_bundle(folder / f"{city}.zip", share.meta, share.tables)
        frames.append(frame.assign(city=city))
    return pd.concat(frames, ignore_index=True), pool([folder])


def _row(result, outcome, measure, method_prefix, a="in_person", b="virtual"):
    t = result.pooled
    t = t[(t.outcome == outcome) & (t.measure == measure) & (t.group_a == a) & (t.group_b == b)]
    return t[t.method.str.startswith(method_prefix)].iloc[0]


def test_mantel_haenszel_equals_microdata_stratified_table(network):
    micro, result = network
    tables = []
    for city in CITIES:
        rows = micro[(micro.city == city) & micro["next_step"].notna()]
        yes = rows["next_step"].astype(str) == "yes"
        tables.append(np.array([
            [(yes & (rows["mode"] == g)).sum(), (~yes & (rows["mode"] == g)).sum()]
            for g in ("in_person", "virtual")
        ], dtype=float))  # fmt: skip
    st = StratifiedTable(tables)
    row = _row(result, "next_step", "odds_ratio", "Mantel")
    assert row.estimate == pytest.approx(st.oddsratio_pooled, rel=1e-12)
    assert row.statistic == pytest.approx(st.test_null_odds(correction=False).statistic, rel=1e-10)
    assert row.homogeneity_statistic == pytest.approx(st.test_equal_odds().statistic, rel=1e-10)
    assert row.k == len(CITIES)


def test_cmh_mean_score_equals_the_microdata_permutation_moments(network):
    """Per city: T = score sum of in-person answers, E and V its permutation mean and variance."""
    micro, result = network
    diff = var = 0.0
    for city in CITIES:
        rows = micro[(micro.city == city) & micro["mode"].isin(["in_person", "virtual"])]
        x = rows["worth_time"].astype("Float64").dropna()
        g = rows.loc[x.index, "mode"] == "in_person"
        x = x.to_numpy(dtype=float)
        n, n1 = len(x), int(g.sum())
        diff += x[g.to_numpy()].sum() - n1 * x.mean()
        var += n1 * (n - n1) * ((x - x.mean()) ** 2).sum() / (n * (n - 1))
    row = _row(result, "worth_time", "smd", "random")
    assert row.statistic == pytest.approx(diff**2 / var, rel=1e-10)


def test_mean_differences_and_hedges_g_equal_the_microdata(network):
    micro, result = network
    ys, vs = [], []
    cities = result.city_effects
    for city in CITIES:
        rows = micro[micro.city == city]
        a = rows.loc[rows["mode"] == "in_person", "new_contacts"].dropna().to_numpy(dtype=float)
        b = rows.loc[rows["mode"] == "virtual", "new_contacts"].dropna().to_numpy(dtype=float)
        md, v = a.mean() - b.mean(), a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)
        mine = cities[(cities.city == city) & (cities.outcome == "new_contacts")
                      & (cities.measure == "mean_difference") & (cities.group_a == "in_person")
                      & (cities.group_b == "virtual")].iloc[0]  # fmt: skip
        assert mine.estimate == pytest.approx(md, rel=1e-9)
        assert mine.se == pytest.approx(np.sqrt(v), rel=1e-9)
        sp = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                     / (len(a) + len(b) - 2))  # fmt: skip
        g = (1 - 3 / (4 * (len(a) + len(b)) - 9)) * (a.mean() - b.mean()) / sp
        mine_g = cities[(cities.city == city) & (cities.outcome == "new_contacts")
                        & (cities.measure == "hedges_g") & (cities.group_a == "in_person")
                        & (cities.group_b == "virtual")].iloc[0]  # fmt: skip
        assert mine_g.estimate == pytest.approx(g, rel=1e-9)
        ys.append(md)
        vs.append(v)
    pooled = _row(result, "new_contacts", "mean_difference", "random")
    assert pooled.estimate == pytest.approx(meta_analysis(ys, vs).estimate, rel=1e-9)
