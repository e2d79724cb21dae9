"""The community programme before and after: the report's pre/post section.

Residents answer the community-programme survey before the programme (``wave: pre``) and
after it (``wave: post``); :func:`evalkit.analyze.paired.analyze_paired` matches them on
their keyed participant code. :func:`pre_post_table` keeps the paired t-test of each
outcome (mean change post − pre with its 95% interval, the residents who answered both,
p and the Benjamini–Hochberg adjusted p) as the report table ``pre_post``;
:func:`pre_post_section` says it in words. An outcome with fewer than ``min_cell`` pairs
is shown as suppressed, without its n.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evalkit.instrument.model import Instrument
from evalkit.report.document import Block, Section
from evalkit.report.model import ReportData
from evalkit.report.text import DASH, fmt, fmt_ci, fmt_p, missing

KEY = "participant_code__key"  # ingest keeps personal codes only as a keyed hash

WORDS = {
    "en": {
        "heading": "The community programme: before and after",
        "intro": "Residents answered the same questions before and after the programme. Only "
        "residents who answered both times are compared, so the change is theirs, not a "
        "difference between two groups of people. A change is called clear when it is "
        "unlikely to be chance after allowing for the number of questions (adjusted p "
        "below 0.05). Without a comparison group the change cannot be credited to the "
        "programme alone.",
        "rose": "“{label}”: answers rose by {change} points on average ({ci}, {n} residents).",
        "fell": "“{label}”: answers fell by {change} points on average ({ci}, {n} residents).",
        "none": "No question shows a clear change.",
        "question": "Question",
        "pairs": "Residents (both times)",
        "change": "Average change",
        "ci": "95% CI",
        "p": "p (adjusted)",
        "suppressed": "suppressed (too few residents)",
    },
    "es": {
        "heading": "El programa comunitario: antes y después",
        "intro": "Los residentes respondieron las mismas preguntas antes y después del "
        "programa. Solo se comparan quienes respondieron las dos veces, así que el cambio "
        "es suyo, no una diferencia entre dos grupos de personas. Un cambio se dice claro "
        "cuando difícilmente se debe al azar teniendo en cuenta el número de preguntas (p "
        "ajustado menor que 0,05). Sin grupo de comparación, el cambio no puede atribuirse "
        "solo al programa.",
        "rose": "«{label}»: las respuestas subieron {change} puntos en promedio ({ci}, "
        "{n} residentes).",
        "fell": "«{label}»: las respuestas bajaron {change} puntos en promedio ({ci}, "
        "{n} residentes).",
        "none": "Ninguna pregunta muestra un cambio claro.",
        "question": "Pregunta",
        "pairs": "Residentes (ambas veces)",
        "change": "Cambio medio",
        "ci": "IC 95%",
        "p": "p (ajustado)",
        "suppressed": "suprimido (muy pocos residentes)",
    },
}


def _labels(instrument: Instrument, lang: str) -> dict[str, str]:
    language = lang if lang in instrument.languages else instrument.default_language
    labels = {item.id: item.text.get(language) for item in instrument.items}
    for scale in instrument.scales:
        if scale.label is not None:
            labels[scale.id] = scale.label.get(language)
    return labels


def pre_post_table(
    frame: pd.DataFrame | None, instrument: Instrument, lang: str = "en", min_cell: int = 10,
    seed: int = 0,
) -> pd.DataFrame | None:  # fmt: skip
    """The paired pre/post comparison of each outcome, or None without both waves."""
    from evalkit.analyze import AnalysisOptions
    from evalkit.analyze.paired import analyze_paired

    if frame is None or "wave" not in frame.columns:
        return None
    wave = frame["wave"].astype("string")
    pre, post = frame[(wave == "pre").fillna(False)], frame[(wave == "post").fillna(False)]
    if not len(pre) or not len(post):
        return None
    key = KEY if KEY in frame.columns else None
    result = analyze_paired(pre, post, instrument, AnalysisOptions(seed=seed, min_cell=min_cell),
                            key=key)  # fmt: skip
    labels = _labels(instrument, lang)
    rows = result.comparisons
    rows = rows[(rows["group_var"] == "wave") & (rows["test"] == "paired t-test")]
    out = pd.DataFrame(
        {
            "outcome": rows["outcome"],
            "label": rows["outcome"].map(lambda o: labels.get(str(o), str(o))),
            "n": rows["n"],
            "change": rows["effect"],
            "change_ci_low": rows["effect_ci_low"],
            "change_ci_high": rows["effect_ci_high"],
            "p_value": rows["p_value"],
            "p_fdr": rows["p_fdr"],
            "suppressed": rows["effect"].isna() | (rows["n"] < min_cell),
        }
    )
    return out.reset_index(drop=True)


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def _sentence(row: Any, w: dict[str, str]) -> str | None:
    if row.suppressed or missing(row.p_fdr) or float(row.p_fdr) >= 0.05:
        return None
    key = "rose" if float(row.change) > 0 else "fell"
    return w[key].format(
        label=str(row.label).strip().rstrip("?.:"), change=fmt(abs(float(row.change))),
        ci=f"{w['ci']} {fmt_ci(row.change_ci_low, row.change_ci_high, signed=True)}",
        n=int(row.n),
    )  # fmt: skip


def pre_post_section(data: ReportData) -> Section | None:
    """The section, or None when the period has no pre and post waves."""
    table = data.table("pre_post")
    if table.empty:
        return None
    w = _words(data.language)
    said = [s for s in (_sentence(r, w) for r in table.itertuples()) if s]
    rows = []
    for r in table.itertuples():
        if r.suppressed:
            rows.append([str(r.label), DASH, w["suppressed"], DASH, DASH])
            continue
        rows.append([
            str(r.label), str(int(r.n)), fmt(r.change, signed=True),
            fmt_ci(r.change_ci_low, r.change_ci_high, signed=True), fmt_p(r.p_fdr),
        ])  # fmt: skip
    blocks = [
        Block("p", text=w["intro"]),
        Block("list", items=said) if said else Block("p", text=w["none"]),
        Block(
            "table",
            header=[w["question"], w["pairs"], w["change"], w["ci"], w["p"]],
            rows=rows,
            numeric=[False, True, True, True, True],
        ),
    ]
    return Section("pre-post", w["heading"], blocks)
