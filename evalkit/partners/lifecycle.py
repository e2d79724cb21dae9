"""A relationship's life: first and last engagement, and its status as of a period's end.

The history is a list of :class:`Engagement` (canonical partner id, date, mode), usually the
activity register's partners resolved through the partner register, so that a partner
renamed between years is one partner. A "year" here is the twelve months ending on the
period's last day (the period's own year for a calendar period ``2026``). Statuses, as of
the period's last day, the first that applies:

``ended``
    the register declares ``ended: YEAR`` and YEAR is not after the period's last day;
``dormant``
    no engagement in the last ``dormant_months`` (default 12) up to the period's last day;
``new``
    the first engagement ever falls in the period (and the partner has no legacy tie
    older than the period);
``revived``
    engaged in the period after a gap of more than ``dormant_months`` since the engagement
    before; a legacy tie (``legacy: {since: YEAR}``) whose first recorded engagement falls
    in the period is revived too (the tie was there, unused);
``sustained``
    engaged in this year and in the year before (two or more consecutive years);
``active``
    any other partner with an engagement in the last ``dormant_months``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from evalkit.partners.register import Register

_FIRST_YEAR = 1800
STATUSES = ("new", "active", "sustained", "dormant", "revived", "ended")
ENGAGED = ("new", "active", "sustained", "revived")
DEFAULT_DORMANT_MONTHS = 12
VIRTUAL = "virtual"


@dataclass(frozen=True, order=True)
class Engagement:
    """One engagement of a partner: its canonical id, the date and the mode."""

    partner: str
    date: date
    mode: str = "unknown"


@dataclass(frozen=True)
class Period:
    """A reporting period: its first and last day (both included)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts {self.start} after it ends {self.end}")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day where it is shorter).

    Examples
    --------
    >>> months_before(date(2026, 3, 31), 1), months_before(date(2026, 12, 31), 12)
    (datetime.date(2026, 2, 28), datetime.date(2025, 12, 31))
    """
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no day {months} months before {day}")  # pragma: no cover


def year_index(day: date, end: date) -> int:
    """Which year before ``end`` the day falls in: 0 for the twelve months ending on ``end``
    (after ``months_before(end, 12)``), 1 for the twelve before, and so on."""
    k = 0
    while day <= months_before(end, 12 * (k + 1)):
        k += 1
    return k


@dataclass
class PartnerStatus:
    """One partner's life as of a period's end."""

    partner: str
    status: str
    first: date | None
    last: date | None
    engagements: int
    in_period: int
    years_running: int
    by_year: dict[int, dict[str, int]] = field(default_factory=dict)
    modes_in_period: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "partner": self.partner,
            "status": self.status,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "engagements": self.engagements,
            "in_period": self.in_period,
            "years_running": self.years_running,
            "by_year": {str(y): dict(m) for y, m in sorted(self.by_year.items())},
            "modes_in_period": dict(self.modes_in_period),
        }


def _by_partner(engagements: Iterable[Engagement], end: date) -> dict[str, list[Engagement]]:
    out: dict[str, list[Engagement]] = defaultdict(list)
    for e in engagements:
        if e.date <= end:
            out[e.partner].append(e)
    for history in out.values():
        history.sort()
    return out


def partner_status(
    partner: str,
    history: list[Engagement],
    period: Period,
    dormant_months: int = DEFAULT_DORMANT_MONTHS,
    ended: int | None = None,
    legacy_since: int | None = None,
) -> PartnerStatus:
    """The status of one partner as of ``period.end`` from its engagements up to then.

    ``history`` need not be sorted; engagements after ``period.end`` are ignored.
    """
    if dormant_months < 1:
        raise ValueError("dormant_months must be at least 1")
    history = sorted(e for e in history if e.date <= period.end)
    dates = [e.date for e in history]
    in_period = [e for e in history if period.contains(e.date)]
    years = {year_index(d, period.end) for d in dates}
    running = 0
    while running in years:
        running += 1
    by_year: dict[int, Counter[str]] = defaultdict(Counter)
    for e in history:
        by_year[e.date.year][e.mode] += 1
    status = _status(dates, in_period, period, dormant_months, ended, legacy_since, running)
    return PartnerStatus(
        partner=partner,
        status=status,
        first=dates[0] if dates else None,
        last=dates[-1] if dates else None,
        engagements=len(history),
        in_period=len(in_period),
        years_running=running,
        by_year={y: dict(c) for y, c in by_year.items()},
        modes_in_period=dict(Counter(e.mode for e in in_period)),
    )


def _status(
    dates: list[date],
    in_period: list[Engagement],
    period: Period,
    dormant_months: int,
    ended: int | None,
    legacy_since: int | None,
    running: int,
) -> str:
    if ended is not None and ended <= period.end.year:
        return "ended"
    if not dates or dates[-1] <= months_before(period.end, dormant_months):
        return "dormant"
    if in_period:
        first_in = in_period[0].date
        before = [d for d in dates if d < first_in]
        if not before:
            old_tie = legacy_since is not None and legacy_since < period.start.year
            return "revived" if old_tie else "new"
        if _gap_in_period(dates, period, dormant_months):
            return "revived"
    if running >= 2:
        return "sustained"
    return "active"


def _gap_in_period(dates: list[date], period: Period, dormant_months: int) -> bool:
    """An engagement in the period that follows a gap of more than ``dormant_months``."""
    return any(
        period.contains(b) and a <= months_before(b, dormant_months) for a, b in pairwise(dates)
    )


def lifecycle(
    engagements: Iterable[Engagement],
    period: Period,
    register: Register | None = None,
    dormant_months: int = DEFAULT_DORMANT_MONTHS,
) -> list[PartnerStatus]:
    """The status of every partner in the portfolio as of ``period.end``, by partner id.

    The portfolio holds each partner with an engagement up to then, and each registered
    partner declared ended or with a legacy tie from before then (a tie never used is
    ``dormant``). A registered partner with neither, never engaged yet, is not in it.
    """
    histories = _by_partner(engagements, period.end)
    ids = set(histories)
    for entry in register or ():
        since = entry.legacy.since if entry.legacy else None
        tied = entry.legacy is not None and (since is None or since <= period.end.year)
        if tied or (entry.ended is not None and entry.ended <= period.end.year):
            ids.add(entry.id)
    out = []
    for partner in sorted(ids):
        entry = _registered(register, partner)
        out.append(
            partner_status(
                partner,
                histories.get(partner, []),
                period,
                dormant_months,
                ended=entry.ended if entry else None,
                legacy_since=_legacy_since(entry),
            )
        )
    return out


def _legacy_since(entry: Any) -> int | None:
    """The legacy tie's start year (a tie without one counts as from before any period)."""
    if entry is None or entry.legacy is None:
        return None
    return entry.legacy.since if entry.legacy.since is not None else _FIRST_YEAR


def _registered(register: Register | None, partner: str):
    if register is None:
        return None
    try:
        return register.get(partner)
    except KeyError:
        return None
