"""Counts by mode × type of engagement: exhaustive, safe, and pooled per type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.instrument import load_instrument
from evalkit.network.bundle import read_bundle, write_bundle
from evalkit.network.pool import load_bundles, pool_bundles
from evalkit.network.share import aggregate_frame, share_from_workspace
from evalkit.sample.generate import generate_responses

K = 10


@pytest.fixture(scope="module")
def inst():
    return load_instrument("post_engagement")


def _frame(inst, n: int, seed: int, shares: tuple[float, ...], names: tuple[str, ...]):
    frame = generate_responses(inst, n, seed=seed, period="2026")
    rng = np.random.default_rng(seed)
    frame["activity_type"] = pd.Series(rng.choice(names, size=n, p=shares), dtype="string")
    return frame


def _overall_in_bins(counts: pd.DataFrame, outcome: str, bins: list[str]) -> pd.DataFrame:
    """The overall table's counts summed into the by-type bins (group × bin)."""
    block = counts[counts["outcome"] == outcome]
    to_bin = {v: i for i, b in enumerate(bins) for v in b.split("|")}
    first = block["level"].str.split("|").str[0].map(to_bin)
    return block.assign(bin=first).pivot_table(
        index="group", columns="bin", values="count", aggfunc="sum"
    )


def test_strata_sum_to_the_overall_table_and_every_cell_is_safe(inst):
    names = ("conference", "webinar", "network_meeting")
    frame = _frame(inst, 3000, 3, (0.45, 0.35, 0.2), names)
    share = aggregate_frame(frame, inst, "Avon", "2026", K)
    by_type, counts = share.tables["counts_by_type"], share.tables["counts"]
    assert len(by_type) and set(by_type["engagement_type"]) >= set(names)
    assert not ((by_type["count"] > 0) & (by_type["count"] < K)).any()
    for outcome, block in by_type.groupby("outcome"):
        bin_sets = block.groupby("engagement_type")["level"].apply(lambda s: tuple(s.unique()))
        assert bin_sets.nunique() == 1, outcome  # the same bins in every stratum
        bins = list(bin_sets.iloc[0])
        summed = block.pivot_table(index="group", columns="level_order", values="count",
                                   aggfunc="sum")  # fmt: skip
        overall = _overall_in_bins(counts, outcome, bins)
        assert np.array_equal(summed.to_numpy(), overall.loc[summed.index].to_numpy()), outcome


def test_a_small_type_is_counted_under_other_and_logged(inst):
    frame = _frame(inst, 2000, 5, (0.55, 0.445, 0.005), ("conference", "webinar", "mou_signing"))
    share = aggregate_frame(frame, inst, "Avon", "2026", K)
    by_type = share.tables["counts_by_type"]
    assert "mou_signing" not in set(by_type["engagement_type"])
    assert not ((by_type["count"] > 0) & (by_type["count"] < K)).any()
    log = share.tables["disclosure_log"]
    merged = log[(log["table"] == "counts_by_type") & (log["action"] == "coarsened")]
    assert merged["group"].astype(str).str.contains("mou_signing").any()


def test_too_few_answers_withhold_the_split_whole(inst):
    frame = _frame(inst, 60, 8, (0.5, 0.5), ("conference", "webinar"))
    share = aggregate_frame(frame, inst, "Avon", "2026", K)
    by_type = share.tables["counts_by_type"]
    log = share.tables["disclosure_log"]
    withheld = set(log.loc[(log["table"] == "counts_by_type")
                           & (log["action"] == "withheld"), "outcome"])  # fmt: skip
    assert withheld, "a 60-row frame split by type must lose some outcomes"
    assert not set(by_type["outcome"]) & withheld
    assert not ((by_type["count"] > 0) & (by_type["count"] < K)).any()


def test_types_come_from_the_activity_register_in_the_workspace(tmp_path):
    from evalkit.sample.generate import write_csv
    from evalkit.sample.linked import generate_linked
    from evalkit.store import ingest_file

    sizes = {"activity_register": 30, "post_engagement": 700, "community_programme": 20}
    city = generate_linked("2026", seed=4, sizes=sizes)
    ws = tmp_path / "w.duckdb"
    for name in ("activity_register", "post_engagement"):
        csv = write_csv(city.frames[name], tmp_path / f"{name}.csv")
        ingest_file(csv, load_instrument(name), workspace=ws, period="2026")
    share = share_from_workspace(str(ws), "2026", "Avon")
    by_type = share.tables["counts_by_type"]
    registered = set(city.frames["activity_register"]["activity_type"].astype(str))
    named = set(by_type["engagement_type"]) - {"other"}
    assert named and named <= registered


def test_pool_by_type_and_an_older_bundle_without_the_table(inst, tmp_path):
    names = ("conference", "webinar")
    paths = []
    for i, city in enumerate(("Avon", "Bree", "Cray")):
        frame = _frame(inst, 700, 20 + i, (0.6, 0.4), names)
        share = aggregate_frame(frame, inst, city, "2026", K)
        paths.append(write_bundle(tmp_path / f"{city}.zip", share.meta, share.tables))
    tables = {n: t for n, t in share.tables.items() if n != "counts_by_type"}
    old = write_bundle(tmp_path / "Dunn.zip", {**share.meta, "city": "Dunn"}, tables)
    assert len(read_bundle(old).tables["counts_by_type"]) == 0
    result = pool_bundles(load_bundles([*paths, old]), outcome="next_step")
    by_type = result.by_type
    mh = by_type[by_type["method"].astype(str).str.startswith("Mantel")]
    assert set(mh["engagement_type"]) == set(names)
    assert (mh["k"] == 3).all()  # the old bundle has no split and is left out
    assert {"by_type"} <= set(result.to_dict())
