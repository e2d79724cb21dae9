"""Filters of a run: ``--where EXPR`` and ``--engagement ID``, applied before anything else.

``--where`` takes the instrument's own skip-logic language (:mod:`evalkit.instrument.relevant`:
comparisons, ``selected(item, 'choice')``, ``and``, ``or``, ``not``, parentheses), parsed into
a tree and evaluated over whole columns: user text is never evaluated as Python. The filter
is recorded in the result's metadata; groups it leaves small are suppressed like any other.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evalkit.analyze.options import AnalysisOptions
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument
from evalkit.instrument.relevant import (
    RelevantSyntaxError,
    evaluate,
    parse_relevant,
    referenced_items,
    shown,
    to_text,
)

ENGAGEMENT = "engagement_id"


def where_columns(where: str | None) -> list[str]:
    """The columns a ``--where`` expression reads (empty when it does not parse)."""
    if not where:
        return []
    try:
        return sorted(referenced_items(parse_relevant(where)))
    except RelevantSyntaxError:
        return []


def apply_filters(
    frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows that pass ``opts.where`` and ``opts.engagement``, and the filter's metadata.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> frame = pd.DataFrame({"mode": ["virtual", "in_person", None], "new_contacts": [3, 0, 5]})
    >>> kept, meta = apply_filters(frame, inst, AnalysisOptions(where="mode != 'virtual'"))
    >>> kept["new_contacts"].tolist(), meta["where"], meta["n_rows_filtered_out"]
    ([0, 5], "mode != 'virtual'", 1)
    """
    meta: dict[str, Any] = {"where": None, "engagement": None, "n_rows_filtered_out": 0}
    if not opts.where and opts.engagement is None:
        return frame, meta
    mask = pd.Series(True, index=frame.index)
    if opts.where:
        expr = _parse(opts.where)
        mask &= evaluate(expr, _column_reader(frame), _option_reader(frame, instrument))
        meta["where"] = to_text(expr)
    if opts.engagement is not None:
        if ENGAGEMENT not in frame.columns:
            raise UsageError(
                f"--engagement: the responses have no {ENGAGEMENT} column",
                hint=f"{instrument.id} responses are not linked to engagements; use --where",
            )
        codes = frame[ENGAGEMENT].astype("string").str.strip()
        mask &= (codes == str(opts.engagement).strip()).fillna(False)
        meta["engagement"] = str(opts.engagement)
    keep = mask.to_numpy(dtype=bool)
    meta["n_rows_filtered_out"] = int((~keep).sum())
    if not keep.any():
        raise UsageError(
            f"the filter leaves none of the {len(frame)} responses",
            hint="check the values in --where/--engagement (choice values, not labels)",
        )
    return (frame if keep.all() else frame.loc[keep]), meta


def _parse(where: str):
    try:
        return parse_relevant(where)
    except RelevantSyntaxError as exc:
        raise UsageError(
            f"--where {shown(where)}: {exc}",
            hint="e.g. --where \"activity_type = 'conference' and mode != 'virtual'\"",
        ) from None


def _column_reader(frame: pd.DataFrame):
    def value(item: str) -> pd.Series:
        if item not in frame.columns:
            raise UsageError(
                f"--where names {item!r}, which is not a column of the responses",
                hint=f"columns are: {', '.join(map(str, frame.columns[:12]))}",
            )
        return frame[item]

    return value


def _option_reader(frame: pd.DataFrame, instrument: Instrument):
    def selected(item: str, choice: str) -> pd.Series:
        column = f"{item}__{choice}"
        if column not in frame.columns:
            raise UsageError(
                f"--where: selected({item}, '{choice}') has no column {column!r}",
                hint=f"name a select_multiple item of {instrument.id} and one of its choices",
            )
        return frame[column].astype("boolean")

    return selected
