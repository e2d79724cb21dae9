"""evalkit's own CSV/XLSX (the canonical frame written out) and any other plain table.

Headers are item ids, export tags or question texts; ``response_id`` and ``submitted_at``
are used when present (otherwise a content hash and no time). Multi-select answers may be
``<item>__<choice>`` (or ``<item>/<choice>``) 1/0 columns, empty when unanswered, or one
cell of choice values or labels separated by spaces, commas or semicolons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import (
    PlatformData,
    content_hash,
    find_column,
    norm,
    split_header,
)
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "evalkit"
SYSTEM = {"response_id", "submitted_at", "source", "period"}


def detect(first_rows: list[list[str]]) -> bool:
    """evalkit's CSV has a ``response_id`` column; anything else is read as generic."""
    return "response_id" in {norm(h) for h in first_rows[0]}


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers, body, ids and timestamps of an evalkit or generic table."""
    heads, body = split_header(grid.cells, 1)
    headers = heads[0]
    metadata = {i for i, h in enumerate(headers) if norm(h) in SYSTEM}
    id_pos = find_column(headers, "response_id")
    time_pos = find_column(headers, "submitted_at")
    response_id = content_hash(body, "h") if id_pos is None else body[id_pos].astype("string")
    notes = [] if id_pos is not None else ["no response_id column: ids are content hashes"]
    return PlatformData(
        platform=NAME if id_pos is not None else "generic",
        headers=headers,
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=response_id,
        submitted_at=None
        if time_pos is None
        else parse_timestamps(
            body[time_pos],
            path=grid.path,
            column=headers[time_pos],
            date_order=date_order,
            notes=notes,
        ),
        metadata=metadata,
        multi_sep=" ,;",
        option_seps=("__", "/"),
        group_seps=("/",),
        notes=notes,
    )
