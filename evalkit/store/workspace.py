"""Reading the workspace: what it holds (status, ingests) and the stored responses.

The tables are described in :mod:`evalkit.store.db`; an ingest (:mod:`evalkit.store.ingest`)
merges a file's valid rows by ``response_id``, so re-importing an export, or a later export
that contains all earlier rows, adds only the new responses and applies edits.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by identifier(); values are bound.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import DataError, Location
from evalkit.store import db
from evalkit.store.codec import decode_frame, decode_status
from evalkit.store.db import DEFAULT_WORKSPACE, table_name

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument

STATUS_COLUMNS = ["instrument_id", "period", "source", "responses"]
__all__ = ["DEFAULT_WORKSPACE", "load_responses", "load_status", "provenance", "table_name",
           "workspace_status"]  # fmt: skip


def workspace_status(workspace: str | Path = DEFAULT_WORKSPACE) -> pd.DataFrame:
    """Responses stored, by instrument, period and source: ``instrument_id, period, source,
    responses`` (sorted)."""
    import pandas as pd

    con = db.connect(workspace, read_only=True)
    try:
        parts = [
            db.frame(
                con.execute(
                    f"SELECT ? AS instrument_id, period, source, count(*) AS responses "
                    f"FROM {db.quote(t)} GROUP BY period, source",
                    [t.removeprefix("responses__")],
                )
            )
            for t in db.response_tables(con)
        ]
    finally:
        con.close()
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in STATUS_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out["responses"] = out["responses"].astype("int64")
    return out.sort_values(["instrument_id", "period", "source"]).reset_index(drop=True)[
        STATUS_COLUMNS
    ]


def provenance(workspace: str | Path = DEFAULT_WORKSPACE) -> pd.DataFrame:
    """The provenance table: one row per ingest, oldest first (undone ones included, with
    ``undone_at``)."""
    con = db.connect(workspace, read_only=True)
    try:
        if not db.has_table(con, db.PROVENANCE):
            raise DataError("the workspace has no ingests yet", Location(file=str(workspace)))
        return db.frame(con.execute(f"SELECT * FROM {db.PROVENANCE} ORDER BY ingest_id"))
    finally:
        con.close()


def _load(workspace: str | Path, instrument_id: str, period: str | None) -> pd.DataFrame:
    con = db.connect(workspace, read_only=True)
    try:
        table = table_name(instrument_id)
        if table not in db.response_tables(con):
            raise DataError(
                f"the workspace holds no responses to {instrument_id}",
                Location(file=str(workspace)),
                f"ingest a file with 'evalkit ingest FILE --instrument {instrument_id}'",
            )
        where, args = ("WHERE period = ?", [period]) if period is not None else ("", [])
        return db.frame(
            con.execute(
                f"SELECT * FROM {db.quote(table)} {where} "
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
    return decode_status(_load(workspace, instrument_id, period))
