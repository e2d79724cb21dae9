"""One analyser per outcome family; :func:`analyse_item` hands each item to its family's.

Every analyser has the signature ``analyse(outcome, frame, ctx, rows)``: it reads the
outcome's column(s) of ``frame`` through the run's breakdown (``ctx.groups``), asks the design
(``ctx.design``) once whether the comparison is weighted, and appends its descriptives,
levels, omnibus comparison and pairwise rows to ``rows``.

=================  ===================================  ==========================
family             items                                module
=================  ===================================  ==========================
binary/categorical select_one, yes/no options           :mod:`.categorical`
ordinal            likert                               :mod:`.ordinal`
numeric            integer (counts), decimal            :mod:`.numeric`
NPS                nps                                  :mod:`.nps`
multi-response     select_multiple                      :mod:`.multi_response`
scale              scales of the instrument             :mod:`.scale`
ratio              ratios of the instrument             :mod:`.ratio`
=================  ===================================  ==========================
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from evalkit.analyze.analysers import categorical, multi_response, nps, numeric, ordinal
from evalkit.analyze.rows import Context, Rows
from evalkit.instrument.model import Item

Analyser = Callable[[Item, pd.DataFrame, Context, Rows], None]

ITEM_ANALYSERS: dict[str, Analyser] = {
    "likert": ordinal.analyse,
    "select_one": categorical.analyse,
    "select_multiple": multi_response.analyse,
    "integer": numeric.analyse,
    "decimal": numeric.analyse,
    "nps": nps.analyse,
}


def analyse_item(item: Item, frame: pd.DataFrame, ctx: Context) -> Rows:
    """The rows of one outcome item's analysis by its family's analyser."""
    rows = Rows()
    # a select_multiple item's columns are its options'; the analyser checks each one
    if item.type != "select_multiple" and item.id not in frame.columns:
        rows.skipped.append(f"{item.id} (no column)")
        return rows
    ITEM_ANALYSERS[item.type](item, frame, ctx, rows)
    return rows
