"""ODK Central CSV exports.

``,``-separated, no BOM; groups joined by ``-`` (``g1-q2``); split select_multiple options
as ``q/option`` 1/0 columns; ``SubmissionDate`` is ISO 8601 UTC; ``KEY`` is the stable id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, find_column, norm, split_header
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "odk"
SYSTEM = {
    "submissiondate",
    "meta-instanceid",
    "key",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "deviceid",
    "edits",
    "formversion",
    "start",
    "end",
    "today",
    "meta-audit",
    "instanceid",
}


def detect(first_rows: list[list[str]]) -> bool:
    """An ODK Central export has ``SubmissionDate`` and ``KEY`` headers."""
    keys = {norm(h) for h in first_rows[0]}
    return "submissiondate" in keys and "key" in keys


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers, body, ids and timestamps of an ODK Central export."""
    heads, body = split_header(grid.cells, 1)
    headers = heads[0]
    metadata = {i for i, h in enumerate(headers) if norm(h) in SYSTEM}
    key = find_column(headers, "KEY")
    time_pos = find_column(headers, "SubmissionDate")
    response_id = None
    if key is not None:
        response_id = body[key].astype("string").str.removeprefix("uuid:")
    submitted = None
    notes: list[str] = []
    if time_pos is not None:
        submitted = parse_timestamps(
            body[time_pos],
            path=grid.path,
            column=headers[time_pos],
            date_order=date_order,
            notes=notes,
        )
    return PlatformData(
        platform=NAME,
        headers=headers,
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=response_id,
        submitted_at=submitted,
        metadata=metadata,
        multi_sep=" ",
        option_seps=("/",),
        group_seps=("-",),
        notes=notes,
    )
