"""``evalkit ingest``: validate a file and merge its valid rows into the workspace.

Every valid row is one of (their counts add up to the valid rows):

new
    a response id the workspace does not hold: added.
changed
    a response id it holds with other answers (an edit on the platform): the stored version
    moves to ``revisions__<id>`` with the ingest that changed it; the last version wins.
already present
    a response id it holds with the same answers: left as it is (an export read twice, or
    the same responses downloaded as CSV and again as XLSX).
near duplicate
    another response id, but the same submission time to the minute and the same answers as
    a stored response (the same answers exported in another format, whose ids the platform
    or the reader made differently, e.g. Google's): skipped and reported by both ids, never
    silently added; ``keep_near_duplicates`` adds them anyway.
erased
    a response (or respondent) erased from the workspace (:func:`erase`): skipped.

The whole ingest is one transaction; before it starts, the quarantine output is checked.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by identifier(); values are bound.
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.errors import DataError, Location
from evalkit.store import db
from evalkit.store.codec import decode_frame, decode_status, encode, verify_round_trip
from evalkit.store.periods import check_period, dates_outside, period_from_dates
from evalkit.store.tombstones import erased_rows
from evalkit.validate import validate_file

if TYPE_CHECKING:
    import duckdb

    from evalkit.instrument.model import Instrument
    from evalkit.validate import ValidationReport

NEAR_DUPLICATE_LINES = 10  # near duplicates listed by id in the summary (all are counted)


@dataclass(frozen=True)
class IngestSummary:
    """What one ``evalkit ingest`` did. ``report`` is the validation report (not in to_dict).

    ``near_duplicates`` pairs each skipped response id with the stored one it repeats;
    ``warnings`` are lines for the user (unknown columns, as validate reports them; dates
    outside the period), ``notes`` too (the period taken from the submission dates).
    """

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
    rows_changed: int = 0
    rows_near_duplicate: int = 0
    rows_erased: int = 0
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: ValidationReport | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("report")
        data["near_duplicates"] = [{"response_id": a, "stored_response_id": b}
                                   for a, b in self.near_duplicates]  # fmt: skip
        return data


def check_output(path: str | Path | None) -> None:
    """Raise unless a file can be written at ``path`` (checked before any transaction)."""
    if path is None:
        return
    target = Path(path)
    folder = target.parent
    problem = None
    if target.is_dir():
        problem = "is a folder"
    elif not folder.is_dir():
        problem = f"is in a folder that does not exist ({folder})"
    elif not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        problem = "cannot be written (no permission)"
    if problem:
        raise DataError(
            f"the quarantine file {problem}; nothing was ingested",
            Location(file=str(target)),
            "give --quarantine a writable file path",
        )


def _record_provenance(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    con.execute(
        f"INSERT INTO {db.PROVENANCE} BY NAME SELECT ? AS ingest_id, ? AS file_name, "
        "? AS sha256, ? AS platform, ? AS instrument_id, ? AS instrument_version, ? AS period, "
        "?::TIMESTAMPTZ AS ingested_at, ? AS rows_in, ? AS rows_new, ? AS rows_present, "
        "? AS rows_quarantined, ? AS rows_changed, ? AS rows_near_duplicate, ? AS rows_erased",
        [
            summary.ingest_id, summary.file, summary.sha256, summary.platform,
            summary.instrument_id, summary.instrument_version, summary.period,
            summary.ingested_at, summary.rows_in, summary.rows_new, summary.rows_present,
            summary.rows_quarantined, summary.rows_changed, summary.rows_near_duplicate,
            summary.rows_erased,
        ],
    )  # fmt: skip


def ingest_file(
    path: str | Path,
    instrument: Instrument,
    *,
    workspace: str | Path = db.DEFAULT_WORKSPACE,
    period: str | None = None,
    platform: str = "auto",
    mapping: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    quarantine: str | Path | None = None,
    keep_near_duplicates: bool = False,
    lock_timeout: float = db.LOCK_TIMEOUT,
    date_order: str | None = None,
) -> IngestSummary:
    """Validate ``path`` and merge its valid rows into the workspace, in one transaction.

    See the module docstring for what happens to each row. ``quarantine``, when given, gets
    the invalid rows; it is checked before the transaction and written inside it, so a
    failure to write it stores nothing. ``progress``, when given, is called before each
    step (reading, validating, storing) and when waiting for another command's lock.
    Without ``period`` the year of the submission dates is taken (and noted in
    ``notes``) when they all fall in one year; otherwise the ingest is refused.

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
    check_output(quarantine)
    data = Path(path).read_bytes() if Path(path).is_file() else b""
    with db.transaction(workspace, lock_timeout=lock_timeout, on_wait=progress) as con:
        check_period(con, period)
        key = db.workspace_key(con)
        report = validate_file(
            path, instrument, platform, mapping, key=key, progress=progress, date_order=date_order
        )
        notes: list[str] = []
        if period is None:
            period, notes = period_from_dates(report.valid_frame, str(path))
        if progress:
            progress(f"storing {report.rows_valid:,} valid rows in {Path(workspace).name}")
        partial = _merge(con, report, instrument, key, period, keep_near_duplicates)
        summary = _finish(partial, report, workspace, path, data, period, con, notes)
        _record_provenance(con, summary)
        if quarantine is not None:
            report.write_quarantine(quarantine)
    return summary


def _finish(
    partial: dict[str, Any],
    report: ValidationReport,
    workspace: str | Path,
    path: str | Path,
    data: bytes,
    period: str | None,
    con: duckdb.DuckDBPyConnection,
    notes: list[str],
) -> IngestSummary:
    return IngestSummary(
        workspace=str(workspace),
        file=Path(path).name,
        sha256=hashlib.sha256(data).hexdigest(),
        platform=report.platform,
        period=period,
        ingested_at=db.now(),
        rows_in=report.rows_in,
        rows_quarantined=report.rows_quarantined,
        # an unknown column, worded as validate words it; then dates outside the period
        warnings=report.file_failures() + dates_outside(con, period, report.valid_frame),
        notes=notes,
        report=report,
        **partial,
    )


def _compared(columns: list[str]) -> list[str]:
    """The columns an edit can change: every answer and status, not the bookkeeping."""
    return [c for c in columns if c not in db.HEAD]


def _same(columns: list[str], left: str, right: str) -> str:
    if not columns:
        return "TRUE"
    return " AND ".join(
        f"{left}.{db.quote(c)} IS NOT DISTINCT FROM {right}.{db.quote(c)}" for c in columns
    )


def _merge(
    con: duckdb.DuckDBPyConnection,
    report: ValidationReport,
    instrument: Instrument,
    key: str,
    period: str | None,
    keep_near_duplicates: bool,
) -> dict[str, Any]:
    if report.valid_frame is None or report.valid_status is None:
        raise DataError("validation returned no frame", hint="please report this bug")
    row = con.execute(f"SELECT coalesce(max(ingest_id), 0) + 1 FROM {db.PROVENANCE}").fetchall()
    ingest_id = int(row[0][0]) if row else 1
    incoming = encode(report.valid_frame, report.valid_status, period, ingest_id)
    erased = erased_rows(con, instrument.id, incoming, key)
    incoming = incoming[~erased].reset_index(drop=True)
    name = db.table_name(instrument.id)
    table = db.quote(name)
    con.register("incoming", incoming)
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM incoming LIMIT 0")
        db.add_missing_columns(con, name, "incoming")
        compared = _compared(list(db.columns_of(con, "incoming")))
        counts = _classify(con, table, compared, keep_near_duplicates)
        if counts["rows_changed"]:
            _keep_revisions(con, instrument.id, ingest_id)
        con.execute(f"DELETE FROM {table} WHERE response_id IN (SELECT response_id FROM changed)")
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM incoming WHERE response_id IN "
            "(SELECT response_id FROM changed UNION ALL SELECT response_id FROM added)"
        )
        stored = db.frame(
            con.execute(
                f"SELECT * FROM {table} WHERE response_id IN "
                "(SELECT response_id FROM changed UNION ALL SELECT response_id FROM added)"
            )
        )
        written = set(stored["response_id"].astype(str))
        mask = report.valid_frame["response_id"].astype(str).isin(written).to_numpy()
        verify_round_trip(
            report.valid_frame[mask],
            report.valid_status[mask],
            decode_frame(stored, instrument, ""),
            decode_status(stored),
            "",
        )
    finally:
        con.unregister("incoming")
        for temp in ("changed", "added", "near"):
            con.execute(f"DROP TABLE IF EXISTS {temp}")
    return {
        "ingest_id": ingest_id,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "rows_erased": int(erased.sum()),
        **counts,
    }


def _classify(
    con: duckdb.DuckDBPyConnection, table: str, compared: list[str], keep_near: bool
) -> dict[str, Any]:
    """Temp tables ``changed``, ``added`` and ``near`` of response ids, and the counts."""
    con.execute(
        f"CREATE TEMP TABLE changed AS SELECT i.response_id FROM incoming i JOIN {table} s "
        f"ON i.response_id = s.response_id WHERE NOT ({_same(compared, 'i', 's')})"
    )
    present = con.execute(
        f"SELECT count(*) FROM incoming i JOIN {table} s ON i.response_id = s.response_id"
    ).fetchall()[0][0]
    con.execute(
        f"CREATE TEMP TABLE near AS SELECT i.response_id, min(s.response_id) AS stored_id "
        f"FROM incoming i JOIN {table} s ON date_trunc('minute', i.submitted_at) = "
        f"date_trunc('minute', s.submitted_at) AND i.response_id <> s.response_id "
        f"AND {_same(compared, 'i', 's')} "
        f"WHERE i.response_id NOT IN (SELECT response_id FROM {table}) GROUP BY i.response_id"
    )
    if keep_near:
        con.execute("DELETE FROM near")
    con.execute(
        f"CREATE TEMP TABLE added AS SELECT response_id FROM incoming WHERE response_id NOT IN "
        f"(SELECT response_id FROM {table}) AND response_id NOT IN (SELECT response_id FROM near)"
    )
    changed = con.execute("SELECT count(*) FROM changed").fetchall()[0][0]
    new = con.execute("SELECT count(*) FROM added").fetchall()[0][0]
    pairs = con.execute("SELECT response_id, stored_id FROM near ORDER BY response_id").fetchall()
    return {
        "rows_new": int(new),
        "rows_changed": int(changed),
        "rows_present": int(present) - int(changed),
        "rows_near_duplicate": len(pairs),
        "near_duplicates": [(str(a), str(b)) for a, b in pairs],
    }


def _keep_revisions(con: duckdb.DuckDBPyConnection, instrument_id: str, ingest_id: int) -> None:
    """Move the stored versions of the changed responses into the revisions table."""
    table = db.quote(db.table_name(instrument_id))
    name = db.revisions_name(instrument_id)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {db.quote(name)} AS SELECT *, "
        f"CAST(NULL AS INTEGER) AS changed_by_ingest, CAST(NULL AS TIMESTAMPTZ) AS changed_at "
        f"FROM {table} LIMIT 0"
    )
    db.add_missing_columns(con, name, db.table_name(instrument_id))
    con.execute(
        f"INSERT INTO {db.quote(name)} BY NAME SELECT *, ? AS changed_by_ingest, "
        f"?::TIMESTAMPTZ AS changed_at FROM {table} "
        "WHERE response_id IN (SELECT response_id FROM changed)",
        [ingest_id, db.now()],
    )
