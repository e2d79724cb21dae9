"""Disclosure control for what leaves an office: no count from 1 to K−1, ever.

The rules (DataSHIELD-style, threshold ``K``: the analysis default 10, or what the network
agrees, e.g. 3):

1. A group (a mode) with fewer than K respondents is left out of *every* table of the
   bundle, KPIs included, so no table's margin minus the others gives it away.
2. A count table (groups × levels of one item) may hold 0 or counts ≥ K only. When a cell
   from 1 to K−1 occurs, ordered levels are merged with a neighbour (never across the
   top-2-box boundary while more than two bins remain, so the top-2-box survives when it
   can); unordered items fall back to "first choice / everything else". If even two bins
   leave a small cell, the whole table is withheld: partial tables are never sent, so a
   withheld row can't be derived from a published margin (a KPI numerator) minus the rows
   that were sent.
3. Means and variances of a numeric item are sent per group only when every group has at
   least K answers; otherwise the item's moments are withheld whole, for the same reason.
4. A KPI numerator is sent only when it and its complement (denominator − numerator) are
   0 or at least K; a mean KPI only with n ≥ K.

Every decision is a row of the disclosure log (``table, outcome, group, action, reason``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LOG_COLUMNS = ["table", "outcome", "group", "action", "reason"]


def is_disclosive(count: float, k: int) -> bool:
    """True for a count from 1 to k − 1 (0 and counts of k or more may leave the office)."""
    return 0 < count < k


@dataclass
class DisclosureLog:
    """Rows of ``table, outcome, group, action, reason`` (action: excluded, coarsened,
    withheld)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: str, outcome: str, group: str, action: str, reason: str) -> None:
        self.rows.append(
            {"table": table, "outcome": outcome, "group": group, "action": action,
             "reason": reason}
        )  # fmt: skip


@dataclass(frozen=True)
class Coarsened:
    """A safe table: ``bins`` (tuples of original level values) and counts (groups × bins)."""

    bins: tuple[tuple[Any, ...], ...]
    counts: np.ndarray
    merged: bool


def _violations(counts: np.ndarray, k: int) -> bool:
    return bool(((counts > 0) & (counts < k)).any())


def coarsen_ordered(
    counts: np.ndarray, levels: list[Any], k: int, top: int = 2
) -> Coarsened | None:
    """Merge adjacent ordered levels until no cell is from 1 to k − 1, or None (withhold).

    ``counts`` is groups × levels. The levels split into a lower part and the top ``top``
    levels (the top-2-box); merges stay on one side of that split, so the last resort is
    exactly the top-2-box table (lower levels, top levels).

    Examples
    --------
    >>> import numpy as np
    >>> table = np.array([[0, 3, 20, 30, 40], [12, 0, 15, 25, 31]])
    >>> out = coarsen_ordered(table, [1, 2, 3, 4, 5], 10)
    >>> out.bins, out.counts.tolist()
    (((1, 2, 3), (4,), (5,)), [[23, 30, 40], [27, 25, 31]])
    >>> coarsen_ordered(np.array([[5, 30], [20, 20]]), ["no", "yes"], 10) is None
    True
    """
    bins: list[list[Any]] = [[lv] for lv in levels]
    top = min(top, len(levels) - 1)
    columns = [counts[:, j].astype(np.int64) for j in range(counts.shape[1])]
    side = [0 if j < len(levels) - top else 1 for j in range(len(levels))]
    merged = False
    while True:
        table = np.column_stack(columns) if columns else counts[:, :0]
        if not _violations(table, k):
            return Coarsened(tuple(tuple(b) for b in bins), table, merged)
        # the bin holding the smallest disclosive cell, merged with its smaller neighbour
        worst = min(
            (int(table[i, j]), j)
            for i in range(table.shape[0])
            for j in range(table.shape[1])
            if 0 < table[i, j] < k
        )[1]
        neighbours = [
            j for j in (worst - 1, worst + 1) if 0 <= j < len(bins) and side[j] == side[worst]
        ]
        if not neighbours:
            return None
        other = min(neighbours, key=lambda j: int(columns[j].sum()))
        a, b = sorted((worst, other))
        bins[a : b + 1] = [bins[a] + bins[b]]
        columns[a : b + 1] = [columns[a] + columns[b]]
        side[a : b + 1] = [side[a]]
        merged = True


def coarsen_nominal(counts: np.ndarray, levels: list[Any], k: int, first: Any) -> Coarsened | None:
    """The full table if safe, else ``first`` against all other choices, else None."""
    if not _violations(counts, k):
        return Coarsened(tuple((lv,) for lv in levels), counts.astype(np.int64), False)
    j = levels.index(first)
    rest = [lv for lv in levels if lv != first]
    table = np.column_stack([counts[:, j], counts.sum(axis=1) - counts[:, j]]).astype(np.int64)
    if _violations(table, k):
        return None
    return Coarsened(((first,), tuple(rest)), table, True)
