"""Linked synthetic samples: one fictional city's activities, participants and partners.

The instruments of evalkit describe the same people and activities from several sides. Here
they are generated together so that the links hold:

* the activity register (A0) has one row per engagement; its ``engagement_id`` values are the
  ones participant (I1), follow-up (I2) and host (I4) rows carry, and a participant's mode
  fits the activity's format;
* follow-ups (I2, waves ``d90`` and ``m6``) are answered by I1 respondents who left a
  ``participant_code``, with the same code, engagement and mode, and ``contacts_since`` is
  drawn from (a binomial thinning of) the same person's I1 ``new_contacts``;
* the connector survey (I3) has one row per local unit x foreign counterpart of a roster that
  stays the same from year to year;
* the community survey (I5) has a ``pre`` and a ``post`` wave for the same participant codes,
  with the same programme and demographics and correlated latent scores; ``post`` is improved
  by ``improvement_sd`` on the ``global_readiness`` scale (a planted effect);
* the partner check (I6) has one row per partner, with partner-level latent scores that are
  correlated from year to year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import Location, UsageError
from evalkit.instrument import load_instrument, load_library
from evalkit.sample import names
from evalkit.sample.effects import Effect, EffectsError, load_effects, resolve_effects
from evalkit.sample.generate import (
    ID_ANSWER_RATE,
    MODE_MIX,
    Simulation,
    numbered,
    parse_as_of,
    parse_period,
    period_bounds,
    simulate,
)

RIVERTON_EFFECTS = Path(__file__).with_name("riverton_effects.yaml")
DEFAULT_SIZES: dict[str, int] = {
    "activity_register": 48,
    "post_engagement": 1200,
    "community_programme": 240,
}
FOLLOW_UP_RATE = {"d90": 0.5, "m6": 0.35}
RETENTION = {"d90": 0.6, "m6": 0.45}
WAVE_DAYS = {"d90": 90, "m6": 182}
REGISTER_LAG_DAYS = 14
PREPOST_CORRELATION = 0.6
PARTNER_YEAR_CORRELATION = 0.7
POST_RESPONSE_RATE = 0.8
# Fictional census-style shares of Riverton's population, for the inclusive-reach KPI (K9).
POPULATION_SHARES: dict[str, float] = {
    "youth_15_24": 0.14,
    "bipoc_women": 0.27,
    "foreign_born": 0.18,
}
_ACTIVITY_FOR_MODE = {
    "in_person": "in_person",
    "virtual": "virtual",
    "hybrid_onsite": "hybrid",
    "hybrid_remote": "hybrid",
}
# Activity types of the register: (share, P(in person, virtual, hybrid)).
ACTIVITY_TYPES: dict[str, tuple[float, tuple[float, float, float]]] = {
    "delegation_inbound": (0.18, (0.75, 0.05, 0.20)),
    "delegation_outbound": (0.08, (0.90, 0.0, 0.10)),
    "webinar": (0.20, (0.0, 1.0, 0.0)),
    "network_meeting": (0.18, (0.20, 0.50, 0.30)),
    "conference": (0.10, (0.50, 0.10, 0.40)),
    "youth_programme": (0.10, (0.60, 0.20, 0.20)),
    "trade_mission": (0.06, (0.90, 0.0, 0.10)),
    "mou_signing": (0.04, (0.60, 0.10, 0.30)),
    "other": (0.06, (0.40, 0.40, 0.20)),
}
ACTIVITY_TITLES = {
    "delegation_inbound": "Inbound delegation from",
    "delegation_outbound": "Delegation to",
    "webinar": "Webinar with",
    "network_meeting": "City-network meeting with",
    "conference": "Urban forum with",
    "youth_programme": "Youth exchange session with",
    "trade_mission": "Trade mission to",
    "mou_signing": "MOU signing with",
    "other": "Partnership meeting with",
}
CITY_NETWORKS = ("c40", "strong_cities", "sister_cities", "uclg", "mayors_migration_council", "u20")
YOUTH_BANDS = ("13_14", "15_17", "18_24")
ADULT_BANDS = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
ADULT_SHARES = (0.12, 0.30, 0.24, 0.16, 0.10, 0.08)
_VISIT_FORMAT = {"in_person": "site_visit", "virtual": "virtual_tour", "hybrid": "hybrid"}


@dataclass(frozen=True)
class CitySample:
    """One period of a fictional city's data: a canonical frame per instrument id.

    ``truth`` holds the :class:`~evalkit.sample.generate.Simulation` of each generated part
    (latent scores and the effects applied), keyed like ``frames`` (the community survey's
    waves as ``community_programme:pre`` and ``community_programme:post``).
    """

    period: str
    frames: dict[str, pd.DataFrame]
    truth: dict[str, Simulation]


def _seed(seed: int, *parts: str) -> int:
    """A sub-seed for one part of the city, stable for the same ``seed`` and parts."""
    words = [seed, *(int.from_bytes(p.encode("utf-8"), "big") for p in parts)]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def _days(start: pd.Timestamp, rng: np.random.Generator, n: int, span_days: int) -> pd.Series:
    offsets = rng.integers(0, max(span_days, 1), n).astype("timedelta64[D]")
    return pd.Series((start.tz_localize(None).to_datetime64() + offsets).astype("datetime64[ns]"))


def _after(base: pd.Series, rng: np.random.Generator, lo_days: float, hi_days: float) -> pd.Series:
    seconds = rng.integers(int(lo_days * 86400), int(hi_days * 86400), len(base))
    stamp = pd.to_datetime(base.reset_index(drop=True))
    if stamp.dt.tz is None:
        stamp = stamp.dt.tz_localize("UTC")
    return (stamp + pd.to_timedelta(seconds, unit="s")).astype("datetime64[ns, UTC]")


def generate_linked(
    period: str = "2026",
    seed: int = 1,
    effects: Sequence[Effect] | str | Path | None = RIVERTON_EFFECTS,
    sizes: dict[str, int] | None = None,
    improvement_sd: float | None = None,
    as_of: str | date | pd.Timestamp | None = None,
) -> CitySample:
    """Generate every instrument of the fictional city for one period, linked.

    Parameters
    ----------
    period
        The year (or other period, see :func:`~evalkit.sample.generate.parse_period`).
    seed
        Base seed; each part uses a sub-seed derived from it and the period.
    effects
        Effects (a file path or a sequence); by default Riverton's planted effects. Each
        effect applies to the instrument its ``instrument:`` key names, or to every
        instrument that has its target.
    sizes
        Rows for ``activity_register``, ``post_engagement`` and ``community_programme``
        (participants); the other instruments follow from these.
    improvement_sd
        An extra pre-to-post shift of the community ``global_readiness`` latent score (in SD),
        on top of any effect in ``effects``.
    as_of
        A date (``2026-10-31``): nothing is submitted after it. Activities fall early enough
        for their register entry and participant answers to be in; follow-ups and post-waves
        not yet due are left out. ``None``: the whole period (and answers after it).

    Examples
    --------
    >>> city = generate_linked("2026", seed=3, sizes={"activity_register": 12,
    ...     "post_engagement": 60, "community_programme": 20})
    >>> sorted(city.frames)  # doctest: +NORMALIZE_WHITESPACE
    ['activity_register', 'community_programme', 'connector_attribution', 'delegation_host',
     'follow_up', 'partner_relationship', 'post_engagement']
    >>> set(city.frames["post_engagement"].engagement_id) <= set(
    ...     city.frames["activity_register"].engagement_id)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"the seed must be a whole number 0 or above, not {seed!r}")
    plants = assign_effects(effects)
    size = {**DEFAULT_SIZES, **(sizes or {})}
    for key, value in size.items():
        if key not in DEFAULT_SIZES:
            raise UsageError(
                f"sizes has an unknown key {key!r}", hint=f"use {', '.join(DEFAULT_SIZES)}"
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
            raise UsageError(f"sizes[{key!r}] must be a whole number from 1 to 1,000,000")
    start, end, label = parse_period(period)
    cut = parse_as_of(as_of)
    if cut is not None:
        start, end, label = period_bounds(period, as_of)
    year = start.year
    frames: dict[str, pd.DataFrame] = {}
    truth: dict[str, Simulation] = {}

    register = _register(
        size["activity_register"], _seed(seed, label, "a0"), plants, period, start, end, cut
    )
    truth["activity_register"] = register
    frames["activity_register"] = register.frame

    post = _post_engagement(
        register.frame, size["post_engagement"], _seed(seed, label, "i1"), plants, period, year
    )
    truth["post_engagement"] = post
    frames["post_engagement"] = post.frame

    follow = _follow_up(post, _seed(seed, label, "i2"), plants, period, cut)
    truth["follow_up"] = follow
    frames["follow_up"] = follow.frame

    hosts = _delegation_host(register.frame, _seed(seed, label, "i4"), plants, period)
    truth["delegation_host"] = hosts
    frames["delegation_host"] = hosts.frame

    connector = _connector(register.frame, seed, _seed(seed, label, "i3"), plants, period, as_of)
    truth["connector_attribution"] = connector
    frames["connector_attribution"] = connector.frame

    extra = ()
    if improvement_sd:
        extra = (
            Effect(
                target="global_readiness",
                kind="latent",
                size="shift_sd",
                value=float(improvement_sd),
                when=(("wave", "post"),),
                instrument="community_programme",
                note="improvement_sd",
            ),
        )
    pre, post_wave = _community(
        size["community_programme"],
        seed,
        _seed(seed, label, "i5"),
        (*plants, *extra),
        period,
        start,
        end,
        year,
        cut,
    )
    truth["community_programme:pre"], truth["community_programme:post"] = pre, post_wave
    frames["community_programme"] = pd.concat([pre.frame, post_wave.frame], ignore_index=True)

    partners = _partners(seed, _seed(seed, label, "i6"), plants, period, as_of)
    truth["partner_relationship"] = partners
    frames["partner_relationship"] = partners.frame
    return CitySample(label, frames, truth)


def assign_effects(effects: Sequence[Effect] | str | Path | None) -> tuple[Effect, ...]:
    """Give each effect without an ``instrument:`` key to every instrument it fits.

    An effect that fits no instrument of the library is an error (a typo would otherwise
    plant nothing); one that names an instrument must fit it.
    """
    if isinstance(effects, str | Path):
        effects = load_effects(effects)
    library = load_library()
    known = {inst.id for inst in library}
    assigned: list[Effect] = []
    for effect in effects or ():
        if effect.instrument is not None:
            matches = [i for i in library if i.id == effect.instrument]
            if not matches:
                raise EffectsError(
                    f"no instrument {effect.instrument!r} in the library",
                    Location(effect.source, effect.line, key=f"effects[{effect.index}].instrument"),
                    f"use one of: {', '.join(sorted(known))}",
                )
            resolve_effects([effect], matches[0])
            assigned.append(effect)
            continue
        fits = []
        for inst in library:
            try:
                resolve_effects([effect], inst)
            except EffectsError:
                continue
            fits.append(replace(effect, instrument=inst.id))
        if not fits:
            raise EffectsError(
                f"the effect on {effect.target!r} fits no instrument of the library",
                Location(effect.source, effect.line, key=f"effects[{effect.index}]"),
                "check the target and group, or add 'instrument:'",
            )
        assigned += fits
    return tuple(assigned)


def _register(
    n: int,
    seed: int,
    plants: tuple[Effect, ...],
    period: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    cut: pd.Timestamp | None = None,
) -> Simulation:
    rng = np.random.default_rng(seed)
    span = (end - start).days
    if cut is not None:  # logged up to 14 days after the activity, all by the as-of date
        span = max(span - REGISTER_LAG_DAYS, 1)
    dates = _days(start, rng, n, span).sort_values(ignore_index=True)
    codes = [f"{names.CODE_PREFIX}-{start.year}-{j:03d}" for j in range(1, n + 1)]
    types = np.array(list(ACTIVITY_TYPES), dtype=object)
    shares = np.array([ACTIVITY_TYPES[t][0] for t in types])
    kind = types[rng.choice(len(types), n, p=shares / shares.sum())]
    formats = np.array(["in_person", "virtual", "hybrid"], dtype=object)
    mode = np.empty(n, dtype=object)
    for activity, (_, mix) in ACTIVITY_TYPES.items():  # nine types, not rows
        rows = np.flatnonzero(kind == activity)
        mode[rows] = formats[rng.choice(3, rows.size, p=mix)]
    cities = np.array([c for c, _ in names.FOREIGN_CITIES], dtype=object)
    city = cities[rng.integers(0, len(cities), n)]
    title = pd.Series(kind).map(ACTIVITY_TITLES) + " " + pd.Series(city)
    networks = np.array(CITY_NETWORKS, dtype=object)
    network = np.where(
        (kind == "network_meeting") | (rng.random(n) < 0.2),
        networks[rng.integers(0, len(networks), n)],
        "none",
    )
    given = pd.DataFrame(
        {
            "engagement_id": codes,
            "activity_type": kind,
            "activity_date": dates,
            "activity_title": title,
            "partners": "City of " + pd.Series(city),
            "network": network,
            "mode": mode,
            "submitted_at": _after(dates, rng, 1, REGISTER_LAG_DAYS),
        }
    )
    sim = simulate("activity_register", n, seed, plants, period, given=given)
    frame = sim.frame.copy()
    mode = frame["mode"]
    zero = pd.array(np.zeros(n, dtype="int64"), dtype="Int64")
    for col in ("registrants_in_person", "attendees_in_person"):
        frame[col] = frame[col].mask(mode == "virtual", zero)
    for col in ("registrants_virtual", "attendees_virtual"):
        frame[col] = frame[col].mask(mode == "in_person", zero)
    for where in ("in_person", "virtual"):
        reg, att = frame[f"registrants_{where}"], frame[f"attendees_{where}"]
        frame[f"registrants_{where}"] = reg.where(reg.isna() | att.isna() | (reg >= att), att)
    ref, conv = frame["leads_referred"], frame["leads_converted"]
    frame["leads_converted"] = conv.where(ref.isna() | conv.isna() | (conv <= ref), ref)
    no_travel = (mode == "virtual").to_numpy()
    for col in ("travel_km_air", "travel_km_rail", "travel_km_car", "travel_costs"):
        frame[col] = frame[col].mask(no_travel & frame[col].notna().to_numpy(), 0.0)
    return Simulation(frame, sim.latent, sim.missing_choices, sim.effects)


def _pick_by_mode(
    rng: np.random.Generator, modes: np.ndarray, register: pd.DataFrame
) -> np.ndarray:
    """An engagement for each respondent whose format fits their mode (any if none fits)."""
    ids = register["engagement_id"].to_numpy(dtype=object)
    fmt = register["mode"].astype("string").fillna("").to_numpy(dtype=object)
    size = register["attendees_in_person"].fillna(0) + register["attendees_virtual"].fillna(0)
    weight = size.to_numpy(dtype=float) + 5.0
    out = ids[rng.choice(len(ids), len(modes), p=weight / weight.sum())]
    for mode, activity in _ACTIVITY_FOR_MODE.items():
        rows = np.flatnonzero(modes == mode)
        fits = np.flatnonzero(fmt == activity)
        if rows.size and fits.size:
            p = weight[fits] / weight[fits].sum()
            out[rows] = ids[fits[rng.choice(fits.size, rows.size, p=p)]]
    return out


def _post_engagement(
    register: pd.DataFrame, n: int, seed: int, plants: tuple[Effect, ...], period: str, year: int
) -> Simulation:
    rng = np.random.default_rng(seed)
    inst = load_instrument("post_engagement")
    values = [c.name for c in inst.choice_list("mode")]
    modes = rng.choice(np.array(values, dtype=object), n, p=[MODE_MIX[v] for v in values])
    engagement = _pick_by_mode(rng, modes, register)
    dates = register.set_index("engagement_id")["activity_date"]
    submitted = _after(dates.reindex(engagement).reset_index(drop=True), rng, 0, 7)
    codes = numbered(f"participant-{year}-", n, "@example.org")
    codes = codes.mask(rng.random(n) >= ID_ANSWER_RATE)
    given = pd.DataFrame(
        {
            "engagement_id": engagement,
            "mode": modes,
            "participant_code": codes,
            "submitted_at": submitted,
        }
    )
    order = np.argsort(given["submitted_at"].to_numpy(), kind="stable")
    given = given.iloc[order].reset_index(drop=True)
    return simulate(inst, n, seed, plants, period, given=given)


def _follow_up(
    post: Simulation,
    seed: int,
    plants: tuple[Effect, ...],
    period: str,
    cut: pd.Timestamp | None = None,
) -> Simulation:
    rng = np.random.default_rng(seed)
    frame = post.frame
    has_code = frame["participant_code"].notna().to_numpy()
    d90 = has_code & (rng.random(len(frame)) < FOLLOW_UP_RATE["d90"])
    m6 = has_code & (rng.random(len(frame)) < np.where(d90, 0.6, 0.1))
    rows = np.concatenate([np.flatnonzero(d90), np.flatnonzero(m6)])
    waves = np.array(["d90"] * int(d90.sum()) + ["m6"] * int(m6.sum()), dtype=object)
    base = frame.iloc[rows].reset_index(drop=True)
    days = np.array([WAVE_DAYS[w] for w in waves], dtype=float)
    submitted = _after(base["submitted_at"], rng, 0, 14) + pd.to_timedelta(days, unit="D")
    if cut is not None:  # follow-ups not yet due by the as-of date are not in
        due = (submitted < cut).to_numpy()
        rows, waves, days = rows[due], waves[due], days[due]
        base = base[due].reset_index(drop=True)
        submitted = submitted[due].reset_index(drop=True)
    given = pd.DataFrame(
        {
            "wave": waves,
            "engagement_id": base["engagement_id"],
            "mode": base["mode"],
            "participant_code": base["participant_code"],
            "submitted_at": submitted,
        }
    )
    latent = post.latent.iloc[rows][["general"]].reset_index(drop=True)
    sim = simulate("follow_up", len(rows), seed, plants, period, given=given, latent=latent)
    out = sim.frame.copy()
    met = base["new_contacts"].to_numpy(dtype=float, na_value=np.nan)
    keep = np.array([RETENTION[w] for w in waves])
    thinned = rng.binomial(np.nan_to_num(met).astype("int64"), keep)
    usable = out["contacts_since"].notna().to_numpy() & ~np.isnan(met)
    out["contacts_since"] = out["contacts_since"].mask(usable, pd.array(thinned, dtype="Int64"))
    return Simulation(out, sim.latent, sim.missing_choices, sim.effects)


def _delegation_host(
    register: pd.DataFrame, seed: int, plants: tuple[Effect, ...], period: str
) -> Simulation:
    rng = np.random.default_rng(seed)
    visits = register[register["activity_type"].isin(["delegation_inbound", "trade_mission"])]
    if visits.empty:
        visits = register
    hosts = rng.integers(1, 5, len(visits))
    chosen = visits.loc[visits.index.repeat(hosts)].reset_index(drop=True)
    fmt = chosen["mode"].astype("string").map(_VISIT_FORMAT)
    given = pd.DataFrame(
        {
            "engagement_id": chosen["engagement_id"],
            "mode": fmt,
            "submitted_at": _after(chosen["activity_date"], rng, 1, 14),
        }
    )
    return simulate("delegation_host", len(given), seed, plants, period, given=given)


def roster(seed: int) -> pd.DataFrame:
    """The connector roster: local units x foreign counterparts, the same every year.

    Columns: ``unit_name, unit_type, counterpart_name, counterpart_country,
    counterpart_sector``.

    Examples
    --------
    >>> r = roster(1)
    >>> list(r.columns)
    ['unit_name', 'unit_type', 'counterpart_name', 'counterpart_country', 'counterpart_sector']
    >>> r.equals(roster(1)), bool(r.duplicated(["unit_name", "counterpart_name"]).any())
    (True, False)
    """
    rng = np.random.default_rng(_seed(seed, "roster"))
    orgs = [
        (kind.format(city=city), country, sector)
        for city, country in names.FOREIGN_CITIES
        for kind, sector in names.FOREIGN_ORG_KINDS
    ]
    rows = []
    for unit, unit_type in names.LOCAL_UNITS:  # a dozen units, not rows of responses
        picks = rng.choice(len(orgs), int(rng.integers(2, 7)), replace=False)
        rows += [(unit, unit_type, *orgs[i]) for i in sorted(picks)]
    return pd.DataFrame(
        rows,
        columns=[
            "unit_name",
            "unit_type",
            "counterpart_name",
            "counterpart_country",
            "counterpart_sector",
        ],
    ).astype("string")


def _connector(
    register: pd.DataFrame,
    base_seed: int,
    seed: int,
    plants: tuple[Effect, ...],
    period: str,
    as_of: str | date | pd.Timestamp | None = None,
) -> Simulation:
    rng = np.random.default_rng(seed)
    given = roster(base_seed)
    ids = register["engagement_id"].to_numpy(dtype=object)
    given["engagement_id"] = ids[rng.integers(0, len(ids), len(given))]
    sim = simulate(
        "connector_attribution", len(given), seed, plants, period, given=given, as_of=as_of
    )
    frame = sim.frame.copy()
    answered = frame["modes_used__in_person"].notna() & ~frame["modes_used__no_meeting"].astype(
        "boolean"
    ).fillna(True)
    for mode in _ACTIVITY_FOR_MODE:  # the main way of meeting is one of the ways used
        column = f"modes_used__{mode}"
        frame[column] = frame[column].mask(answered & (frame["mode"] == mode).fillna(False), True)
    return Simulation(frame, sim.latent, sim.missing_choices, sim.effects)


def _community(
    n: int,
    base_seed: int,
    seed: int,
    plants: tuple[Effect, ...],
    period: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    year: int,
    cut: pd.Timestamp | None = None,
) -> tuple[Simulation, Simulation]:
    rng = np.random.default_rng(seed)
    codes = numbered(f"resident-{year}-", n, "@example.org")
    span = max(int((end - start).days * 0.6), 1)
    pre_dates = _days(start, rng, n, span).sort_values(ignore_index=True)
    pre_given = pd.DataFrame(
        {"wave": "pre", "participant_code": codes, "submitted_at": _after(pre_dates, rng, 0, 1)}
    )
    pre = _plausible_people(
        simulate("community_programme", n, _seed(seed, "pre"), plants, period, given=pre_given),
        rng,
    )
    stay = np.flatnonzero(rng.random(n) < POST_RESPONSE_RATE)
    post_dates = _after(pre.frame["submitted_at"].iloc[stay], rng, 63, 77)
    if cut is not None:  # post-waves not yet due by the as-of date are not in
        due = (post_dates < cut).to_numpy()
        stay, post_dates = stay[due], post_dates[due].reset_index(drop=True)
    inst = load_instrument("community_programme")
    carried = [
        "programme",
        "participant_code",
        "age_band",
        "gender",
        "gender_other",
        "born_in_us",
        "home_language",
        "home_zip",
    ]
    carried += [c for c in pre.frame.columns if c.startswith("race_ethnicity__")]
    post_given = pre.frame.iloc[stay][carried].reset_index(drop=True)
    post_given["wave"] = "post"
    post_given["submitted_at"] = post_dates
    rho = PREPOST_CORRELATION
    latent = pre.latent.iloc[stay].reset_index(drop=True)
    latent = rho * latent + np.sqrt(1 - rho**2) * rng.standard_normal(latent.shape)
    post = simulate(
        inst, len(stay), _seed(seed, "post"), plants, period, given=post_given, latent=latent
    )
    return pre, post


def _plausible_people(sim: Simulation, rng: np.random.Generator) -> Simulation:
    """Ages that fit the programme (youth 13-24) and mostly women among women entrepreneurs."""
    frame = sim.frame.copy()
    n = len(frame)
    programme = frame["programme"].astype("string")
    youth = (programme == "youth").fillna(False).to_numpy()
    age = frame["age_band"]
    given_age = (age.notna() & (age != "prefer_not")).to_numpy()
    young = rng.choice(np.array(YOUTH_BANDS, dtype=object), n, p=[0.2, 0.4, 0.4])
    adult = rng.choice(np.array(ADULT_BANDS, dtype=object), n, p=ADULT_SHARES)
    frame["age_band"] = age.mask(given_age & youth, young).mask(given_age & ~youth, adult)
    gender = frame["gender"]
    women = (programme == "women_entrepreneurs").fillna(False).to_numpy()
    answered = (gender.notna() & (gender != "prefer_not")).to_numpy()
    frame["gender"] = gender.mask(answered & women & (rng.random(n) < 0.95), "female")
    other = frame["gender"] != "different_term"
    frame["gender_other"] = frame["gender_other"].mask(other.fillna(True), pd.NA)
    return Simulation(frame, sim.latent, sim.missing_choices, sim.effects)


def _partners(
    base_seed: int,
    seed: int,
    plants: tuple[Effect, ...],
    period: str,
    as_of: str | date | pd.Timestamp | None = None,
) -> Simulation:
    rng = np.random.default_rng(seed)
    given = pd.DataFrame(names.PARTNERS, columns=["partner_name", "partner_type"])
    inst = load_instrument("partner_relationship")
    stable = np.random.default_rng(_seed(base_seed, "partners")).standard_normal(
        (len(given), 1 + len(inst.scales))
    )
    rho = PARTNER_YEAR_CORRELATION
    latent = rho * stable + np.sqrt(1 - rho**2) * rng.standard_normal(stable.shape)
    latent_frame = pd.DataFrame(latent, columns=["general", *[s.id for s in inst.scales]])
    sim = simulate(
        inst, len(given), seed, plants, period, given=given, latent=latent_frame, as_of=as_of
    )
    frame = sim.frame.copy()
    ranges = {"mostly_in_person": (0, 30), "mixed": (30, 70), "mostly_virtual": (65, 95)}
    share = frame["virtual_share"].to_numpy(dtype=float, na_value=np.nan)
    mode = frame["mode"].astype("string").fillna("").to_numpy(dtype=object)
    u = rng.random(len(frame))
    for value, (lo, hi) in ranges.items():
        share = np.where(mode == value, np.round((lo + u * (hi - lo)) / 5) * 5, share)
    answered = frame["virtual_share"].notna().to_numpy()
    frame["virtual_share"] = pd.array(np.where(answered, share, np.nan), dtype="Float64")
    return Simulation(frame, sim.latent, sim.missing_choices, sim.effects)


def population_shares() -> pd.DataFrame:
    """Riverton's (fictional) population shares for the inclusive-reach KPI (K9).

    Examples
    --------
    >>> population_shares()
               group  population_share
    0    youth_15_24              0.14
    1    bipoc_women              0.27
    2   foreign_born              0.18
    """
    return pd.DataFrame(
        {"group": list(POPULATION_SHARES), "population_share": list(POPULATION_SHARES.values())}
    )
