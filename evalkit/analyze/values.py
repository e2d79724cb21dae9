"""Reading an item's column as the analysers need it: numbers, levels, missing choices.

No statistics here: these functions turn a column of the canonical frame (nullable integers,
categoricals of choice values, booleans, text) into numpy arrays in one vectorised pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.instrument.model import Instrument, Item


def numeric(series: pd.Series) -> np.ndarray:
    """The column as floats, NaN where missing or not a number."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # one conversion per category, then a take by code (-1, missing, takes the NaN)
        per_category = pd.to_numeric(
            pd.Series(series.cat.categories.astype(str)), errors="coerce"
        ).to_numpy(dtype=float)
        return np.append(per_category, np.nan)[series.cat.codes.to_numpy()]
    return pd.to_numeric(series.astype("string"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )


def numbers(series: pd.Series):
    """The column as a count table reads it: a nullable integer or boolean column as it is
    (its integers are counted without a float copy), anything else as floats."""
    if getattr(series.dtype, "kind", None) in ("i", "b"):
        return series.array
    return numeric(series)


def is_level(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Mask of values equal to one of ``levels`` (a lookup table for integer levels)."""
    lo, hi = levels.min(), levels.max()
    if np.all(levels == np.round(levels)) and hi - lo < 100_000:
        lut = np.zeros(int(hi - lo) + 1, dtype=bool)
        lut[(levels - lo).astype(np.int64)] = True
        with np.errstate(invalid="ignore"):
            inside = (values >= lo) & (values <= hi) & (values == np.floor(values))
        out = np.zeros(len(values), dtype=bool)
        out[inside] = lut[(values[inside] - lo).astype(np.int64)]
        return out
    return np.isin(values, levels)


def observed_levels(values) -> np.ndarray:
    """The distinct values present, sorted, as floats (hashing, no sort of the rows)."""
    if isinstance(values, np.ndarray):
        return np.unique(pd.unique(values[~np.isnan(values)]))
    present = values.unique()
    return np.sort(present[~present.isna()].to_numpy(dtype=float))


def substantive_levels(instrument: Instrument, item: Item | str) -> np.ndarray:
    """The numeric values of an item's substantive choices (not 'not applicable'), in order."""
    choice_list = instrument.choices_for(item)
    subs = choice_list.substantive if choice_list else ()
    return np.array([float(c.value) for c in subs])


def missing_names(instrument: Instrument, item: Item | None) -> set[str]:
    """Names of the item's ``missing: true`` choices ("not applicable", "prefer not to say")."""
    choice_list = instrument.choices_for(item) if item is not None else None
    return {c.name for c in choice_list if c.missing} if choice_list else set()
