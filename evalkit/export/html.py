"""A printable paper questionnaire: one self-contained HTML file (no scripts, no links).

Jinja2 renders it with autoescaping on, so any text from an instrument (``<script>``
included) is shown as text, never run. Check boxes for several answers, round boxes for
one, number boxes and write-in lines; the item id and each option's stored value are
printed small so that data entry (``csv-template``) is quick. Print CSS keeps each question
on one page. The words around the questions come in English or Spanish (others: English).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from evalkit._version import __version__
from evalkit.export._common import ExportResult
from evalkit.instrument.model import Instrument, Item
from evalkit.instrument.render import check_language, describe_condition
from evalkit.io import write_text_atomic

_WORDS = {
    "en": {
        "form_number": "Form number",
        "instructions": "Please answer each question by ticking a box or writing in the space. "
        "Skip a question only when it says so.",
        "ask_if": "Answer only if",
        "tick_all": "Tick all that apply.",
        "required": "Please answer this question.",
    },
    "es": {
        "form_number": "Número de formulario",
        "instructions": "Responda cada pregunta marcando una casilla o escribiendo en el "
        "espacio. Omita una pregunta solo cuando así se indique.",
        "ask_if": "Responda solo si",
        "tick_all": "Marque todas las que correspondan.",
        "required": "Por favor responda esta pregunta.",
    },
}


@cache
def _template() -> Any:
    from jinja2 import Environment

    source = (
        resources.files("evalkit.export").joinpath("templates/paper.html.j2").read_text("utf-8")
    )
    environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(source)


def _item_view(instrument: Instrument, item: Item, number: int, lang: str) -> dict[str, Any]:
    expr = instrument.relevance(item)
    low, high = item.bounds
    choices = instrument.choices_for(item)
    if item.type == "nps":
        choice_views = [{"label": str(n), "value": n} for n in range(11)]
    else:
        choice_views = [{"label": c.label.get(lang), "value": c.name} for c in choices or ()]
    digits = len(f"{high:g}") if high is not None else 5
    return {
        "id": item.id,
        "number": number,
        "type": item.type,
        "text": item.text.get(lang),
        "hint": item.hint.get(lang) if item.hint else None,
        "required": item.required,
        "condition": describe_condition(expr, instrument, lang) if expr is not None else None,
        "choices": choice_views,
        "multiple": item.type == "select_multiple",
        "horizontal": item.type in ("likert", "nps") and len(choice_views) <= 11,
        "cells": max(2, min(digits + (2 if item.type == "decimal" else 0), 10)),
        "unit": item.unit,
        "range": None
        if low is None and high is None
        else f"{'' if low is None else f'{low:g}'}–{'' if high is None else f'{high:g}'}",
        "long": item.type == "text" and item.role == "outcome",
    }


def paper_html(instrument: Instrument, lang: str | None = None) -> str:
    """The paper questionnaire as HTML text in one language.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> html = paper_html(load_instrument("post_engagement"), "es")
    >>> "¿Cómo participó en este encuentro?" in html, "<script" in html
    (True, False)
    """
    lang = check_language(instrument, lang)
    sections: list[dict[str, Any]] = []
    current: object = object()
    for number, item in enumerate(instrument.items, start=1):
        if item.section != current:
            current = item.section
            title = instrument.section(item.section).title.get(lang) if item.section else None
            sections.append({"title": title, "items": []})
        sections[-1]["items"].append(_item_view(instrument, item, number, lang))
    return _template().render(
        lang=lang,
        title=instrument.title.get(lang),
        purpose=instrument.purpose.get(lang) if instrument.purpose else None,
        instrument_id=instrument.id,
        version=instrument.version,
        sections=sections,
        words=_WORDS.get(lang.split("-")[0], _WORDS["en"]),
        evalkit_version=__version__,
    )


def export_html(instrument: Instrument, path: str | Path, lang: str | None = None) -> ExportResult:
    """Write the paper questionnaire (atomically)."""
    write_text_atomic(path, paper_html(instrument, lang))
    return ExportResult("html", Path(path))
