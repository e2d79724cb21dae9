"""Erasure requests: remove a response, or every response of a respondent, for good.

:func:`erase` deletes the rows from the responses and revisions tables and records a
tombstone, a keyed hash of the erased response id (and of the respondent key), so that an
ingest of an export that still holds the response skips it (counted as erased). The log
keeps only "N responses erased on DATE"; the file is then written anew, so the erased
rows leave its bytes too.
"""

# ruff: noqa: S608  SQL text holds only identifiers checked by identifier(); values are bound.
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from evalkit.errors import DataError, Location
from evalkit.store import db
from evalkit.validate.privacy import KEY_SUFFIX, keyed_hash

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def id_hash(instrument_id: str, response_id: str, key: str) -> str:
    """The tombstone of a response id (exact, case-sensitive), keyed by the workspace."""
    message = f"{instrument_id}\x1f{response_id}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def erased_rows(
    con: duckdb.DuckDBPyConnection, instrument_id: str, incoming: pd.DataFrame, key: str
) -> np.ndarray:
    """Which incoming rows (stored form) were erased before: a boolean mask."""
    rows = con.execute(
        f"SELECT kind, hash FROM {db.TOMBSTONES} WHERE instrument_id = ? OR kind = 'respondent'",
        [instrument_id],
    ).fetchall()
    if not rows or incoming.empty:
        return np.zeros(len(incoming), dtype=bool)
    ids = {h for kind, h in rows if kind == "response"}
    people = {h for kind, h in rows if kind == "respondent"}
    hashes = [id_hash(instrument_id, str(r), key) for r in incoming["response_id"]]
    mask = np.isin(np.asarray(hashes, dtype=object), list(ids))
    for column in incoming.columns:
        if column.endswith(KEY_SUFFIX) and people:
            mask |= incoming[column].isin(people).fillna(False).to_numpy(dtype=bool)
    return mask


@dataclass(frozen=True)
class Erasure:
    """What :func:`erase` removed: responses per instrument, and earlier versions."""

    responses: dict[str, int]
    revisions: int
    erased_on: str

    @property
    def total(self) -> int:
        return sum(self.responses.values())

    def line(self) -> str:
        noun = "response" if self.total == 1 else "responses"
        return f"{self.total} {noun} erased on {self.erased_on}"


def erase(
    workspace: str | Path,
    *,
    response_id: str | None = None,
    respondent: str | None = None,
    instrument_id: str | None = None,
) -> Erasure:
    """Erase a response (by id, in every instrument or one) or every response of a
    respondent (the identifier as the export holds it, e.g. an e-mail address), in one
    transaction: rows, earlier versions, and a tombstone so re-ingests skip them.

    Raises
    ------
    DataError
        Neither or both of ``response_id`` and ``respondent`` given, or nothing matches.
    """
    if (response_id is None) == (respondent is None):
        raise DataError("give either a response id or a respondent key", hint="not both")
    erased_on = datetime.now(UTC).date().isoformat()
    removed: dict[str, int] = {}
    revisions = 0
    with db.transaction(workspace) as con:
        key = db.workspace_key(con)
        person = keyed_hash(respondent, key) if respondent is not None else None
        for table in db.response_tables(con):
            inst = table.removeprefix("responses__")
            if instrument_id is not None and inst != instrument_id:
                continue
            where, args = _match(con, table, response_id, person)
            if where is None:
                continue
            ids = [str(r[0]) for r in con.execute(
                f"SELECT response_id FROM {db.quote(table)} WHERE {where}", args
            ).fetchall()]  # fmt: skip
            rev = db.revisions_name(inst)
            if db.has_table(con, rev):
                rev_where, rev_args = _match(con, rev, response_id, person)
                if rev_where is not None:
                    ids += [str(r[0]) for r in con.execute(
                        f"SELECT DISTINCT response_id FROM {db.quote(rev)} WHERE {rev_where}",
                        rev_args,
                    ).fetchall()]  # fmt: skip
                    found = con.execute(
                        f"SELECT count(*) FROM {db.quote(rev)} WHERE {rev_where} "
                        "OR response_id IN (SELECT unnest(?::VARCHAR[]))",
                        [*rev_args, ids],
                    ).fetchall()[0][0]
                    con.execute(
                        f"DELETE FROM {db.quote(rev)} WHERE {rev_where} "
                        "OR response_id IN (SELECT unnest(?::VARCHAR[]))",
                        [*rev_args, ids],
                    )
                    revisions += int(found)
            con.execute(f"DELETE FROM {db.quote(table)} WHERE {where}", args)
            unique = sorted(set(ids))
            if unique:
                removed[inst] = len(unique)
            for rid in unique:
                con.execute(
                    f"INSERT INTO {db.TOMBSTONES} VALUES (?, 'response', ?, ?::TIMESTAMPTZ)",
                    [inst, id_hash(inst, rid, key), db.now()],
                )
        if person is not None:
            con.execute(
                f"INSERT INTO {db.TOMBSTONES} VALUES (NULL, 'respondent', ?, ?::TIMESTAMPTZ)",
                [person, db.now()],
            )
        result = Erasure(removed, revisions, erased_on)
        if not result.total and response_id is not None:
            raise DataError(
                f"the workspace holds no response {response_id!r}",
                Location(file=str(workspace)),
                "check the id with 'evalkit workspace export' or the platform's export",
            )
        db.log(con, "erase", result.line())
    _rewrite(workspace)
    return result


def _match(
    con: duckdb.DuckDBPyConnection, table: str, response_id: str | None, person: str | None
) -> tuple[str | None, list[str]]:
    if response_id is not None:
        return "response_id = ?", [response_id]
    keys = [c for c in db.columns_of(con, table) if c.endswith(KEY_SUFFIX)]
    if not keys:
        return None, []
    return " OR ".join(f"{db.quote(c)} = ?" for c in keys), [person or ""] * len(keys)


def _rewrite(workspace: str | Path) -> None:
    """Write the workspace anew and put the copy in its place, so the erased rows leave the
    file: DuckDB keeps a deleted row's bytes in its blocks until they are reused, and a
    checkpoint does not clear them. A crash during the copy leaves the workspace as the
    committed erasure left it (rows gone from every table) and a stray ``.rewrite`` file."""
    import os

    path = Path(workspace)
    fresh = path.with_name(path.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    con = db.connect(path)
    try:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH '{_literal(fresh)}' AS evalkit_rewrite")
        quoted = '"' + str(name).replace('"', '""') + '"'
        con.execute(f"COPY FROM DATABASE {quoted} TO evalkit_rewrite")
        con.execute("DETACH evalkit_rewrite")
    except BaseException:
        fresh.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    os.replace(fresh, path)


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")
