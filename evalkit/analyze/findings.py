"""Plain-language findings: one hedged sentence per notable result, for the annual report.

Rules the sentences follow (docs/methods.md explains why):

- a difference is reported when its Benjamini-Hochberg adjusted p-value (across the whole
  run) is below alpha; the sentence gives both group values, the difference and its CI;
- the words describe what was observed ("rated lower", "reported more", "is associated
  with"), never a cause ("effect", "because", "led to"): participants choose their mode;
- an outcome whose omnibus test is not significant gets one sentence saying that no
  difference was detectable, and how large a difference the data still allow;
- suppressed groups are named as suppressed, never described.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze.result import tidy

CAUSAL_WORDS = ("effect", "caused", "because", "led to", "impact", "resulted in")


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _num(x: float, digits: int = 1) -> str:
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "−")


def _signed(x: float, digits: int = 1) -> str:
    return ("+" if x > 0 else "") + _num(x, digits)


def _amount(x: float, signed: bool = False) -> str:
    """2 decimals with thousands separators (ratios such as cost per attendee)."""
    text = f"{x:+,.2f}" if signed and x != 0 else f"{x:,.2f}"
    return text.replace("-", "−")


def _is_share(name: str) -> bool:
    return name.startswith("share") or name.startswith("top")


def _answer(share_name: str) -> str:
    """'top-2-box (Agree or Strongly agree)' -> 'Agree or Strongly agree'; 'share Yes' -> 'Yes'."""
    if "(" in share_name and share_name.endswith(")"):
        return share_name[share_name.index("(") + 1 : -1]
    return share_name.removeprefix("share ")


def _sentence_difference(
    row: dict[str, Any], outcome_label: str, groups: dict[str, str], ci: int
) -> str:
    a, b = groups.get(row["group_a"], row["group_a"]), groups.get(row["group_b"], row["group_b"])
    diff, low, high = row["difference"], row["difference_ci_low"], row["difference_ci_high"]
    lower = diff < 0
    name = str(row["estimate_name"])
    if _is_share(name):
        verb = "less often" if lower else "more often"
        return (
            f"{a} participants answered “{_answer(name)}” to “{outcome_label}” {verb} than {b} "
            f"participants: {_pct(row['estimate_a'])} vs {_pct(row['estimate_b'])} "
            f"(difference {_signed(100 * diff, 0)} points, {ci}% CI {_num(100 * low, 0)} to "
            f"{_num(100 * high, 0)})."
        )
    if row.get("outcome_type") == "ratio":
        verb = "lower" if lower else "higher"
        return (
            f"“{outcome_label}” was {verb} for {a} than for {b}: {_amount(row['estimate_a'])} "
            f"vs {_amount(row['estimate_b'])} (difference {_amount(diff, signed=True)}, {ci}% "
            f"CI {_amount(low)} to {_amount(high)}; ratios of totals)."
        )
    if name == "NPS":
        verb = "lower" if lower else "higher"
        return (
            f"{a} participants gave a {verb} Net Promoter Score than {b} participants: "
            f"{_num(row['estimate_a'], 0)} vs {_num(row['estimate_b'], 0)} "
            f"(difference {_signed(diff, 0)} points, {ci}% CI {_num(low, 0)} to {_num(high, 0)})."
        )
    verb = "lower" if lower else "higher"
    return (
        f"{a} participants scored {verb} on “{outcome_label}” than {b} participants: "
        f"mean {_num(row['estimate_a'], 2)} vs {_num(row['estimate_b'], 2)} "
        f"(difference {_signed(diff, 2)}, {ci}% CI {_num(low, 2)} to {_num(high, 2)})."
    )


def findings(
    comparisons: pd.DataFrame,
    pairwise: pd.DataFrame,
    outcome_labels: dict[str, str],
    group_labels: dict[str, str],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Sentences for notable results; columns ``outcome, kind, group_a, group_b, p_fdr, sentence``.

    ``kind`` is ``difference`` (a detectable pairwise difference), ``not_detectable`` (the
    outcome showed no detectable difference), ``change`` (pre/post), ``adjusted`` (the
    covariate-adjusted
    comparison) or ``suppressed`` (groups too small to show).
    """
    ci = round(100 * (1 - alpha))
    rows: list[dict[str, Any]] = []
    pw_by_outcome = {name: frame for name, frame in pairwise.groupby("outcome", sort=False)}
    for comp in comparisons.to_dict(orient="records"):
        outcome = comp["outcome"]
        label = outcome_labels.get(outcome, outcome)
        pw = pw_by_outcome.get(outcome, pairwise.iloc[0:0])
        regression = str(comp.get("note") or "").startswith("adjusted association (covariates")
        is_adjusted = pw["note"].fillna("").str.startswith("adjusted association (covariates")
        pw = pw[is_adjusted] if regression else pw[~is_adjusted]
        if regression:
            rows.append(_adjusted_sentence(comp, label, alpha))
            continue
        if comp["group_var"] == "wave":
            if comp["test"] == "paired t-test" and not comp["suppressed"]:
                rows.append(_paired_sentence(comp, label, alpha, ci))
            continue
        shown = pw[~pw["suppressed"].astype(bool)]
        omnibus_p = comp["p_fdr"]
        omnibus_ok = omnibus_p is None or math.isnan(omnibus_p) or omnibus_p < alpha
        # a pair is notable when the outcome's omnibus test (if any) is significant after BH
        # and the pair is significant after Holm within the outcome's family, and the
        # difference shown in the sentence has an interval that excludes 0 in the same direction
        low = shown["difference_ci_low"].astype(float)
        high = shown["difference_ci_high"].astype(float)
        notable = (shown["p_holm"].astype(float) < alpha) & ((low > 0) | (high < 0))
        significant = shown[notable] if omnibus_ok else shown[:0]
        for row in significant.to_dict(orient="records"):
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "difference",
                    "group_a": row["group_a"],
                    "group_b": row["group_b"],
                    "p_fdr": row["p_fdr"],
                    "sentence": _sentence_difference(row, label, group_labels, ci),
                }
            )
        omnibus_ns = omnibus_p is not None and not math.isnan(omnibus_p) and omnibus_p >= alpha
        pairwise_only = comp["outcome_type"] in ("nps", "ratio")  # no omnibus test
        pairs_ns = pairwise_only and len(shown) and significant.empty
        if (omnibus_ns or pairs_ns) and len(shown):
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "not_detectable",
                    "group_a": "",
                    "group_b": "",
                    "p_fdr": omnibus_p,
                    "sentence": _sentence_not_detectable(comp, shown, label, ci),
                }
            )
        hidden = pw[pw["suppressed"].astype(bool)]
        if len(hidden):
            names = sorted(
                {group_labels.get(g, g) for g in _hidden_groups(comp, pw)} or {"some groups"}
            )
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "suppressed",
                    "group_a": "",
                    "group_b": "",
                    "p_fdr": np.nan,
                    "sentence": (
                        f"For “{label}”, results for {', '.join(names)} are not shown because "
                        + (
                            "too few records count towards them."
                            if comp["outcome_type"] == "ratio"
                            else "too few people answered."
                        )
                    ),
                }
            )
    return tidy("findings", rows)


def _paired_sentence(comp: dict[str, Any], label: str, alpha: float, ci: int) -> dict[str, Any]:
    p, est = comp["p_fdr"], comp["effect"]
    low, high = comp["effect_ci_low"], comp["effect_ci_high"]
    interval = f"{ci}% CI {_num(low, 2)} to {_num(high, 2)}; {comp['n']} people in both waves"
    if p is not None and not math.isnan(p) and p < alpha and (low > 0 or high < 0):
        verb = "rose" if est > 0 else "fell"
        text = (
            f"Between the pre and post surveys, answers to “{label}” {verb} by "
            f"{_num(abs(est), 2)} on average ({interval})."
        )
    elif low > 0 or high < 0:
        # the unadjusted interval excludes 0, but the change does not survive the
        # multiplicity adjustment: say both, so the sentence never contradicts its numbers
        text = (
            f"Between the pre and post surveys, answers to “{label}” changed by "
            f"{_signed(est, 2)} on average ({interval}), but the change is not "
            "distinguishable from chance once all the run's comparisons are taken into "
            "account (Benjamini–Hochberg)."
        )
    else:
        text = (
            f"No change between the pre and post surveys in “{label}” was detectable "
            f"(mean change {_signed(est, 2)}, {interval})."
        )
    return {
        "outcome": comp["outcome"],
        "kind": "change",
        "group_a": "",
        "group_b": "",
        "p_fdr": p,
        "sentence": text,
    }


def _adjusted_sentence(comp: dict[str, Any], label: str, alpha: float) -> dict[str, Any]:
    covariates = str(comp["note"]).split("covariates: ", 1)[-1].rstrip(")")
    p = comp["p_fdr"]
    if p is not None and not math.isnan(p) and p < alpha:
        text = (
            f"After adjustment for {covariates}, answers to “{label}” still differ between "
            f"modes (adjusted association; adjusted p = {p:.3f})."
        )
    else:
        text = (
            f"After adjustment for {covariates}, no difference between modes in “{label}” was "
            "detectable (adjusted association)."
        )
    return {
        "outcome": comp["outcome"],
        "kind": "adjusted",
        "group_a": "",
        "group_b": "",
        "p_fdr": p,
        "sentence": text,
    }


def _hidden_groups(comp: dict[str, Any], pw: pd.DataFrame) -> set[str]:
    note = str(comp.get("note") or "")
    if "suppressed groups left out: " in note:
        part = note.split("suppressed groups left out: ", 1)[1].split(";", 1)[0]
        return {g.strip() for g in part.split(",") if g.strip()}
    return set()


def _sentence_not_detectable(comp: dict[str, Any], shown: pd.DataFrame, label: str, ci: int) -> str:
    name = str(shown["estimate_name"].iloc[0])
    low = float(shown["difference_ci_low"].min())
    high = float(shown["difference_ci_high"].max())
    if _is_share(name):
        bounds = f"{_num(100 * low, 0)} to {_signed(100 * high, 0)} percentage points"
    elif name == "NPS":
        bounds = f"{_num(low, 0)} to {_signed(high, 0)} NPS points"
    elif comp["outcome_type"] == "ratio":
        bounds = f"{_amount(low)} to {_amount(high, signed=True)}"
    else:
        bounds = f"{_num(low, 2)} to {_signed(high, 2)} on its scale"
    test = (
        comp["test"]
        if isinstance(comp["test"], str) and not comp["test"].startswith("none")
        else "the pairwise tests"
    )
    p = comp["p_fdr"]
    p_text = f" (adjusted p = {p:.2f} with {test})" if p is not None and not math.isnan(p) else ""
    return (
        f"No difference between modes in “{label}” was detectable{p_text}; the {ci}% "
        f"intervals of the pairwise differences still allow differences from {bounds}, so "
        "this is not evidence that the modes are alike."
    )
