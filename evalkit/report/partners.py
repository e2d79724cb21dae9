"""The partner relationship table of the report, with its counts and its suppression.

A named partner is a small group: a partner rated by three people is rated by people the
partner can guess. Each partner x dimension cell carries ``n`` (the answers behind its
mean) and is suppressed below ``min_cell``; so that a hidden cell cannot be derived from
the totals (K7's n and mean, or the other partners' cells), the smallest shown cells of the
same dimension are hidden too until the hidden cells together hold ``min_cell`` answers or
more (:func:`hidden_cells`). Last period's score is hidden by the same rule on last
period's counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.scoring import scale_scores
from evalkit.instrument.library import load_instrument

DIMENSIONS = ("trust", "control_mutuality", "commitment", "satisfaction")


def hidden_cells(n: pd.Series, min_cell: int) -> np.ndarray:
    """Which cells to hide: those with ``0 < n < min_cell`` and their complements.

    The hidden cells' total can be read off as the grand total minus the shown cells, so
    while it is below ``min_cell`` (and above 0) the smallest shown cell is hidden as well.
    Empty cells (``n == 0``) show nothing and are not counted.

    Examples
    --------
    >>> hidden_cells(pd.Series([3, 40, 12, 25]), 10).tolist()  # 3 alone is derivable
    [True, False, True, False]
    >>> hidden_cells(pd.Series([4, 7, 40]), 10).tolist()  # 4 + 7 = 11: enough
    [True, True, False]
    >>> hidden_cells(pd.Series([0, 30, 40]), 10).tolist()
    [False, False, False]
    """
    counts = pd.to_numeric(n, errors="coerce").fillna(0).to_numpy(dtype=float)
    hidden = (counts > 0) & (counts < min_cell)
    while 0 < counts[hidden].sum() < min_cell:
        shown = np.flatnonzero(~hidden & (counts > 0))
        if not len(shown):
            break
        hidden[shown[np.argmin(counts[shown])]] = True
    return hidden


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    """partner, dimension, score (mean) and n (answers with a score) per partner."""
    instrument = load_instrument("partner_relationship")
    scores = scale_scores(frame, instrument).reindex(columns=list(DIMENSIONS))
    scores["partner"] = frame["partner_name"].astype("string").str.strip()
    groups = scores[scores["partner"].fillna("") != ""].groupby("partner", sort=True)
    mean = groups.mean().reset_index().melt("partner", var_name="dimension", value_name="score")
    count = groups.count().reset_index().melt("partner", var_name="dimension", value_name="n")
    return mean.merge(count, on=["partner", "dimension"])


def _suppress(table: pd.DataFrame, min_cell: int) -> pd.Series:
    """The hidden flag of every row, decided within each dimension."""
    flags = pd.Series(False, index=table.index)
    for _, cells in table.groupby("dimension", sort=False):
        flags[cells.index] = hidden_cells(cells["n"], min_cell)
    return flags


def relationships_table(
    now: pd.DataFrame | None, before: pd.DataFrame | None, min_cell: int = 10
) -> pd.DataFrame | None:
    """Partner x Hon & Grunig dimension: score, n, suppressed, and last period's score.

    Suppressed rows keep the partner's name (readers see it exists) with no score, n or
    previous score; the renderers show "—". Last period's score is empty where last
    period's cell would be hidden.
    """
    if now is None:
        return None
    table = _long(now)
    table["suppressed"] = _suppress(table, min_cell).to_numpy()
    if before is not None:
        previous = _long(before)
        previous["previous_score"] = previous["score"].mask(_suppress(previous, min_cell))
        table = table.merge(
            previous[["partner", "dimension", "previous_score"]],
            on=["partner", "dimension"],
            how="left",
        )
    else:
        table["previous_score"] = float("nan")
    hide = table["suppressed"].to_numpy(dtype=bool)
    table.loc[hide, ["score", "previous_score", "n"]] = np.nan
    return table[["partner", "dimension", "score", "previous_score", "n", "suppressed"]]
