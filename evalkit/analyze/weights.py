"""Survey weights: raking, weighted means with linearised SEs, design-based tests, Kish n.

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
Rao, J. N. K., & Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
with cell proportions estimated from survey data. Annals of Statistics 12, 46-60.

The design-based tests reproduce R ``survey`` 4.5 on its api data to 1e-9 or better
(tests/analyze/test_survey_reference.py).
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


def weighted_mean(y, w, alpha: float = 0.05, fpc=None) -> Estimate:
    """Weighted (Hajek) mean with its linearised SE, as ``svymean(~y, svydesign(id=~1,
    weights=~w))`` computes it: ``Var = n / (n - 1) * sum(w^2 (y - ybar)^2) / (sum w)^2``.

    The interval is ``mean +- z SE``. Rows with a missing y or w are dropped.

    Parameters
    ----------
    y, w
        Values and probability weights.
    alpha
        1 - confidence level.
    fpc
        Finite-population correction as R's ``svydesign(fpc=)``: the population size N (a
        number, or one equal value per row), or the sampling fraction if every value is at most
        1. The variance is then multiplied by ``1 - n / N``. Default: sampling with replacement.

    Examples
    --------
    With equal weights the SE is the textbook s / sqrt(n):

    >>> y = np.array([2.0, 4.0, 6.0, 8.0])
    >>> est = weighted_mean(y, np.full(4, 7.5))
    >>> se = (est.ci_high - est.value) / 1.959964
    >>> est.value, round(se, 6), round(float(y.std(ddof=1)) / 2, 6)
    (5.0, 1.290994, 1.290994)

    Sampling 4 of a population of 30, the SE shrinks by sqrt(1 - 4/30):

    >>> est = weighted_mean(y, np.full(4, 7.5), fpc=30)
    >>> round((est.ci_high - est.value) / 1.959964 / se, 6), round(float(np.sqrt(26 / 30)), 6)
    (0.930949, 0.930949)
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
    var = n / (n - 1) * np.sum(w**2 * (y - mean) ** 2) / w.sum() ** 2
    se = float(np.sqrt(var * (1 - _sampling_fraction(fpc, n))))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return Estimate("weighted mean", mean, mean - z * se, mean + z * se)


def _sampling_fraction(fpc, n: int) -> float:
    """n / N from R-style ``fpc`` (population size, or the fraction itself when <= 1)."""
    if fpc is None:
        return 0.0
    values = np.unique(np.asarray(fpc, dtype=float))
    values = values[~np.isnan(values)]
    if len(values) != 1 or values[0] <= 0:
        raise UsageError(
            "fpc must be one positive population size (or sampling fraction)",
            hint="give N, the number of units in the population the sample was drawn from",
        )
    fraction = values[0] if values[0] <= 1 else n / values[0]
    if fraction > 1:
        raise UsageError(
            f"the population size {values[0]:g} is smaller than the sample ({n})",
            hint="fpc is the population size N, not the sampling weight",
        )
    return float(fraction)


def read_weights(frame: pd.DataFrame, column: str, flag: str = "--weights") -> np.ndarray:
    """The probability weights in ``frame[column]``: positive finite numbers, NaN where blank.

    A blank weight leaves the row outside the design; text that is not a number, zero, a
    negative number or an infinite one is a one-line error naming the row and the column.

    >>> read_weights(pd.DataFrame({"w": ["1.5", None, "2"]}), "w").tolist()
    [1.5, nan, 2.0]
    """
    if column not in frame.columns:
        raise UsageError(
            f"the weight column {column!r} is not in the responses",
            hint=f"name a column of the responses with {flag} (or give the instrument a "
            "'role: weight' item)",
        )
    values = frame[column]
    w = pd.to_numeric(values.astype("string"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    given = values.notna().to_numpy() & (values.astype("string").str.strip() != "").to_numpy(
        dtype=bool, na_value=False
    )
    bad = given & ~(np.isfinite(w) & (w > 0))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        shown = str(values.iloc[pos])[:40]
        what = "not a number" if np.isnan(w[pos]) else "not a positive finite number"
        raise DataError(
            f"weights must be positive: {shown!r} is {what} ({int(bad.sum())} such rows)",
            Location(row=_row_number(frame, pos), column=column),
            "give every sampled row a weight > 0 (leave it blank to keep the row out)",
        )
    return w


def _row_number(frame: pd.DataFrame, pos: int) -> int:
    """1-based data row of position ``pos``: the index label + 1 for a default integer index."""
    label = frame.index[pos]
    return int(label) + 1 if isinstance(label, (int, np.integer)) else pos + 1


def design_n(w) -> int:
    """The design's sample size: rows with a positive weight (missing outcomes included).

    >>> design_n([1.0, 2.0, np.nan, 0.0])
    2
    """
    w = np.asarray(w, dtype=float)
    return int(np.sum(np.isfinite(w) & (w > 0)))


def weighted_group_means(codes: np.ndarray, y: np.ndarray, w: np.ndarray, k: int, n_design=None):
    """Per group (codes 0..k-1): n, weighted mean, linearised SE and Kish effective n.

    The groups are domains of one design, as in ``svyby(~y, ~group, design, svymean,
    na.rm=TRUE)``: ``Var_g = n / (n - 1) * sum_g w^2 (y - ybar_g)^2 / (sum_g w)^2`` with n the
    design's sample size (``n_design``, default :func:`design_n` of ``w``), not the group's.
    Vectorised with ``np.bincount``; rows with code < 0 or missing y/w are ignored.
    """
    nd = design_n(w) if n_design is None else n_design
    ok = (codes >= 0) & ~np.isnan(y) & ~np.isnan(w)
    c, yy, ww = codes[ok], y[ok], w[ok]
    n = np.bincount(c, minlength=k).astype(float)
    sw = np.bincount(c, weights=ww, minlength=k)
    sw2 = np.bincount(c, weights=ww**2, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=ww * yy, minlength=k) / sw
        resid = np.bincount(c, weights=ww**2 * (yy - mean[c]) ** 2, minlength=k)
        se = np.sqrt(np.where((n > 1) & (nd > 1), nd / (nd - 1) * resid / sw**2, np.nan))
        n_eff = sw**2 / sw2
    return n, mean, se, n_eff


def wald_equal_means(mean, se, df2: float = np.inf) -> TestResult:
    """Wald test that uncorrelated domain means are equal.

    With a finite ``df2`` (the design's residual df, n - k for k groups) this is
    ``regTermTest(svyglm(y ~ group, design), ~group)``: F = W / (k - 1) on (k - 1, df2) df;
    with ``df2 = inf`` the chi-square W on k - 1 df.
    """
    m, s = np.asarray(mean, float), np.asarray(se, float)
    ok = np.isfinite(m) & np.isfinite(s) & (s > 0)
    m, s = m[ok], s[ok]
    name = "Wald F test (linearised SE)" if np.isfinite(df2) else "Wald test (linearised SE)"
    if len(m) < 2:
        return TestResult(name, np.nan, np.nan, np.nan)
    prec = 1 / s**2
    pooled = np.sum(prec * m) / prec.sum()
    w = float(np.sum(prec * (m - pooled) ** 2))
    df = len(m) - 1
    if not np.isfinite(df2):
        return TestResult(name, w, float(df), float(stats.chi2.sf(w, df)))
    if df2 < 1:
        return TestResult(name, np.nan, float(df), np.nan, df2)
    return TestResult(name, w / df, float(df), float(stats.f.sf(w / df, df, df2)), df2)


def diff_of_means(
    m1, se1, m2, se2, alpha: float = 0.05, df: float = np.inf
) -> tuple[TestResult, Estimate]:
    """Test and CI for the difference of two uncorrelated weighted (domain) means.

    With a finite ``df`` (the design's residual df) a t-test and t interval, as R's
    ``svyttest``; with ``df = inf`` a z-test and normal interval.
    """
    design_t = bool(np.isfinite(df))
    name = "design-based t-test (linearised SE)" if design_t else "z-test (linearised SE)"
    se = float(np.hypot(se1, se2))
    diff = float(m1 - m2)
    nan = float("nan")
    if not np.isfinite(se) or se == 0 or (design_t and df < 1):
        return TestResult(name, nan, nan, nan), Estimate("weighted difference", diff, nan, nan)
    stat = diff / se
    if design_t:
        q = float(stats.t.ppf(1 - alpha / 2, df))
        p = float(2 * stats.t.sf(abs(stat), df))
    else:
        q = float(stats.norm.ppf(1 - alpha / 2))
        p = float(2 * stats.norm.sf(abs(stat)))
    return (
        TestResult(name, stat, df if design_t else nan, p),
        Estimate("weighted difference", diff, diff - q * se, diff + q * se),
    )


def weighted_t_test(y, codes, w, alpha: float = 0.05, n_design=None) -> tuple[TestResult, Estimate]:
    """Design-based two-group t-test, R's ``svyttest(y ~ group, svydesign(id=~1, weights=~w))``.

    ``codes`` are 0 (group a), 1 (group b) or -1 (neither: a row of the design outside both
    groups). The difference is mean(a) - mean(b); its SE is that of the coefficient of
    ``svyglm(y ~ group)`` (domain means of one design), and the t-test and interval use the
    residual df of that model, n_a + n_b - 2.

    Examples
    --------
    Equal weights: SE^2 = n/(n - 1) (2/9 + 8/9) with n = 6, so t = -4 / sqrt(4/3):

    >>> y = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    >>> test, diff = weighted_t_test(y, np.array([0, 0, 0, 1, 1, 1]), np.ones(6))
    >>> diff.value, test.df, round(test.statistic, 4), round(-4 / (4 / 3) ** 0.5, 4)
    (-4.0, 4.0, -3.4641, -3.4641)
    """
    check_alpha(alpha)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    n, mean, se, _ = weighted_group_means(codes, y, w, 2, n_design)
    return diff_of_means(mean[0], se[0], mean[1], se[1], alpha, df=n.sum() - 2)


def _dense_codes(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Non-negative codes renumbered 0..m-1 over the categories present (O(n), no sort)."""
    present = np.bincount(codes) > 0 if len(codes) else np.zeros(0, dtype=bool)
    return (np.cumsum(present) - 1)[codes], int(present.sum())


def rao_scott_test(rows, cols, w, n_design=None, design=None) -> TestResult:
    """Pearson chi-square of a weighted two-way table with Rao & Scott's second-order
    correction, as R's ``svychisq(~rows + cols, design)`` (its default ``statistic = "F"``).

    ``rows`` and ``cols`` are integer codes (-1 = missing: the row stays in the design but not
    in the table). Empty categories are dropped. Pearson's X^2 of the weighted table is
    divided by the trace of the design-effect matrix Delta and referred to F on
    (d, d nu) df with d = tr(Delta)^2 / tr(Delta^2) (Rao & Scott 1984; Lumley 2010, section
    6.2) and nu the design's degrees of freedom: PSUs minus strata (R ``svychisq``), which is
    n - 1 for ``svydesign(id=~1, weights=~w)`` with n the rows of the design (``n_design``,
    default :func:`design_n` of ``w``), answered or not. ``design`` (a
    :class:`evalkit.analyze.survey.SampleDesign` over the same rows) gives the covariance of
    the cell shares and nu for strata, clusters and fpc; without it the covariance is the
    linearised one of :func:`weighted_mean`. Only the k x k cell matrices (k = cells) are
    dense, the rows are reduced with ``np.bincount``.

    Examples
    --------
    With equal weights Delta is n/(n - 1) times the identity, so F is Pearson's X^2 divided
    by (n/(n - 1)) times its df:

    >>> r = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1])
    >>> c = np.array([0, 0, 0, 1, 1, 1, 1, 0, 0, 1])
    >>> res = rao_scott_test(r, c, np.full(10, 3.0))
    >>> round(res.statistic * 10 / 9, 4), res.df, res.df2
    (3.6, 1.0, 9.0)
    """
    name = "Rao-Scott F test (design-based chi-square)"
    parts = _rao_scott_parts(rows, cols, w, n_design, design)
    if parts is None:
        return TestResult(name, np.nan, np.nan, np.nan)
    x2, delta, nu = parts
    trace = float(np.trace(delta))
    if not np.isfinite(trace) or trace <= 0 or nu < 1:
        return TestResult(name, np.nan, np.nan, np.nan)
    d = trace**2 / float(np.trace(delta @ delta))
    stat = x2 / trace
    return TestResult(name, stat, d, float(stats.f.sf(stat, d, d * nu)), d * nu)


def rao_scott_first_order(rows, cols, w, n_design=None, design=None) -> TestResult:
    """Rao & Scott's first-order corrected chi-square of the table of :func:`rao_scott_test`:
    Pearson's X^2 divided by the mean eigenvalue of Delta, tr(Delta) / df, on the table's
    df = (r - 1)(c - 1). Its p-value is R's ``svychisq(..., statistic = "Chisq")`` (which
    prints the unadjusted X^2 beside it; ``df2`` holds that X^2 here).

    >>> r = np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1])
    >>> c = np.array([0, 0, 0, 1, 1, 1, 1, 0, 0, 1])
    >>> res = rao_scott_first_order(r, c, np.full(10, 3.0))
    >>> round(res.statistic, 4), res.df, round(res.df2, 4)
    (3.24, 1.0, 3.6)
    """
    name = "Rao-Scott first-order chi-square"
    parts = _rao_scott_parts(rows, cols, w, n_design, design)
    if parts is None:
        return TestResult(name, np.nan, np.nan, np.nan)
    x2, delta, _ = parts
    df = delta.shape[0]
    mean_eigen = float(np.trace(delta)) / df
    if not np.isfinite(mean_eigen) or mean_eigen <= 0:
        return TestResult(name, np.nan, float(df), np.nan, x2)
    stat = x2 / mean_eigen
    return TestResult(name, stat, float(df), float(stats.chi2.sf(stat, df)), x2)


def _rao_scott_parts(rows, cols, w, n_design, design):
    """Pearson's X^2 of the weighted table scaled to the design's rows, the design-effect
    matrix Delta and the design df nu (None when the table has fewer than 2 x 2 cells)."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    w = np.asarray(w, dtype=float)
    if design is not None:
        nd, nu = int(np.sum(design.psu >= 0)), design.degf
    else:
        nd = design_n(w) if n_design is None else n_design
        nu = float(nd - 1)
    ok = (rows >= 0) & (cols >= 0) & np.isfinite(w) & (w > 0)
    r, nr = _dense_codes(rows[ok])
    c, nc = _dense_codes(cols[ok])
    if nr < 2 or nc < 2 or int(ok.sum()) < 3 or nd < 2:
        return None
    ww = w[ok]
    cell, k = r + nr * c, nr * nc  # rows vary fastest, as R's interaction()
    total = ww.sum()
    p = np.bincount(cell, weights=ww, minlength=k) / total
    if design is not None:
        z = np.zeros((len(w), k))
        z[np.flatnonzero(ok), cell] = ww / total
        z[ok] -= np.outer(ww / total, p)
        cov = design.cov(z)
    else:
        s2 = np.bincount(cell, weights=ww**2, minlength=k)
        # linearised covariance of the cell shares: n/(n-1) sum_i z_i z_i', z_i = w_i (x_i - p)/W
        cov = np.diag(s2) - np.outer(p, s2) - np.outer(s2, p) + np.sum(ww**2) * np.outer(p, p)
        cov *= nd / (nd - 1) / total**2
    table = (p * nd).reshape(nc, nr).T  # R: svytable(Ntotal = rows of the design)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / nd
    x2 = float(np.sum((table - expected) ** 2 / expected))
    # contrasts of the interaction, orthogonal to the main effects (R: qr.resid(qr(X1), X12))
    ri, ci = np.arange(k) % nr, np.arange(k) // nr
    main = np.column_stack(
        [np.ones(k)] + [ri == i for i in range(1, nr)] + [ci == j for j in range(1, nc)]
    ).astype(float)
    inter = np.column_stack(
        [(ri == i) & (ci == j) for j in range(1, nc) for i in range(1, nr)]
    ).astype(float)
    q, _ = np.linalg.qr(main)
    contrast = inter - q @ (q.T @ inter)
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    scaled = contrast * inv_p[:, None]
    try:
        delta = np.linalg.solve(contrast.T @ scaled / nd, scaled.T @ cov @ scaled)
    except np.linalg.LinAlgError:  # too many empty cells to estimate the design effects
        return None
    return x2, delta, nu


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
    from evalkit.instrument.yamlio import read_yaml

    p = Path(path)
    try:
        data, _ = read_yaml(p, what="margins file", error=DataError,
                            empty_hint="give a YAML file of item: {category: share}")  # fmt: skip
    except OSError as exc:
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
