"""Qualtrics CSV/TSV exports.

Current format: three header rows (export tag; question text; ImportId JSON, which may carry
``timeZone`` on date columns and ``choiceId`` on split multi-select columns). Legacy format:
two header rows (``V1..V10`` then tags; then texts), a UTF-8 BOM and a trailing comma.
Multi-select answers come joined (``1,3``) or split into one column per choice. Choice codes
are recode values or 1-based positions. ``-99`` is the usual "seen but unanswered" recode.
``ResponseId`` (legacy ``ResponseID``) is the stable id; ``RecordedDate`` the submission time.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, find_column, norm, split_header
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "qualtrics"
SYSTEM = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration (in seconds)",
    "finished",
    "recordeddate",
    "responseid",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "distributionchannel",
    "userlanguage",
    "q_recaptchascore",
    "responseset",
    "name",
    "emailaddress",
}
_LEGACY_V = re.compile(r"^V\d+$")


def _is_import_row(row: list[str]) -> bool:
    return any(cell.strip().startswith('{"ImportId"') for cell in row)


def detect(first_rows: list[list[str]]) -> bool:
    """Three header rows with an ImportId JSON row, or the legacy ``V1``/``ResponseID`` rows."""
    if len(first_rows) >= 3 and _is_import_row(first_rows[2]):
        return True
    if len(first_rows) >= 2 and first_rows[0] and _LEGACY_V.match(first_rows[0][0].strip()):
        return "responseid" in {norm(h) for h in first_rows[1]}
    return False


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers (tags), question texts, ids, time zone and split choice ids of an export."""
    first = [[str(v) for v in grid.cells.iloc[i].tolist()] for i in range(min(3, len(grid.cells)))]
    legacy = not (len(first) >= 3 and _is_import_row(first[2]))
    heads, body = split_header(grid.cells, 2 if legacy else 3)
    tags, texts = heads[0], heads[1]
    import_ids = [{} for _ in tags] if legacy else [_json(cell) for cell in heads[2]]
    # Legacy files end each line with a comma: drop columns with no header and no data.
    keep = [i for i, t in enumerate(tags) if t or texts[i] or (body[i] != "").any()]
    metadata: set[int] = set()
    for i in keep:
        key = norm(tags[i])
        question = str(import_ids[i].get("ImportId", "")).startswith("QID")
        if question and not (key.endswith("_do") or key.endswith("_text")):
            continue
        if (
            key in SYSTEM
            or norm(texts[i]) in SYSTEM
            or _LEGACY_V.match(tags[i])
            or key.endswith("_do")
            or key.endswith("_text")
        ):
            metadata.add(i)
    id_pos = find_column(tags, "ResponseId") if not legacy else find_column(texts, "ResponseID")
    time_pos = find_column(tags, "RecordedDate", "EndDate", "StartDate")
    if legacy:
        time_pos = find_column(texts, "EndDate", "StartDate")
    zones = [d.get("timeZone") for d in import_ids if isinstance(d.get("timeZone"), str)]
    zone = None
    if time_pos is not None and import_ids[time_pos].get("timeZone"):
        zone = import_ids[time_pos]["timeZone"]
    elif zones:
        zone = zones[0]
    notes = [f"times are in {zone} (from the ImportId row)"] if zone else []
    if time_pos is not None and not zone:
        notes.append("no time zone in the export: times taken as UTC")
    claimable = {i: "other_text" for i in metadata if norm(tags[i]).endswith("_text")}
    claimable |= {i: "email" for i in metadata if norm(tags[i]) == "recipientemail"}
    splits = {
        i: (str(d.get("ImportId", "")), str(d["choiceId"]))
        for i, d in enumerate(import_ids)
        if "choiceId" in d and i not in metadata
    }
    return PlatformData(
        platform=NAME,
        headers=[tags[i] if i in keep else "" for i in range(len(tags))],
        texts=[_strip_suffix(texts[i]) for i in range(len(texts))],
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=None if id_pos is None else body[id_pos].astype("string"),
        submitted_at=None
        if time_pos is None
        else parse_timestamps(
            body[time_pos],
            tz=zone or "UTC",
            path=grid.path,
            column=texts[time_pos] if legacy else tags[time_pos],
            date_order=date_order,
            notes=notes,
            zone_hint=zone is not None,
        ),
        metadata=metadata | {i for i in range(len(tags)) if i not in keep},
        multi_sep=",",
        option_seps=(),
        group_seps=(),
        seen_unanswered=frozenset({"-99"}),
        positional_codes=True,
        split_choice_ids=splits,
        notes=notes,
        claimable=claimable,
    )


def _json(cell: str) -> dict:
    try:
        value = json.loads(cell)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _strip_suffix(text: str) -> str:
    return re.sub(r"\s*-\s*Selected Choice\s*$", "", text)
