"""Qualtrics "Advanced Format" TXT, plus a value map for choices whose values are not numbers.

Each item becomes a question whose export tag is the item id (``[[ID:item_id]]``), and each
choice gets its recode value with ``[[AdvancedChoices]]``/``[[Choice:n]]``. Qualtrics recode
values are numbers: integer choice values are used as they are; other values (``in_person``)
get the numbers after the list's largest integer, in order, and the side file
``<name>.values.csv`` (columns ``item_id, recode, value, label``) records the mapping so
ingest can turn recodes back into evalkit values. The TXT format has no skip logic or
response requirements: the result's notes list the items whose logic must be re-added.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.export._common import ExportResult, cell, html_text
from evalkit.instrument.model import ChoiceList, Instrument, Item
from evalkit.instrument.render import check_language, describe_condition
from evalkit.io import write_text_atomic

_QUESTION_TYPES = {
    "select_one": "MC:SingleAnswer:Vertical",
    "likert": "MC:SingleAnswer:Horizontal",
    "nps": "MC:SingleAnswer:Horizontal",
    "select_multiple": "MC:MultipleAnswer:Vertical",
    "integer": "TE:SingleLine",
    "decimal": "TE:SingleLine",
    "date": "TE:SingleLine",
    "text": "TE:SingleLine",
}
VALUE_MAP_COLUMNS = ("item_id", "recode", "value", "label")


def _line(text: str) -> str:
    """One line of TXT: no line breaks, no ``[[`` that would start a tag, HTML escaped
    (Qualtrics shows question and choice text as HTML)."""
    return html_text(" ".join(text.split()).replace("[[", "[ [").replace("]]", "] ]")) or ""


def recodes(choices: ChoiceList) -> list[tuple[int, str]]:
    """(recode, value) for each choice: integers as they are, others numbered after them.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> recodes(inst.choice_list("agree5"))[-2:]
    [(5, '5'), (6, 'na')]
    >>> recodes(inst.choice_list("mode"))[:2]
    [(1, 'in_person'), (2, 'virtual')]
    """
    numbers = [c.value for c in choices if isinstance(c.value, int)]
    following = max([0, *numbers]) + 1
    out = []
    for choice in choices:
        if isinstance(choice.value, int):
            out.append((choice.value, choice.name))
        else:
            out.append((following, choice.name))
            following += 1
    return out


def _question(instrument: Instrument, item: Item, lang: str) -> list[str]:
    text = _line(item.text.get(lang))
    if item.hint:
        text += " " + _line(f"({item.hint.get(lang)})")
    lines = [f"[[Question:{_QUESTION_TYPES[item.type]}]]", f"[[ID:{item.id}]]", text]
    if item.type == "nps":
        lines.append("[[AdvancedChoices]]")
        for number in range(11):
            lines += [f"[[Choice:{number}]]", str(number)]
    choices = instrument.choices_for(item)
    if choices is not None:
        labels = {c.name: c.label.get(lang) for c in choices}
        lines.append("[[AdvancedChoices]]")
        for recode, value in recodes(choices):
            lines += [f"[[Choice:{recode}]]", _line(labels[value])]
    return lines


def qualtrics_text(instrument: Instrument, lang: str | None = None) -> str:
    """The Advanced Format TXT of an instrument, in one language."""
    lang = check_language(instrument, lang)
    lines = ["[[AdvancedFormat]]"]
    current: object = object()
    for item in instrument.items:
        if item.section != current:
            current = item.section
            title = (
                instrument.section(item.section).title.get(lang)
                if item.section
                else instrument.title.get(lang)
            )
            lines += ["", f"[[Block:{_line(title)}]]"]
        lines += ["", *_question(instrument, item, lang)]
    return "\n".join(lines) + "\n"


def value_map_rows(
    instrument: Instrument, lang: str | None = None
) -> list[tuple[str, int, str, str]]:
    """Rows ``(item_id, recode, value, label)`` for every choice of every choice item."""
    lang = check_language(instrument, lang)
    rows = []
    for item in instrument.items:
        choices = instrument.choices_for(item)
        if choices is None:
            continue
        labels = {c.name: c.label.get(lang) for c in choices}
        rows += [(item.id, recode, value, labels[value]) for recode, value in recodes(choices)]
    return rows


def manual_steps(instrument: Instrument, lang: str | None = None) -> tuple[str, ...]:
    """What the office must add in Qualtrics by hand after importing the TXT."""
    lang = check_language(instrument, lang)
    notes = []
    for item in instrument.items:
        expr = instrument.relevance(item)
        if expr is not None:
            notes.append(
                f"add display logic to {item.id}: show if "
                f"{describe_condition(expr, instrument, lang)} (evalkit: {item.relevant})"
            )
    required = [item.id for item in instrument.items if item.required]
    if required:
        notes.append(f"turn on 'Force response' for: {', '.join(required)}")
    numeric = [
        f"{item.id} ({'whole number' if item.type in ('integer',) else item.type})"
        for item in instrument.items
        if item.type in ("integer", "decimal", "date")
    ]
    if numeric:
        notes.append(f"add content validation (number/date) to: {', '.join(numeric)}")
    return tuple(notes)


def export_qualtrics(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the Advanced Format TXT and its ``.values.csv`` side file (both atomically).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "pe.txt"
    >>> result = export_qualtrics(load_instrument("post_engagement"), out)
    >>> [p.name for p in result.extra_files], result.notes[0][:38]
    (['pe.values.csv'], 'add display logic to next_step_types: ')
    """
    path = Path(path)
    side = path.with_name(path.stem + ".values.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(VALUE_MAP_COLUMNS)
    writer.writerows([cell(v) for v in row] for row in value_map_rows(instrument, lang))
    text = qualtrics_text(instrument, lang)
    write_text_atomic(side, buffer.getvalue())
    write_text_atomic(path, text)
    return ExportResult("qualtrics", path, (side,), manual_steps(instrument, lang))
