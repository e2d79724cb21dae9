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
    "bad-timestamp", "bad-map", "too-large", "repeat-table",
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
    (header = 1) of each body row. ``claimable`` names the system columns an item may still
    take, by ``--map`` or by its id or text: ``{position: "other_text" | "email"}``
    (Qualtrics ``_TEXT``, Google's ``Email Address``); an ``email`` column only a pii item.
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
    claimable: dict[int, str] = field(default_factory=dict)


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
