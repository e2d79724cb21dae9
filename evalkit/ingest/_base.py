"""What every platform module hands to :mod:`evalkit.ingest.canonical`: the data rows, the
headers and the platform's conventions (separators, system columns, ids, timestamps)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evalkit.errors import DataError, Location

if TYPE_CHECKING:
    import pandas as pd


INPUT_ERROR_CODES = (
    "no-such-file", "empty-file", "no-responses", "binary-file", "bad-encoding",
    "mixed-encoding", "malformed-csv", "unreadable-xlsx", "wrong-delimiter", "duplicate-header",
    "duplicate-column", "no-items-matched", "wrong-instrument", "wrong-platform",
    "bad-timestamp", "bad-map", "too-large",
)  # fmt: skip


class InputError(DataError):
    """A response file (or map file) that cannot be used; ``code`` says why, e.g.
    ``empty-file``, ``binary-file``, ``mixed-encoding``, ``malformed-csv``,
    ``duplicate-header``, ``no-items-matched``, ``wrong-instrument`` (see docs/ingest.md)."""

    def __init__(self, code: str, message: str, location: Location | None = None, hint: str = ""):
        if code not in INPUT_ERROR_CODES:
            raise ValueError(f"unknown input error code {code!r}")
        super().__init__(message, location, hint)
        self.code = code


@dataclass
class PlatformData:
    """One file as a platform module understood it (not yet mapped to an instrument).

    ``body`` has positional columns aligned with ``headers`` (and ``texts``, a second header
    such as Qualtrics' question-text row). ``source_row`` holds the spreadsheet row number
    (header = 1) of each body row.
    """

    platform: str
    headers: list[str]
    body: pd.DataFrame
    source_row: pd.Series
    texts: list[str] | None = None
    response_id: pd.Series | None = None
    submitted_at: pd.Series | None = None
    metadata: set[int] = field(default_factory=set)
    multi_sep: str = " "
    option_seps: tuple[str, ...] = ("/",)
    group_seps: tuple[str, ...] = ("/",)
    seen_unanswered: frozenset[str] = frozenset()
    positional_codes: bool = False
    split_choice_ids: dict[int, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    path_hint: str = ""


_SPACE = re.compile(r"\s+")


def norm(text: str) -> str:
    """The matching key of a header or a label: NFKC, case-folded, whitespace collapsed.

    Examples
    --------
    >>> norm("  Strongly   AGREE ")
    'strongly agree'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(text))).strip().casefold()


def norm_series(series: pd.Series) -> pd.Series:
    """:func:`norm` over a column, computed once per distinct value (vectorised)."""
    uniques = series.unique()
    return series.map({u: norm(u) for u in uniques})


def find_column(headers: list[str], *names: str) -> int | None:
    """Position of the first header equal (case-insensitively) to one of ``names``."""
    wanted = [norm(n) for n in names]
    keys = [norm(h) for h in headers]
    for name in wanted:
        if name in keys:
            return keys.index(name)
    return None


def split_header(
    grid_cells: pd.DataFrame, header_rows: int
) -> tuple[list[list[str]], pd.DataFrame]:
    """The first ``header_rows`` rows as lists of text, and the remaining rows (the body)."""
    heads = [[str(v).strip() for v in grid_cells.iloc[i].tolist()] for i in range(header_rows)]
    return heads, grid_cells.iloc[header_rows:]


def content_hash(body: pd.DataFrame, prefix: str) -> pd.Series:
    """A stable id from a row's cells (for platforms that export no response id).

    Uses :func:`pandas.util.hash_pandas_object` (SipHash with a fixed key), so the same row
    gives the same id on every run and machine.
    """
    import pandas as pd

    hashed = pd.util.hash_pandas_object(body.reset_index(drop=True), index=False)
    digits = pd.Series(hashed.to_numpy(), dtype="uint64").astype(str).astype("string")
    return (prefix + digits.str.zfill(20)).set_axis(body.index)


def _iso_timestamps(values: pd.Series, tz: str | None) -> pd.Series | None:
    """ISO 8601 timestamps parsed by pyarrow's cast (C++, no Python object per cell); None
    when any cell is not ISO 8601 or offsets are mixed with naive times (the careful path
    then parses or explains)."""
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
    series = parsed.to_pandas().set_axis(values.index)
    if not aware:
        series = series.dt.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
    return series.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def parse_timestamps(
    values: pd.Series,
    *,
    tz: str | None = "UTC",
    path: str = "",
    column: str = "",
    dayfirst: bool | None = None,
) -> pd.Series:
    """Parse platform timestamps to UTC. Naive values are taken to be in ``tz``.

    ISO 8601 first; otherwise day/month order is inferred (a first field above 12 means
    day first) unless ``dayfirst`` is given. Unparseable cells raise :class:`DataError`.
    """
    import pandas as pd

    fast = _iso_timestamps(values, tz)
    if fast is not None:
        return fast
    cells = values.astype(object)
    text = cells.where(cells != "", None)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=False)
    if parsed.isna().sum() > text.isna().sum():
        text = text.astype("string").str.strip()
        if dayfirst is None:
            first = pd.to_numeric(text.str.extract(r"^(\d{1,2})[/.-]", expand=False), "coerce")
            dayfirst = bool((first > 12).any())
        unified = text.str.replace(".", "/", regex=False).str.replace("-", "/", regex=False)
        short_year = bool(unified.str.match(r"^\d{1,2}/\d{1,2}/\d{2}\b").fillna(False).all())
        year = "%y" if short_year else "%Y"
        fmt = f"%d/%m/{year} %H:%M:%S" if dayfirst else f"%m/%d/{year} %H:%M:%S"
        with_seconds = unified.where(unified.str.count(":") != 1, unified + ":00")
        parsed = pd.to_datetime(with_seconds, format=fmt, errors="coerce")
    bad = parsed.isna() & text.notna()
    if bad.any():
        where = bad.to_numpy().nonzero()[0][0]
        raise InputError(
            "bad-timestamp",
            f"cannot read the timestamp {text.iloc[where]!r}",
            Location(file=path or None, column=column),
            "export dates in ISO format (YYYY-MM-DD hh:mm:ss) or as typed XLSX dates",
        )
    parsed = pd.Series(pd.DatetimeIndex(parsed), index=values.index)
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
    return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
