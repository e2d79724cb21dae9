"""The canonical column header for offices that type paper forms into a spreadsheet.

``response_id, submitted_at, source``, then one column per item in order; a select_multiple
item gets one ``<item>__<choice>`` column per choice (type 1 when ticked, 0 when not, leave
the row's columns empty when the question was not answered). Personal-data items are
included: the office types them in, and evalkit keeps them out of every report.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.export._common import ExportResult, cell
from evalkit.instrument.model import Instrument
from evalkit.io import write_text_atomic

META_COLUMNS = ("response_id", "submitted_at", "source")


def template_columns(instrument: Instrument) -> list[str]:
    """The canonical header row of an instrument.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> columns = template_columns(load_instrument("post_engagement"))
    >>> columns[:4]
    ['response_id', 'submitted_at', 'source', 'engagement_id']
    >>> columns[9:11]
    ['next_step', 'next_step_types__meeting']
    """
    columns = list(META_COLUMNS)
    for item in instrument.items:
        if item.type == "select_multiple":
            choices = instrument.choices_for(item)
            columns += [f"{item.id}__{choice.name}" for choice in choices or ()]
        else:
            columns.append(item.id)
    return columns


def export_csv_template(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the header row as a UTF-8 CSV (atomically); ``lang`` is not used."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        [cell(c) for c in template_columns(instrument)]
    )
    write_text_atomic(path, buffer.getvalue())
    notes = (
        "type one row per returned form; response_id is the number written on the paper form; "
        "submitted_at as YYYY-MM-DD; source as 'paper'",
    )
    return ExportResult("csv-template", Path(path), (), notes)
