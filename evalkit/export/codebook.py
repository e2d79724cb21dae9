"""A Markdown codebook: every item with its id, wording, type, choices and skip logic.

For platforms without an import format (Google Forms, Microsoft Forms) a person builds the
form from the codebook. Their exports use the question text as the column header and the
choice label as the cell value, so the codebook asks for both to be copied exactly; ingest
matches them back to item ids and choice values.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.export._common import ExportResult
from evalkit.instrument.model import Instrument, Item
from evalkit.instrument.render import check_language, describe_condition
from evalkit.io import write_text_atomic

_TYPE_WORDS = {
    "select_one": "Multiple choice (one answer)",
    "likert": "Multiple choice (one answer; keep the order) / Linear scale",
    "select_multiple": "Checkboxes (several answers)",
    "integer": "Short answer, whole number",
    "decimal": "Short answer, number",
    "nps": "Linear scale 0 to 10",
    "text": "Short answer or paragraph",
    "date": "Date",
}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md(text: str) -> str:
    """Text safe inside Markdown (and HTML rendered from it): specials escaped.

    Examples
    --------
    >>> md("<script>alert(1)</script> | *x*")
    '\\\\<script\\\\>alert(1)\\\\</script\\\\> \\\\| \\\\*x\\\\*'
    """
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _item_block(instrument: Instrument, item: Item, number: int, lang: str) -> list[str]:
    lines = [f"### {number}. `{item.id}`", "", f"**{md(item.text.get(lang))}**", ""]
    facts = [f"Type: {_TYPE_WORDS[item.type]}", f"Required: {'yes' if item.required else 'no'}"]
    if item.role == "outcome":
        facts.append("**Outcome** (compared across modes in the analysis)")
    elif item.role:
        facts.append(f"Role: {item.role}")
    if item.pii:
        facts.append("Personal data: kept out of every report")
    low, high = item.bounds
    if item.is_numeric and (low is not None or high is not None):
        low_text = "" if low is None else f"{low:g}"
        high_text = "" if high is None else f"{high:g}"
        unit = f" {md(item.unit)}" if item.unit else ""
        facts.append(f"Allowed: {low_text} to {high_text}{unit}")
    if item.hint:
        facts.append(f"Help text: {md(item.hint.get(lang))}")
    expr = instrument.relevance(item)
    if expr is not None:
        facts.append(
            f"Ask only if: {md(describe_condition(expr, instrument, lang))} (`{item.relevant}`)"
        )
    lines += [f"- {fact}" for fact in facts]
    choices = instrument.choices_for(item)
    if choices is not None:
        lines += ["", "| Option text (copy exactly) | Value |", "|---|---|"]
        for choice in choices:
            missing = " (not applicable / no answer)" if choice.missing else ""
            lines.append(f"| {md(choice.label.get(lang))} | `{choice.name}`{missing} |")
    return [*lines, ""]


def codebook_markdown(instrument: Instrument, lang: str | None = None) -> str:
    """The codebook as Markdown text in one language."""
    lang = check_language(instrument, lang)
    lines = [
        f"# {md(instrument.title.get(lang))}",
        "",
        f"Codebook of evalkit instrument `{instrument.id}` version {instrument.version} ({lang}).",
        "",
    ]
    if instrument.purpose:
        lines += [md(instrument.purpose.get(lang)), ""]
    lines += [
        "## Building this survey in Google Forms or Microsoft Forms",
        "",
        "1. Add the questions in this order, one per item below.",
        "2. Copy each question text and each option text **exactly** (same words, same",
        "   punctuation): the response export uses them as column headers and cell values,",
        "   and evalkit matches them back to the item ids and values below.",
        "3. Use the question type given; mark required questions as required.",
        "4. Google/Microsoft Forms cannot hide questions from the data: where an item says",
        "   *Ask only if*, use sections with 'go to section based on answer', or add",
        "   '(skip if ...)' to the question text. evalkit treats answers given where the",
        "   condition is false as not shown.",
        "5. Do not add options that are not listed; an 'Other' text box is not read back.",
        "",
    ]
    current: str | None = None
    for number, item in enumerate(instrument.items, start=1):
        if item.section and item.section != current:
            lines += [f"## {md(instrument.section(item.section).title.get(lang))}", ""]
        current = item.section
        lines += _item_block(instrument, item, number, lang)
    return "\n".join(lines).rstrip() + "\n"


def export_codebook(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the Markdown codebook (atomically)."""
    write_text_atomic(path, codebook_markdown(instrument, lang))
    return ExportResult("codebook", Path(path))
