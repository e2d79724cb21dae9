"""Survey weights: raking to population margins, weighted means with linearised SEs, Kish n.

Weights here are *probability* (sampling or calibration) weights: they change estimates and
their standard errors, but they do not multiply the sample size. Frequency-weight formulas
(which treat a weight of 30 as 30 identical respondents) understate standard errors.

References
----------
Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. Annals of Mathematical Statistics 11,
427-444 (iterative proportional fitting).
Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley (linearisation; the
formulas of R's ``survey::svymean`` for a single-stage design with replacement).
Battaglia, M. P., Hoaglin, D. C., & Frankel, M. R. (2009). Practical considerations in
raking survey data. Survey Practice 2(5) (bounds on raked weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, TestResult, category_codes, check_alpha
from evalkit.errors import DataError, Location, UsageError


def kish_n(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2 (NaN weights ignored).

    >>> kish_n([1, 1, 1, 1]), kish_n([1, 3])
    (4.0, 1.6)
    """
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    return float(w.sum() ** 2 / np.sum(w**2)) if len(w) else float("nan")


def weighted_mean(y, w, alpha: float = 0.05) -> Estimate:
    """Weighted (Hajek) mean with its linearised SE, as ``svymean(~y, svydesign(id=~1,
    weights=~w))`` computes it: ``Var = n / (n - 1) * sum(w^2 (y - ybar)^2) / (sum w)^2``.

    The interval is ``mean +- z SE``. Rows with a missing y or w are dropped.

    Examples
    --------
    With equal weights the SE is the textbook s / sqrt(n):

    >>> y = np.array([2.0, 4.0, 6.0, 8.0])
    >>> est = weighted_mean(y, np.full(4, 7.5))
    >>> se = (est.ci_high - est.value) / 1.959964
    >>> est.value, round(se, 6), round(float(y.std(ddof=1)) / 2, 6)
    (5.0, 1.290994, 1.290994)
    """
    check_alpha(alpha)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = ~(np.isnan(y) | np.isnan(w))
    y, w = y[ok], w[ok]
    n = len(y)
    if n < 2 or w.sum() <= 0:
        return Estimate("weighted mean", np.nan, np.nan, np.nan)
    mean = float(np.sum(w * y) / w.sum())
    se = float(np.sqrt(n / (n - 1) * np.sum(w**2 * (y - mean) ** 2) / w.sum() ** 2))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return Estimate("weighted mean", mean, mean - z * se, mean + z * se)


def weighted_group_means(codes: np.ndarray, y: np.ndarray, w: np.ndarray, k: int):
    """Per group (codes 0..k-1): n, weighted mean, linearised SE and Kish effective n.

    Vectorised with ``np.bincount``; rows with code < 0 or missing y/w are ignored.
    """
    ok = (codes >= 0) & ~np.isnan(y) & ~np.isnan(w)
    c, yy, ww = codes[ok], y[ok], w[ok]
    n = np.bincount(c, minlength=k).astype(float)
    sw = np.bincount(c, weights=ww, minlength=k)
    sw2 = np.bincount(c, weights=ww**2, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=ww * yy, minlength=k) / sw
        resid = np.bincount(c, weights=ww**2 * (yy - mean[c]) ** 2, minlength=k)
        se = np.sqrt(np.where(n > 1, n / (n - 1) * resid / sw**2, np.nan))
        n_eff = sw**2 / sw2
    return n, mean, se, n_eff


def wald_equal_means(mean, se) -> TestResult:
    """Wald chi-square test that independent group means are equal (k - 1 df)."""
    m, s = np.asarray(mean, float), np.asarray(se, float)
    ok = np.isfinite(m) & np.isfinite(s) & (s > 0)
    m, s = m[ok], s[ok]
    if len(m) < 2:
        return TestResult("Wald test (linearised SE)", np.nan, np.nan, np.nan)
    prec = 1 / s**2
    pooled = np.sum(prec * m) / prec.sum()
    w = float(np.sum(prec * (m - pooled) ** 2))
    df = len(m) - 1
    return TestResult("Wald test (linearised SE)", w, float(df), float(stats.chi2.sf(w, df)))


def diff_of_means(m1, se1, m2, se2, alpha: float = 0.05) -> tuple[TestResult, Estimate]:
    """z-test and CI for the difference of two independent weighted means."""
    se = float(np.hypot(se1, se2))
    diff = float(m1 - m2)
    if not np.isfinite(se) or se == 0:
        nan = float("nan")
        return TestResult("z-test (linearised SE)", nan, nan, nan), Estimate(
            "weighted difference", diff, nan, nan
        )
    z = diff / se
    q = float(stats.norm.ppf(1 - alpha / 2))
    return (
        TestResult("z-test (linearised SE)", z, np.nan, float(2 * stats.norm.sf(abs(z)))),
        Estimate("weighted difference", diff, diff - q * se, diff + q * se),
    )


@dataclass(frozen=True)
class RakeReport:
    """How raking went: iterations used, largest remaining margin error, bounds applied."""

    converged: bool
    iterations: int
    max_error: float
    lower: float
    upper: float
    n_trimmed: int


def rake(
    frame: pd.DataFrame,
    margins: dict[str, dict[str, float]],
    base_weights=None,
    lower: float = 0.2,
    upper: float = 5.0,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> tuple[np.ndarray, RakeReport]:
    """Rake weights so that weighted shares match ``margins`` (iterative proportional fitting).

    Parameters
    ----------
    frame
        Responses; every key of ``margins`` must be a column.
    margins
        ``{column: {category: population share or count}}``; shares are normalised per column.
    base_weights
        Starting weights (design weights), default 1.
    lower, upper
        Bounds on the final weight relative to the mean weight; weights outside are clipped
        after each full pass (bounded raking), which can prevent exact convergence (reported).
    tol
        Convergence when every margin's largest absolute share error is below ``tol``.

    Returns
    -------
    (weights scaled to mean 1, RakeReport)

    Examples
    --------
    A sample with 3/4 women raked to 1/2 women, 1/2 men:

    >>> df = pd.DataFrame({"sex": ["f", "f", "f", "m"]})
    >>> w, report = rake(df, {"sex": {"f": 0.5, "m": 0.5}}, upper=10)
    >>> [round(float(x), 4) for x in w], report.converged
    ([0.6667, 0.6667, 0.6667, 2.0], True)
    """
    n = len(frame)
    w = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float).copy()
    if n == 0:
        raise UsageError("no responses to rake", hint="check the input file")
    codes, targets = {}, {}
    for column, shares in margins.items():
        if column not in frame.columns:
            raise UsageError(
                f"margin {column!r} is not a column of the responses",
                hint="margins must name items of the instrument",
            )
        cats = [str(c) for c in shares]
        values = frame[column].astype("string")
        code = category_codes(values, cats)
        unknown = values.notna().to_numpy() & (code < 0)
        if unknown.any() or values.isna().any():
            bad = values[unknown].iloc[0] if unknown.any() else "a missing value"
            raise DataError(
                f"{bad!r} in {column!r} has no population margin",
                Location(column=column),
                "give a margin for every category (and impute or drop missing values first)",
            )
        t = np.array([float(v) for v in shares.values()])
        codes[column], targets[column] = code, t / t.sum()
    max_error, iterations, converged, n_trimmed = np.inf, 0, False, 0
    while iterations < max_iter:  # passes over the margins; each pass is vectorised
        iterations += 1
        for column, code in codes.items():
            current = np.bincount(code, weights=w, minlength=len(targets[column])) / w.sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, targets[column] / current, 1.0)
            w = w * factor[code]
        mean = w.mean()
        n_trimmed = int(np.sum((w < lower * mean) | (w > upper * mean)))
        w = np.clip(w, lower * mean, upper * mean)
        max_error = max(
            float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(targets[k])) / w.sum()
                                - targets[k])))
            for k, c in codes.items()
        )  # fmt: skip
        if max_error < tol:
            converged = True
            break
    return w / w.mean(), RakeReport(converged, iterations, max_error, lower, upper, n_trimmed)


def load_margins(path: str | Path) -> dict[str, dict[str, float]]:
    """Read population margins from YAML: ``{item: {category: share or count}}`` (safe-loaded)."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read margins ({exc})", Location(file=str(p)),
                        "give a YAML file of item: {category: share}") from exc  # fmt: skip
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise DataError("margins must map items to {category: share}", Location(file=str(p)),
                        "e.g. mode: {in_person: 0.5, virtual: 0.5}")  # fmt: skip
    out: dict[str, dict[str, float]] = {}
    for item, shares in data.items():
        for cat, value in shares.items():
            if not isinstance(value, (int, float)) or value < 0:
                raise DataError(f"margin {item}.{cat} is not a non-negative number",
                                Location(file=str(p), key=f"{item}.{cat}"),
                                "write shares or population counts")  # fmt: skip
        out[str(item)] = {str(c): float(v) for c, v in shares.items()}
    return out
