"""Paired (pre/post) comparisons: paired t, Wilcoxon signed-rank, d_z, matched-pairs r.

References
----------
Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1, 80-83.
Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
Frontiers in Psychology 4, 863 (d_z).
Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology 3 (matched-pairs
rank-biserial correlation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._version import __version__
from evalkit.analyze import _dist as stats
from evalkit.analyze import findings as findings_mod
from evalkit.analyze._common import Estimate, TestResult, check_alpha
from evalkit.analyze.analysers.numeric import continuous
from evalkit.analyze.analysers.scale import item_values
from evalkit.analyze.breakdown import breakdown_from
from evalkit.analyze.design import Design
from evalkit.analyze.multiplicity import adjust_run
from evalkit.analyze.options import AnalysisOptions, check_options
from evalkit.analyze.plan import outcome_labels
from evalkit.analyze.reliability import scale_score
from evalkit.analyze.result import AnalysisResult, tidy
from evalkit.analyze.rows import Context, Rows
from evalkit.analyze.values import is_level, numeric
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument


@dataclass(frozen=True)
class PairedResult:
    """Everything a pre/post comparison reports."""

    n_pairs: int
    t_test: TestResult
    mean_change: Estimate
    d_z: Estimate
    wilcoxon: TestResult
    rank_biserial: Estimate


def paired_compare(pre, post, alpha: float = 0.05) -> PairedResult:
    """Compare paired measurements ``post - pre`` (pairs with a missing value are dropped).

    Examples
    --------
    R's ``sleep`` data as paired (t = -4.0621, df = 9, p = 0.002833, CI -2.4598858 to
    -0.7001142), here as group 1 (post) minus group 2 (pre):

    >>> g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    >>> g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    >>> r = paired_compare(g2, g1)
    >>> round(r.t_test.statistic, 4), r.t_test.df, round(r.t_test.p_value, 6)
    (-4.0621, 9.0, 0.002833)
    >>> round(r.mean_change.ci_low, 7), round(r.mean_change.ci_high, 7)
    (-2.4598858, -0.7001142)
    """
    check_alpha(alpha)
    a = np.asarray(pre, dtype=float)
    b = np.asarray(post, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    d = b[keep] - a[keep]
    n = len(d)
    nan = float("nan")
    empty = Estimate("", nan, nan, nan)
    if n < 2:
        none = TestResult("paired t-test", nan, nan, nan)
        return PairedResult(
            n, none, empty, empty, TestResult("Wilcoxon signed-rank test", nan, nan, nan), empty
        )
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    q = float(stats.t.ppf(1 - alpha / 2, n - 1))
    se = sd / np.sqrt(n)
    if se > 0:
        t = mean / se
        t_res = TestResult(
            "paired t-test", float(t), float(n - 1), float(2 * stats.t.sf(abs(t), n - 1))
        )
        dz = mean / sd
        dz_se = np.sqrt(1 / n + dz**2 / (2 * n))
        z = float(stats.norm.ppf(1 - alpha / 2))
        dz_est = Estimate("d_z", float(dz), float(dz - z * dz_se), float(dz + z * dz_se))
    else:
        t_res = TestResult("paired t-test", nan, float(n - 1), nan)
        dz_est = Estimate("d_z", nan, nan, nan)
    change = Estimate("mean change", mean, mean - q * se, mean + q * se)
    nz = d[d != 0]
    if len(nz) >= 1:
        from scipy.stats import rankdata, wilcoxon

        w = wilcoxon(d, zero_method="wilcox")
        ranks = rankdata(np.abs(nz))
        t_plus, t_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
        r = float((t_plus - t_minus) / (t_plus + t_minus))
        m = len(nz)
        # normal-approximation SE of r via the signed-rank statistic's null variance
        se_r = float(np.sqrt((2 * m + 1) * 2 / (3 * m * (m + 1))))
        z = float(stats.norm.ppf(1 - alpha / 2))
        rb = Estimate(
            "matched-pairs rank-biserial", r, max(-1.0, r - z * se_r), min(1.0, r + z * se_r)
        )
        w_res = TestResult("Wilcoxon signed-rank test", float(w.statistic), nan, float(w.pvalue))
    else:
        rb = Estimate("matched-pairs rank-biserial", nan, nan, nan)
        w_res = TestResult("Wilcoxon signed-rank test", nan, nan, nan)
    return PairedResult(n, t_res, change, dz_est, w_res, rb)


def paired_frame(
    pre: pd.DataFrame, post: pd.DataFrame, key: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Match pre and post responses on ``key``: one row per person with ``<col>_pre`` and
    ``<col>_post`` columns. Keys that appear more than once in a wave are dropped (they
    cannot be matched safely) and counted.

    Returns
    -------
    (matched frame, counts: pre, post, matched, duplicate keys dropped)
    """
    for name, frame in (("pre", pre), ("post", post)):
        if key not in frame.columns:
            raise UsageError(
                f"the {name} file has no respondent key column {key!r}",
                hint="both waves need the hashed participant key",
            )
    dup_pre = pre[key].duplicated(keep=False)
    dup_post = post[key].duplicated(keep=False)
    a = pre[~dup_pre & pre[key].notna()]
    b = post[~dup_post & post[key].notna()]
    merged = a.merge(b, on=key, how="inner", suffixes=("_pre", "_post"))
    counts = {
        "n_pre": len(pre),
        "n_post": len(post),
        "n_matched": len(merged),
        "n_duplicate_keys_dropped": int(dup_pre.sum() + dup_post.sum()),
    }
    return merged.drop(columns=[key]), counts


# --------------------------------------------------------------------------- in the engine

NUMERIC_LIKE = ("likert", "integer", "decimal", "nps")


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
    opts = options or AnalysisOptions()
    check_options(opts)
    key = key or next((i.id for i in instrument.items if i.role == "id"), None)
    if key is None:
        raise UsageError(f"{instrument.id} has no role: id item", hint="name the key column")
    merged, counts = paired_frame(pre, post, key)
    var = opts.by or (instrument.group_item.id if instrument.group_item else None)
    if var is not None and f"{var}_post" in merged.columns:
        merged[var] = merged[f"{var}_post"]
    groups = breakdown_from(merged, instrument, opts) if var in merged.columns else None
    ctx = Context(instrument, groups, Design(), opts) if groups is not None else None
    rows = Rows()
    for outcome, otype, pre_v, post_v in _paired_targets(merged, instrument, opts):
        res = paired_compare(pre_v, post_v, opts.alpha)
        _paired_rows(outcome, otype, res, opts, rows)
        if ctx is not None and res.n_pairs >= opts.min_cell:
            continuous(f"{outcome}:change", "change", post_v - pre_v, ctx, rows)
    comparisons = tidy("comparisons", rows.comparisons)
    pairwise = tidy("pairwise", rows.pairwise)
    adjust_run(comparisons, pairwise)
    labels = outcome_labels(instrument, opts.lang)
    labels.update({f"{k}:change": f"change in {v}" for k, v in list(labels.items())})
    group_labels = dict(zip(groups.names, groups.labels, strict=True)) if groups else {}
    tables = {
        "comparisons": comparisons,
        "pairwise": pairwise,
        "descriptives": tidy("descriptives", rows.descriptives),
        "levels": tidy("levels", []),
        "multi_response": tidy("multi_response", []),
        "scales": tidy("scales", []),
        "scale_items": tidy("scale_items", []),
        "trends": tidy("trends", []),
        "interactions": tidy("interactions", []),
        "texts": tidy("texts", []),
        "themes": tidy("themes", []),
        "quotes": tidy("quotes", []),
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


def _paired_targets(merged: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions):
    """(outcome, outcome type, pre values, post values) of every numeric outcome and scale
    found in both waves."""
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
        pre_v, post_v = numeric(merged[a]), numeric(merged[b])
        if item.type == "likert":
            levels = np.array([float(c.value) for c in instrument.choices_for(item).substantive])
            pre_v = np.where(is_level(pre_v, levels), pre_v, np.nan)
            post_v = np.where(is_level(post_v, levels), post_v, np.nan)
        kinds = {"likert": "ordinal", "integer": "count", "nps": "nps"}
        targets.append((item.id, kinds.get(item.type, "continuous"), pre_v, post_v))
    for scale in instrument.scales:
        if wanted and scale.id not in wanted:
            continue
        cols = [_wave_columns(merged, i) for i in scale.items]
        if any(c[0] is None for c in cols):
            continue
        waves = []
        for position in (0, 1):
            wave = merged[[c[position] for c in cols]].set_axis(list(scale.items), axis=1)
            items = item_values(wave, instrument, scale.items, scale.reverse)
            waves.append(scale_score(items, scale.min_items, scale.score).to_numpy(dtype=float))
        targets.append((scale.id, "scale", waves[0], waves[1]))
    return targets


def _paired_rows(outcome: str, otype: str, res: PairedResult, opts: AnalysisOptions, rows: Rows):
    """The paired t-test and Wilcoxon rows of one outcome (one suppressed row if too few)."""
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
        rows.comparisons.append({**base, "test": "paired t-test", "note": "suppressed"})
        return
    dz = res.d_z
    rows.comparisons.append(
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
    rows.comparisons.append(
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


def _wave_columns(merged: pd.DataFrame, item_id: str) -> tuple[str | None, str | None]:
    a, b = f"{item_id}_pre", f"{item_id}_post"
    return (a, b) if a in merged.columns and b in merged.columns else (None, None)
