"""Adjusted associations: regression with covariates, propensity weights, balance tables.

Participants choose their mode, so a raw difference between modes mixes the mode with who
chose it. Two standard ways to account for measured differences between the groups:

- **regression adjustment**: the outcome is modelled on mode plus covariates; the mode
  coefficients are differences between modes at equal covariate values. Scale scores, counts
  and other measurements use least squares with heteroscedasticity-robust (HC3) standard
  errors (Long & Ervin 2000); binary outcomes a logistic regression with robust (HC1) SEs
  (odds ratios); Likert items a proportional-odds model (McCullagh 1980; statsmodels
  ``OrderedModel``), whose mode coefficients are cumulative odds ratios.
- **propensity weighting**: a multinomial logistic model predicts each person's probability of
  each mode from the covariates; inverse-probability weights (IPW) or overlap weights
  (Li, Morgan & Zaslavsky 2018; Li & Li 2019 for several groups) make the groups alike in
  those covariates. The balance table shows standardised mean differences (SMD) before and
  after weighting; |SMD| < 0.1 is the usual target (Austin 2009).

Neither removes differences in unmeasured characteristics: results are labelled
"adjusted association", never an effect of the mode.

References
----------
Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline covariates
between treatment groups in propensity-score matched samples. Statistics in Medicine 28,
3083-3107.
Li, F., Morgan, K. L., & Zaslavsky, A. M. (2018). Balancing covariates via propensity score
weighting. JASA 113, 390-400.
Li, F., & Li, F. (2019). Propensity score weighting for causal inference with multiple
treatments. Annals of Applied Statistics 13, 2389-2415.
Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors in the
linear regression model. The American Statistician 54, 217-224.
McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42, 109-142.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import category_codes, check_alpha
from evalkit.analyze.design import Design
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.result import tidy
from evalkit.analyze.rows import Context, Rows, base
from evalkit.analyze.values import numeric, substantive_levels
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument, Item


@dataclass(frozen=True)
class AdjustedResult:
    """A covariate-adjusted comparison of one outcome across groups."""

    model: str
    effect_name: str
    n: int
    wald: float
    df: float
    p_value: float
    pairs: pd.DataFrame  # group_a, group_b, estimate, ci_low, ci_high, statistic, p_value


def design_matrix(covariates: pd.DataFrame) -> pd.DataFrame:
    """Numeric covariates as they are; text/categorical ones as 0/1 columns (first dropped).

    >>> design_matrix(pd.DataFrame({"age": [30, 40], "sector": ["a", "b"]})).columns.tolist()
    ['age', 'sector_b']
    """
    parts = []
    for column in covariates.columns:
        series = covariates[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            parts.append(series.astype("float64").rename(column))
        else:
            dummies = pd.get_dummies(series.astype("string"), prefix=column, drop_first=True)
            parts.append(dummies.astype("float64"))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=covariates.index)


def _group_dummies(codes: np.ndarray, k: int) -> np.ndarray:
    return (codes[:, None] == np.arange(1, k)[None, :]).astype(float)


def adjusted_comparison(
    y: np.ndarray,
    codes: np.ndarray,
    names: list[str],
    covariates: pd.DataFrame,
    kind: str,
    alpha: float = 0.05,
) -> AdjustedResult:
    """Fit ``y ~ group + covariates`` and compare every pair of groups at equal covariates.

    Parameters
    ----------
    y
        Outcome per row (NaN = missing).
    codes
        Group index per row (0..k-1, -1 = no group); the first group with data is the reference.
    kind
        ``"linear"`` (OLS, HC3), ``"logistic"`` (0/1 outcome, HC1) or ``"ordinal"``
        (proportional odds; y holds ordered level values).

    Examples
    --------
    A planted difference of 1 between groups, with a covariate that differs between them:

    >>> rng = np.random.default_rng(0)
    >>> codes = rng.integers(0, 2, 5000); x = rng.normal(codes, 1)
    >>> y = 1.0 * codes + 2 * x + rng.normal(0, 1, 5000)
    >>> res = adjusted_comparison(y, codes, ["a", "b"], pd.DataFrame({"x": x}), "linear")
    >>> round(float(res.pairs.estimate.iloc[0]), 1)
    -1.0
    """
    import statsmodels.api as sm

    check_alpha(alpha)
    if kind not in ("linear", "logistic", "ordinal"):
        raise UsageError(f"unknown adjustment model {kind!r}", hint="linear, logistic or ordinal")
    x_cov = design_matrix(covariates).to_numpy(dtype=float)
    ok = (codes >= 0) & ~np.isnan(y) & ~np.isnan(x_cov).any(axis=1)
    present = np.unique(codes[ok])
    if len(present) < 2:
        raise UsageError("fewer than two groups have complete data for the adjusted model",
                         hint="check the covariates' missing values")  # fmt: skip
    remap = np.full(len(names), -1)
    remap[present] = np.arange(len(present))
    g = remap[codes[ok]]
    k = len(present)
    dummies = _group_dummies(g, k)
    x = np.column_stack([dummies, x_cov[ok]])
    yy = y[ok]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "linear":
            fit = sm.OLS(yy, sm.add_constant(x, has_constant="add")).fit(cov_type="HC3")
            offset, model, effect = 1, "least squares, HC3 robust SE", "adjusted mean difference"
        elif kind == "logistic":
            fit = sm.Logit(yy, sm.add_constant(x, has_constant="add")).fit(disp=0, cov_type="HC1")
            offset, model, effect = 1, "logistic regression, HC1 robust SE", "adjusted odds ratio"
        else:
            from statsmodels.miscmodels.ordinal_model import OrderedModel

            levels = np.unique(yy)
            y_cat = pd.Categorical(yy, categories=levels, ordered=True)
            fit = OrderedModel(y_cat, x, distr="logit").fit(method="bfgs", disp=0, maxiter=500)
            offset, model = 0, "proportional-odds logistic regression"
            effect = "adjusted cumulative odds ratio"
    params = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    idx = np.arange(offset, offset + k - 1)
    beta = params[idx]
    v = cov[np.ix_(idx, idx)]
    wald = float(beta @ np.linalg.solve(v, beta)) if k > 1 else float("nan")
    p = float(stats.chi2.sf(wald, k - 1))
    z = float(stats.norm.ppf(1 - alpha / 2))
    rows = []
    full = np.concatenate([[0.0], beta])  # reference group's coefficient is 0
    full_cov = np.zeros((k, k))
    full_cov[1:, 1:] = v
    for a, b in combinations(range(k), 2):
        est = full[a] - full[b]
        se = float(np.sqrt(full_cov[a, a] + full_cov[b, b] - 2 * full_cov[a, b]))
        low, high = est - z * se, est + z * se
        if kind != "linear":
            est, low, high = np.exp(est), np.exp(low), np.exp(high)
        rows.append(
            {
                "group_a": names[present[a]],
                "group_b": names[present[b]],
                "estimate": float(est),
                "ci_low": float(low),
                "ci_high": float(high),
                "statistic": float((full[a] - full[b]) / se) if se > 0 else float("nan"),
                "p_value": float(2 * stats.norm.sf(abs((full[a] - full[b]) / se)))
                if se > 0
                else float("nan"),
            }
        )
    return AdjustedResult(model, effect, int(ok.sum()), wald, float(k - 1), p, pd.DataFrame(rows))


def propensity_weights(
    codes: np.ndarray, covariates: pd.DataFrame, method: str = "overlap"
) -> np.ndarray:
    """Propensity-score weights from a multinomial logistic model of group on covariates.

    ``ipw``: 1 / e_g(x). ``overlap``: (1 / e_g(x)) / sum_k (1 / e_k(x)) (generalised overlap
    weights, Li & Li 2019), bounded and focused on people who could have chosen any mode.
    Rows without a group or with missing covariates get NaN.
    """
    import statsmodels.api as sm

    if method not in ("ipw", "overlap"):
        raise UsageError(f"unknown propensity weighting {method!r}", hint="use ipw or overlap")
    x_cov = design_matrix(covariates).to_numpy(dtype=float)
    ok = (codes >= 0) & ~np.isnan(x_cov).any(axis=1)
    present = np.unique(codes[ok])
    remap = np.full(codes.max() + 1, -1)
    remap[present] = np.arange(len(present))
    g = remap[codes[ok]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.MNLogit(g, sm.add_constant(x_cov[ok], has_constant="add")).fit(disp=0)
    probs = np.asarray(fit.predict(sm.add_constant(x_cov[ok], has_constant="add")))
    own = probs[np.arange(len(g)), g]
    w = 1 / own if method == "ipw" else (1 / own) / np.sum(1 / probs, axis=1)
    out = np.full(len(codes), np.nan)
    out[ok] = w
    return out


def balance_table(
    codes: np.ndarray, names: list[str], covariates: pd.DataFrame, weights: np.ndarray | None
) -> pd.DataFrame:
    """Standardised mean difference of each covariate column, each group vs the first group.

    SMD = (mean_g - mean_ref) / sqrt((var_g + var_ref) / 2), with the unweighted variances in
    the denominator for both columns (Austin 2009), so the two columns are comparable.
    """
    x = design_matrix(covariates)
    rows = []
    for column in x.columns:
        v = x[column].to_numpy(dtype=float)
        ok = (codes >= 0) & ~np.isnan(v)
        ref = 0
        for g in range(1, len(names)):
            a, b = ok & (codes == g), ok & (codes == ref)
            if a.sum() < 2 or b.sum() < 2:
                continue
            sd = np.sqrt((v[a].var(ddof=1) + v[b].var(ddof=1)) / 2)
            raw = (v[a].mean() - v[b].mean()) / sd if sd > 0 else np.nan
            weighted = np.nan
            if weights is not None:
                wa, wb = weights[a], weights[b]
                if np.nansum(wa) > 0 and np.nansum(wb) > 0 and sd > 0:
                    ma = np.nansum(wa * v[a]) / np.nansum(wa)
                    mb = np.nansum(wb * v[b]) / np.nansum(wb)
                    weighted = (ma - mb) / sd
            rows.append(
                {
                    "covariate": column,
                    "group": f"{names[g]} vs {names[ref]}",
                    "smd_unweighted": float(raw),
                    "smd_weighted": float(weighted),
                }
            )
    return pd.DataFrame(rows, columns=["covariate", "group", "smd_unweighted", "smd_weighted"])


# --------------------------------------------------------------------------- in the engine


def covariates_from(
    frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions
) -> pd.DataFrame | None:
    """The ``--adjust`` covariates as a frame (numbers as floats, the rest as text)."""
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
        is_number = item is not None and item.type in ("likert", "integer", "decimal", "nps")
        cols[name] = (
            pd.Series(numeric(frame[name]), index=frame.index)
            if is_number or pd.api.types.is_numeric_dtype(frame[name])
            else frame[name].astype("string")
        )
    return pd.DataFrame(cols)


def propensity_design(
    covariates: pd.DataFrame | None,
    groups,
    design: Design,
    opts: AnalysisOptions,
    meta: dict[str, Any],
) -> tuple[Design, pd.DataFrame | None]:
    """The balance table and, with ``--propensity``, the design reweighted by propensity
    scores (every comparison then an adjusted association); ``meta`` gets Kish's n."""
    if covariates is None:
        return design, None
    if opts.propensity is None:
        table = balance_table(groups.codes, groups.names, covariates, None)
        return design, tidy("balance", table.to_dict("records"))
    pw = propensity_weights(groups.codes, covariates, opts.propensity)
    weights = pw * (design.weights if design.weights is not None else 1.0)
    note = (
        f"adjusted association ({opts.propensity} propensity weights on {', '.join(opts.adjust)})"
    )
    meta["kish_n_effective"] = float(np.nansum(pw) ** 2 / np.nansum(pw**2))
    table = balance_table(groups.codes, groups.names, covariates, pw)
    return replace(design, weights=weights, note=note), tidy("balance", table.to_dict("records"))


def regression_adjusted(
    frame: pd.DataFrame, items: list[Item], covariates: pd.DataFrame, ctx: Context, rows: Rows
) -> None:
    """Covariate-adjusted comparisons of every outcome item (the model fitting its type)."""
    instrument = ctx.instrument
    for item in items:
        if item.type == "select_multiple":
            for choice in instrument.choices_for(item).substantive:
                column = f"{item.id}__{choice.name}"
                if column in frame.columns:
                    y = numeric(frame[column])
                    adjusted_rows(column, "binary", y, "logistic", covariates, ctx, rows)
            continue
        if item.id not in frame.columns or item.id in ctx.opts.adjust:
            continue
        values = numeric(frame[item.id])
        if item.type == "likert":
            levels = substantive_levels(instrument, item)
            y = np.where(np.isin(values, levels), values, np.nan)
            adjusted_rows(item.id, "ordinal", y, "ordinal", covariates, ctx, rows)
        elif item.type == "select_one":
            subs = instrument.choices_for(item).substantive
            codes = category_codes(frame[item.id], [c.name for c in subs])
            y = np.where(codes < 0, np.nan, (codes == 0).astype(float))
            adjusted_rows(item.id, "categorical", y, "logistic", covariates, ctx, rows)
        elif item.type == "nps":
            y = np.where(np.isnan(values), np.nan, (values >= 9) * 100.0 - (values <= 6) * 100.0)
            adjusted_rows(item.id, "nps", y, "linear", covariates, ctx, rows)
        else:
            otype = "count" if item.type == "integer" else "continuous"
            adjusted_rows(item.id, otype, values, "linear", covariates, ctx, rows)


def adjusted_rows(outcome, otype, y, kind, covariates, ctx: Context, rows: Rows) -> None:
    """The adjusted comparison of one outcome: a Wald test of the groups and a z per pair."""
    groups, opts = ctx.groups, ctx.opts
    note = f"adjusted association (covariates: {', '.join(opts.adjust)})"
    ok = (groups.codes >= 0) & ~np.isnan(y)
    n = np.bincount(groups.codes[ok], minlength=groups.k)
    hidden = ctx.suppressed(n)
    codes = np.where(hidden[np.maximum(groups.codes, 0)], -1, groups.codes)
    try:
        res = adjusted_comparison(y, codes, groups.names, covariates, kind, opts.alpha)
    except (UsageError, np.linalg.LinAlgError, ValueError) as exc:
        rows.skipped.append(f"{outcome} adjusted ({exc})")
        return
    rows.comparisons.append(
        {
            **base(outcome, otype, groups),
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
        rows.pairwise.append(
            {
                **base(outcome, otype, groups),
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
