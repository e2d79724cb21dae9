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
import re
from typing import Any

import numpy as np
import pandas as pd

from evalkit.analyze.result import tidy

CAUSAL_WORDS = ("effect", "caused", "because", "led to", "impact", "resulted in")
# Spanish words that claim a cause ("porque" also introduces a reason in a neutral sentence,
# so the Spanish suppression sentence says "al haber" instead)
CAUSAL_WORDS_ES = ("efecto", "causó", "causado", "porque", "provocó", "impacto", "debido a")
LANGUAGES = ("en", "es")
MODES = {"en": "modes", "es": "modalidades"}  # what the groups are unless told otherwise
NBSP = "\u00a0"

# Every sentence in each language (Spanish numbers as in reports: RAE 2010, see
# evalkit.report.text). Placeholders are filled by the functions below.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "share": "{a} participants answered “{answer}” to “{outcome}” {verb} than {b} "
        "participants: {ea} vs {eb} (difference {d} points, {ci}% CI {lo} to {hi}).",
        "share_less": "less often",
        "share_more": "more often",
        "ratio": "“{outcome}” was {verb} for {a} than for {b}: {ea} vs {eb} (difference {d}, "
        "{ci}% CI {lo} to {hi}; ratios of totals).",
        "nps": "{a} participants gave a {verb} Net Promoter Score than {b} participants: "
        "{ea} vs {eb} (difference {d} points, {ci}% CI {lo} to {hi}).",
        "mean": "{a} participants scored {verb} on “{outcome}” than {b} participants: "
        "mean {ea} vs {eb} (difference {d}, {ci}% CI {lo} to {hi}).",
        "lower": "lower",
        "higher": "higher",
        "suppressed": "For “{outcome}”, results for {names} are not shown because {why}.",
        "too_few_people": "too few people answered",
        "too_few_records": "too few records count towards them",
        "some_groups": "some groups",
        "interval": "{ci}% CI {lo} to {hi}; {n} people in both waves",
        "paired": "Between the pre and post surveys, answers to “{outcome}” {verb} by {x} on "
        "average ({interval}).",
        "rose": "rose",
        "fell": "fell",
        "paired_chance": "Between the pre and post surveys, answers to “{outcome}” changed by "
        "{x} on average ({interval}), but the change is not distinguishable from chance once "
        "all the run's comparisons are taken into account (Benjamini–Hochberg).",
        "paired_none": "No change between the pre and post surveys in “{outcome}” was "
        "detectable (mean change {x}, {interval}).",
        "adjusted": "After adjustment for {covariates}, answers to “{outcome}” still differ "
        "between {between} (adjusted association; adjusted p = {p}).",
        "adjusted_none": "After adjustment for {covariates}, no difference between {between} in "
        "“{outcome}” was detectable (adjusted association).",
        "bounds_share": "{lo} to {hi} percentage points",
        "bounds_nps": "{lo} to {hi} NPS points",
        "bounds_ratio": "{lo} to {hi}",
        "bounds_mean": "{lo} to {hi} on its scale",
        "p_with": " (adjusted p = {p} with {test})",
        "pairwise_tests": "the pairwise tests",
        "not_detectable": "No difference between {between} in “{outcome}” was detectable{p_text}; "
        "the {ci}% intervals of the pairwise differences still allow differences from {bounds}, "
        "so this is not evidence that {alike} are alike.",
        "alike_modes": "the modes",
        "alike_groups": "the groups",
        "alike_within": "“{outcome}”: {alike} are alike to within {points} (the {ci}% "
        "intervals of every pairwise difference lie within ±{margin}).",
        "points_one": "{margin} percentage point",
        "points_many": "{margin} percentage points",
    },
    "es": {
        "share": "Los participantes de «{a}» respondieron «{answer}» a «{outcome}» con {verb} "
        "frecuencia que los de «{b}»: {ea} frente a {eb} (diferencia de {d} puntos, IC del "
        "{ci}" + NBSP + "%: {lo} a {hi}).",
        "share_less": "menor",
        "share_more": "mayor",
        "ratio": "«{outcome}» fue {verb} en «{a}» que en «{b}»: {ea} frente a {eb} (diferencia "
        "{d}, IC del {ci}" + NBSP + "%: {lo} a {hi}; cocientes de totales).",
        "nps": "Los participantes de «{a}» dieron un Net Promoter Score {verb} que los de "
        "«{b}»: {ea} frente a {eb} (diferencia de {d} puntos, IC del {ci}" + NBSP + "%: {lo} a "
        "{hi}).",
        "mean": "Los participantes de «{a}» puntuaron {verb} en «{outcome}» que los de «{b}»: "
        "media {ea} frente a {eb} (diferencia {d}, IC del {ci}" + NBSP + "%: {lo} a {hi}).",
        "lower": "más bajo",
        "higher": "más alto",
        "suppressed": "Para «{outcome}», los resultados de {names} no se muestran al haber {why}.",
        "too_few_people": "respondido muy pocas personas",
        "too_few_records": "muy pocos registros que cuenten para ellos",
        "some_groups": "algunos grupos",
        "interval": "IC del {ci}" + NBSP + "%: {lo} a {hi}; {n} personas en ambas oleadas",
        "paired": "Entre las encuestas previa y posterior, las respuestas a «{outcome}» {verb} "
        "{x} en promedio ({interval}).",
        "rose": "subieron",
        "fell": "bajaron",
        "paired_chance": "Entre las encuestas previa y posterior, las respuestas a «{outcome}» "
        "cambiaron {x} en promedio ({interval}), pero el cambio no se distingue del azar una vez "
        "consideradas todas las comparaciones del análisis (Benjamini–Hochberg).",
        "paired_none": "No se detectó ningún cambio entre las encuestas previa y posterior en "
        "«{outcome}» (cambio medio {x}, {interval}).",
        "adjusted": "Tras ajustar por {covariates}, las respuestas a «{outcome}» siguen "
        "difiriendo entre {between} (asociación ajustada; p ajustado = {p}).",
        "adjusted_none": "Tras ajustar por {covariates}, no se detectó ninguna diferencia entre "
        "{between} en «{outcome}» (asociación ajustada).",
        "bounds_share": "{lo} a {hi} puntos porcentuales",
        "bounds_nps": "{lo} a {hi} puntos NPS",
        "bounds_ratio": "{lo} a {hi}",
        "bounds_mean": "{lo} a {hi} en su escala",
        "p_with": " (p ajustado = {p} con {test})",
        "pairwise_tests": "las pruebas por pares",
        "not_detectable": "No se detectó ninguna diferencia entre {between} en "
        "«{outcome}»{p_text}; los intervalos del {ci}" + NBSP + "% de las diferencias por "
        "pares aún admiten diferencias de {bounds}, así que esto no demuestra que {alike} "
        "sean equivalentes.",
        "alike_modes": "las modalidades",
        "alike_groups": "los grupos",
        "alike_within": "«{outcome}»: {alike} son similares con un margen de {points} (los "
        "intervalos del {ci}\u00a0% de todas las diferencias por pares están dentro de ±{margin}).",
        "points_one": "{margin} punto porcentual",
        "points_many": "{margin} puntos porcentuales",
    },
}


# a null finding whose intervals all lie within this many percentage points of no difference
# reads "alike to within 1 point" rather than "not evidence that the modes are alike"
ALIKE_WITHIN_POINTS = 1


def _pct(x: float, language: str = "en") -> str:
    return f"{100 * x:.0f}" + (NBSP + "%" if language == "es" else "%")


def _num(x: float, digits: int = 1) -> str:
    """``x`` to ``digits`` decimals, with more when that would round a non-zero to 0.

    An interval bound of −0.004 points printed "0" reads as "no difference" for a
    significant one; it is printed −0.004 (as many decimals as it takes, up to six), and 0
    is never signed.

    >>> _num(-0.004, 0), _num(-17.6, 0), _num(0.0, 0), _num(-0.0001, 2)
    ('−0.004', '−18', '0', '−0.0001')
    """
    text = f"{x:.{digits}f}"
    while float(text) == 0 and x != 0 and digits < 6:
        digits += 1
        text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "−")


def _signed(x: float, digits: int = 1) -> str:
    return ("+" if x > 0 else "") + _num(x, digits)


_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def rae_grouping(text: str) -> str:
    """English digit grouping (``12,346``) as the RAE's Ortografía (2010) writes it: a
    non-breaking space between groups from five digits on, none below (reports use it too).

    >>> rae_grouping("1,284,000 and 1,140 and 0.25")
    '1\\xa0284\\xa0000 and 1140 and 0.25'
    """

    def group(match: re.Match[str]) -> str:
        digits = match.group(0).replace(",", "")
        return digits if len(digits) <= 4 else match.group(0).replace(",", NBSP)

    return _GROUPED.sub(group, text)


def _amount(x: float, signed: bool = False, language: str = "en") -> str:
    """2 decimals with thousands separators (ratios such as cost per attendee), grouped as
    Spanish reports write them in Spanish."""
    text = f"{x:+,.2f}" if signed and x != 0 else f"{x:,.2f}"
    if language == "es":
        text = rae_grouping(text)
    return text.replace("-", "−")


def _is_share(name: str) -> bool:
    return name.startswith("share") or name.startswith("top")


def _answer(share_name: str) -> str:
    """'top-2-box (Agree or Strongly agree)' -> 'Agree or Strongly agree'; 'share Yes' -> 'Yes'."""
    if "(" in share_name and share_name.endswith(")"):
        return share_name[share_name.index("(") + 1 : -1]
    return share_name.removeprefix("share ")


def _sentence_difference(
    row: dict[str, Any], outcome_label: str, groups: dict[str, str], ci: int, language: str = "en"
) -> str:
    words = PHRASES[language]
    a, b = groups.get(row["group_a"], row["group_a"]), groups.get(row["group_b"], row["group_b"])
    diff, low, high = row["difference"], row["difference_ci_low"], row["difference_ci_high"]
    lower = diff < 0
    name = str(row["estimate_name"])
    common = {"a": a, "b": b, "outcome": outcome_label, "ci": ci}
    if _is_share(name):
        answer = _answer(name)
        if language == "es":  # the engine names top-2-box levels "A or B"
            answer = answer.replace(" or ", " o ")
        return words["share"].format(
            **common,
            answer=answer,
            verb=words["share_less" if lower else "share_more"],
            ea=_pct(row["estimate_a"], language),
            eb=_pct(row["estimate_b"], language),
            d=_signed(100 * diff, 0),
            lo=_num(100 * low, 0),
            hi=_num(100 * high, 0),
        )
    verb = words["lower" if lower else "higher"]
    if row.get("outcome_type") == "ratio":
        return words["ratio"].format(
            **common,
            verb=verb,
            ea=_amount(row["estimate_a"], language=language),
            eb=_amount(row["estimate_b"], language=language),
            d=_amount(diff, signed=True, language=language),
            lo=_amount(low, language=language),
            hi=_amount(high, language=language),
        )
    if name == "NPS":
        return words["nps"].format(
            **common,
            verb=verb,
            ea=_num(row["estimate_a"], 0),
            eb=_num(row["estimate_b"], 0),
            d=_signed(diff, 0),
            lo=_num(low, 0),
            hi=_num(high, 0),
        )
    return words["mean"].format(
        **common,
        verb=verb,
        ea=_num(row["estimate_a"], 2),
        eb=_num(row["estimate_b"], 2),
        d=_signed(diff, 2),
        lo=_num(low, 2),
        hi=_num(high, 2),
    )


def findings(
    comparisons: pd.DataFrame,
    pairwise: pd.DataFrame,
    outcome_labels: dict[str, str],
    group_labels: dict[str, str],
    alpha: float = 0.05,
    language: str = "en",
    between: str | None = None,
) -> pd.DataFrame:
    """Sentences for notable results; columns ``outcome, kind, group_a, group_b, p_fdr, sentence``.

    ``language`` is ``en`` or ``es`` (anything else: English); labels come in already
    translated (the instrument's texts in that language). ``between`` names what the groups
    are in that language ("years", "engagement types"; default the modes), from the
    breakdown (:meth:`evalkit.analyze.breakdown.Breakdown.between_words`).

    ``kind`` is ``difference`` (a detectable pairwise difference), ``not_detectable`` (the
    outcome showed no detectable difference), ``change`` (pre/post), ``adjusted`` (the
    covariate-adjusted
    comparison) or ``suppressed`` (groups too small to show).
    """
    ci = round(100 * (1 - alpha))
    language = language if language in LANGUAGES else "en"
    words = PHRASES[language]
    modes = MODES[language]
    between = between or modes
    alike = words["alike_modes" if between == modes else "alike_groups"]
    rows: list[dict[str, Any]] = []
    # plain dicts: a few dozen small rows, where pandas' per-call overhead would dominate
    pairs_by_outcome: dict[str, list[dict[str, Any]]] = {}
    for pair in pairwise.to_dict(orient="records"):
        pairs_by_outcome.setdefault(pair["outcome"], []).append(pair)
    for comp in comparisons.to_dict(orient="records"):
        outcome = comp["outcome"]
        label = outcome_labels.get(outcome, outcome)
        regression = _is_adjusted(comp)
        pw = [r for r in pairs_by_outcome.get(outcome, []) if _is_adjusted(r) == regression]
        if regression:
            rows.append(_adjusted_sentence(comp, label, alpha, language, between))
            continue
        if comp["group_var"] == "wave":
            if comp["test"] == "paired t-test" and not comp["suppressed"]:
                rows.append(_paired_sentence(comp, label, alpha, ci, language))
            continue
        shown = [r for r in pw if not r["suppressed"]]
        omnibus_p = comp["p_fdr"]
        omnibus_ok = omnibus_p is None or math.isnan(omnibus_p) or omnibus_p < alpha
        # a pair is notable when the outcome's omnibus test (if any) is significant after BH
        # and the pair is significant after Holm within the outcome's family, and the
        # difference shown in the sentence has an interval that excludes 0 in the same direction
        significant = [r for r in shown if _notable(r, alpha)] if omnibus_ok else []
        for row in significant:
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "difference",
                    "group_a": row["group_a"],
                    "group_b": row["group_b"],
                    "p_fdr": row["p_fdr"],
                    "sentence": _sentence_difference(row, label, group_labels, ci, language),
                }
            )
        omnibus_ns = omnibus_p is not None and not math.isnan(omnibus_p) and omnibus_p >= alpha
        pairwise_only = comp["outcome_type"] in ("nps", "ratio")  # no omnibus test
        pairs_ns = pairwise_only and shown and not significant
        if (omnibus_ns or pairs_ns) and shown:
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "not_detectable",
                    "group_a": "",
                    "group_b": "",
                    "p_fdr": omnibus_p,
                    "sentence": _sentence_not_detectable(
                        comp, shown, label, ci, language, between, alike
                    ),
                }
            )
        if any(r["suppressed"] for r in pw):
            names = sorted(
                {group_labels.get(g, g) for g in _hidden_groups(comp)} or {words["some_groups"]}
            )
            rows.append(
                {
                    "outcome": outcome,
                    "kind": "suppressed",
                    "group_a": "",
                    "group_b": "",
                    "p_fdr": np.nan,
                    "sentence": words["suppressed"].format(
                        outcome=label,
                        names=", ".join(names),
                        why=words[
                            "too_few_records"
                            if comp["outcome_type"] == "ratio"
                            else "too_few_people"
                        ],
                    ),
                }
            )
    return tidy("findings", rows)


def _paired_sentence(
    comp: dict[str, Any], label: str, alpha: float, ci: int, language: str = "en"
) -> dict[str, Any]:
    words = PHRASES[language]
    p, est = comp["p_fdr"], comp["effect"]
    low, high = comp["effect_ci_low"], comp["effect_ci_high"]
    interval = words["interval"].format(ci=ci, lo=_num(low, 2), hi=_num(high, 2), n=comp["n"])
    if p is not None and not math.isnan(p) and p < alpha and (low > 0 or high < 0):
        text = words["paired"].format(
            outcome=label,
            verb=words["rose" if est > 0 else "fell"],
            x=_num(abs(est), 2),
            interval=interval,
        )
    elif low > 0 or high < 0:
        # the unadjusted interval excludes 0, but the change does not survive the
        # multiplicity adjustment: say both, so the sentence never contradicts its numbers
        text = words["paired_chance"].format(outcome=label, x=_signed(est, 2), interval=interval)
    else:
        text = words["paired_none"].format(outcome=label, x=_signed(est, 2), interval=interval)
    return {
        "outcome": comp["outcome"],
        "kind": "change",
        "group_a": "",
        "group_b": "",
        "p_fdr": p,
        "sentence": text,
    }


def _adjusted_sentence(
    comp: dict[str, Any], label: str, alpha: float, language: str, between: str
) -> dict[str, Any]:
    words = PHRASES[language]
    covariates = str(comp["note"]).split("covariates: ", 1)[-1].rstrip(")")
    p = comp["p_fdr"]
    if p is not None and not math.isnan(p) and p < alpha:
        text = words["adjusted"].format(
            covariates=covariates, outcome=label, p=f"{p:.3f}", between=between
        )
    else:
        text = words["adjusted_none"].format(covariates=covariates, outcome=label, between=between)
    return {
        "outcome": comp["outcome"],
        "kind": "adjusted",
        "group_a": "",
        "group_b": "",
        "p_fdr": p,
        "sentence": text,
    }


def _number(value: Any) -> float:
    return float("nan") if value is None or value is pd.NA else float(value)


def _is_adjusted(row: dict[str, Any]) -> bool:
    note = row.get("note")
    return isinstance(note, str) and note.startswith("adjusted association (covariates")


def _notable(pair: dict[str, Any], alpha: float) -> bool:
    low, high = _number(pair["difference_ci_low"]), _number(pair["difference_ci_high"])
    return _number(pair["p_holm"]) < alpha and (low > 0 or high < 0)


def _hidden_groups(comp: dict[str, Any]) -> set[str]:
    note = str(comp.get("note") or "")
    if "suppressed groups left out: " in note:
        part = note.split("suppressed groups left out: ", 1)[1].split(";", 1)[0]
        return {g.strip() for g in part.split(",") if g.strip()}
    return set()


def _sentence_not_detectable(
    comp: dict[str, Any],
    shown: list[dict[str, Any]],
    label: str,
    ci: int,
    language: str,
    between: str,
    alike: str,
) -> str:
    words = PHRASES[language]
    name = str(shown[0]["estimate_name"])
    lows = [x for r in shown if not math.isnan(x := _number(r["difference_ci_low"]))]
    highs = [x for r in shown if not math.isnan(x := _number(r["difference_ci_high"]))]
    low = min(lows) if lows else float("nan")
    high = max(highs) if highs else float("nan")
    if _is_share(name) and max(abs(low), abs(high)) <= ALIKE_WITHIN_POINTS / 100:
        # so narrow that the modes are alike for any practical purpose: say so
        margin = ALIKE_WITHIN_POINTS
        points = words["points_one" if margin == 1 else "points_many"].format(margin=margin)
        return words["alike_within"].format(
            outcome=label, alike=alike, points=points, margin=margin, ci=ci
        )
    if _is_share(name):
        bounds = words["bounds_share"].format(lo=_num(100 * low, 0), hi=_signed(100 * high, 0))
    elif name == "NPS":
        bounds = words["bounds_nps"].format(lo=_num(low, 0), hi=_signed(high, 0))
    elif comp["outcome_type"] == "ratio":
        bounds = words["bounds_ratio"].format(
            lo=_amount(low, language=language), hi=_amount(high, signed=True, language=language)
        )
    else:
        bounds = words["bounds_mean"].format(lo=_num(low, 2), hi=_signed(high, 2))
    test = (
        comp["test"]
        if isinstance(comp["test"], str) and not comp["test"].startswith("none")
        else words["pairwise_tests"]
    )
    p = comp["p_fdr"]
    p_text = (
        words["p_with"].format(p=f"{p:.2f}", test=test)
        if p is not None and not math.isnan(p)
        else ""
    )
    return words["not_detectable"].format(
        outcome=label, p_text=p_text, ci=ci, bounds=bounds, between=between, alike=alike
    )
