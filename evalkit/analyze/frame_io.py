"""Read a canonical response frame saved as CSV (or Parquet), typed by its instrument.

This is the small bridge that lets ``evalkit analyze --frame`` work before platform ingest
lands: the file holds the canonical frame's columns (``response_id``, item ids, and
``<item>__<choice>`` for select_multiple). Columns of personal-data items (``pii: true``) are
dropped on reading, so they can never reach an analysis output.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze.breakdown import ENGAGEMENT_COLUMNS
from evalkit.analyze.filters import ENGAGEMENT
from evalkit.errors import DataError, EvalkitError, Location
from evalkit.instrument.model import Instrument

_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f"}


class FrameError(EvalkitError):
    """A canonical frame file was read but a column holds values of the wrong type."""

    code = "frame-invalid"
    exit_code = 1


def _bool_column(raw: pd.Series, path: str, column: str) -> pd.Series:
    text = raw.astype("string").str.strip().str.lower()
    known = text.isna() | text.isin(_TRUE | _FALSE) | (text == "")
    if not known.all():
        row = int(np.flatnonzero(~known.to_numpy())[0])
        raise FrameError(
            f"{raw.iloc[row]!r} is not true/false",
            Location(file=path, row=row + 2, column=column),
            "select_multiple columns hold true/false (or 1/0), empty when not answered",
        )
    out = pd.array(text.isin(_TRUE).to_numpy(), dtype="boolean")
    out[(text.isna() | (text == "")).to_numpy()] = pd.NA
    return pd.Series(out, index=raw.index, name=column)


def _numeric_column(raw: pd.Series, path: str, column: str, kind: str, allowed=()) -> pd.Series:
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return _typed_number(raw, path, column, kind)
    text = raw.astype("string").str.strip()
    number = pd.to_numeric(text, errors="coerce")
    bad = text.notna() & (text != "") & number.isna() & ~text.isin(list(allowed))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise FrameError(
            f"{raw.iloc[row]!r} is not a number",
            Location(file=path, row=row + 2, column=column),
            f"{kind} items hold numbers in the canonical frame",
        )
    if allowed and text.isin(list(allowed)).any():
        return text  # keeps "na"-style missing choices countable; analysis maps them to NA
    return _typed_number(number, path, column, kind)


def _typed_number(number: pd.Series, path: str, column: str, kind: str) -> pd.Series:
    if kind not in ("integer", "likert", "nps"):
        return number.astype("Float64")
    values = number.to_numpy(dtype=float, na_value=np.nan)
    fractional = ~np.isnan(values) & (values != np.round(values))
    if fractional.any():
        row = int(np.flatnonzero(fractional)[0])
        raise FrameError(
            f"{values[row]!r} is not a whole number",
            Location(file=path, row=row + 2, column=column),
            f"{kind} items hold whole numbers",
        )
    return number.astype("Int64")


def _read_csv(path: Path, instrument: Instrument) -> pd.DataFrame:
    """Read with nullable dtypes (Int64, boolean, string) inferred by the reader;
    :func:`type_frame` then checks each column against its item and names bad rows."""
    return pd.read_csv(path, engine="pyarrow", dtype_backend="numpy_nullable")


def read_frame(
    path: str | Path, instrument: Instrument, keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read a canonical frame file (``.csv`` or ``.parquet``) and type its columns.

    Raises
    ------
    DataError
        The file does not exist or cannot be parsed (exit code 2).
    FrameError
        A column holds values its item type cannot have (exit code 1), naming row and column.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError("file not found", Location(file=str(p)), "check the path given to --frame")
    try:
        raw = pd.read_parquet(p) if p.suffix.lower() == ".parquet" else _read_csv(p, instrument)
    except (ValueError, OSError, ImportError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot read the frame ({type(exc).__name__}: {exc})",
            Location(file=str(p)),
            "save the canonical frame as UTF-8 CSV with a header row",
        ) from exc
    return type_frame(raw, instrument, str(p), keep)


def type_frame(
    raw: pd.DataFrame, instrument: Instrument, path: str = "<frame>", keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Give each column of a text-typed frame the canonical dtype of its item; drop pii.

    ``keep`` names personal-data columns to keep anyway: only the (hashed) respondent key that
    links pre and post waves, which the analysis uses for matching and never outputs.
    """
    out: dict[str, pd.Series] = {}
    for column in raw.columns:
        item_id = column.split("__", 1)[0]
        if not instrument.has_item(item_id):
            out[column] = raw[column]
            continue
        item = instrument.item(item_id)
        if item.pii and column not in keep:
            continue
        series = raw[column]
        if item.type == "select_multiple":
            out[column] = (
                series if series.dtype == "boolean" else _bool_column(series, path, column)
            )
        elif item.type in ("likert", "integer", "decimal", "nps"):
            choice_list = instrument.choices_for(item)
            allowed = tuple(c.name for c in choice_list if c.missing) if choice_list else ()
            out[column] = _numeric_column(series, path, column, item.type, allowed)
        elif item.type == "select_one":
            # categorical: the analysis then reads integer codes instead of hashing strings
            out[column] = series.astype("string").astype("category")
        elif item.type in ("text", "date"):
            out[column] = (
                series if pd.api.types.is_string_dtype(series) else series.astype("string")
            )
        else:
            out[column] = series
    return pd.DataFrame(out, index=raw.index, copy=False)


def run_paired(pre_path: str | Path, post_path: str | Path, instrument: Instrument, options):
    """Read two wave files, keeping the (hashed) respondent key, and run the paired analysis."""
    import hashlib

    from evalkit.analyze.paired import analyze_paired

    key = next((i.id for i in instrument.items if i.role == "id"), None)
    keep = (key,) if key else ()
    pre = read_frame(pre_path, instrument, keep)
    post = read_frame(post_path, instrument, keep)
    digest = hashlib.sha256()
    for path in (pre_path, post_path):
        digest.update(Path(path).read_bytes())
    return analyze_paired(pre, post, instrument, options, key, digest.hexdigest())


def restore_missing_choices(
    frame: pd.DataFrame, status: pd.DataFrame | None, instrument: Instrument
) -> pd.DataFrame:
    """Put "not applicable"-type answers (``missing: true`` choices) back into their columns.

    Ingest keeps such answers as NA in the typed column and records them in a status frame
    (``choice:<value>``); the engine counts them in descriptives when the column holds the
    choice value itself. Only the affected columns change: they become categoricals of text
    (``"5"``, ``"na"``), built from codes, so a million rows cost no Python string each.
    """
    if status is None:
        return frame
    restored = {}
    for item in instrument.items:
        choices = instrument.choices_for(item)
        if choices is None or not any(c.missing for c in choices) or item.id not in frame:
            continue
        if item.id not in status:
            continue
        column = _with_missing_choices(frame[item.id], status[item.id])
        if column is not None:
            restored[item.id] = column
    if not restored:
        return frame
    return frame.assign(**{k: pd.Series(v, index=frame.index) for k, v in restored.items()})


def _with_missing_choices(values: pd.Series, status: pd.Series) -> pd.Categorical | None:
    """``values`` as a text categorical with ``choice:<name>`` statuses put back as ``name``;
    None when no row has such a status."""
    status_codes, status_names = pd.factorize(status.reset_index(drop=True), use_na_sentinel=True)
    names = [str(s) for s in status_names]
    missing = {i: n.removeprefix("choice:") for i, n in enumerate(names) if n.startswith("choice:")}
    hits = np.isin(status_codes, list(missing))
    if not hits.any():
        return None
    codes, uniques = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    categories = [str(u) for u in uniques]
    categories += sorted(set(missing.values()) - set(categories))
    position = {c: i for i, c in enumerate(categories)}
    by_status = np.full(len(names), -1, dtype=np.int64)
    for i, name in missing.items():
        by_status[i] = position[name]
    codes = np.asarray(codes, dtype=np.int64)
    codes[hits] = by_status[status_codes[hits]]
    return pd.Categorical.from_codes(codes, categories=categories)


def frame_from_export(
    path: str | Path,
    instrument: Instrument,
    platform: str = "auto",
    progress: Callable[[str], None] | None = None,
    columns: Collection[str] | None = None,
    date_order: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The valid rows of a platform export (read and validated by ingest), ready to analyse.

    Returns the frame and a dict with the row counts (``rows_in``, ``rows_valid``,
    ``rows_quarantined``) and the file's ``input_sha256``. ``progress`` is passed on to
    :func:`evalkit.validate.validate_file`; ``columns`` (item ids, e.g.
    :func:`evalkit.analyze.analysis_columns`) limits the frame to those items' columns;
    ``date_order`` is the day/month order of the file's dates (``--date-order``).
    """
    from concurrent.futures import ThreadPoolExecutor

    from evalkit.analyze.engine import file_sha256
    from evalkit.ingest.detect import wait_for_prefetch
    from evalkit.validate import validate_file

    def hash_after_parse() -> str:
        # a file read ahead is still being parsed on both cores: hashing it meanwhile would
        # slow the parse the command is waiting for (tests/ingest/test_prefetch.py)
        wait_for_prefetch(path)
        return file_sha256(path)

    with ThreadPoolExecutor(max_workers=1) as pool:
        # hashlib releases the GIL: the file is hashed while it is converted and validated
        digest = pool.submit(hash_after_parse)
        report = validate_file(
            path, instrument, platform, progress=progress, columns=columns, date_order=date_order
        )
        sha256 = digest.result()
    if report.valid_frame is None or len(report.valid_frame) == 0:
        raise DataError(
            f"no valid rows among {report.rows_in}",
            Location(file=str(path)),
            "run 'evalkit validate' on the file to see why",
        )
    frame = restore_missing_choices(report.valid_frame, report.valid_status, instrument)
    counts = {
        "rows_in": report.rows_in,
        "rows_valid": report.rows_valid,
        "rows_quarantined": report.rows_quarantined,
        "input_sha256": sha256,
    }
    return frame, counts


def frame_from_workspace(
    workspace: str | Path,
    instrument: Instrument,
    period: str | None,
    columns: Collection[str] | None = None,
) -> pd.DataFrame:
    """The stored responses of an instrument (one period or all), ready to analyse.

    When ``columns`` (e.g. :func:`evalkit.analyze.analysis_columns`) name an engagement
    column of the activity register (``activity_type``, ``network``, ``sector``) that the
    instrument lacks, it is joined from the register stored for the same period by
    engagement code (:func:`join_engagements`).
    """
    from evalkit.store import load_responses, load_status

    if not Path(workspace).is_file():
        raise DataError(
            "no such workspace", Location(file=str(workspace)), "create it with 'evalkit ingest'"
        )
    frame = load_responses(workspace, instrument, period)
    if len(frame) == 0:
        raise DataError(
            f"the workspace holds no {instrument.id} responses for period {period}",
            Location(file=str(workspace)),
            "check --period with 'evalkit workspace status'",
        )
    frame = restore_missing_choices(frame, load_status(workspace, instrument, period), instrument)
    wanted = [c for c in ENGAGEMENT_COLUMNS if c in (columns or ()) and not instrument.has_item(c)]
    if wanted and ENGAGEMENT in frame.columns:
        frame = join_engagements(frame, _stored_register(workspace, period), wanted)
    return frame


def _stored_register(workspace: str | Path, period: str | None) -> pd.DataFrame | None:
    from evalkit.store import load_responses, workspace_status

    if "activity_register" not in set(workspace_status(workspace)["instrument_id"]):
        return None
    return load_responses(workspace, "activity_register", period)


def join_engagements(
    frame: pd.DataFrame, register: pd.DataFrame | None, columns: Collection[str]
) -> pd.DataFrame:
    """``frame`` with the register's engagement ``columns`` matched by period and engagement
    code (spaces trimmed); NA where the engagement is not in the register. A code registered
    twice in a period takes its latest stored row (a corrected re-entry).

    Examples
    --------
    >>> responses = pd.DataFrame({"period": ["2026", "2026"], "engagement_id": ["E1", "E9"]})
    >>> register = pd.DataFrame({"period": ["2026"] * 2, "engagement_id": [" E1", "E1"],
    ...                          "activity_type": ["other", "webinar"]})
    >>> join_engagements(responses, register, ["activity_type"])["activity_type"].tolist()
    ['webinar', <NA>]
    """
    if register is None or len(register) == 0:
        return frame.assign(
            **{c: pd.Series(pd.NA, index=frame.index, dtype="string") for c in columns}
        )

    def keys(table: pd.DataFrame) -> pd.Index:
        code = table[ENGAGEMENT].astype("string").str.strip()
        when = table["period"].astype("string") if "period" in table else ""
        return pd.Index((when + "\x1f" + code).astype(object))

    latest = register.iloc[::-1]  # stored order reversed: a code's latest row first
    stored = keys(latest)
    first = ~stored.duplicated()
    latest, stored = latest[first], stored[first]
    found = stored.get_indexer(keys(frame))
    joined = {}
    for column in columns:
        values = latest[column].astype("string").to_numpy()
        taken = np.where(found >= 0, values[np.maximum(found, 0)], pd.NA)
        joined[column] = pd.Series(taken, index=frame.index, dtype="string").astype("category")
    return frame.assign(**joined)
