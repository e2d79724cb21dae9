"""Synthetic responses in the canonical frame, with effects planted where you say.

The generator follows the instrument: item types, choice lists, min/max, skip logic and
scales. Everything is drawn from one ``numpy.random.Generator(seed)`` in a fixed order, column
by column over all rows at once (no loops over rows), so the same arguments give the same
frame and a million rows take seconds.

The response model (constants below; see docs/sample-data.md):

* each respondent has a general latent attitude ``G`` ~ N(0, 1); each scale has a latent
  score ``L = sqrt(GENERAL_SHARE)·G + sqrt(1 - GENERAL_SHARE)·U`` ~ N(0, 1);
* a likert item of a scale has the latent response ``z = ±SCALE_LOADING·L +
  sqrt(1 - SCALE_LOADING²)·e`` (minus for reverse-scored items); other likert and nps items load
  ``ITEM_LOADING`` on ``G``. ``z`` has unit variance within a group, and its answer is the level
  whose fixed thresholds (:func:`likert_thresholds`) bracket it;
* a planted ``shift_sd`` on a scale moves ``L`` (so each item's ``z`` by ``±SCALE_LOADING`` times
  it), on an item moves ``z``; there are no group differences but the planted ones;
* counts are negative binomial (gamma-Poisson) with a mean multiplied by ``rate_ratio``;
* choice items draw from fixed shares, ``shift_logit`` moves a choice's log-odds;
* not-required items are left unanswered at a few percent, missing choices (N/A, don't know)
  are picked at ``MISSING_CHOICE_RATE``, open text is answered by fewer people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.special import expit, logit, ndtri

from evalkit.errors import UsageError
from evalkit.instrument import Instrument, Item, load_instrument
from evalkit.instrument.relevant import evaluate
from evalkit.sample import names
from evalkit.sample.effects import Effect, EffectsError, load_effects, resolve_effects

if TYPE_CHECKING:
    from numpy.typing import NDArray

SOURCE = "evalkit-sample"
DEFAULT_PERIOD = "2026"
SCALE_LOADING = 0.8
GENERAL_SHARE = 0.3
ITEM_LOADING = 0.5
COVARIATE_LOADING = 0.2
LIKERT_SKEW = 0.5
NPS_SKEW = 0.8
COUNT_LOADING = 0.25
SCALE_COUNT_LOADING = 0.5
ITEM_MISSING_RATE = 0.03
DEMOGRAPHIC_MISSING_RATE = 0.06
MISSING_CHOICE_RATE = 0.02
TEXT_ANSWER_RATE = 0.4
ID_ANSWER_RATE = 0.85
MAX_ROWS = 20_000_000

# How participants take part (a realistic mix for an office running hybrid engagements).
MODE_MIX: dict[str, float] = {
    "in_person": 0.40,
    "virtual": 0.35,
    "hybrid_onsite": 0.15,
    "hybrid_remote": 0.10,
}
# Shares for other choice lists, by choice value; lists not named here get declining shares.
CHOICE_SHARES: dict[str, dict[str, float]] = {
    "next_step": {"yes": 0.45, "no": 0.30, "not_yet": 0.25},
    "would_attend_in_person": {"yes": 0.45, "no": 0.35, "unsure": 0.20},
    "travel_mode": {"air": 0.35, "rail": 0.1, "car": 0.3, "transit": 0.15, "none": 0.1},
    "interaction_mix": {"mostly_in_person": 0.35, "mixed": 0.40, "mostly_virtual": 0.25},
    "visit_format": {"site_visit": 0.55, "virtual_tour": 0.30, "hybrid": 0.15},
    "activity_mode": {"in_person": 0.40, "virtual": 0.35, "hybrid": 0.25},
    "has_result": {"yes": 0.55, "no": 0.45},
    "can_confirm": {"yes": 0.6, "no": 0.4},
    "met_someone": {"yes": 0.6, "no": 0.4},
    "host_again": {"yes": 0.65, "maybe": 0.25, "no": 0.10},
    "connection_origin": {
        "introduced_by_office": 0.35,
        "office_network": 0.2,
        "own_initiative": 0.35,
        "other": 0.1,
    },
    "born_in_us": {"yes": 0.7, "no": 0.3},
    "status": {
        "dormant": 0.15,
        "exchanging_info": 0.40,
        "joint_activity": 0.30,
        "formal_agreement": 0.15,
    },
    "programme": {"youth": 0.35, "immigrant": 0.30, "women_entrepreneurs": 0.25, "other": 0.10},
    "gender": {"female": 0.52, "male": 0.44, "transgender": 0.01, "different_term": 0.01},
}
# Per-item answer probability of each choice of a select_multiple (default 0.25).
MULTI_SHARES: dict[str, dict[str, float]] = {
    "next_step_types": {"meeting": 0.6, "proposal": 0.2, "introduction": 0.3, "visit": 0.15},
    "actions": {
        "follow_up_meeting": 0.5,
        "joint_proposal": 0.15,
        "signed_agreement": 0.05,
        "trade_inquiry": 0.1,
        "hosted_visited": 0.1,
        "policy_adopted": 0.1,
        "cohosted_event": 0.05,
        "none": 0.25,
    },
    "race_ethnicity": {
        "american_indian_alaska_native": 0.02,
        "asian": 0.12,
        "black_african_american": 0.25,
        "hispanic_latino": 0.25,
        "middle_eastern_north_african": 0.04,
        "native_hawaiian_pacific_islander": 0.01,
        "white": 0.35,
    },
    "barriers": {"none": 0.35},
    "plans": {"none": 0.2},
    "since_programme": {"none": 0.3},
}
# Count means (above the item's minimum) and gamma shape (smaller = more overdispersed).
COUNTS: dict[str, tuple[float, float]] = {
    "new_contacts": (3.0, 1.2),
    "contacts_since": (2.0, 1.0),
    "met_count": (1.5, 1.0),
    "jobs_announced": (12.0, 0.4),
    "registrants_in_person": (35.0, 2.0),
    "registrants_virtual": (60.0, 1.5),
    "attendees_in_person": (28.0, 2.0),
    "attendees_virtual": (40.0, 1.5),
    "countries": (3.0, 2.0),
    "mous_signed": (0.2, 1.0),
    "leads_referred": (1.0, 0.8),
    "leads_converted": (0.2, 0.8),
}
# Decimal items by unit: a draw function of (rng, n) -> values before clipping and rounding.
_DECIMALS: dict[str, Callable[[np.random.Generator, int], NDArray[np.float64]]] = {
    "percent": lambda rng, n: 100 * rng.beta(2.5, 2.5, n),
    "USD": lambda rng, n: rng.lognormal(np.log(15_000), 1.3, n),
    "hours": lambda rng, n: rng.lognormal(np.log(12), 0.8, n),
    "USD/hour": lambda rng, n: rng.normal(72, 8, n),
    "km": lambda rng, n: rng.lognormal(np.log(800), 1.2, n),
}
_ROUNDING = {"percent": 5.0, "USD": 100.0, "hours": 0.5, "USD/hour": 1.0, "km": 10.0}
# Likert items that lean the other way (fatigue: most people were not drained).
SKEW: dict[str, float] = {"drained": -0.4, "preferred_mix": 0.0, "counterfactual": 0.0}
LOADING: dict[str, float] = {"drained": -0.3}


@dataclass(frozen=True)
class Simulation:
    """A synthetic sample and the truth behind it.

    Attributes
    ----------
    frame
        The canonical response frame (what :func:`generate_responses` returns).
    latent
        One row per response: ``general`` and one column per scale id, the latent scores
        after the planted shifts (standard normal where nothing was planted).
    missing_choices
        Rows where a likert item's missing choice (N/A, don't know) was picked, which its
        ``Int64`` column holds as NA: columns ``response_id, item, value``.
    effects
        The effects that applied to this instrument (after resolving ``group``).
    """

    frame: pd.DataFrame
    latent: pd.DataFrame
    missing_choices: pd.DataFrame
    effects: tuple[Effect, ...]


def likert_thresholds(levels: int, skew: float = LIKERT_SKEW) -> NDArray[np.float64]:
    """The fixed cut points on the latent response of an item with ``levels`` levels.

    A latent ``z`` gives level ``j`` (0-based) when ``t[j-1] < z <= t[j]``. With ``skew = 0``
    the levels are equally likely for ``z ~ N(0, 1)``; a positive skew leans answers up.

    Examples
    --------
    >>> likert_thresholds(5, skew=0).round(3)
    array([-0.842, -0.253,  0.253,  0.842])
    """
    return ndtri(np.arange(1, levels) / levels) - skew


def level_probabilities(
    levels: int, shift: float = 0.0, skew: float = LIKERT_SKEW
) -> NDArray[np.float64]:
    """The exact share of each level when the latent response is ``N(shift, 1)``.

    This is the population truth behind a planted effect on the observed scale: for a scale
    item the shift is ``±SCALE_LOADING·shift_sd``, for an item effect it is ``shift_sd``,
    elsewhere 0 (missing choices and missing answers are drawn independently of the level).

    Examples
    --------
    >>> level_probabilities(5).round(3)
    array([0.09 , 0.136, 0.177, 0.231, 0.366])
    >>> means = [float(level_probabilities(5, s) @ np.arange(1, 6)) for s in (0.0, -0.24)]
    >>> round(means[1] - means[0], 3)  # value_index shift_sd -0.3 on a 1-5 item
    -0.304
    """
    from scipy.special import ndtr

    cuts = ndtr(likert_thresholds(levels, skew) - shift)
    return np.diff(np.concatenate([[0.0], cuts, [1.0]]))


def parse_period(period: str | None) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """``(start, end, label)`` of a period: ``2026``, ``2026-Q2``, ``2026-03`` or ``A..B`` dates.

    ``end`` is exclusive.

    Examples
    --------
    >>> start, end, label = parse_period("2026-Q2")
    >>> str(start), str(end), label
    ('2026-04-01 00:00:00+00:00', '2026-07-01 00:00:00+00:00', '2026-Q2')
    """
    text = (period or DEFAULT_PERIOD).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            start = pd.Timestamp(f"{text}-01-01", tz="UTC")
            return start, start + pd.DateOffset(years=1), text
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            start = pd.Timestamp(f"{m[1]}-{3 * int(m[2]) - 2:02d}-01", tz="UTC")
            return start, start + pd.DateOffset(months=3), text
        if re.fullmatch(r"\d{4}-\d{2}", text):
            start = pd.Timestamp(f"{text}-01", tz="UTC")
            return start, start + pd.DateOffset(months=1), text
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start = pd.Timestamp(m[1], tz="UTC")
            end = pd.Timestamp(m[2], tz="UTC") + pd.Timedelta(days=1)
            if end > start:
                return start, end, text
    except ValueError:
        pass
    raise UsageError(
        f"cannot read the period {text!r}",
        hint="give a year (2026), a quarter (2026-Q2), a month (2026-03) "
        "or dates 2026-01-15..2026-03-31",
    )


def parse_as_of(as_of: str | date | pd.Timestamp | None) -> pd.Timestamp | None:
    """The exclusive end (UTC midnight after ``as_of``) of what can have been submitted.

    ``as_of`` is a date (``2026-10-31``, or ``today`` in UTC): no response is later than that
    day, as no real export holds answers from the future (validation quarantines them).

    Examples
    --------
    >>> str(parse_as_of("2026-10-31"))
    '2026-11-01 00:00:00+00:00'
    >>> parse_as_of(None) is None
    True
    """
    if as_of is None:
        return None
    if isinstance(as_of, str) and as_of.strip() == "today":
        return pd.Timestamp.now(tz="UTC").normalize() + pd.Timedelta(days=1)
    if isinstance(as_of, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of.strip()):
        raise UsageError(f"cannot read the date {as_of!r}", hint="write it as YYYY-MM-DD")
    try:
        day = pd.Timestamp(as_of.strip() if isinstance(as_of, str) else as_of)
    except ValueError:
        raise UsageError(f"cannot read the date {as_of!r}", hint="write it as YYYY-MM-DD") from None
    day = day.tz_localize("UTC") if day.tzinfo is None else day.tz_convert("UTC")
    return day.normalize() + pd.Timedelta(days=1)


def period_bounds(
    period: str | None, as_of: str | date | pd.Timestamp | None = None
) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """:func:`parse_period`, with the end moved back to the day after ``as_of`` if earlier.

    Examples
    --------
    >>> start, end, label = period_bounds("2026", "2026-10-31")
    >>> str(end), label
    ('2026-11-01 00:00:00+00:00', '2026')
    """
    start, end, label = parse_period(period)
    cut = parse_as_of(as_of)
    if cut is not None:
        if cut <= start:
            raise UsageError(
                f"the period {label} starts after the as-of date {as_of}",
                hint="give a period that has begun by the as-of date",
            )
        end = min(end, cut)
    return start, end, label


def generate_responses(
    instrument: Instrument | str,
    n: int,
    seed: int,
    effects: Sequence[Effect] | str | Path | None = None,
    period: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Synthetic responses to ``instrument`` in the canonical frame.

    Parameters
    ----------
    instrument
        An :class:`~evalkit.instrument.Instrument`, a library id or a ``.yaml`` path.
    n
        Number of responses (rows).
    seed
        Seed of the ``numpy.random.Generator``; the same arguments give the same frame.
    effects
        Planted effects: a sequence of :class:`~evalkit.sample.effects.Effect` or the path
        of an effects file. Effects for another instrument are skipped.
    period
        When the responses were submitted: ``2026`` (default), ``2026-Q2``, ``2026-03`` or
        ``2026-01-15..2026-03-31``.
    **kwargs
        ``given``, ``latent`` and ``as_of``, passed to :func:`simulate`.

    Returns
    -------
    pandas.DataFrame
        ``response_id`` (string), ``submitted_at`` (UTC), ``source`` (``evalkit-sample``),
        then one column per item (``<item>__<choice>`` booleans for select_multiple).

    Examples
    --------
    >>> frame = generate_responses("post_engagement", n=5, seed=1)
    >>> list(frame.columns[:5])
    ['response_id', 'submitted_at', 'source', 'engagement_id', 'mode']
    >>> str(frame["worth_time"].dtype), str(frame["next_step_types__visit"].dtype)
    ('Int64', 'boolean')
    """
    return simulate(instrument, n, seed, effects, period, **kwargs).frame


def simulate(
    instrument: Instrument | str,
    n: int,
    seed: int,
    effects: Sequence[Effect] | str | Path | None = None,
    period: str | None = None,
    *,
    given: pd.DataFrame | Mapping[str, Any] | None = None,
    latent: pd.DataFrame | None = None,
    as_of: str | date | pd.Timestamp | None = None,
) -> Simulation:
    """Like :func:`generate_responses`, but also return the latent truth (a :class:`Simulation`).

    Parameters
    ----------
    given
        Columns to take as they are instead of drawing them (``n`` rows): item ids,
        ``<item>__<choice>`` columns of a select_multiple (all of them), ``submitted_at``.
        Skip logic still applies: a given answer to an item that is not shown becomes NA.
        This is how linked samples share codes, modes and demographics.
    latent
        Latent scores to use (``general`` and scale ids, standard normal, ``n`` rows) instead
        of drawing them, e.g. the same people at a second wave.
    as_of
        A date (``2026-10-31``): nothing is submitted after it (the period ends there if it
        would end later). ``None``: the whole period.
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= MAX_ROWS:
        raise UsageError(f"n must be a whole number from 0 to {MAX_ROWS:,}, not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(f"the seed must be a whole number 0 or above, not {seed!r}")
    if isinstance(effects, str | Path):
        effects = load_effects(effects)
    plants = resolve_effects(effects or (), inst)
    start, end, label = period_bounds(period, as_of)
    given_frame = _given(given, n, inst)
    gen = _Generator(inst, int(n), np.random.default_rng(seed), plants, given_frame, latent)
    frame = gen.run(start, end, f"{inst.id}-{label}-s{seed}")
    rows = np.concatenate([r for _, r, _ in gen.missing] or [np.array([], dtype="int64")])
    misses = pd.DataFrame(
        {
            "response_id": frame["response_id"].to_numpy()[rows],
            "item": np.repeat([i for i, _, _ in gen.missing], [len(r) for _, r, _ in gen.missing]),
            "value": np.repeat([v for _, _, v in gen.missing], [len(r) for _, r, _ in gen.missing]),
        }
    ).astype("string")
    return Simulation(frame, gen.latent_frame(), misses, plants)


def _given(
    given: pd.DataFrame | Mapping[str, Any] | None, n: int, inst: Instrument
) -> pd.DataFrame:
    if given is None:
        return pd.DataFrame(index=pd.RangeIndex(n))
    frame = pd.DataFrame(given).reset_index(drop=True)
    if len(frame) != n:
        raise UsageError(
            f"given has {len(frame)} rows but n is {n}", hint="give one row per response"
        )
    known = {"submitted_at"}
    for item in inst.items:
        if item.type == "select_multiple":
            known |= {f"{item.id}__{c.name}" for c in inst.choices_for(item) or ()}
        else:
            known.add(item.id)
    unknown = sorted(str(c) for c in frame.columns if c not in known)
    if unknown:
        raise UsageError(
            f"given has columns that are not items of {inst.id}: {', '.join(unknown)}",
            hint="name item ids, <item>__<choice> columns or submitted_at",
        )
    return frame


class _Generator:
    """Draws one instrument's columns in order; holds the per-run state."""

    def __init__(
        self,
        inst: Instrument,
        n: int,
        rng: np.random.Generator,
        effects: tuple[Effect, ...],
        given: pd.DataFrame,
        latent: pd.DataFrame | None,
    ) -> None:
        self.inst, self.n, self.rng, self.effects, self.given = inst, n, rng, effects, given
        self.cols: dict[str, pd.Series] = {}
        self.missing: list[tuple[str, NDArray[np.int64], str]] = []
        latent = latent.reset_index(drop=True) if latent is not None else pd.DataFrame()
        if len(latent) not in (0, n):
            raise UsageError(f"latent has {len(latent)} rows but n is {n}")
        unknown = sorted(set(map(str, latent.columns)) - {"general", *(s.id for s in inst.scales)})
        if unknown:
            raise UsageError(
                f"latent has columns that are neither 'general' nor scales: {', '.join(unknown)}"
            )
        self.general = self._latent_column(latent, "general")
        self.scale_latent: dict[str, NDArray[np.float64]] = {}
        for scale in inst.scales:
            if scale.id in latent:
                self.scale_latent[scale.id] = latent[scale.id].to_numpy(dtype=float)
            else:
                unique = self.rng.standard_normal(n)
                self.scale_latent[scale.id] = (
                    np.sqrt(GENERAL_SHARE) * self.general + np.sqrt(1 - GENERAL_SHARE) * unique
                )
        self.shifted: set[str] = set()
        self.scale_of = {i: s for s in inst.scales for i in s.items}

    def _latent_column(self, latent: pd.DataFrame, name: str) -> NDArray[np.float64]:
        if name in latent:
            return latent[name].to_numpy(dtype=float)
        return self.rng.standard_normal(self.n)

    def latent_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"general": self.general, **self.scale_latent})

    # -- effects -------------------------------------------------------------------------
    def _rows(self, effect: Effect, target: str) -> NDArray[np.bool_]:
        mask = np.ones(self.n, dtype=bool)
        for item_id, value in effect.when:
            if item_id not in self.cols:
                raise EffectsError(  # unreachable when _draw_order is respected
                    f"the effect on {target!r} selects on {item_id!r}, not yet drawn",
                    hint="please report this",
                )
            column = self.cols[item_id].astype("string")
            mask &= (column == value).fillna(False).to_numpy(dtype=bool)
        return mask

    def _item_effects(self, item: Item, size: str) -> list[tuple[Effect, NDArray[np.bool_]]]:
        return [
            (e, self._rows(e, item.id))
            for e in self.effects
            if e.kind == "item" and e.target == item.id and e.size == size
        ]

    def _scale(self, scale_id: str) -> NDArray[np.float64]:
        if scale_id not in self.shifted:
            self.shifted.add(scale_id)
            for e in self.effects:
                if e.kind == "latent" and e.target == scale_id:
                    self.scale_latent[scale_id] = self.scale_latent[
                        scale_id
                    ] + e.value * self._rows(e, scale_id)
        return self.scale_latent[scale_id]

    # -- the run ------------------------------------------------------------------------
    def run(self, start: pd.Timestamp, end: pd.Timestamp, prefix: str) -> pd.DataFrame:
        n, rng = self.n, self.rng
        self.start, self.end = start, end
        span = int((end - start).total_seconds())
        if "submitted_at" in self.given:
            submitted = pd.Series(pd.to_datetime(self.given["submitted_at"], utc=True))
        else:
            seconds = np.sort(rng.integers(0, span, n))
            submitted = pd.Series(
                pd.DatetimeIndex(
                    start.tz_localize(None).to_datetime64() + seconds.astype("timedelta64[s]")
                )
                .as_unit("ns")
                .tz_localize("UTC")
            )
        head = {
            "response_id": numbered(prefix + "-", n),
            "submitted_at": submitted.astype("datetime64[ns, UTC]"),
            "source": pd.Series(pd.array(np.full(n, SOURCE, dtype=object), dtype="string")),
        }
        for item in self._draw_order():
            shown = self._shown(item)
            if item.type == "select_multiple":
                self._multi(item, shown)
            else:
                self.cols[item.id] = self._single(item, shown)
        ordered = {}
        for item in self.inst.items:
            if item.type == "select_multiple":
                for choice in self.inst.choices_for(item) or ():
                    name = f"{item.id}__{choice.name}"
                    ordered[name] = self.cols[name]
            else:
                ordered[item.id] = self.cols[item.id]
        return pd.DataFrame({**head, **ordered})

    def _draw_order(self) -> list[Item]:
        """Instrument order, except that items effects select on (and what their skip logic
        reads) come first, so a selector may stand after its target in the questionnaire."""
        from evalkit.instrument.relevant import referenced_items

        needed = {item_id for e in self.effects for item_id, _ in e.when}
        for item in reversed(self.inst.items):  # skip logic refers to earlier items only
            if item.id in needed:
                expr = self.inst.relevance(item)
                needed |= referenced_items(expr) if expr is not None else set()
        first = [i for i in self.inst.items if i.id in needed]
        return first + [i for i in self.inst.items if i.id not in needed]

    def _shown(self, item: Item) -> NDArray[np.bool_]:
        expr = self.inst.relevance(item)
        if expr is None:
            return np.ones(self.n, dtype=bool)
        result = evaluate(
            expr,
            lambda item_id: self.cols[item_id],
            lambda item_id, choice: self.cols[f"{item_id}__{choice}"],
        )
        return np.asarray(result, dtype=bool)

    def _answered(self, item: Item, shown: NDArray[np.bool_]) -> NDArray[np.bool_]:
        if item.required:
            return shown
        if item.type == "text":
            rate = 1 - (ID_ANSWER_RATE if item.role == "id" else TEXT_ANSWER_RATE)
            if item.role == "context" and not item.pii:
                rate = ITEM_MISSING_RATE
        elif item.section == "about_you":
            rate = DEMOGRAPHIC_MISSING_RATE
        else:
            rate = ITEM_MISSING_RATE
        return shown & (self.rng.random(self.n) >= rate)

    def _single(self, item: Item, shown: NDArray[np.bool_]) -> pd.Series:
        if item.id in self.given:
            return _canonical(self.given[item.id], item).where(shown)
        answered = self._answered(item, shown)
        draw = {
            "likert": self._likert,
            "nps": self._likert,
            "select_one": self._select_one,
            "integer": self._integer,
            "decimal": self._decimal,
            "text": self._text,
            "date": self._date,
        }[item.type]
        return draw(item, answered)

    # -- item types ----------------------------------------------------------------------
    def _latent_response(self, item: Item) -> NDArray[np.float64]:
        noise = self.rng.standard_normal(self.n)
        scale = self.scale_of.get(item.id)
        if scale is not None:
            sign = -1.0 if item.id in scale.reverse else 1.0
            lam = SCALE_LOADING
            base = sign * lam * self._scale(scale.id)
        else:
            lam = LOADING.get(
                item.id, ITEM_LOADING if item.role in ("outcome", None) else COVARIATE_LOADING
            )
            base = lam * self.general
        z = base + np.sqrt(1 - lam**2) * noise
        for effect, rows in self._item_effects(item, "shift_sd"):
            z = z + effect.value * rows
        return z

    def _likert(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        if item.type == "nps":
            values = np.arange(11)
            thresholds = likert_thresholds(11, NPS_SKEW)
            missing: list[str] = []
        else:
            choices = self.inst.choices_for(item)
            values = np.array([int(c.value) for c in choices.substantive])  # type: ignore[union-attr]
            thresholds = likert_thresholds(len(values), SKEW.get(item.id, LIKERT_SKEW))
            missing = [c.name for c in choices if c.missing]  # type: ignore[union-attr]
        z = self._latent_response(item)
        result = values[np.searchsorted(thresholds, z)]
        mask = ~answered
        if missing:
            picked = answered & (self.rng.random(self.n) < MISSING_CHOICE_RATE)
            which = self.rng.integers(0, len(missing), self.n)
            for k, value in enumerate(missing):
                rows = np.flatnonzero(picked & (which == k))
                if rows.size:
                    self.missing.append((item.id, rows, value))
            mask = mask | picked
        return pd.Series(pd.arrays.IntegerArray(result.astype("int64"), mask))

    def _shares(self, item: Item) -> tuple[list[str], NDArray[np.float64]]:
        choices = self.inst.choices_for(item)
        values = [c.name for c in choices]  # type: ignore[union-attr]
        missing = {c.name for c in choices if c.missing}  # type: ignore[union-attr]
        table = CHOICE_SHARES.get(item.id)
        if table is None and set(MODE_MIX) <= set(values):
            table = MODE_MIX
        if table is None and item.choices in CHOICE_SHARES:
            table = CHOICE_SHARES[item.choices or ""]
        if table is None and set(values) == {"in_person", "virtual", "hybrid"}:
            table = CHOICE_SHARES["activity_mode"]
        substantive = [v for v in values if v not in missing]
        if table and sum(table.get(v, 0.0) for v in substantive) > 0:
            raw = np.array([table.get(v, 0.0) for v in substantive])
        else:
            raw = 1.0 / (1 + 0.5 * np.arange(len(substantive)))
        share_missing = MISSING_CHOICE_RATE if missing else 0.0
        sub = dict(zip(substantive, raw / raw.sum() * (1 - share_missing), strict=True))
        weights = [sub[v] if v in sub else share_missing / len(missing) for v in values]
        return values, np.asarray(weights, dtype=float)

    def _select_one(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        values, p = self._shares(item)
        logits = np.broadcast_to(np.log(np.maximum(p, 1e-12)), (self.n, len(values)))
        plants = self._item_effects(item, "shift_logit")
        if plants:
            logits = logits.copy()
            choices = self.inst.choices_for(item)
            first = choices.substantive[0].name  # type: ignore[union-attr]
            for effect, rows in plants:
                logits[:, values.index(effect.choice or first)] += effect.value * rows
            prob = np.exp(logits - logits.max(axis=1, keepdims=True))
            cum = np.cumsum(prob, axis=1)
            u = self.rng.random(self.n) * cum[:, -1]
            codes = (cum < u[:, None]).sum(axis=1)
        else:
            codes = np.searchsorted(np.cumsum(p), self.rng.random(self.n), side="right")
        codes = np.minimum(codes, len(values) - 1)
        codes = np.where(answered, codes, -1)
        return _strings(codes, values)

    def _multi(self, item: Item, shown: NDArray[np.bool_]) -> None:
        choices = self.inst.choices_for(item)
        all_values = [c.name for c in choices]  # type: ignore[union-attr]
        columns = [f"{item.id}__{v}" for v in all_values]
        if all(c in self.given for c in columns):
            for c in columns:
                given = self.given[c].astype("boolean")
                self.cols[c] = given.where(shown, pd.NA).astype("boolean")
            return
        answered = self._answered(item, shown)
        missing = [c.name for c in choices if c.missing]  # type: ignore[union-attr]
        exclusive = [v for v in all_values if v == "none"]
        regular = [v for v in all_values if v not in missing and v not in exclusive]
        shares = MULTI_SHARES.get(item.id, {})
        n, rng = self.n, self.rng
        picks: dict[str, NDArray[np.bool_]] = {}
        for value in regular:
            p = np.full(n, shares.get(value, 0.25))
            for effect, rows in self._item_effects(item, "shift_logit"):
                if (effect.choice or value) == value and (effect.choice or value) not in exclusive:
                    p = np.where(rows, expit(logit(p) + effect.value), p)
            picks[value] = rng.random(n) < p
        any_regular = np.zeros(n, dtype=bool)
        for value in regular:
            any_regular |= picks[value]
        special_u = rng.random(n)
        for value in exclusive:
            p_none = np.full(n, shares.get(value, 0.15))
            for effect, rows in self._item_effects(item, "shift_logit"):
                if effect.choice == value:
                    p_none = np.where(rows, expit(logit(p_none) + effect.value), p_none)
            chosen = (special_u < p_none) | ~any_regular
            picks[value] = chosen
            for other in regular:
                picks[other] = picks[other] & ~chosen
            any_regular |= chosen
        if not exclusive and regular:
            empty = ~any_regular
            fallback = rng.integers(0, len(regular), n)
            for k, value in enumerate(regular):
                picks[value] = picks[value] | (empty & (fallback == k))
        if missing:
            refused = rng.random(n) < MISSING_CHOICE_RATE
            which = rng.integers(0, len(missing), n)
            for v in [*regular, *exclusive]:
                picks[v] = picks[v] & ~refused
            for k, value in enumerate(missing):
                picks[value] = refused & (which == k)
        for value, column in zip(all_values, columns, strict=True):
            self.cols[column] = pd.Series(pd.arrays.BooleanArray(picks[value], ~answered))

    def _integer(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        lo, hi = int(item.min or 0), item.max
        if lo >= 1900:  # a year: the period's
            values = np.full(self.n, self.start.year, dtype="int64")
        elif hi is not None and item.id not in COUNTS and hi - lo <= 20:
            # a bounded rating typed as a number: levels from the latent response, like likert
            z = self._latent_response(item)
            values = lo + np.searchsorted(likert_thresholds(int(hi) - lo + 1, 0.0), z)
            for effect, rows in self._item_effects(item, "rate_ratio"):
                scaled = lo + np.round((values - lo) * effect.value).astype("int64")
                values = np.where(rows, scaled, values)
            values = np.minimum(values, int(hi))
        else:
            mean, shape = COUNTS.get(item.id, (3.0, 1.0))
            scale = self.scale_of.get(item.id)
            if scale is not None:  # a count in a scale follows the scale's latent score
                sign = -1.0 if item.id in scale.reverse else 1.0
                beta, latent = sign * SCALE_COUNT_LOADING, self._scale(scale.id)
            else:
                beta, latent = COUNT_LOADING, self.general
            mu = mean * np.exp(beta * latent - beta**2 / 2)
            for effect, rows in self._item_effects(item, "rate_ratio"):
                mu = np.where(rows, mu * effect.value, mu)
            lam = mu * self.rng.gamma(shape, 1 / shape, self.n)
            values = lo + self.rng.poisson(lam)
            if hi is not None:
                values = np.minimum(values, int(hi))
        return pd.Series(pd.arrays.IntegerArray(values.astype("int64"), ~answered))

    def _decimal(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        unit = item.unit or ""
        lo, hi = item.min, item.max
        if unit not in _DECIMALS and lo is not None and hi is not None:
            values = lo + (hi - lo) * self.rng.beta(2, 2, self.n)
        else:
            draw = _DECIMALS.get(unit, lambda rng, n: rng.lognormal(np.log(50), 1.0, n))
            values = draw(self.rng, self.n)
        if item.id == "confidence_pct":
            values = 100 * self.rng.beta(4, 2, self.n)
        for effect, rows in self._item_effects(item, "rate_ratio"):
            values = np.where(rows, values * effect.value, values)
        step = _ROUNDING.get(unit, 0.1)
        values = np.round(values / step) * step
        values = np.clip(
            values, lo if lo is not None else -np.inf, hi if hi is not None else np.inf
        )
        return pd.Series(pd.arrays.FloatingArray(values.astype("float64"), ~answered))

    def _text(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        n, rng = self.n, self.rng
        if item.pii:
            if item.role == "id" or item.id in ("substantiator", "email"):
                texts = numbered("participant-", n, "@example.org")
            else:
                texts = numbered(f"synthetic-{item.id.replace('_', '-')}-", n)
            return texts.where(answered, pd.NA)
        pool = _text_pool(item.id, self.start.year)
        codes = np.where(answered, rng.integers(0, len(pool), n), -1)
        return _strings(codes, pool)

    def _date(self, item: Item, answered: NDArray[np.bool_]) -> pd.Series:
        days = int((self.end - self.start).days)
        offsets = self.rng.integers(0, max(days, 1), self.n).astype("timedelta64[D]")
        values = (self.start.tz_localize(None).to_datetime64() + offsets).astype("datetime64[ns]")
        values = np.where(answered, values, np.datetime64("NaT", "ns"))
        return pd.Series(values, dtype="datetime64[ns]")


def _text_pool(item_id: str, year: int) -> list[str]:
    if item_id == "engagement_id":
        return [f"{names.CODE_PREFIX}-{year}-{j:03d}" for j in range(1, 41)]
    if item_id == "travel_from":
        return list(names.DOMESTIC_CITIES) + [c for c, _ in names.FOREIGN_CITIES]
    if item_id in ("counterpart_country",):
        return [country for _, country in names.FOREIGN_CITIES]
    if item_id == "counterpart_name":
        return [
            kind.format(city=c)
            for c, _ in names.FOREIGN_CITIES
            for kind, _ in names.FOREIGN_ORG_KINDS[:3]
        ]
    if item_id == "unit_name":
        return [u for u, _ in names.LOCAL_UNITS]
    if item_id == "partner_name":
        return [p for p, _ in names.PARTNERS]
    if item_id == "partners":
        return [f"City of {c}" for c, _ in names.FOREIGN_CITIES]
    if item_id == "activity_title":
        return [
            t.format(city=c) for t in names.ACTIVITY_TITLES for c, _ in names.FOREIGN_CITIES[:5]
        ]
    return list(names.SHORT_TEXTS.get(item_id, names.GENERIC_TEXTS))


def numbered(prefix: str, n: int, suffix: str = "") -> pd.Series:
    """``prefix000001suffix`` ... for rows 1..n as a ``string`` Series, built with array
    arithmetic on bytes (no loop over rows); at least 6 digits, more when n needs them.

    Examples
    --------
    >>> numbered("participant-", 2, "@example.org").tolist()
    ['participant-000001@example.org', 'participant-000002@example.org']
    """
    if n == 0:
        return pd.Series([], dtype="string")
    if not (prefix + suffix).isascii():
        raise ValueError("numbered() takes an ASCII prefix and suffix")
    width = max(6, len(str(n)))
    powers = 10 ** np.arange(width - 1, -1, -1)
    digits = (np.arange(1, n + 1)[:, None] // powers % 10 + ord("0")).astype(np.uint8)
    head = np.broadcast_to(np.frombuffer(prefix.encode(), np.uint8), (n, len(prefix)))
    tail = np.broadcast_to(np.frombuffer(suffix.encode(), np.uint8), (n, len(suffix)))
    table = np.ascontiguousarray(np.hstack([head, digits, tail]))
    fixed = table.view(f"S{table.shape[1]}").ravel()
    return pd.Series(fixed.astype("U").astype(object)).astype("string")


def _strings(codes: NDArray[np.int64], values: Sequence[str]) -> pd.Series:
    """Choice codes (-1 = NA) to a ``string`` Series, without a Python loop over rows."""
    categories = pd.Index(list(dict.fromkeys(values)), dtype="string")
    if len(categories) != len(values):  # duplicated pool entries: map to the first
        lookup = {v: i for i, v in enumerate(categories)}
        remap = np.array([lookup[v] for v in values] + [-1])
        codes = remap[codes]
    cat = pd.Categorical.from_codes(codes, categories=categories)
    return pd.Series(cat).astype("string")


def _canonical(series: pd.Series, item: Item) -> pd.Series:
    """A given column in the canonical dtype of ``item``."""
    series = series.reset_index(drop=True)
    if item.type in ("likert", "integer", "nps"):
        return series.astype("Int64")
    if item.type == "decimal":
        return series.astype("Float64")
    if item.type == "date":
        return pd.to_datetime(series).astype("datetime64[ns]")
    return series.astype("string")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a canonical frame as UTF-8 CSV, atomically, with text cells formula-neutralised.

    ``submitted_at`` is written as ISO 8601 with ``Z``, booleans as ``true``/``false``, NA as
    an empty cell, dates as ``YYYY-MM-DD``.
    """
    from evalkit.io import write_csv_atomic

    out = {}
    for name, column in frame.items():
        dtype = column.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = column.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif pd.api.types.is_datetime64_dtype(dtype):
            out[name] = column.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(dtype):
            out[name] = column.map({True: "true", False: "false"}).astype("string")
        else:
            out[name] = column  # text cells are neutralised by write_csv_atomic
    return write_csv_atomic(pd.DataFrame(out), path, na_rep="")
