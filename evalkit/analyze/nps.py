"""Net Promoter Score and differences of NPS with the multinomial standard error.

NPS = 100 (share of 9-10 - share of 0-6). With shares p (promoters) and d (detractors) of a
multinomial sample of size n, Var(p - d) = (p + d - (p - d)^2) / n; the two groups are
independent, so the variance of a difference is the sum.

References
----------
Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review 81(12).
Rocks, B. (2016). Interval estimation for the "Net Promoter Score". The American
Statistician 70, 365-372 (the multinomial variance and Wald interval used here).
"""

from __future__ import annotations

import numpy as np

from evalkit.analyze import _dist as stats
from evalkit.analyze._common import Estimate, check_alpha


def nps_counts(scores) -> tuple[int, int, int]:
    """(promoters, passives, detractors) of a 0-10 array; NaN entries are ignored.

    >>> nps_counts(np.array([10, 9, 8, 7, 6, 0, np.nan]))
    (2, 2, 2)
    """
    s = np.asarray(scores, dtype=float)
    s = s[~np.isnan(s)]
    return int(np.sum(s >= 9)), int(np.sum((s >= 7) & (s <= 8))), int(np.sum(s <= 6))


def nps(promoters: int, passives: int, detractors: int, alpha: float = 0.05) -> Estimate:
    """NPS (-100 to 100) with a Wald interval from the multinomial variance.

    Examples
    --------
    >>> e = nps(50, 30, 20)
    >>> e.value, round(e.ci_low, 2), round(e.ci_high, 2)
    (30.0, 14.69, 45.31)
    """
    check_alpha(alpha)
    n = promoters + passives + detractors
    if n == 0:
        return Estimate("NPS", np.nan, np.nan, np.nan)
    p, d = promoters / n, detractors / n
    value = p - d
    se = np.sqrt(max(p + d - value**2, 0.0) / n)
    z = stats.norm.ppf(1 - alpha / 2)
    return Estimate("NPS", 100 * value, 100 * (value - z * se), 100 * (value + z * se))


def nps_diff(a: tuple[int, int, int], b: tuple[int, int, int], alpha: float = 0.05):
    """Difference NPS(a) - NPS(b) in points with its CI and a z-test.

    Returns
    -------
    (Estimate, z statistic, p-value)
    """
    check_alpha(alpha)
    na, nb = sum(a), sum(b)
    nan = float("nan")
    if na == 0 or nb == 0:
        return Estimate("NPS difference", nan, nan, nan), nan, nan
    pa, da, pb, db = a[0] / na, a[2] / na, b[0] / nb, b[2] / nb
    va = (pa + da - (pa - da) ** 2) / na
    vb = (pb + db - (pb - db) ** 2) / nb
    diff = (pa - da) - (pb - db)
    se = float(np.sqrt(va + vb))
    z = float(stats.norm.ppf(1 - alpha / 2))
    if se == 0:
        return Estimate("NPS difference", 100 * diff, nan, nan), nan, nan
    stat = diff / se
    p = float(2 * stats.norm.sf(abs(stat)))
    return (
        Estimate("NPS difference", 100 * diff, 100 * (diff - z * se), 100 * (diff + z * se)),
        float(stat),
        p,
    )
