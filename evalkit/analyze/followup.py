"""Follow-up linking: post-engagement answers joined to the 90-day and 6-month follow-ups.

A participant who leaves a personal code (stored only as a keyed hash, ``<item>__key``) can
be found again in the follow-up waves. :func:`analyze_followup` links them by that key (and
by engagement when both questionnaires carry it) and answers three questions:

1. **Who answers the follow-up?** Per wave and mode of the original engagement: how many of
   the participants who could be followed up (they left a code) answered, with Wilson
   intervals, and a test of whether the rate differs between modes.
2. **Who drops out?** Per wave, each baseline answer compared between those who answered
   the follow-up and those who did not (Mann-Whitney for ordered and numeric answers, with
   the probability that a responder's answer is higher; chi-square or Fisher for choices),
   Benjamini-Hochberg across the wave's tests. Attrition that depends on baseline answers
   biases the follow-up's picture of the cohort.
3. **What happened since, by the mode of the original engagement?** The follow-up outcomes
   analysed with the engine (:func:`evalkit.analyze.analyze`), grouped by the baseline mode;
   optionally weighted by the inverse probability of answering (a logistic model of answering
   on mode and baseline answers, stabilised weights), which corrects for attrition that those
   answers explain (missing at random given them), not for any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.analyze.descriptives import share_with_ci
from evalkit.analyze.engine import analyze
from evalkit.analyze.multiplicity import benjamini_hochberg
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.proportions import cramers_v, independence_test
from evalkit.analyze.result import AnalysisResult, table_records
from evalkit.analyze.values import numeric
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument
from evalkit.io import write_csv_atomic, write_text_atomic

RATE_COLUMNS = (
    "wave",
    "group_var",
    "group",
    "n_eligible",
    "n_responded",
    "rate",
    "rate_ci_low",
    "rate_ci_high",
    "suppressed",
)
ATTRITION_COLUMNS = (
    "wave",
    "variable",
    "variable_type",
    "test",
    "statistic",
    "df",
    "p_value",
    "p_fdr",
    "effect_name",
    "effect",
    "n_responded",
    "n_dropped",
    "mean_responded",
    "mean_dropped",
    "note",
)
IPW_NAME = "_followup_ipw"
ORDERED = ("likert", "integer", "decimal", "nps")


@dataclass
class FollowupResult:
    """Response rates, attrition tests and the follow-up outcomes of each wave by mode."""

    response_rates: pd.DataFrame
    attrition: pd.DataFrame
    outcomes: dict[str, AnalysisResult] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Metadata and every table as records; each wave's outcomes as an analysis result."""
        return {
            "metadata": self.metadata,
            "response_rates": table_records(self.response_rates),
            "attrition": table_records(self.attrition),
            "outcomes": {w: r.to_dict() for w, r in self.outcomes.items()},
        }

    def write_csv(self, directory: str | Path) -> list[Path]:
        """response_rates.csv, attrition.csv, metadata.json and outcomes_<wave>/ per wave."""
        import json

        out = Path(directory)
        written = [
            write_csv_atomic(self.response_rates, out / "response_rates.csv"),
            write_csv_atomic(self.attrition, out / "attrition.csv"),
            write_text_atomic(
                out / "metadata.json", json.dumps(self.metadata, indent=2, default=str) + "\n"
            ),
        ]
        for wave, result in self.outcomes.items():
            written += result.write_csv(out / f"outcomes_{wave}")
        return written


def link_key(frame: pd.DataFrame, key: str) -> str:
    """The column holding the link key: the keyed hash ``<key>__key`` when stored."""
    for name in (f"{key}__key", key):
        if name in frame.columns:
            return name
    raise UsageError(
        f"the responses have no {key} to link the follow-ups by",
        hint=f"the baseline and follow-up questionnaires must both ask for {key}",
    )


def linked_cohort(
    baseline: pd.DataFrame, followup: pd.DataFrame, key: str, mode: str, wave: str = "wave"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Baseline rows that can be followed up, with one ``answered_<wave>`` flag per wave.

    Links by the key, and by ``engagement_id`` when both frames have it (a person may attend
    several engagements). A key answered twice in one wave counts once (the first answer).
    """
    b_key, f_key = link_key(baseline, key), link_key(followup, key)
    on = ["engagement_id"] if {"engagement_id"} <= set(baseline) & set(followup) else []
    eligible = baseline[baseline[b_key].notna()].copy()
    eligible["_key"] = eligible[b_key].astype("string")
    eligible = eligible.drop_duplicates(["_key", *on])
    fu = followup[followup[f_key].notna()].copy()
    fu["_key"] = fu[f_key].astype("string")
    waves = sorted(str(w) for w in fu[wave].dropna().unique()) if wave in fu else ["follow_up"]
    if wave not in fu:
        fu[wave] = "follow_up"
    duplicates = int(fu.duplicated(["_key", *on, wave]).sum())
    fu = fu.drop_duplicates(["_key", *on, wave])
    for w in waves:
        answered = fu.loc[fu[wave].astype("string") == w, ["_key", *on]].assign(_hit=True)
        merged = eligible[["_key", *on]].merge(answered, on=["_key", *on], how="left")
        eligible[f"answered_{w}"] = merged["_hit"].fillna(False).to_numpy(dtype=bool)
    meta = {
        "link_key": b_key,
        "linked_on": ",".join(["key", *on]),
        "n_baseline": len(baseline),
        "n_eligible": len(eligible),
        "n_followup_rows": len(followup),
        "n_followup_duplicates_dropped": duplicates,
        "n_followup_unlinked": int(
            (~fu.set_index(["_key", *on]).index.isin(eligible.set_index(["_key", *on]).index)).sum()
        ),
        "waves": ",".join(waves),
        "mode_item": mode,
    }
    return eligible, meta


def response_rates(
    cohort: pd.DataFrame, waves: list[str], mode: str, alpha: float, min_cell: int
) -> pd.DataFrame:
    """Per wave and mode: eligible participants, responders and the rate with Wilson CIs."""
    rows = []
    groups = cohort[mode].astype("string").fillna("(no mode)")
    for w in waves:
        flag = cohort[f"answered_{w}"]
        for name in sorted(groups.unique()):
            member = (groups == name).to_numpy()
            n, x = int(member.sum()), int(flag[member].sum())
            rate, low, high = share_with_ci(np.array([x]), np.array([n]), alpha)
            hidden = n < min_cell
            rows.append(
                {
                    "wave": w,
                    "group_var": mode,
                    "group": name,
                    "n_eligible": n,
                    "n_responded": np.nan if hidden else x,
                    "rate": np.nan if hidden else float(rate[0]),
                    "rate_ci_low": np.nan if hidden else float(low[0]),
                    "rate_ci_high": np.nan if hidden else float(high[0]),
                    "suppressed": hidden,
                }
            )
    return pd.DataFrame(rows, columns=list(RATE_COLUMNS))


def attrition_tests(
    cohort: pd.DataFrame, waves: list[str], instrument: Instrument, mode: str, seed: int = 0
) -> pd.DataFrame:
    """Per wave: does answering the follow-up depend on the mode or on a baseline answer?"""
    rows = []
    variables = [mode] + [i.id for i in instrument.outcomes if i.id in cohort.columns]
    for w in waves:
        answered = cohort[f"answered_{w}"].to_numpy(dtype=bool)
        wave_rows = [_attrition_row(w, v, cohort[v], answered, instrument, seed) for v in variables]
        p = np.array([r["p_value"] for r in wave_rows], dtype=float)
        ok = ~np.isnan(p)
        adjusted = np.full(len(p), np.nan)
        if ok.any():
            adjusted[ok] = benjamini_hochberg(p[ok])
        for r, q in zip(wave_rows, adjusted, strict=True):
            r["p_fdr"] = q
        rows += wave_rows
    return pd.DataFrame(rows, columns=list(ATTRITION_COLUMNS))


def _attrition_row(wave, variable, series, answered, instrument, seed) -> dict[str, Any]:
    item = instrument.item(variable) if instrument.has_item(variable) else None
    kind = item.type if item is not None else "select_one"
    row: dict[str, Any] = {"wave": wave, "variable": variable, "variable_type": kind, "note": ""}
    if kind in ORDERED:
        values = numeric(series)
        a, b = values[answered], values[~answered]
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        row.update(n_responded=len(a), n_dropped=len(b))
        if min(len(a), len(b)) == 0:
            return {**row, "p_value": np.nan, "note": "no answers in one of the two groups"}
        res = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
        return {
            **row,
            "test": "Mann-Whitney U test",
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
            "effect_name": "chance a responder's answer is higher",
            "effect": float(res.statistic) / (len(a) * len(b)),
            "mean_responded": float(a.mean()),
            "mean_dropped": float(b.mean()),
        }
    if kind in ("select_one", "yes_no"):
        text = series.astype("string")
        ok = text.notna().to_numpy()
        levels = sorted(text[ok].unique())
        if len(levels) < 2:
            return {**row, "p_value": np.nan, "note": "one answer only"}
        codes = pd.Categorical(text[ok], categories=levels).codes
        table = np.zeros((2, len(levels)), dtype=np.int64)
        np.add.at(table, (answered[ok].astype(int), codes), 1)
        test, _ = independence_test(table, seed=seed)
        return {
            **row,
            "test": test.test,
            "statistic": test.statistic,
            "df": test.df,
            "p_value": test.p_value,
            "effect_name": "Cramér's V",
            "effect": cramers_v(table),
            "n_responded": int(table[1].sum()),
            "n_dropped": int(table[0].sum()),
        }
    return {**row, "p_value": np.nan, "note": f"{kind} answers are not compared"}


def response_weights(
    cohort: pd.DataFrame, answered: np.ndarray, instrument: Instrument, mode: str
) -> np.ndarray:
    """Stabilised inverse-probability-of-answering weights (NaN for non-responders).

    A logistic model of answering on mode (dummies) and the baseline's ordered answers (a
    missing answer as the mean plus a missing flag), fitted by statsmodels; the weight of a
    responder is P(answer) / p̂(answer | their baseline), so weights average about 1.
    """
    import statsmodels.api as sm

    parts = [pd.get_dummies(cohort[mode].astype("string"), prefix=mode, drop_first=True)]
    for item in instrument.outcomes:
        if item.type in ORDERED and item.id in cohort.columns:
            values = pd.Series(numeric(cohort[item.id]), index=cohort.index)
            if values.notna().sum() < 2 or values.std() == 0:
                continue
            parts.append(values.fillna(values.mean()).rename(item.id))
            if values.isna().any():
                parts.append(values.isna().astype(float).rename(f"{item.id}_missing"))
    design = sm.add_constant(pd.concat(parts, axis=1).astype(float), has_constant="add")
    try:
        fitted = sm.Logit(answered.astype(float), design).fit(disp=0, maxiter=100)
        p_hat = np.clip(fitted.predict(design).to_numpy(), 0.01, 1.0)
    except Exception as exc:  # a separated or singular model: say so, never weight blindly
        raise UsageError(
            f"the response-probability model could not be fitted ({exc.__class__.__name__})",
            hint="run without --ipw, or with more follow-up answers",
        ) from exc
    weights = np.where(answered, answered.mean() / p_hat, np.nan)
    return weights


def analyze_followup(
    baseline: pd.DataFrame,
    followup: pd.DataFrame,
    baseline_instrument: Instrument,
    followup_instrument: Instrument,
    options: AnalysisOptions | None = None,
    key: str = "participant_code",
    ipw: bool = False,
) -> FollowupResult:
    """Link follow-up waves to the baseline and analyse response, attrition and outcomes.

    Parameters
    ----------
    baseline, followup
        Canonical frames of the post-engagement and follow-up questionnaires.
    baseline_instrument, followup_instrument
        Their instruments; the mode is the baseline's ``role: group`` item.
    options
        :class:`AnalysisOptions` for the outcome analysis (alpha, min_cell, seed, language).
    key
        The personal code both ask for (linked through its keyed hash when stored).
    ipw
        Weight the follow-up outcomes by inverse probability of answering.

    Returns
    -------
    FollowupResult

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> from evalkit.sample.linked import generate_linked
    >>> city = generate_linked("2026", seed=2, sizes={"activity_register": 20,
    ...     "post_engagement": 400, "community_programme": 20})
    >>> res = analyze_followup(city.frames["post_engagement"], city.frames["follow_up"],
    ...     load_instrument("post_engagement"), load_instrument("follow_up"))
    >>> sorted(res.outcomes)
    ['d90', 'm6']
    """
    opts = options or AnalysisOptions()
    mode_item = baseline_instrument.group_item
    if mode_item is None or mode_item.id not in baseline.columns:
        raise UsageError(f"{baseline_instrument.id} has no mode column to compare follow-ups by")
    mode = mode_item.id
    cohort, meta = linked_cohort(baseline, followup, key, mode)
    waves = meta["waves"].split(",") if meta["waves"] else []
    rates = response_rates(cohort, waves, mode, opts.alpha, opts.min_cell)
    attrition = attrition_tests(cohort, waves, baseline_instrument, mode, opts.seed)
    outcomes = {}
    for w in waves:
        frame = _followup_by_baseline_mode(cohort, followup, key, mode, w)
        wave_opts = replace(opts, by=mode)
        if ipw:
            answered = cohort[f"answered_{w}"].to_numpy(dtype=bool)
            weights = response_weights(cohort, answered, baseline_instrument, mode)
            lookup = pd.Series(weights[answered], index=_link_index(cohort[answered]))
            frame[IPW_NAME] = lookup.reindex(_link_index(frame)).to_numpy()
            wave_opts = replace(wave_opts, weights=IPW_NAME)
        outcomes[w] = analyze(frame, followup_instrument, wave_opts)
    meta.update(
        {
            "baseline_instrument": f"{baseline_instrument.id} {baseline_instrument.version}",
            "followup_instrument": f"{followup_instrument.id} {followup_instrument.version}",
            "weights": "inverse probability of answering (stabilised)" if ipw else None,
            "alpha": opts.alpha,
            "min_cell": opts.min_cell,
        }
    )
    return FollowupResult(rates, attrition, outcomes, meta)


def _link_index(frame: pd.DataFrame) -> pd.MultiIndex | pd.Index:
    cols = ["_key", "engagement_id"] if "engagement_id" in frame.columns else ["_key"]
    return (
        pd.MultiIndex.from_frame(frame[cols].astype("string"))
        if len(cols) > 1
        else pd.Index(frame["_key"].astype("string"))
    )


def _followup_by_baseline_mode(
    cohort: pd.DataFrame, followup: pd.DataFrame, key: str, mode: str, wave: str
) -> pd.DataFrame:
    """The wave's follow-up answers of linked participants, with the baseline's mode."""
    f_key = link_key(followup, key)
    fu = followup[followup[f_key].notna()].copy()
    if "wave" in fu.columns:
        fu = fu[(fu["wave"].astype("string") == wave).fillna(False).to_numpy()]
    fu["_key"] = fu[f_key].astype("string")
    on = (
        ["_key", "engagement_id"]
        if "engagement_id" in cohort.columns and ("engagement_id" in fu.columns)
        else ["_key"]
    )
    fu = fu.drop_duplicates(on)
    base_mode = cohort[[*on, mode]].rename(columns={mode: "_baseline_mode"})
    linked = fu.merge(base_mode, on=on, how="inner")
    if mode in linked.columns:
        linked[mode] = linked["_baseline_mode"].astype(linked[mode].dtype)
    else:
        linked[mode] = linked["_baseline_mode"]
    return linked.drop(columns=["_baseline_mode"]).reset_index(drop=True)
