"""Compute the KPIs of a catalogue from canonical response frames.

The result is two tidy tables with fixed columns (:data:`KPI_COLUMNS`,
:data:`BREAKDOWN_COLUMNS`): every KPI of the catalogue gets a row, with a value or with
``status == "not computed"`` and the ``reason``. Uncertainty: Wilson intervals for
proportions, t intervals for means, Welch for differences, seeded BCa bootstrap for ratios of
totals and totals; counts are census figures without an interval. Changes from the
comparison period use Newcombe's interval for proportions and the normal approximation
from each period's standard error otherwise. Groups smaller than ``min_cell`` are suppressed.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.analyze._common import z_value
from evalkit.analyze.means import welch_t
from evalkit.analyze.proportions import newcombe_diff, wilson_ci
from evalkit.analyze.scoring import scale_scores
from evalkit.instrument.library import load_instrument
from evalkit.instrument.model import Instrument
from evalkit.kpi.catalogue import Catalogue, Condition, Kpi, Side, Term

KPI_COLUMNS = [
    "kpi_id", "code", "title", "kind", "unit", "direction", "output", "period", "value",
    "ci_low", "ci_high", "n", "target", "status", "compare_period", "compare_value", "change",
    "change_ci_low", "change_ci_high", "trend", "reason", "concern", "source",
]  # fmt: skip
BREAKDOWN_COLUMNS = [
    "kpi_id", "code", "period", "group_var", "group", "value", "ci_low", "ci_high", "n",
    "suppressed",
]  # fmt: skip


@dataclass(frozen=True)
class Value:
    """One KPI value with its interval, sample size and standard error (for changes)."""

    value: float
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    n: int = 0
    se: float = float("nan")
    counts: tuple[int, int] | None = None  # (successes, n) for proportions


class NotComputedError(Exception):
    """A KPI that cannot be computed, with the reason shown to the reader."""


@dataclass
class KpiResult:
    """The KPI table and the breakdown table (both tidy, fixed columns) plus metadata."""

    kpis: pd.DataFrame
    breakdown: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def published(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The two tables as written out: ``n`` is blank where a KPI or a group is suppressed
        (the size of a small group is itself what suppression protects)."""
        kpis = self.kpis.copy()
        kpis["n"] = kpis["n"].astype("Int64").mask(kpis["status"] == "suppressed")
        breakdown = self.breakdown.copy()
        hidden = breakdown["suppressed"].fillna(False).astype(bool)
        breakdown["n"] = breakdown["n"].astype("Int64").mask(hidden)
        return kpis, breakdown

    def to_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
            ]

        kpis, breakdown = self.published()
        return {
            "kpis": records(kpis),
            "kpi_breakdown": records(breakdown),
            "metadata": self.metadata,
        }

    def write_csv(self, directory: str) -> list[Any]:
        """Write kpis.csv and kpi_breakdown.csv (atomically, formula-neutralised)."""
        from pathlib import Path

        from evalkit.io import write_csv_atomic

        out = Path(directory)
        kpis, breakdown = self.published()
        return [
            write_csv_atomic(kpis, out / "kpis.csv"),
            write_csv_atomic(breakdown, out / "kpi_breakdown.csv"),
        ]


class _Frames:
    """Canonical frames of one period, by instrument id, with derived scale scores."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], period: str | None) -> None:
        self.frames = frames
        self.period = period
        self._scored: dict[str, pd.DataFrame] = {}

    def get(self, instrument_id: str) -> tuple[pd.DataFrame, Instrument]:
        frame = self.frames.get(instrument_id)
        if frame is None or len(frame) == 0:
            period = f" for {self.period}" if self.period else ""
            raise NotComputedError(f"no {instrument_id} responses{period}")
        instrument = load_instrument(instrument_id)
        if instrument_id not in self._scored:
            self._scored[instrument_id] = _with_scale_scores(frame, instrument)
        return self._scored[instrument_id], instrument


def _with_scale_scores(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The frame plus one column per scale (reverse-scored, ``min_items`` respected)."""
    scores = scale_scores(frame, instrument)
    return frame.assign(**{name: scores[name] for name in scores.columns})


def _multi_columns(frame: pd.DataFrame, item: str) -> list[str]:
    prefix = f"{item}__"
    return [c for c in frame.columns if c.startswith(prefix)]


def _as_text(series: pd.Series) -> pd.Series:
    return series.astype("string")


def condition_mask(frame: pd.DataFrame, condition: Condition) -> pd.Series:
    """Boolean mask of rows meeting one condition; a missing answer never meets one
    (except ``answered: false``)."""
    item, op, operand = condition.item, condition.op, condition.operand
    multi = _multi_columns(frame, item)
    if op in ("selected_any", "selected_none") or (op == "answered" and multi):
        block = frame[multi].astype("boolean") if multi else pd.DataFrame(index=frame.index)
        answered = block.notna().any(axis=1)
        if op == "answered":
            return answered if operand else ~answered
        wanted = [f"{item}__{value}" for value in operand]
        hit = block.reindex(columns=wanted, fill_value=False).fillna(False).astype(bool).any(axis=1)
        return (answered & hit) if op == "selected_any" else (answered & ~hit)
    if item not in frame:
        raise NotComputedError(f"column {item!r} is missing from the responses")
    series = frame[item]
    if op == "answered":
        return series.notna() if operand else series.isna()
    if op in ("in", "not_in"):
        texts = _as_text(series)
        hit = texts.isin([str(v) for v in operand]).fillna(False).astype(bool)
        return hit if op == "in" else (~hit & texts.notna())
    numbers = pd.to_numeric(series, errors="coerce")
    result = numbers >= operand if op == "min" else numbers <= operand
    return result.fillna(False).astype(bool)


def rows_matching(frame: pd.DataFrame, conditions: tuple[Condition, ...]) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for condition in conditions:
        mask &= condition_mask(frame, condition)
    return mask


def term_values(frame: pd.DataFrame, terms: tuple[Term, ...]) -> pd.Series:
    """Per-row sum of the terms (missing parts count as 0: an unrecorded cost adds nothing)."""
    total = pd.Series(0.0, index=frame.index)
    for name in {n for term in terms for n in (term.item, *term.times)} - set(frame.columns):
        raise NotComputedError(f"column {name!r} is missing from the responses")
    for term in terms:
        value = pd.to_numeric(frame[term.item], errors="coerce").astype("float64") * term.factor
        for other in term.times:
            value = value * pd.to_numeric(frame[other], errors="coerce").astype("float64")
        total += value.fillna(0.0)
    return total


def _mean_value(values: pd.Series, alpha: float) -> Value:
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(x)
    if n == 0:
        raise NotComputedError("no answers")
    mean = float(x.mean())
    if n < 2:
        return Value(mean, n=n)
    se = float(x.std(ddof=1) / np.sqrt(n))
    q = float(stats.t.ppf(1 - alpha / 2, n - 1))
    return Value(mean, mean - q * se, mean + q * se, n, se)


def _proportion(successes: int, n: int, alpha: float) -> Value:
    if n == 0:
        raise NotComputedError("no respondents in the KPI's population")
    low, high = wilson_ci(successes, n, alpha)
    p = successes / n
    return Value(p, float(low), float(high), n, float(np.sqrt(p * (1 - p) / n)), (successes, n))


def _bootstrap(
    samples: tuple[np.ndarray, ...], statistic: Any, paired: bool, alpha: float, seed: int
) -> tuple[float, float, float]:
    """BCa bootstrap interval (percentile when BCa is degenerate) and bootstrap SE."""
    if min(len(s) for s in samples) < 2:
        return float("nan"), float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("BCa", "percentile"):
            result = stats.bootstrap(
                samples, statistic, paired=paired, vectorized=True, method=method,
                confidence_level=1 - alpha, n_resamples=1999, random_state=seed,
            )  # fmt: skip
            low, high = result.confidence_interval
            if np.isfinite(low) and np.isfinite(high):
                return float(low), float(high), float(result.standard_error)
    return float("nan"), float("nan"), float("nan")


def _ratio(num: np.ndarray, den: np.ndarray, paired: bool, alpha: float, seed: int) -> Value:
    if den.sum() == 0:
        raise NotComputedError("the denominator is zero")
    value = float(num.sum() / den.sum())

    def statistic(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        if paired:
            return a.sum(axis=axis) / b.sum(axis=axis)
        # independent samples: totals scaled to the observed sizes
        return (a.mean(axis=axis) * len(num)) / (b.mean(axis=axis) * len(den))

    low, high, se = _bootstrap((num, den), statistic, paired, alpha, seed)
    return Value(value, low, high, int(max(len(num), len(den))), se)


class _Evaluator:
    def __init__(
        self, frames: _Frames, population: Mapping[str, float] | None, alpha: float, seed: int
    ) -> None:
        self.frames = frames
        self.population = population
        self.alpha = alpha
        self.seed = seed

    def rows(self, kpi: Kpi) -> pd.DataFrame:
        frame, _ = self.frames.get(kpi.source or "")
        return frame[rows_matching(frame, kpi.filter)]

    def value(self, kpi: Kpi, subset: pd.Series | None = None) -> Value:
        """The KPI's value over all rows, or over the rows where ``subset`` is true."""
        if kpi.kind == "ratio_of_totals":
            return self.ratio_of_totals(kpi, subset)
        rows = self.rows(kpi)
        if subset is not None:
            rows = rows[subset.reindex(rows.index, fill_value=False)]
        method = getattr(self, kpi.kind)
        return method(kpi, rows)

    def proportion(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        hits = rows_matching(rows, kpi.numerator)  # type: ignore[arg-type]
        return _proportion(int(hits.sum()), len(rows), self.alpha)

    def reach_ratio(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        if not self.population:
            raise NotComputedError("no population shares given (pass --population FILE)")
        share = self.population.get(kpi.population or "")
        if share is None:
            raise NotComputedError(f"the population shares file has no {kpi.population!r}")
        p = self.proportion(kpi, rows)
        return Value(
            p.value / share, p.ci_low / share, p.ci_high / share, p.n, p.se / share, p.counts
        )

    def mean(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        return _mean_value(rows[kpi.value], self.alpha)

    def index(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        per_row = rows[list(kpi.scales)].astype("float64").mean(axis=1, skipna=False)
        return _mean_value(per_row, self.alpha)

    def difference(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        item, first, second = kpi.groups  # type: ignore[misc]
        labels = _as_text(rows[item])
        a = pd.to_numeric(rows.loc[labels == first, kpi.value], errors="coerce").dropna()
        b = pd.to_numeric(rows.loc[labels == second, kpi.value], errors="coerce").dropna()
        if len(a) < 2 or len(b) < 2:
            raise NotComputedError(f"fewer than two answers in {first} or {second}")
        _, estimate = welch_t(
            len(a), a.mean(), a.var(ddof=1), len(b), b.mean(), b.var(ddof=1), self.alpha
        )
        se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
        return Value(estimate.value, estimate.ci_low, estimate.ci_high, len(a) + len(b), se)

    def total(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        values = term_values(rows, kpi.terms).to_numpy(dtype=float)
        total = float(values.sum())
        if kpi.output:  # a count of activities: Poisson, so a change of 1 is not a change
            whole = kpi.unit == "count" and total >= 0 and bool(np.all(values % 1 == 0))
            return (
                poisson_value(total, len(values), self.alpha)
                if whole
                else Value(total, n=len(values))
            )
        low, high, se = _bootstrap(
            (values,), lambda a, axis=-1: a.sum(axis=axis), False, self.alpha, self.seed
        )
        return Value(total, low, high, len(values), se)

    def count(self, kpi: Kpi, rows: pd.DataFrame) -> Value:
        if kpi.distinct:
            values = rows[kpi.distinct].dropna()
            count = int(_as_text(values).str.strip().str.casefold().nunique())
        else:
            count = len(rows)
        return poisson_value(count, len(rows), self.alpha)

    def ratio_of_totals(self, kpi: Kpi, subset: pd.Series | None) -> Value:
        num_side, den_side = kpi.numerator, kpi.denominator
        if not isinstance(num_side, Side) or den_side is None:
            raise NotComputedError("ratio_of_totals needs numerator and denominator sides")
        num_frame, _ = self.frames.get(num_side.source)
        den_frame, _ = self.frames.get(den_side.source)
        num_rows = num_frame[rows_matching(num_frame, num_side.filter)]
        den_rows = den_frame[rows_matching(den_frame, den_side.filter)]
        if subset is not None:
            num_rows = num_rows[subset.reindex(num_rows.index, fill_value=False)]
            den_rows = den_rows[subset.reindex(den_rows.index, fill_value=False)]
        num = term_values(num_rows, num_side.terms)
        den = term_values(den_rows, den_side.terms)
        if kpi.link:
            keys_num = num_rows[_link_column(num_rows, kpi.link)]
            keys_den = den_rows[_link_column(den_rows, kpi.link)]
            num_by = num.groupby(keys_num.to_numpy()).sum()
            den_by = den.groupby(keys_den.to_numpy()).sum()
            common = num_by.index.intersection(den_by.index)
            if len(common) == 0:
                raise NotComputedError(f"no respondents linked by {kpi.link} in both instruments")
            return _ratio(
                num_by[common].to_numpy(), den_by[common].to_numpy(), True, self.alpha, self.seed
            )
        paired = num_side.source == den_side.source and num_side.filter == den_side.filter
        if paired:
            return _ratio(num.to_numpy(), den.to_numpy(), True, self.alpha, self.seed)
        return _ratio(num.to_numpy(), den.to_numpy(), False, self.alpha, self.seed)


def _link_column(frame: pd.DataFrame, item: str) -> str:
    for name in (f"{item}__key", item, f"{item}_hash"):
        if name in frame:
            return name
    raise NotComputedError(f"the responses have no hashed {item} to link instruments")


STATUSES = ("met", "not met", "too close to call", "no target")


def _status(kpi: Kpi, value: Value) -> str:
    """Met, not met or too close to call, read from the 95% interval (the value without one).

    ``higher``: met when the whole interval is at or above the target, not met when it is
    wholly below, else too close to call (``lower`` mirrors it). ``toward_target`` (parity
    KPIs) counts a band around the target: ``side: at_least`` is on target from
    ``target - tolerance`` up (a reach ratio of 2.2 is not under-representation),
    ``at_most`` up to ``target + tolerance``, ``both`` within ``target ± tolerance``.
    """
    if kpi.target is None:
        return "no target"
    low, high = value.ci_low, value.ci_high
    if not (np.isfinite(low) and np.isfinite(high)):
        low = high = value.value
    target = kpi.target
    if kpi.direction == "toward_target":
        floor, ceiling = target - kpi.tolerance, target + kpi.tolerance
        if kpi.side == "at_least":
            ceiling = float("inf")
        elif kpi.side == "at_most":
            floor = float("-inf")
        if floor <= low and high <= ceiling:
            return "met"
        return "not met" if high < floor or low > ceiling else "too close to call"
    if kpi.direction == "lower":
        return "met" if high <= target else "not met" if low > target else "too close to call"
    return "met" if low >= target else "not met" if high < target else "too close to call"


def poisson_value(count: float, n: int, alpha: float = 0.05) -> Value:
    """A count with its exact (Garwood) Poisson interval and SE ``sqrt(count)``.

    Examples
    --------
    >>> v = poisson_value(11, 23)  # published: 5.49 to 19.68 (Garwood 1936)
    >>> round(v.ci_low, 2), round(v.ci_high, 2), round(v.se, 3)
    (5.49, 19.68, 3.317)
    """
    low = float(stats.chi2.ppf(alpha / 2, 2 * count) / 2) if count > 0 else 0.0
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return Value(float(count), low, high, n, float(np.sqrt(count)))


def _change(kpi: Kpi, now: Value, before: Value, alpha: float) -> tuple[float, float, float, str]:
    change = now.value - before.value
    if now.counts and before.counts:
        estimate = newcombe_diff(*now.counts, *before.counts, alpha=alpha)
        scale = now.value / (now.counts[0] / now.counts[1]) if now.counts[0] else 1.0
        low, high = estimate.ci_low * scale, estimate.ci_high * scale
    elif np.isfinite(now.se) and np.isfinite(before.se):
        half = z_value(alpha) * float(np.hypot(now.se, before.se))
        low, high = change - half, change + half
    else:
        low = high = float("nan")
    if np.isfinite(low):
        trend = "up" if low > 0 else "down" if high < 0 else "flat"
    else:
        trend = "up" if change > 0 else "down" if change < 0 else "flat"
    return change, low, high, trend


def _groups(frame: pd.DataFrame, instrument: Instrument, by: str) -> list[tuple[str, pd.Series]]:
    """(group value, row mask) for each choice of the ``by`` item, in choice order."""
    choices = instrument.choices_for(by)
    if choices is None:
        return []
    multi = _multi_columns(frame, by)
    groups = []
    for choice in choices.substantive:
        if multi:
            column = f"{by}__{choice.name}"
            mask = frame[column].fillna(False).astype(bool) if column in frame else None
        else:
            mask = _as_text(frame[by]) == choice.name if by in frame else None
        if mask is not None:
            groups.append((choice.name, mask.fillna(False).astype(bool)))
    return groups


def _suppress(rows: list[dict[str, Any]], min_cell: int) -> None:
    """Hide groups under ``min_cell``, and one more when a single hidden group is derivable."""
    small = [r for r in rows if 0 < r["n"] < min_cell]  # an empty group discloses nothing
    for row in small:
        row["suppressed"] = True
    if len(small) == 1 and len(rows) > 1:
        # with the total shown, one hidden group is the total minus the others: hide the next
        candidates = sorted(
            (r for r in rows if not r["suppressed"] and r["n"] > 0), key=lambda r: r["n"]
        )
        if candidates:
            candidates[0]["suppressed"] = True
    for row in rows:
        if row["suppressed"]:
            row.update(value=np.nan, ci_low=np.nan, ci_high=np.nan)


def compute_kpis(
    catalogue: Catalogue,
    frames: Mapping[str, pd.DataFrame],
    period: str | None = None,
    compare_frames: Mapping[str, pd.DataFrame] | None = None,
    compare_period: str | None = None,
    population: Mapping[str, float] | None = None,
    min_cell: int = 10,
    alpha: float = 0.05,
    seed: int = 0,
) -> KpiResult:
    """Compute every KPI of ``catalogue`` for one period (and its change from another).

    Parameters
    ----------
    catalogue
        From :func:`evalkit.kpi.load_catalogue`.
    frames, compare_frames
        Canonical response frames by instrument id for the period and the comparison period.
    population
        Population shares by key (``youth_15_24: 0.14``) for ``reach_ratio`` KPIs.
    min_cell
        Groups (and KPIs) with fewer respondents are suppressed.

    Returns
    -------
    KpiResult
        ``kpis`` with columns :data:`KPI_COLUMNS` (one row per KPI, always) and ``breakdown``
        with :data:`BREAKDOWN_COLUMNS`.
    """
    now = _Evaluator(_Frames(frames, period), population, alpha, seed)
    before = (
        _Evaluator(_Frames(compare_frames, compare_period), population, alpha, seed)
        if compare_frames is not None
        else None
    )
    rows, breakdown = [], []
    for kpi in catalogue.kpis:
        row: dict[str, Any] = {
            "kpi_id": kpi.id, "code": kpi.code, "title": kpi.title, "kind": kpi.kind,
            "unit": kpi.unit, "direction": kpi.direction, "output": kpi.output, "period": period,
            "target": kpi.target, "compare_period": compare_period, "concern": kpi.concern,
            "source": ", ".join(kpi.sources), "reason": None, "trend": None,
        }  # fmt: skip
        try:
            value = now.value(kpi)
        except NotComputedError as exc:
            rows.append({**row, "status": "not computed", "reason": str(exc), "n": 0})
            continue
        suppressed = value.n < min_cell and kpi.kind not in ("count",) and not kpi.output
        if suppressed:
            rows.append(
                {
                    **row,
                    "status": "suppressed",
                    "n": value.n,
                    "reason": f"fewer than {min_cell} respondents",
                }
            )
            continue
        row.update(
            value=value.value,
            ci_low=value.ci_low,
            ci_high=value.ci_high,
            n=value.n,
            status=_status(kpi, value),
        )
        if before is not None:
            try:
                previous = before.value(kpi)
            except NotComputedError:
                previous = None
            if previous is not None and (
                previous.n >= min_cell or kpi.kind == "count" or kpi.output
            ):
                change, low, high, trend = _change(kpi, value, previous, alpha)
                row.update(
                    compare_value=previous.value,
                    change=change,
                    change_ci_low=low,
                    change_ci_high=high,
                    trend=trend,
                )
        rows.append(row)
        if kpi.by and (kpi.kind != "ratio_of_totals" or _same_source(kpi)):
            breakdown += _breakdown(now, kpi, period, min_cell)
    kpis = pd.DataFrame(rows).reindex(columns=KPI_COLUMNS)
    table = pd.DataFrame(breakdown).reindex(columns=BREAKDOWN_COLUMNS)
    metadata = {
        "period": period, "compare_period": compare_period, "min_cell": min_cell,
        "alpha": alpha, "seed": seed, "catalogue_version": catalogue.version,
    }  # fmt: skip
    return KpiResult(kpis, table, metadata)


def _same_source(kpi: Kpi) -> bool:
    return (
        isinstance(kpi.numerator, Side)
        and kpi.denominator is not None
        and kpi.numerator.source == kpi.denominator.source
    )


def _breakdown(
    evaluator: _Evaluator, kpi: Kpi, period: str | None, min_cell: int
) -> list[dict[str, Any]]:
    source = kpi.source or (kpi.numerator.source if isinstance(kpi.numerator, Side) else "")
    frame, instrument = evaluator.frames.get(source)
    if not instrument.has_item(kpi.by or ""):
        return []
    out = []
    for group, mask in _groups(frame, instrument, kpi.by or ""):
        try:
            value = evaluator.value(kpi, mask)
        except NotComputedError:
            value = Value(float("nan"), n=0)
        out.append({
            "kpi_id": kpi.id, "code": kpi.code, "period": period, "group_var": kpi.by,
            "group": group, "value": value.value, "ci_low": value.ci_low,
            "ci_high": value.ci_high, "n": value.n, "suppressed": False,
        })  # fmt: skip
    _suppress(out, min_cell)
    return out


def _period_frames(
    workspace: str, sources: set[str], period: str | None
) -> dict[str, pd.DataFrame]:
    from evalkit.errors import DataError
    from evalkit.store import load_responses

    frames = {}
    for source in sorted(sources):
        try:
            frames[source] = load_responses(workspace, source, period)
        except DataError:
            continue  # no responses: the KPI says "not computed" and why
    return frames


def _held_periods(workspace: str) -> str:
    from evalkit.kpi.history import stored_periods  # imported here: history imports compute

    return ", ".join(stored_periods(workspace)) or "none"


def kpis_from_workspace(
    workspace: str,
    period: str,
    compare_period: str | None = None,
    catalogue: Catalogue | None = None,
    population: Mapping[str, float] | None = None,
    min_cell: int = 10,
    alpha: float = 0.05,
    seed: int = 0,
) -> KpiResult:
    """Compute the KPIs from a workspace's responses for ``period`` (and ``compare_period``)."""
    from pathlib import Path

    from evalkit.errors import DataError, Location
    from evalkit.kpi.catalogue import load_catalogue

    if not Path(workspace).is_file():
        raise DataError("no such workspace", Location(workspace), "create it with 'evalkit ingest'")
    catalogue = catalogue or load_catalogue()
    sources = {source for kpi in catalogue.kpis for source in kpi.sources}
    frames = _period_frames(workspace, sources, period)
    compare = _period_frames(workspace, sources, compare_period) if compare_period else None
    if compare is not None and not any(len(f) for f in compare.values()):
        raise DataError(
            f"the workspace holds no responses for the comparison period {compare_period}",
            Location(workspace),
            f"compare with a period it holds ({_held_periods(workspace)}) or leave out --compare",
        )
    result = compute_kpis(
        catalogue, frames, period, compare, compare_period, population, min_cell, alpha, seed
    )
    result.metadata["workspace"] = str(workspace)
    return result
