"""Read a canonical response frame saved as CSV (or Parquet), typed by its instrument.

This is the small bridge that lets ``evalkit analyze --frame`` work before platform ingest
lands: the file holds the canonical frame's columns (``response_id``, item ids, and
``<item>__<choice>`` for select_multiple). Columns of personal-data items (``pii: true``) are
dropped on reading, so they can never reach an analysis output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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


def _csv_engine() -> str:
    """pandas' pyarrow CSV reader (multi-threaded) when pyarrow is installed, else the C one."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "c"
    return "pyarrow"


def _read_csv(path: Path, instrument: Instrument) -> pd.DataFrame:
    """Read with nullable dtypes (Int64, boolean, string) inferred by the reader;
    :func:`type_frame` then checks each column against its item and names bad rows."""
    engine = _csv_engine()
    if engine == "pyarrow":
        return pd.read_csv(path, engine=engine, dtype_backend="numpy_nullable")
    return pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])


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

    from evalkit.analyze.compare import analyze_paired

    key = next((i.id for i in instrument.items if i.role == "id"), None)
    keep = (key,) if key else ()
    pre = read_frame(pre_path, instrument, keep)
    post = read_frame(post_path, instrument, keep)
    digest = hashlib.sha256()
    for path in (pre_path, post_path):
        digest.update(Path(path).read_bytes())
    return analyze_paired(pre, post, instrument, options, key, digest.hexdigest())
