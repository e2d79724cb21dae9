"""The workspace file: opening it (waiting for another evalkit's lock), names, meta tables.

Tables (``<id>`` is an instrument id):

``responses__<id>``
    The current version of every response: the canonical frame without personal data (see
    :mod:`evalkit.validate.privacy`), plus ``period``, ``ingest_id`` (the ingest that wrote
    this version) and ``_status:<item>`` columns. One row per ``response_id``.
``revisions__<id>``
    Earlier versions replaced by an edit, with ``changed_by_ingest`` and ``changed_at``.
``evalkit_ingests``
    Provenance: one row per ingest (file name, sha256, platform, instrument id and version,
    period, time, rows in / new / changed / already present / near duplicates / erased /
    quarantined, and ``undone_at`` once undone).
``evalkit_tombstones``
    Keyed hashes of erased response ids and respondent keys: a re-ingest skips them.
``evalkit_log``
    What was done to the workspace besides ingests (undo, relabel, erase), without ids.
``evalkit_periods``
    Named periods declared in the workspace (``FY2026``), with their first and last day.
``evalkit_settings``
    The workspace's secret key for keyed hashes of identifiers.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by _identifier(); values are bound.
from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.errors import DataError, Location
from evalkit.validate import new_key

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

DEFAULT_WORKSPACE = "evalkit.duckdb"
PROVENANCE = "evalkit_ingests"
SETTINGS = "evalkit_settings"
TOMBSTONES = "evalkit_tombstones"
LOG = "evalkit_log"
PERIODS = "evalkit_periods"
LOCK_TIMEOUT = 60.0  # seconds a command waits for another one's lock (--lock-timeout)
HEAD = ("response_id", "period", "ingest_id", "submitted_at", "source")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")


def identifier(name: str) -> str:
    """``name`` if it can be a table or column name, else a :class:`DataError`."""
    if not _IDENTIFIER.fullmatch(name):
        raise DataError(
            f"{name!r} cannot be a workspace table or column name",
            hint="instrument, item and choice ids are letters, digits and underscores",
        )
    return name


def table_name(instrument_id: str) -> str:
    """The responses table of an instrument (ids are ``[a-z][a-z0-9_]*``)."""
    return identifier(f"responses__{instrument_id}")


def revisions_name(instrument_id: str) -> str:
    """The table of an instrument's earlier versions of edited responses."""
    return identifier(f"revisions__{instrument_id}")


def quote(name: str) -> str:
    """A checked identifier in double quotes."""
    return '"' + identifier(name) + '"'


def now() -> str:
    """The current time in UTC, to the second, as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_lock_error(message: str) -> bool:
    return "lock" in message.lower()


def connect(
    workspace: str | Path,
    *,
    read_only: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the workspace file (created on first write).

    When another evalkit holds the file (an ingest running), wait up to ``lock_timeout``
    seconds, calling ``on_wait`` once with a line saying so, instead of failing at once.
    """
    import duckdb

    path = Path(workspace)
    if not path.parent.is_dir():
        raise DataError(
            f"the folder {str(path.parent)!r} does not exist",
            Location(file=str(path)),
            "create the folder first, or give --workspace a path in an existing folder",
        )
    if read_only and not path.exists():
        raise DataError(
            "no workspace here",
            Location(file=str(path)),
            "run 'evalkit ingest FILE --instrument ID' first, or give --workspace",
        )
    deadline = time.monotonic() + lock_timeout
    told = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            if not _is_lock_error(first):
                raise DataError(
                    f"cannot open the workspace ({first})",
                    Location(file=str(path)),
                    "check that it is an evalkit workspace (a DuckDB file)",
                ) from None
            if time.monotonic() >= deadline:
                raise DataError(
                    f"another evalkit command still holds the workspace after {lock_timeout:g} s",
                    Location(file=str(path)),
                    "wait for it to finish, or raise the wait with --lock-timeout SECONDS",
                ) from None
            if not told and on_wait is not None:
                on_wait(
                    f"waiting for the workspace: another evalkit command is using it "
                    f"(up to {lock_timeout:g} s)"
                )
                told = True
            time.sleep(0.1)


@contextmanager
def transaction(
    workspace: str | Path,
    *,
    lock_timeout: float = LOCK_TIMEOUT,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed when the block ends, rolled back when
    it raises (a crash before the commit leaves the file as it was)."""
    con = connect(workspace, lock_timeout=lock_timeout, on_wait=on_wait)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            ensure_meta(con)
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    """Create the meta tables, and add the columns later versions of evalkit added."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {SETTINGS} (name VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {PROVENANCE} (
            ingest_id INTEGER PRIMARY KEY, file_name VARCHAR, sha256 VARCHAR, platform VARCHAR,
            instrument_id VARCHAR, instrument_version VARCHAR, period VARCHAR,
            ingested_at TIMESTAMPTZ, rows_in BIGINT, rows_new BIGINT, rows_present BIGINT,
            rows_quarantined BIGINT)"""
    )
    for column, kind in (
        ("rows_changed", "BIGINT"),
        ("rows_near_duplicate", "BIGINT"),
        ("rows_erased", "BIGINT"),
        ("undone_at", "TIMESTAMPTZ"),
    ):
        con.execute(f"ALTER TABLE {PROVENANCE} ADD COLUMN IF NOT EXISTS {column} {kind}")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {TOMBSTONES} (instrument_id VARCHAR, kind VARCHAR, "
        "hash VARCHAR, erased_at TIMESTAMPTZ)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOG} (logged_at TIMESTAMPTZ, action VARCHAR, message VARCHAR)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PERIODS} (name VARCHAR PRIMARY KEY, first_day DATE, "
        "last_day DATE)"
    )


def workspace_key(con: duckdb.DuckDBPyConnection) -> str:
    """The workspace's secret for keyed hashes; created on first use."""
    rows = con.execute(f"SELECT value FROM {SETTINGS} WHERE name = 'hmac_key'").fetchall()
    if rows and rows[0][0]:
        return str(rows[0][0])
    key = new_key()
    con.execute(f"INSERT INTO {SETTINGS} VALUES ('hmac_key', ?)", [key])
    return key


def log(con: duckdb.DuckDBPyConnection, action: str, message: str) -> None:
    """Add a line to the workspace's log (never an identifier)."""
    con.execute(f"INSERT INTO {LOG} VALUES (?, ?, ?)", [now(), action, message])


def frame(result: Any) -> pd.DataFrame:
    """A DuckDB result as a DataFrame (duckdb's converter uses a pandas API pandas 3
    deprecates; the warning is about duckdb, not about evalkit's data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        return result.df()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the workspace has a table of this name."""
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return bool(rows and rows[0][0])


def response_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The responses tables, sorted."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'responses\\_\\_%' "
        "ESCAPE '\\' ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> DuckDB type of a table (or registered view)."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {quote(table)}").fetchall()}


def add_missing_columns(con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    """Give ``table`` every column ``source`` has and it lacks (NULL in its earlier rows)."""
    existing = columns_of(con, table)
    for name, kind in columns_of(con, source).items():
        if name not in existing:
            con.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(name)} {kind}")
