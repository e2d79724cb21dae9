"""Microsoft Forms XLSX downloads.

``ID, Start time, Completion time, Email, Name, Last modified time``, then one column per
question headed by its text; multi-select answers are ``;``-joined labels (with a trailing
``;``). ``ID`` is the response id; ``Completion time`` (local time of the form owner, no
zone in the file) is taken as UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, find_column, norm, split_header
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "msforms"
SYSTEM = {
    "id",
    "start time",
    "completion time",
    "email",
    "name",
    "last modified time",
    "total points",
    "quiz feedback",
}


def detect(first_rows: list[list[str]]) -> bool:
    """A Microsoft Forms download has ``ID``, ``Start time`` and ``Completion time``."""
    keys = {norm(h) for h in first_rows[0]}
    return {"id", "start time", "completion time"} <= keys


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers, body, ids and timestamps of a Microsoft Forms download."""
    heads, body = split_header(grid.cells, 1)
    headers = heads[0]
    metadata = {
        i for i, h in enumerate(headers) if norm(h) in SYSTEM or norm(h).startswith("points - ")
    }
    id_pos = find_column(headers, "ID")
    time_pos = find_column(headers, "Completion time")
    notes = ["Microsoft Forms times carry no zone: taken as UTC"]
    return PlatformData(
        platform=NAME,
        headers=headers,
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=None if id_pos is None else body[id_pos].astype("string"),
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
        claimable={i: "email" for i, h in enumerate(headers) if norm(h) == "email"},
        multi_sep=";",
        option_seps=(),
        group_seps=(),
        notes=notes,
    )
