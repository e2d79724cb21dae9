"""Open answers (free-text outcome items): who answered, how much they wrote, which themes.

Per group: answers given, the share of respondents who wrote something, and the answers'
length in words (mean, median). With a theme codebook (``--themes``,
:mod:`evalkit.analyze.themes`): per group and theme, the share of answers that mention it
with a Wilson interval, and up to five example quotes per theme from groups large enough to
show, redacted (e-mails, phone numbers, links, and the same respondent's answers to personal
items when the frame still holds them). Personal (``pii``) text items are never analysed and
never quoted; groups below ``min_cell`` are suppressed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze.descriptives import share_with_ci
from evalkit.analyze.rows import Context
from evalkit.analyze.themes import Codebook, fold, redact, theme_matrix
from evalkit.instrument.model import Instrument, Item

MAX_QUOTES = 5


def text_items(instrument: Instrument, outcomes: tuple[str, ...]) -> list[Item]:
    """Free-text outcome items (or those ``--outcome`` names) that are not personal data."""
    wanted = set(outcomes)
    return [
        item
        for item in instrument.items
        if item.type == "text"
        and not item.pii
        and (item.id in wanted if wanted else item.role == "outcome")
    ]


def analyse_texts(
    items: list[Item], frame: pd.DataFrame, ctx: Context, codebook: Codebook | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the ``texts``, ``themes`` and ``quotes`` tables for every free-text item."""
    texts, themes, quotes = [], [], []
    for item in items:
        if item.id not in frame.columns:
            continue
        answers = frame[item.id].astype("string").str.strip()
        answers = answers.mask(answers == "")
        answered = answers.notna().to_numpy()
        texts += _length_rows(item, answers, answered, ctx)
        if codebook is not None and codebook.codes(item.id):
            matrix = theme_matrix(answers, codebook.themes)
            themes += _theme_rows(item, matrix, answered, codebook, ctx)
            quotes += _quotes(item, answers, matrix, codebook, frame, ctx)
    return texts, themes, quotes


def _per_group(ctx: Context, mask: np.ndarray) -> np.ndarray:
    codes = ctx.groups.codes
    return np.bincount(codes[(codes >= 0) & mask], minlength=ctx.groups.k)


def _length_rows(item, answers, answered, ctx: Context) -> list[dict[str, Any]]:
    groups = ctx.groups
    words = answers.fillna("").str.split().str.len().to_numpy(dtype=float)
    n = _per_group(ctx, np.ones(len(answers), dtype=bool))
    n_answered = _per_group(ctx, answered)
    hidden = ctx.suppressed(n_answered)
    rows = []
    for i, name in enumerate(groups.names):
        in_group = (groups.codes == i) & answered
        w = words[in_group]
        rows.append(
            {
                "outcome": item.id,
                "group_var": groups.var,
                "group": name,
                "n": int(n[i]),
                "n_answered": np.nan if hidden[i] else int(n_answered[i]),
                "share_answered": np.nan if hidden[i] or not n[i] else n_answered[i] / n[i],
                "mean_words": np.nan if hidden[i] or not len(w) else float(w.mean()),
                "median_words": np.nan if hidden[i] or not len(w) else float(np.median(w)),
                "suppressed": bool(hidden[i]),
            }
        )
    return rows


def _theme_rows(item, matrix, answered, codebook: Codebook, ctx: Context) -> list[dict[str, Any]]:
    groups = ctx.groups
    n_answered = _per_group(ctx, answered)
    hidden = ctx.suppressed(n_answered)
    rows = []
    for j, theme in enumerate(codebook.themes):
        count = _per_group(ctx, matrix[:, j] & answered)
        share, low, high = share_with_ci(count, n_answered, ctx.opts.alpha)
        for i, name in enumerate(groups.names):
            rows.append(
                {
                    "outcome": item.id,
                    "group_var": groups.var,
                    "group": name,
                    "theme": theme.id,
                    "label": theme.label_in(ctx.lang),
                    "n_answered": np.nan if hidden[i] else int(n_answered[i]),
                    "count": np.nan if hidden[i] else int(count[i]),
                    "share": np.nan if hidden[i] else share[i],
                    "share_ci_low": np.nan if hidden[i] else low[i],
                    "share_ci_high": np.nan if hidden[i] else high[i],
                    "suppressed": bool(hidden[i]),
                }
            )
    return rows


def _quotes(item, answers, matrix, codebook, frame, ctx: Context) -> list[dict[str, Any]]:
    """Up to five distinct redacted quotes per theme, drawn with the run's seed from shown
    groups (an answer many gave word for word is quoted once)."""
    groups = ctx.groups
    n_answered = _per_group(ctx, answers.notna().to_numpy())
    shown = ~ctx.suppressed(n_answered)
    eligible = (groups.codes >= 0) & shown[np.maximum(groups.codes, 0)]
    personal = [i.id for i in ctx.instrument.pii_items if i.id in frame.columns]
    rng = np.random.default_rng(ctx.opts.seed)
    rows = []
    for j, theme in enumerate(codebook.themes):
        candidates = np.flatnonzero(matrix[:, j] & eligible & answers.notna().to_numpy())
        picked: dict[str, tuple[int, str]] = {}  # folded quote -> (row, quote), as drawn
        for position in rng.permutation(candidates):
            quote = _redacted(answers, frame, personal, position)
            picked.setdefault(" ".join(fold(quote).split()), (position, quote))
            if len(picked) == MAX_QUOTES:
                break
        for position, quote in sorted(picked.values()):
            rows.append(
                {
                    "outcome": item.id,
                    "theme": theme.id,
                    "label": theme.label_in(ctx.lang),
                    "group": groups.names[groups.codes[position]],
                    "quote": quote,
                }
            )
    return rows


def _redacted(answers: pd.Series, frame: pd.DataFrame, personal: list[str], position: int) -> str:
    """The answer in row ``position`` redacted, the row's own personal answers as names."""
    names = [str(frame[c].iloc[position]) for c in personal if pd.notna(frame[c].iloc[position])]
    return redact(str(answers.iloc[position]), names)
