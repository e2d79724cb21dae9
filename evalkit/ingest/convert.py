"""Converting the cells of one single-valued item (choice, number, date, text) to its
canonical column, its status column and the issues of cells that cannot be converted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.ingest._base import PlatformData, norm
from evalkit.ingest._cells import (
    MAX_NUMBER,
    arrow_text,
    empty_issues,
    factorize,
    integers,
    issue_rows,
    null_where,
    status_categories,
    status_series,
    trim_whitespace,
)
from evalkit.ingest.mapping import choice_index

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item


def convert_item(
    data: PlatformData,
    instrument: Instrument,
    item: Item,
    raw: pd.Series,
    factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    import numpy as np
    import pandas as pd

    if item.type not in ("select_one", "likert", "date") and not item.is_numeric:
        return convert_text(data, instrument, item, raw)
    codes, uniques = factorize(raw, factors)
    text_u = np.asarray([u.strip() for u in uniques], dtype=object)
    blank_u = text_u == ""
    seen_u = np.isin(text_u, list(data.seen_unanswered)) & ~blank_u
    present_u = ~(blank_u | seen_u)
    status_u = np.where(blank_u, "blank", np.where(seen_u, "seen_unanswered", "answered"))
    status_u = status_u.astype(object)
    problems = empty_issues()
    if item.type in ("select_one", "likert"):
        choices = instrument.choices_for(item)
        lookup = choice_index(instrument, item)
        if data.positional_codes and choices is not None:
            for position, choice in enumerate(choices, start=1):
                lookup.setdefault(str(position), choice.value)
        missing_values = {c.value for c in choices if c.missing} if choices else set()
        mapped_u = np.asarray(
            [lookup.get(norm(t)) if ok else None for t, ok in zip(text_u, present_u, strict=True)],
            dtype=object,
        )
        for i, value in enumerate(mapped_u):
            if value is not None and value in missing_values:
                status_u[i] = f"choice:{value}"
                mapped_u[i] = None
        unknown_u = present_u & np.asarray([v is None for v in mapped_u]) & (status_u == "answered")
        if item.type == "likert":
            numbers_u = pd.to_numeric(pd.Series(text_u), errors="coerce").to_numpy(dtype=float)
            # a huge or infinite number is no choice either (and no Int64: it would overflow)
            readable_u = np.abs(numbers_u) <= MAX_NUMBER
            whole_u = unknown_u & readable_u & (np.mod(np.where(readable_u, numbers_u, 0), 1) == 0)
            values_u = np.asarray(
                [float(v) if v is not None else np.nan for v in mapped_u], dtype=float
            )
            values_u = np.where(whole_u, numbers_u, values_u)  # kept: schema says out-of-range
            unknown_u &= ~whole_u
            value = integers(values_u, codes)
        else:
            categories = [c.value for c in choices.substantive] if choices else []
            position = {v: i for i, v in enumerate(categories)}
            cat_u = np.asarray([position.get(v, -1) for v in mapped_u], dtype=np.int32)
            value = pd.Series(pd.Categorical.from_codes(cat_u[codes], categories=categories))
        problems = issue_rows(
            unknown_u, codes, uniques, item.id, "unknown-choice", "not one of the choices"
        )
    elif item.is_numeric:
        cleaned = pd.Series(text_u).where(present_u, "")
        cleaned = cleaned.where(
            cleaned.str.contains(".", regex=False), cleaned.str.replace(",", ".")
        )
        numbers_u = pd.to_numeric(cleaned.replace("", np.nan), errors="coerce").to_numpy(float)
        bad_u = present_u & np.isnan(numbers_u)
        # 1e308, inf, 26 digits: quarantined, never cast (an Int64 overflow, inf in a mean)
        huge_u = present_u & ~bad_u & ~(np.abs(numbers_u) <= MAX_NUMBER)
        numbers_u = np.where(huge_u, np.nan, numbers_u)
        if item.type in ("integer", "nps"):
            fractional_u = ~np.isnan(numbers_u) & (np.mod(numbers_u, 1) != 0)
            bad_u |= fractional_u
            numbers_u = np.where(fractional_u, np.nan, numbers_u)
            value = integers(numbers_u, codes)
        else:
            values = numbers_u[codes]
            mask = np.isnan(values)
            value = pd.Series(pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask))
        problems = pd.concat(
            [
                issue_rows(
                    bad_u, codes, uniques, item.id, "wrong-type", f"not {_article(item.type)}"
                ),
                issue_rows(huge_u, codes, uniques, item.id, "number-too-large", allowed(item)),
            ],
            ignore_index=True,
        )
    elif item.type == "date":
        parsed_u, bad_u = parse_dates(pd.Series(text_u).where(present_u))
        value = pd.Series(parsed_u.to_numpy()[codes]).astype("datetime64[ns]")
        problems = issue_rows(
            bad_u.to_numpy(), codes, uniques, item.id, "unparseable-date", "not YYYY-MM-DD"
        )
    return value, status_series(status_u, codes, status_categories(instrument, item)), problems


def convert_text(
    data: PlatformData, instrument: Instrument, item: Item, raw: pd.Series
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """A free-text item: trimmed, blank and seen-unanswered cells to NA, all in pyarrow.

    Free text is mostly distinct, so factorising it would make a Python string per cell;
    the string kernels work on the arrow buffers instead.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(raw.dtype, pd.CategoricalDtype):
        # read as a dictionary: trim and classify the distinct texts, then expand to rows
        codes, uniques = factorize(raw)
        texts = pa.array(uniques, type=pa.large_string())
    else:
        codes, texts = None, arrow_text(raw, contiguous=False)
    trimmed = trim_whitespace(texts)
    blank = pc.equal(trimmed, "").to_numpy(zero_copy_only=False)
    seen_values = pa.array(sorted(data.seen_unanswered), type=trimmed.type)
    seen = pc.is_in(trimmed, value_set=seen_values).to_numpy(zero_copy_only=False) & ~blank
    present = ~(blank | seen)
    if codes is not None:
        kept = pc.if_else(pa.array(present), trimmed, pa.scalar(None, trimmed.type))
        kept = kept.take(pa.array(codes))
        blank, seen, present = blank[codes], seen[codes], present[codes]
    else:
        kept = null_where(trimmed, ~present)
    value = pd.Series(pd.StringDtype("pyarrow").__from_arrow__(kept))
    categories = status_categories(instrument, item)
    code = {name: i for i, name in enumerate(categories)}
    status = np.full(len(present), code["answered"], dtype=np.int16)
    status[blank] = code["blank"]
    status[seen] = code["seen_unanswered"]
    status_series = pd.Series(pd.Categorical.from_codes(status, categories=categories))
    return value, status_series, empty_issues()


def allowed(item: Item) -> str:
    """The numbers a numeric item accepts: its ``min``/``max`` within ±10^15.

    Examples
    --------
    >>> from evalkit.instrument.model import Item
    >>> allowed(Item(id="n", type="integer", text={"en": "n"}, min=0, max=500))
    '0 to 500'
    >>> allowed(Item(id="n", type="decimal", text={"en": "n"}, min=0))
    '0 to 10^15'
    """
    low, high = item.bounds
    low = -MAX_NUMBER if low is None else max(low, -MAX_NUMBER)
    high = MAX_NUMBER if high is None else min(high, MAX_NUMBER)

    def text(value: float) -> str:
        return {MAX_NUMBER: "10^15", -MAX_NUMBER: "-10^15"}.get(value, f"{value:g}")

    return f"{text(low)} to {text(high)}"


def _article(item_type: str) -> str:
    return {"integer": "a whole number", "nps": "a whole number from 0 to 10"}.get(
        item_type, "a number"
    )


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO dates (``2026-03-04``, with or without a time, as XLSX typed cells give them)."""
    import pandas as pd

    text = text.astype("object")
    as_text = text.fillna("").astype(str)
    iso = as_text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
    parsed = pd.to_datetime(
        as_text.where(iso, None).str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
    )
    bad = text.notna() & parsed.isna()
    return parsed.astype("datetime64[ns]"), bad
