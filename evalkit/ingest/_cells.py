"""Vectorised helpers over a column of text cells, shared by the item converters.

Conversion works on distinct values: a column is factorised once (in C++), every distinct
cell is interpreted once (in Python, a few hundred values at most for choice items), and
the results are expanded back to rows with numpy indexing. No per-row Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

ISSUE_COLUMNS = ["row", "item", "value", "code", "message"]
STATUS_CATEGORIES = ["answered", "blank", "not_shown", "seen_unanswered"]


def factorize(
    raw: pd.Series, factors: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Row codes and distinct raw cells (as Python strings) of a column of text cells.

    pyarrow's dictionary encoding does the hashing in C++ on the arrow buffers, so no Python
    string is made per cell, only one per distinct value. A trailing ``""`` is appended to the
    distinct values for callers that need an empty cell's code. A column of the file (its
    name is its position) is recorded in ``factors``: ingest keeps the file's cells in that
    compact form for the quarantine.
    """
    import numpy as np
    import pandas as pd

    position = raw.name if isinstance(raw.name, int) else None
    if factors is not None and position in factors:
        return factors[position]

    if isinstance(raw.dtype, pd.CategoricalDtype):
        # read as a dictionary (or compacted earlier): the codes are the factorisation, used
        # as they are (a byte per cell, not kept in ``factors``: the column itself is compact)
        texts = np.asarray([*raw.cat.categories.astype(object), ""], dtype=object)
        codes = raw.cat.codes.to_numpy()
        if (codes < 0).any():  # a missing cell is an empty one
            codes = np.where(codes < 0, len(texts) - 1, codes.astype(np.intp))
        return codes, texts
    encoded = arrow_text(raw).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    texts = np.asarray([*encoded.dictionary.to_pylist(), ""], dtype=object)
    result = codes.astype(np.intp, copy=False), texts
    if factors is not None and position is not None:
        factors[position] = result
    return result


def arrow_text(raw: pd.Series, contiguous: bool = True):
    """A text column as a pyarrow string array: one contiguous array (copied from the
    parser's blocks; dictionary encoding needs one), or the chunks as they are."""
    import pyarrow as pa

    array = pa.array(raw, from_pandas=True)  # large_string for the grid's text dtype
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()  # a column read as codes + distinct texts
    if pa.types.is_null(array.type):
        array = array.cast(pa.string())  # an all-NA object column
    if contiguous and isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.fill_null("") if array.null_count else array


def trim_whitespace(texts):
    """``texts`` with surrounding whitespace removed, chunk by chunk: a chunk with nothing to
    trim keeps the parsed buffers, so untrimmed text is never held twice."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(texts, pa.Array):
        return pc.utf8_trim_whitespace(texts)
    chunks = []
    for chunk in texts.chunks:
        trimmed = pc.utf8_trim_whitespace(chunk)
        chunks.append(chunk if trimmed.equals(chunk) else trimmed)
    return pa.chunked_array(chunks, type=texts.type)


def null_where(texts, null):
    """``texts`` (pyarrow string chunks) with the cells where ``null`` is true made null.

    The result shares the text buffers with ``texts``, only a new validity bitmap is made per
    chunk: a million free-text cells are not copied to blank out the empty ones.
    """
    import pyarrow as pa

    if isinstance(texts, pa.Array):
        texts = pa.chunked_array([texts])
    if not null.any():
        return texts
    chunks, start = [], 0
    for chunk in texts.chunks:
        stop = start + len(chunk)
        valid = ~null[start:stop]
        if chunk.null_count:
            valid &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if chunk.offset:
            chunk = pa.concat_arrays([chunk])  # a copy that starts at offset 0
        bitmap = pa.array(valid).buffers()[1]  # a boolean array's values are a bitmap
        _, offsets, data = chunk.buffers()
        chunks.append(
            pa.Array.from_buffers(
                chunk.type, len(chunk), [bitmap, offsets, data], int((~valid).sum())
            )
        )
        start = stop
    return pa.chunked_array(chunks, type=texts.type)


def blank_to_na(values: pd.Series) -> pd.Series:
    """A text column as pandas' ``string`` dtype with empty cells as NA, sharing the text."""
    import pandas as pd
    import pyarrow.compute as pc

    texts = arrow_text(values, contiguous=False)
    blank = pc.equal(texts, "").to_numpy(zero_copy_only=False)
    kept = null_where(texts, blank)
    return pd.Series(pd.StringDtype("pyarrow").__from_arrow__(kept), index=values.index)


def issue_rows(
    bad: np.ndarray, codes: np.ndarray, uniques: np.ndarray, item: str, code: str, message: str
) -> pd.DataFrame:
    """Issue rows for the rows whose distinct value is flagged in ``bad``."""
    import numpy as np
    import pandas as pd

    rows = np.nonzero(bad[codes])[0] if bad.any() else np.array([], dtype=int)
    return pd.DataFrame(
        {
            "row": rows,
            "item": item,
            "value": uniques[codes[rows]],
            "code": code,
            "message": message,
        },
        columns=ISSUE_COLUMNS,
    )


def short_row_issues(
    short: dict[int, int], source_row: pd.Series, headers: list[str]
) -> pd.DataFrame:
    """Issue rows (code ``short-row``) for the rows of the file with fewer cells than the
    header (``short``: record index -> cells, as :class:`~evalkit.ingest.detect.Grid` has
    them; ``source_row`` is the record index + 1 of each row)."""
    import numpy as np
    import pandas as pd

    if not short:
        return empty_issues()
    records = source_row.to_numpy() - 1
    rows = np.flatnonzero(np.isin(records, list(short)))
    details = []
    for record in records[rows]:
        n = short[int(record)]
        first = headers[n] if n < len(headers) and headers[n].strip() else f"column {n + 1}"
        details.append(f"{n} of the header's {len(headers)} cells (none from {first!r} on)")
    return pd.DataFrame(
        {"row": rows, "item": "", "value": "", "code": "short-row", "message": details},
        columns=ISSUE_COLUMNS,
    )


def empty_issues() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})


def concat_issues(parts: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else empty_issues()


def status_categories(instrument: Instrument, item: Item) -> list[str]:
    choices = instrument.choices_for(item)
    extra = [f"choice:{c.name}" for c in choices if c.missing] if choices is not None else []
    return STATUS_CATEGORIES + extra


def status_series(status_u: np.ndarray, codes: np.ndarray, categories: list[str]) -> pd.Series:
    import numpy as np
    import pandas as pd

    position = {name: i for i, name in enumerate(categories)}
    code_u = np.asarray([position[s] for s in status_u], dtype=np.int16)
    return pd.Series(pd.Categorical.from_codes(code_u[codes], categories=categories))


# the largest magnitude of a number in a numeric item: whole numbers up to it are exact in a
# float64 (2^53 is about 9.007e15), and sums and squares of a million of them stay finite
MAX_NUMBER = 1e15


def integers(values_u: np.ndarray, codes: np.ndarray) -> pd.Series:
    """Whole numbers per distinct cell (NaN: missing) expanded to rows: two integer takes,
    no float column of the rows."""
    import numpy as np
    import pandas as pd

    mask_u = np.isnan(values_u)
    filled_u = np.where(mask_u, 0, values_u).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(filled_u[codes], mask_u[codes]))


def compact(body: pd.DataFrame, factors: dict[int, tuple[np.ndarray, np.ndarray]]) -> None:
    """Replace the text columns in ``factors`` by categoricals of the same cells."""
    import pandas as pd

    for position, (codes, uniques) in factors.items():
        if not isinstance(body[position].dtype, pd.CategoricalDtype):
            body[position] = pd.Categorical.from_codes(codes, categories=uniques[:-1])
