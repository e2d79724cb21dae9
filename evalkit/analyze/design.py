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
    """

    weights: np.ndarray | None = None
    note: str = ""

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
    if column is None and not opts.margins:
        return Design(), meta
    w = read_weights(frame, column) if column is not None else None
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
    return Design(weights=w), meta


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
    design (R: ``svyby``). Pairs: R's ``svyttest`` on the two groups (t on n_a + n_b - 2 df).
    Omnibus: for categories (``table_codes``, an int code per row, -1 missing) the Rao-Scott
    F test of the outcome x group table (R: ``svychisq``), otherwise the Wald F test of equal
    means on (k - 1, n - k) df (R: ``regTermTest``).
    """
    from evalkit.analyze.weights import (
        diff_of_means,
        rao_scott_test,
        wald_equal_means,
        weighted_group_means,
    )

    groups, opts, w = ctx.groups, ctx.opts, ctx.design.weights
    note_text = ctx.design.note
    k = groups.k
    y = values if compared is None else compared
    n, mean_raw, se_raw, n_eff = weighted_group_means(groups.codes, values, w, k)
    _, est, se, _ = weighted_group_means(groups.codes, y, w, k)
    hidden = ctx.suppressed(n)
    missing = groups.missing(n.astype(np.int64))
    z = float(_dist.norm.ppf(1 - opts.alpha / 2))
    is_share = compared is not None
    for i, name in enumerate(groups.names):
        row = {
            **base(outcome, outcome_type, groups),
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
            "mean_ci_low": mean_raw[i] - z * se_raw[i],
            "mean_ci_high": mean_raw[i] + z * se_raw[i],
            "suppressed": bool(hidden[i]),
        }
        rows.descriptives.append(blank_if(row, hidden[i]))
    if not groups.compares:
        return
    shown = ~hidden
    if table_codes is not None:
        shown_codes = np.where(np.isin(groups.codes, np.flatnonzero(shown)), groups.codes, -1)
        res = rao_scott_test(table_codes, shown_codes, w)
    else:
        k_shown = int((n[shown] > 0).sum())
        res = wald_equal_means(est[shown], se[shown], df2=float(n[shown].sum() - k_shown))
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
            "adjusted": bool(note_text),
            "note": "; ".join(
                filter(None, [note_text or "survey-weighted", comparison_note(hidden, groups)])
            ),
        }
    )
    for a, b, row in shown_pairs(outcome, outcome_type, groups, n, hidden, rows):
        test, diff = diff_of_means(
            est[a], se[a], est[b], se[b], opts.alpha, df=float(n[a] + n[b] - 2)
        )
        rows.pairwise.append(
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
                "note": note_text or "survey-weighted",
            }
        )
