"""The breakdown: which group each response belongs to, and group x level count tables.

A breakdown is the variable the analysis compares across (by default the instrument's
``role: group`` item, i.e. mode): its group names and labels, and one integer code per row
(-1: no group). Every analyser reads its outcome through :meth:`Breakdown.table`, one
``np.bincount`` over a precomputed row offset, so an outcome with few levels costs one pass
over its column whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit._columns import level_index
from evalkit.analyze._common import category_codes
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.values import missing_names
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument


@dataclass
class Breakdown:
    """The groups compared, and one code per row of the frame.

    Attributes
    ----------
    var
        Name of the breakdown variable (an item id).
    names, labels
        Group names (choice values) and their labels in the run's language.
    codes
        Group code of each row; -1 when the row belongs to no group.
    """

    var: str
    names: list[str]
    labels: list[str]
    codes: np.ndarray  # int per row, -1 = no group
    totals: np.ndarray | None = None
    codes_ext: np.ndarray | None = None
    # group code x (levels + 1), per number of levels: the row offset of each row's cell in a
    # flattened table, shared by every outcome with that many levels
    offsets: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of groups."""
        return len(self.names)

    def table(self, values, levels: np.ndarray) -> np.ndarray:
        """k x L count table of ``values`` over ``levels``; anything that is not a level
        (missing, out of range, fractional) is not counted. ``values`` is a float array or a
        column's own integers (see :func:`evalkit.analyze.values.numbers`)."""
        k, n_levels = self.k, len(levels)
        if n_levels == 0:
            return np.zeros((k, 0), dtype=np.int64)
        # no level lands in column L and rows without a group in row k, both dropped at the
        # end: full-array passes, no masking
        cells = level_index(values, levels)
        cells += self.group_offsets(n_levels + 1)
        flat = np.bincount(cells, minlength=(k + 1) * (n_levels + 1))
        return flat.reshape(k + 1, n_levels + 1)[:k, :n_levels]

    def group_offsets(self, width: int) -> np.ndarray:
        """Each row's group (no group: k) times ``width``, computed once per width and run."""
        if width not in self.offsets:
            self.offsets[width] = self.extended_codes().astype(np.intp) * width
        return self.offsets[width]

    def extended_codes(self) -> np.ndarray:
        """Group codes with 'no group' as k (an extra row to drop), computed once per run."""
        if self.codes_ext is None:
            self.codes_ext = np.where(self.codes < 0, self.k, self.codes).astype(np.int64)
        return self.codes_ext

    def missing(self, answered: np.ndarray) -> np.ndarray:
        """Rows of each group that did not give a counted answer."""
        if self.totals is None:
            self.totals = np.bincount(self.codes[self.codes >= 0], minlength=self.k)
        return self.totals - answered

    def count_choices(self, series: pd.Series, names: set[str]) -> np.ndarray:
        """Answers of each group that are one of the choice ``names`` (e.g. 'na')."""
        if not names or pd.api.types.is_numeric_dtype(series):
            return np.zeros(self.k, dtype=np.int64)
        if isinstance(series.dtype, pd.CategoricalDtype):
            per_category = np.isin(series.cat.categories.astype(str), list(names))
            hit = np.append(per_category, False)[series.cat.codes.to_numpy()]
        else:
            hit = series.astype("string").isin(names).to_numpy(dtype=bool, na_value=False)
        hit = hit & (self.codes >= 0)
        return np.bincount(self.codes[hit], minlength=self.k)


def breakdown_from(frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions) -> Breakdown:
    """The breakdown named by ``opts.by`` (default: the instrument's group item).

    Groups are the item's substantive choices in instrument order; values outside the choice
    list become groups of their own (sorted), 'not applicable'-type choices belong to no group.
    """
    var = opts.by or (instrument.group_item.id if instrument.group_item else None)
    if var is None:
        raise UsageError(
            f"instrument {instrument.id} has no role: group item",
            hint="name the comparison variable with --by ITEM",
        )
    if var not in frame.columns:
        raise UsageError(
            f"the group variable {var!r} is not a column of the responses",
            hint=f"check --by; columns are: {', '.join(map(str, frame.columns[:12]))}",
        )
    item = instrument.item(var) if instrument.has_item(var) else None
    choice_list = instrument.choices_for(item) if item is not None else None
    raw = frame[var]
    names = [c.name for c in choice_list.substantive] if choice_list else []
    lang = opts.lang or instrument.default_language
    labels = [c.label.get(lang) for c in choice_list.substantive] if choice_list else []
    codes = category_codes(raw, names)
    unknown = raw[(codes < 0) & raw.notna().to_numpy()]
    if len(unknown):  # values outside the choice list become groups of their own
        seen = {str(v) for v in pd.unique(unknown)}
        extra = sorted(seen - missing_names(instrument, item))
        names += extra
        labels += extra
        codes = category_codes(raw, names)
    return Breakdown(var, names, labels, codes)
