"""Linked samples: codes, engagements and waves hold together across instruments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.sample.linked import (
    POPULATION_SHARES,
    generate_linked,
    population_shares,
    roster,
)

SMALL = {"activity_register": 30, "post_engagement": 600, "community_programme": 300}


@pytest.fixture(scope="module")
def city():
    return generate_linked("2026", seed=9, sizes=SMALL)


def test_every_instrument_is_there(city):
    assert set(city.frames) == {
        "activity_register",
        "post_engagement",
        "follow_up",
        "delegation_host",
        "connector_attribution",
        "community_programme",
        "partner_relationship",
    }
    for frame in city.frames.values():
        assert frame["response_id"].is_unique
    ids = pd.concat([f["response_id"] for f in city.frames.values()])
    assert ids.is_unique, "response ids collide across instruments"


def test_register_rows_are_engagements_used_by_surveys(city):
    register = city.frames["activity_register"]
    assert len(register) == 30 and register["engagement_id"].is_unique
    assert register["engagement_id"].str.fullmatch(r"RIV-2026-\d{3}").all()
    for name in ("post_engagement", "follow_up", "delegation_host"):
        used = set(city.frames[name]["engagement_id"].dropna())
        assert used and used <= set(register["engagement_id"]), name
    virtual = register["mode"] == "virtual"
    assert (register.loc[virtual, "attendees_in_person"].dropna() == 0).all()
    both = register[["registrants_virtual", "attendees_virtual"]].dropna()
    assert (both["attendees_virtual"] <= both["registrants_virtual"]).all()


def test_participant_mode_fits_the_activity_format(city):
    register = city.frames["activity_register"].set_index("engagement_id")["mode"]
    post = city.frames["post_engagement"]
    fmt = register.reindex(post["engagement_id"]).to_numpy()
    fits = {
        "in_person": "in_person",
        "virtual": "virtual",
        "hybrid_onsite": "hybrid",
        "hybrid_remote": "hybrid",
    }
    expected = post["mode"].map(fits).to_numpy()
    assert (fmt == expected).mean() > 0.95


def test_follow_up_codes_link_to_post_engagement(city):
    post, follow = city.frames["post_engagement"], city.frames["follow_up"]
    assert follow["participant_code"].notna().all()
    assert set(follow["participant_code"]) <= set(post["participant_code"].dropna())
    joined = follow.merge(post, on="participant_code", suffixes=("", "_i1"))
    assert len(joined) == len(follow)
    assert (joined["mode"] == joined["mode_i1"]).all()
    assert (joined["engagement_id"] == joined["engagement_id_i1"]).all()
    assert set(follow["wave"]) == {"d90", "m6"}
    assert not follow.duplicated(["participant_code", "wave"]).any()
    lag = (joined["submitted_at"] - joined["submitted_at_i1"]).dt.days
    assert (lag[joined["wave"] == "d90"].between(89, 105)).all()
    both = joined[["contacts_since", "new_contacts"]].dropna()
    assert (both["contacts_since"] <= both["new_contacts"]).all()


def test_connector_roster_is_stable_across_years():
    a = generate_linked("2025", seed=9, sizes=SMALL).frames["connector_attribution"]
    b = generate_linked("2026", seed=9, sizes=SMALL).frames["connector_attribution"]
    pairs = ["unit_name", "counterpart_name"]
    assert a[pairs].equals(b[pairs])
    assert (a["reporting_year"] == 2025).all() and (b["reporting_year"] == 2026).all()
    assert not a.duplicated(pairs).any()
    assert roster(9)[pairs].equals(a[pairs].astype("string"))


def test_community_pre_and_post_pair_up(city):
    frame = city.frames["community_programme"]
    pre, post = frame[frame["wave"] == "pre"], frame[frame["wave"] == "post"]
    assert len(pre) == 300 and pre["participant_code"].is_unique
    assert set(post["participant_code"]) <= set(pre["participant_code"])
    assert 0.7 < len(post) / len(pre) < 0.9
    pairs = post.merge(pre, on="participant_code", suffixes=("_post", "_pre"))
    for column in ("programme", "age_band", "gender", "race_ethnicity__asian"):
        left, right = pairs[f"{column}_post"], pairs[f"{column}_pre"]
        assert ((left == right) | (left.isna() & right.isna())).all(), column
    assert (pairs["submitted_at_post"] > pairs["submitted_at_pre"]).all()
    assert pre["mode"].isna().all() and post["mode"].notna().mean() > 0.9


def test_community_improvement_is_planted_and_paired():
    city = generate_linked(
        "2026", seed=4, sizes={"community_programme": 3000}, effects=None, improvement_sd=0.5
    )
    pre = city.truth["community_programme:pre"].latent["global_readiness"]
    post = city.truth["community_programme:post"].latent["global_readiness"]
    frame = city.frames["community_programme"]
    wide = (
        frame.pivot(index="participant_code", columns="wave", values="intercultural_confidence")
        .dropna()
        .astype(float)
    )
    change = wide["post"] - wide["pre"]
    assert change.mean() > 0.15  # items move up
    assert np.corrcoef(wide["pre"], wide["post"])[0, 1] > 0.2  # the same people, correlated
    assert post.mean() - pre.mean() == pytest.approx(0.5, abs=0.08)


def test_partners_one_row_each_and_virtual_share_fits_mode(city):
    frame = city.frames["partner_relationship"]
    assert frame["partner_name"].is_unique
    share = frame[["mode", "virtual_share"]].dropna()
    assert (share.loc[share["mode"] == "mostly_virtual", "virtual_share"] >= 65).all()
    assert (share.loc[share["mode"] == "mostly_in_person", "virtual_share"] <= 30).all()


def test_population_shares():
    table = population_shares()
    assert list(table.columns) == ["group", "population_share"]
    assert dict(zip(table["group"], table["population_share"], strict=True)) == POPULATION_SHARES


def test_build_city_writes_the_same_bytes_twice(tmp_path):
    from evalkit.sample.city import build_city

    sizes = {"activity_register": 8, "post_engagement": 40, "community_programme": 20}
    kwargs = {"periods": ("2025", "2026"), "seed": 3, "sizes": sizes, "bad_rows": ()}
    first = build_city(tmp_path / "a", **kwargs)
    second = build_city(tmp_path / "b", **kwargs)
    assert len(first) == 1 + 2 * 7 + 1  # population, 7 instruments a year, manifest
    for a, b in zip(first, second, strict=True):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (tmp_path / "a" / "2026" / "follow_up.odk.csv").exists()
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": {"post": 10}}, "unknown key 'post'"),
        ({"sizes": {"post_engagement": 0}}, "from 1 to 1,000,000"),
        ({"seed": -1}, "the seed must be"),
        ({"period": "later"}, "cannot read the period"),
    ],
)
def test_bad_arguments(kwargs, message):
    from evalkit.errors import UsageError

    with pytest.raises(UsageError, match=message):
        generate_linked(**{"period": "2026", "seed": 1, **kwargs})


def test_city_details_hang_together(city):
    register = city.frames["activity_register"]
    assert (register.loc[register["activity_type"] == "webinar", "mode"] == "virtual").all()
    assert (register.loc[register["activity_type"] == "network_meeting", "network"] != "none").all()
    people = city.frames["community_programme"]
    youth_ages = people.loc[people["programme"] == "youth", "age_band"].dropna()
    assert set(youth_ages) <= {"13_14", "15_17", "18_24", "prefer_not"}
    adults = people.loc[people["programme"] != "youth", "age_band"].dropna()
    assert not set(adults) & {"13_14", "15_17"}
    connector = city.frames["connector_attribution"]
    for mode in ("in_person", "virtual", "hybrid_onsite", "hybrid_remote"):
        rows = (connector["mode"] == mode) & connector[f"modes_used__{mode}"].notna()
        rows &= ~connector["modes_used__no_meeting"].astype("boolean").fillna(True)
        assert connector.loc[rows, f"modes_used__{mode}"].astype(bool).all(), mode
