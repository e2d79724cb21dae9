"""Reporting periods: which labels ``--period`` accepts, and their first and last day.

A period is a year (``2026``), a quarter (``2026-Q1``), a month (``2026-03``) or a named
period declared in the workspace with its days (``evalkit workspace period FY2026 --from
2025-07-01 --to 2026-06-30``). Anything else (``2062x``, ``FY2026`` undeclared, ``26``) is
refused, so a typo cannot start a period of its own.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by identifier(); values are bound.
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from evalkit.errors import DataError
from evalkit.store import db

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
FORMS = "a year (2026), a quarter (2026-Q1), a month (2026-03)"


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def calendar_range(period: str) -> tuple[date, date] | None:
    """First and last day of a year, quarter or month label; None for any other text.

    Examples
    --------
    >>> calendar_range("2026-Q1")
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    >>> calendar_range("FY2026") is None
    True
    """
    if m := _YEAR.fullmatch(period):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    if m := _QUARTER.fullmatch(period):
        year, quarter = int(m[1]), int(m[2])
        return date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    if m := _MONTH.fullmatch(period):
        return date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))
    return None


def period_range(con: duckdb.DuckDBPyConnection, period: str) -> tuple[date, date] | None:
    """The days of a period: calendar labels, else the workspace's declared periods."""
    known = calendar_range(period)
    if known is not None:
        return known
    rows = con.execute(
        f"SELECT first_day, last_day FROM {db.PERIODS} WHERE name = ?", [period]
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def check_period(con: duckdb.DuckDBPyConnection, period: str | None) -> None:
    """Raise unless ``period`` is None, a calendar label or a declared named period."""
    if period is None or period_range(con, period) is not None:
        return
    raise DataError(
        f"the period {period!r} is not {FORMS} or a period declared in the workspace",
        hint=(
            "give one of those forms, or declare a named period first: 'evalkit workspace "
            f"period {period if _NAME.fullmatch(period) else 'NAME'} --from DAY --to DAY'"
        ),
    )


def declare_period(
    workspace: str, name: str, first_day: date, last_day: date
) -> tuple[str, date, date]:
    """Declare (or re-declare) a named period such as ``FY2026`` in the workspace."""
    if not _NAME.fullmatch(name) or calendar_range(name) is not None:
        raise DataError(
            f"{name!r} cannot name a period",
            hint="a name starts with a letter (FY2026, spring_2026); years, quarters and "
            "months need no declaring",
        )
    if last_day < first_day:
        raise DataError(
            f"the period {name} would end ({last_day}) before it starts ({first_day})",
            hint="give --from the first day and --to the last day",
        )
    with db.transaction(workspace) as con:
        con.execute(f"DELETE FROM {db.PERIODS} WHERE name = ?", [name])
        con.execute(f"INSERT INTO {db.PERIODS} VALUES (?, ?, ?)", [name, first_day, last_day])
        db.log(con, "period", f"period {name} declared: {first_day} to {last_day}")
    return name, first_day, last_day


def dates_outside(
    con: duckdb.DuckDBPyConnection, period: str | None, frame: pd.DataFrame | None
) -> list[str]:
    """A warning line when most submission dates fall outside the period's days."""
    import pandas as pd

    if period is None or frame is None or "submitted_at" not in frame:
        return []
    days = period_range(con, period)
    when = frame["submitted_at"].dropna()
    if days is None or when.empty:
        return []
    local = when.dt.tz_convert("UTC").dt.tz_localize(None) if when.dt.tz else when
    first = pd.Timestamp(days[0])
    after_last = pd.Timestamp(days[1]) + pd.Timedelta(days=1)
    outside = int(((local < first) | (local >= after_last)).sum())
    if outside * 2 <= len(local):
        return []
    return [
        f"{outside:,} of {len(local):,} submission dates fall outside period {period} "
        f"({days[0]} to {days[1]}; the file's run from {local.min().date()} to "
        f"{local.max().date()}): if the period is wrong, fix it with 'evalkit workspace "
        f"relabel --period {period} --to NEW --ingest ID'"
    ]


PERIOD_FORMS = "--period 2026, 2026-Q1, 2026-03 or a declared period such as FY2026"


def period_from_dates(frame: pd.DataFrame | None, path: str) -> tuple[str | None, list[str]]:
    """The period of an ingest given without one: the year of the submission dates (UTC).

    Returns the year and a note saying so when every dated row falls in one year; raises
    when the rows span several years or have no submission date. With no row to store
    (``frame`` empty) no period is needed: ``(None, [])``.

    Examples
    --------
    >>> import pandas as pd
    >>> when = pd.to_datetime(["2025-03-04T09:00Z", "2025-11-30T10:00Z"])
    >>> period_from_dates(pd.DataFrame({"submitted_at": when}), "r.csv")[0]
    '2025'
    """
    from evalkit.errors import Location

    if frame is None or frame.empty:
        return None, []
    when = frame["submitted_at"].dropna() if "submitted_at" in frame else None
    where = Location(file=path)
    if when is None or when.empty:
        raise DataError(
            "the file has no submission dates to take the reporting period from",
            where,
            f"give {PERIOD_FORMS}",
        )
    utc = when.dt.tz_convert("UTC") if when.dt.tz is not None else when
    years = sorted({int(y) for y in utc.dt.year.unique()})
    if len(years) > 1:
        raise DataError(
            f"the submission dates run from {utc.min().date()} to {utc.max().date()}, over "
            f"{len(years)} years ({years[0]}-{years[-1]}), so the reporting period cannot be "
            "taken from them",
            where,
            f"give {PERIOD_FORMS}",
        )
    year = str(years[0])
    undated = len(frame) - len(when)
    extra = f"; {undated} row(s) without a date" if undated else ""
    return year, [
        f"period {year} taken from the submission dates (all {len(when):,} in {year}, UTC"
        f"{extra}); give --period to file the responses under another period"
    ]
