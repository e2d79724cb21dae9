"""Plain-text views of an instrument: the readable questionnaire and the summary row."""

from __future__ import annotations

import textwrap
from typing import Any

from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument, Item
from evalkit.instrument.relevant import And, Compare, Expr, Not, Or, Selected

_TYPE_WORDS = {
    "select_one": "choose one",
    "select_multiple": "tick all that apply",
    "likert": "choose one",
    "integer": "whole number",
    "decimal": "number",
    "nps": "0 to 10",
    "text": "write in",
    "date": "date (YYYY-MM-DD)",
}


def check_language(instrument: Instrument, lang: str | None) -> str:
    """The language to use; UsageError when the instrument does not have it."""
    if lang is None:
        return instrument.default_language
    if lang not in instrument.languages:
        raise UsageError(
            f"{instrument.id} has no {lang!r} wording",
            hint=f"use one of: {', '.join(instrument.languages)}",
        )
    return lang


def summary(instrument: Instrument) -> dict[str, Any]:
    """One row describing an instrument (``evalkit instrument list``)."""
    return {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title.get(),
        "kind": instrument.kind,
        "languages": list(instrument.languages),
        "items": len(instrument.items),
        "outcomes": len(instrument.outcomes),
        "scales": len(instrument.scales),
        "respondent": instrument.respondent,
        "timing": instrument.timing,
    }


def describe_condition(expr: Expr, instrument: Instrument, lang: str) -> str:
    """Skip logic in words: ``Ask if mode is "Virtual" or ...``."""
    if isinstance(expr, Compare):
        label = _choice_label(instrument, expr.item, expr.value, lang)
        words = {"==": "is", "!=": "is not", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        return f"{expr.item} {words[expr.op]} {label}"
    if isinstance(expr, Selected):
        return f"{expr.item} includes {_choice_label(instrument, expr.item, expr.choice, lang)}"
    if isinstance(expr, Not):
        return f"not ({describe_condition(expr.operand, instrument, lang)})"
    joiner = " and " if isinstance(expr, And) else " or "
    parts = [describe_condition(op, instrument, lang) for op in expr.operands]
    return joiner.join(
        f"({p})" if isinstance(op, And | Or) else p
        for p, op in zip(parts, expr.operands, strict=True)
    )


def _choice_label(instrument: Instrument, item_id: str, value: object, lang: str) -> str:
    choices = instrument.choices_for(item_id) if instrument.has_item(item_id) else None
    choice = choices.find(value) if choices else None
    return f'"{choice.label.get(lang)}"' if choice else repr(value)


def questionnaire_text(instrument: Instrument, lang: str | None = None, width: int = 88) -> str:
    """The questionnaire as a person reads it: sections, numbered questions, answer options.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> text = questionnaire_text(load_instrument("post_engagement"), "es")
    >>> "¿Cómo participó en este encuentro?" in text
    True
    """
    lang = check_language(instrument, lang)
    lines = [f"{instrument.title.get(lang)}  ({instrument.id} {instrument.version}, {lang})"]
    lines.append("=" * min(width, len(lines[0])))
    if instrument.purpose:
        lines += textwrap.wrap(instrument.purpose.get(lang), width)
    for label, value in (("Respondent", instrument.respondent), ("Timing", instrument.timing)):
        if value:
            lines.append(f"{label}: {value}")
    current_section: str | None = None
    for number, item in enumerate(instrument.items, start=1):
        if item.section and item.section != current_section:
            current_section = item.section
            title = instrument.section(item.section).title.get(lang)
            lines += ["", title, "-" * len(title)]
        lines += ["", *_item_lines(instrument, item, number, lang, width)]
    return "\n".join(lines) + "\n"


def _item_lines(
    instrument: Instrument, item: Item, number: int, lang: str, width: int
) -> list[str]:
    flags = [_TYPE_WORDS[item.type]]
    if item.required:
        flags.append("required")
    if item.role:
        flags.append(item.role)
    if item.pii:
        flags.append("personal data")
    head = f"{number:>2}. {item.text.get(lang)}"
    lines = textwrap.wrap(head, width, subsequent_indent="    ")
    lines.append(f"    [{item.id}: {', '.join(flags)}]")
    if item.hint:
        lines += textwrap.wrap(
            item.hint.get(lang), width, initial_indent="    ", subsequent_indent="    "
        )
    expr = instrument.relevance(item)
    if expr is not None:
        lines.append(f"    Ask if {describe_condition(expr, instrument, lang)}")
    choices = instrument.choices_for(item)
    if choices is not None:
        box = "[ ]" if item.type == "select_multiple" else "( )"
        lines += [f"      {box} {c.label.get(lang)}  = {c.name}" for c in choices]
    low, high = item.bounds
    if item.is_numeric and (low is not None or high is not None):
        unit = f" {item.unit}" if item.unit else ""
        low_text = "" if low is None else f"{low:g}"
        high_text = "" if high is None else f"{high:g}"
        lines.append(f"      range {low_text}..{high_text}{unit}")
    return lines
