"""REDCap data dictionary (CSV with REDCap's 18 standard columns).

A ``record_id`` field comes first (REDCap requires a record identifier). Choice items
become ``radio`` (select_one, likert, NPS 0-10) or ``checkbox`` (select_multiple) fields
whose choices read ``value, label | value, label`` with the evalkit value as the raw code,
so exports read back without a map. Numbers are ``text`` fields with ``integer``/``number``
validation and min/max; dates use ``date_ymd``. Skip logic becomes branching logic:
``[mode] = 'virtual'``, and ``selected(types, 'visit')`` becomes ``[types(visit)] = '1'``;
REDCap has no ``not``, so negations are pushed inwards (``not a = 'x'`` -> ``[a] <> 'x'``).
Personal-data items are marked ``Identifier? = y`` so REDCap can de-identify exports.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from evalkit.export._common import ExportResult, cell, html_text, number_text
from evalkit.instrument.model import Instrument, Item
from evalkit.instrument.relevant import And, Compare, Expr, Not, Or, Selected, parse_relevant
from evalkit.instrument.render import check_language
from evalkit.io import write_text_atomic

COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_REDCAP_OP = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _push_not(expr: Expr, negate: bool = False) -> Expr:
    """The same condition without ``Not`` nodes (De Morgan; comparisons inverted)."""
    if isinstance(expr, Not):
        return _push_not(expr.operand, not negate)
    if isinstance(expr, Compare):
        return Compare(expr.item, _NEGATED[expr.op], expr.value) if negate else expr
    if isinstance(expr, Selected):
        return Not(expr) if negate else expr
    operands = tuple(_push_not(op, negate) for op in expr.operands)
    if isinstance(expr, And):
        return Or(operands) if negate else And(operands)
    return And(operands) if negate else Or(operands)


def _logic(expr: Expr, top: bool = True) -> str:
    if isinstance(expr, Compare):
        value = f"'{expr.value}'" if isinstance(expr.value, str) else number_text(expr.value)
        return f"[{expr.item}] {_REDCAP_OP[expr.op]} {value}"
    if isinstance(expr, Selected):
        return f"[{expr.item}({expr.choice})] = '1'"
    if isinstance(expr, Not):  # only around Selected after _push_not
        inner = expr.operand
        return f"[{inner.item}({inner.choice})] = '0'" if isinstance(inner, Selected) else ""
    joiner = " and " if isinstance(expr, And) else " or "
    text = joiner.join(_logic(op, top=False) for op in expr.operands)
    return text if top else f"({text})"


def branching_logic(source: str) -> str:
    """evalkit skip logic as REDCap branching logic.

    Examples
    --------
    >>> branching_logic("mode = 'virtual' or mode = 'hybrid_remote'")
    "[mode] = 'virtual' or [mode] = 'hybrid_remote'"
    >>> branching_logic("not selected(actions, 'none') and n >= 2")
    "[actions(none)] = '0' and [n] >= 2"
    >>> branching_logic("not (a = 'x' or b < 3)")
    "[a] <> 'x' and [b] >= 3"
    """
    return _logic(_push_not(parse_relevant(source)))


def _choices_text(instrument: Instrument, item: Item, lang: str) -> str | None:
    if item.type == "nps":
        return " | ".join(f"{n}, {n}" for n in range(11))
    choices = instrument.choices_for(item)
    if choices is None:
        return None
    return " | ".join(
        f"{c.name}, {html_text(' '.join(c.label.get(lang).split()).replace('|', '/'))}"
        for c in choices
    )


def _field(instrument: Instrument, item: Item, lang: str, header: str | None) -> list[object]:
    field_type, validation = "text", None
    if item.type in ("select_one", "likert", "nps"):
        field_type = "radio"
    elif item.type == "select_multiple":
        field_type = "checkbox"
    elif item.type == "integer":
        validation = "integer"
    elif item.type == "decimal":
        validation = "number"
    elif item.type == "date":
        validation = "date_ymd"
    low, high = item.bounds if item.type in ("integer", "decimal") else (None, None)
    note = item.hint.get(lang) if item.hint else None
    if item.unit:
        note = f"{note} ({item.unit})" if note else f"({item.unit})"
    row = {
        "Variable / Field Name": item.id,
        "Form Name": instrument.id,
        "Section Header": html_text(header),
        "Field Type": field_type,
        "Field Label": html_text(item.text.get(lang)),
        "Choices, Calculations, OR Slider Labels": _choices_text(instrument, item, lang),
        "Field Note": html_text(note),
        "Text Validation Type OR Show Slider Number": validation,
        "Text Validation Min": None if low is None else number_text(low),
        "Text Validation Max": None if high is None else number_text(high),
        "Identifier?": "y" if item.pii else None,
        "Branching Logic (Show field only if...)": branching_logic(item.relevant)
        if item.relevant
        else None,
        "Required Field?": "y" if item.required else None,
        "Custom Alignment": "RH" if item.type in ("likert", "nps") else None,
    }
    return [cell(row.get(column)) for column in COLUMNS]


def dictionary_rows(instrument: Instrument, lang: str | None = None) -> list[list[object]]:
    """The data dictionary rows (without the header), ``record_id`` first."""
    lang = check_language(instrument, lang)
    rows = [
        [cell(v) for v in ("record_id", instrument.id, None, "text", "Record ID")] + [None] * 13
    ]
    current: str | None = None
    for item in instrument.items:
        header = None
        if item.section and item.section != current:
            header = instrument.section(item.section).title.get(lang)
        current = item.section
        rows.append(_field(instrument, item, lang, header))
    return rows


def export_redcap(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the REDCap data dictionary CSV (atomically)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(dictionary_rows(instrument, lang))
    write_text_atomic(path, buffer.getvalue())
    notes = []
    if instrument.has_item("record_id"):
        notes.append("the instrument has its own record_id item: rename it before uploading")
    return ExportResult("redcap", Path(path), (), tuple(notes))
