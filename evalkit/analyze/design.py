"""The survey design: where weights enter the analysis, and design-based comparisons.

Every analyser asks ``ctx.design.weighted`` once; when it is true it hands its outcome to
:func:`compare_domains` instead of its own unweighted tests. That function is the one place
where a design's variance enters a comparison: the groups are domains of one design (R
``svyby``), standard errors are linearised (:mod:`evalkit.analyze.weights`), and the tests
are R survey's design-based ones. A richer design (strata, clusters, finite population
corrections) belongs in :class:`Design` and in the estimators :func:`compare_domains` calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze import _dist
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.rows import Context, Rows, base, blank_if, comparison_note, shown_pairs
from evalkit.analyze.survey import SampleDesign, sample_design, weights_from_fpc
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument


@dataclass(frozen=True)
class Design:
    """How the responses were sampled and weighted.

    Attributes
    ----------
    weights
        Probability weight per row (NaN: no weight), or None for an unweighted analysis.
    note
        Set when the weights are propensity weights: every comparison is then an
        "adjusted association" and says so.
    sample
        Strata, clusters (PSUs) and finite population corrections
        (:class:`evalkit.analyze.survey.SampleDesign`), or None: a single-stage design
        sampled with replacement, R ``svydesign(id=~1, weights=~w)``.
    """

    weights: np.ndarray | None = None
    note: str = ""
    sample: SampleDesign | None = None

    @property
    def weighted(self) -> bool:
        """Whether estimates and tests are design-based (weighted)."""
        return self.weights is not None


def design_from(
    frame: pd.DataFrame, opts: AnalysisOptions, instrument: Instrument | None = None
) -> tuple[Design, dict[str, Any]]:
    """The design of a run (weight column and/or raking to margins) and its metadata.

    The weight column is ``opts.weights``, else the instrument's ``role: weight`` item when
    the responses have its column (``weights="none"``: unweighted even then).
    """
    from evalkit.analyze.weights import kish_n, rake, read_weights

    column = weight_column(frame, opts, instrument)
    meta: dict[str, Any] = {"weights": column, "raked": bool(opts.margins)}
    sampled = any((opts.strata, opts.cluster, opts.fpc))
    if column is None and not opts.margins and not sampled:
        return Design(), meta
    w = read_weights(frame, column) if column is not None else None
    if w is None and sampled and not opts.margins:
        w = _weights_from_design(frame, opts)
    if opts.margins:
        base_w = np.where(np.isnan(w), 1.0, w) if w is not None else None
        w, report = rake(frame, opts.margins, base_w, *opts.rake_bounds)
        meta.update(
            rake_converged=report.converged,
            rake_iterations=report.iterations,
            rake_max_error=report.max_error,
            rake_bounds=f"{report.lower}-{report.upper}",
            rake_n_trimmed=report.n_trimmed,
        )
    meta["kish_n_effective"] = kish_n(w)
    if not sampled:
        return Design(weights=w), meta
    sample = sample_design(frame, w, opts.strata, opts.cluster, opts.fpc, opts.lonely_psu)
    meta["survey_design"] = {
        "strata": opts.strata,
        "cluster": opts.cluster,
        "fpc": opts.fpc,
        "lonely_psu": opts.lonely_psu,
        "n_strata": sample.n_strata,
        "n_psu": len(sample.psu_stratum),
        "degf": sample.degf,
    }
    return Design(weights=w, sample=sample), meta


def _weights_from_design(frame: pd.DataFrame, opts: AnalysisOptions) -> np.ndarray:
    """Weights N_h / n_h from a one-stage fpc of population sizes, as R's ``svydesign`` derives
    them when none are given; clusters need the weights themselves."""
    if opts.fpc is None or opts.cluster or "/" in opts.fpc:
        raise UsageError(
            "a sample design with --strata or --cluster needs the sampling weights",
            hint="name the weight column with --weights (or give the instrument a "
            "'role: weight' item, with its column in the responses); without clusters --fpc "
            "alone also gives them",
        )
    for column in (opts.strata, opts.fpc):
        if column is not None and column not in frame.columns:
            raise UsageError(
                f"the design column {column!r} is not in the responses",
                hint="name an item of the instrument with --strata or --fpc",
            )
    return weights_from_fpc(frame, opts.strata, opts.fpc)


def weight_column(
    frame: pd.DataFrame, opts: AnalysisOptions, instrument: Instrument | None = None
) -> str | None:
    """The weight column of a run: ``--weights`` (``none``: no weights), else the
    instrument's first ``role: weight`` item whose column the responses have."""
    if opts.weights is not None:
        return None if opts.weights == "none" else opts.weights
    if instrument is None:
        return None
    declared = [i.id for i in instrument.items_with_role("weight") if i.id in frame.columns]
    return declared[0] if declared else None


def compare_domains(
    outcome: str,
    outcome_type: str,
    values: np.ndarray,
    compared: np.ndarray | None,
    estimate_name: str,
    ctx: Context,
    rows: Rows,
    table_codes: np.ndarray | None = None,
) -> None:
    """Design-based comparison of weighted means (or shares, or NPS) with linearised SEs.

    ``values`` give the descriptives' mean; ``compared`` (default ``values``) is what is
    compared (a 0/1 indicator for shares, -100/0/100 for NPS). The groups are domains of one
    design (R: ``svyby``). Pairs: R's ``svyttest`` on the two groups (t on the df of the
    design restricted to them, less 1: n_a + n_b - 2 without strata or clusters). Omnibus:
    for categories (``table_codes``, an int code per row, -1 missing) the Rao-Scott F test of
    the outcome x group table (R: ``svychisq``), otherwise the Wald F test of equal means on
    (k - 1, design df + 1 - k) df (R: ``regTermTest``). With strata, clusters or an fpc
    (``ctx.design.sample``) the variances are those of :mod:`evalkit.analyze.survey`, the
    domain means are correlated, and each estimate carries R's design effect.
    """
    groups = ctx.groups
    y = values if compared is None else compared
    raw = _domain_stats(groups.codes, values, ctx.design, groups.k)
    est = _domain_stats(groups.codes, y, ctx.design, groups.k) if compared is not None else raw
    n = raw.n
    hidden = ctx.suppressed(n)
    _describe(outcome, outcome_type, estimate_name, raw, est, compared is not None, hidden,
              ctx, rows)  # fmt: skip
    if not groups.compares:
        return
    shown = ~hidden
    res = _omnibus(y, est, shown, table_codes, ctx)
    note = ctx.design.note or ("survey design" if ctx.design.sample else "survey-weighted")
    first = _first_order(shown, table_codes, ctx) if table_codes is not None else ""
    rows.comparisons.append(
        {
            **base(outcome, outcome_type, groups),
            "test": res.test,
            "statistic": res.statistic,
            "df": res.df,
            "df2": res.df2,
            "p_value": res.p_value,
            "effect_name": "",
            "n": int(n[shown].sum()),
            "n_groups": int((n[shown] > 0).sum()),
            "suppressed": bool(hidden.any()),
            "adjusted": bool(ctx.design.note),
            "note": "; ".join(filter(None, [note, first, comparison_note(hidden, groups)])),
        }
    )
    for a, b, row in shown_pairs(outcome, outcome_type, groups, n, hidden, rows):
        test, diff = _pair(y, est, a, b, ctx)
        rows.pairwise.append(
            {
                **row,
                "estimate_name": estimate_name,
                "estimate_a": est.mean[a],
                "estimate_b": est.mean[b],
                "difference": diff.value,
                "difference_ci_low": diff.ci_low,
                "difference_ci_high": diff.ci_high,
                "difference_method": f"{note}, linearised SE",
                "test": test.test,
                "statistic": test.statistic,
                "df": test.df,
                "p_value": test.p_value,
                "effect_name": "",
                "note": note,
            }
        )


@dataclass(frozen=True)
class _Domains:
    """Per group: answered n, weighted mean, SE, effective n, design effect (NaN without a
    sample design) and the covariance of the means (None: uncorrelated)."""

    n: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    n_eff: np.ndarray
    deff: np.ndarray
    cov: np.ndarray | None


def _domain_stats(codes: np.ndarray, y: np.ndarray, design: Design, k: int) -> _Domains:
    from evalkit.analyze.survey import domain_means
    from evalkit.analyze.weights import weighted_group_means

    w = design.weights
    if design.sample is None:
        n, mean, se, n_eff = weighted_group_means(codes, y, w, k)
        return _Domains(n, mean, se, n_eff, np.full(k, np.nan), None)
    n, mean, cov, deff, n_eff = domain_means(codes, y, w, k, design.sample)
    return _Domains(n, mean, np.sqrt(np.diag(cov)), n_eff, deff, cov)


def _describe(outcome, outcome_type, estimate_name, raw, est, is_share, hidden, ctx, rows):
    """One descriptives row per group (blank where suppressed)."""
    groups = ctx.groups
    missing = groups.missing(raw.n.astype(np.int64))
    z = _quantile(ctx)
    for i, name in enumerate(groups.names):
        row = {
            **base(outcome, outcome_type, groups),
            "group": name,
            "n": int(raw.n[i]),
            "missing": int(missing[i]),
            "missing_choice": 0,
            "mean": raw.mean[i],
            "share_name": estimate_name if is_share else "",
            "share": est.mean[i] if is_share else np.nan,
            "share_ci_low": est.mean[i] - z * est.se[i] if is_share else np.nan,
            "share_ci_high": est.mean[i] + z * est.se[i] if is_share else np.nan,
            "nps": est.mean[i] if outcome_type == "nps" else np.nan,
            "n_effective": (est if ctx.design.sample is not None else raw).n_eff[i],
            "deff": est.deff[i],
            "mean_se": raw.se[i],
            "mean_ci_low": raw.mean[i] - z * raw.se[i],
            "mean_ci_high": raw.mean[i] + z * raw.se[i],
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))


def _quantile(ctx) -> float:
    """The interval's quantile: normal with weights alone (R ``confint(svymean())``), t on the
    design's df with a sample design (R ``confint(..., df = degf(design))``), which covers
    with few PSUs (tests/analyze/test_design_coverage.py)."""
    q = 1 - ctx.opts.alpha / 2
    sample = ctx.design.sample
    if sample is None or sample.degf < 1:
        return float(_dist.norm.ppf(q))
    return float(_dist.t.ppf(q, sample.degf))


def _omnibus(y, est: _Domains, shown, table_codes, ctx):
    """Rao-Scott F for a category table, else the Wald F of equal domain means."""
    from evalkit.analyze.survey import wald_domains
    from evalkit.analyze.weights import rao_scott_test, wald_equal_means

    groups, design = ctx.groups, ctx.design
    if table_codes is not None:
        shown_codes = np.where(np.isin(groups.codes, np.flatnonzero(shown)), groups.codes, -1)
        return rao_scott_test(table_codes, shown_codes, design.weights, design=design.sample)
    used = np.flatnonzero(shown & (est.n > 0))
    if design.sample is None:
        return wald_equal_means(est.mean[shown], est.se[shown],
                                df2=float(est.n[shown].sum() - len(used)))  # fmt: skip
    answered = np.isin(groups.codes, used) & np.isfinite(y) & np.isfinite(design.weights)
    df2 = design.sample.degf_within(answered) + 1 - len(used)
    return wald_domains(est.mean[used], est.cov[np.ix_(used, used)], df2)


def _first_order(shown, table_codes, ctx) -> str:
    """Rao-Scott's first-order chi-square of the table, in words (R ``svychisq(statistic =
    "Chisq")``'s p-value), for the note beside the second-order F."""
    from evalkit.analyze.weights import rao_scott_first_order

    groups, design = ctx.groups, ctx.design
    codes = np.where(np.isin(groups.codes, np.flatnonzero(shown)), groups.codes, -1)
    res = rao_scott_first_order(table_codes, codes, design.weights, design=design.sample)
    if not np.isfinite(res.statistic):
        return ""
    return (
        f"first-order Rao-Scott chi-square {res.statistic:.3f} on {res.df:g} df, "
        f"p = {res.p_value:.3g}"
    )


def _pair(y, est: _Domains, a: int, b: int, ctx):
    """Design-based t test and interval of mean(a) - mean(b) (R ``svyttest``)."""
    from evalkit.analyze.survey import domain_difference
    from evalkit.analyze.weights import diff_of_means

    design, alpha = ctx.design, ctx.opts.alpha
    if design.sample is None:
        return diff_of_means(est.mean[a], est.se[a], est.mean[b], est.se[b], alpha,
                             df=float(est.n[a] + est.n[b] - 2))  # fmt: skip
    return domain_difference(ctx.groups.codes, y, design.weights, (b, a), design.sample, alpha)
