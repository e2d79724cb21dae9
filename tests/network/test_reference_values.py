"""Pooling statistics against published values (R metafor, R mantelhaen.test)."""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.network.effects import cmh_mean_score, mantel_haenszel, two_by_two
from evalkit.network.meta import meta_analysis

# metafor dat.bcg (Colditz et al. 1994): tpos, tneg, cpos, cneg of the 13 BCG trials
BCG = np.array([
    [4, 119, 11, 128], [6, 300, 29, 274], [3, 228, 11, 209], [62, 13536, 248, 12619],
    [33, 5036, 47, 5761], [180, 1361, 372, 1079], [8, 2537, 10, 619], [505, 87886, 499, 87892],
    [29, 7470, 45, 7232], [17, 1699, 65, 1600], [186, 50448, 141, 27197], [5, 2493, 3, 2338],
    [27, 16886, 29, 17825],
])  # fmt: skip
# R datasets UCBAdmissions: per department, rows Male/Female, columns Admitted/Rejected
UCB = [[[512, 313], [89, 19]], [[353, 207], [17, 8]], [[120, 205], [202, 391]],
       [[138, 279], [131, 244]], [[53, 138], [94, 299]], [[22, 351], [24, 317]]]  # fmt: skip


def _bcg(measure: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [two_by_two([[a, b], [c, d]])[measure] for a, b, c, d in BCG]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def test_fixed_effect_log_rr_matches_metafor():
    """metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r, FE, measure RR."""
    r = meta_analysis(*_bcg("risk_ratio"), method="DL")
    assert r.fe_estimate == pytest.approx(-0.4303, abs=5e-5)
    assert (r.fe_ci_low, r.fe_ci_high) == pytest.approx((-0.5097, -0.3509), abs=5e-5)
    assert r.q == pytest.approx(152.2330, abs=5e-4)


def test_dersimonian_laird_log_rr_matches_metafor():
    """Same file, RE with DL: -0.7141 [-1.0644, -0.3638], z -3.9952, tau2 .3088, I2 92.1173."""
    r = meta_analysis(*_bcg("risk_ratio"), method="DL")
    assert r.estimate == pytest.approx(-0.7141, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.0644, -0.3638), abs=5e-5)
    assert r.z == pytest.approx(-3.9952, abs=5e-4)
    assert r.tau2 == pytest.approx(0.3088, abs=5e-5)
    assert r.i2 == pytest.approx(92.1173, abs=5e-4)


def test_dersimonian_laird_log_or_matches_metafor():
    """Same file, RE with DL, measure OR: -0.7474 [-1.1242, -0.3706], tau2 .3663, I2 92.6455."""
    r = meta_analysis(*_bcg("odds_ratio"), method="DL")
    assert r.estimate == pytest.approx(-0.7474, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.1242, -0.3706), abs=5e-5)
    assert r.tau2 == pytest.approx(0.3663, abs=5e-5)
    assert r.i2 == pytest.approx(92.6455, abs=5e-4)
    assert r.fe_estimate == pytest.approx(-0.4361, abs=5e-5)


def test_reml_log_rr_matches_metafor():
    """metafor's default rma(yi, vi, data=dat) on dat.bcg log RR: I2 = 92.22139%
    (easystats performance tests, model_performance.rma), which with the data's typical
    within-trial variance fixes tau2 = 0.3132; estimate -0.7145 [-1.0669, -0.3622]
    (metafor rma.uni documentation example)."""
    r = meta_analysis(*_bcg("risk_ratio"))
    assert r.method == "REML"
    assert r.i2 / 100 == pytest.approx(0.9222139, abs=1e-6)
    assert r.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert r.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.0669, -0.3622), abs=5e-5)


def test_risk_difference_dl_truncates_tau2_at_zero_as_metafor():
    """Same metafor file, RD with DL: -0.0071 [-0.0101, -0.0040], tau2 0.0000, I2 95.6596."""
    r = meta_analysis(*_bcg("risk_difference"), method="DL")
    assert r.estimate == pytest.approx(-0.0071, abs=5e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-0.0101, -0.0040), abs=5e-5)
    assert r.i2 == pytest.approx(95.6596, abs=5e-3)


def test_mantel_haenszel_matches_r_mantelhaen_test():
    """R mantelhaen.test(UCBAdmissions): common OR 0.9047 [0.7719, 1.0603]; X2 = 1.5246
    without continuity correction (1.4269 with it, p 0.2323)."""
    r = mantel_haenszel(UCB)
    assert r["or"] == pytest.approx(0.9047, abs=5e-5)
    assert (r["or_low"], r["or_high"]) == pytest.approx((0.7719, 1.0603), abs=5e-5)
    assert r["cmh"] == pytest.approx(1.5246, abs=5e-5)


def test_mantel_haenszel_risk_ratio_matches_metafor_rma_mh():
    """metafor test_misc_metan_vs_rma.mh_with_dat.bcg.r: MH log RR -0.4537 [-0.5308, -0.3766]."""
    r = mantel_haenszel([[[a, b], [c, d]] for a, b, c, d in BCG])
    assert np.log(r["rr"]) == pytest.approx(-0.4537, abs=5e-5)
    assert np.log(r["rr_low"]) == pytest.approx(-0.5308, abs=5e-5)
    assert np.log(r["rr_high"]) == pytest.approx(-0.3766, abs=5e-5)
    assert np.log(r["or"]) == pytest.approx(-0.4734, abs=5e-5)


def test_cmh_mean_score_one_stratum_is_n_minus_one_r_squared():
    """Landis, Heyman & Koch (1978): with one stratum the mean-score statistic is (n-1)r^2."""
    rng = np.random.default_rng(3)
    group = rng.integers(0, 2, 80)
    score = rng.integers(1, 6, 80) + group
    table = [[int(((group == g) & (score == s)).sum()) for s in range(1, 7)] for g in (0, 1)]
    statistic, _ = cmh_mean_score([(table, list(range(1, 7)))])
    r = np.corrcoef(group, score)[0, 1]
    assert statistic == pytest.approx((len(group) - 1) * r**2, rel=1e-10)


def test_one_and_two_cities_are_said_plainly():
    one = meta_analysis([0.2], [0.01])
    assert one.k == 1 and "one city" in one.note and np.isnan(one.tau2)
    two = meta_analysis([0.2, 0.4], [0.01, 0.02])
    assert "only two cities" in two.note and np.isnan(two.pi_low)
