"""The engine: plan the run, set up the breakdown and design, hand each outcome to its analyser.

The data's path through a run of :func:`analyze`:

1. **filter** (:mod:`.filters`): ``--where`` and ``--engagement`` keep the rows analysed;
2. **breakdown** (:mod:`.breakdown`): the variable compared across (default: the
   instrument's ``role: group`` item, i.e. mode; ``none``: the topline) and each row's group;
   then the **plan** (:mod:`.plan`): which outcome items, scales and ratios are analysed;
3. **design** (:mod:`.design`): survey weights and raking; with ``--adjust`` the covariates,
   and with ``--propensity`` propensity weights (:mod:`.adjust`);
4. **analysers** (:mod:`.analysers`): each outcome item goes to its family's analyser
   (categorical, ordinal, numeric, NPS, multi-response), on two threads; then the
   covariate-adjusted comparisons, the scales and the ratios;
5. **multiplicity** (:func:`.multiplicity.adjust_run`): Holm within each outcome's pairwise
   family, Benjamini-Hochberg across the run; then the plain-language findings.

Ordinal and count outcomes are reduced to a group x level count table in one vectorised
pass (``np.bincount``), and every test then works on the table, so the cost of a run is
dominated by reading the columns once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from evalkit._version import __version__
from evalkit.analyze import findings as findings_mod
from evalkit.analyze.adjust import (
    adjusted_rows,
    covariates_from,
    propensity_design,
    regression_adjusted,
)
from evalkit.analyze.analysers import analyse_item, ratio, scale
from evalkit.analyze.analysers.text import analyse_texts, text_items
from evalkit.analyze.analysers.trend import analyse_trends, trend_sentences
from evalkit.analyze.breakdown import breakdown_from
from evalkit.analyze.design import design_from
from evalkit.analyze.filters import apply_filters
from evalkit.analyze.multiplicity import adjust_run
from evalkit.analyze.options import AnalysisOptions, check_options
from evalkit.analyze.plan import outcome_labels, plan_outcomes
from evalkit.analyze.result import AnalysisResult, tidy
from evalkit.analyze.rows import Context, Rows
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument, Item

_THREADS = 2  # the machines evalkit is sized for have two cores or more


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analyze(
    frame: pd.DataFrame,
    instrument: Instrument,
    options: AnalysisOptions | None = None,
    input_sha256: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnalysisResult:
    """Compare every outcome of ``instrument`` across groups in a canonical response frame.

    Parameters
    ----------
    frame
        Canonical response frame (one row per response, one column per item id;
        select_multiple as ``<item>__<choice>`` boolean columns).
    instrument
        The instrument the responses answer.
    options
        :class:`AnalysisOptions`.
    input_sha256
        Hash of the input file, recorded in the metadata.
    progress
        Called with ``"analysing <outcome> (i/n)"`` before each outcome family (item, scale,
        ratio) and before the adjusted comparisons; the library never prints.

    Returns
    -------
    AnalysisResult
        Tables ``comparisons, pairwise, descriptives, levels, multi_response, scales,
        scale_items, findings, balance`` with the fixed columns of
        :data:`evalkit.analyze.result.COLUMNS`. The topline (``by="none"``, or an instrument
        without a group item) describes every outcome and leaves comparisons empty.

    Examples
    --------
    >>> import numpy as np
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> rng = np.random.default_rng(1)
    >>> frame = pd.DataFrame({
    ...     "mode": rng.choice(["in_person", "virtual"], 200),
    ...     "worth_time": pd.array(rng.integers(1, 6, 200), dtype="Int64")})
    >>> res = analyze(frame, inst, AnalysisOptions(outcomes=("worth_time",)))
    >>> res.comparisons.loc[0, ["outcome", "test"]].tolist()
    ['worth_time', 'Kruskal-Wallis test']
    """
    opts = options or AnalysisOptions()
    check_options(opts)
    n_input = len(frame)
    frame, filter_meta = apply_filters(frame, instrument, opts)
    groups = breakdown_from(frame, instrument, opts)
    if not groups.compares and (opts.adjust or opts.propensity):
        raise UsageError(
            "--adjust compares groups at equal covariates, and the topline has no groups",
            hint="name the groups with --by ITEM",
        )
    design, design_meta = design_from(frame, opts, instrument)
    covariates = covariates_from(frame, instrument, opts)
    design, balance = propensity_design(covariates, groups, design, opts, design_meta)
    ctx = Context(instrument, groups, design, opts)
    plan = plan_outcomes(instrument, opts, groups.var)
    regression = covariates is not None and opts.propensity is None
    rows = Rows()
    step = _stepper(progress, plan.size)
    for item, item_rows in zip(plan.items, _each_item(frame, plan.items, ctx), strict=True):
        step(item.id)
        rows.extend(item_rows)
    if regression:
        if progress:
            progress(f"adjusting for {', '.join(opts.adjust)}")
        regression_adjusted(frame, plan.items, covariates, ctx, rows)
    scale_rows, scale_item_rows = [], []
    for sc in plan.scales:
        step(sc.id)
        scored = scale.analyse(sc, frame, ctx, rows)
        if scored is None:
            continue
        scale_rows.append(scored.scale)
        scale_item_rows += scored.items
        if regression:
            y = scored.row_scores()
            adjusted_rows(sc.id, "scale", y, "linear", covariates, ctx, rows)
    for r in plan.ratios:
        step(r.id)
        ratio.analyse(r, frame, ctx, rows)

    trends, interactions, trend_note = analyse_trends(plan.items, frame, ctx)
    texts, themes, quotes = analyse_texts(
        text_items(instrument, opts.outcomes), frame, ctx, opts.themes
    )
    comparisons = tidy("comparisons", rows.comparisons)
    pairwise = tidy("pairwise", rows.pairwise)
    adjust_run(comparisons, pairwise)
    labels = outcome_labels(instrument, opts.lang)
    findings = findings_mod.findings(
        comparisons,
        pairwise,
        labels,
        dict(zip(groups.names, groups.labels, strict=True)),
        opts.alpha,
        ctx.lang,
        between=groups.between_words(ctx.lang),
    )
    trend_findings = trend_sentences(
        trends,
        interactions,
        labels,
        _mode_labels(instrument, ctx.lang),
        opts.alpha,
        ctx.lang,
        groups.between_words(ctx.lang),
    )
    if trend_findings:
        findings = tidy("findings", findings.to_dict(orient="records") + trend_findings)
    tables = {
        "comparisons": comparisons,
        "pairwise": pairwise,
        "descriptives": tidy("descriptives", rows.descriptives),
        "levels": tidy("levels", rows.levels),
        "multi_response": tidy("multi_response", rows.multi_response),
        "scales": tidy("scales", scale_rows),
        "scale_items": tidy("scale_items", scale_item_rows),
        "trends": tidy("trends", trends),
        "interactions": tidy("interactions", interactions),
        "texts": tidy("texts", texts),
        "themes": tidy("themes", themes),
        "quotes": tidy("quotes", quotes),
        "findings": findings,
        "balance": balance if balance is not None else tidy("balance", []),
    }
    metadata = {
        "evalkit_version": __version__,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "input_sha256": input_sha256,
        "n_rows": len(frame),
        "n_without_group": int((groups.codes < 0).sum()),
        "breakdown": groups.kind,
        "group_var": groups.var,
        "groups": ",".join(groups.names),
        "bins": ",".join(f"{e:g}" for e in groups.edges) or None,
        "n_rows_input": n_input,
        **filter_meta,
        "alpha": opts.alpha,
        "confidence_level": 1 - opts.alpha,
        "min_cell": opts.min_cell,
        "seed": opts.seed,
        "n_boot": opts.n_boot,
        "holm": "within each outcome's pairwise family",
        "fdr": "Benjamini-Hochberg across all tests of the run",
        "skipped_outcomes": "; ".join(rows.skipped),
        "trend_note": trend_note or None,
        **design_meta,
        "adjust": ",".join(opts.adjust),
        "propensity": opts.propensity,
        "themes": opts.themes.source if opts.themes else None,
    }
    return AnalysisResult(tables=tables, metadata=metadata)


def _mode_labels(instrument: Instrument, lang: str) -> dict[str, str]:
    """Labels of the instrument's group item's choices (the modes of the interactions)."""
    mode = instrument.group_item
    choices = instrument.choices_for(mode) if mode else None
    return {c.name: c.label.get(lang) for c in choices} if choices else {}


def _stepper(progress: Callable[[str], None] | None, total: int) -> Callable[[str], None]:
    """A function announcing each of ``total`` outcome families to ``progress``."""
    done = [0]

    def step(name: str) -> None:
        done[0] += 1
        if progress:
            progress(f"analysing {name} ({done[0]}/{total})")

    return step


def _each_item(frame: pd.DataFrame, items: list[Item], ctx: Context) -> Iterator[Rows]:
    """The rows of each item's analysis, in item order, analysed on two threads.

    An item's work is count tables and resampling in numpy, which releases the GIL; every
    random procedure takes its own generator from the seed, so the rows never depend on the
    threads (tests/analyze/test_engine.py compares with a one-thread run).
    """
    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="evalkit-analyse") as pool:
        yield from pool.map(lambda item: analyse_item(item, frame, ctx), items)
