"""The few distribution functions the engine needs, from ``scipy.special``.

``scipy.stats`` takes about a second to import on a small machine, longer than analysing a
large survey; ``scipy.special`` has the same functions (the ones scipy.stats itself calls)
and imports in a fraction of that. Modules use ``from evalkit.analyze import _dist as stats``
so call sites read like scipy.stats (``stats.t.sf(x, df)``); anything else from scipy.stats
(Fisher's exact test, Wilcoxon, the studentized range, bootstrap) is imported where it is used.

>>> round(float(t.sf(2.0, 10)), 6), round(float(chi2.sf(3.84, 1)), 4)
(0.036694, 0.05)
>>> round(float(norm.ppf(0.975)), 6), round(float(f.sf(4.0, 2, 20)), 5)
(1.959964, 0.03457)
"""

from __future__ import annotations

import numpy as np
from scipy import special


class _Norm:
    @staticmethod
    def ppf(p):
        return special.ndtri(p)

    @staticmethod
    def cdf(x):
        return special.ndtr(x)

    @staticmethod
    def sf(x):
        return special.ndtr(-np.asarray(x, dtype=float))


class _T:
    @staticmethod
    def sf(x, df):
        return special.stdtr(df, -np.asarray(x, dtype=float))

    @staticmethod
    def cdf(x, df):
        return special.stdtr(df, x)

    @staticmethod
    def ppf(p, df):
        return special.stdtrit(df, p)


class _Chi2:
    @staticmethod
    def sf(x, df):
        return special.chdtrc(df, x)


class _F:
    @staticmethod
    def sf(x, dfn, dfd):
        return special.fdtrc(dfn, dfd, x)

    @staticmethod
    def ppf(p, dfn, dfd):
        return special.fdtri(dfn, dfd, p)


norm = _Norm()
t = _T()
chi2 = _Chi2()
f = _F()
