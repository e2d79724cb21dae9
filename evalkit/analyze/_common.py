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
