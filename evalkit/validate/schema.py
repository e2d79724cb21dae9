"""Compile an instrument into a pandera ``DataFrameSchema`` for its canonical frame.

The schema validates the canonical frame (:mod:`evalkit.ingest.canonical`) joined with its
status columns (``_status:<item>``, see :func:`with_status`). It checks, all vectorised:

- types: the dtype of every column (``Int64``, ``Float64``, ``boolean``, ``string``, dates);
- allowed values: likert and select_one answers are choices of the item;
- ranges: ``min``/``max`` of numeric items (NPS 0–10), plausible dates and submission times;
- ``response_id``: present and unique (later copies are flagged, the first is kept);
- required when shown: a ``required`` item whose ``relevant`` holds (or that has none) must
  not be blank or seen-unanswered;
- skip logic: an item whose ``relevant`` is false must not hold an answer.

Every check is named ``code|item|detail`` so that failures map to the error catalogue
(:mod:`evalkit.validate.codes`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from evalkit._columns import in_categories, level_index
from evalkit.instrument.relevant import evaluate, to_text

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

    from evalkit.instrument.model import Instrument, Item

STATUS_PREFIX = "_status:"
ANSWERED = "answered"
EMPTY = ("blank", "seen_unanswered")


def check_name(code: str, item: str, detail: str = "") -> str:
    """The name of a check: ``code|item|detail`` (parsed back by the report)."""
    return f"{code}|{item}|{detail}"


def with_status(frame: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """The frame with status columns ``_status:<item>`` appended (what the schema validates)."""
    import pandas as pd

    renamed = status.set_axis([STATUS_PREFIX + c for c in status.columns], axis=1)
    return pd.concat([frame.reset_index(drop=True), renamed.reset_index(drop=True)], axis=1)


def _is_empty(frame: pd.DataFrame, item: str) -> pd.Series:
    return _status_in(frame, item, EMPTY, missing=False)


def _has_answer(frame: pd.DataFrame, item: str) -> pd.Series:
    return ~_status_in(frame, item, EMPTY, missing=True)


def _status_in(frame: pd.DataFrame, item: str, values: Any, *, missing: bool) -> pd.Series:
    """Whether the item's status is one of ``values`` (``missing`` where it has none)."""
    import pandas as pd

    status = frame[STATUS_PREFIX + item]
    if isinstance(status.dtype, pd.CategoricalDtype):  # as ingest makes them: by code
        return pd.Series(in_categories(status, values, missing=missing), index=frame.index)
    return status.isin(list(values)) | (status.isna() if missing else False)


def _in_choices(series: pd.Series, allowed: list[Any]) -> Any:
    """True where ``series`` is missing or one of ``allowed`` (a choice column's check)."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.Series(in_categories(series, allowed, missing=True), index=series.index)
    numeric = all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in allowed)
    if numeric and getattr(series.dtype, "kind", None) == "i":
        # a nullable integer column (Likert): its integers against the levels, no hashing
        inside = level_index(series.array, allowed) < len(allowed)
        return pd.Series(inside | np.asarray(series.isna()), index=series.index)
    return series.isna() | series.isin(allowed)


class Memo:
    """Per-frame cache for the row-level checks: whether each item was shown, computed once
    per frame."""

    def __init__(self) -> None:
        # a weak reference: the memo must not keep a validated frame (and, through pandera's
        # schema registry, itself) alive
        self.frame: weakref.ref[pd.DataFrame] | None = None
        self.shown: dict[str, pd.Series] = {}

    def use(self, frame: pd.DataFrame) -> Memo:
        if self.frame is None or self.frame() is not frame:
            self.frame, self.shown = weakref.ref(frame), {}
        return self

    def value(self, item_id: str) -> pd.Series:
        frame = self.frame() if self.frame is not None else None
        if frame is None:
            raise RuntimeError("the frame being validated is gone")
        # categoricals stay as they are: relevant.evaluate compares their categories
        return frame[item_id]


def shown_mask(
    instrument: Instrument, item: Item, frame: pd.DataFrame, memo: Memo | None = None
) -> pd.Series:
    """Whether ``item`` was shown in each row (its ``relevant`` holds; True without one)."""
    return _shown(instrument, item, frame, memo if memo is not None else Memo())


def _shown(instrument: Instrument, item: Item, frame: pd.DataFrame, memo: Memo) -> pd.Series:
    import pandas as pd

    expr = instrument.relevance(item)
    if expr is None:
        return pd.Series(True, index=frame.index)
    memo.use(frame)
    if item.id in memo.shown:
        return memo.shown[item.id]

    def selected(item_id: str, choice: str) -> pd.Series:
        column = f"{item_id}__{choice}"
        if column in frame:
            return frame[column]
        return pd.Series(False, index=frame.index)

    memo.shown[item.id] = evaluate(expr, memo.value, selected)
    return memo.shown[item.id]


def _dtype(item: Item) -> Any:
    return {
        "likert": "Int64",
        "integer": "Int64",
        "nps": "Int64",
        "decimal": "Float64",
        "text": "string",
        "date": "datetime64[ns]",
    }.get(item.type)


def _first_copy(ids: pd.Series) -> pd.Series:
    """False for a response id already seen in an earlier row (the first copy passes).

    Not pandera's ``unique=True``: that counts distinct values first (``is_unique``, a second
    hash pass over a million ids) before finding the copies.
    """
    import pandas as pd

    return pd.Series(~later_copies(ids), index=ids.index)


def later_copies(ids: pd.Series) -> Any:
    """Boolean array: True where the id already appeared in an earlier row (NA never).

    Platform ids usually all have one length (UUIDs, ``R_`` + 15 characters, generated ids).
    Then each id's bytes are hashed to 64 bits with numpy (a few passes over the arrow
    buffers, read in place) and only rows whose hash repeats are compared exactly, which is several
    times faster than hashing a million strings in pandas; other ids use
    ``Series.duplicated``. The result is exact either way.

    Examples
    --------
    >>> import pandas as pd
    >>> later_copies(pd.Series(["r1", "r2", "r1", None, None, "r2"], dtype="string")).tolist()
    [False, False, True, False, False, True]
    >>> later_copies(pd.Series(["a", "bb", "a"], dtype="string")).tolist()
    [False, False, True]
    """
    import numpy as np

    hashes = _fixed_width_hashes(ids)
    if hashes is None:
        return (ids.duplicated(keep="first") & ids.notna()).to_numpy(dtype=bool)
    # hashes that occur twice, found in a sorted copy: numpy sorts 64-bit integers with SIMD,
    # four times faster than pandas' hash table on a million ids and half its memory (this
    # runs at the peak of validation)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    candidates = np.flatnonzero(np.isin(hashes, repeated)) if len(repeated) else []
    out = np.zeros(len(ids), dtype=bool)
    if len(candidates):
        # rows whose hash is unique hold unique ids: only the candidates need a real comparison
        out[candidates] = ids.iloc[candidates].duplicated(keep="first").to_numpy(dtype=bool)
    return out


def _fixed_width_hashes(ids: pd.Series) -> Any:
    """A 64-bit hash of each id's UTF-8 bytes, or None when the ids have different lengths,
    missing values or are not pyarrow text.

    Each chunk of the arrow column is read in place: its bytes are ``n`` rows of ``width``
    bytes, read as strided 8-byte words plus the remaining bytes, so nothing is copied.
    """
    import numpy as np
    import pyarrow as pa

    try:
        array = pa.array(ids, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    if array.null_count or not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    ):
        return None
    offset_type = np.int64 if pa.types.is_large_string(array.type) else np.int32
    width: int | None = None
    parts = []
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=offset_type)
        offsets = offsets[chunk.offset : chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        if lengths.min() != lengths.max() or (width is not None and lengths[0] != width):
            return None
        width = int(lengths[0])
        if width == 0:
            return None
        data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        parts.append(_hash_rows(data, len(chunk), width))
    return np.concatenate(parts) if parts else None


def _hash_rows(data: Any, n: int, width: int) -> Any:
    """Multiply-xorshift hash of ``n`` consecutive rows of ``width`` bytes in ``data``."""
    import numpy as np

    def column(offset: int, dtype: Any) -> Any:  # a strided (possibly unaligned) view
        return np.ndarray((n,), dtype=dtype, buffer=data, offset=offset, strides=(width,))

    # one scratch array for every intermediate: three arrays of n at most (no temporaries)
    scratch = np.empty(n, dtype=np.uint64)
    words = [column(8 * j, np.uint64) for j in range(width // 8)]
    tail = np.zeros(n, dtype=np.uint64)
    for k in range(width % 8):
        scratch[:] = column(8 * (width // 8) + k, np.uint8)
        np.left_shift(scratch, np.uint64(8 * k), out=scratch)
        tail |= scratch
    hashes = np.full(n, 0x9E3779B97F4A7C15, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for word in [*words, tail]:
            hashes ^= word
            hashes *= np.uint64(0xBF58476D1CE4E5B9)
            np.right_shift(hashes, np.uint64(31), out=scratch)
            hashes ^= scratch
    return hashes


def _between(series: pd.Series, low: Any, high: Any) -> pd.Series:
    inside = series.notna()
    if low is not None:
        inside &= series >= low
    if high is not None:
        inside &= series <= high
    return (inside | series.isna()).fillna(True).astype(bool)


def _range_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _item_columns(instrument: Instrument, item: Item, pa: Any) -> dict[str, Any]:
    # every check passes a missing value itself (ignore_na=False): with pandera's default it
    # first copies the column without its missing values (0.2 s per million rows in all)
    dtype = _dtype(item)
    checks: list[Any] = []
    if item.type in ("likert", "select_one"):
        choices = instrument.choices_for(item)
        allowed = [c.value for c in choices.substantive] if choices else []
        if item.type == "likert":
            name = check_name(
                "out-of-range", item.id, "its choices " + ", ".join(map(str, allowed))
            )
        else:
            name = check_name("unknown-choice", item.id)
        checks.append(pa.Check(lambda s, a=allowed: _in_choices(s, a), name=name, ignore_na=False))
    elif item.is_numeric:
        low, high = item.bounds
        if low is not None or high is not None:
            checks.append(
                pa.Check(
                    lambda s, lo=low, hi=high: _between(s, lo, hi),
                    name=check_name("out-of-range", item.id, _range_text(low, high)),
                    ignore_na=False,
                )
            )
    elif item.type == "date":
        import pandas as pd

        low, high = (
            pd.Timestamp("1900-01-01"),
            pd.Timestamp.now().normalize() + pd.Timedelta(days=3660),
        )
        checks.append(
            pa.Check(
                lambda s, lo=low, hi=high: _between(s, lo, hi),
                name=check_name("date-out-of-range", item.id, "1900 to ten years from today"),
                ignore_na=False,
            )
        )
    if item.type == "select_multiple":
        choices = instrument.choices_for(item)
        return {
            f"{item.id}__{c.name}": pa.Column("boolean", nullable=True)
            for c in (choices.substantive if choices else ())
        }
    return {item.id: pa.Column(dtype, checks=checks, nullable=True)}


def row_rules(
    instrument: Instrument, memo: Memo
) -> list[tuple[str, str, Callable[[pd.DataFrame], pd.Series]]]:
    """The row-level rules: ``(check name, item id, passes)`` for skip logic and required.

    ``passes(frame)`` is a boolean Series, True where the row satisfies the rule. The schema
    wraps each in a ``pa.Check``; :func:`evalkit.validate.validate_responses` evaluates them
    directly, because pandera reports every column of a failing row for a frame-level check
    (45 failure cases per row, melted and formatted: most of the validation time at 1M rows).
    """
    rules: list[tuple[str, str, Callable[[pd.DataFrame], pd.Series]]] = []
    for item in instrument.items:
        expr = instrument.relevance(item)
        if expr is not None:
            rules.append(
                (
                    check_name("skip-logic", item.id, "shown only if " + to_text(expr)),
                    item.id,
                    lambda df, it=item: (
                        ~(_has_answer(df, it.id) & ~_shown(instrument, it, df, memo))
                    ),
                )
            )
        if item.required:
            rules.append(
                (
                    check_name("missing-required", item.id),
                    item.id,
                    lambda df, it=item: ~(_is_empty(df, it.id) & _shown(instrument, it, df, memo)),
                )
            )
    return rules


def _wide_checks(instrument: Instrument, pa: Any, memo: Memo) -> list[Any]:
    # ignore_na=False: the result has no NA; skips a whole-frame isna()
    return [
        pa.Check(passes, name=name, ignore_na=False)
        for name, _, passes in row_rules(instrument, memo)
    ]


def instrument_to_schema(
    instrument: Instrument, memo: Memo | None = None, *, row_checks: bool = True
) -> pa.DataFrameSchema:
    """The pandera schema of ``instrument``'s canonical frame (with status columns).

    ``row_checks=False`` leaves out the row-level rules (:func:`row_rules`), for a caller
    that evaluates them itself.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> schema = instrument_to_schema(load_instrument("post_engagement"))
    >>> list(schema.columns)[:4]
    ['response_id', 'submitted_at', 'source', 'engagement_id']
    >>> sorted(c.name.split("|")[0] for c in schema.checks)[:2]
    ['missing-required', 'missing-required']
    """
    import pandas as pd
    import pandera.pandas as pa

    earliest = pd.Timestamp("2000-01-01", tz="UTC")
    columns: dict[str, Any] = {
        "response_id": pa.Column(
            "string",
            nullable=False,
            checks=[
                pa.Check(
                    _first_copy,
                    name=check_name("duplicate-response", "response_id", "an earlier row has it"),
                    ignore_na=False,
                )
            ],
        ),
        "submitted_at": pa.Column(
            "datetime64[ns, UTC]",
            nullable=True,
            checks=[
                pa.Check(
                    lambda s: _between(
                        s, earliest, pd.Timestamp.now(tz="UTC") + pd.Timedelta("1D")
                    ),
                    name=check_name("date-out-of-range", "submitted_at", "2000 to today"),
                    ignore_na=False,
                )
            ],
        ),
        "source": pa.Column("string", nullable=True),
    }
    for item in instrument.items:
        columns.update(_item_columns(instrument, item, pa))
    for item in instrument.items:
        columns[STATUS_PREFIX + item.id] = pa.Column(nullable=False)
    return pa.DataFrameSchema(
        columns,
        checks=(
            _wide_checks(instrument, pa, memo if memo is not None else Memo()) if row_checks else []
        ),
        strict=False,
        name=instrument.id,
    )
