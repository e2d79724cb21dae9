"""Random-effects meta-analysis of per-city effects (inverse variance), as R metafor does.

One function, :func:`meta_analysis`, takes per-city estimates ``yi`` and their sampling
variances ``vi`` and returns the fixed-effect (inverse-variance) estimate beside the
random-effects one, with τ² by REML (the default, as in metafor's ``rma``) or
DerSimonian–Laird, Cochran's Q with its p, I², H², the prediction interval for a new city
and, optionally, the Hartung–Knapp(–Sidik–Jonkman) interval.

Formulas (Viechtbauer 2005; Higgins & Thompson 2002; metafor ``rma.uni``):

- weights ``w = 1/v``; fixed effect ``θ_FE = Σwy/Σw``, SE ``1/√Σw``;
  ``Q = Σw(y − θ_FE)²`` on ``k − 1`` df.
- DL: ``τ² = max(0, (Q − (k−1)) / (Σw − Σw²/Σw))``.
- REML: τ² maximises the restricted log-likelihood
  ``−½Σlog(v+τ²) − ½log Σw* − ½Σw*(y − θ*)²`` with ``w* = 1/(v+τ²)``, on ``[0, ∞)``,
  found by Fisher scoring from the DL value (as metafor, step-halving at the boundary).
- ``s² = (k−1)Σw / ((Σw)² − Σw²)`` (the typical within-city variance),
  ``I² = τ²/(τ²+s²)``, ``H² = (τ²+s²)/s²`` (metafor's definitions, for every estimator).
- random effects ``θ = Σw*y/Σw*``, SE ``1/√Σw*``, z interval; Hartung–Knapp: SE
  ``√(Σw*(y−θ)²/((k−1)Σw*))`` with a t interval on ``k−1`` df.
- prediction interval ``θ ± c·√(SE² + τ²)`` with ``c`` the same critical value (z, or
  t on k−1 df with Hartung–Knapp), as metafor's ``predict``; given only for k ≥ 3.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

METHODS = ("REML", "DL")


@dataclass(frozen=True)
class MetaResult:
    """The pooled estimate of one meta-analysis (all on the scale of ``yi``)."""

    k: int
    method: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float
    pi_high: float
    fe_estimate: float
    fe_se: float
    fe_ci_low: float
    fe_ci_high: float
    hartung_knapp: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def _reml_tau2(y: np.ndarray, v: np.ndarray, start: float) -> float:
    """REML τ² by Fisher scoring from ``start`` (metafor's algorithm, step-halving at 0)."""
    tau2 = max(start, 0.0)
    for _ in range(200):
        w = 1.0 / (v + tau2)
        sw, sw2, sw3 = float(w.sum()), float((w * w).sum()), float((w**3).sum())
        mu = float((w * y).sum()) / sw
        py = w * (y - mu)
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2
        adj = (float((py * py).sum()) - tr_p) / tr_pp
        while tau2 + adj < 0:
            adj /= 2.0
            if abs(adj) < 1e-14:
                return 0.0
        tau2 += adj
        if abs(adj) < 1e-12:
            break
    return max(tau2, 0.0)


def meta_analysis(
    yi: Any,
    vi: Any,
    method: str = "REML",
    hartung_knapp: bool = False,
    alpha: float = 0.05,
) -> MetaResult:
    """Pool per-city estimates ``yi`` with sampling variances ``vi``.

    Parameters
    ----------
    yi, vi
        Estimates (log odds ratios, mean differences, Hedges' g...) and their variances;
        entries where either is missing or ``vi <= 0`` are left out.
    method
        ``"REML"`` (default) or ``"DL"`` (DerSimonian–Laird) for τ².
    hartung_knapp
        Use the Hartung–Knapp standard error and a t interval on k − 1 df.

    Returns
    -------
    MetaResult
        Random-effects estimate with CI, τ², I² (percent), H², Q with df and p, prediction
        interval, and the fixed-effect estimate with CI. With k = 1 the city's own estimate
        is returned and heterogeneity is undefined; ``note`` says so in words.

    References
    ----------
    DerSimonian R, Laird N (1986). Controlled Clinical Trials 7:177-188.
    Viechtbauer W (2005). J Educ Behav Stat 30:261-293. Higgins JPT, Thompson SG (2002).
    Stat Med 21:1539-1558. IntHout J et al. (2014) BMC Med Res Methodol 14:25 (HKSJ).

    Examples
    --------
    >>> r = meta_analysis([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], method="DL")
    >>> round(r.tau2, 6), r.k
    (0.0, 3)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
    y, v = y[keep], v[keep]
    k = len(y)
    nan = float("nan")
    z_crit = float(stats.norm.ppf(1 - alpha / 2))
    if k == 0:
        return MetaResult(
            0, method, *([nan] * 10), 0, *([nan] * 7), hartung_knapp, "no city has this estimate"
        )  # fmt: skip
    w = 1.0 / v
    fe = float(np.sum(w * y) / np.sum(w))
    fe_se = math.sqrt(1.0 / float(np.sum(w)))
    q = float(np.sum(w * (y - fe) ** 2))
    df = k - 1
    if k == 1:
        return MetaResult(
            1, method, fe, fe_se, fe - z_crit * fe_se, fe + z_crit * fe_se, fe / fe_se,
            float(2 * stats.norm.sf(abs(fe / fe_se))), nan, nan, nan, nan, 0, nan, nan, nan,
            fe, fe_se, fe - z_crit * fe_se, fe + z_crit * fe_se, hartung_knapp,
            "one city only: no pooling and no heterogeneity",
        )  # fmt: skip
    q_p = float(stats.chi2.sf(q, df))
    sum_w, sum_w2 = float(np.sum(w)), float(np.sum(w**2))
    if method == "DL":
        tau2 = max(0.0, (q - df) / (sum_w - sum_w2 / sum_w))
    else:
        dl = max(0.0, (q - df) / (sum_w - sum_w2 / sum_w))
        tau2 = _reml_tau2(y, v, dl)
    s2 = df * sum_w / (sum_w**2 - sum_w2)
    i2 = 100.0 * tau2 / (tau2 + s2)
    h2 = (tau2 + s2) / s2
    ws = 1.0 / (v + tau2)
    est = float(np.sum(ws * y) / np.sum(ws))
    se = math.sqrt(1.0 / float(np.sum(ws)))
    crit = z_crit
    if hartung_knapp:
        se = math.sqrt(float(np.sum(ws * (y - est) ** 2)) / (df * float(np.sum(ws))))
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        p_value = float(2 * stats.t.sf(abs(est / se), df)) if se > 0 else nan
    else:
        p_value = float(2 * stats.norm.sf(abs(est / se)))
    notes = []
    if k < 3:
        notes.append("only two cities: the between-city variation cannot be estimated reliably")
        pi_low = pi_high = nan
    else:
        half = crit * math.sqrt(se**2 + tau2)
        pi_low, pi_high = est - half, est + half
    return MetaResult(
        k, method, est, se, est - crit * se, est + crit * se, est / se if se > 0 else nan,
        p_value, tau2, i2, h2, q, df, q_p, pi_low, pi_high, fe, fe_se,
        fe - z_crit * fe_se, fe + z_crit * fe_se, hartung_knapp, "; ".join(notes),
    )  # fmt: skip


def heterogeneity_words(i2: float, k: int, q_p: float) -> str:
    """The heterogeneity in plain words ('varies widely between cities')."""
    if k < 2 or math.isnan(i2):
        return "only one city has this result, so nothing can be said about variation"
    if k < 3:
        return "only two cities have this result, so its variation cannot be judged"
    if i2 < 25 and (math.isnan(q_p) or q_p >= 0.10):
        return "is much the same in every city (little variation beyond chance)"
    if i2 < 50:
        return "varies somewhat between cities"
    if i2 < 75:
        return "varies considerably between cities"
    return "varies widely between cities"
