"""Google Forms CSV downloads (from the form or its response sheet).

``Timestamp`` first (the form's own download writes ``2022/06/22 11:07:29 AM AST``; a
sheet's CSV follows the sheet's locale, see :mod:`evalkit.ingest.timestamps`), an optional
``Email Address``, then one column per question headed by its full text. Checkbox answers
are joined with ``;`` (the form's download) or ``", "`` (the sheet) although labels may
themselves contain commas or semicolons: they are matched against the option list, longest
first. There is no response id: evalkit uses a hash of
the row's content (timestamp included), so a re-download gives the same ids. ``Email
Address`` is ignored unless a personal item claims it (``--map``): then it can be the
respondent key, stored only as a keyed hash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import (
    PlatformData,
    content_hash,
    norm,
    split_header,
)
from evalkit.ingest.timestamps import parse_timestamps

if TYPE_CHECKING:
    from evalkit.ingest.detect import Grid

NAME = "google"
TIMESTAMP = {"timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora"}
EMAIL = {"email address", "dirección de correo electrónico", "adresse e-mail", "e-mail-adresse"}


def detect(first_rows: list[list[str]]) -> bool:
    """A Google Forms download starts with a ``Timestamp`` column."""
    return bool(first_rows[0]) and norm(first_rows[0][0]) in TIMESTAMP


def prepare(grid: Grid, date_order: str | None = None) -> PlatformData:
    """Headers, body, content-hash ids and timestamps of a Google Forms download."""
    heads, body = split_header(grid.cells, 1)
    headers = heads[0]
    metadata = {i for i, h in enumerate(headers) if norm(h) in TIMESTAMP | EMAIL or not h}
    notes = ["Google Forms has no response id: ids are hashes of each row's content"]
    submitted = parse_timestamps(
        body[0], path=grid.path, column=headers[0], date_order=date_order, notes=notes
    )
    return PlatformData(
        platform=NAME,
        headers=headers,
        body=body,
        source_row=body.index.to_series() + 1,
        response_id=content_hash(body, "g"),
        submitted_at=submitted,
        metadata=metadata,
        claimable={i: "email" for i, h in enumerate(headers) if norm(h) in EMAIL},
        multi_sep=", ;",
        option_seps=(),
        group_seps=(),
        notes=notes,
    )
