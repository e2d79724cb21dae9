"""Membership of a long column's values in a short list, as one vectorised pass.

Shared by validation (are the answers among the choices?) and analysis (which level is each
answer?). At a million rows a column's own integers or category codes are read directly:
the float copies, NaN masks and hash tables of the general routes cost more than the test.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def in_categories(series: Any, values: Any, *, missing: bool = False) -> np.ndarray:
    """Boolean array: whether each value of a categorical ``series`` is one of ``values``;
    ``missing`` for missing values. Decided once per category, then taken by code.

    Examples
    --------
    >>> import pandas as pd
    >>> status = pd.Series(["blank", "answered", None, "blank"], dtype="category")
    >>> in_categories(status, ["blank", "not_shown"]).tolist()
    [True, False, False, True]
    >>> in_categories(status, ["answered"], missing=True).tolist()
    [False, True, True, False]
    """
    per_category = np.asarray(series.cat.categories.isin(list(values)), dtype=bool)
    # code -1 (missing) takes the last entry
    return np.append(per_category, missing)[series.cat.codes.to_numpy()]


# integer levels spanning more values than this use sorted search instead of a lookup table
_LOOKUP_SPAN = 100_000


def level_index(values, levels) -> np.ndarray:
    """Each value's position in ``levels``, or ``len(levels)`` where it is missing or no level.

    The one array of n behind a group x level count table (``np.bincount``). Integer levels
    go through a lookup table, and a nullable integer or boolean column (``Int64``,
    ``boolean``) is read as its integers: at a million rows the float copy, the NaN masks and
    the range checks a float route needs cost more than the counting.

    Examples
    --------
    >>> import pandas as pd
    >>> level_index(pd.array([3, None, 1, 7], dtype="Int64"), [1, 2, 3]).tolist()
    [2, 3, 0, 3]
    >>> level_index(np.array([0.5, 2.0, np.nan, 1.0]), [2.0, 0.5]).tolist()
    [1, 0, 2, 2]
    """
    levels = np.asarray(levels, dtype=float)
    n_levels = len(levels)
    if n_levels == 0:
        return np.zeros(len(values), dtype=np.intp)
    lo, hi = float(levels.min()), float(levels.max())
    if not (np.all(levels == np.round(levels)) and hi - lo < _LOOKUP_SPAN):
        return _searched_index(_as_float(values), levels)
    # positions 1..span of the table are the values lo..hi; 0 and span + 1 (where clipping
    # puts anything below or above, missing values included) mean "no level"
    span = int(hi - lo) + 1
    lut = np.full(span + 2, n_levels, dtype=np.intp)
    lut[(levels - lo).astype(np.intp) + 1] = np.arange(n_levels)
    below = int(lo) - 1
    if getattr(values.dtype, "kind", None) in ("i", "b"):
        # a fresh array of the integers, missing as one below the lowest level; subtracting
        # may wrap around for values near the int64 limits, which still lands outside 1..span
        if isinstance(values, np.ndarray):
            shifted = values.astype(np.intp)  # a copy: it is changed in place below
        else:  # copy=True: without missing values pandas may hand out its own buffer
            shifted = values.to_numpy(dtype=np.intp, na_value=below, copy=True)
        np.subtract(shifted, below, out=shifted)
        return np.take(lut, shifted, out=shifted, mode="clip")
    numbers = _as_float(values)
    with np.errstate(invalid="ignore"):
        # compared before shifting: 1e-309 + 1 rounds to 1.0, which a shifted check would
        # take for a level
        shifted = numbers.astype(np.intp)  # NaN, infinities, huge values: garbage...
        whole = shifted == numbers  # ...which this rejects, with fractions
    np.subtract(shifted, below, out=shifted)
    shifted[~whole] = 0
    return np.take(lut, shifted, out=shifted, mode="clip")


def _as_float(values) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float, copy=False)
    return np.asarray(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _searched_index(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    order = np.argsort(levels)
    ordered = levels[order]
    found = np.clip(np.searchsorted(ordered, values), 0, len(levels) - 1)
    return np.where(ordered[found] == values, order[found], len(levels)).astype(np.intp)
