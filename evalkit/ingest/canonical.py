"""Map a platform's columns to an instrument's items and build the canonical response frame.

The canonical frame (DESIGN.md) has ``response_id``, ``submitted_at`` (UTC), ``source``, then
one column per item: likert → ``Int64`` choice value; select_one → categorical of choice
values; select_multiple → one nullable boolean column ``<item>__<choice>`` per substantive
choice (NA when the item was not answered, never False); integer/nps → ``Int64``; decimal →
``Float64``; text → ``string``; date → ``datetime64[ns]``.

Beside it, a *status* frame (one categorical column per item) keeps apart what NA hides:

``answered``            a substantive answer (or an invalid one, reported as an issue)
``blank``               nothing in the cell (validation tells not answered from not shown)
``not_shown``           blank because the item's ``relevant`` was false (set by validation)
``seen_unanswered``     the platform says it was shown and skipped (Qualtrics ``-99``)
``choice:<value>``      a ``missing: true`` choice such as ``choice:na`` (not applicable)

Cells that cannot be converted (an unknown label, ``abc`` for a number, a date in an unknown
format) become NA in the frame and a row in ``issues`` that validation reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evalkit.errors import Location
from evalkit.ingest._base import InputError, PlatformData
from evalkit.ingest._cells import (
    ISSUE_COLUMNS,
    STATUS_CATEGORIES,
    blank_to_na,
    compact,
    empty_issues,
)
from evalkit.ingest.convert import convert_item
from evalkit.ingest.mapping import (
    IGNORE,
    Target,
    check_duplicate_headers,
    column_report,
    map_columns,
)
from evalkit.ingest.multi import convert_multi, tokenize

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from evalkit.instrument.model import Instrument, Item

__all__ = [
    "ISSUE_COLUMNS",
    "STATUS_CATEGORIES",
    "Canonical",
    "Target",
    "build_canonical",
    "item_columns",
    "tokenize",
]


@dataclass
class Canonical:
    """The result of mapping: frame, status, conversion issues and the column report."""

    frame: pd.DataFrame
    status: pd.DataFrame
    issues: pd.DataFrame
    columns: pd.DataFrame
    absent: list[str]


def item_columns(instrument: Instrument) -> list[str]:
    """The canonical frame's item columns, in order (select_multiple expanded).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> cols = item_columns(load_instrument("post_engagement"))
    >>> cols[:3]
    ['engagement_id', 'mode', 'worth_time']
    >>> [c for c in cols if c.startswith("next_step_types__")][:2]
    ['next_step_types__meeting', 'next_step_types__proposal']
    """
    columns: list[str] = []
    for item in instrument.items:
        if item.type == "select_multiple":
            choices = instrument.choices_for(item)
            columns += [f"{item.id}__{c.name}" for c in (choices.substantive if choices else ())]
        else:
            columns.append(item.id)
    return columns


def build_canonical(
    data: PlatformData, instrument: Instrument, mapping: dict[str, str] | None = None
) -> Canonical:
    """Map columns and convert every item; see the module docstring for the contract."""
    import numpy as np
    import pandas as pd

    check_duplicate_headers(data)
    targets = map_columns(data, instrument, mapping)
    whole: dict[str, int] = {}
    split: dict[str, dict[str, int]] = {}
    for pos, target in targets.items():
        if target is None or target.item == IGNORE:
            continue
        if target.choice is None:
            if target.item in whole:
                raise InputError(
                    "duplicate-column",
                    f"columns {data.headers[whole[target.item]]!r} and {data.headers[pos]!r} "
                    f"both hold item {target.item!r}",
                    Location(file=data.path_hint or None, column=data.headers[pos]),
                    "remove one of them, or say which is which with --map",
                )
            whole[target.item] = pos
        else:
            split.setdefault(target.item, {})[target.choice] = pos
    if not whole and not split and len(data.headers) == 1:
        raise InputError(
            "wrong-delimiter",
            f"the file has a single column {data.headers[0][:60]!r}",
            Location(file=data.path_hint or None),
            "separate cells with commas, semicolons or tabs (export the file again as CSV)",
        )
    if not instrument.items:
        raise InputError(
            "no-items-matched",
            f"{instrument.id} analyses no question (it only records "
            f"{len(instrument.unanalysed)} question(s) under unanalysed)",
            Location(file=data.path_hint or None),
            "add the questions to analyse to the instrument (select_one, integer, text, ...)",
        )
    if not whole and not split:
        raise InputError(
            "no-items-matched",
            f"no column of this file matches an item of {instrument.id}",
            Location(file=data.path_hint or None),
            "check --instrument (is this a file for another questionnaire?) or use --map",
        )
    unknown = [data.headers[p] for p, t in targets.items() if t is None]
    matched = sum(1 for t in targets.values() if t is not None and t.item != IGNORE)
    if len(unknown) >= 3 and len(unknown) > matched:
        raise InputError(
            "wrong-instrument",
            f"only {matched} of {matched + len(unknown)} columns match items of {instrument.id} "
            f"(unknown: {', '.join(repr(h) for h in unknown[:3])}, ...)",
            Location(file=data.path_hint or None),
            "is this a file for another questionnaire? check --instrument, or use --map",
        )
    body = data.body.reset_index(drop=True)
    # from here on one frame holds the file's cells: a column converted through its distinct
    # values is replaced by codes + distinct values (the quarantine still has every cell),
    # so the text of the file is freed column by column instead of living beside the frame
    data.body = body
    n = len(body)
    columns: dict[str, Any] = {}
    status: dict[str, Any] = {}
    issues: list[pd.DataFrame] = []
    factors: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def convert(item: Item, cells: pd.DataFrame) -> tuple[dict, Any, pd.DataFrame, dict, list]:
        # ``cells``: the item's columns, taken from ``body`` beforehand (``body`` changes
        # while items convert); ``own``: the item's factorisations, merged afterwards
        own: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if item.type == "select_multiple":
            lines: list[str] = []
            cols, stat, problems = convert_multi(
                data, instrument, item, cells, whole.get(item.id), split.get(item.id, {}), own,
                lines,
            )  # fmt: skip
            return cols, stat, problems, own, lines
        raw = cells[whole[item.id]] if item.id in whole else pd.Series([""] * n, dtype=object)
        value, stat, problems = convert_item(data, instrument, item, raw, own)
        return {item.id: value}, stat, problems, own, []

    # Items convert on two threads: most of the work is numpy and pyarrow kernels, which
    # release the GIL (at a million rows 0.5 s -> 0.35 s on two cores). Results are taken in
    # item order, so the frame, the issues and their order never depend on the threads. Only
    # the pool holds an item's cells, until the item is converted: the text of a compacted
    # column is freed then, as it was one item at a time.
    from concurrent.futures import ThreadPoolExecutor

    item_cells = (body[_positions(item, whole, split)] for item in instrument.items)
    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="evalkit-convert") as pool:
        converted = pool.map(convert, instrument.items, item_cells)
        for item, (cols, stat, problems, own, lines) in zip(
            instrument.items, converted, strict=True
        ):
            data.notes.extend(lines)  # in item order, whatever the threads' order
            columns.update(cols)
            status[item.id] = stat
            issues.append(problems)
            factors.update(own)
            compact(body, factors)
    response_id = data.response_id if data.response_id is not None else None
    head = {
        "response_id": (
            pd.Series(pd.NA, index=range(n), dtype="string")
            if response_id is None
            else blank_to_na(response_id.reset_index(drop=True))
        ),
        "submitted_at": (
            pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
            if data.submitted_at is None
            else data.submitted_at.reset_index(drop=True)
        ),
        "source": pd.Series(
            pd.array([data.platform], dtype="string").take(np.zeros(n, dtype=np.intp))
        ),
    }
    # copy=False: every column is a new array already; a copy of each would double the peak
    frame = pd.DataFrame(head | columns, copy=False)
    status_frame = pd.DataFrame(status, copy=False)
    issue_frame = pd.concat(issues, ignore_index=True) if issues else empty_issues()
    absent = [i.id for i in instrument.items if i.id not in whole and i.id not in split]
    return Canonical(frame, status_frame, issue_frame, column_report(data, targets), absent)


_THREADS = 2  # the machines evalkit is sized for have two cores or more


def _positions(item: Item, whole: dict[str, int], split: dict[str, dict[str, int]]) -> list[int]:
    """The positions of the file's columns that hold ``item``."""
    own = [whole[item.id]] if item.id in whole else []
    return own + list(split.get(item.id, {}).values())
