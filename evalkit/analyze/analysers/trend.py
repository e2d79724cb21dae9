"""Trends over periods (``--by period`` with three or more periods) and period x mode.

For each outcome, the per-period table is the run's descriptives (the breakdown is the
period); this module adds:

- ``trends``: one row per outcome, the trend test that fits it (Cochran-Armitage for the
  share of a select_one's first choice, Jonckheere-Terpstra for Likert and numeric answers)
  and the change per period (least-squares slope with its interval, in points for a share);
- ``interactions``: for each pair of the instrument's groups (modes), how much more one
  group's answers changed than the other's between the first and the last period
  (difference in changes with a Wald interval), for shares, Likert means and numbers.

Periods are scored by their year when every period is a year (2022, 2024, 2025 keeps the
gap), otherwise 1, 2, 3 ... in period order. Weighted runs leave both tables empty with a
note (the trend tests here assume simple random samples in each period).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze._common import category_codes
from evalkit.analyze.multiplicity import benjamini_hochberg
from evalkit.analyze.rows import Context
from evalkit.analyze.trend import (
    cochran_armitage,
    difference_in_changes,
    jonckheere_terpstra,
    linear_slope,
)
from evalkit.analyze.values import numbers, numeric, observed_levels
from evalkit.instrument.model import Item

TREND_TYPES = ("select_one", "likert", "integer", "decimal")
MIN_PERIODS = 3

SENTENCES = {
    "en": {
        "up": "Across the {between} {first}–{last}, {measure} of “{outcome}” rose by {d} per "
        "{unit} ({ci}% CI {lo} to {hi}; {test}).",
        "down": "Across the {between} {first}–{last}, {measure} of “{outcome}” fell by {d} per "
        "{unit} ({ci}% CI {lo} to {hi}; {test}).",
        "interaction": "Between {first} and {last}, {measure} of “{outcome}” changed {d} "
        "more for {a} than for {b} participants ({ci}% CI {lo} to {hi}).",
        "share": "the share answering “{answer}”",
        "mean": "the average answer",
        "year": "year",
        "period": "period",
        "points": "points",
    },
    "es": {
        "up": "En los {between} {first}–{last}, {measure} de «{outcome}» subió {d} por "
        "{unit} (IC {ci}% {lo} a {hi}; {test}).",
        "down": "En los {between} {first}–{last}, {measure} de «{outcome}» bajó {d} por "
        "{unit} (IC {ci}% {lo} a {hi}; {test}).",
        "interaction": "Entre {first} y {last}, {measure} de «{outcome}» cambió {d} más "
        "para participantes {a} que {b} (IC {ci}% {lo} a {hi}).",
        "share": "la proporción que respondió «{answer}»",
        "mean": "la respuesta media",
        "year": "año",
        "period": "periodo",
        "points": "puntos",
    },
}


class _Series:
    """One outcome's answers as the trend tests need them: per-row period codes and values."""

    def __init__(self, kind: str, measure: str, values: np.ndarray, levels: np.ndarray):
        self.kind = kind  # share | ordinal | numeric
        self.measure = measure
        self.values = values  # float per row, NaN = no answer
        self.levels = levels  # ascending levels of the count table


def period_scores(names: list[str]) -> np.ndarray:
    """Year numbers when every period is a year, else 1..k (see the module docstring)."""
    if names and all(len(n) == 4 and n.isdigit() for n in names):
        return np.array([float(n) for n in names])
    return np.arange(1, len(names) + 1, dtype=float)


def outcome_series(item: Item, frame: pd.DataFrame, ctx: Context) -> _Series | None:
    """The outcome's answers as numbers: a select_one as 1 = its first substantive choice."""
    if item.type not in TREND_TYPES or item.id not in frame.columns:
        return None
    series = frame[item.id]
    if item.type == "select_one":
        choices = ctx.instrument.choices_for(item)
        subs = choices.substantive if choices else ()
        if len(subs) < 2:
            return None
        codes = category_codes(series, [c.name for c in subs])
        values = np.where(codes < 0, np.nan, (codes == 0).astype(float))
        answer = subs[0].label.get(ctx.lang)
        measure = SENTENCES[_lang(ctx)]["share"].format(answer=answer)
        return _Series("share", measure, values, np.array([0.0, 1.0]))
    if item.type == "likert":
        choices = ctx.instrument.choices_for(item)
        levels = np.array([float(c.value) for c in choices.substantive]) if choices else None
        if levels is None or len(levels) < 2:
            return None
        values = numeric(series)
        values = np.where(np.isin(values, levels), values, np.nan)
        return _Series("ordinal", SENTENCES[_lang(ctx)]["mean"], values, levels)
    values = numeric(series)
    values = np.where(np.isfinite(values), values, np.nan)
    levels = observed_levels(numbers(series) if item.type == "integer" else values)
    return _Series("numeric", SENTENCES[_lang(ctx)]["mean"], values, levels)


def _lang(ctx: Context) -> str:
    return ctx.lang if ctx.lang in SENTENCES else "en"


def _cells(codes: np.ndarray, values: np.ndarray, k: int):
    """Per code: n, mean and within sum of squares of the non-missing values."""
    ok = (codes >= 0) & ~np.isnan(values)
    c, v = codes[ok], values[ok]
    n = np.bincount(c, minlength=k).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=v, minlength=k) / n
    within = np.bincount(c, weights=(v - np.nan_to_num(mean)[c]) ** 2, minlength=k)
    return n, mean, within


def trend_row(item: Item, s: _Series, ctx: Context) -> dict[str, Any] | None:
    """The ``trends`` row of one outcome (None with fewer than three periods answered)."""
    groups = ctx.groups
    n, mean, within = _cells(groups.codes, s.values, groups.k)
    present = n > 0
    if present.sum() < MIN_PERIODS:
        return None
    names = [g for g, p in zip(groups.names, present, strict=True) if p]
    scores = period_scores(groups.names)
    ok = (groups.codes >= 0) & ~np.isnan(s.values)
    if s.kind == "share":
        x = np.bincount(groups.codes[ok], weights=s.values[ok], minlength=groups.k)
        statistic, p = cochran_armitage(x[present], n[present], scores[present])
        test, df, effect_name, effect = "Cochran-Armitage trend test", 1.0, None, np.nan
    else:
        table = groups.table(s.values, s.levels)[present]
        _, statistic, p, effect = jonckheere_terpstra(table)
        test, df, effect_name = "Jonckheere-Terpstra test", np.nan, "Kendall's tau-b"
    slope, _, low, high = linear_slope(
        n[present], mean[present], within[present], scores[present], ctx.opts.alpha
    )
    scale = 100.0 if s.kind == "share" else 1.0  # shares in points
    return {
        "outcome": item.id,
        "outcome_type": s.kind,
        "group_var": groups.var,
        "n_periods": int(present.sum()),
        "first_period": names[0],
        "last_period": names[-1],
        "measure": s.measure,
        "test": test,
        "statistic": statistic,
        "df": df,
        "p_value": p,
        "effect_name": effect_name,
        "effect": effect,
        "slope": slope * scale,
        "slope_ci_low": low * scale,
        "slope_ci_high": high * scale,
        "slope_unit": "year" if _years(groups.names) else "period",
        "n": int(n.sum()),
        "note": "",
    }


def _years(names: list[str]) -> bool:
    return bool(names) and all(len(n) == 4 and n.isdigit() for n in names)


def interaction_rows(
    item: Item, s: _Series, frame: pd.DataFrame, ctx: Context
) -> list[dict[str, Any]]:
    """Difference in changes between the first and last period for each pair of modes."""
    mode = ctx.instrument.group_item
    if mode is None or mode.id not in frame.columns:
        return []
    choices = ctx.instrument.choices_for(mode)
    subs = list(choices.substantive) if choices else []
    mode_codes = category_codes(frame[mode.id], [c.name for c in subs])
    groups, k = ctx.groups, ctx.groups.k
    combined = np.where((groups.codes >= 0) & (mode_codes >= 0), groups.codes * len(subs), -1)
    combined = np.where(combined >= 0, combined + mode_codes, -1)
    n, mean, within = (a.reshape(k, len(subs)) for a in _cells(combined, s.values, k * len(subs)))
    answered = np.flatnonzero(n.sum(axis=1) > 0)
    if len(answered) < 2:
        return []
    first, last = answered[0], answered[-1]
    scale = 100.0 if s.kind == "share" else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        var_mean = within / np.maximum(n - 1, 1) / n
    rows = []
    for a, b in combinations(range(len(subs)), 2):
        cells = n[[first, last]][:, [a, b]]
        row = {
            "outcome": item.id,
            "outcome_type": s.kind,
            "period_a": groups.names[first],
            "period_b": groups.names[last],
            "group_var": mode.id,
            "group_a": subs[a].name,
            "group_b": subs[b].name,
            "measure": s.measure,
            "n": int(cells.sum()),
            "suppressed": bool((cells < ctx.opts.min_cell).any()),
            "note": "",
        }
        if row["suppressed"]:
            row["note"] = f"a period x {mode.id} cell has fewer than {ctx.opts.min_cell} answers"
            rows.append(row)
            continue
        ma, mb = mean[[first, last], a], mean[[first, last], b]
        d, low, high, z, p = difference_in_changes(
            ma, var_mean[[first, last], a], mb, var_mean[[first, last], b], ctx.opts.alpha
        )
        row.update(
            change_a=(ma[1] - ma[0]) * scale,
            change_b=(mb[1] - mb[0]) * scale,
            difference=d * scale,
            difference_ci_low=low * scale,
            difference_ci_high=high * scale,
            statistic=z,
            p_value=p,
            test="difference in changes (Wald z)",
        )
        rows.append(row)
    return rows


def analyse_trends(
    items: list[Item], frame: pd.DataFrame, ctx: Context
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Trend and interaction rows of every outcome, and a note when none could be run."""
    if ctx.groups.kind != "period":
        return [], [], ""
    if ctx.design.weighted:
        return [], [], "trend tests not run on weighted data (they assume simple random samples)"
    trends, interactions = [], []
    for item in items:
        s = outcome_series(item, frame, ctx)
        if s is None:
            continue
        row = trend_row(item, s, ctx)
        if row is not None:
            trends.append(row)
        interactions += interaction_rows(item, s, frame, ctx)
    _adjust(trends)
    _adjust(interactions)
    note = "" if trends else f"trend tests need answers in {MIN_PERIODS} or more periods"
    return trends, interactions, note


def _adjust(rows: list[dict[str, Any]]) -> None:
    """Benjamini-Hochberg across the table's tests (its own family)."""
    p = np.array([r.get("p_value", np.nan) for r in rows], dtype=float)
    ok = ~np.isnan(p)
    adjusted = np.full(len(p), np.nan)
    if ok.any():
        adjusted[ok] = benjamini_hochberg(p[ok])
    for r, q in zip(rows, adjusted, strict=True):
        r["p_fdr"] = q


def trend_sentences(
    trends: list[dict[str, Any]],
    interactions: list[dict[str, Any]],
    labels: dict[str, str],
    group_labels: dict[str, str],
    alpha: float,
    lang: str,
    between: str,
) -> list[dict[str, Any]]:
    """Findings rows (kind ``trend`` / ``interaction``) for results significant after BH."""
    words = SENTENCES[lang if lang in SENTENCES else "en"]
    ci = round(100 * (1 - alpha))
    out = []
    for r in trends:
        if not r["p_fdr"] < alpha or not np.isfinite(r["slope"]):
            continue
        lo, hi = r["slope_ci_low"], r["slope_ci_high"]
        if lo <= 0 <= hi:
            continue  # the slope's interval must say the same as the test
        unit = words[r["slope_unit"]]
        key = "up" if r["slope"] > 0 else "down"
        digits = 1 if r["outcome_type"] == "share" else 2
        text = words[key].format(
            between=between,
            first=r["first_period"],
            last=r["last_period"],
            measure=r["measure"],
            outcome=labels.get(r["outcome"], r["outcome"]),
            d=_fmt(abs(r["slope"]), digits, r["outcome_type"], points=words["points"]),
            unit=unit,
            ci=ci,
            lo=_fmt(lo, digits, r["outcome_type"], signed=True),
            hi=_fmt(hi, digits, r["outcome_type"], signed=True),
            test=r["test"],
        )
        out.append(_finding(r["outcome"], "trend", "", "", r["p_fdr"], text))
    for r in interactions:
        if r["suppressed"] or not r["p_fdr"] < alpha:
            continue
        if r["difference_ci_low"] <= 0 <= r["difference_ci_high"]:
            continue
        a, b = (r["group_a"], r["group_b"]) if r["difference"] > 0 else (r["group_b"], r["group_a"])
        digits = 1 if r["outcome_type"] == "share" else 2
        lo, hi = sorted(abs(x) for x in (r["difference_ci_low"], r["difference_ci_high"]))
        text = words["interaction"].format(
            first=r["period_a"],
            last=r["period_b"],
            measure=r["measure"],
            outcome=labels.get(r["outcome"], r["outcome"]),
            d=_fmt(abs(r["difference"]), digits, r["outcome_type"], points=words["points"]),
            a=group_labels.get(a, a),
            b=group_labels.get(b, b),
            ci=ci,
            lo=_fmt(lo, digits, r["outcome_type"], signed=False, points=""),
            hi=_fmt(hi, digits, r["outcome_type"], signed=False, points=""),
        )
        out.append(_finding(r["outcome"], "interaction", a, b, r["p_fdr"], text))
    return out


def _fmt(x: float, digits: int, kind: str, signed: bool = False, points: str = "points") -> str:
    """A number of the sentences; an unsigned share change in (percentage) points."""
    text = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    text = text.replace("-", "\u2212")
    return f"{text} {points}" if kind == "share" and not signed and points else text


def _finding(outcome, kind, a, b, p, sentence) -> dict[str, Any]:
    return {
        "outcome": outcome,
        "kind": kind,
        "group_a": a,
        "group_b": b,
        "p_fdr": p,
        "sentence": sentence,
    }
