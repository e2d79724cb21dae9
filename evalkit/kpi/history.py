"""Every KPI over every period in the workspace up to the report's period, with a trend test.

:func:`kpi_history` computes the catalogue for each stored period (the same rules as
:func:`evalkit.kpi.compute.compute_kpis`: KPIs on fewer than ``min_cell`` respondents are
suppressed, and a suppressed value never enters a trend), and :func:`kpi_trends` tests each
KPI's change over three or more periods:

- proportions: the Cochran-Armitage test for a linear trend (R ``prop.trend.test``) on the
  periods' counts;
- means, indices, ratios and other estimates with a standard error: the inverse-variance
  weighted least-squares slope of the values on the period (a fixed-effect meta-regression:
  each period's estimate counts by its precision) with a z test;
- counts (census figures, no sampling error): the change per period, no test.

Periods are scored by their year when every period is a year (2022, 2024, 2026 keeps the
gaps), else 1, 2, 3 ... in order. The slope is per year (or per period).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.analyze.analysers.trend import period_scores
from evalkit.analyze.trend import cochran_armitage
from evalkit.kpi.catalogue import Catalogue, Kpi
from evalkit.kpi.compute import NotComputedError, Value, _Evaluator, _Frames, _status

HISTORY_COLUMNS = [
    "kpi_id", "code", "title", "kind", "unit", "direction", "period", "value", "ci_low",
    "ci_high", "n", "target", "status", "reason",
]  # fmt: skip
TREND_COLUMNS = [
    "kpi_id", "code", "periods", "first_period", "last_period", "first_value", "last_value",
    "slope", "slope_ci_low", "slope_ci_high", "test", "statistic", "p_value", "trend", "note",
]  # fmt: skip
MIN_PERIODS = 3


@dataclass
class KpiHistory:
    """``history`` (one row per KPI and period) and ``trends`` (one row per KPI)."""

    history: pd.DataFrame
    trends: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"history": [...], "trends": [...], "metadata": {...}}`` (JSON-ready)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            clean = frame.astype(object).where(frame.notna(), None)
            return [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in clean.to_dict("records")
            ]

        return {"history": records(self.history), "trends": records(self.trends),
                "metadata": self.metadata}  # fmt: skip

    def write_csv(self, directory: str) -> list[Any]:
        """Write kpi_history.csv and kpi_trends.csv (atomically, formula-neutralised)."""
        from pathlib import Path

        from evalkit.io import write_csv_atomic

        out = Path(directory)
        return [
            write_csv_atomic(self.history, out / "kpi_history.csv"),
            write_csv_atomic(self.trends, out / "kpi_trends.csv"),
        ]


def stored_periods(workspace: str, up_to: str | None = None) -> list[str]:
    """The periods the workspace holds responses for, in order, up to ``up_to`` (all: None)."""
    from evalkit.store import workspace_status

    status = workspace_status(workspace)
    periods = sorted({str(p) for p in status["period"].dropna()} - {"-"})
    return [p for p in periods if up_to is None or p <= str(up_to)]


def _row(kpi: Kpi, period: str, value: Value | None, reason: str | None,
         suppressed: bool) -> dict[str, Any]:  # fmt: skip
    row: dict[str, Any] = {
        "kpi_id": kpi.id, "code": kpi.code, "title": kpi.title, "kind": kpi.kind,
        "unit": kpi.unit, "direction": kpi.direction, "period": period, "target": kpi.target,
        "n": 0 if value is None else value.n, "reason": reason,
    }  # fmt: skip
    if value is None:
        return {**row, "status": "not computed"}
    if suppressed:  # the size of a small group is itself what suppression protects
        return {**row, "status": "suppressed", "n": None}
    return {**row, "value": value.value, "ci_low": value.ci_low, "ci_high": value.ci_high,
            "status": _status(kpi, value)}  # fmt: skip


def kpi_history(
    frames_by_period: Mapping[str, Mapping[str, pd.DataFrame]],
    catalogue: Catalogue,
    population: Mapping[str, float] | None = None,
    min_cell: int = 10,
    alpha: float = 0.05,
    seed: int = 0,
) -> KpiHistory:
    """Every KPI of ``catalogue`` in every period of ``frames_by_period`` (in its order).

    Parameters
    ----------
    frames_by_period
        ``{period: {instrument id: canonical frame}}``, oldest period first.

    Returns
    -------
    KpiHistory
        ``history`` with :data:`HISTORY_COLUMNS`, ``trends`` with :data:`TREND_COLUMNS`.

    Examples
    --------
    >>> from evalkit.kpi import load_catalogue
    >>> frames = {p: {} for p in ("2024", "2025", "2026")}
    >>> out = kpi_history(frames, load_catalogue())
    >>> sorted(set(out.history["status"]))
    ['not computed']
    """
    rows: list[dict[str, Any]] = []
    values: dict[str, list[tuple[str, Value]]] = {}
    for period, frames in frames_by_period.items():
        evaluator = _Evaluator(_Frames(frames, period), population, alpha, seed)
        for kpi in catalogue.kpis:
            try:
                value = evaluator.value(kpi)
            except NotComputedError as exc:
                rows.append(_row(kpi, period, None, str(exc), False))
                continue
            small = value.n < min_cell and kpi.kind != "count" and not kpi.output
            reason = f"fewer than {min_cell} respondents" if small else None
            rows.append(_row(kpi, period, value, reason, small))
            if not small:
                values.setdefault(kpi.id, []).append((period, value))
    history = pd.DataFrame(rows).reindex(columns=HISTORY_COLUMNS)
    trends = [kpi_trend(kpi, values.get(kpi.id, []), alpha) for kpi in catalogue.kpis]
    trends_frame = pd.DataFrame([t for t in trends if t]).reindex(columns=TREND_COLUMNS)
    metadata = {"periods": list(frames_by_period), "min_cell": min_cell, "alpha": alpha}
    return KpiHistory(history, trends_frame, metadata)


def weighted_slope(
    values: Any, ses: Any, scores: Any, alpha: float = 0.05
) -> tuple[float, float, float, float, float]:
    """Inverse-variance weighted least-squares slope of ``values`` on ``scores``.

    Returns ``(slope, ci_low, ci_high, z, p)``: the fixed-effect meta-regression slope with
    its Wald interval and two-sided z test (NaN when fewer than two periods have an SE).

    Examples
    --------
    >>> slope, low, high, z, p = weighted_slope([1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [1, 2, 3])
    >>> round(slope, 6), round(z, 4)  # SE = 0.5 / sqrt(2) = 0.3536
    (1.0, 2.8284)
    """
    y, se, x = (np.asarray(a, dtype=float) for a in (values, ses, scores))
    ok = np.isfinite(y) & np.isfinite(se) & (se > 0) & np.isfinite(x)
    y, se, x = y[ok], se[ok], x[ok]
    nan = float("nan")
    if len(y) < 2:
        return nan, nan, nan, nan, nan
    w = 1 / se**2
    xbar = (w * x).sum() / w.sum()
    sxx = (w * (x - xbar) ** 2).sum()
    if not sxx > 0:
        return nan, nan, nan, nan, nan
    slope = float((w * (x - xbar) * y).sum() / sxx)
    slope_se = float(1 / np.sqrt(sxx))
    z = slope / slope_se
    half = float(stats.norm.ppf(1 - alpha / 2)) * slope_se
    return slope, slope - half, slope + half, z, float(2 * stats.norm.sf(abs(z)))


def kpi_trend(kpi: Kpi, series: list[tuple[str, Value]], alpha: float = 0.05) -> dict | None:
    """The trend row of one KPI from its (period, value) pairs; None with no value at all."""
    if not series:
        return None
    periods = [p for p, _ in series]
    vals = [v for _, v in series]
    scores = period_scores(periods)
    row: dict[str, Any] = {
        "kpi_id": kpi.id, "code": kpi.code, "periods": len(series),
        "first_period": periods[0], "last_period": periods[-1],
        "first_value": vals[0].value, "last_value": vals[-1].value,
    }  # fmt: skip
    if len(series) < MIN_PERIODS:
        return {**row, "note": f"fewer than {MIN_PERIODS} periods: no trend test"}
    y = np.array([v.value for v in vals])
    if kpi.kind == "count":
        x = scores - scores.mean()
        slope = float((x * (y - y.mean())).sum() / (x**2).sum())
        return {**row, "slope": slope, "trend": _direction(slope, None),
                "note": "census counts: no sampling error, no test"}  # fmt: skip
    slope, low, high, z, p = weighted_slope(y, [v.se for v in vals], scores, alpha)
    row.update(slope=slope, slope_ci_low=low, slope_ci_high=high)
    if all(v.counts for v in vals):
        hits = [v.counts[0] for v in vals]  # type: ignore[index]
        totals = [v.counts[1] for v in vals]  # type: ignore[index]
        statistic, p = cochran_armitage(hits, totals, scores)
        return {**row, "test": "Cochran-Armitage trend test", "statistic": statistic,
                "p_value": p, "trend": _direction(slope, p, alpha)}  # fmt: skip
    if not np.isfinite(z):
        return {**row, "note": "no standard error in some period: no test"}
    return {**row, "test": "inverse-variance weighted slope (z)", "statistic": z,
            "p_value": p, "trend": _direction(slope, p, alpha)}  # fmt: skip


def _direction(slope: float, p: float | None, alpha: float = 0.05) -> str:
    if p is not None and not (np.isfinite(p) and p < alpha):
        return "flat"
    if not np.isfinite(slope) or abs(slope) < 1e-12:
        return "flat"
    return "up" if slope > 0 else "down"


def kpi_history_from_workspace(
    workspace: str,
    period: str,
    catalogue: Catalogue | None = None,
    population: Mapping[str, float] | None = None,
    min_cell: int = 10,
    alpha: float = 0.05,
    seed: int = 0,
) -> KpiHistory:
    """:func:`kpi_history` over every period the workspace holds up to ``period``."""
    from evalkit.kpi.catalogue import load_catalogue
    from evalkit.kpi.compute import _period_frames

    catalogue = catalogue or load_catalogue()
    sources = {source for kpi in catalogue.kpis for source in kpi.sources}
    frames = {p: _period_frames(workspace, sources, p) for p in stored_periods(workspace, period)}
    out = kpi_history(frames, catalogue, population, min_cell, alpha, seed)
    out.metadata["workspace"] = str(workspace)
    return out
