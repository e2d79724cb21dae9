"""Scales: reverse scoring, scale scores, Cronbach's alpha (Feldt CI), item analysis, omega.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
Psychometrika 16, 297-334.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
alpha. Applied Psychological Measurement 11, 93-103 (formulas 6 and 7).
McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum (omega total).
Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb.
Psychometrika 74, 145-154.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, check_alpha
from evalkit.errors import UsageError


def reverse_score(values: pd.Series, low: float, high: float) -> pd.Series:
    """Reverse a rating: ``low + high - x`` (1..5 becomes 5..1); NA stays NA.

    >>> reverse_score(pd.Series([1, 5, None], dtype="Int64"), 1, 5).tolist()
    [5, 1, <NA>]
    """
    return low + high - values


def scale_score(items: pd.DataFrame, min_items: int = 1, score: str = "mean") -> pd.Series:
    """Row-wise mean (or sum) of the answered items; NA when fewer than ``min_items`` answered.

    A "sum" score is the mean times the number of items, so a missing item does not lower it
    (prorated sum).

    >>> df = pd.DataFrame({"a": [1, 2, None], "b": [3, None, None], "c": [5, 4, 1]})
    >>> scale_score(df, min_items=2).tolist()
    [3.0, 3.0, nan]
    """
    if score not in ("mean", "sum"):
        raise UsageError(f"unknown scale score {score!r}", hint="use 'mean' or 'sum'")
    x = items.astype("float64")
    answered = x.notna().sum(axis=1)
    mean = x.mean(axis=1, skipna=True)
    out = mean.where(answered >= max(min_items, 1))
    return out * items.shape[1] if score == "sum" else out


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of an n x k matrix without missing values.

    Examples
    --------
    Two perfectly parallel items give alpha 1:

    >>> cronbach_alpha(np.array([[1, 1], [2, 2], [3, 3]]))
    1.0
    """
    x = np.asarray(items, dtype=float)
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var))


def feldt_ci(alpha_hat: float, n: int, k: int, alpha: float = 0.05) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) interval for coefficient alpha.

    ``1 - (1 - alpha_hat) F(1 - a/2)`` to ``1 - (1 - alpha_hat) F(a/2)`` with F on
    ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom.

    Examples
    --------
    statpsych ``ci.cronbach(.05, .85, 7, 89)`` gives 0.7971 to 0.8931 (it uses n(k - 1)
    denominator degrees of freedom, which changes the fifth decimal):

    >>> [round(v, 3) for v in feldt_ci(0.85, 89, 7)]
    [0.797, 0.893]
    """
    check_alpha(alpha)
    if not np.isfinite(alpha_hat) or n < 2 or k < 2:
        return float("nan"), float("nan")
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha_hat) * stats.f.ppf(1 - alpha / 2, df1, df2)
    high = 1 - (1 - alpha_hat) * stats.f.ppf(alpha / 2, df1, df2)
    return float(low), float(high)


def alpha_from_cov(cov: np.ndarray) -> float:
    """Cronbach's alpha from the item covariance matrix: k/(k-1) (1 - trace / sum).

    >>> round(alpha_from_cov(np.array([[1.0, 0.5], [0.5, 1.0]])), 6)
    0.666667
    """
    c = np.asarray(cov, dtype=float)
    k = c.shape[0]
    total = c.sum()
    if k < 2 or total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(c) / total))


def item_analysis(items: pd.DataFrame, cov: np.ndarray | None = None) -> pd.DataFrame:
    """Alpha-if-item-deleted and corrected item-rest correlation for each item (complete rows).

    Both come from the item covariance matrix (computed once): the covariance of item j with
    the rest is the sum of row j without its diagonal, the variance of the rest the sum of
    the matrix without row and column j.

    Returns
    -------
    DataFrame with columns ``item, alpha_if_deleted, item_rest_r``.
    """
    if cov is None:
        cov = np.cov(items.astype("float64").dropna().to_numpy(), rowvar=False)
    c = np.atleast_2d(np.asarray(cov, dtype=float))
    rows = []
    for j, name in enumerate(items.columns):  # loop over items (k <= ~20), never over rows
        keep = np.arange(c.shape[0]) != j
        sub = c[np.ix_(keep, keep)]
        cov_rest = c[j, keep].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cov_rest / np.sqrt(c[j, j] * sub.sum())
        rows.append(
            {
                "item": name,
                "alpha_if_deleted": alpha_from_cov(sub) if sub.shape[0] >= 2 else np.nan,
                "item_rest_r": float(r),
            }
        )
    return pd.DataFrame(rows, columns=["item", "alpha_if_deleted", "item_rest_r"])


def omega_total(corr: np.ndarray, max_iter: int = 500, tol: float = 1e-9) -> float:
    """McDonald's omega (total) from a one-factor model fitted by iterated principal axes.

    ``omega = (sum loadings)^2 / ((sum loadings)^2 + sum uniquenesses)`` on the correlation
    matrix (standardised items).

    Examples
    --------
    A population correlation matrix generated by loadings 0.8, 0.7, 0.6 gives the exact
    omega (0.8 + 0.7 + 0.6)^2 / ((2.1)^2 + 0.36 + 0.51 + 0.64) = 0.7449:

    >>> lam = np.array([0.8, 0.7, 0.6]); r = np.outer(lam, lam); np.fill_diagonal(r, 1)
    >>> round(omega_total(r), 4)
    0.7449
    """
    r = np.asarray(corr, dtype=float)
    k = r.shape[0]
    if k < 3 or not np.all(np.isfinite(r)):
        return float("nan")  # one factor is not identified with fewer than three items
    try:
        h2 = 1 - 1 / np.diag(np.linalg.inv(r))  # squared multiple correlations
    except np.linalg.LinAlgError:
        h2 = np.full(k, 0.5)
    loadings = np.zeros(k)
    for _ in range(max_iter):  # iterations of a k x k eigenproblem, not a loop over rows
        reduced = r.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0.0))
        new_h2 = np.clip(loadings**2, 0, 0.995)
        if np.max(np.abs(new_h2 - h2)) < tol:
            h2 = new_h2
            break
        h2 = new_h2
    loadings = loadings * np.sign(loadings.sum() or 1.0)
    common = loadings.sum() ** 2
    return float(common / (common + np.sum(1 - h2)))


@dataclass(frozen=True)
class ScaleReliability:
    """Reliability of one scale."""

    scale: str
    n_complete: int
    n_items: int
    alpha: Estimate
    omega: float
    items: pd.DataFrame


def scale_reliability(
    scale_id: str, items: pd.DataFrame, alpha: float = 0.05, counts: np.ndarray | None = None
) -> ScaleReliability:
    """Alpha with its Feldt CI, omega and item analysis on complete cases of ``items``.

    ``counts`` makes each row of ``items`` stand for that many responses (frequency weights):
    the scale's answer patterns with their counts give the same result as the responses.

    Examples
    --------
    >>> rows = pd.DataFrame({"a": [1, 2, 3, 3], "b": [1, 3, 3, 3], "c": [2, 2, 3, 3]})
    >>> patterns = pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 3], "c": [2, 2, 3]})
    >>> by_row = scale_reliability("s", rows).alpha.value
    >>> by_pattern = scale_reliability("s", patterns, counts=np.array([1, 1, 2])).alpha.value
    >>> round(by_row, 6) == round(by_pattern, 6)
    True
    """
    x = items.to_numpy(dtype=float, na_value=np.nan)
    complete = ~np.isnan(x).any(axis=1)
    x = x[complete]
    weights = None if counts is None else np.asarray(counts, dtype=np.int64)[complete]
    n, k = (x.shape[0] if weights is None else int(weights.sum())), x.shape[1]
    if n > k:
        cov = np.atleast_2d(np.cov(x, rowvar=False, fweights=weights))  # everything else: k x k
        sd = np.sqrt(np.diag(cov))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(sd, sd)
    else:
        cov = corr = np.full((k, k), np.nan)
    a = alpha_from_cov(cov) if n >= 2 else float("nan")
    low, high = feldt_ci(a, n, k, alpha)
    return ScaleReliability(
        scale=scale_id,
        n_complete=int(n),
        n_items=int(k),
        alpha=Estimate("Cronbach's alpha", a, low, high),
        omega=omega_total(corr) if k >= 3 else float("nan"),
        items=item_analysis(items, cov),
    )
