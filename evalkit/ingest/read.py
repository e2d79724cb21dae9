"""``read_responses``: any supported export → the canonical frame (see :mod:`.canonical`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import Location, UsageError
from evalkit.ingest import generic, google, kobo, msforms, odk, qualtrics
from evalkit.ingest._base import InputError, norm
from evalkit.ingest._cells import short_row_issues
from evalkit.ingest.canonical import build_canonical
from evalkit.ingest.detect import Grid, read_grid
from evalkit.ingest.timestamps import check_date_order

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.instrument.model import Instrument

# Detection order matters: the most specific signatures first; evalkit/generic last.
PLATFORMS = {
    "qualtrics": qualtrics,
    "odk": odk,
    "kobo": kobo,
    "msforms": msforms,
    "google": google,
    "evalkit": generic,
}
PLATFORM_NAMES = (*PLATFORMS, "generic")


@dataclass
class IngestResult:
    """A response file read into the canonical frame.

    Attributes
    ----------
    frame
        The canonical frame (one row per data row of the file, in file order). It still
        holds personal (``pii``) items: analysis uses the validated frame
        (:attr:`evalkit.validate.ValidationReport.valid_frame`) or the workspace, never this.
    status
        One categorical column per item: answered / blank / seen_unanswered / choice:<value>.
    source_row
        The spreadsheet row number (header = row 1) of each frame row.
    issues
        Cells that could not be converted: ``row`` (frame position), item, value, code, message.
    columns
        What each column of the file was used as: position, header, used_as, item, choice.
    raw
        The file's data rows as text with their original headers (for the quarantine file);
        None after :func:`evalkit.validate.validate_file` has taken the quarantined rows.
    """

    frame: pd.DataFrame
    status: pd.DataFrame
    source_row: pd.Series
    issues: pd.DataFrame
    columns: pd.DataFrame
    raw: pd.DataFrame | None
    platform: str
    detected: bool
    path: str
    encoding: str | None
    delimiter: str | None
    notes: list[str] = field(default_factory=list)


def detect_platform(grid: Grid) -> str:
    """The platform whose export this looks like (``evalkit``/``generic`` as a fallback)."""
    rows = range(min(3, len(grid.cells)))
    first = [[str(v).strip() for v in grid.cells.iloc[i].tolist()] for i in rows]
    for name, module in PLATFORMS.items():
        if module.detect(first):
            return name
    return "generic"


def read_responses(
    path: str | Path,
    instrument: Instrument,
    platform: str = "auto",
    mapping: dict[str, str] | None = None,
    *,
    date_order: str | None = None,
) -> IngestResult:
    """Read a platform export into the canonical frame of ``instrument``.

    Parameters
    ----------
    path
        CSV/TSV/TXT (any of UTF-8 ± BOM, UTF-16, cp1252; ``,`` ``;`` or tab) or XLSX.
    instrument
        The questionnaire the responses answer.
    platform
        ``auto`` (detect from the headers) or one of :data:`PLATFORM_NAMES`.
    mapping
        ``{header: item id | <item>__<choice> | "ignore"}`` for custom headers.
    date_order
        ``dmy``, ``mdy`` or ``ymd``: the day/month order of dates such as ``9/11/2022``
        (``--date-order``); by default taken from the file, which is refused when nothing
        in it decides (see :mod:`evalkit.ingest.timestamps`).

    Raises
    ------
    DataError
        The file cannot be read or matches no item of the instrument.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = path.write_text("response_id,mode,worth_time\\nr1,Virtual,5\\nr2,En persona,na\\n")
    >>> result = read_responses(path, inst)
    >>> result.platform, result.frame["mode"].tolist(), result.frame["worth_time"].tolist()
    ('evalkit', ['virtual', 'in_person'], [5, <NA>])
    >>> result.status["worth_time"].tolist()
    ['answered', 'choice:na']
    """
    import pandas as pd

    if platform != "auto" and platform not in PLATFORM_NAMES:
        raise UsageError(
            f"unknown platform {platform!r}",
            hint="choose one of auto, " + ", ".join(PLATFORM_NAMES),
        )
    check_date_order(date_order)
    grid = read_grid(path)
    refuse_repeat_table(grid)
    detected = platform == "auto"
    name = detect_platform(grid) if detected else platform
    module = PLATFORMS.get(name, generic)
    data = module.prepare(grid, date_order)
    data.path_hint = grid.path
    # only data.body holds the cells from here (build_canonical frees them as it converts)
    file, encoding, delimiter, empty_rows, short = (
        grid.path,
        grid.encoding,
        grid.delimiter,
        grid.empty_rows,
        grid.short_rows,
    )
    del grid
    if data.response_id is None:
        raise InputError(
            "wrong-platform",
            f"the file has no response-id column of a {name} export",
            Location(file=file),
            "use --platform auto, or the platform that exported the file",
        )
    if data.body.empty:
        raise InputError(
            "no-responses",
            "the file has a header but no responses",
            Location(file=file),
            "export again after responses have come in",
        )
    result = build_canonical(data, instrument, mapping)
    if result.absent:
        data.notes.append("no column for item(s) " + ", ".join(result.absent))
    raw = data.body.reset_index(drop=True)  # copy-on-write: no copy of the cells
    raw.columns = _unique_headers(data.headers)
    return IngestResult(
        frame=result.frame,
        status=result.status,
        source_row=pd.Series(data.source_row.to_numpy(), name="source_row"),
        issues=_with_short_rows(result.issues, short, data.source_row, data.headers),
        columns=result.columns,
        raw=raw,
        platform=data.platform if name != "generic" else "generic",
        detected=detected,
        path=file,
        encoding=encoding,
        delimiter=delimiter,
        notes=data.notes + ([f"{empty_rows} empty row(s) skipped"] if empty_rows else []),
    )


def _with_short_rows(
    issues: pd.DataFrame, short: dict[int, int], source_row: pd.Series, headers: list[str]
) -> pd.DataFrame:
    """The conversion issues and one ``short-row`` issue per row cut short (issue 16)."""
    import pandas as pd

    flagged = short_row_issues(short, source_row, headers)
    return issues if flagged.empty else pd.concat([issues, flagged], ignore_index=True)


# the columns that link a repeat group's rows to their submission: ODK Central / Briefcase
# (``PARENT_KEY``), Kobo's XLSX repeat sheets (``_parent_table_name``, ``_parent_index``)
_PARENT_COLUMNS = ("parent_key", "_parent_table_name", "_parent_index")


def refuse_repeat_table(grid: Grid) -> None:
    """Refuse a repeat group's table (one row per repeat, not per response).

    ODK Central's ZIP holds ``form.csv`` (the submissions) and ``form-repeat.csv`` per repeat
    group, whose rows point to their submission through ``PARENT_KEY``; Kobo's XLSX has a
    sheet per repeat with ``_parent_table_name``/``_parent_index``. Read as responses, such
    a table would count each repeat (a household member, a visit) as a respondent.
    """
    if grid.cells.empty:
        return
    headers = [str(h).strip() for h in grid.cells.iloc[0].tolist()]
    keys = [norm(h) for h in headers]
    found = next((headers[keys.index(k)] for k in _PARENT_COLUMNS if k in keys), None)
    if found is None:
        return
    parent = ""
    if "_parent_table_name" in keys and len(grid.cells) > 1:
        parent = str(grid.cells.iloc[1, keys.index("_parent_table_name")]).strip()
    stem = Path(grid.path).stem
    if parent:
        instead = f"give the {parent!r} table instead (the first sheet of the Kobo XLSX)"
    elif "-" in stem:
        main = stem.rsplit("-", 1)[0] + Path(grid.path).suffix
        instead = (
            f"give the submissions' table instead ({main!r} in ODK Central's ZIP, the one "
            "with SubmissionDate)"
        )
    else:
        instead = (
            "give the submissions' table instead (in ODK Central's ZIP the CSV named after "
            "the form, with SubmissionDate; in a Kobo XLSX the first sheet)"
        )
    raise InputError(
        "repeat-table",
        f"this is a repeat group's table, one row per repeat (column {found!r} links each "
        "row to its submission), not the responses",
        Location(file=grid.path),
        instead,
    )


def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a ``--map`` YAML file: ``columns: {header: item | <item>__<choice> | ignore}``."""
    from evalkit.instrument.yamlio import read_yaml

    where = Location(file=str(path))
    try:
        loaded, _ = read_yaml(
            path,
            what="map file",
            error=lambda message, at, hint: InputError("bad-map", message, at, hint),
            empty_hint='write columns: {"Header in the file": item_id}',
        )
    except OSError as exc:
        raise InputError(
            "bad-map",
            f"cannot read the map file ({type(exc).__name__})",
            where,
            "give a YAML file with a 'columns:' mapping",
        ) from None
    columns = loaded.get("columns") if isinstance(loaded, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise InputError(
            "bad-map",
            "the map file has no 'columns:' mapping",
            where,
            'write columns: {"Header in the file": item_id}',
        )
    return {str(k): str(v) for k, v in columns.items()}


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(headers):
        name = header or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out
