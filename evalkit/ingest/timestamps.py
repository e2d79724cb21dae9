"""Submission timestamps of every platform, read to UTC without guessing.

ISO 8601 goes through pyarrow's cast (C++). Anything else is split into its fields:
``2022/06/22 11:07:29 AM AST`` (Google Forms' own CSV download: year first, 12-hour clock,
a zone abbreviation or ``GMT-5``), ``9/11/2022 18:44`` (a sheet or Excel re-save),
``18.03.2026 18:42``. The day/month order of a date such as ``9/11/2022`` is taken from, in
this order: the user (``--date-order dmy|mdy|ymd``); the cells themselves (a first field
above 12 means day first, a second above 12 month first); the export's time zone where the
file names one (Qualtrics' ImportId row: ``Pacific/Auckland`` is day first). When none
decides, the file is refused with a one-line error naming ``--date-order``; nothing is
guessed. See docs/ingest.md, "Dates and time zones".

Naive times are local times of the export's zone (UTC when the file names none). A time in
the repeated hour when the clocks go back is ambiguous: it is read as the first occurrence
(the earlier instant, still daylight-saving time) and a note says which rows; a time in the
hour skipped when the clocks go forward cannot come from a clock in that zone: it is moved
an hour forward, with a note. No timestamp is ever blanked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from evalkit.errors import Location
from evalkit.ingest._base import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

DATE_ORDERS = ("dmy", "mdy", "ymd")
DATE_ORDER_HINT = "give the order with --date-order dmy, mdy or ymd"

# Zone abbreviations as Google Forms (and Java/ICU) write them, in hours east of UTC. Where
# an abbreviation has several readings the North American/European one is taken (AST:
# Atlantic, not Arabia; IST: India; BST: British summer; CST: US Central): a note says so.
ZONE_ABBREVIATIONS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5, "CET": 1,
    "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3,
    "NST": -3.5, "NDT": -2.5, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
    "HST": -10, "SST": -11, "CHST": 10, "ART": -3, "BRT": -3, "CLT": -4, "CLST": -3,
    "COT": -5, "PET": -5, "VET": -4, "UYT": -3, "WAT": 1, "CAT": 2, "EAT": 3, "SAST": 2,
    "PKT": 5, "NPT": 5.75, "BDT": 6, "ICT": 7, "WIB": 7, "WITA": 8, "WIT": 9, "SGT": 8,
    "MYT": 8, "PHT": 8, "PHST": 8, "HKT": 8, "JST": 9, "KST": 9, "AWST": 8, "ACST": 9.5,
    "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "GST": 4,
}  # fmt: skip
_SEVERAL_READINGS = {"AST", "IST", "BST", "CST", "GST", "SST"}

# Time zones whose offices write dates month first or day first (only zones where that is
# the convention of the whole country; a zone not listed gives no hint).
_MDY_ZONES = re.compile(
    r"^(US/.*|America/(New_York|Chicago|Denver|Los_Angeles|Phoenix|Anchorage|Adak|Boise|"
    r"Detroit|Juneau|Sitka|Nome|Yakutat|Metlakatla|Menominee|Indiana/.*|Kentucky/.*|"
    r"North_Dakota/.*|Puerto_Rico)|Pacific/Honolulu|Asia/Manila)$"
)
_DMY_ZONES = re.compile(
    r"^(Europe/(?!Budapest|Vilnius).*|Africa/.*|Australia/.*|Pacific/(Auckland|Chatham|Fiji)|"
    r"NZ|Asia/(Kolkata|Calcutta|Karachi|Dhaka|Singapore|Kuala_Lumpur|Jakarta|Bangkok|"
    r"Ho_Chi_Minh|Saigon|Dubai|Riyadh|Jerusalem|Tel_Aviv|Beirut|Amman)|America/(Sao_Paulo|"
    r"Argentina/.*|Buenos_Aires|Mexico_City|Bogota|Lima|Santiago|Caracas|Montevideo|"
    r"La_Paz|Guayaquil|Asuncion)|Atlantic/(Reykjavik|Canary|Madeira|Azores))$"
)

_ZONE = re.compile(
    r"\s*\b(?:(?P<gmt>GMT|UTC)\s*(?P<sign>[+-])\s*(?P<hh>\d{1,2})(?::?(?P<mm>\d{2}))?"
    r"|(?P<abbr>[A-Z]{1,5}))$"
)
# an ISO 8601 timestamp, with its zone offset when it has one
_ISO_OFFSET = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?\s*"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_MERIDIEM = re.compile(r"\s*(?P<m>[AaPp])\.?\s?[Mm]\.?$")
_FIELDS = (
    r"^(?P<a>\d{1,4})[/.-](?P<b>\d{1,2})[/.-](?P<c>\d{1,4})"
    r"(?:[T ,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?)?$"
)


def order_for_zone(zone: str | None) -> str | None:
    """The day/month order of the offices of a time zone, or None when it gives no hint.

    Examples
    --------
    >>> order_for_zone("Pacific/Auckland"), order_for_zone("America/New_York")
    ('dmy', 'mdy')
    >>> order_for_zone("America/Toronto") is None
    True
    """
    if not zone:
        return None
    if _MDY_ZONES.match(zone):
        return "mdy"
    if _DMY_ZONES.match(zone):
        return "dmy"
    return None


def check_date_order(date_order: str | None) -> str | None:
    """``date_order`` if it is one of :data:`DATE_ORDERS` (or None); a usage error if not."""
    from evalkit.errors import UsageError

    if date_order is None or date_order in DATE_ORDERS:
        return date_order
    raise UsageError(f"unknown date order {date_order!r}", hint="use dmy, mdy or ymd")


def _iso_timestamps(values: pd.Series) -> tuple[pd.Series, bool] | None:
    """ISO 8601 timestamps parsed by pyarrow's cast (C++, no Python object per cell), and
    whether they carried offsets; None when any cell is not ISO 8601 or offsets are mixed
    with naive times (the careful path then parses or explains)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, from_pandas=True)
        if pa.types.is_dictionary(text.type):
            text = text.dictionary_decode()  # a column read as codes + distinct texts
        text = pc.if_else(pc.equal(text, ""), None, text)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    try:
        parsed = text.cast(pa.timestamp("ns", tz="UTC"))  # every cell with an offset
        aware = True
    except pa.ArrowInvalid:
        try:
            parsed = text.cast(pa.timestamp("ns"))  # every cell naive
            aware = False
        except pa.ArrowInvalid:
            return None
    return parsed.to_pandas().set_axis(values.index), aware


def parse_timestamps(
    values: pd.Series,
    *,
    tz: str | None = "UTC",
    path: str = "",
    column: str = "",
    date_order: str | None = None,
    notes: list[str] | None = None,
    zone_hint: bool = False,
) -> pd.Series:
    """Parse platform timestamps to UTC; see the module docstring for the rules.

    Parameters
    ----------
    values
        The column's text cells, indexed by their position in the file (row 1 = header).
    tz
        The zone of naive times (an IANA name); UTC when None.
    date_order
        ``dmy``, ``mdy`` or ``ymd`` when the user said it (``--date-order``).
    notes
        Notes for the user are appended here (the order used, repeated-hour times).
    zone_hint
        Whether ``tz`` comes from the file (then it may also give the day/month order).

    Raises
    ------
    InputError
        ``bad-timestamp``: a cell that is no timestamp, or dates whose day/month order
        nothing decides; the message names the row and the column.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_timestamps(pd.Series(["2022/06/22 1:07:29 PM GMT-5"])).iloc[0]
    Timestamp('2022-06-22 18:07:29+0000', tz='UTC')
    """
    import pandas as pd

    notes = notes if notes is not None else []
    where = Location(file=path or None, column=column or None)
    fast = _iso_timestamps(values)
    if fast is not None:
        parsed, aware = fast
        if not aware:
            parsed = _localize(parsed, tz, values, notes, column)
        return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    cells = values.astype(object)
    text = pd.Series(cells.where(cells.notna(), ""), dtype="string").str.strip()
    present = (text != "").to_numpy()
    if not present.any():
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    try:
        iso = pd.to_datetime(text.where(present, None), format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # offsets mixed with naive times
        iso = None
    if iso is not None and not (iso.isna().to_numpy() & present).any():
        if iso.dt.tz is None:
            iso = _localize(iso, tz, values, notes, column)
        return iso.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    with_offsets = _with_offsets(text, present, where, values.index)
    if with_offsets is not None:
        return with_offsets
    return _parse_fields(text, present, tz, where, date_order, notes, zone_hint, values.index)


def _with_offsets(
    text: pd.Series, present: np.ndarray, where: Location, index: pd.Index
) -> pd.Series | None:
    """A column with ISO timestamps that carry an offset (``2026-03-01T10:00:00+02:00``),
    which the careful path does not read: the times in UTC, or the error naming the cell at
    fault; None when no cell has an offset.

    Mixed with times without an offset, the cell of the fewer kind is named (of equal
    numbers, the first cell unlike the column's first); otherwise the first cell that is
    no ISO timestamp (the careful path used to name the first cell with an offset).
    """
    import numpy as np
    import pandas as pd

    parts = text.str.extract(_ISO_OFFSET)
    iso = parts["date"].notna().to_numpy(dtype=bool) & present
    aware = iso & parts["offset"].notna().to_numpy(dtype=bool)
    if not aware.any():
        return None
    naive = iso & ~aware
    if naive.any():
        first_naive, first_aware = int(np.argmax(naive)), int(np.argmax(aware))
        fewer_naive = naive.sum() < aware.sum() or (
            naive.sum() == aware.sum() and first_naive > first_aware
        )
        pos, other = (first_naive, first_aware) if fewer_naive else (first_aware, first_naive)
        has = "has no zone offset" if fewer_naive else "has a zone offset"
        raise _bad(
            where,
            index,
            pos,
            f"the timestamp {text.iloc[pos]!r} {has}, unlike row {int(index[other]) + 1} "
            f"({text.iloc[other]!r}): the column mixes times with and without offsets",
            "give every time in the column its zone offset, or none (export the file again)",
        )
    parsed = pd.to_datetime(text.where(aware, None), format="ISO8601", utc=True, errors="coerce")
    bad = present & (~aware | parsed.isna().to_numpy())
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _bad(
            where,
            index,
            pos,
            f"cannot read the timestamp {text.iloc[pos]!r}",
            "export dates in ISO format (YYYY-MM-DD hh:mm:ss) or as typed XLSX dates",
        )
    return parsed.astype("datetime64[ns, UTC]")


def _bad(where: Location, index: pd.Index, pos: int, message: str, hint: str) -> InputError:
    row = int(index[pos]) + 1  # the body's index is the file's record number (header = 0)
    located = Location(file=where.file, row=row, column=where.column)
    return InputError("bad-timestamp", message, located, hint)


def _parse_fields(
    text: pd.Series,
    present,
    tz: str | None,
    where: Location,
    date_order: str | None,
    notes: list[str],
    zone_hint: bool,
    index: pd.Index,
) -> pd.Series:
    """The careful path: zone, meridiem and the date's fields split by regular expressions."""
    import numpy as np
    import pandas as pd

    hint = "export dates in ISO format (YYYY-MM-DD hh:mm:ss) or as typed XLSX dates"
    zone = text.str.extract(_ZONE)
    abbr = zone["abbr"].where(zone["abbr"].notna() & present)
    unknown = abbr.notna() & ~abbr.isin(list(ZONE_ABBREVIATIONS))
    rest = text.str.replace(_ZONE, "", regex=True)
    # a letter run that is no zone (e.g. "AM") is part of the time: put it back
    is_meridiem = abbr.isin(["AM", "PM", "A", "P"])
    rest = rest.where(~(unknown & is_meridiem), text)
    unknown &= ~is_meridiem
    abbr = abbr.where(~is_meridiem)
    if unknown.any():
        pos = int(np.flatnonzero(unknown.to_numpy())[0])
        raise _bad(
            where,
            index,
            pos,
            f"unknown time zone {abbr.iloc[pos]!r} in the timestamp {text.iloc[pos]!r}",
            "export with a zone offset such as GMT-5, or in ISO format",
        )
    meridiem = rest.str.extract(_MERIDIEM)["m"].str.lower()
    rest = rest.str.replace(_MERIDIEM, "", regex=True).str.strip()
    fields = rest.str.extract(_FIELDS)
    bad = present & fields["a"].isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _bad(where, index, pos, f"cannot read the timestamp {text.iloc[pos]!r}", hint)
    a, b, c = (pd.to_numeric(fields[k], errors="coerce") for k in "abc")
    order = _date_order(fields, a, b, present, date_order, tz if zone_hint else None, notes)
    if order is None:
        day_first = np.flatnonzero(present & (a > 12).to_numpy())
        month_first = np.flatnonzero(present & (b > 12).to_numpy())
        if len(day_first) and len(month_first):
            pos = int(max(day_first[0], month_first[0]))
            raise _bad(
                where,
                index,
                pos,
                f"the dates mix day-first ({text.iloc[day_first[0]]!r}) and month-first "
                f"({text.iloc[month_first[0]]!r}) cells",
                f"correct the wrong cells, or {DATE_ORDER_HINT} (cells that do not fit it are "
                "then reported)",
            )
        pos = int(np.flatnonzero(present & (a <= 12).to_numpy() & (b <= 12).to_numpy())[0])
        raise _bad(
            where,
            index,
            pos,
            f"the date {text.iloc[pos]!r} could be day first or month first and the file "
            "does not say which",
            DATE_ORDER_HINT,
        )
    if order == "ymd":
        year, month, day = a, b, c
    elif order == "dmy":
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    short = fields["a" if order == "ymd" else "c"].str.len() <= 2
    year = year.where(~short, year + np.where(year < 69, 2000, 1900))
    hour = pd.to_numeric(fields["H"], errors="coerce").fillna(0)
    clock12 = meridiem.notna()
    bad_clock = clock12 & ((hour < 1) | (hour > 12))
    afternoon = (meridiem == "p").fillna(False).to_numpy(dtype=bool)
    hour = hour.where(~clock12, (hour % 12) + np.where(afternoon, 12, 0))
    parts = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": pd.to_numeric(fields["M"], errors="coerce").fillna(0),
            "second": pd.to_numeric(fields["S"], errors="coerce").fillna(0),
        }
    )
    parts = parts.where(np.broadcast_to(present[:, None], parts.shape))
    parsed = pd.to_datetime(parts.where(parts.notna().all(axis=1)), errors="coerce")
    fraction = fields["f"].fillna("").str.ljust(9, "0").str.slice(0, 9)
    parsed = parsed + pd.to_timedelta(pd.to_numeric(fraction, errors="coerce").fillna(0), "ns")
    bad = present & (parsed.isna() | bad_clock).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise _bad(
            where,
            index,
            pos,
            f"cannot read the timestamp {text.iloc[pos]!r} (read as {order})",
            hint if date_order else f"{hint}, or {DATE_ORDER_HINT}",
        )
    offset = _offsets(zone, abbr)
    has_offset = offset.notna().to_numpy()
    parsed = pd.Series(pd.DatetimeIndex(parsed), index=index)
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        utc = parsed[has_offset] - pd.to_timedelta(offset[has_offset].to_numpy(), "min")
        result[has_offset] = utc.dt.tz_localize("UTC")
        several = sorted(set(abbr[has_offset].dropna()) & _SEVERAL_READINGS)
        for name in several:
            hours = ZONE_ABBREVIATIONS[name]
            notes.append(
                f"zone abbreviation {name} read as UTC{hours:+g} (it has other readings: "
                "check the form's time zone)"
            )
    naive = ~has_offset & present
    if naive.any():
        local = _localize(parsed[naive], tz, text[naive], notes, where.column or "")
        result[naive] = local.dt.tz_convert("UTC")
    return result.astype("datetime64[ns, UTC]")


def _date_order(
    fields: pd.DataFrame,
    a: pd.Series,
    b: pd.Series,
    present,
    date_order: str | None,
    zone: str | None,
    notes: list[str],
) -> str | None:
    """The order of the date fields: ``ymd`` for four-digit first fields; the user's; what
    the cells show; the zone's; None when nothing decides."""
    year_first = (fields["a"].str.len() == 4).to_numpy() & present
    if year_first.any():
        return "ymd"  # a four-digit first field is a year, whatever the option says
    if date_order is not None:
        return date_order
    day_first = bool(((a > 12).to_numpy() & present).any())
    month_first = bool(((b > 12).to_numpy() & present).any())
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    if day_first and month_first:
        return None  # both kinds of cells: nothing but the user can say which is right
    if not bool(((a != b).to_numpy() & present).any()):
        return "mdy"  # every date has day == month: either order reads the same
    hinted = order_for_zone(zone)
    if hinted is not None:
        reading = "day first" if hinted == "dmy" else "month first"
        notes.append(f"dates read {reading} ({hinted}), the convention of {zone}; "
                     "give --date-order to read them otherwise")  # fmt: skip
    return hinted


def _offsets(zone: pd.DataFrame, abbr: pd.Series) -> pd.Series:
    """Minutes east of UTC per cell from ``GMT-5``/``UTC+05:30`` or an abbreviation."""
    import pandas as pd

    sign = zone["sign"].map({"+": 1, "-": -1})
    hours = pd.to_numeric(zone["hh"], errors="coerce")
    minutes = pd.to_numeric(zone["mm"], errors="coerce").fillna(0)
    numeric = sign * (hours * 60 + minutes)
    named = abbr.map(ZONE_ABBREVIATIONS) * 60
    plain_gmt = zone["gmt"].notna() & zone["sign"].isna()
    return numeric.where(numeric.notna(), named).where(~plain_gmt, 0.0).astype(float)


def _localize(
    naive: pd.Series, tz: str | None, cells: pd.Series, notes: list[str], column: str
) -> pd.Series:
    """Naive local times of ``tz`` as aware times: a repeated-hour time as its first
    occurrence, a skipped-hour time moved forward an hour, each with a note naming the rows."""
    import numpy as np
    import pandas as pd

    zone = tz or "UTC"
    strict = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    lost = (strict.isna() & naive.notna()).to_numpy()
    if not lost.any():
        return strict
    first = naive.dt.tz_localize(
        zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    skipped = (
        naive.dt.tz_localize(zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
        .isna()
        .to_numpy()
        & naive.notna().to_numpy()
    )
    repeated = lost & ~skipped
    rows = naive.index.to_numpy() + 1
    label = f"column {column!r}: " if column else ""
    if repeated.any():
        notes.append(
            f"{label}{int(repeated.sum())} time(s) fall in the hour repeated when {zone}'s "
            f"clocks went back (row(s) {_rows(rows[repeated])}): read as the first occurrence "
            "(daylight-saving time, the earlier instant)"
        )
    if skipped.any():
        notes.append(
            f"{label}{int(skipped.sum())} time(s) fall in the hour skipped when {zone}'s "
            f"clocks went forward (row(s) {_rows(rows[skipped])}): moved an hour forward"
        )
    return first


def _rows(rows) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:5])
    return shown + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
