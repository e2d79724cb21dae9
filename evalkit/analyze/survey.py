"""Complex sample designs: strata, clusters (PSUs) and finite population corrections.

:class:`SampleDesign` holds a one-stage stratified cluster design as R's ``svydesign(id=,
strata=, weights=, fpc=)`` describes it, and :meth:`SampleDesign.cov` is the Taylor
linearised (with-replacement at the PSU level, with the finite population correction of each
stratum) covariance of estimated totals, R's ``svyrecvar``: the influence values of each row
are summed to PSU totals, centred on their stratum's mean, and

``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - zbar_h)(z_hj - zbar_h)'``

with ``n_h`` the PSUs of stratum h and ``f_h = n_h / N_h``. Domain estimates (groups) keep
every row of the design (influence 0 outside the domain), as R ``svyby`` does, so PSUs
without a member of the group still count. The design's degrees of freedom are PSUs minus
strata (R ``degf``); t tests use ``degf - 1`` and Wald F tests ``degf + 1 - k`` (R
``svyglm``'s residual df).

A stratum with a single PSU has no within-stratum variance. What then happens is R's
``options(survey.lonely.psu=)``: ``"fail"`` (R's default, and evalkit's: an error that says
how to choose another), ``"remove"`` and ``"certainty"`` (the stratum adds nothing),
``"adjust"`` (its PSU is centred at the grand mean, zero for a mean's influence), and
``"average"`` (the variance of the other strata is scaled up by strata / strata with two or
more PSUs).

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, chapters 2-3.
Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed. Springer, chapter 6.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evalkit.analyze import _dist
from evalkit.analyze._common import Estimate, TestResult
from evalkit.errors import DataError, Location, UsageError

LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a column's distinct values (-1 missing) and the values in order."""
    codes, uniques = pd.factorize(values.astype("string"), sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


@dataclass(frozen=True)
class SampleDesign:
    """A one-stage stratified cluster design over the rows of a frame.

    Attributes
    ----------
    psu
        Per row, its PSU's code 0..m-1 (unique across strata; a row is its own PSU when no
        cluster is declared), -1 for a row outside the design (no weight).
    psu_stratum
        Per PSU, its stratum's code 0..H-1.
    n_psu
        Per stratum, its number of sampled PSUs.
    keep
        Per stratum, ``1 - f_h`` (1 without a finite population correction).
    lonely_psu
        What a stratum with one PSU contributes (module docstring).
    stage2
        A second stage (R ``svydesign(id=~psu+ssu, fpc=~N1+N2)``): its "strata" are this
        design's PSUs, its "PSUs" the sampled secondary units, and its ``keep`` is
        ``(1 - f2_i) f1_h``, so that :meth:`cov` adds R's within-PSU variance, scaled by the
        first-stage sampling fraction. None: with replacement at the first stage (the
        ultimate-cluster variance).
    """

    psu: np.ndarray
    psu_stratum: np.ndarray
    n_psu: np.ndarray
    keep: np.ndarray
    lonely_psu: str = "fail"
    stage2: SampleDesign | None = None

    @property
    def degf(self) -> float:
        """Design degrees of freedom, PSUs minus strata (R ``degf``)."""
        return float(len(self.psu_stratum) - len(self.n_psu))

    def degf_within(self, rows: np.ndarray) -> float:
        """The df of the design restricted to ``rows`` (a boolean mask): PSUs with a row in it
        minus their strata, as R's ``degf`` of a subset (weights 0 outside)."""
        psu = np.unique(self.psu[np.asarray(rows, dtype=bool) & (self.psu >= 0)])
        return float(len(psu) - len(np.unique(self.psu_stratum[psu])))

    @property
    def n_strata(self) -> int:
        """Number of strata."""
        return len(self.n_psu)

    def cov(self, z: np.ndarray) -> np.ndarray:
        """Linearised covariance of the totals of the columns of ``z`` (n rows x p).

        ``z`` holds each row's influence value (0 for rows outside a domain); the result is
        R's ``svyrecvar(z, clusters, strata, fpc)`` for a one-stage design.
        """
        z = np.asarray(z, dtype=float)
        if z.ndim == 1:
            z = z[:, None]
        m, h = len(self.psu_stratum), len(self.n_psu)
        p = z.shape[1]
        z_all, inside = z, self.psu >= 0
        psu, z = self.psu[inside], z[inside]
        totals = np.column_stack([np.bincount(psu, weights=z[:, j], minlength=m) for j in range(p)])
        nh = self.n_psu.astype(float)
        lonely = nh[self.psu_stratum] < 2
        means = (
            np.column_stack(
                [np.bincount(self.psu_stratum, weights=totals[:, j], minlength=h) for j in range(p)]
            )
            / nh[:, None]
        )
        centred = totals - np.where(
            lonely[:, None] & (self.lonely_psu == "adjust"), 0.0, means[self.psu_stratum]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(nh > 1, nh / (nh - 1), 1.0) * self.keep
        scale_psu = scale[self.psu_stratum]
        if self.lonely_psu in ("remove", "certainty", "average"):
            scale_psu = np.where(lonely, 0.0, scale_psu)
        v = (centred * scale_psu[:, None]).T @ centred
        if self.lonely_psu == "average":
            ok = int(np.sum(nh > 1))
            v = v * (h / ok) if ok else v * np.nan
        if self.stage2 is not None:
            v = v + self.stage2.cov(z_all)
        return v


def sample_design(
    frame: pd.DataFrame,
    weights: np.ndarray,
    strata: str | None = None,
    cluster: str | None = None,
    fpc: str | None = None,
    lonely_psu: str = "fail",
) -> SampleDesign:
    """The :class:`SampleDesign` of ``frame``'s strata, cluster and fpc columns.

    Rows with a missing weight are outside the design (PSU -1). Every other row needs a stratum
    and a cluster value; PSUs are nested in strata (the same cluster code in two strata is
    two PSUs, R's ``nest=TRUE``). ``fpc`` is per stratum either the population number of
    PSUs N_h (> 1) or the sampling fraction (<= 1), as R's ``svydesign(fpc=)``. Two stages
    are named ``cluster="psu/ssu"`` with ``fpc="N1/N2"`` (N2: secondary units in the row's
    PSU); without a second fpc the variance is the ultimate-cluster one, as R's.

    Examples
    --------
    Two strata of two PSUs each; each stratum's PSU totals differ by 2, so each adds
    2 / (2 - 1) * (1 + 1) = 4:

    >>> f = pd.DataFrame({"s": ["a", "a", "b", "b"], "c": [1, 2, 3, 4]})
    >>> d = sample_design(f, np.ones(4), strata="s", cluster="c")
    >>> float(d.cov(np.array([1.0, -1.0, 2.0, 0.0]))[0, 0]), d.degf
    (8.0, 2.0)
    """
    if lonely_psu not in LONELY_PSU:
        raise UsageError(
            f"unknown lonely-PSU rule {lonely_psu!r}",
            hint="use one of " + ", ".join(LONELY_PSU) + " (R options(survey.lonely.psu=))",
        )
    clusters = [c.strip() for c in cluster.split("/")] if cluster else [None]
    fpcs = [f.strip() for f in fpc.split("/")] if fpc else [None]
    if len(clusters) > 2 or len(fpcs) > len(clusters):
        raise UsageError(
            f"--cluster {cluster!r} with --fpc {fpc!r}: at most two stages, one fpc per stage",
            hint="e.g. --cluster district/school --fpc n_districts/n_schools",
        )
    for column in (strata, *clusters, *fpcs):
        if column is not None and column not in frame.columns:
            raise UsageError(
                f"the design column {column!r} is not in the responses",
                hint="name an item of the instrument with --strata, --cluster or --fpc",
            )
    n = len(frame)
    in_design = np.isfinite(weights)
    s_codes = _codes(frame[strata])[0] if strata else np.zeros(n, dtype=np.int64)
    first = _stage(frame, in_design, s_codes, strata, clusters[0], fpcs[0], lonely_psu)
    if len(clusters) < 2 or len(fpcs) < 2:
        return first  # with replacement at the first stage: the ultimate cluster
    second = _stage(frame, in_design, first.psu, clusters[0], clusters[1], fpcs[1], lonely_psu,
                    scale=(1 - first.keep)[first.psu_stratum])  # fmt: skip
    return replace(first, stage2=second)


def _stage(frame, in_design, s_codes, strata, cluster, fpc, lonely_psu, scale=None):
    """One stage: units ``cluster`` (rows when None) nested in ``s_codes`` (per row; at the
    second stage the first stage's PSUs), with ``1 - f`` from ``fpc`` times ``scale``."""
    n = len(frame)
    c_codes = _codes(frame[cluster])[0] if cluster else np.arange(n, dtype=np.int64)
    for column, codes in ((strata, s_codes), (cluster, c_codes)):
        bad = in_design & (codes < 0)
        if column and bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{int(bad.sum())} weighted rows have no value in the design column {column!r}",
                Location(row=row + 1, column=column),
                "give every sampled row its stratum and cluster (or drop the row's weight)",
            )
    # rows outside the design (no weight) get PSU -1: they carry no influence
    pair = pd.MultiIndex.from_arrays([s_codes[in_design], c_codes[in_design]])
    codes, uniques = pd.factorize(pair)
    psu = np.full(n, -1, dtype=np.int64)
    psu[in_design] = codes
    psu_s = np.asarray(uniques.get_level_values(0), dtype=np.int64)
    h = int(s_codes[in_design].max()) + 1 if in_design.any() else 0
    n_psu = np.bincount(psu_s, minlength=h).astype(np.int64)
    keep = np.ones(h)
    if fpc is not None:
        keep = _keep_fraction(frame[fpc], s_codes, in_design, n_psu, fpc)
    if scale is not None:
        keep = keep * scale
    # a stratum sampled completely (keep 0) adds nothing and is no lonely PSU (R onestrat)
    if lonely_psu == "fail" and np.any((n_psu == 1) & (keep > 1e-7)):
        what = f"a stratum of {strata!r} has only one PSU" if scale is None else (
            f"a PSU of {strata!r} has only one sampled unit of {cluster!r}")  # fmt: skip
        raise DataError(
            f"{what}, so its variance cannot be estimated",
            Location(column=strata or cluster),
            "merge it with a similar stratum, or choose --lonely-psu adjust, average, "
            "remove or certainty (R options(survey.lonely.psu=))",
        )
    return SampleDesign(psu, psu_s, n_psu, keep, lonely_psu)


def _keep_fraction(values, s_codes, in_design, n_psu, column: str) -> np.ndarray:
    """Per stratum 1 - f_h from an fpc column (population PSUs N_h, or the fraction f_h)."""
    fpc = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    h = len(n_psu)
    ok = in_design & np.isfinite(fpc)
    if np.any(in_design & ~np.isfinite(fpc)) or np.any(fpc[ok] <= 0):
        raise DataError(
            f"the fpc column {column!r} needs a positive number on every weighted row",
            Location(column=column),
            "give the population size N of the row's stratum (or its sampling fraction)",
        )
    low = np.full(h, np.inf)
    high = np.full(h, -np.inf)
    np.minimum.at(low, s_codes[ok], fpc[ok])
    np.maximum.at(high, s_codes[ok], fpc[ok])
    if np.any(low != high):
        raise DataError(
            f"the fpc column {column!r} varies within a stratum",
            Location(column=column),
            "give one population size per stratum (multi-stage fpc is not supported)",
        )
    fraction = np.where(high <= 1, high, n_psu / high)
    if np.any(fraction > 1 + 1e-12):
        raise DataError(
            f"the fpc column {column!r} is smaller than the PSUs sampled in a stratum",
            Location(column=column),
            "fpc is the population number of PSUs (or the sampling fraction), not the weight",
        )
    return 1.0 - fraction


def weights_from_fpc(frame: pd.DataFrame, strata: str | None, fpc: str) -> np.ndarray:
    """Sampling weights N_h / n_h from an fpc of population sizes (1 / f_h from fractions),
    as R's ``svydesign`` derives them when no weights are given (one-stage designs)."""
    values = pd.to_numeric(frame[fpc], errors="coerce").to_numpy(dtype=float)
    s_codes = _codes(frame[strata])[0] if strata else np.zeros(len(frame), dtype=np.int64)
    n_h = np.bincount(np.where(s_codes >= 0, s_codes, 0))[np.where(s_codes >= 0, s_codes, 0)]
    return np.where(values <= 1, 1 / values, values / n_h)


def domain_means(
    codes: np.ndarray, y: np.ndarray, w: np.ndarray, k: int, design: SampleDesign
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per domain (codes 0..k-1) n, weighted mean, its covariance matrix, deff and effective n.

    As R ``svyby(~y, ~group, design, svymean, deff=TRUE, na.rm=TRUE)``: the influence of row
    i on the mean of domain g is ``w_i (y_i - ybar_g) / W_g`` inside g and 0 elsewhere; the
    k x k covariance of the domain means comes from :meth:`SampleDesign.cov` (domains share
    PSUs, so they are correlated). The design effect is R's: the design variance over that
    of a simple random sample without replacement of the domain's n from its estimated size,
    ``s_w^2 (W_g - n_g) / (W_g n_g)``; effective n is ``n_g / deff``.
    """
    ok = (codes >= 0) & np.isfinite(y) & np.isfinite(w)
    c = np.where(ok, codes, 0)
    ww = np.where(ok, w, 0.0)
    yy = np.where(ok, y, 0.0)
    n = np.bincount(c, weights=ok.astype(float), minlength=k)
    sw = np.bincount(c, weights=ww, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=ww * yy, minlength=k) / sw
        dev = np.where(ok, yy - mean[c], 0.0)
        z = np.zeros((len(y), k))
        z[np.flatnonzero(ok), c[ok]] = (ww * dev / sw[c])[ok]
        cov = design.cov(z)
        s2 = np.bincount(c, weights=ww * dev**2, minlength=k) / sw * n / (n - 1)
        vsrs = s2 * (sw - n) / (sw * n)
        deff = np.diag(cov) / vsrs
        n_eff = n / deff
    return n, mean, cov, deff, n_eff


def design_total(y: np.ndarray, w: np.ndarray, design: SampleDesign) -> tuple[float, float, float]:
    """Weighted total of ``y``, its linearised SE and R's design effect.

    As R ``svytotal(~y, design, deff=TRUE)``: the influence of row i is ``w_i y_i``; the design
    effect compares the variance with that of a simple random sample without replacement of
    the design's n from a population of the summed weights W,
    ``s_w^2 W^2 (W - n) / (W n)``, with ``s_w^2`` the weighted variance of y (divisor n - 1).
    Rows with a missing y or weight are left out of the sums (R ``na.rm=TRUE``).
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ok = np.isfinite(y) & np.isfinite(w) & (design.psu >= 0)
    yy, ww = np.where(ok, y, 0.0), np.where(ok, w, 0.0)
    total = float(np.sum(ww * yy))
    var = float(design.cov(ww * yy)[0, 0])
    n, big_w = float(ok.sum()), float(ww.sum())
    mean = total / big_w
    s2 = float(np.sum(ww * (yy - mean) ** 2 * ok) / big_w * n / (n - 1))
    vsrs = s2 * big_w**2 * (big_w - n) / (big_w * n)
    return total, float(np.sqrt(var)), var / vsrs


def domain_difference(
    codes: np.ndarray, y: np.ndarray, w: np.ndarray, pair: tuple[int, int], design: SampleDesign,
    alpha: float = 0.05,
) -> tuple[TestResult, Estimate]:  # fmt: skip
    """Design-based t test of mean(b) - mean(a) for the domains ``pair = (a, b)`` of ``codes``.

    As R ``svyttest(y ~ g, design)`` (on ``subset(design, g %in% c(a, b))`` when there are
    more domains): the two domain means share the design's PSUs, so the variance of the
    difference is ``V_aa + V_bb - 2 V_ab`` from :func:`domain_means`, and t has the residual
    df of ``svyglm(y ~ g)``: the df of the design restricted to the two domains' answered rows
    (:meth:`SampleDesign.degf_within`) minus 1. The interval uses the same t quantile.
    """
    a, b = pair
    codes = np.asarray(codes, dtype=np.int64)
    y = np.asarray(y, dtype=float)
    two = np.where(codes == a, 0, np.where(codes == b, 1, -1))
    _, mean, cov, _, _ = domain_means(two, y, w, 2, design)
    diff = float(mean[1] - mean[0])
    se = float(np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]))
    answered = (two >= 0) & np.isfinite(y) & np.isfinite(w)
    df = design.degf_within(answered) - 1
    name = "design-based t-test (linearised SE)"
    if not np.isfinite(se) or se == 0 or df < 1:
        nan = float("nan")
        return TestResult(name, nan, nan, nan), Estimate("weighted difference", diff, nan, nan)
    t = diff / se
    q = float(_dist.t.ppf(1 - alpha / 2, df))
    return (
        TestResult(name, t, df, float(2 * _dist.t.sf(abs(t), df))),
        Estimate("weighted difference", diff, diff - q * se, diff + q * se),
    )


def wald_domains(mean: np.ndarray, cov: np.ndarray, df2: float) -> TestResult:
    """Wald F test that k domain means (correlated, covariance ``cov``) are equal: R's
    ``regTermTest(svyglm(y ~ g, design), ~g)``, F = W / (k - 1) on (k - 1, df2) df with
    ``df2`` the model's residual df, the design df + 1 - k."""
    mean, cov = np.asarray(mean, dtype=float), np.asarray(cov, dtype=float)
    ok = np.isfinite(mean) & np.isfinite(np.diag(cov)) & (np.diag(cov) > 0)
    m, v = mean[ok], cov[np.ix_(ok, ok)]
    name = "Wald F test (linearised SE)"
    k = len(m)
    if k < 2 or df2 < 1:
        return TestResult(name, np.nan, float(max(k - 1, 0)), np.nan, df2)
    contrast = np.column_stack([-np.ones(k - 1), np.eye(k - 1)])
    d = contrast @ m
    try:
        w_stat = float(d @ np.linalg.solve(contrast @ v @ contrast.T, d))
    except np.linalg.LinAlgError:
        return TestResult(name, np.nan, float(k - 1), np.nan, df2)
    f = w_stat / (k - 1)
    return TestResult(name, f, float(k - 1), float(_dist.f.sf(f, k - 1, df2)), df2)
