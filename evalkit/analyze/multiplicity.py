"""Multiplicity: Holm within a family, Benjamini-Hochberg across a run. NaN stays NaN.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
Journal of Statistics 6, 65-70.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57,
289-300.
"""

from __future__ import annotations

import numpy as np


def holm(p_values) -> np.ndarray:
    """Holm step-down adjusted p-values (R ``p.adjust(method = "holm")``).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (R ``p.adjust(method = "BH")``).

    Examples
    --------
    From scipy's ``false_discovery_control`` documentation:

    >>> benjamini_hochberg([0.5, 0.6, 0.1, 0.001]).tolist()
    [0.6, 0.6, 0.2, 0.004]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q, kind="stable")[::-1]
    ranks = np.arange(m, 0, -1)
    adj = np.minimum.accumulate(q[order] * m / ranks)
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def adjust_run(comparisons, pairwise) -> None:
    """Add ``p_holm`` and ``p_fdr`` to a run's tables (in place): Holm within each outcome's
    pairwise family (an outcome's adjusted associations are a family of their own), BH across
    every test of the run; an omnibus test is its outcome's only one, so its Holm p is its p.
    """
    import pandas as pd

    comparisons["p_holm"] = comparisons["p_value"]  # one omnibus test per outcome
    if len(pairwise):
        p = pairwise["p_value"].astype(float)
        family = pairwise["outcome"] + pairwise["note"].fillna("").str.startswith(
            "adjusted association"
        ).map({True: "|adjusted", False: ""})
        pairwise["p_holm"] = p.groupby(family, sort=False).transform(
            lambda s: pd.Series(holm(s.to_numpy()), index=s.index)
        )
    all_p = np.concatenate(
        [
            comparisons["p_value"].astype(float).to_numpy(),
            pairwise["p_value"].astype(float).to_numpy(),
        ]
    )
    fdr = benjamini_hochberg(all_p)
    comparisons["p_fdr"] = fdr[: len(comparisons)]
    pairwise["p_fdr"] = fdr[len(comparisons) :]
