"""Corrections to the workspace: list the ingests, undo one, move responses to another period.

Each command is one transaction (a crash leaves the workspace as it was) and adds a line to
the workspace's log (``evalkit_log``).
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by identifier(); values are bound.
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalkit.errors import DataError, Location
from evalkit.store import db
from evalkit.store.periods import check_period

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

INGEST_COLUMNS = [
    "ingest_id", "ingested_at", "file_name", "sha256", "platform", "instrument_id",
    "instrument_version", "period", "rows_in", "rows_new", "rows_changed", "rows_present",
    "rows_near_duplicate", "rows_erased", "rows_quarantined", "undone_at",
]  # fmt: skip
NO_PERIOD = "-"  # how a period that was never given is written (and named in --period)


def list_ingests(workspace: str | Path = db.DEFAULT_WORKSPACE) -> pd.DataFrame:
    """Every ingest, oldest first: :data:`INGEST_COLUMNS` (counts of ingests made before
    evalkit counted changes and near duplicates are 0; ``undone_at`` NaT unless undone)."""
    import pandas as pd

    from evalkit.store.workspace import provenance

    table = provenance(workspace)
    for column in INGEST_COLUMNS:
        if column not in table:
            table[column] = pd.NA
    out = table[INGEST_COLUMNS].copy()
    for column in [c for c in INGEST_COLUMNS if c.startswith("rows_")]:
        out[column] = out[column].fillna(0).astype("int64")
    return out


@dataclass(frozen=True)
class UndoResult:
    """What undoing an ingest did (or would do, with ``dry_run``)."""

    ingest_id: int
    instrument_id: str
    file_name: str
    removed: int
    restored: int
    superseded: int
    dry_run: bool

    def line(self) -> str:
        parts = [
            f"{self.removed} response{'' if self.removed == 1 else 's'} it added "
            f"{'would be' if self.dry_run else 'were'} removed",
            f"{self.restored} edit{'' if self.restored == 1 else 's'} it applied "
            f"{'would be' if self.dry_run else 'were'} rolled back to the earlier version",
        ]
        if self.superseded:
            parts.append(f"{self.superseded} of its versions that a later ingest replaced "
                         f"{'would leave' if self.dry_run else 'left'} the history")  # fmt: skip
        head = f"ingest {self.ingest_id} ({self.file_name}) undone"
        if self.dry_run:
            head = f"dry run of undoing ingest {self.ingest_id} ({self.file_name}), nothing changed"
        return head + ": " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count(con: duckdb.DuckDBPyConnection, sql: str, args: list[Any]) -> int:
    return int(con.execute(sql, args).fetchall()[0][0])


def undo(workspace: str | Path, ingest_id: int, *, dry_run: bool = False) -> UndoResult:
    """Remove exactly what ingest ``ingest_id`` added or changed, in one transaction.

    Responses it added are removed; responses it edited get their earlier version back;
    responses a later ingest changed keep that later version (the undone version leaves
    the history). Responses it found already present are untouched.

    Raises
    ------
    DataError
        No such ingest, or it was undone already.
    """
    with db.transaction(workspace) as con:
        rows = con.execute(
            f"SELECT instrument_id, file_name, undone_at FROM {db.PROVENANCE} WHERE ingest_id = ?",
            [ingest_id],
        ).fetchall()
        if not rows:
            raise DataError(
                f"the workspace has no ingest {ingest_id}",
                Location(file=str(workspace)),
                "list the ingests with 'evalkit workspace ingests'",
            )
        instrument_id, file_name, undone_at = rows[0]
        if undone_at is not None:
            raise DataError(
                f"ingest {ingest_id} was undone already ({undone_at:%Y-%m-%d %H:%M})",
                Location(file=str(workspace)),
                "list the ingests with 'evalkit workspace ingests'",
            )
        table = db.quote(db.table_name(instrument_id))
        rev_name = db.revisions_name(instrument_id)
        rev = db.quote(rev_name)
        has_rev = db.has_table(con, rev_name)
        has_table = db.has_table(con, db.table_name(instrument_id))
        current = _count(con, f"SELECT count(*) FROM {table} WHERE ingest_id = ?",
                         [ingest_id]) if has_table else 0  # fmt: skip
        restored = superseded = 0
        if has_rev and has_table:
            restored = _count(
                con,
                f"SELECT count(*) FROM {rev} WHERE changed_by_ingest = ? AND response_id IN "
                f"(SELECT response_id FROM {table} WHERE ingest_id = ?)",
                [ingest_id, ingest_id],
            )
            superseded = _count(con, f"SELECT count(*) FROM {rev} WHERE ingest_id = ?",
                                [ingest_id])  # fmt: skip
        result = UndoResult(ingest_id, instrument_id, file_name, current - restored, restored,
                            superseded, dry_run)  # fmt: skip
        if dry_run:
            return result
        if has_rev:
            # a version this ingest replaced, whose replacement a later ingest replaced in
            # turn, is now replaced by that later ingest
            con.execute(
                f"UPDATE {rev} SET changed_by_ingest = (SELECT x.changed_by_ingest FROM {rev} x "
                f"WHERE x.response_id = {rev}.response_id AND x.ingest_id = ?) "
                f"WHERE changed_by_ingest = ? AND response_id IN "
                f"(SELECT response_id FROM {rev} WHERE ingest_id = ?)",
                [ingest_id, ingest_id, ingest_id],
            )
            con.execute(f"DELETE FROM {rev} WHERE ingest_id = ?", [ingest_id])
        if has_table:
            con.execute(f"DELETE FROM {table} WHERE ingest_id = ?", [ingest_id])
        if has_rev and has_table:
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (changed_by_ingest, changed_at) "
                f"FROM {rev} WHERE changed_by_ingest = ?",
                [ingest_id],
            )
            con.execute(f"DELETE FROM {rev} WHERE changed_by_ingest = ?", [ingest_id])
        con.execute(
            f"UPDATE {db.PROVENANCE} SET undone_at = ?::TIMESTAMPTZ WHERE ingest_id = ?",
            [db.now(), ingest_id],
        )
        db.log(con, "undo", result.line())
    return result


@dataclass(frozen=True)
class RelabelResult:
    """What :func:`relabel` moved: responses (current versions), earlier versions, ingests."""

    old: str
    new: str
    responses: int
    revisions: int
    ingests: list[int]

    def line(self) -> str:
        which = f" (ingest {', '.join(map(str, self.ingests))})" if self.ingests else ""
        return (
            f"period {self.old} -> {self.new}: {self.responses} "
            f"response{'' if self.responses == 1 else 's'} moved{which}"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def relabel(
    workspace: str | Path,
    old: str,
    new: str,
    *,
    ingest_id: int | None = None,
    instrument_id: str | None = None,
) -> RelabelResult:
    """Move responses of period ``old`` (``-``: stored without a period) to ``new``, in one
    transaction; only those written by ``ingest_id`` when given, and of one instrument when
    ``instrument_id`` is given. The ingests' own period is corrected too.

    Raises
    ------
    DataError
        ``new`` is not a valid period, or nothing matches.
    """
    with db.transaction(workspace) as con:
        check_period(con, new)
        match = "period IS NULL" if old == NO_PERIOD else "period = ?"
        args: list[Any] = [] if old == NO_PERIOD else [old]
        if ingest_id is not None:
            match += " AND ingest_id = ?"
            args.append(ingest_id)
        moved = revisions = 0
        for table in db.response_tables(con):
            inst = table.removeprefix("responses__")
            if instrument_id is not None and inst != instrument_id:
                continue
            moved += _count(con, f"SELECT count(*) FROM {db.quote(table)} WHERE {match}", args)
            con.execute(f"UPDATE {db.quote(table)} SET period = ? WHERE {match}", [new, *args])
            rev = db.revisions_name(inst)
            if db.has_table(con, rev):
                revisions += _count(con, f"SELECT count(*) FROM {db.quote(rev)} WHERE {match}",
                                    args)  # fmt: skip
                con.execute(f"UPDATE {db.quote(rev)} SET period = ? WHERE {match}", [new, *args])
        extra = "" if instrument_id is None else " AND instrument_id = ?"
        ingests = [int(r[0]) for r in con.execute(
            f"SELECT ingest_id FROM {db.PROVENANCE} WHERE {match}{extra} ORDER BY ingest_id",
            args + ([instrument_id] if instrument_id else []),
        ).fetchall()]  # fmt: skip
        con.execute(
            f"UPDATE {db.PROVENANCE} SET period = ? WHERE {match}{extra}",
            [new, *args, *([instrument_id] if instrument_id else [])],
        )
        if not moved and not ingests:
            raise DataError(
                f"no responses or ingests in period {old}"
                + (f" from ingest {ingest_id}" if ingest_id is not None else ""),
                Location(file=str(workspace)),
                "see the periods with 'evalkit workspace status' and 'evalkit workspace ingests'",
            )
        result = RelabelResult(old, new, moved, revisions, ingests)
        db.log(con, "relabel", result.line())
    return result
