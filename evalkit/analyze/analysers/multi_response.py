"""Multi-response outcomes (select_multiple items): each option as a yes/no outcome.

The canonical frame holds one boolean column per option (``<item>__<choice>``, NA when the
item was not answered). Each option is compared across groups as a binary outcome
(:mod:`.categorical`): the share of respondents who ticked it, among those who answered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze.analysers.categorical import categorical_rows
from evalkit.analyze.design import compare_domains
from evalkit.analyze.rows import Context, Rows
from evalkit.analyze.values import numbers, numeric
from evalkit.instrument.model import Item


def option_columns(item: Item, ctx: Context) -> list[str]:
    """The ``<item>__<choice>`` column of every substantive option, in choice order."""
    choice_list = ctx.instrument.choices_for(item)
    return [f"{item.id}__{c.name}" for c in (choice_list.substantive if choice_list else ())]


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """Every option of a select_multiple item compared across groups as a yes/no outcome."""
    for column in option_columns(item, ctx):
        if column not in frame.columns:
            rows.skipped.append(f"{column} (no column)")
            continue
        if ctx.design.weighted:
            values = numeric(frame[column])
            table_codes = np.where(np.isnan(values), -1, values).astype(np.int64)
            compare_domains(column, "binary", values, values, "share yes", ctx, rows, table_codes)
            continue
        table = ctx.groups.table(numbers(frame[column]), np.array([1.0, 0.0]))
        categorical_rows(column, "binary", table, ["1", "0"], ["yes", "no"], ctx, rows)
