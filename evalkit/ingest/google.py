"""Google Forms CSV downloads (from the form or its response sheet).

``Timestamp`` first (its format follows the form owner's locale), an optional
``Email Address``, then one column per question headed by its full text. Checkbox answers
are joined with ``", "`` although labels may themselves contain commas: they are matched
against the option list, longest first. There is no response id: evalkit uses a hash of
the row's content (timestamp included), so a re-download gives the same ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import (
    PlatformData,
    content_hash,
    norm,
    parse_timestamps,
    split_header,
)

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "google"
TIMESTAMP = {"timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora"}
EMAIL = {"email address", "dirección de correo electrónico", "adresse e-mail", "e-mail-adresse"}


def detect(first_rows: list[list[str]]) -> bool:
    """A Google Forms download starts with a ``Timestamp`` column."""
    return bool(first_rows[0]) and norm(first_rows[0][0]) in TIMESTAMP


def prepare(grid: Grid) -> PlatformData:
    """Headers, body, content-hash ids and timestamps of a Google Forms download."""
    heads, body = split_header(grid.cells, 1)
    headers = heads[0]
    metadata = {i for i, h in enumerate(headers) if norm(h) in TIMESTAMP | EMAIL or not h}
    return PlatformData(
        platform=NAME,
        headers=headers,
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=content_hash(body, "g"),
        submitted_at=parse_timestamps(body[0], path=grid.path, column=headers[0]),
        metadata=metadata,
        multi_sep=", ",
        option_seps=(),
        group_seps=(),
        notes=["Google Forms has no response id: ids are hashes of each row's content"],
    )
