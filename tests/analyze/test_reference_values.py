"""Every statistic against numbers published by others (see /shared REFERENCE_VALUES.md).

Each test names its source. Nothing here compares evalkit with its own earlier output.
"""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.analyze.descriptives import quantiles_from_counts
from evalkit.analyze.means import games_howell, hedges_g, welch_anova, welch_t
from evalkit.analyze.multiplicity import benjamini_hochberg, holm
from evalkit.analyze.ordinal import brunner_munzel_counts, kruskal_counts
from evalkit.analyze.paired import paired_compare
from evalkit.analyze.power import cohens_h, n_two_means, n_two_proportions
from evalkit.analyze.proportions import cramers_v, independence_test, newcombe_diff, wilson_ci
from evalkit.analyze.reliability import cronbach_alpha, feldt_ci, omega_total

# R `sleep` (R ?t.test)
SLEEP_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])
# R `PlantGrowth`
CTRL = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14]
TRT1 = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69]
TRT2 = [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26]


def _summary(x):
    x = np.asarray(x, dtype=float)
    return len(x), x.mean(), x.var(ddof=1)


def _table(*groups):
    """Groups of raw values -> group x distinct-value count table (how the engine sees data)."""
    levels = np.unique(np.concatenate(groups))
    return np.array([[np.sum(np.asarray(g) == v) for v in levels] for g in groups]), levels


def test_welch_t_sleep():
    """R: t = -1.8608, df = 17.776, p-value = 0.07939, CI -3.3654832 0.2054832."""
    t, diff = welch_t(*_summary(SLEEP_1), *_summary(SLEEP_2))
    assert t.statistic == pytest.approx(-1.8608, abs=5e-5)
    assert t.df == pytest.approx(17.776, abs=5e-4)
    assert t.p_value == pytest.approx(0.07939, abs=5e-6)
    assert diff.value == pytest.approx(-1.58)
    assert diff.ci_low == pytest.approx(-3.3654832, abs=1e-7)
    assert diff.ci_high == pytest.approx(0.2054832, abs=1e-7)


def test_paired_t_sleep():
    """R t.test(paired = TRUE): t = -4.0621, df = 9, p = 0.002833, CI -2.4598858 -0.7001142."""
    res = paired_compare(SLEEP_2, SLEEP_1)
    assert res.n_pairs == 10
    assert res.t_test.statistic == pytest.approx(-4.0621, abs=5e-5)
    assert res.t_test.df == 9
    assert res.t_test.p_value == pytest.approx(0.002833, abs=5e-7)
    assert res.mean_change.value == pytest.approx(-1.58)
    assert res.mean_change.ci_low == pytest.approx(-2.4598858, abs=1e-7)
    assert res.mean_change.ci_high == pytest.approx(-0.7001142, abs=1e-7)
    # d_z = mean / sd of the differences (Lakens 2013, eq. 6); sd of sleep differences 1.2300
    assert res.d_z.value == pytest.approx(-1.58 / 1.2299955, abs=1e-6)


def test_kruskal_wallis_plantgrowth_from_count_table():
    """R kruskal.test(weight ~ group, PlantGrowth): H = 7.9882, df = 2, p = 0.01842."""
    table, _ = _table(CTRL, TRT1, TRT2)
    res, eps2 = kruskal_counts(table)
    assert res.statistic == pytest.approx(7.9882, abs=5e-5)
    assert res.df == 2
    assert res.p_value == pytest.approx(0.01842, abs=5e-6)
    assert eps2 == pytest.approx(0.2754562, abs=1e-6)


def test_welch_anova_plantgrowth():
    """R oneway.test(weight ~ group, PlantGrowth): F = 5.18097240811319, df = (2, 17.1284186)."""
    res = welch_anova(*zip(*(_summary(g) for g in (CTRL, TRT1, TRT2)), strict=True))
    assert res.statistic == pytest.approx(5.18097240811319, rel=1e-12)
    assert res.df == 2
    assert res.df2 == pytest.approx(17.1284186166441, rel=1e-12)
    assert res.p_value == pytest.approx(0.01739282149017, rel=1e-10)


def test_probability_of_superiority_equals_mann_whitney_u_over_n1_n2():
    """scipy mannwhitneyu docs: males vs females U = 17.0, so P(A>B)+P(=)/2 = 17/20."""
    males, females = [19, 22, 16, 29, 24], [20, 11, 17, 12]
    table, _ = _table(males, females)
    _, ps, rb = brunner_munzel_counts(table[0], table[1])
    assert ps.value == pytest.approx(17 / 20)
    assert rb.value == pytest.approx(2 * 17 / 20 - 1)


def test_brunner_munzel_scipy_example():
    """scipy brunnermunzel docs: statistic 3.1374674823029505, p 0.0057862086661515377;
    R lawstat/brunnermunzel estimate P(X<Y)+.5P(X=Y) = 0.788961 (df 17.68)."""
    x1 = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
    x2 = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
    table, _ = _table(x2, x1)
    res, ps, rb = brunner_munzel_counts(table[0], table[1])
    assert res.statistic == pytest.approx(3.1374674823029505, rel=1e-12)
    assert res.p_value == pytest.approx(0.0057862086661515377, rel=1e-10)
    assert res.df == pytest.approx(17.68, abs=0.01)
    assert ps.value == pytest.approx(0.788961, abs=5e-7)
    assert ps.ci_low < ps.value < ps.ci_high
    assert rb.ci_low == pytest.approx(2 * ps.ci_low - 1)
    # swapping the groups mirrors everything
    res2, ps2, _ = brunner_munzel_counts(table[1], table[0])
    assert res2.statistic == pytest.approx(-res.statistic)
    assert ps2.value == pytest.approx(1 - ps.value)


def test_wilcoxon_darwin_and_hollander_wolfe():
    """scipy wilcoxon docs (Darwin): p = 0.041259765625; R ?wilcox.test: two-sided p 0.0390625."""
    d = np.array([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75], dtype=float)
    res = paired_compare(np.zeros_like(d), d)
    assert res.wilcoxon.statistic == 24.0
    assert res.wilcoxon.p_value == pytest.approx(0.041259765625)
    # matched-pairs rank-biserial from the published T+ = 96, T- = 24 (Kerby 2014)
    assert res.rank_biserial.value == pytest.approx((96 - 24) / 120)
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    assert paired_compare(y, x).wilcoxon.p_value == pytest.approx(0.0390625)


def test_fisher_when_expected_below_five():
    """scipy fisher_exact([[6, 2], [1, 4]]) two-sided p = 0.10256410256410257."""
    res, min_expected = independence_test([[6, 2], [1, 4]])
    assert res.test == "Fisher's exact test"
    assert min_expected < 5
    assert res.p_value == pytest.approx(0.10256410256410257, rel=1e-12)


def test_chi_square_no_yates_and_cramers_v():
    """scipy association(..., method='cramer') = 0.18617813077483678."""
    table = [[100, 150], [203, 322], [420, 700], [320, 210]]
    assert cramers_v(table) == pytest.approx(0.18617813077483678, rel=1e-12)
    res, _ = independence_test(table)
    assert res.test.startswith("chi-square")
    assert res.df == 3


def test_wilson_100_of_200():
    """statsmodels tests / R DescTools: [0.4313609, 0.5686391]."""
    low, high = wilson_ci(100, 200)
    assert float(low) == pytest.approx(0.4313609, abs=1e-7)
    assert float(high) == pytest.approx(0.5686391, abs=1e-7)


def test_wilson_edges():
    low, high = wilson_ci(np.array([0, 10]), np.array([10, 10]))
    assert low[0] == 0 and high[1] == 1
    assert np.isnan(wilson_ci(0, 0)[0])


def test_newcombe_fagerland():
    """Fagerland, Lydersen & Laake (2015): 7/34 - 1/34, Newcombe hybrid score [0.019, 0.340]."""
    est = newcombe_diff(7, 34, 1, 34)
    assert est.ci_low == pytest.approx(0.019, abs=5e-4)
    assert est.ci_high == pytest.approx(0.340, abs=5e-4)


def test_cohens_h():
    """statsmodels proportion_effectsize(0.5, 0.4) = 0.20135792079033088."""
    assert cohens_h(0.5, 0.4) == pytest.approx(0.20135792079033088, rel=1e-12)


def test_benjamini_hochberg_scipy_example():
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645,
                0.0765, 0.486, 0.58118182, 0.714875, 0.75323077, 0.81321429, 1.0]  # fmt: skip
    assert benjamini_hochberg(p) == pytest.approx(expected, abs=5e-9)
    assert benjamini_hochberg([0.5, 0.6, 0.1, 0.001]).tolist() == pytest.approx(
        [0.6, 0.6, 0.2, 0.004]
    )


def test_holm_definition_and_nan():
    """Holm (1979): sorted p times (m, m-1, ...), running maximum, capped at 1; NaN kept."""
    assert holm([0.01, 0.04, 0.03, 0.005]).tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1]) and out[[0, 2]].tolist() == pytest.approx([0.02, 0.04])


def test_hedges_g_sleep():
    """Cohen's d for sleep = -1.58 / pooled SD 1.8987 = -0.8321 (R effectsize::cohens_d
    prints -0.83); Hedges' J = 1 - 3 / (4 * 20 - 9) = 0.95775 gives g = -0.7970."""
    g = hedges_g(*_summary(SLEEP_1), *_summary(SLEEP_2))
    assert g.value == pytest.approx(-0.8321 * (1 - 3 / 71), abs=2e-4)
    assert g.ci_low < g.value < g.ci_high


def test_games_howell_two_groups_equals_welch():
    """With k = 2 the studentized range reduces to Welch's t: q = |t| sqrt(2)."""
    p, diff = games_howell(*_summary(SLEEP_1), *_summary(SLEEP_2), k=2)
    assert p == pytest.approx(0.07939, abs=5e-5)
    assert diff.ci_low == pytest.approx(-3.3654832, abs=1e-4)


def test_feldt_ci_statpsych():
    """statpsych ci.cronbach(.05, .85, 7, 89): LL 0.7971254, UL 0.8931436 (Feldt 1965 with
    n(k-1) df; evalkit uses Feldt et al. 1987's (n-1)(k-1), equal to 4 decimals)."""
    low, high = feldt_ci(0.85, 89, 7)
    assert low == pytest.approx(0.7971254, abs=1e-4)
    assert high == pytest.approx(0.8931436, abs=1e-4)


def test_cronbach_alpha_equals_spearman_brown_for_parallel_items():
    """For k items with equal variances and correlations r, alpha = k r / (1 + (k - 1) r)."""
    rng = np.random.default_rng(3)
    k, r = 4, 0.5
    cov = np.full((k, k), r)
    np.fill_diagonal(cov, 1)
    x = rng.multivariate_normal(np.zeros(k), cov, size=200_000)
    assert cronbach_alpha(x) == pytest.approx(k * r / (1 + (k - 1) * r), abs=0.005)


def test_omega_exact_one_factor():
    """Population correlation of a one-factor model: omega = (sum l)^2 / ((sum l)^2 + sum 1-l^2)."""
    lam = np.array([0.9, 0.7, 0.5, 0.4])
    corr = np.outer(lam, lam)
    np.fill_diagonal(corr, 1)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
    assert omega_total(corr) == pytest.approx(expected, abs=1e-6)


def test_pwr_sample_sizes():
    """R pwr.t.test(d = .5, power = .8): n = 63.76561; pwr.2p.test(ES.h(.70, .55)): 161.9349."""
    assert n_two_means(0.5) == pytest.approx(63.76561, abs=1e-5)
    assert n_two_proportions(0.70, 0.55) == pytest.approx(161.9349, abs=1e-4)


def test_quantiles_from_counts_match_numpy_type7():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 7, 101)
    levels, counts = np.unique(x, return_counts=True)
    probs = [0.1, 0.25, 0.5, 0.75, 0.9]
    assert quantiles_from_counts(levels, counts, probs) == pytest.approx(np.quantile(x, probs))


def test_distribution_functions_equal_scipy_stats():
    """evalkit's scipy.special-based distributions equal scipy.stats to 1e-12."""
    from scipy import stats as ss

    from evalkit.analyze import _dist

    x = np.array([0.1, 1.0, 2.5, 7.0])
    for df in (1, 3.5, 17.776, 200):
        assert _dist.t.sf(x, df) == pytest.approx(ss.t.sf(x, df), rel=1e-10)
        assert _dist.t.ppf(0.975, df) == pytest.approx(ss.t.ppf(0.975, df), rel=1e-10)
        assert _dist.chi2.sf(x, df) == pytest.approx(ss.chi2.sf(x, df), rel=1e-10)
        assert _dist.f.sf(x, 2, df) == pytest.approx(ss.f.sf(x, 2, df), rel=1e-10)
        assert _dist.f.ppf(0.025, df, 3 * df) == pytest.approx(ss.f.ppf(0.025, df, 3 * df))
    assert _dist.norm.sf(x) == pytest.approx(ss.norm.sf(x), rel=1e-12)


def test_chi_square_equals_scipy_chi2_contingency():
    from scipy import stats as ss

    from evalkit.analyze.proportions import chi_square

    table = [[100, 150, 3], [203, 322, 9], [420, 700, 1]]
    ref = ss.chi2_contingency(table, correction=False)
    stat, dof, expected = chi_square(table)
    assert stat == pytest.approx(ref.statistic, rel=1e-12) and dof == ref.dof
    assert expected == pytest.approx(ref.expected_freq)
