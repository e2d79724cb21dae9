"""Simulation: 95% intervals cover the truth 93-97% of the time; omnibus tests hold alpha.

Seeded and sized to run in CI in seconds. With R replications a coverage estimate has a
standard error of about sqrt(.95 * .05 / R): 0.49 points for R = 2000, so the 93-97 band is
four standard errors wide on each side.
"""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.analyze.counts import bootstrap_mean_diff
from evalkit.analyze.means import hedges_g, welch_anova, welch_t
from evalkit.analyze.nps import nps_diff
from evalkit.analyze.ordinal import brunner_munzel_counts, kruskal_counts
from evalkit.analyze.paired import paired_compare
from evalkit.analyze.proportions import independence_test, newcombe_diff, wilson_ci
from evalkit.analyze.reliability import cronbach_alpha, feldt_ci

pytestmark = pytest.mark.slow
REPS = 2000


def _covered(lows, highs, truth) -> float:
    lows, highs = np.asarray(lows), np.asarray(highs)
    return float(np.mean((lows <= truth) & (truth <= highs)))


def test_wilson_coverage():
    rng = np.random.default_rng(1)
    x = rng.binomial(80, 0.3, REPS)
    low, high = wilson_ci(x, np.full(REPS, 80))
    assert 0.93 <= _covered(low, high, 0.3) <= 0.97


def test_newcombe_difference_coverage():
    rng = np.random.default_rng(2)
    x1, x2 = rng.binomial(60, 0.55, REPS), rng.binomial(45, 0.35, REPS)
    est = [newcombe_diff(a, 60, b, 45) for a, b in zip(x1, x2, strict=True)]
    cov = _covered([e.ci_low for e in est], [e.ci_high for e in est], 0.2)
    assert 0.93 <= cov <= 0.97


def test_welch_difference_and_hedges_g_coverage():
    rng = np.random.default_rng(3)
    n1, n2, sd1, sd2 = 30, 45, 1.0, 1.0
    a = rng.normal(0.5, sd1, (REPS, n1))
    b = rng.normal(0.0, sd2, (REPS, n2))
    m1, m2, v1, v2 = a.mean(1), b.mean(1), a.var(1, ddof=1), b.var(1, ddof=1)
    diffs = [welch_t(n1, m1[i], v1[i], n2, m2[i], v2[i])[1] for i in range(REPS)]
    assert 0.93 <= _covered([d.ci_low for d in diffs], [d.ci_high for d in diffs], 0.5) <= 0.97
    gs = [hedges_g(n1, m1[i], v1[i], n2, m2[i], v2[i]) for i in range(REPS)]
    assert 0.93 <= _covered([g.ci_low for g in gs], [g.ci_high for g in gs], 0.5) <= 0.97


def test_brunner_munzel_probability_of_superiority_coverage():
    rng = np.random.default_rng(4)
    pa = np.array([0.05, 0.10, 0.25, 0.35, 0.25])
    pb = np.array([0.10, 0.20, 0.30, 0.25, 0.15])
    truth = sum(pa[i] * pb[j] for i in range(5) for j in range(5) if i > j) + 0.5 * pa @ pb
    ca, cb = rng.multinomial(60, pa, REPS), rng.multinomial(50, pb, REPS)
    est = [brunner_munzel_counts(ca[i], cb[i])[1] for i in range(REPS)]
    assert 0.93 <= _covered([e.ci_low for e in est], [e.ci_high for e in est], truth) <= 0.97


def test_nps_difference_coverage():
    rng = np.random.default_rng(5)
    pa, pb = np.array([0.5, 0.3, 0.2]), np.array([0.35, 0.35, 0.30])
    truth = 100 * ((pa[0] - pa[2]) - (pb[0] - pb[2]))
    ca, cb = rng.multinomial(150, pa, REPS), rng.multinomial(120, pb, REPS)
    est = [nps_diff(tuple(ca[i]), tuple(cb[i]))[0] for i in range(REPS)]
    assert 0.93 <= _covered([e.ci_low for e in est], [e.ci_high for e in est], truth) <= 0.97


def test_bootstrap_count_difference_coverage():
    rng = np.random.default_rng(6)
    values = np.arange(8)
    pa = np.array([0.20, 0.25, 0.20, 0.15, 0.10, 0.05, 0.03, 0.02])
    pb = np.array([0.30, 0.25, 0.20, 0.10, 0.07, 0.04, 0.02, 0.02])
    truth = values @ pa - values @ pb
    reps = 1000
    ca, cb = rng.multinomial(150, pa, reps), rng.multinomial(150, pb, reps)
    est = [bootstrap_mean_diff(values, ca[i], cb[i], n_boot=800, seed=i) for i in range(reps)]
    assert 0.925 <= _covered([e.ci_low for e in est], [e.ci_high for e in est], truth) <= 0.97


def test_paired_mean_change_and_dz_coverage():
    rng = np.random.default_rng(7)
    pre = rng.normal(0, 1, (REPS, 40))
    post = pre + rng.normal(0.3, 1.0, (REPS, 40))  # change ~ N(0.3, 1): d_z = 0.3
    res = [paired_compare(pre[i], post[i]) for i in range(REPS)]
    ch = [r.mean_change for r in res]
    assert 0.93 <= _covered([c.ci_low for c in ch], [c.ci_high for c in ch], 0.3) <= 0.97
    dz = [r.d_z for r in res]
    assert 0.93 <= _covered([d.ci_low for d in dz], [d.ci_high for d in dz], 0.3) <= 0.97


def test_feldt_alpha_coverage():
    rng = np.random.default_rng(8)
    k, r, n = 4, 0.4, 100
    truth = k * r / (1 + (k - 1) * r)
    cov = np.full((k, k), r)
    np.fill_diagonal(cov, 1)
    chol = np.linalg.cholesky(cov)
    data = rng.normal(size=(REPS, n, k)) @ chol.T
    cis = [feldt_ci(cronbach_alpha(data[i]), n, k) for i in range(REPS)]
    assert 0.93 <= _covered([c[0] for c in cis], [c[1] for c in cis], truth) <= 0.97


def _rate(pvalues) -> float:
    return float(np.mean(np.asarray(pvalues) < 0.05))


def test_type_one_error_of_omnibus_tests():
    rng = np.random.default_rng(9)
    sizes = np.array([40, 30, 20, 20])
    p_levels = np.array([0.1, 0.15, 0.3, 0.3, 0.15])
    kw, ch, wa = [], [], []
    for _ in range(REPS):
        table = np.stack([rng.multinomial(n, p_levels) for n in sizes])
        kw.append(kruskal_counts(table)[0].p_value)
        ch.append(independence_test(table[:, [0, 1]].sum(1, keepdims=True) @ [[1, 0]]
                                    + table[:, [2, 3, 4]].sum(1, keepdims=True) @ [[0, 1]])[0]
                  .p_value)  # fmt: skip
        groups = [rng.normal(0, sd, n) for n, sd in zip(sizes, [1, 2, 1, 3], strict=True)]
        wa.append(
            welch_anova(sizes, [g.mean() for g in groups], [g.var(ddof=1) for g in groups]).p_value
        )
    for name, p in (("Kruskal-Wallis", kw), ("chi-square", ch), ("Welch ANOVA", wa)):
        assert 0.035 <= _rate(p) <= 0.065, name


def test_type_one_error_of_brunner_munzel_with_unequal_spread():
    rng = np.random.default_rng(10)
    pa = np.array([0.05, 0.2, 0.5, 0.2, 0.05])  # same median and P(A>B) = 0.5, different spread
    pb = np.array([0.25, 0.15, 0.2, 0.15, 0.25])
    ca, cb = rng.multinomial(40, pa, REPS), rng.multinomial(60, pb, REPS)
    p = [brunner_munzel_counts(ca[i], cb[i])[0].p_value for i in range(REPS)]
    assert 0.035 <= _rate(p) <= 0.065


def test_ratio_of_totals_bca_coverage():
    """Cost per outcome: BCa interval of a ratio of totals over skewed engagements."""
    from evalkit.analyze.ratios import ratio_of_totals

    rng = np.random.default_rng(11)
    reps, n = 400, 40
    contacts = rng.poisson(8, (reps, n)) + 1
    cost = contacts * rng.gamma(2.0, 25.0, (reps, n))  # E[cost / contact] = 50
    est = [ratio_of_totals(cost[i], contacts[i], n_resamples=999, seed=i) for i in range(reps)]
    assert 0.92 <= _covered([e.ci_low for e in est], [e.ci_high for e in est], 50.0) <= 0.975
