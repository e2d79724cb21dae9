"""The report's first page: the period and three to five key messages, ranked.

Each message is one plain sentence with its number and its 95% interval, chosen in this
order of what matters to a council: how the KPI targets went (met, missed, too close to
call), the targets missed by the widest margin, the connector result, the largest
difference between modes, and a KPI that changed clearly from last year.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evalkit.report.model import ReportData
from evalkit.report.text import STRINGS, fmt, fmt_ci, missing

MAX_MESSAGES = 5
# kinds of analysis findings that are shown in the body (the rest go to the appendix)
NOTABLE_KINDS = ("difference", "change")


def ranked_findings(data: ReportData) -> tuple[list[str], list[str]]:
    """(notable findings, the rest): notable = a detectable difference or change, ranked by
    the strength of evidence (FDR-adjusted p, smallest first); the rest in their order.

    Findings without a ``kind`` (hand-made tables) count as notable, in their order.
    """
    findings = data.table("findings")
    findings = findings[findings["sentence"].map(lambda v: not missing(v)).astype(bool)]
    kinds = findings["kind"].map(lambda v: "" if missing(v) else str(v))
    notable_mask = kinds.isin(NOTABLE_KINDS) | (kinds == "")
    notable = findings[notable_mask.to_numpy()].copy()
    notable["_p"] = pd.to_numeric(notable["p_fdr"], errors="coerce").fillna(1.0)
    notable = notable.sort_values("_p", kind="stable")
    rest = findings[~notable_mask.to_numpy()]
    return [str(s) for s in notable["sentence"]], [str(s) for s in rest["sentence"]]


def _value_sentence(row: Any, s: dict[str, str]) -> str:
    unit = None if missing(row.unit) else str(row.unit)
    interval = fmt_ci(row.ci_low, row.ci_high, unit)
    value = fmt(row.value, unit)
    return value if interval == "—" else s["value_with_ci"].format(value=value, ci=interval)


def _targets(kpis: pd.DataFrame, s: dict[str, str]) -> list[str]:
    judged = kpis[kpis["status"].isin(["met", "not met", "too close to call"])]
    if judged.empty:
        return []
    counts = judged["status"].value_counts()
    messages = [
        s["msg_targets"].format(
            total=len(judged),
            met=int(counts.get("met", 0)),
            missed=int(counts.get("not met", 0)),
            close=int(counts.get("too close to call", 0)),
        )
    ]
    missed = judged[judged["status"] == "not met"].copy()
    if len(missed):
        value = pd.to_numeric(missed["value"], errors="coerce")
        target = pd.to_numeric(missed["target"], errors="coerce")
        missed["_gap"] = ((value - target).abs() / target.abs().where(target != 0, 1)).fillna(0)
        for row in missed.sort_values("_gap", ascending=False).head(2).itertuples():
            unit = None if missing(row.unit) else str(row.unit)
            messages.append(
                s["msg_missed"].format(
                    kpi=row.title, value=_value_sentence(row, s), target=fmt(row.target, unit)
                )
            )
    return messages


def _connector(kpis: pd.DataFrame, s: dict[str, str]) -> list[str]:
    rows = {r.code: r for r in kpis.itertuples() if not missing(r.value)}
    if "K1" not in rows:
        return []
    k1 = rows["K1"]
    text = s["msg_connector"].format(kpi=k1.title, value=_value_sentence(k1, s))
    if "K2" in rows:
        k2 = rows["K2"]
        text += " " + s["msg_connector_value"].format(kpi=k2.title, value=_value_sentence(k2, s))
    return [text]


def _changes(kpis: pd.DataFrame, s: dict[str, str]) -> list[str]:
    changed = kpis[kpis["trend"].isin(["up", "down"]).to_numpy()]  # outcomes only (caller)
    out = []
    for row in changed.head(1).itertuples():
        unit = None if missing(row.unit) else str(row.unit)
        out.append(
            s["msg_change"].format(
                kpi=row.title,
                direction=s["rose" if row.trend == "up" else "fell"],
                before=fmt(row.compare_value, unit),
                value=fmt(row.value, unit),
                change=fmt(row.change, unit, signed=True),
                ci=fmt_ci(row.change_ci_low, row.change_ci_high, unit, signed=True),
            )
        )
    return out


def key_messages(data: ReportData) -> list[str]:
    """Three to five plain sentences, most important first (fewer when data are missing)."""
    s = STRINGS[data.language]
    kpis = data.table("kpis")
    outcomes = kpis[~kpis["output"].map(lambda v: False if missing(v) else bool(v)).astype(bool)]
    targets = _targets(outcomes, s)
    notable, _ = ranked_findings(data)
    messages = [
        *targets[:1],
        *targets[1:2],
        *_connector(outcomes, s),
        *notable[:1],
        *_changes(outcomes, s),
        *targets[2:],
    ]
    return messages[:MAX_MESSAGES]
