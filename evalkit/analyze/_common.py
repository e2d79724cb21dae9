"""Small helpers shared by the statistics modules (no statistics of their own)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evalkit.analyze import _dist as stats
from evalkit.errors import UsageError


def z_value(alpha: float) -> float:
    """The two-sided normal quantile for a (1 - alpha) interval, 1.959964 for alpha = 0.05."""
    check_alpha(alpha)
    return float(stats.norm.ppf(1 - alpha / 2))


def check_alpha(alpha: float) -> None:
    """Raise a UsageError unless 0 < alpha < 1."""
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1, got {alpha}", hint="use e.g. 0.05")


MIN_BOOT = 99  # the smallest common choice (B + 1 = 100 makes quantiles fall on draws)


def check_n_boot(n_boot: int) -> None:
    """Raise a UsageError unless ``n_boot`` is at least :data:`MIN_BOOT` resamples (fewer make
    percentile and BCa interval ends noise; docs/methods.md recommends 2,000)."""
    if n_boot < MIN_BOOT:
        raise UsageError(
            f"--n-boot must be at least {MIN_BOOT}, got {n_boot}", hint="the default is 2000"
        )


@dataclass(frozen=True)
class TestResult:
    """An omnibus or pairwise test: its name, statistic, degrees of freedom and p-value.

    ``df2`` is used by F tests (Welch ANOVA); NaN otherwise.
    """

    test: str
    statistic: float
    df: float
    p_value: float
    df2: float = float("nan")

    def __post_init__(self) -> None:
        for name in ("statistic", "df", "p_value", "df2"):
            object.__setattr__(self, name, float(getattr(self, name)))


@dataclass(frozen=True)
class Estimate:
    """An effect size with its confidence interval."""

    name: str
    value: float
    ci_low: float
    ci_high: float

    def __post_init__(self) -> None:
        for name in ("value", "ci_low", "ci_high"):
            object.__setattr__(self, name, float(getattr(self, name)))


def count_table(
    groups: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-tabulate two 1-d arrays without Python loops: (group labels, levels, counts).

    Missing values (NaN/None) in either array must be removed by the caller.

    Examples
    --------
    >>> g, lv, t = count_table(np.array(["a", "b", "a"]), np.array([1, 2, 2]))
    >>> g.tolist(), lv.tolist(), t.tolist()
    (['a', 'b'], [1, 2], [[1, 1], [0, 1]])
    """
    g_labels, g_codes = np.unique(groups, return_inverse=True)
    v_levels, v_codes = np.unique(values, return_inverse=True)
    flat = np.bincount(
        g_codes.ravel() * len(v_levels) + v_codes.ravel(), minlength=len(g_labels) * len(v_levels)
    )
    return g_labels, v_levels, flat.reshape(len(g_labels), len(v_levels))


def category_codes(values, categories) -> np.ndarray:
    """Position of each value in ``categories`` (compared as text); -1 when missing or unknown.

    >>> import pandas as pd
    >>> category_codes(pd.Series(["b", None, "z", "a"]), ["a", "b"]).tolist()
    [1, -1, -1, 0]
    """
    import pandas as pd

    series = pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = series.cat.categories
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)  # hashing, O(n)
    wanted = pd.Index([str(c) for c in categories], dtype="object")
    mapping = wanted.get_indexer(pd.Index([str(u) for u in uniques], dtype="object"))
    mapping = np.append(mapping, -1)  # position -1 (missing) maps to -1
    return mapping[np.asarray(codes, dtype=np.int64)].astype(np.int64)


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
