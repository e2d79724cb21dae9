"""LimeSurvey tab-separated survey structure (``.txt``), with a rename map.

LimeSurvey question codes are letters and digits only, at most 20 characters, starting with
a letter; answer and subquestion codes at most 5. evalkit ids that break these rules are
renamed, and every rename is written to the side file ``<name>.codes.csv`` (columns
``item_id, value, code``; ``value`` is empty for a question) so that ingest maps
LimeSurvey's columns back to evalkit ids. All languages are written: the chosen language
first, then a translated block per other language, row for row (the TSV format's rule).
Skip logic is translated to ExpressionScript relevance (``mode.NAOK == "A2"``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from evalkit.export._common import ExportResult, cell, html_text, number_text
from evalkit.instrument.model import Instrument, Item
from evalkit.instrument.relevant import And, Compare, Expr, Not, Or, Selected, parse_relevant
from evalkit.instrument.render import check_language
from evalkit.io import write_text_atomic

COLUMNS = (
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "encrypted",
    "other",
    "default",
    "same_default",
    "min_num_value_n",
    "max_num_value_n",
    "num_value_int_only",
)
MAX_QUESTION_CODE = 20
MAX_ANSWER_CODE = 5
_TYPES = {
    "select_one": "L",
    "likert": "L",
    "select_multiple": "M",
    "integer": "N",
    "decimal": "N",
    "nps": "N",
    "text": "S",
    "date": "D",
}
_OPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _code(text: str, limit: int, taken: set[str], first_letter: bool) -> str:
    """A unique code of letters and digits, at most ``limit`` long."""
    base = re.sub(r"[^A-Za-z0-9]", "", text)
    if first_letter and not base[:1].isalpha():
        base = ("Q" if limit > MAX_ANSWER_CODE else "A") + base
    base = base[:limit] or "A"
    code, number = base, 1
    while code.lower() in taken:
        number += 1
        suffix = str(number)
        code = base[: limit - len(suffix)] + suffix
    taken.add(code.lower())
    return code


def code_map(instrument: Instrument) -> dict[tuple[str, str | None], str]:
    """``(item_id, None)`` -> question code; ``(item_id, value)`` -> answer/subquestion code.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> codes = code_map(load_instrument("post_engagement"))
    >>> codes[("would_attend_in_person", None)], codes[("mode", "hybrid_onsite")]
    ('wouldattendinperson', 'hybri')
    >>> codes[("mode", "hybrid_remote")], codes[("worth_time", "1")]
    ('hybr2', '1')
    """
    codes: dict[tuple[str, str | None], str] = {}
    questions: set[str] = set()
    for item in instrument.items:
        codes[(item.id, None)] = _code(item.id, MAX_QUESTION_CODE, questions, True)
        choices = instrument.choices_for(item)
        answers: set[str] = set()
        for choice in choices or ():
            first_letter = item.type == "select_multiple"  # subquestion codes become variables
            codes[(item.id, choice.name)] = _code(
                choice.name, MAX_ANSWER_CODE, answers, first_letter
            )
    return codes


def _relevance(expr: Expr, codes: dict[tuple[str, str | None], str], top: bool = True) -> str:
    if isinstance(expr, Compare):
        question = codes[(expr.item, None)]
        answer = codes.get((expr.item, str(expr.value)))
        if answer is not None:
            return f'{question}.NAOK {_OPS[expr.op]} "{answer}"'
        value = f'"{expr.value}"' if isinstance(expr.value, str) else number_text(expr.value)
        return f"{question}.NAOK {_OPS[expr.op]} {value}"
    if isinstance(expr, Selected):
        question = codes[(expr.item, None)]
        return f'{question}_{codes[(expr.item, expr.choice)]}.NAOK == "Y"'
    if isinstance(expr, Not):
        return f"!({_relevance(expr.operand, codes)})"
    joiner = " and " if isinstance(expr, And) else " or "
    text = joiner.join(_relevance(op, codes, top=False) for op in expr.operands)
    return text if top or not isinstance(expr, And | Or) else f"({text})"


def _text(text: str | None) -> str | None:
    """Text LimeSurvey shows: HTML escaped, and ``{ }`` as entities (its Expression Manager
    would run ``{...}`` in question text as an expression)."""
    escaped = html_text(text)
    return None if escaped is None else escaped.replace("{", "&#123;").replace("}", "&#125;")


def _question_rows(
    instrument: Instrument, item: Item, number: int, lang: str, codes: dict
) -> list[dict[str, object]]:
    low, high = item.bounds if item.is_numeric else (None, None)
    rows: list[dict[str, object]] = [
        {
            "id": number,
            "class": "Q",
            "type/scale": _TYPES[item.type],
            "name": codes[(item.id, None)],
            "relevance": _relevance(parse_relevant(item.relevant), codes) if item.relevant else "1",
            "text": _text(item.text.get(lang)),
            "help": _text(item.hint.get(lang)) if item.hint else None,
            "language": lang,
            "mandatory": "Y" if item.required else "N",
            "min_num_value_n": None if low is None else number_text(low),
            "max_num_value_n": None if high is None else number_text(high),
            "num_value_int_only": 1 if item.type in ("integer", "nps") else None,
        }
    ]
    for choice in instrument.choices_for(item) or ():
        rows.append(
            {
                "class": "SQ" if item.type == "select_multiple" else "A",
                "type/scale": 0,
                "name": codes[(item.id, choice.name)],
                "relevance": "1" if item.type == "select_multiple" else None,
                "text": _text(choice.label.get(lang)),
                "language": lang,
            }
        )
    return rows


def structure_rows(instrument: Instrument, lang: str | None = None) -> list[list[object]]:
    """The TSV rows (without the header): settings, then one block per language."""
    base = check_language(instrument, lang)
    languages = [base, *(code for code in instrument.languages if code != base)]
    codes = code_map(instrument)
    rows: list[dict[str, object]] = [
        {"class": "S", "name": "language", "text": base},
        {"class": "S", "name": "additional_languages", "text": " ".join(languages[1:])},
    ]
    for code in languages:
        rows.append(
            {
                "class": "SL",
                "name": "surveyls_title",
                "text": _text(instrument.title.get(code)),
                "language": code,
            }
        )
    for code in languages:
        current: object = object()
        group = 0
        for number, item in enumerate(instrument.items, start=1):
            if item.section != current:
                current = item.section
                group += 1
                title = (
                    instrument.section(item.section).title.get(code)
                    if item.section
                    else instrument.title.get(code)
                )
                rows.append(
                    {
                        "id": group,
                        "class": "G",
                        "name": _text(title),
                        "relevance": "1",
                        "language": code,
                    }
                )
            rows += _question_rows(instrument, item, number, code, codes)
    return [[cell(row.get(column)) for column in COLUMNS] for row in rows]


def rename_rows(instrument: Instrument) -> list[tuple[str, str, str]]:
    """``(item_id, value, code)`` for every code that differs from its evalkit name."""
    return [
        (item_id, value or "", code)
        for (item_id, value), code in code_map(instrument).items()
        if code != (value if value is not None else item_id)
    ]


def export_limesurvey(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the TSV structure (UTF-8 with BOM, as LimeSurvey writes it) and ``.codes.csv``."""
    path = Path(path)
    side = path.with_name(path.stem + ".codes.csv")
    tsv = io.StringIO()
    writer = csv.writer(tsv, delimiter="\t", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(structure_rows(instrument, lang))
    renames = io.StringIO()
    side_writer = csv.writer(renames, lineterminator="\r\n")
    side_writer.writerow(("item_id", "value", "code"))
    side_writer.writerows([cell(v) for v in row] for row in rename_rows(instrument))
    write_text_atomic(side, renames.getvalue())
    write_text_atomic(path, "\ufeff" + tsv.getvalue())
    count = len(rename_rows(instrument))
    notes = (
        (f"keep {side.name} with the survey: {count} code(s) were shortened for LimeSurvey",)
        if count
        else ()
    )
    return ExportResult("limesurvey", path, (side,), notes)
