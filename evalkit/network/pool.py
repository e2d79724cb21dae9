"""``evalkit pool``: verify bundles, then pool every outcome for every pair of groups.

For each outcome and pair of modes (``group_a`` compared with ``group_b``):

- binary (yes/no, a selected choice, the top-2-box of a Likert item): per-city risk ratio,
  odds ratio and risk difference; the Mantel–Haenszel OR and RR with the CMH test and the
  Breslow–Day / Tarone tests of homogeneity; a random-effects meta-analysis of each measure;
- ordinal (Likert items): the CMH mean-score test stratified by city and the pooled
  standardised mean difference (Hedges' g of the level scores);
- numeric (counts, NPS, scale scores): mean difference and Hedges' g per city, pooled.

Ratios are reported as ratios (``estimate``, ``ci_low``... exponentiated) while ``se``,
``tau2`` and the meta-analysis run on the log scale. See :data:`POOLED_COLUMNS` and
:data:`CITY_COLUMNS` for the fixed columns.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit._version import __version__
from evalkit.errors import DataError, Location, UsageError
from evalkit.network.bundle import Bundle, read_bundle
from evalkit.network.effects import (
    cmh_mean_score,
    hedges_g,
    mantel_haenszel,
    mean_difference,
    score_moments,
    two_by_two,
)
from evalkit.network.meta import heterogeneity_words, meta_analysis

POOLED_COLUMNS = [
    "outcome", "outcome_type", "group_a", "group_b", "measure", "k", "estimate", "se",
    "ci_low", "ci_high", "tau2", "i2", "h2", "q", "q_df", "q_p", "pi_low", "pi_high",
    "fe_estimate", "fe_ci_low", "fe_ci_high", "method", "test", "statistic", "p_value",
    "homogeneity_test", "homogeneity_statistic", "homogeneity_p", "heterogeneity", "note",
]  # fmt: skip
CITY_COLUMNS = [
    "outcome", "outcome_type", "group_a", "group_b", "measure", "city", "period", "n_a",
    "n_b", "estimate", "se", "ci_low", "ci_high",
]  # fmt: skip
BUNDLE_COLUMNS = [
    "city", "period", "file", "instrument_id", "instrument_version", "wording_hash",
    "responses", "min_cell", "evalkit_version", "created",
]  # fmt: skip
BY_TYPE_COLUMNS = ["engagement_type", *POOLED_COLUMNS]
WITHHELD_COLUMNS = ["city", "period", "table", "outcome", "group", "action", "reason"]
RATIO_MEASURES = ("odds_ratio", "risk_ratio")


@dataclass
class PoolResult:
    """Pooled tables (fixed columns) plus metadata; ``to_dict`` is the JSON output."""

    pooled: pd.DataFrame
    city_effects: pd.DataFrame
    kpis: pd.DataFrame
    bundles: pd.DataFrame
    withheld: pd.DataFrame
    by_type: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BY_TYPE_COLUMNS))
    metadata: dict[str, Any] = field(default_factory=dict)

    TABLES = ("pooled", "city_effects", "kpis", "bundles", "withheld", "by_type")

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        def value(v: Any) -> Any:
            if v is None or v is pd.NA:
                return None
            if hasattr(v, "item") and not isinstance(v, str):
                v = v.item()
            if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                return None
            return v

        tables = {
            name: [
                {k: value(v) for k, v in row.items()} for row in self.table(name).to_dict("records")
            ]
            for name in self.TABLES
        }
        return {"metadata": self.metadata, **tables}


# -- loading and checking ----------------------------------------------------------------


def bundle_paths(sources: Iterable[str | Path]) -> list[str]:
    """Expand folders into their ``*.zip`` files (sorted); keep files as given."""
    out: list[str] = []
    for source in sources:
        p = Path(source)
        if p.is_dir():
            found = sorted(str(f) for f in p.glob("*.zip"))
            if not found:
                raise DataError("the folder holds no bundle (*.zip)", Location(file=str(p)),
                                "give bundle files or a folder of them")  # fmt: skip
            out += found
        else:
            out.append(str(p))
    if not out:
        raise UsageError("no bundles given", hint="evalkit pool BUNDLE.zip ... or a folder")
    return out


def load_bundles(sources: Iterable[str | Path]) -> list[Bundle]:
    """Read and verify every bundle; refuse duplicates and mixed instruments."""
    bundles = [read_bundle(p) for p in bundle_paths(sources)]
    seen: dict[tuple[str, str], str] = {}
    for b in bundles:
        key = (b.city.casefold(), b.period)
        if key in seen:
            raise DataError(
                f"two bundles of {b.city}, period {b.period} (the other is {seen[key]})",
                Location(file=b.path),
                "keep one bundle per city and period (the newer one)",
            )
        seen[key] = b.path
    first = bundles[0]
    for b in bundles[1:]:
        for key, what in (
            ("instrument_id", "instrument"),
            ("instrument_major", "instrument major version"),
            ("wording_hash", "instrument wording"),
        ):
            if str(b.meta.get(key)) != str(first.meta.get(key)):
                raise DataError(
                    f"{what} differs from {first.path} ({b.meta.get(key)} vs "
                    f"{first.meta.get(key)}): the questions are not the same, so the "
                    "results are not pooled together",
                    Location(file=b.path),
                    "pool bundles of one instrument version at a time",
                )
    return bundles


# -- pairs -------------------------------------------------------------------------------


def _pairs(bundles: list[Bundle]) -> list[tuple[str, str]]:
    order: list[str] = []
    for b in bundles:
        for g in b.meta.get("groups", []):
            if g not in order:
                order.append(g)
    return list(itertools.combinations(order, 2))


def _ci(est: float, se: float, ratio: bool) -> tuple[float, float, float]:
    z = 1.959963984540054
    low, high = est - z * se, est + z * se
    if ratio:
        return math.exp(est), math.exp(low), math.exp(high)
    return est, low, high


@dataclass
class _Counts:
    """One city's count table of one outcome: bins (merged levels), scores, rows by group."""

    outcome_type: str
    bins: list[list[str]]
    scores: np.ndarray
    rows: dict[str, np.ndarray]

    @property
    def levels(self) -> list[str]:
        return [v for b in self.bins for v in b]


def _count_tables(table: pd.DataFrame) -> dict[str, _Counts]:
    """A counts table (one stratum) as plain arrays by outcome."""
    counts: dict[str, _Counts] = {}
    c = table.sort_values(["outcome", "group", "level_order"], kind="stable")
    for outcome, block in c.groupby("outcome", sort=False):
        bins_frame = block.drop_duplicates("level_order").sort_values("level_order")
        rows = {
            str(g): sub["count"].to_numpy(dtype=float)
            for g, sub in block.groupby("group", sort=False)
        }
        counts[str(outcome)] = _Counts(
            str(block["outcome_type"].iloc[0]),
            [str(v).split("|") for v in bins_frame["level"]],
            bins_frame["score"].to_numpy(dtype=float),
            rows,
        )
    return counts


def _index(bundle: Bundle) -> tuple[dict[str, _Counts], dict[str, dict[str, tuple]]]:
    """The bundle's tables as plain arrays by outcome (pandas once, not per pair)."""
    counts = _count_tables(bundle.tables["counts"])
    moments: dict[str, dict[str, tuple]] = {}
    for row in bundle.tables["moments"].itertuples(index=False):
        moments.setdefault(str(row.outcome), {})[str(row.group)] = (
            float(row.n), float(row.mean), float(row.variance))  # fmt: skip
    return counts, moments


def _top_bins(table: _Counts) -> list[int] | None:
    """The bins that make the binary 'yes', or None when the bins do not separate it."""
    levels = table.levels
    if table.outcome_type == "ordinal":
        top = set(levels[-2:]) if len(levels) > 2 else {levels[-1]}
    elif table.outcome_type == "binary":
        top = {"selected"}
    else:
        top = {"yes"} if "yes" in levels else {levels[0]}
    chosen = [i for i, b in enumerate(table.bins) if set(b) <= top]
    covered = {v for i in chosen for v in table.bins[i]}
    return chosen if covered == top else None


def _meta_row(base: dict[str, Any], measure: str, ys: list[float], vs: list[float],
              method: str, hk: bool) -> dict[str, Any]:  # fmt: skip
    r = meta_analysis(ys, vs, method=method, hartung_knapp=hk)
    ratio = measure in RATIO_MEASURES

    def t(x: float) -> float:
        return math.exp(x) if ratio and not math.isnan(x) else x

    return {
        **base, "measure": measure, "k": r.k, "estimate": t(r.estimate), "se": r.se,
        "ci_low": t(r.ci_low), "ci_high": t(r.ci_high), "tau2": r.tau2, "i2": r.i2, "h2": r.h2,
        "q": r.q, "q_df": r.q_df, "q_p": r.q_p, "pi_low": t(r.pi_low), "pi_high": t(r.pi_high),
        "fe_estimate": t(r.fe_estimate), "fe_ci_low": t(r.fe_ci_low),
        "fe_ci_high": t(r.fe_ci_high),
        "method": f"random effects ({method}{', Hartung-Knapp' if hk else ''})",
        "test": "z" if not hk else "t (Hartung-Knapp)", "statistic": r.z, "p_value": r.p_value,
        "heterogeneity": heterogeneity_words(r.i2, r.k, r.q_p),
        "note": r.note or ("fewer than three cities: read with care" if r.k < 3 else ""),
    }  # fmt: skip


def _city_row(base: dict[str, Any], measure: str, bundle: Bundle, na: float, nb: float,
              y: float, v: float) -> dict[str, Any]:  # fmt: skip
    est, low, high = _ci(y, math.sqrt(v), measure in RATIO_MEASURES)
    return {**base, "measure": measure, "city": bundle.city, "period": bundle.period,
            "n_a": int(na), "n_b": int(nb), "estimate": est, "se": math.sqrt(v),
            "ci_low": low, "ci_high": high}  # fmt: skip


def _binary(outcome: str, per_city: list[tuple[Bundle, _Counts]], a: str, b: str,
            method: str, hk: bool) -> tuple[list[dict], list[dict]]:  # fmt: skip
    base = {"outcome": outcome, "outcome_type": "binary", "group_a": a, "group_b": b}
    tables, city_rows = [], []
    effects: dict[str, tuple[list[float], list[float]]] = {
        m: ([], []) for m in ("odds_ratio", "risk_ratio", "risk_difference")
    }
    for bundle, table in per_city:
        top = _top_bins(table)
        row_a, row_b = table.rows.get(a), table.rows.get(b)
        if top is None or row_a is None or row_b is None:
            continue
        na, nb = float(row_a.sum()), float(row_b.sum())
        if na == 0 or nb == 0:
            continue
        ya, yb = float(row_a[top].sum()), float(row_b[top].sum())
        two = [[ya, na - ya], [yb, nb - yb]]
        tables.append(two)
        for measure, (y, v) in two_by_two(two).items():
            effects[measure][0].append(y)
            effects[measure][1].append(v)
            city_rows.append(_city_row(base, measure, bundle, na, nb, y, v))
    if not tables:
        return [], []
    rows = []
    informative = [t for t in tables if (t[0][0] + t[1][0]) > 0 and (t[0][1] + t[1][1]) > 0]
    if informative:
        mh = mantel_haenszel(informative)
        common = {
            **base, "k": len(informative), "method": "Mantel-Haenszel (fixed effect)",
            "test": "Cochran-Mantel-Haenszel (no continuity correction)", "statistic": mh["cmh"],
            "p_value": mh["cmh_p"], "homogeneity_test": "Breslow-Day",
            "homogeneity_statistic": mh["breslow_day"], "homogeneity_p": mh["breslow_day_p"],
            "note": f"Tarone-adjusted Breslow-Day {mh['tarone']:.3f}, p = {mh['tarone_p']:.3g}",
        }  # fmt: skip
        for measure, key in (("odds_ratio", "or"), ("risk_ratio", "rr")):
            rows.append({**common, "measure": measure, "estimate": mh[key],
                         "se": mh[f"log_{key}_se"], "ci_low": mh[f"{key}_low"],
                         "ci_high": mh[f"{key}_high"]})  # fmt: skip
    for measure, (ys, vs) in effects.items():
        rows.append(_meta_row(base, measure, ys, vs, method, hk))
    return rows, city_rows


def _ordinal(outcome: str, per_city: list[tuple[Bundle, _Counts]], a: str, b: str,
             method: str, hk: bool) -> tuple[list[dict], list[dict]]:  # fmt: skip
    base = {"outcome": outcome, "outcome_type": "ordinal", "group_a": a, "group_b": b}
    strata, ys, vs, city_rows = [], [], [], []
    for bundle, table in per_city:
        ca, cb = table.rows.get(a), table.rows.get(b)
        if ca is None or cb is None:
            continue
        strata.append(([ca, cb], table.scores))
        na, ma, va = score_moments(ca, table.scores)
        nb, mb, vb = score_moments(cb, table.scores)
        if na < 2 or nb < 2 or not (va > 0 or vb > 0):
            continue
        g, v = hedges_g(na, ma, va, nb, mb, vb)
        ys.append(g)
        vs.append(v)
        city_rows.append(_city_row(base, "smd", bundle, na, nb, g, v))
    if not strata:
        return [], []
    statistic, p = cmh_mean_score(strata)
    row = _meta_row(base, "smd", ys, vs, method, hk)
    row.update(test="CMH mean-score (level scores), stratified by city", statistic=statistic,
               p_value=p)  # fmt: skip
    return [row], city_rows


def _numeric(outcome: str, outcome_type: str, per_city: list[tuple[Bundle, dict]], a: str,
             b: str, method: str, hk: bool) -> tuple[list[dict], list[dict]]:  # fmt: skip
    base = {"outcome": outcome, "outcome_type": outcome_type, "group_a": a, "group_b": b}
    effects: dict[str, tuple[list[float], list[float]]] = {
        "mean_difference": ([], []), "hedges_g": ([], [])
    }  # fmt: skip
    city_rows = []
    for bundle, groups in per_city:
        if a not in groups or b not in groups:
            continue
        args = (*groups[a], *groups[b])
        if not all(math.isfinite(x) for x in args) or (args[2] == 0 and args[5] == 0):
            continue
        for measure, fn in (("mean_difference", mean_difference), ("hedges_g", hedges_g)):
            y, v = fn(*args)
            effects[measure][0].append(y)
            effects[measure][1].append(v)
            city_rows.append(_city_row(base, measure, bundle, args[0], args[3], y, v))
    if not city_rows:
        return [], []
    return [_meta_row(base, m, ys, vs, method, hk) for m, (ys, vs) in effects.items()], city_rows


# -- the whole pool ------------------------------------------------------------------------


def pool_bundles(
    bundles: list[Bundle],
    outcome: str | None = None,
    method: str = "REML",
    hartung_knapp: bool = False,
) -> PoolResult:
    """Pool verified bundles (from :func:`load_bundles`).

    Parameters
    ----------
    outcome
        Only this outcome (item id, ``item__choice`` or scale id); all when None.
    method
        τ² estimator of the random-effects rows: ``"REML"`` (default) or ``"DL"``.
    hartung_knapp
        Hartung–Knapp standard errors and t intervals for the random-effects rows.

    Returns
    -------
    PoolResult
        ``pooled`` (:data:`POOLED_COLUMNS`), ``city_effects`` (:data:`CITY_COLUMNS`),
        ``kpis`` (network KPIs with funnel limits, see :mod:`evalkit.network.funnel`),
        ``bundles`` and ``withheld`` (each city's disclosure log).
    """
    from evalkit.network.funnel import network_kpis

    indexed = [(bdl, *_index(bdl)) for bdl in bundles]
    outcomes: dict[str, str] = {}
    for _, counts, _moments in indexed:
        for name, table in counts.items():
            outcomes.setdefault(name, table.outcome_type)
    for bdl in bundles:
        m = bdl.tables["moments"]
        for o, kind in zip(m["outcome"], m["outcome_type"], strict=True):
            outcomes.setdefault(str(o), str(kind))
    if outcome is not None:
        if outcome not in outcomes:
            known = ", ".join(sorted(outcomes)) or "none"
            raise UsageError(f"no bundle has the outcome {outcome!r}", hint=f"known: {known}")
        outcomes = {outcome: outcomes[outcome]}
    pooled: list[dict] = []
    cities: list[dict] = []
    for (a, b), (name, kind) in itertools.product(_pairs(bundles), outcomes.items()):
        if kind in ("numeric", "scale"):
            per_m = [(bdl, mo[name]) for bdl, _, mo in indexed if name in mo]
            rows, crow = _numeric(name, kind, per_m, a, b, method, hartung_knapp)
        else:
            per_c = [(bdl, co[name]) for bdl, co, _ in indexed if name in co]
            rows, crow = _binary(name, per_c, a, b, method, hartung_knapp)
            if kind == "ordinal":
                more, mcrow = _ordinal(name, per_c, a, b, method, hartung_knapp)
                rows, crow = rows + more, crow + mcrow
        pooled += rows
        cities += crow
    withheld = [
        {"city": bdl.city, "period": bdl.period, **row}
        for bdl in bundles
        for row in bdl.tables["disclosure_log"].to_dict("records")
    ]
    info = [
        {"file": Path(bdl.path).name, **{k: bdl.meta.get(k) for k in BUNDLE_COLUMNS if k != "file"}}
        for bdl in bundles
    ]
    first = bundles[0].meta
    metadata = {
        "evalkit_version": __version__, "cities": len(bundles),
        "periods": sorted({bdl.period for bdl in bundles}),
        "instrument_id": first.get("instrument_id"),
        "instrument_version": first.get("instrument_version"),
        "wording_hash": first.get("wording_hash"), "method": method,
        "hartung_knapp": hartung_knapp, "alpha": 0.05,
        "outcome": outcome,
    }  # fmt: skip
    return PoolResult(
        pd.DataFrame(pooled).reindex(columns=POOLED_COLUMNS),
        pd.DataFrame(cities).reindex(columns=CITY_COLUMNS),
        network_kpis(bundles),
        pd.DataFrame(info).reindex(columns=BUNDLE_COLUMNS),
        pd.DataFrame(withheld).reindex(columns=WITHHELD_COLUMNS),
        pool_by_type(bundles, outcome, method, hartung_knapp),
        metadata,
    )


def pool_by_type(bundles: list[Bundle], outcome: str | None = None, method: str = "REML",
                 hartung_knapp: bool = False) -> pd.DataFrame:  # fmt: skip
    """The binary comparisons of :func:`pool_bundles` within each type of engagement.

    Every count outcome's yes (top-2-box, selected choice) is pooled over the cities whose
    bundle splits it by type (table ``counts_by_type``); the residual ``other`` (unknown,
    other and small types) is not a type and is not pooled. Columns :data:`BY_TYPE_COLUMNS`.
    """
    from evalkit.network.by_type import RESIDUAL

    strata: dict[str, list[tuple[Bundle, dict[str, _Counts]]]] = {}
    for bdl in bundles:
        table = bdl.tables.get("counts_by_type")
        if table is None or len(table) == 0:
            continue
        for kind, block in table.groupby("engagement_type", sort=True):
            if str(kind) != RESIDUAL:
                strata.setdefault(str(kind), []).append((bdl, _count_tables(block)))
    rows: list[dict] = []
    for kind, per_bundle in strata.items():
        names = {n for _, counts in per_bundle for n in counts}
        for (a, b), name in itertools.product(_pairs(bundles), sorted(names)):
            if outcome is not None and name != outcome:
                continue
            per_c = [(bdl, counts[name]) for bdl, counts in per_bundle if name in counts]
            found, _ = _binary(name, per_c, a, b, method, hartung_knapp)
            rows += [{"engagement_type": kind, **row} for row in found]
    return pd.DataFrame(rows).reindex(columns=BY_TYPE_COLUMNS)


def pool(sources: Iterable[str | Path], outcome: str | None = None, method: str = "REML",
         hartung_knapp: bool = False) -> PoolResult:  # fmt: skip
    """Verify the bundles (files or folders of ``*.zip``) and pool them."""
    return pool_bundles(load_bundles(sources), outcome, method, hartung_knapp)


def write_parquet(result: PoolResult, directory: str | Path) -> list[Path]:
    """Write each pooled table as ``<name>.parquet`` (atomically) for DuckDB and friends."""
    from evalkit.io import atomic_path

    out = []
    for name in result.TABLES:
        path = Path(directory) / f"{name}.parquet"
        with atomic_path(path) as tmp:
            result.table(name).to_parquet(tmp, index=False)
        out.append(path)
    return out
