"""Multi-response outcomes (select_multiple items): the multi-response table, and each
option compared as a yes/no outcome.

The canonical frame holds one boolean column per option (``<item>__<choice>``, NA when the
item was not answered). The multi-response table gives, per group and option, the share of
respondents who ticked it (of those who answered the item; Wilson interval) and its share
of all mentions (ticks) with an interval that treats each respondent's ticks as a cluster
(the linearised variance of a ratio estimator, Cochran 1977 §6.3: a respondent's ticks are
not independent draws). Each option is then compared across groups as a binary outcome
(:mod:`.categorical`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.analyze import _dist
from evalkit.analyze.analysers.categorical import categorical_rows
from evalkit.analyze.descriptives import share_with_ci
from evalkit.analyze.design import compare_domains
from evalkit.analyze.rows import Context, Rows
from evalkit.analyze.values import numbers, numeric
from evalkit.instrument.model import Item


def option_columns(item: Item, ctx: Context) -> list[str]:
    """The ``<item>__<choice>`` column of every substantive option, in choice order."""
    choice_list = ctx.instrument.choices_for(item)
    return [f"{item.id}__{c.name}" for c in (choice_list.substantive if choice_list else ())]


def analyse(item: Item, frame: pd.DataFrame, ctx: Context, rows: Rows) -> None:
    """The item's multi-response table, and every option compared as a yes/no outcome."""
    # an option that is the breakdown itself is not compared across its own groups
    columns = [c for c in option_columns(item, ctx) if c != ctx.groups.var]
    present = [c for c in columns if c in frame.columns]
    if ctx.design.weighted:
        rows.skipped.append(f"{item.id} multi-response table (not survey-weighted)")
    elif present:
        multi_response_rows(item, frame, present, ctx, rows)
    for column in columns:
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


def mention_shares(y: np.ndarray, codes: np.ndarray, k: int, alpha: float = 0.05):
    """Each option's share of all mentions per group, with the ratio estimator's interval.

    ``y`` is respondents x options of 0/1 ticks (respondents who answered), ``codes`` their
    groups. Returns options x k arrays (share, low, high): the share is sum(y_j) / sum(m)
    (m: a respondent's number of ticks), its variance the linearised variance of a ratio
    over respondents as clusters, n/(n-1) sum((y_ij - r m_i)^2) / (sum m)^2 (Cochran 1977,
    eq. 6.13), so correlated ticks of one person are not counted as independent draws.
    """
    m = y.sum(axis=1)
    count = np.stack([np.bincount(codes, weights=y[:, j], minlength=k) for j in range(y.shape[1])])
    mentions = count.sum(axis=0)
    n = np.bincount(codes, minlength=k).astype(float)
    sum_ym = np.stack(
        [np.bincount(codes, weights=y[:, j] * m, minlength=k) for j in range(y.shape[1])]
    )
    sum_m2 = np.bincount(codes, weights=m * m, minlength=k)
    z = float(_dist.norm.ppf(1 - alpha / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = count / mentions[None, :]
        # sum over respondents of (y_ij - r m_i)^2, with y_ij^2 = y_ij
        resid = count - 2 * share * sum_ym + share**2 * sum_m2[None, :]
        var = n / (n - 1) * np.maximum(resid, 0) / mentions**2
        se = np.sqrt(np.where(n > 1, var, np.nan))
    return share, np.clip(share - z * se, 0, 1), np.clip(share + z * se, 0, 1)


def multi_response_rows(
    item: Item, frame: pd.DataFrame, columns: list[str], ctx: Context, rows: Rows
) -> None:
    """Per group and option: respondents who ticked it and its share of all mentions."""
    groups, alpha = ctx.groups, ctx.opts.alpha
    k = groups.k
    ticks = np.column_stack([numeric(frame[c]) for c in columns])  # rows x options, NaN
    answered = (~np.isnan(ticks)).any(axis=1) & (groups.codes >= 0)
    codes = groups.codes[answered]
    y = np.nan_to_num(ticks[answered], nan=0.0)
    n_resp = np.bincount(codes, minlength=k).astype(float)
    count = np.stack([np.bincount(codes, weights=y[:, j], minlength=k) for j in range(y.shape[1])])
    mentions = count.sum(axis=0)
    share_r, r_low, r_high = share_with_ci(count, n_resp[None, :], alpha)
    share_m, m_low, m_high = mention_shares(y, codes, k, alpha)
    hidden = ctx.suppressed(n_resp)
    choice_list = ctx.instrument.choices_for(item)
    labels = {f"{item.id}__{c.name}": c.label.get(ctx.lang) for c in choice_list or ()}
    for g, group in enumerate(groups.names):
        for j, column in enumerate(columns):
            hide = bool(hidden[g])
            values = {
                "n_respondents": int(n_resp[g]),
                "count": int(count[j, g]),
                "share_respondents": share_r[j, g],
                "share_respondents_ci_low": r_low[j, g],
                "share_respondents_ci_high": r_high[j, g],
                "n_mentions": int(mentions[g]),
                "share_mentions": share_m[j, g],
                "share_mentions_ci_low": m_low[j, g],
                "share_mentions_ci_high": m_high[j, g],
            }
            rows.multi_response.append(
                {
                    "outcome": item.id,
                    "group_var": groups.var,
                    "group": group,
                    "option": column.split("__", 1)[1],
                    "label": labels.get(column, column),
                    **{key: (np.nan if hide else v) for key, v in values.items()},
                    "suppressed": hide,
                }
            )
