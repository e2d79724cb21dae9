"""Per-city effect sizes from aggregates, and the stratified tests over cities.

Every function takes counts or moments (what a bundle carries), never microdata, so the
same numbers come out whether an office shares a bundle or the network holds the raw
responses (tests/network/test_equivalence.py checks this).

- 2×2 tables ``[[a, b], [c, d]]`` (rows group_a, group_b; columns yes, no): log risk
  ratio, log odds ratio and risk difference with their large-sample variances (metafor
  ``escalc`` measures RR, OR, RD; ½ added to every cell of a table with a zero, as
  ``escalc``'s ``add=1/2, to="only0"``).
- Mantel–Haenszel pooled OR (with the CMH test and the Breslow–Day and Tarone tests) from
  statsmodels ``StratifiedTable``; the MH risk ratio's CI from the Greenland–Robins (1985)
  variance, which statsmodels does not give.
- ordered count tables: mean and variance of the level scores per group; the generalised
  CMH mean-score statistic (Landis, Heyman & Koch 1978) stratified by city.
- means: the mean difference (variance ``v1/n1 + v2/n2``) and Hedges' g (variance
  ``1/n1 + 1/n2 + g²/(2(n1+n2))``, metafor's "SMD").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats


def two_by_two(table: Any) -> dict[str, tuple[float, float]]:
    """``{"risk_ratio": (log RR, var), "odds_ratio": (log OR, var), "risk_difference":
    (RD, var)}`` for one 2×2 table.

    Examples
    --------
    >>> out = two_by_two([[4, 119], [11, 128]])  # dat.bcg trial 1 (metafor: yi -0.8893)
    >>> round(out["risk_ratio"][0], 4), round(out["risk_ratio"][1], 4)
    (-0.8893, 0.3256)
    """
    a, b, c, d = (float(x) for x in np.asarray(table, dtype=float).ravel())
    n1, n2 = a + b, c + d
    rd = a / n1 - c / n2
    rd_var = (a * b / n1**3) + (c * d / n2**3)
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    m1, m2 = a + b, c + d
    return {
        "risk_ratio": (math.log(a / m1) - math.log(c / m2), 1 / a - 1 / m1 + 1 / c - 1 / m2),
        "odds_ratio": (math.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d),
        "risk_difference": (rd, rd_var),
    }


def mantel_haenszel(tables: list[Any], alpha: float = 0.05) -> dict[str, float]:
    """Mantel–Haenszel pooled OR and RR over cities, with the CMH and homogeneity tests.

    Returns ``or, or_low, or_high, log_or_se, rr, rr_low, rr_high, log_rr_se, cmh,
    cmh_p`` (without continuity correction), ``breslow_day, breslow_day_p`` and
    ``tarone, tarone_p``.

    Examples
    --------
    >>> import numpy as np
    >>> ucb = [[[512, 313], [89, 19]], [[353, 207], [17, 8]], [[120, 205], [202, 391]],
    ...        [[138, 279], [131, 244]], [[53, 138], [94, 299]], [[22, 351], [24, 317]]]
    >>> r = mantel_haenszel(ucb)  # R mantelhaen.test(UCBAdmissions, correct = FALSE)
    >>> round(r["or"], 4), round(r["or_low"], 4), round(r["or_high"], 4), round(r["cmh"], 4)
    (0.9047, 0.7719, 1.0603, 1.5246)
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    arrays = [np.asarray(t, dtype=float) for t in tables]
    st = StratifiedTable(arrays)
    low, high = st.oddsratio_pooled_confint(alpha=alpha)
    null = st.test_null_odds(correction=False)
    # a stratum with an empty margin makes statsmodels divide 0 by 0 inside Breslow-Day
    # (it contributes nothing); keep numpy quiet about it
    with np.errstate(invalid="ignore", divide="ignore"):
        bd = st.test_equal_odds(adjust=False)
        tarone = st.test_equal_odds(adjust=True)
    # Greenland-Robins variance of log RR_MH
    num = den_r = den_s = 0.0
    for t in arrays:
        a, b, c, d = t.ravel()
        n1, n2, total = a + b, c + d, t.sum()
        m1 = a + c
        num += (n1 * n2 * m1 - a * c * total) / total**2
        den_r += a * n2 / total
        den_s += c * n1 / total
    rr = den_r / den_s if den_s > 0 else float("nan")
    log_rr_se = math.sqrt(num / (den_r * den_s)) if den_r > 0 and den_s > 0 else float("nan")
    z = float(stats.norm.ppf(1 - alpha / 2))
    return {
        "or": float(st.oddsratio_pooled), "or_low": float(low), "or_high": float(high),
        "log_or_se": float(st.logodds_pooled_se), "rr": float(rr),
        "rr_low": float(rr * math.exp(-z * log_rr_se)),
        "rr_high": float(rr * math.exp(z * log_rr_se)), "log_rr_se": log_rr_se,
        "cmh": float(null.statistic), "cmh_p": float(null.pvalue),
        "breslow_day": float(bd.statistic), "breslow_day_p": float(bd.pvalue),
        "tarone": float(tarone.statistic), "tarone_p": float(tarone.pvalue),
    }  # fmt: skip


def score_moments(counts: Any, scores: Any) -> tuple[int, float, float]:
    """``(n, mean, variance)`` of ordered levels with ``scores`` from their counts."""
    n_j = np.asarray(counts, dtype=float)
    s = np.asarray(scores, dtype=float)
    n = float(n_j.sum())
    if n == 0:
        return 0, float("nan"), float("nan")
    mean = float((n_j * s).sum() / n)
    var = float((n_j * (s - mean) ** 2).sum() / (n - 1)) if n > 1 else float("nan")
    return int(n), mean, var


def cmh_mean_score(strata: list[tuple[Any, Any]]) -> tuple[float, float]:
    """Generalised CMH mean-score statistic for two groups, stratified (chi-square, 1 df).

    ``strata`` holds, per city, a 2 × levels count table and the levels' scores. The
    statistic is ``(Σ_h (T_h − E_h))² / Σ_h V_h`` with ``T_h`` the score sum of the first
    group, ``E_h = n_h1 μ_h`` and ``V_h = n_h1 n_h2 σ²_h / (n_h − 1)`` (``σ²_h`` the
    population variance of the scores in city h). With one stratum it equals
    ``(n − 1) r²``, r the correlation between group and score.

    Examples
    --------
    >>> s, p = cmh_mean_score([([[3, 5, 2], [1, 4, 6]], [1, 2, 3])])
    >>> round(s, 4)
    2.8667
    """
    diff = var = 0.0
    for table, scores in strata:
        t = np.asarray(table, dtype=float)
        a = np.asarray(scores, dtype=float)
        n1, n2 = t[0].sum(), t[1].sum()
        n = n1 + n2
        if n1 == 0 or n2 == 0 or n < 2:
            continue
        col = t.sum(axis=0)
        mu = float((a * col).sum() / n)
        sigma2 = float((col * (a - mu) ** 2).sum() / n)
        diff += float((a * t[0]).sum()) - n1 * mu
        var += n1 * n2 * sigma2 / (n - 1)
    if var <= 0:
        return float("nan"), float("nan")
    statistic = diff**2 / var
    return float(statistic), float(stats.chi2.sf(statistic, 1))


def mean_difference(
    n1: float, m1: float, v1: float, n2: float, m2: float, v2: float
) -> tuple[float, float]:
    """``(m1 − m2, v1/n1 + v2/n2)``."""
    return m1 - m2, v1 / n1 + v2 / n2


def hedges_g(
    n1: float, m1: float, v1: float, n2: float, m2: float, v2: float
) -> tuple[float, float]:
    """Hedges' g (bias-corrected SMD, pooled SD) and its variance (metafor ``"SMD"``).

    Examples
    --------
    >>> g, v = hedges_g(20, 5.0, 4.0, 20, 4.0, 4.0)
    >>> round(g, 4), round(v, 4)
    (0.4901, 0.103)
    """
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / df)
    j = 1 - 3 / (4 * df - 1)
    g = j * (m1 - m2) / sp
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
