"""The partnership portfolio of a period: every partner's status and the portfolio KPIs.

KPIs (each with its numerator and denominator, so it can be counted by hand):

``retention``
    of the partners engaged in the year before (the twelve months before the period's
    year), the share still kept up: new, active, sustained or revived now (not dormant,
    not ended);
``revival_rate``
    of the partners dormant as of the same period a year earlier (registered partners never
    engaged, such as an unused sister-city tie, included; ended ones left out), the share
    engaged in this period (and not ended); ``legacy_revival_rate`` the same for legacy ties only;
``reach``
    the distinct countries and partner types among the partners engaged in the period
    (ended partners left out here and below)
    (from the register; unregistered partners are counted apart);
``virtual_only_share``
    of the partners engaged in the period, the share every one of whose engagements in the
    period was virtual; ``virtual_engagement_share`` the share of the period's engagements
    that were virtual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from evalkit.errors import DataError, Location
from evalkit.partners.lifecycle import (
    DEFAULT_DORMANT_MONTHS,
    ENGAGED,
    STATUSES,
    VIRTUAL,
    Engagement,
    PartnerStatus,
    Period,
    lifecycle,
    months_before,
    year_index,
)
from evalkit.partners.names import split_names
from evalkit.partners.register import Register, fold


@dataclass(frozen=True)
class Rate:
    """A share with its counts; ``value`` is None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass
class Portfolio:
    """Every partner's status as of the period's end, and the portfolio KPIs."""

    period: Period
    dormant_months: int
    partners: list[PartnerStatus]
    kpis: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)  # partner id -> display name
    unregistered: list[str] = field(default_factory=list)  # ids not in the register

    def counts(self) -> dict[str, int]:
        """Partners by status, every status listed."""
        out = dict.fromkeys(STATUSES, 0)
        for p in self.partners:
            out[p.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "dormant_months": self.dormant_months,
            "counts": self.counts(),
            "kpis": self.kpis,
            "partners": [
                {
                    **p.to_dict(),
                    "name": self.names.get(p.partner, p.partner),
                    "registered": p.partner not in self.unregistered,
                }
                for p in self.partners
            ],
        }


def previous_period(period: Period) -> Period:
    """The same period a year earlier."""
    return Period(months_before(period.start, 12), months_before(period.end, 12))


def portfolio(
    engagements: list[Engagement],
    period: Period,
    register: Register | None = None,
    dormant_months: int = DEFAULT_DORMANT_MONTHS,
) -> Portfolio:
    """Statuses as of ``period.end`` and the portfolio KPIs (see the module docstring)."""
    now = lifecycle(engagements, period, register, dormant_months)
    before = {
        s.partner: s
        for s in lifecycle(engagements, previous_period(period), register, dormant_months)
    }
    kept = {s.partner for s in now if s.status in ENGAGED}
    engaged_now = {s.partner for s in now if s.in_period and s.status in ENGAGED}
    last_year = {
        e.partner
        for e in engagements
        if e.date <= period.end and year_index(e.date, period.end) == 1
    }
    ended_now = {s.partner for s in now if s.status == "ended"}
    dormant_before = {p for p, s in before.items() if s.status == "dormant"} - ended_now
    legacy = {p.id for p in register if p.legacy is not None} if register else set()
    kpis: dict[str, Any] = {
        "retention": Rate(len(last_year & kept), len(last_year)).to_dict(),
        "revival_rate": Rate(len(dormant_before & engaged_now), len(dormant_before)).to_dict(),
        "legacy_revival_rate": Rate(
            len(dormant_before & legacy & engaged_now), len(dormant_before & legacy)
        ).to_dict(),
        **_reach(engaged_now, register),
        **_virtual(now),
    }
    return Portfolio(period, dormant_months, now, kpis)


def _reach(engaged: set[str], register: Register | None) -> dict[str, Any]:
    countries: set[str] = set()
    types: set[str] = set()
    unregistered = 0
    for partner in engaged:
        entry = None
        if register is not None and register.resolve(partner) == partner:
            entry = register.get(partner)
        if entry is None:
            unregistered += 1
            continue
        if entry.country:
            countries.add(fold(entry.country))
        types.add(entry.type)
    return {
        "reach": {
            "partners": len(engaged),
            "countries": len(countries),
            "types": len(types),
            "unregistered_partners": unregistered,
            "type_list": sorted(types),
        },
    }


def _virtual(statuses: list[PartnerStatus]) -> dict[str, Any]:
    engaged = [s for s in statuses if s.in_period and s.status in ENGAGED]
    only = sum(1 for s in engaged if set(s.modes_in_period) == {VIRTUAL})
    total = sum(s.in_period for s in engaged)
    virtual = sum(s.modes_in_period.get(VIRTUAL, 0) for s in engaged)
    return {
        "virtual_only_share": Rate(only, len(engaged)).to_dict(),
        "virtual_engagement_share": Rate(virtual, total).to_dict(),
    }


def engagements_from_register_rows(
    rows: list[tuple[Any, Any, Any]], register: Register | None
) -> tuple[list[Engagement], dict[str, str], list[str]]:
    """Activity-register rows (date, partners text, mode) -> engagements, one per partner
    named in a row, with each name resolved through ``register``; a name the register lacks
    becomes a partner of its own, with its folded name as id. Returns the engagements, each
    id's display name and the unregistered ids. Rows without a date are skipped."""
    engagements: list[Engagement] = []
    names: dict[str, str] = {p.id: p.name for p in register} if register else {}
    unregistered: set[str] = set()
    for day, text, mode in rows:
        when = _as_date(day)
        if when is None:
            continue
        for name in split_names(text, ";"):
            partner = register.resolve(name) if register else None
            if partner is None:
                partner = fold(name)
                unregistered.add(partner)
                names.setdefault(partner, name)
            engagements.append(Engagement(partner, when, _mode(mode)))
    return engagements, names, sorted(unregistered)


def _as_date(value: Any) -> date | None:
    if value is None or value != value:
        return None
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _mode(value: Any) -> str:
    if value is None or value != value or str(value) in ("", "<NA>"):
        return "unknown"
    return str(value)


def portfolio_from_workspace(
    workspace: str | Path,
    period: str,
    register: Register | None = None,
    dormant_months: int = DEFAULT_DORMANT_MONTHS,
) -> Portfolio:
    """:func:`portfolio` from the activity register stored in the workspace (every period:
    a relationship's life spans years), as of the end of ``period``."""
    from evalkit.store import load_responses, workspace_status

    if not Path(workspace).is_file():
        raise DataError(
            "no such workspace", Location(file=str(workspace)), "create it with 'evalkit ingest'"
        )
    if "activity_register" not in set(workspace_status(workspace)["instrument_id"]):
        raise DataError(
            "the workspace holds no activity register: engagements come from it",
            Location(file=str(workspace)),
            "ingest it with 'evalkit ingest FILE --instrument activity_register'",
        )
    frame = load_responses(workspace, "activity_register")
    rows = list(zip(frame["activity_date"], frame["partners"], frame["mode"], strict=True))
    engagements, names, unregistered = engagements_from_register_rows(rows, register)
    result = portfolio(engagements, workspace_period(workspace, period), register, dormant_months)
    result.names, result.unregistered = names, unregistered
    return result


def workspace_period(workspace: str | Path, period: str) -> Period:
    """The days of ``period``: a calendar label, or a period declared in the workspace."""
    from evalkit.store import db
    from evalkit.store.periods import FORMS, calendar_range, period_range

    days = calendar_range(period)
    if days is None:
        con = db.connect(workspace, read_only=True)
        try:
            days = period_range(con, period) if db.has_table(con, db.PERIODS) else None
        finally:
            con.close()
    if days is None:
        raise DataError(
            f"the period {period!r} is not {FORMS} or a period declared in the workspace",
            Location(file=str(workspace)),
            "declare it with 'evalkit workspace period NAME --from DAY --to DAY'",
        )
    return Period(*days)
