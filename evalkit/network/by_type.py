"""Count tables by mode × type of engagement, safe to leave the office.

The bundle's ``counts`` table holds, per outcome, group × level counts that are 0 or at
least K. ``counts_by_type`` splits each of those tables by the type of engagement the
answer came from (a conference, a webinar, a network meeting ...), so a network can ask
whether the virtual/in-person difference is the same at webinars as at conferences.

Where the type comes from: the response frame's ``activity_type`` column (an instrument
that asks it), else the office's activity register stored for the same period, matched
by engagement code (:func:`evalkit.analyze.frame_io.join_engagements`). Responses whose
engagement is not in the register, or is of type ``other``, form a residual stratum
``other``.

Why the split cannot disclose what the overall table hides:

1. The strata are exhaustive: named types plus the residual ``other`` sum, cell by cell,
   to the published overall table, so no stratum is a difference of published numbers
   with an unpublished one.
2. Every stratum uses the *same* bins, those of the overall table merged further where
   needed (ordered levels with a neighbour, unordered ones to "first choice / the rest"),
   and every cell of every stratum is 0 or at least K.
3. Within a bin merged beyond the overall table, the overall table's finer counts and the
   stratum margins bound each unpublished fine cell of a stratum only by the Fréchet
   bounds, which are at least K wide when the coarse cells are 0 or ≥ K (sharp for
   two-way tables), so no fine cell of 1 to K − 1 can be pinned down.

When joint binning still leaves a small cell, the smallest named type is merged into the
residual (and the log says so); when no named type is left, the outcome's split is
withheld. Every decision is a row of the disclosure log (table ``counts_by_type``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.network.disclosure import (
    Coarsened,
    DisclosureLog,
    coarsen_nominal,
    coarsen_ordered,
)

TYPE_COLUMN = "activity_type"
RESIDUAL = "other"
TABLE = "counts_by_type"


def engagement_types(frame: pd.DataFrame, register: pd.DataFrame | None = None) -> pd.Series:
    """The type of engagement of each response (``other`` where unknown), or None-like empty.

    Examples
    --------
    >>> frame = pd.DataFrame({"period": ["2026"] * 3, "engagement_id": ["E1", "E2", "E3"]})
    >>> register = pd.DataFrame({"period": ["2026"] * 2, "engagement_id": ["E1", "E2"],
    ...                          "activity_type": ["webinar", "conference"]})
    >>> engagement_types(frame, register).tolist()
    ['webinar', 'conference', 'other']
    """
    from evalkit.analyze.frame_io import join_engagements

    if TYPE_COLUMN in frame.columns:
        types = frame[TYPE_COLUMN]
    elif (
        register is not None
        and len(register)
        and "engagement_id" in frame.columns
        and TYPE_COLUMN in register
    ):
        types = join_engagements(frame, register, [TYPE_COLUMN])[TYPE_COLUMN]
    else:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return types.astype("string").str.strip().replace("", pd.NA).fillna(RESIDUAL)


def _outcome_values(frame: pd.DataFrame, outcome: str, kind: str) -> pd.Series | None:
    if outcome not in frame.columns:
        return None
    if kind == "binary":
        return (
            frame[outcome]
            .astype("boolean")
            .map({True: "selected", False: "not_selected"}, na_action="ignore")
            .astype("string")
        )
    return frame[outcome].astype("string")


def _stacked(
    values: pd.Series, labels: pd.Series, types: pd.Series, strata: list[list[str]],
    groups: list[str], bins: list[list[str]],
) -> np.ndarray:  # fmt: skip
    """(strata × groups) × bins counts; stratum s holds the rows whose type is in strata[s]."""
    to_bin = {v: i for i, b in enumerate(bins) for v in b}
    to_stratum = {t: i for i, members in enumerate(strata) for t in members}
    b = values.map(to_bin).to_numpy(dtype=float, na_value=np.nan)
    g = labels.map({x: i for i, x in enumerate(groups)}).to_numpy(dtype=float, na_value=np.nan)
    s = types.map(to_stratum).fillna(len(strata) - 1).to_numpy(dtype=float)
    ok = ~(np.isnan(b) | np.isnan(g))
    flat = (s[ok] * len(groups) + g[ok]) * len(bins) + b[ok]
    counts = np.bincount(flat.astype(np.int64), minlength=len(strata) * len(groups) * len(bins))
    return counts.reshape(len(strata) * len(groups), len(bins))


def _top_count(bins: list[list[str]], levels: list[str]) -> int:
    """How many bins lie in the top-2-box of the item, so joint merging keeps it."""
    top = set(levels[-2:])
    return max(1, sum(1 for b in bins if set(b) <= top))


def _coarsen(
    table: np.ndarray, bins: list[list[str]], kind: str, k: int, levels: list[str]
) -> Coarsened | None:
    names = ["|".join(b) for b in bins]
    if kind == "ordinal":
        return coarsen_ordered(table, names, k, top=_top_count(bins, levels))
    first = next((n for n, b in zip(names, bins, strict=True) if "yes" in b), names[0])
    if kind == "binary":
        first = next((n for n in names if "selected" in n.split("|")), names[0])
    return coarsen_nominal(table, names, k, first)


def _safe_strata(
    values: pd.Series, labels: pd.Series, types: pd.Series, named: list[str],
    groups: list[str], bins: list[list[str]], kind: str, k: int, levels: list[str],
) -> tuple[list[list[str]], Coarsened, list[str]] | None:  # fmt: skip
    """Strata (named types, then the residual) and their joint bins; None when unsafe."""
    named = list(named)
    merged: list[str] = []
    while True:
        strata = [[t] for t in named] + [[RESIDUAL, *merged]]
        table = _stacked(values, labels, types, strata, groups, bins)
        coarse = _coarsen(table, bins, kind, k, levels)
        if coarse is not None and named:
            return strata, coarse, merged
        if not named:
            return None
        sizes = [
            int(table[i * len(groups) : (i + 1) * len(groups)].sum()) for i in range(len(named))
        ]
        smallest = named.pop(int(np.argmin(sizes)))
        merged.append(smallest)


def _bins_of(block: pd.DataFrame) -> list[list[str]]:
    ordered = block.drop_duplicates("level_order").sort_values("level_order")
    return [str(level).split("|") for level in ordered["level"]]


def _rows(
    outcome: str, kind: str, group_var: str, groups: list[str], strata: list[list[str]],
    coarse: Coarsened, numeric: bool,
) -> list[dict[str, Any]]:  # fmt: skip
    rows = []
    for si, members in enumerate(strata):
        for gi, group in enumerate(groups):
            for bi, names in enumerate(coarse.bins):
                values = [v for name in names for v in str(name).split("|")]
                score = float(np.mean([float(v) for v in values])) if numeric else np.nan
                rows.append({
                    "outcome": outcome, "outcome_type": kind, "engagement_type": members[0],
                    "group_var": group_var, "group": group, "level": "|".join(values),
                    "level_order": bi, "score": score,
                    "count": int(coarse.counts[si * len(groups) + gi, bi]),
                })  # fmt: skip
    return rows


def counts_by_type(
    frame: pd.DataFrame, types: pd.Series, counts: pd.DataFrame, group_var: str,
    groups: list[str], k: int, log: DisclosureLog, levels: dict[str, list[str]] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The ``counts`` table split by type of engagement (bundle table ``counts_by_type``).

    Parameters
    ----------
    frame
        The responses of the groups that are shared (as for ``counts``).
    types
        :func:`engagement_types` of ``frame``; all missing means no split is possible.
    counts
        The bundle's overall ``counts`` table (already safe); its bins are the start.
    levels
        Per outcome, the item's substantive choice values in order (for the top-2-box).

    Returns
    -------
    pandas.DataFrame
        One row per outcome × engagement type × group × bin, with the ``counts`` columns
        and ``engagement_type``; an empty frame when no type is known.
    """
    rows: list[dict[str, Any]] = []
    if types.isna().all() or len(counts) == 0:
        return pd.DataFrame(rows)
    labels = frame[group_var].astype("string")
    named = sorted(t for t in pd.unique(types.dropna()) if t != RESIDUAL)
    if not named:  # every answer's type unknown or 'other': nothing to split
        return pd.DataFrame(rows)
    for outcome, block in counts.groupby("outcome", sort=False):
        kind = str(block["outcome_type"].iloc[0])
        values = _outcome_values(frame, str(outcome), kind)
        if values is None:
            continue
        bins = _bins_of(block)
        item_levels = (levels or {}).get(str(outcome)) or [v for b in bins for v in b]
        found = _safe_strata(values, labels, types, named, groups, bins, kind, k, item_levels)
        if found is None:
            reason = f"every split by type of engagement leaves a cell from 1 to {k - 1}"
            log.add(TABLE, str(outcome), "", "withheld", reason)
            continue
        strata, coarse, merged = found
        if merged:
            log.add(TABLE, str(outcome), ", ".join(merged), "coarsened",
                    f"types with too few answers counted under '{RESIDUAL}'")  # fmt: skip
        if coarse.merged:
            shown = ", ".join("|".join(names) for names in coarse.bins)
            reason = f"levels merged to {shown} in every type so that no cell is from 1 to {k - 1}"
            log.add(TABLE, str(outcome), "", "coarsened", reason)
        rows += _rows(str(outcome), kind, group_var, groups, strata, coarse, kind == "ordinal")
    return pd.DataFrame(rows)
