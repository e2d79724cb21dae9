"""The engine: pick the test from each outcome's type, compare every group, adjust p-values.

For every outcome of the instrument (and every scale) the engine runs the omnibus test of
DESIGN.md "Statistics: the defaults" across the groups of the group variable (by default the
instrument's ``role: group`` item, i.e. mode), then every pairwise contrast with an effect
size and its confidence interval. Holm adjusts within each outcome's pairwise family and
Benjamini-Hochberg across all tests of the run; both adjusted and unadjusted p are kept.

Ordinal and count outcomes are reduced to a group x level count table in one vectorised
pass (``np.bincount``), and every test then works on the table, so the cost of a run is
dominated by reading the columns once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit._columns import level_index
from evalkit._version import __version__
from evalkit.analyze import _dist
from evalkit.analyze import findings as findings_mod
from evalkit.analyze._common import category_codes, check_alpha, check_n_boot
from evalkit.analyze.counts import bootstrap_means, mean_diff_ci
from evalkit.analyze.descriptives import moments_from_counts, quantiles_from_counts, share_with_ci
from evalkit.analyze.means import hedges_g, omega_squared_welch, welch_anova, welch_t
from evalkit.analyze.multiplicity import benjamini_hochberg, holm
from evalkit.analyze.nps import nps, nps_diff
from evalkit.analyze.ordinal import brunner_munzel_counts, epsilon_squared_ci, kruskal_counts
from evalkit.analyze.patterns import group_score_stats, pattern_counts
from evalkit.analyze.proportions import (
    cramers_v,
    cramers_v_ci,
    independence_test,
    newcombe_diff,
)
from evalkit.analyze.reliability import reverse_score, scale_reliability, scale_score
from evalkit.analyze.result import AnalysisResult, tidy
from evalkit.analyze.suppress import check_min_cell, suppressed_groups
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument, Item, Ratio, Term

ANALYSED_TYPES = ("likert", "select_one", "select_multiple", "integer", "decimal", "nps")


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of one run (every one is recorded in the result's metadata).

    Attributes
    ----------
    by
        Item id of the group variable; default the instrument's ``role: group`` item.
    alpha
        1 - confidence level, and the significance level findings use.
    min_cell
        Groups with fewer answers are suppressed (default 10).
    seed
        Seed of every random procedure (bootstrap, Monte Carlo Fisher).
    n_boot
        Bootstrap resamples for count outcomes.
    lang
        Language of labels in findings (default: the instrument's first).
    outcomes
        Restrict to these outcome ids (items or scales); empty = all.
    weights
        Column holding probability (survey) weights; every estimate and SE is then weighted
        (linearised SEs as R survey, design-based t, Wald F and Rao-Scott tests, Kish
        effective n).
    margins
        Population margins ``{item: {category: share}}`` to rake the weights to (IPF).
    rake_bounds
        Lower and upper bound of raked weights relative to their mean.
    adjust
        Covariate items: adds covariate-adjusted comparisons (regression with robust SEs,
        proportional odds for Likert items) labelled "adjusted association", and a balance
        table of standardised mean differences.
    propensity
        ``"ipw"`` or ``"overlap"``: instead of regression, weight by propensity scores of the
        group given the ``adjust`` covariates; every comparison is then an adjusted association.
    """

    by: str | None = None
    alpha: float = 0.05
    min_cell: int = 10
    seed: int = 0
    n_boot: int = 2000
    lang: str | None = None
    outcomes: tuple[str, ...] = field(default_factory=tuple)
    weights: str | None = None
    margins: dict[str, dict[str, float]] | None = None
    rake_bounds: tuple[float, float] = (0.2, 5.0)
    adjust: tuple[str, ...] = field(default_factory=tuple)
    propensity: str | None = None


def options_from(
    margins: str | None = None, outcomes=(), adjust: str | None = None, **kwargs: Any
) -> AnalysisOptions:
    """AnalysisOptions from command-line values (``margins`` is a YAML path, ``adjust`` a
    comma-separated list of items)."""
    from evalkit.analyze.weights import load_margins

    return AnalysisOptions(
        outcomes=tuple(outcomes),
        adjust=tuple(a.strip() for a in adjust.split(",") if a.strip()) if adjust else (),
        margins=load_margins(margins) if margins else None,
        **{k: v for k, v in kwargs.items() if v is not None},
    )


@dataclass
class _Groups:
    var: str
    names: list[str]
    labels: list[str]
    codes: np.ndarray  # int per row, -1 = no group
    weights: np.ndarray | None = None
    totals: np.ndarray | None = None
    codes_ext: np.ndarray | None = None
    adjusted_note: str = ""
    # group code x (levels + 1), per number of levels: the row offset of each row's cell in a
    # flattened table, shared by every outcome with that many levels
    offsets: dict[int, np.ndarray] = field(default_factory=dict)


@dataclass
class _Acc:
    """Rows accumulated for each table."""

    comparisons: list[dict[str, Any]] = field(default_factory=list)
    pairwise: list[dict[str, Any]] = field(default_factory=list)
    descriptives: list[dict[str, Any]] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def extend(self, other: _Acc) -> None:
        """Append ``other``'s rows to each table."""
        self.comparisons += other.comparisons
        self.pairwise += other.pairwise
        self.descriptives += other.descriptives
        self.levels += other.levels
        self.skipped += other.skipped


def analysis_columns(instrument: Instrument, options: AnalysisOptions | None = None) -> list[str]:
    """The item ids whose columns :func:`analyze` can read with these options.

    Every item of an analysed type (:data:`ANALYSED_TYPES`: outcomes, the group item,
    covariates, the items of scales and ratios), and any column the options name (``by``,
    ``weights``, ``adjust``, the items of ``margins``); not free text, dates or the response
    id. A caller that reads a file only to analyse it keeps just these columns of the valid
    rows (``evalkit analyze FILE``: the rows of the text columns are never copied). The
    analysis of a frame limited to them equals that of the whole frame (tested).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> columns = analysis_columns(inst, AnalysisOptions(adjust=("engagement_id",)))
    >>> "worth_time" in columns, "engagement_id" in columns, "response_id" in columns
    (True, True, False)
    """
    opts = options or AnalysisOptions()
    named = [opts.by, opts.weights, *opts.adjust, *(opts.margins or {})]
    typed = [item.id for item in instrument.items if item.type in ANALYSED_TYPES]
    return list(dict.fromkeys([*typed, *(name for name in named if name)]))


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
        Tables ``comparisons, pairwise, descriptives, levels, scales, scale_items, findings,
        balance`` with the fixed columns of :data:`evalkit.analyze.result.COLUMNS`.

    Examples
    --------
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
    check_alpha(opts.alpha)
    check_min_cell(opts.min_cell)
    check_n_boot(opts.n_boot)
    groups = _groups(frame, instrument, opts)
    weight_meta = _weights(frame, groups, opts)
    covariates = _covariates(frame, instrument, opts)
    balance = _propensity(covariates, groups, opts, weight_meta)
    acc = _Acc()
    wanted = set(opts.outcomes)
    outcome_items = [
        item
        for item in instrument.items
        if item.role == "outcome"
        and not item.pii
        and item.type in ANALYSED_TYPES
        and item.id != groups.var
        and (not wanted or item.id in wanted)
    ]
    scales = [s for s in instrument.scales if not wanted or s.id in wanted]
    ratios = [r for r in instrument.ratios if not wanted or r.id in wanted]
    step = _stepper(progress, len(outcome_items) + len(scales) + len(ratios))
    analysed = _each_item(frame, instrument, outcome_items, groups, opts)
    for item, rows in zip(outcome_items, analysed, strict=True):
        step(item.id)
        acc.extend(rows)
    if covariates is not None and opts.propensity is None:
        if progress:
            progress(f"adjusting for {', '.join(opts.adjust)}")
        _regression_adjusted(frame, instrument, outcome_items, covariates, groups, opts, acc)
    scale_rows, scale_item_rows = [], []
    for scale in scales:
        step(scale.id)
        missing = [i for i in scale.items if i not in frame.columns]
        if missing:
            acc.skipped.append(f"{scale.id} (missing columns {', '.join(missing)})")
            continue
        rel, n_scored, stats, row_scores = _score_scale(frame, instrument, scale, groups, opts)
        scale_rows.append(
            {
                "scale": scale.id,
                "items": ",".join(scale.items),
                "reversed": ",".join(scale.reverse),
                "min_items": scale.min_items,
                "n_scored": n_scored,
                "n_complete": rel.n_complete,
                "alpha": rel.alpha.value,
                "alpha_ci_low": rel.alpha.ci_low,
                "alpha_ci_high": rel.alpha.ci_high,
                "omega": rel.omega,
            }
        )
        for row in rel.items.to_dict(orient="records"):
            scale_item_rows.append(
                {"scale": scale.id, "reversed": row["item"] in scale.reverse, **row}
            )
        if groups.weights is not None:
            _weighted(scale.id, "scale", row_scores(), None, "mean", groups, opts, acc)
        else:
            _continuous_rows(scale.id, "scale", *stats, groups, opts, acc)
        if covariates is not None and opts.propensity is None:
            y = row_scores()
            _adjusted_rows(scale.id, "scale", y, "linear", covariates, groups, opts, acc)

    for ratio in ratios:
        step(ratio.id)
        _ratio_outcome(frame, ratio, groups, opts, acc)

    comparisons = tidy("comparisons", acc.comparisons)
    pairwise = tidy("pairwise", acc.pairwise)
    _adjust_p(comparisons, pairwise)
    labels = _outcome_labels(instrument, opts.lang)
    tables = {
        "comparisons": comparisons,
        "pairwise": pairwise,
        "descriptives": tidy("descriptives", acc.descriptives),
        "levels": tidy("levels", acc.levels),
        "scales": tidy("scales", scale_rows),
        "scale_items": tidy("scale_items", scale_item_rows),
        "findings": findings_mod.findings(
            comparisons,
            pairwise,
            labels,
            dict(zip(groups.names, groups.labels, strict=True)),
            opts.alpha,
            opts.lang or instrument.default_language,
        ),
        "balance": balance if balance is not None else tidy("balance", []),
    }
    metadata = {
        "evalkit_version": __version__,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "input_sha256": input_sha256,
        "n_rows": len(frame),
        "n_without_group": int((groups.codes < 0).sum()),
        "group_var": groups.var,
        "groups": ",".join(groups.names),
        "alpha": opts.alpha,
        "confidence_level": 1 - opts.alpha,
        "min_cell": opts.min_cell,
        "seed": opts.seed,
        "n_boot": opts.n_boot,
        "holm": "within each outcome's pairwise family",
        "fdr": "Benjamini-Hochberg across all tests of the run",
        "skipped_outcomes": "; ".join(acc.skipped),
        **weight_meta,
        "adjust": ",".join(opts.adjust),
        "propensity": opts.propensity,
    }
    return AnalysisResult(tables=tables, metadata=metadata)


# --------------------------------------------------------------------------- preparation


def _stepper(progress: Callable[[str], None] | None, total: int) -> Callable[[str], None]:
    """A function announcing each of ``total`` outcome families to ``progress``."""
    done = [0]

    def step(name: str) -> None:
        done[0] += 1
        if progress:
            progress(f"analysing {name} ({done[0]}/{total})")

    return step


def _groups(frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions) -> _Groups:
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
        extra = sorted(seen - _missing_names(instrument, item))
        names += extra
        labels += extra
        codes = category_codes(raw, names)
    return _Groups(var, names, labels, codes)


def _missing_names(instrument: Instrument, item: Item | None) -> set[str]:
    choice_list = instrument.choices_for(item) if item is not None else None
    return {c.name for c in choice_list if c.missing} if choice_list else set()


def _numeric(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # one conversion per category, then a take by code (-1, missing, takes the NaN)
        per_category = pd.to_numeric(
            pd.Series(series.cat.categories.astype(str)), errors="coerce"
        ).to_numpy(dtype=float)
        return np.append(per_category, np.nan)[series.cat.codes.to_numpy()]
    return pd.to_numeric(series.astype("string"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )


def _numbers(series: pd.Series):
    """The column as :func:`_table` reads it: a nullable integer or boolean column as it is
    (its integers are counted without a float copy), anything else as floats."""
    if getattr(series.dtype, "kind", None) in ("i", "b"):
        return series.array
    return _numeric(series)


def _score_scale(frame: pd.DataFrame, instrument: Instrument, scale, groups: _Groups, opts):
    """A scale's reliability, number of scored rows, score statistics per group and a
    function giving each row's score.

    Items rated on choice lists are counted as answer patterns (:mod:`.patterns`); a scale
    with an item without one, or with too many patterns, is scored row by row.
    """
    levels = {}
    for item_id in scale.items:
        choice_list = instrument.choices_for(instrument.item(item_id))
        if choice_list is None:
            levels = None
            break
        levels[item_id] = np.array([float(c.value) for c in choice_list.substantive])
    patterns = None
    if levels is not None:
        columns = {item_id: _numbers(frame[item_id]) for item_id in scale.items}
        patterns = pattern_counts(
            columns, levels, scale.reverse, _group_codes_ext(groups), len(groups.names)
        )
    if patterns is None:
        items = _scale_items(frame, instrument, scale.items, scale.reverse)
        score = scale_score(items, scale.min_items, scale.score).to_numpy(dtype=float)
        rel = scale_reliability(scale.id, items, opts.alpha)
        n_scored = int((~np.isnan(score)).sum())
        return rel, n_scored, _continuous_stats(score, groups), lambda: score
    scores = scale_score(patterns.values, scale.min_items, scale.score).to_numpy(dtype=float)
    rel = scale_reliability(scale.id, patterns.values, opts.alpha, counts=patterns.totals)
    n_scored = int(patterns.totals[~np.isnan(scores)].sum())
    stats = group_score_stats(scores, patterns.counts[:-1])
    return rel, n_scored, stats, lambda: scores[patterns.row_pattern]


def _scale_items(
    frame: pd.DataFrame, instrument: Instrument, item_ids: tuple[str, ...], reverse
) -> pd.DataFrame:
    cols = {}
    for item_id in item_ids:
        values = pd.Series(_numeric(frame[item_id]), index=frame.index)
        item = instrument.item(item_id)
        choice_list = instrument.choices_for(item)
        if choice_list is not None:
            levels = np.array([float(c.value) for c in choice_list.substantive])
            raw = values.to_numpy()
            values = pd.Series(np.where(_is_level(raw, levels), raw, np.nan), index=frame.index)
            if item_id in reverse:
                values = reverse_score(values, levels.min(), levels.max())
        cols[item_id] = values
    return pd.DataFrame(cols)


def _is_level(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Mask of values equal to one of ``levels`` (a lookup table for integer levels)."""
    lo, hi = levels.min(), levels.max()
    if np.all(levels == np.round(levels)) and hi - lo < 100_000:
        lut = np.zeros(int(hi - lo) + 1, dtype=bool)
        lut[(levels - lo).astype(np.int64)] = True
        with np.errstate(invalid="ignore"):
            inside = (values >= lo) & (values <= hi) & (values == np.floor(values))
        out = np.zeros(len(values), dtype=bool)
        out[inside] = lut[(values[inside] - lo).astype(np.int64)]
        return out
    return np.isin(values, levels)


def _outcome_labels(instrument: Instrument, lang: str | None) -> dict[str, str]:
    labels = {}
    for item in instrument.items:
        labels[item.id] = item.text.get(lang).strip()
        if item.type == "select_multiple" and item.choices:
            for choice in instrument.choice_list(item.choices):
                labels[f"{item.id}__{choice.name}"] = (
                    f"{item.text.get(lang).strip()} – {choice.label.get(lang)}"
                )
    for scale in instrument.scales:
        labels[scale.id] = scale.label.get(lang) if scale.label else scale.id
    for ratio in instrument.ratios:
        labels[ratio.id] = ratio.label.get(lang) if ratio.label else ratio.id
    return labels


# --------------------------------------------------------------------------- per outcome


def _each_item(
    frame: pd.DataFrame,
    instrument: Instrument,
    items: list[Item],
    groups: _Groups,
    opts: AnalysisOptions,
) -> Iterator[_Acc]:
    """The rows of each item's analysis, in item order, analysed on two threads.

    An item's work is count tables and resampling in numpy, which releases the GIL; every
    random procedure takes its own generator from the seed, so the rows never depend on the
    threads (tests/analyze/test_engine.py compares with a one-thread run).
    """

    def analyse(item: Item) -> _Acc:
        rows = _Acc()
        _analyse_item(frame, instrument, item, groups, opts, rows)
        return rows

    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="evalkit-analyse") as pool:
        yield from pool.map(analyse, items)


_THREADS = 2  # the machines evalkit is sized for have two cores or more


def _analyse_item(
    frame: pd.DataFrame,
    instrument: Instrument,
    item: Item,
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
) -> None:
    if item.type == "select_multiple":
        choice_list = instrument.choices_for(item)
        for choice in choice_list.substantive if choice_list else ():
            column = f"{item.id}__{choice.name}"
            if column not in frame.columns:
                acc.skipped.append(f"{column} (no column)")
                continue
            if groups.weights is not None:
                values = _numeric(frame[column])
                table_codes = np.where(np.isnan(values), -1, values).astype(np.int64)
                _weighted(
                    column, "binary", values, values, "share yes", groups, opts, acc, table_codes
                )
                continue
            table = _table(groups, _numbers(frame[column]), np.array([1.0, 0.0]))
            _categorical(column, "binary", table, ["1", "0"], ["yes", "no"], groups, opts, acc)
        return
    if item.id not in frame.columns:
        acc.skipped.append(f"{item.id} (no column)")
        return
    series = frame[item.id]
    if groups.weights is not None:
        _weighted_item(item, instrument, series, groups, opts, acc)
        return
    if item.type == "likert":
        _ordinal(item, instrument, series, groups, opts, acc)
    elif item.type == "select_one":
        choice_list = instrument.choices_for(item)
        subs = choice_list.substantive if choice_list else ()
        names = [c.name for c in subs]
        lang = opts.lang or instrument.default_language
        codes = category_codes(series, names)  # -1, missing or unknown, is no level
        table = _table(groups, codes, np.arange(len(names), dtype=float))
        missing_choice = _count_missing_choice(series, _missing_names(instrument, item), groups)
        _categorical(
            item.id,
            "categorical",
            table,
            names,
            [c.label.get(lang) for c in subs],
            groups,
            opts,
            acc,
            missing_choice,
        )
    elif item.type == "integer":
        values = _numbers(series)
        _count(item.id, groups, values, _observed_levels(values), opts, acc)
    elif item.type == "nps":
        _nps(item.id, groups, _numbers(series), opts, acc)
    else:  # decimal
        _continuous(item.id, "continuous", _numeric(series), groups, opts, acc)


def _observed_levels(values) -> np.ndarray:
    """The distinct values present, sorted, as floats (hashing, no sort of the rows)."""
    if isinstance(values, np.ndarray):
        return np.unique(pd.unique(values[~np.isnan(values)]))
    present = values.unique()
    return np.sort(present[~present.isna()].to_numpy(dtype=float))


def _table(groups: _Groups, values, levels: np.ndarray) -> np.ndarray:
    """k x L count table of ``values`` over ``levels``; anything that is not a level (missing,
    out of range, fractional) is not counted. ``values`` is a float array or a column's own
    integers (see :func:`_numbers`)."""
    k, n_levels = len(groups.names), len(levels)
    if n_levels == 0:
        return np.zeros((k, 0), dtype=np.int64)
    # no level lands in column L and rows without a group in row k, both dropped at the end:
    # full-array passes, no masking
    cells = level_index(values, levels)
    cells += _group_offsets(groups, n_levels + 1)
    flat = np.bincount(cells, minlength=(k + 1) * (n_levels + 1))
    return flat.reshape(k + 1, n_levels + 1)[:k, :n_levels]


def _group_offsets(groups: _Groups, width: int) -> np.ndarray:
    """Each row's group (no group: k) times ``width``, computed once per width and run."""
    if width not in groups.offsets:
        groups.offsets[width] = _group_codes_ext(groups).astype(np.intp) * width
    return groups.offsets[width]


def _group_codes_ext(groups: _Groups) -> np.ndarray:
    """Group codes with 'no group' as k (an extra row to drop), computed once per run."""
    if groups.codes_ext is None:
        k = len(groups.names)
        groups.codes_ext = np.where(groups.codes < 0, k, groups.codes).astype(np.int64)
    return groups.codes_ext


def _missing_by_group(groups: _Groups, answered: np.ndarray) -> np.ndarray:
    if groups.totals is None:
        groups.totals = np.bincount(groups.codes[groups.codes >= 0], minlength=len(groups.names))
    return groups.totals - answered


def _count_missing_choice(series: pd.Series, names: set[str], groups: _Groups) -> np.ndarray:
    if not names or pd.api.types.is_numeric_dtype(series):
        return np.zeros(len(groups.names), dtype=np.int64)
    if isinstance(series.dtype, pd.CategoricalDtype):
        per_category = np.isin(series.cat.categories.astype(str), list(names))
        hit = np.append(per_category, False)[series.cat.codes.to_numpy()]
    else:
        hit = series.astype("string").isin(names).to_numpy(dtype=bool, na_value=False)
    hit = hit & (groups.codes >= 0)
    return np.bincount(groups.codes[hit], minlength=len(groups.names))


def _base(outcome: str, outcome_type: str, groups: _Groups) -> dict[str, Any]:
    return {"outcome": outcome, "outcome_type": outcome_type, "group_var": groups.var}


def _suppression(n: np.ndarray, opts: AnalysisOptions) -> np.ndarray:
    return suppressed_groups(n, opts.min_cell)


def _pairs(n: np.ndarray, hidden: np.ndarray):
    """Index pairs of non-empty groups; a pair with a suppressed group is marked, not run."""
    present = [i for i in range(len(n)) if n[i] > 0]
    for a, b in combinations(present, 2):
        yield a, b, bool(hidden[a] or hidden[b])


def _shown_pairs(
    outcome: str, outcome_type: str, groups: _Groups, n: np.ndarray, hidden: np.ndarray, acc: _Acc
):
    """Each pair of groups to compare, with its base row; a pair with a suppressed group is
    recorded as suppressed (no numbers) and not yielded."""
    for a, b, hide in _pairs(n, hidden):
        row = {
            **_base(outcome, outcome_type, groups),
            "group_a": groups.names[a],
            "group_b": groups.names[b],
            "n_a": int(n[a]),
            "n_b": int(n[b]),
            "suppressed": hide,
        }
        if hide:
            acc.pairwise.append({**row, "n_a": np.nan, "n_b": np.nan, "note": "suppressed"})
            continue
        yield a, b, row


def _comparison_note(hidden: np.ndarray, groups: _Groups) -> str:
    names = [groups.names[i] for i in np.flatnonzero(hidden)]
    return f"suppressed groups left out: {', '.join(names)}" if names else ""


def _ordinal(
    item: Item,
    instrument: Instrument,
    series: pd.Series,
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
) -> None:
    choice_list = instrument.choices_for(item)
    subs = choice_list.substantive if choice_list else ()
    levels = np.array([float(c.value) for c in subs])
    lang = opts.lang or instrument.default_language
    table = _table(groups, _numbers(series), levels)
    missing_choice = _count_missing_choice(series, _missing_names(instrument, item), groups)
    _levels_rows(
        item.id, groups, table, [c.name for c in subs], [c.label.get(lang) for c in subs], opts, acc
    )
    _missing_choice_rows(item.id, instrument, item, series, groups, table, opts, acc)
    top2 = table[:, -2:].sum(axis=1) if len(levels) >= 4 else table[:, -1]
    share_name = (
        f"top-2-box ({subs[-2].label.get(lang)} or {subs[-1].label.get(lang)})"
        if len(levels) >= 4
        else f"top box ({subs[-1].label.get(lang)})"
    )
    _rank_outcome(
        item.id, "ordinal", groups, table, levels, opts, acc, top2, share_name, missing_choice
    )


def _count(
    outcome: str,
    groups: _Groups,
    values: np.ndarray,
    levels: np.ndarray,
    opts: AnalysisOptions,
    acc: _Acc,
) -> None:
    table = _table(groups, values, levels)
    at_least_one = table[:, levels >= 1].sum(axis=1)
    _rank_outcome(
        outcome, "count", groups, table, levels, opts, acc, at_least_one, "share >= 1", None
    )


def _rank_outcome(
    outcome: str,
    outcome_type: str,
    groups: _Groups,
    table: np.ndarray,
    levels: np.ndarray,
    opts: AnalysisOptions,
    acc: _Acc,
    successes: np.ndarray,
    share_name: str,
    missing_choice: np.ndarray | None,
) -> None:
    n, mean, var = moments_from_counts(levels, table)
    hidden = _suppression(n, opts)
    missing = _missing_by_group(groups, n.astype(np.int64))
    share, s_low, s_high = share_with_ci(successes, n, opts.alpha)
    for i, name in enumerate(groups.names):
        q1, med, q3 = quantiles_from_counts(levels, table[i])
        row = {
            **_base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i] - (missing_choice[i] if missing_choice is not None else 0)),
            "missing_choice": int(missing_choice[i]) if missing_choice is not None else 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": med,
            "q1": q1,
            "q3": q3,
            "share_name": share_name,
            "share": share[i],
            "share_ci_low": s_low[i],
            "share_ci_high": s_high[i],
            "n_effective": n[i],
            "mean_se": np.sqrt(var[i] / n[i]) if n[i] > 1 else np.nan,
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    shown = ~hidden
    res, eps2 = kruskal_counts(table[shown])
    eps_low, eps_high = epsilon_squared_ci(table[shown], opts.alpha, opts.n_boot, opts.seed)
    acc.comparisons.append(
        {
            **_base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "p_value": res.p_value,
            "effect_name": "epsilon-squared",
            "effect": eps2,
            "effect_ci_low": eps_low,
            "effect_ci_high": eps_high,
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": _comparison_note(hidden, groups),
        }
    )
    # a count outcome's mean differences: each group resampled once, for all its pairs
    seed = opts.seed + len(acc.pairwise)
    draws = None
    for a, b, row in _shown_pairs(outcome, outcome_type, groups, n, hidden, acc):
        bm, ps, rb = brunner_munzel_counts(table[a], table[b], opts.alpha)
        if outcome_type == "ordinal":
            diff = newcombe_diff(successes[a], n[a], successes[b], n[b], opts.alpha)
            est = (share_name, share[a], share[b], "Newcombe hybrid score")
        else:
            if draws is None:
                draws = bootstrap_means(levels, table, opts.n_boot, seed)
            diff = mean_diff_ci(levels, table[a], table[b], draws[a], draws[b], opts.alpha)
            est = ("mean", mean[a], mean[b], f"percentile bootstrap ({opts.n_boot}, seed {seed})")
        acc.pairwise.append(
            {
                **row,
                "estimate_name": est[0],
                "estimate_a": est[1],
                "estimate_b": est[2],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": est[3],
                "test": bm.test,
                "statistic": bm.statistic,
                "df": bm.df,
                "p_value": bm.p_value,
                "effect_name": "P(A>B)+0.5P(A=B)",
                "effect": ps.value,
                "effect_ci_low": ps.ci_low,
                "effect_ci_high": ps.ci_high,
                "effect2_name": "rank-biserial correlation",
                "effect2": rb.value,
                "effect2_ci_low": rb.ci_low,
                "effect2_ci_high": rb.ci_high,
                "note": "",
            }
        )


def _blank_if(row: dict[str, Any], hide: bool) -> dict[str, Any]:
    if not hide:
        return row
    keep = {"outcome", "outcome_type", "group_var", "group", "share_name", "suppressed"}
    return {k: (v if k in keep else np.nan) for k, v in row.items()}


def _levels_rows(outcome, groups, table, names, labels, opts, acc) -> None:
    n = table.sum(axis=1)
    hidden = _suppression(n, opts)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = table / n[:, None]
    for i, group in enumerate(groups.names):
        for j, level in enumerate(names):
            acc.levels.append(
                {
                    "outcome": outcome,
                    "group_var": groups.var,
                    "group": group,
                    "level": level,
                    "label": labels[j],
                    "count": np.nan if hidden[i] else int(table[i, j]),
                    "share": np.nan if hidden[i] else share[i, j],
                    "suppressed": bool(hidden[i]),
                }
            )


def _missing_choice_rows(outcome, instrument, item, series, groups, table, opts, acc) -> None:
    """Rows of the levels table for 'not applicable'-type answers: counted, no share."""
    choice_list = instrument.choices_for(item)
    lang = opts.lang or instrument.default_language
    hidden = _suppression(table.sum(axis=1), opts)
    for choice in [c for c in choice_list if c.missing] if choice_list else []:
        counts = _count_missing_choice(series, {choice.name}, groups)
        for i, group in enumerate(groups.names):
            acc.levels.append(
                {
                    "outcome": outcome,
                    "group_var": groups.var,
                    "group": group,
                    "level": choice.name,
                    "label": choice.label.get(lang),
                    "count": np.nan if hidden[i] else int(counts[i]),
                    "share": np.nan,  # not part of the distribution over levels
                    "suppressed": bool(hidden[i]),
                }
            )


def _categorical(
    outcome: str,
    outcome_type: str,
    table: np.ndarray,
    names: list[str],
    labels: list[str],
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
    missing_choice: np.ndarray | None = None,
) -> None:
    n = table.sum(axis=1).astype(float)
    hidden = _suppression(n, opts)
    missing = _missing_by_group(groups, n.astype(np.int64))
    mc = missing_choice if missing_choice is not None else np.zeros(len(n), dtype=np.int64)
    first = table[:, 0]
    share, s_low, s_high = share_with_ci(first, n, opts.alpha)
    share_name = f"share {labels[0]}" if names else ""
    if outcome_type != "binary":
        _levels_rows(outcome, groups, table, names, labels, opts, acc)
    for i, name in enumerate(groups.names):
        row = {
            **_base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i] - mc[i]),
            "missing_choice": int(mc[i]),
            "share_name": share_name,
            "share": share[i],
            "share_ci_low": s_low[i],
            "share_ci_high": s_high[i],
            "n_effective": n[i],
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    shown = table[~hidden]
    res, min_expected = independence_test(shown, seed=opts.seed)
    v_ci = cramers_v_ci(shown, opts.alpha, opts.n_boot, opts.seed)
    note = _comparison_note(hidden, groups)
    if res.test.startswith("Fisher"):
        note = "; ".join(filter(None, [note, f"smallest expected count {min_expected:.1f} < 5"]))
    acc.comparisons.append(
        {
            **_base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "p_value": res.p_value,
            "effect_name": "Cramér's V",
            "effect": cramers_v(shown),
            "effect_ci_low": v_ci[0],
            "effect_ci_high": v_ci[1],
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": note,
        }
    )
    z = _z(opts.alpha)
    for a, b, row in _shown_pairs(outcome, outcome_type, groups, n, hidden, acc):
        pair = table[[a, b]]
        test, _ = independence_test(pair, seed=opts.seed)
        diff = newcombe_diff(first[a], n[a], first[b], n[b], opts.alpha)
        h = 2 * np.arcsin(np.sqrt(share[a])) - 2 * np.arcsin(np.sqrt(share[b]))
        h_se = np.sqrt(1 / n[a] + 1 / n[b])
        acc.pairwise.append(
            {
                **row,
                "estimate_name": share_name,
                "estimate_a": share[a],
                "estimate_b": share[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Newcombe hybrid score",
                "test": test.test,
                "statistic": test.statistic,
                "df": test.df,
                "p_value": test.p_value,
                "effect_name": "Cohen's h",
                "effect": h,
                "effect_ci_low": h - z * h_se,
                "effect_ci_high": h + z * h_se,
                "effect2_name": "Cramér's V",
                "effect2": cramers_v(pair),
                "note": "",
            }
        )


def _z(alpha: float) -> float:
    return float(_dist.norm.ppf(1 - alpha / 2))


def _continuous(
    outcome: str,
    outcome_type: str,
    values: np.ndarray,
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
) -> None:
    stats = _continuous_stats(values, groups)
    _continuous_rows(outcome, outcome_type, *stats, groups, opts, acc)


def _continuous_stats(
    values: np.ndarray, groups: _Groups
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample variance, k x 3 quartiles) of ``values`` in each group."""
    k = len(groups.names)
    ok = (groups.codes >= 0) & ~np.isnan(values)
    codes, v = groups.codes[ok], values[ok]
    n = np.bincount(codes, minlength=k).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=v, minlength=k) / n
        dev = v - mean[codes]
        var = np.where(n > 1, np.bincount(codes, weights=dev**2, minlength=k) / (n - 1), np.nan)
    return n, mean, var, _group_quantiles(codes, v, k)


def _continuous_rows(
    outcome: str,
    outcome_type: str,
    n: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    quant: np.ndarray,
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
) -> None:
    """Descriptives, Welch ANOVA and pairwise Welch t / Hedges' g from group statistics."""
    hidden = _suppression(n, opts)
    missing = _missing_by_group(groups, n.astype(np.int64))
    for i, name in enumerate(groups.names):
        row = {
            **_base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": quant[i, 1],
            "q1": quant[i, 0],
            "q3": quant[i, 2],
            "share_name": "",
            "n_effective": n[i],
            "mean_se": np.sqrt(var[i] / n[i]) if n[i] > 1 else np.nan,
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    shown = ~hidden
    res = welch_anova(n[shown], mean[shown], var[shown])
    acc.comparisons.append(
        {
            **_base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "df2": res.df2,
            "p_value": res.p_value,
            "effect_name": "omega-squared (Welch, approximate)",
            "effect": omega_squared_welch(res.statistic, res.df, n[shown].sum()),
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": _comparison_note(hidden, groups),
        }
    )
    for a, b, row in _shown_pairs(outcome, outcome_type, groups, n, hidden, acc):
        t, diff = welch_t(n[a], mean[a], var[a], n[b], mean[b], var[b], opts.alpha)
        g = hedges_g(n[a], mean[a], var[a], n[b], mean[b], var[b], opts.alpha)
        acc.pairwise.append(
            {
                **row,
                "estimate_name": "mean",
                "estimate_a": mean[a],
                "estimate_b": mean[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Welch t interval",
                "test": t.test,
                "statistic": t.statistic,
                "df": t.df,
                "p_value": t.p_value,
                "effect_name": "Hedges' g",
                "effect": g.value,
                "effect_ci_low": g.ci_low,
                "effect_ci_high": g.ci_high,
                "note": "",
            }
        )


def _group_quantiles(codes: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """k x 3 quartiles (type 7). Few distinct values (scale scores): from count tables."""
    out = np.full((k, 3), np.nan)
    if len(v) == 0:
        return out
    value_codes, uniques = pd.factorize(np.round(v, 9))  # hashing, no sort of the rows
    if len(uniques) <= 5000:
        order = np.argsort(uniques)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        table = np.bincount(
            codes * len(uniques) + rank[value_codes], minlength=k * len(uniques)
        ).reshape(k, len(uniques))
        levels = np.asarray(uniques)[order]
        for i in range(k):  # groups, not rows
            out[i] = quantiles_from_counts(levels, table[i])
        return out
    quant = pd.Series(v).groupby(codes).quantile([0.25, 0.5, 0.75]).unstack().reindex(range(k))
    return quant.to_numpy(dtype=float)


def _nps(outcome: str, groups: _Groups, values, opts: AnalysisOptions, acc: _Acc):
    levels = np.arange(11, dtype=float)
    table = _table(groups, values, levels)
    n, mean, var = moments_from_counts(levels, table)
    hidden = _suppression(n, opts)
    missing = _missing_by_group(groups, n.astype(np.int64))
    ppd = np.stack(
        [table[:, 9:].sum(axis=1), table[:, 7:9].sum(axis=1), table[:, :7].sum(axis=1)], axis=1
    )
    for i, name in enumerate(groups.names):
        q1, med, q3 = quantiles_from_counts(levels, table[i])
        est = nps(*ppd[i], alpha=opts.alpha)
        row = {
            **_base(outcome, "nps", groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": mean[i],
            "sd": np.sqrt(var[i]),
            "median": med,
            "q1": q1,
            "q3": q3,
            "share_name": "NPS (points, -100 to 100)",
            "share": est.value,
            "share_ci_low": est.ci_low,
            "share_ci_high": est.ci_high,
            "nps": est.value,
            "n_effective": n[i],
            "mean_se": np.sqrt(var[i] / n[i]) if n[i] > 1 else np.nan,
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    acc.comparisons.append(
        {
            **_base(outcome, "nps", groups),
            "test": "none (NPS is compared pairwise)",
            "effect_name": "",
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": _comparison_note(hidden, groups),
        }
    )
    for a, b, row in _shown_pairs(outcome, "nps", groups, n, hidden, acc):
        diff, z, p = nps_diff(tuple(ppd[a]), tuple(ppd[b]), opts.alpha)
        acc.pairwise.append(
            {
                **row,
                "estimate_name": "NPS",
                "estimate_a": nps(*ppd[a]).value,
                "estimate_b": nps(*ppd[b]).value,
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "Wald, multinomial SE",
                "test": "z-test of NPS difference (multinomial SE)",
                "statistic": z,
                "p_value": p,
                "effect_name": "",
                "note": "",
            }
        )


# --------------------------------------------------------------------------- ratios


def _side_values(frame: pd.DataFrame, terms: tuple[Term, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-row sum of the terms (an unrecorded part adds 0, as in the KPI catalogue) and
    whether any term of the side was recorded."""
    total = np.zeros(len(frame))
    recorded = np.zeros(len(frame), dtype=bool)
    for term in terms:
        value = _numeric(frame[term.item]) * term.factor
        for other in term.times:
            value = value * _numeric(frame[other])
        recorded |= ~np.isnan(value)
        total += np.nan_to_num(value, nan=0.0)
    return total, recorded


def _ratio_outcome(
    frame: pd.DataFrame, ratio: Ratio, groups: _Groups, opts: AnalysisOptions, acc: _Acc
) -> None:
    """A ratio-of-totals outcome (cost per attendee): per group the ratio with a BCa interval,
    per pair the difference and the ratio of the two ratios, bootstrapped within groups."""
    from evalkit.analyze.ratios import group_ratios

    absent = [name for name in ratio.items if name not in frame.columns]
    if absent:
        acc.skipped.append(f"{ratio.id} (missing columns {', '.join(absent)})")
        return
    if groups.weights is not None:
        acc.skipped.append(f"{ratio.id} (ratios of totals are not survey-weighted)")
        return
    num, num_ok = _side_values(frame, ratio.numerator)
    den, den_ok = _side_values(frame, ratio.denominator)
    unit = (groups.codes >= 0) & num_ok & den_ok  # a unit with both sides recorded
    codes = np.where(unit, groups.codes, -1)
    k = len(groups.names)
    n = np.bincount(codes[unit], minlength=k)
    hidden = _suppression(n, opts)
    res = group_ratios(num, den, codes, k, opts.alpha, opts.n_boot, opts.seed, draw=~hidden)
    missing = _missing_by_group(groups, n.astype(np.int64))
    name = f"ratio of totals ({ratio.unit})" if ratio.unit else "ratio of totals"
    method = f"BCa bootstrap ({opts.n_boot} resamples of units within each group, seed {opts.seed})"
    for i, group in enumerate(groups.names):
        row = {
            **_base(ratio.id, "ratio", groups),
            "group": group,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "share_name": name,
            "share": res.ratio[i],
            "share_ci_low": res.ci_low[i],
            "share_ci_high": res.ci_high[i],
            "n_effective": n[i],
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    note = "units: rows (e.g. engagements); compared pairwise; " + method
    acc.comparisons.append(
        {
            **_base(ratio.id, "ratio", groups),
            "test": "none (ratios are compared pairwise)",
            "effect_name": "",
            "n": int(n[~hidden].sum()),
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": False,
            "note": "; ".join(filter(None, [note, _comparison_note(hidden, groups)])),
        }
    )
    for a, b, row in _shown_pairs(ratio.id, "ratio", groups, n, hidden, acc):
        contrast = res.contrast(a, b)
        acc.pairwise.append(
            {
                **row,
                "estimate_name": name,
                "estimate_a": res.ratio[a],
                "estimate_b": res.ratio[b],
                "difference": contrast.difference.value,
                "difference_ci_low": contrast.difference.ci_low,
                "difference_ci_high": contrast.difference.ci_high,
                "difference_method": method,
                "test": "bootstrap test (BCa interval of the difference inverted)",
                "p_value": contrast.p_value,
                "effect_name": "ratio of the ratios (a / b)",
                "effect": contrast.ratio.value,
                "effect_ci_low": contrast.ratio.ci_low,
                "effect_ci_high": contrast.ratio.ci_high,
                "note": f"bootstrap p-value: the smallest alpha whose BCa interval of the "
                f"difference excludes 0 (resolution about 1/{opts.n_boot})",
            }
        )


# --------------------------------------------------------------------------- p-values


def _adjust_p(comparisons: pd.DataFrame, pairwise: pd.DataFrame) -> None:
    """Holm within each outcome's pairwise family, BH across every test of the run."""
    comparisons["p_holm"] = comparisons["p_value"]  # one omnibus test per outcome
    if len(pairwise):
        p = pairwise["p_value"].astype(float)
        family = pairwise["outcome"] + pairwise["note"].fillna("").str.startswith(
            "adjusted association"
        ).map({True: "|adjusted", False: ""})
        pairwise["p_holm"] = p.groupby(family, sort=False).transform(
            lambda s: pd.Series(holm(s.to_numpy()), index=s.index)
        )
    all_p = np.concatenate(
        [
            comparisons["p_value"].astype(float).to_numpy(),
            pairwise["p_value"].astype(float).to_numpy(),
        ]
    )
    fdr = benjamini_hochberg(all_p)
    comparisons["p_fdr"] = fdr[: len(comparisons)]
    pairwise["p_fdr"] = fdr[len(comparisons) :]


# --------------------------------------------------------------------------- weights


def _weights(frame: pd.DataFrame, groups: _Groups, opts: AnalysisOptions) -> dict[str, Any]:
    """Set ``groups.weights`` from the weight column and/or raking; return metadata."""
    from evalkit.analyze.weights import kish_n, rake

    meta: dict[str, Any] = {"weights": opts.weights, "raked": bool(opts.margins)}
    if opts.weights is None and not opts.margins:
        return meta
    w = None
    if opts.weights is not None:
        if opts.weights not in frame.columns:
            raise UsageError(
                f"the weight column {opts.weights!r} is not in the responses",
                hint="name a column with --weights",
            )
        w = _numeric(frame[opts.weights])
        if np.any(w[~np.isnan(w)] <= 0):
            raise UsageError(
                f"weights in {opts.weights!r} must be positive",
                hint="drop or fix rows with zero or negative weights",
            )
    if opts.margins:
        base = np.where(np.isnan(w), 1.0, w) if w is not None else None
        w, report = rake(frame, opts.margins, base, *opts.rake_bounds)
        meta.update(
            rake_converged=report.converged,
            rake_iterations=report.iterations,
            rake_max_error=report.max_error,
            rake_bounds=f"{report.lower}-{report.upper}",
            rake_n_trimmed=report.n_trimmed,
        )
    groups.weights = w
    meta["kish_n_effective"] = kish_n(w)
    return meta


def _weighted_item(item, instrument, series, groups, opts, acc) -> None:
    values = _numeric(series)
    choice_list = instrument.choices_for(item)
    lang = opts.lang or instrument.default_language
    if item.type == "likert":
        subs = choice_list.substantive
        levels = np.array([float(c.value) for c in subs])
        values = np.where(np.isin(values, levels), values, np.nan)
        top = levels[-2:] if len(levels) >= 4 else levels[-1:]
        indicator = np.where(np.isnan(values), np.nan, np.isin(values, top).astype(float))
        labels = " or ".join(c.label.get(lang) for c in subs[-len(top) :])
        name = f"top-2-box ({labels})" if len(top) == 2 else f"top box ({labels})"
        _weighted(item.id, "ordinal", values, indicator, name, groups, opts, acc)
    elif item.type == "select_one":
        subs = choice_list.substantive
        codes = category_codes(series, [c.name for c in subs])
        indicator = np.where(codes < 0, np.nan, (codes == 0).astype(float))
        name = f"share {subs[0].label.get(lang)}"
        _weighted(item.id, "categorical", indicator, indicator, name, groups, opts, acc, codes)
    elif item.type == "nps":
        score = np.where(np.isnan(values), np.nan, (values >= 9) * 100.0 - (values <= 6) * 100.0)
        _weighted(item.id, "nps", values, score, "NPS", groups, opts, acc)
    else:
        otype = "count" if item.type == "integer" else "continuous"
        _weighted(item.id, otype, values, None, "mean", groups, opts, acc)


def _weighted(
    outcome: str,
    outcome_type: str,
    values: np.ndarray,
    compared: np.ndarray | None,
    estimate_name: str,
    groups: _Groups,
    opts: AnalysisOptions,
    acc: _Acc,
    table_codes: np.ndarray | None = None,
) -> None:
    """Design-based comparison of weighted means (or shares, or NPS) with linearised SEs.

    The groups are domains of one design (R: ``svyby``). Pairs: R's ``svyttest`` on the two
    groups (t on n_a + n_b - 2 df). Omnibus: for categories (``table_codes``, an int code per
    row, -1 missing) the Rao-Scott F test of the outcome x group table (R: ``svychisq``),
    otherwise the Wald F test of equal means on (k - 1, n - k) df (R: ``regTermTest``).
    """
    from evalkit.analyze.weights import (
        diff_of_means,
        rao_scott_test,
        wald_equal_means,
        weighted_group_means,
    )

    w = groups.weights
    k = len(groups.names)
    y = values if compared is None else compared
    n, mean_raw, se_raw, n_eff = weighted_group_means(groups.codes, values, w, k)
    _, est, se, _ = weighted_group_means(groups.codes, y, w, k)
    hidden = _suppression(n, opts)
    missing = _missing_by_group(groups, n.astype(np.int64))
    z = float(_dist.norm.ppf(1 - opts.alpha / 2))
    is_share = compared is not None
    for i, name in enumerate(groups.names):
        row = {
            **_base(outcome, outcome_type, groups),
            "group": name,
            "n": int(n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": mean_raw[i],
            "share_name": estimate_name if is_share else "",
            "share": est[i] if is_share else np.nan,
            "share_ci_low": est[i] - z * se[i] if is_share else np.nan,
            "share_ci_high": est[i] + z * se[i] if is_share else np.nan,
            "nps": est[i] if outcome_type == "nps" else np.nan,
            "n_effective": n_eff[i],
            "mean_se": se_raw[i],
            "suppressed": bool(hidden[i]),
        }
        acc.descriptives.append(_blank_if(row, hidden[i]))
    shown = ~hidden
    if table_codes is not None:
        shown_codes = np.where(np.isin(groups.codes, np.flatnonzero(shown)), groups.codes, -1)
        res = rao_scott_test(table_codes, shown_codes, w)
    else:
        k_shown = int((n[shown] > 0).sum())
        res = wald_equal_means(est[shown], se[shown], df2=float(n[shown].sum() - k_shown))
    acc.comparisons.append(
        {
            **_base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "df2": res.df2,
            "p_value": res.p_value,
            "effect_name": "",
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": bool(groups.adjusted_note),
            "note": "; ".join(
                filter(
                    None,
                    [groups.adjusted_note or "survey-weighted", _comparison_note(hidden, groups)],
                )
            ),
        }
    )
    for a, b, row in _shown_pairs(outcome, outcome_type, groups, n, hidden, acc):
        test, diff = diff_of_means(
            est[a], se[a], est[b], se[b], opts.alpha, df=float(n[a] + n[b] - 2)
        )
        acc.pairwise.append(
            {
                **row,
                "estimate_name": estimate_name,
                "estimate_a": est[a],
                "estimate_b": est[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": "survey-weighted, linearised SE",
                "test": test.test,
                "statistic": test.statistic,
                "df": test.df,
                "p_value": test.p_value,
                "effect_name": "",
                "note": groups.adjusted_note or "survey-weighted",
            }
        )


# --------------------------------------------------------------------------- adjustment


def _covariates(frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions):
    if not opts.adjust:
        if opts.propensity:
            raise UsageError("propensity weighting needs covariates", hint="add --adjust ITEM,...")
        return None
    cols = {}
    for name in opts.adjust:
        if name not in frame.columns:
            raise UsageError(
                f"the covariate {name!r} is not a column of the responses",
                hint="--adjust takes item ids separated by commas",
            )
        item = instrument.item(name) if instrument.has_item(name) else None
        if item is not None and item.pii:
            raise UsageError(f"{name!r} is personal data", hint="adjust for other covariates")
        numeric = item is not None and item.type in ("likert", "integer", "decimal", "nps")
        cols[name] = (
            pd.Series(_numeric(frame[name]), index=frame.index)
            if numeric or pd.api.types.is_numeric_dtype(frame[name])
            else frame[name].astype("string")
        )
    return pd.DataFrame(cols)


def _propensity(covariates, groups: _Groups, opts: AnalysisOptions, meta: dict[str, Any]):
    if covariates is None:
        return None
    from evalkit.analyze.adjust import balance_table, propensity_weights

    if opts.propensity is None:
        return tidy(
            "balance",
            balance_table(groups.codes, groups.names, covariates, None).to_dict("records"),
        )
    pw = propensity_weights(groups.codes, covariates, opts.propensity)
    base = groups.weights if groups.weights is not None else 1.0
    groups.weights = pw * base
    groups.adjusted_note = (
        f"adjusted association ({opts.propensity} propensity weights on {', '.join(opts.adjust)})"
    )
    meta["kish_n_effective"] = float(np.nansum(pw) ** 2 / np.nansum(pw**2))
    return tidy(
        "balance", balance_table(groups.codes, groups.names, covariates, pw).to_dict("records")
    )


def _regression_adjusted(frame, instrument, items, covariates, groups, opts, acc) -> None:
    for item in items:
        if item.type == "select_multiple":
            for choice in instrument.choices_for(item).substantive:
                column = f"{item.id}__{choice.name}"
                if column in frame.columns:
                    y = _numeric(frame[column])
                    _adjusted_rows(column, "binary", y, "logistic", covariates, groups, opts, acc)
            continue
        if item.id not in frame.columns or item.id in opts.adjust:
            continue
        values = _numeric(frame[item.id])
        if item.type == "likert":
            levels = [float(c.value) for c in instrument.choices_for(item).substantive]
            y = np.where(np.isin(values, levels), values, np.nan)
            _adjusted_rows(item.id, "ordinal", y, "ordinal", covariates, groups, opts, acc)
        elif item.type == "select_one":
            subs = instrument.choices_for(item).substantive
            codes = category_codes(frame[item.id], [c.name for c in subs])
            y = np.where(codes < 0, np.nan, (codes == 0).astype(float))
            _adjusted_rows(item.id, "categorical", y, "logistic", covariates, groups, opts, acc)
        elif item.type == "nps":
            y = np.where(np.isnan(values), np.nan, (values >= 9) * 100.0 - (values <= 6) * 100.0)
            _adjusted_rows(item.id, "nps", y, "linear", covariates, groups, opts, acc)
        else:
            otype = "count" if item.type == "integer" else "continuous"
            _adjusted_rows(item.id, otype, values, "linear", covariates, groups, opts, acc)


def _adjusted_rows(outcome, otype, y, kind, covariates, groups, opts, acc) -> None:
    from evalkit.analyze.adjust import adjusted_comparison

    note = f"adjusted association (covariates: {', '.join(opts.adjust)})"
    ok = (groups.codes >= 0) & ~np.isnan(y)
    n = np.bincount(groups.codes[ok], minlength=len(groups.names))
    hidden = _suppression(n, opts)
    codes = np.where(hidden[np.maximum(groups.codes, 0)], -1, groups.codes)
    try:
        res = adjusted_comparison(y, codes, groups.names, covariates, kind, opts.alpha)
    except (UsageError, np.linalg.LinAlgError, ValueError) as exc:
        acc.skipped.append(f"{outcome} adjusted ({exc})")
        return
    acc.comparisons.append(
        {
            **_base(outcome, otype, groups),
            "test": f"Wald test of {groups.var} in {res.model}",
            "statistic": res.wald,
            "df": res.df,
            "p_value": res.p_value,
            "effect_name": "",
            "n": res.n,
            "n_groups": int((n[~hidden] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": True,
            "note": note,
        }
    )
    for row in res.pairs.to_dict("records"):
        acc.pairwise.append(
            {
                **_base(outcome, otype, groups),
                "group_a": row["group_a"],
                "group_b": row["group_b"],
                "estimate_name": res.effect_name,
                "test": f"z-test in {res.model}",
                "statistic": row["statistic"],
                "p_value": row["p_value"],
                "effect_name": res.effect_name,
                "effect": row["estimate"],
                "effect_ci_low": row["ci_low"],
                "effect_ci_high": row["ci_high"],
                "suppressed": False,
                "note": note,
            }
        )


# --------------------------------------------------------------------------- pre/post


def analyze_paired(
    pre: pd.DataFrame,
    post: pd.DataFrame,
    instrument: Instrument,
    options: AnalysisOptions | None = None,
    key: str | None = None,
    input_sha256: str | None = None,
) -> AnalysisResult:
    """Pre/post comparison of people who answered both waves, and change between modes.

    People are matched on ``key`` (default: the instrument's ``role: id`` item, stored as a
    keyed hash by ingest). For every numeric outcome (Likert, count, decimal, NPS, scale
    scores) the comparisons table gets the paired t-test (effect: mean change with CI, d_z in
    the note) and the Wilcoxon signed-rank test (effect: matched-pairs rank-biserial), with
    ``group_var = "wave"``. The change ``post - pre`` is then compared between modes (taken
    from the post wave) as outcome ``<id>:change`` with Welch's ANOVA and Welch t: the
    pairwise differences of mean change are difference-in-differences.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("community_programme")
    >>> rng = np.random.default_rng(0)
    >>> pre = pd.DataFrame({"participant_code": [f"k{i}" for i in range(60)],
    ...     "intercultural_confidence": pd.array(rng.integers(1, 4, 60), dtype="Int64")})
    >>> post = pre.assign(mode=["in_person", "virtual"] * 30,
    ...     intercultural_confidence=pre["intercultural_confidence"] + 1)
    >>> opts = AnalysisOptions(outcomes=("intercultural_confidence",))
    >>> res = analyze_paired(pre, post, inst, opts)
    >>> res.comparisons.loc[0, "test"], float(res.comparisons.loc[0, "effect"])
    ('paired t-test', 1.0)
    """
    from evalkit.analyze.paired import paired_compare, paired_frame

    opts = options or AnalysisOptions()
    check_alpha(opts.alpha)
    check_min_cell(opts.min_cell)
    check_n_boot(opts.n_boot)
    key = key or next((i.id for i in instrument.items if i.role == "id"), None)
    if key is None:
        raise UsageError(f"{instrument.id} has no role: id item", hint="name the key column")
    merged, counts = paired_frame(pre, post, key)
    var = opts.by or (instrument.group_item.id if instrument.group_item else None)
    if var is not None and f"{var}_post" in merged.columns:
        merged[var] = merged[f"{var}_post"]
    groups = _groups(merged, instrument, opts) if var in merged.columns else None
    acc = _Acc()
    wanted = set(opts.outcomes)
    targets: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    for item in instrument.items:
        if item.role != "outcome" or item.pii or item.type not in NUMERIC_LIKE:
            continue
        if wanted and item.id not in wanted:
            continue
        a, b = _wave_columns(merged, item.id)
        if a is None:
            continue
        pre_v, post_v = _numeric(merged[a]), _numeric(merged[b])
        if item.type == "likert":
            levels = np.array([float(c.value) for c in instrument.choices_for(item).substantive])
            pre_v = np.where(_is_level(pre_v, levels), pre_v, np.nan)
            post_v = np.where(_is_level(post_v, levels), post_v, np.nan)
        kinds = {"likert": "ordinal", "integer": "count", "nps": "nps"}
        otype = kinds.get(item.type, "continuous")
        targets.append((item.id, otype, pre_v, post_v))
    for scale in instrument.scales:
        if wanted and scale.id not in wanted:
            continue
        cols = [_wave_columns(merged, i) for i in scale.items]
        if any(c[0] is None for c in cols):
            continue
        waves = []
        for position in (0, 1):
            wave = merged[[c[position] for c in cols]].set_axis(list(scale.items), axis=1)
            items = _scale_items(wave, instrument, scale.items, scale.reverse)
            waves.append(scale_score(items, scale.min_items, scale.score).to_numpy(dtype=float))
        targets.append((scale.id, "scale", waves[0], waves[1]))
    for outcome, otype, pre_v, post_v in targets:
        res = paired_compare(pre_v, post_v, opts.alpha)
        base = {
            "outcome": outcome,
            "outcome_type": otype,
            "group_var": "wave",
            "n": res.n_pairs,
            "n_groups": 2,
            "suppressed": res.n_pairs < opts.min_cell,
            "adjusted": False,
        }
        if base["suppressed"]:
            acc.comparisons.append({**base, "test": "paired t-test", "note": "suppressed"})
            continue
        dz = res.d_z
        acc.comparisons.append(
            {
                **base,
                "test": res.t_test.test,
                "statistic": res.t_test.statistic,
                "df": res.t_test.df,
                "p_value": res.t_test.p_value,
                "effect_name": "mean change (post - pre)",
                "effect": res.mean_change.value,
                "effect_ci_low": res.mean_change.ci_low,
                "effect_ci_high": res.mean_change.ci_high,
                "note": f"d_z {dz.value:.3f} ({100 * (1 - opts.alpha):.0f}% CI {dz.ci_low:.3f} "
                f"to {dz.ci_high:.3f})",
            }
        )
        acc.comparisons.append(
            {
                **base,
                "test": res.wilcoxon.test,
                "statistic": res.wilcoxon.statistic,
                "p_value": res.wilcoxon.p_value,
                "effect_name": "matched-pairs rank-biserial",
                "effect": res.rank_biserial.value,
                "effect_ci_low": res.rank_biserial.ci_low,
                "effect_ci_high": res.rank_biserial.ci_high,
                "note": "",
            }
        )
        if groups is not None:
            _continuous(f"{outcome}:change", "change", post_v - pre_v, groups, opts, acc)
    comparisons = tidy("comparisons", acc.comparisons)
    pairwise = tidy("pairwise", acc.pairwise)
    _adjust_p(comparisons, pairwise)
    labels = _outcome_labels(instrument, opts.lang)
    labels.update({f"{k}:change": f"change in {v}" for k, v in list(labels.items())})
    group_labels = dict(zip(groups.names, groups.labels, strict=True)) if groups else {}
    tables = {
        "comparisons": comparisons,
        "pairwise": pairwise,
        "descriptives": tidy("descriptives", acc.descriptives),
        "levels": tidy("levels", []),
        "scales": tidy("scales", []),
        "scale_items": tidy("scale_items", []),
        "findings": findings_mod.findings(
            comparisons,
            pairwise,
            labels,
            group_labels,
            opts.alpha,
            opts.lang or instrument.default_language,
        ),
        "balance": tidy("balance", []),
    }
    metadata = {
        "evalkit_version": __version__,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "input_sha256": input_sha256,
        "design": "paired pre/post",
        **counts,
        "group_var": groups.var if groups else None,
        "groups": ",".join(groups.names) if groups else "",
        "alpha": opts.alpha,
        "confidence_level": 1 - opts.alpha,
        "min_cell": opts.min_cell,
        "seed": opts.seed,
        "holm": "within each outcome's pairwise family",
        "fdr": "Benjamini-Hochberg across all tests of the run",
    }
    return AnalysisResult(tables=tables, metadata=metadata)


NUMERIC_LIKE = ("likert", "integer", "decimal", "nps")


def _wave_columns(merged: pd.DataFrame, item_id: str) -> tuple[str | None, str | None]:
    a, b = f"{item_id}_pre", f"{item_id}_post"
    return (a, b) if a in merged.columns and b in merged.columns else (None, None)
