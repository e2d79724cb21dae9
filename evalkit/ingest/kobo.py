"""KoboToolbox CSV and XLSX exports (formpack).

CSV: ``;``-separated, every field quoted (the delimiter is sniffed anyway: the UI has been
seen to write commas). Headers are labels or XML names, with or without ``group/`` prefixes;
an HXL tag row may follow the header. select_multiple comes as ``q`` (space-joined) and/or
``q/option`` 1/0 columns that are empty when the question was not answered. The stable id is
``meta/rootUuid`` when exported, else ``_uuid``; ``_submission_time`` is naive UTC;
``_index`` is generated at export time and never used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, find_column, norm, split_header
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "kobo"
SYSTEM = {
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "_tags",
    "_index",
    "__version__",
    "_version_",
    "_xform_id_string",
    "_attachments",
    "_geolocation",
    "_parent_table_name",
    "_parent_index",
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "phonenumber",
    "simserial",
    "subscriberid",
    "audit",
    "meta/instanceid",
    "meta/rootuuid",
    "meta/deprecatedid",
    "formhub/uuid",
    "instanceid",
    "rootuuid",
    "deprecatedid",
}


def detect(first_rows: list[list[str]]) -> bool:
    """A Kobo export has ``_uuid`` or ``_submission_time`` among its headers."""
    keys = {norm(h) for h in first_rows[0]}
    return "_uuid" in keys or "_submission_time" in keys


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers, body, ids and timestamps of a Kobo export."""
    has_hxl = (
        grid.cells.shape[0] > 1
        and all(v.strip().startswith("#") for v in grid.cells.iloc[1].tolist() if v.strip())
        and any(v.strip() for v in grid.cells.iloc[1].tolist())
    )
    heads, body = split_header(grid.cells, 2 if has_hxl else 1)
    headers = heads[0]
    metadata = {i for i, h in enumerate(headers) if norm(h) in SYSTEM or norm(h).startswith("_")}
    id_pos = find_column(headers, "meta/rootUuid", "rootUuid", "_uuid", "_id")
    time_pos = find_column(headers, "_submission_time")
    response_id = None
    if id_pos is not None:
        response_id = body[id_pos].astype("string")
        if id_pos == find_column(headers, "meta/rootUuid", "rootUuid"):
            fallback = find_column(headers, "_uuid")
            if fallback is not None:
                response_id = response_id.replace("", None).fillna(body[fallback])
        response_id = response_id.str.removeprefix("uuid:")
    submitted = None
    notes = ["an HXL tag row was skipped"] if has_hxl else []
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
        group_seps=("/",),
        notes=notes,
    )
