"""What every analyser is handed (:class:`Context`) and the rows it writes (:class:`Rows`).

An analyser reads its outcome's column, writes descriptives (one row per group), one omnibus
comparison and one pairwise row per pair of groups. The helpers here keep those rows alike
across outcome families: the base keys, suppression of small groups (their rows blanked, their
pairs recorded as suppressed without numbers) and the note naming the groups left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from evalkit.analyze.breakdown import Breakdown
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.suppress import suppressed_groups
from evalkit.instrument.model import Instrument

if TYPE_CHECKING:
    from evalkit.analyze.design import Design


@dataclass
class Context:
    """One run's instrument, breakdown, design (weights) and options, as analysers see them."""

    instrument: Instrument
    groups: Breakdown
    design: Design
    opts: AnalysisOptions

    @property
    def lang(self) -> str:
        """Language of labels (the option, or the instrument's first)."""
        return self.opts.lang or self.instrument.default_language

    def suppressed(self, n: np.ndarray) -> np.ndarray:
        """Mask of groups too small to show (and of a group that would reveal one)."""
        return suppressed_groups(n, self.opts.min_cell)


@dataclass
class Rows:
    """Rows accumulated for each table."""

    comparisons: list[dict[str, Any]] = field(default_factory=list)
    pairwise: list[dict[str, Any]] = field(default_factory=list)
    descriptives: list[dict[str, Any]] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    multi_response: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        """Append ``other``'s rows to each table."""
        self.comparisons += other.comparisons
        self.pairwise += other.pairwise
        self.descriptives += other.descriptives
        self.levels += other.levels
        self.multi_response += other.multi_response
        self.skipped += other.skipped


def base(outcome: str, outcome_type: str, groups: Breakdown) -> dict[str, Any]:
    """The keys every row of an outcome starts with."""
    return {"outcome": outcome, "outcome_type": outcome_type, "group_var": groups.var}


def pairs(n: np.ndarray, hidden: np.ndarray):
    """Index pairs of non-empty groups; a pair with a suppressed group is marked, not run."""
    present = [i for i in range(len(n)) if n[i] > 0]
    for a, b in combinations(present, 2):
        yield a, b, bool(hidden[a] or hidden[b])


def shown_pairs(
    outcome: str,
    outcome_type: str,
    groups: Breakdown,
    n: np.ndarray,
    hidden: np.ndarray,
    rows: Rows,
):
    """Each pair of groups to compare, with its base row; a pair with a suppressed group is
    recorded as suppressed (no numbers) and not yielded."""
    for a, b, hide in pairs(n, hidden):
        row = {
            **base(outcome, outcome_type, groups),
            "group_a": groups.names[a],
            "group_b": groups.names[b],
            "n_a": int(n[a]),
            "n_b": int(n[b]),
            "suppressed": hide,
        }
        if hide:
            rows.pairwise.append({**row, "n_a": np.nan, "n_b": np.nan, "note": "suppressed"})
            continue
        yield a, b, row


def comparison_note(hidden: np.ndarray, groups: Breakdown) -> str:
    """'suppressed groups left out: ...' naming the hidden groups, or ''."""
    names = [groups.names[i] for i in np.flatnonzero(hidden)]
    return f"suppressed groups left out: {', '.join(names)}" if names else ""


def blank_if(row: dict[str, Any], hide: bool) -> dict[str, Any]:
    """A descriptives row with every number blanked when the group is suppressed."""
    if not hide:
        return row
    keep = {"outcome", "outcome_type", "group_var", "group", "share_name", "suppressed"}
    return {k: (v if k in keep else np.nan) for k, v in row.items()}
