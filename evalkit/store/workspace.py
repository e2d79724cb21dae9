"""The workspace: one DuckDB file (default ``./evalkit.duckdb``) holding validated responses.

Tables:

``responses__<instrument_id>``
    The canonical frame without personal data (see :mod:`evalkit.validate.privacy`), plus
    ``period`` and ``ingest_id``, plus ``_status:<item>`` columns (answered / blank /
    seen_unanswered / choice:<value>). One row per ``response_id``.
``evalkit_ingests``
    Provenance: one row per ingest (file name, sha256, platform, instrument id and version,
    period, time, rows in / new / already present / quarantined).
``evalkit_settings``
    The workspace's secret key for keyed hashes of identifiers.

An ingest runs in one transaction: a failure at any point (or a crash) leaves the file as
it was. Responses are keyed by ``response_id``, so re-importing an export, or a later export
that contains all earlier rows, adds only the new responses.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by _identifier(); values are bound.
from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.errors import DataError, Location
from evalkit.store.codec import decode_frame, decode_status, encode, verify_round_trip
from evalkit.validate import new_key, validate_file

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from evalkit.instrument.model import Instrument
    from evalkit.validate import ValidationReport

DEFAULT_WORKSPACE = "evalkit.duckdb"
PROVENANCE = "evalkit_ingests"
SETTINGS = "evalkit_settings"
STATUS_COLUMNS = ["instrument_id", "period", "source", "responses"]


@dataclass(frozen=True)
class IngestSummary:
    """What one ``evalkit ingest`` did. ``report`` is the validation report (not in to_dict)."""

    ingest_id: int
    workspace: str
    file: str
    sha256: str
    platform: str
    instrument_id: str
    instrument_version: str
    period: str | None
    ingested_at: str
    rows_in: int
    rows_new: int
    rows_present: int
    rows_quarantined: int
    report: ValidationReport | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("report")
        return data


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise DataError(
            f"{name!r} cannot be a workspace table or column name",
            hint="instrument, item and choice ids are letters, digits and underscores",
        )
    return name


def table_name(instrument_id: str) -> str:
    """The responses table of an instrument (ids are ``[a-z][a-z0-9_]*``)."""
    return _identifier(f"responses__{instrument_id}")


def _quote(name: str) -> str:
    return '"' + _identifier(name) + '"'


def connect(workspace: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the workspace file (created on first write)."""
    import duckdb

    path = Path(workspace)
    if read_only and not path.exists():
        raise DataError(
            "no workspace here",
            Location(file=str(path)),
            "run 'evalkit ingest FILE --instrument ID' first, or give --workspace",
        )
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise DataError(
            f"cannot open the workspace ({str(exc).splitlines()[0]})",
            Location(file=str(path)),
            "close other programs using it, or check that it is an evalkit workspace",
        ) from None


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {SETTINGS} (name VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {PROVENANCE} (
            ingest_id INTEGER PRIMARY KEY, file_name VARCHAR, sha256 VARCHAR, platform VARCHAR,
            instrument_id VARCHAR, instrument_version VARCHAR, period VARCHAR,
            ingested_at TIMESTAMPTZ, rows_in BIGINT, rows_new BIGINT, rows_present BIGINT,
            rows_quarantined BIGINT)"""
    )


def workspace_key(con: duckdb.DuckDBPyConnection) -> str:
    """The workspace's secret for keyed hashes; created on first use."""
    _ensure_meta(con)
    rows = con.execute(f"SELECT value FROM {SETTINGS} WHERE name = 'hmac_key'").fetchall()
    row = rows[0] if rows else None
    if row:
        return str(row[0])
    key = new_key()
    con.execute(f"INSERT INTO {SETTINGS} VALUES ('hmac_key', ?)", [key])
    return key


def _add_missing_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    existing = {r[0] for r in con.execute(f"DESCRIBE {_quote(table)}").fetchall()}
    for name, dtype, *_ in con.execute("DESCRIBE incoming").fetchall():
        if name not in existing:
            con.execute(f"ALTER TABLE {_quote(table)} ADD COLUMN {_quote(name)} {dtype}")


def _record_provenance(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    con.execute(
        f"INSERT INTO {PROVENANCE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            summary.ingest_id, summary.file, summary.sha256, summary.platform,
            summary.instrument_id, summary.instrument_version, summary.period,
            summary.ingested_at, summary.rows_in, summary.rows_new, summary.rows_present,
            summary.rows_quarantined,
        ],
    )  # fmt: skip


def ingest_file(
    path: str | Path,
    instrument: Instrument,
    *,
    workspace: str | Path = DEFAULT_WORKSPACE,
    period: str | None = None,
    platform: str = "auto",
    mapping: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Validate ``path`` and append its valid rows to the workspace, in one transaction.

    Rows whose ``response_id`` is already stored for this instrument are counted as
    already present and left as they are; invalid rows are quarantined (see the report).
    ``progress``, when given, is called before each step (reading, validating, storing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "r.csv").write_text(
    ...     "response_id,engagement_id,mode,worth_time\\nr1,E1,virtual,5\\nr2,E1,virtual,9\\n")
    >>> s = ingest_file(folder / "r.csv", inst, workspace=folder / "w.duckdb", period="2026")
    >>> s.rows_in, s.rows_new, s.rows_present, s.rows_quarantined
    (2, 1, 0, 1)
    >>> s = ingest_file(folder / "r.csv", inst, workspace=folder / "w.duckdb", period="2026")
    >>> s.rows_new, s.rows_present
    (0, 1)
    """
    data = Path(path).read_bytes() if Path(path).is_file() else b""
    con = connect(workspace)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            key = workspace_key(con)
            report = validate_file(path, instrument, platform, mapping, key=key, progress=progress)
            if progress:
                progress(f"storing {report.rows_valid:,} valid rows in {Path(workspace).name}")
            summary = _append(con, report, instrument, data, Path(path).name, period, workspace)
            _record_provenance(con, summary)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return summary


def _append(
    con: duckdb.DuckDBPyConnection,
    report: ValidationReport,
    instrument: Instrument,
    data: bytes,
    file_name: str,
    period: str | None,
    workspace: str | Path,
) -> IngestSummary:
    row = con.execute(f"SELECT coalesce(max(ingest_id), 0) + 1 FROM {PROVENANCE}").fetchall()
    ingest_id = int(row[0][0]) if row else 1
    if report.valid_frame is None or report.valid_status is None:
        raise DataError("validation returned no frame", hint="please report this bug")
    incoming = encode(report.valid_frame, report.valid_status, period, ingest_id)
    table = _quote(table_name(instrument.id))
    con.register("incoming", incoming)
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming LIMIT 0")
        _add_missing_columns(con, table_name(instrument.id))
        new_rows = con.execute(
            f"SELECT count(*) FROM incoming WHERE response_id NOT IN "
            f"(SELECT response_id FROM {table})"
        ).fetchall()[0]
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM incoming "
            f"WHERE response_id NOT IN (SELECT response_id FROM {table})"
        )
        stored = _frame(
            con.execute(
                f"SELECT * FROM {table} WHERE response_id IN (SELECT response_id FROM incoming)"
            )
        )
    finally:
        con.unregister("incoming")
    rows_new = int(new_rows[0]) if new_rows else 0
    verify_round_trip(
        report.valid_frame,
        report.valid_status,
        decode_frame(stored, instrument, str(workspace)),
        decode_status(stored),
        str(workspace),
    )
    return IngestSummary(
        ingest_id=ingest_id,
        workspace=str(workspace),
        file=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        platform=report.platform,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        period=period,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        rows_in=report.rows_in,
        rows_new=rows_new,
        rows_present=report.rows_valid - rows_new,
        rows_quarantined=report.rows_quarantined,
        report=report,
    )


def _frame(result: Any) -> pd.DataFrame:
    """A DuckDB result as a DataFrame (duckdb's converter uses a pandas API pandas 3
    deprecates; the warning is about duckdb, not about evalkit's data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        return result.df()


def _response_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'responses\\_\\_%' "
        "ESCAPE '\\' ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def workspace_status(workspace: str | Path = DEFAULT_WORKSPACE) -> pd.DataFrame:
    """Responses stored, by instrument, period and source: ``instrument_id, period, source,
    responses`` (sorted)."""
    import pandas as pd

    con = connect(workspace, read_only=True)
    try:
        parts = [
            _frame(
                con.execute(
                    f"SELECT ? AS instrument_id, period, source, count(*) AS responses "
                    f"FROM {_quote(t)} GROUP BY period, source",
                    [t.removeprefix("responses__")],
                )
            )
            for t in _response_tables(con)
        ]
    finally:
        con.close()
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in STATUS_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["responses"] = out["responses"].astype("int64")
    return out.sort_values(["instrument_id", "period", "source"]).reset_index(drop=True)[
        STATUS_COLUMNS
    ]


def provenance(workspace: str | Path = DEFAULT_WORKSPACE) -> pd.DataFrame:
    """The provenance table: one row per ingest, oldest first."""
    con = connect(workspace, read_only=True)
    try:
        _exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [PROVENANCE]
        ).fetchall()[0]
        if not _exists or not _exists[0]:
            raise DataError("the workspace has no ingests yet", Location(file=str(workspace)))
        return _frame(con.execute(f"SELECT * FROM {PROVENANCE} ORDER BY ingest_id"))
    finally:
        con.close()


def _load(workspace: str | Path, instrument_id: str, period: str | None) -> pd.DataFrame:
    con = connect(workspace, read_only=True)
    try:
        table = table_name(instrument_id)
        if table not in _response_tables(con):
            raise DataError(
                f"the workspace holds no responses to {instrument_id}",
                Location(file=str(workspace)),
                f"ingest a file with 'evalkit ingest FILE --instrument {instrument_id}'",
            )
        where, args = ("WHERE period = ?", [period]) if period is not None else ("", [])
        return _frame(
            con.execute(
                f"SELECT * FROM {_quote(table)} {where} "
                "ORDER BY ingest_id, submitted_at, response_id",
                args,
            )
        )
    finally:
        con.close()


def load_responses(
    workspace: str | Path, instrument: Instrument | str, period: str | None = None
) -> pd.DataFrame:
    """The canonical frame stored for an instrument (optionally one period), with ``period``.

    Columns: ``response_id, submitted_at, source, period``, then the item columns with the
    canonical dtypes (personal items absent; ``<item>__key`` for keyed identifiers).
    """
    from evalkit.instrument import load_instrument

    inst = load_instrument(instrument) if isinstance(instrument, str) else instrument
    return decode_frame(_load(workspace, inst.id, period), inst, str(workspace))


def load_status(
    workspace: str | Path, instrument: Instrument | str, period: str | None = None
) -> pd.DataFrame:
    """The status columns (answered / blank / seen_unanswered / choice:<value>) per item,
    aligned with :func:`load_responses`, plus ``response_id``."""
    instrument_id = instrument if isinstance(instrument, str) else instrument.id
    raw = _load(workspace, instrument_id, period)
    return decode_status(raw)
