"""Open answers for the report: example quotes per theme of a ``--themes`` codebook.

The analysis engine draws the quotes (:mod:`evalkit.analyze.analysers.text`): up to five per
theme, from groups of at least ``min_cell`` answers, redacted (e-mail addresses, phone
numbers, links and the respondent's own answers to personal items), never from a personal
(``pii``) text item. This module only runs it for the report's instruments and keeps the
rows a report may print; :func:`evalkit.report.model.conform` redacts them once more.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.analysers.text import text_items
from evalkit.analyze.themes import Codebook
from evalkit.instrument.model import Instrument

QUOTE_COLUMNS = ("outcome", "theme", "label", "group", "quote")


def quotes_table(quotes: pd.DataFrame | None, instrument: Instrument) -> pd.DataFrame | None:
    """The quotes of one instrument a report may print: only its non-personal text items.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> raw = pd.DataFrame({"outcome": ["outcome_statement", "substantiator"],
    ...     "theme": ["t", "t"], "label": ["T", "T"], "group": ["virtual"] * 2,
    ...     "quote": ["We met a partner", "Ana Lopez"]})
    >>> quotes_table(raw, load_instrument("follow_up"))["quote"].tolist()
    ['We met a partner']
    """
    if quotes is None or quotes.empty:
        return None
    allowed = {item.id for item in instrument.items if item.type == "text" and not item.pii}
    kept = quotes[quotes["outcome"].isin(allowed)].reindex(columns=list(QUOTE_COLUMNS))
    return kept.reset_index(drop=True) if len(kept) else None


def coded_items(instrument: Instrument, codebook: Codebook) -> tuple[str, ...]:
    """The instrument's non-personal free-text outcome items the codebook codes."""
    return tuple(i.id for i in text_items(instrument, ()) if codebook.codes(i.id))


def instrument_quotes(
    frame: pd.DataFrame | None,
    instrument: Instrument,
    codebook: Codebook,
    options: AnalysisOptions,
) -> pd.DataFrame | None:
    """Quotes of one instrument's free-text outcomes (``None`` without data or such items).

    Runs only the open-answer analysis (``outcomes`` restricted to the coded text items),
    with the report's suppression threshold, seed and language from ``options``.
    """
    items = coded_items(instrument, codebook)
    if frame is None or not items or not set(items) & set(frame.columns):
        return None
    opts = AnalysisOptions(
        min_cell=options.min_cell,
        seed=options.seed,
        lang=options.lang,
        outcomes=tuple(i for i in items if i in frame.columns),
        themes=codebook,
    )
    return quotes_table(analyze(frame, instrument, opts).quotes, instrument)


def combine(*tables: pd.DataFrame | None) -> pd.DataFrame | None:
    """The quote tables one after the other (``None`` when there is none)."""
    present = [t for t in tables if t is not None and len(t)]
    return pd.concat(present, ignore_index=True) if present else None


def workspace_quotes(
    frames: Mapping[str, pd.DataFrame | None],
    instruments: Mapping[str, Instrument],
    codebook: Codebook | None,
    options: AnalysisOptions,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame | None:
    """Quotes from every instrument of the workspace report but those in ``skip`` (the
    compared instrument, whose analysis already drew its quotes)."""
    if codebook is None:
        return None
    return combine(
        *(
            instrument_quotes(frames.get(iid), inst, codebook, options)
            for iid, inst in instruments.items()
            if iid not in skip
        )
    )
