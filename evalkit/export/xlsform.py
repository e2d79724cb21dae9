"""XLSForm (.xlsx) for KoboToolbox, ODK, SurveyCTO and Ona.

Sheets ``survey``, ``choices`` and ``settings`` follow the XLSForm definition
(xlsform.org): one ``label::English (en)`` column per language, ``required``, ``relevant``
(evalkit skip logic as XPath), ``constraint`` from min/max, ``appearance likert`` for
Likert items, one ``begin group``/``end group`` per section.

What XLSForm cannot say is carried so that :mod:`evalkit.export.xlsform_import` gives back
an equal instrument, in places every XLSForm tool ignores:

* survey columns ``evalkit_type`` (``likert``, ``nps``, ...), ``evalkit_role``,
  ``evalkit_pii``, ``evalkit_source``, ``evalkit_unit`` and ``evalkit_relevant`` (the
  skip logic in evalkit's own spelling);
* the choices column ``evalkit_missing`` (``yes`` for N/A and prefer-not-to-say);
* a hidden sheet ``evalkit`` (columns ``object, id, field, language, value``) with the
  instrument's kind, respondent, timing, purpose, title translations, section order,
  sources and scales.

pyxform copies unknown choices columns into the form's choice instance and ignores the
rest, so the file converts cleanly (a test converts every library instrument).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evalkit.export._common import ExportResult, language_label, number_text
from evalkit.instrument.model import Instrument, Item, Term, Text
from evalkit.instrument.relevant import parse_relevant, to_xpath
from evalkit.io import atomic_path

SURVEY_SHEET = "survey"
CHOICES_SHEET = "choices"
SETTINGS_SHEET = "settings"
META_SHEET = "evalkit"
META_COLUMNS = ("object", "id", "field", "language", "value")
ITEM_EXTRA_COLUMNS = (
    "evalkit_type",
    "evalkit_role",
    "evalkit_pii",
    "evalkit_source",
    "evalkit_unit",
    "evalkit_relevant",
)

_XLSFORM_TYPES = {
    "integer": "integer",
    "nps": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
}


def _ordered_languages(instrument: Instrument, lang: str | None) -> tuple[str, ...]:
    if lang is None or lang not in instrument.languages:
        return instrument.languages
    return (lang, *(code for code in instrument.languages if code != lang))


def _text_cells(prefix: str, text: Text | None, languages: tuple[str, ...]) -> dict[str, Any]:
    if text is None:
        return {}
    found = text.as_dict()
    return {f"{prefix}::{language_label(code)}": found.get(code) for code in languages}


def _constraint(item: Item) -> str | None:
    low, high = item.bounds
    parts = []
    if low is not None:
        parts.append(f". >= {number_text(low)}")
    if high is not None:
        parts.append(f". <= {number_text(high)}")
    return " and ".join(parts) or None


def _item_row(instrument: Instrument, item: Item, languages: tuple[str, ...]) -> dict[str, Any]:
    if item.has_choices:
        kind = "select_multiple" if item.type == "select_multiple" else "select_one"
        xls_type = f"{kind} {item.choices}"
    else:
        xls_type = _XLSFORM_TYPES[item.type]
    relevant = to_xpath(parse_relevant(item.relevant)) if item.relevant else None
    return {
        "type": xls_type,
        "name": item.id,
        **_text_cells("label", item.text, languages),
        **_text_cells("hint", item.hint, languages),
        "required": "yes" if item.required else None,
        "relevant": relevant,
        "constraint": _constraint(item) if item.is_numeric else None,
        "appearance": "likert" if item.type == "likert" else None,
        "evalkit_type": item.type,
        "evalkit_role": item.role,
        "evalkit_pii": "yes" if item.pii else None,
        "evalkit_source": item.source,
        "evalkit_unit": item.unit,
        "evalkit_relevant": item.relevant,
    }


def survey_rows(instrument: Instrument, lang: str | None = None) -> list[dict[str, Any]]:
    """The ``survey`` sheet as row dicts (groups for sections, then unused sections)."""
    languages = _ordered_languages(instrument, lang)
    rows: list[dict[str, Any]] = []
    current: str | None = None
    used: list[str] = []
    for item in instrument.items:
        if item.section != current:
            if current is not None:
                rows.append({"type": "end group"})
            if item.section is not None:
                section = instrument.section(item.section)
                rows.append(
                    {
                        "type": "begin group",
                        "name": section.id,
                        **_text_cells("label", section.title, languages),
                    }
                )
                used.append(section.id)
            current = item.section
        rows.append(_item_row(instrument, item, languages))
    if current is not None:
        rows.append({"type": "end group"})
    for section in instrument.sections:
        if section.id not in used:
            rows.append(
                {
                    "type": "begin group",
                    "name": section.id,
                    **_text_cells("label", section.title, languages),
                }
            )
            rows.append({"type": "end group"})
    return rows


def choices_rows(instrument: Instrument, lang: str | None = None) -> list[dict[str, Any]]:
    """The ``choices`` sheet as row dicts (integer values stay numbers)."""
    languages = _ordered_languages(instrument, lang)
    return [
        {
            "list_name": choice_list.id,
            "name": choice.value,
            **_text_cells("label", choice.label, languages),
            "evalkit_missing": "yes" if choice.missing else None,
        }
        for choice_list in instrument.choice_lists
        for choice in choice_list
    ]


def settings_rows(instrument: Instrument, lang: str | None = None) -> list[dict[str, Any]]:
    """The ``settings`` sheet: form id, version, title and default language."""
    languages = _ordered_languages(instrument, lang)
    return [
        {
            "form_id": instrument.id,
            "version": instrument.version,
            "form_title": instrument.title.get(languages[0]),
            "default_language": language_label(languages[0]),
        }
    ]


def meta_rows(instrument: Instrument) -> list[tuple[Any, ...]]:
    """The hidden ``evalkit`` sheet: what XLSForm has no place for."""
    rows: list[tuple[Any, ...]] = [
        ("instrument", None, "kind", None, instrument.kind),
        ("instrument", None, "languages", None, " ".join(instrument.languages)),
    ]
    for key in ("respondent", "timing"):
        value = getattr(instrument, key)
        if value is not None:
            rows.append(("instrument", None, key, None, value))
    for key in ("title", "purpose"):
        text = getattr(instrument, key)
        if text is not None:
            rows += [("instrument", None, key, code, value) for code, value in text.translations]
    if instrument.sections:
        order = " ".join(section.id for section in instrument.sections)
        rows.append(("instrument", None, "sections", None, order))
    for source in instrument.sources:
        rows.append(("source", source.id, "citation", None, source.citation))
        if source.url is not None:
            rows.append(("source", source.id, "url", None, source.url))
    for scale in instrument.scales:
        rows.append(("scale", scale.id, "items", None, " ".join(scale.items)))
        rows.append(("scale", scale.id, "reverse", None, " ".join(scale.reverse)))
        rows.append(("scale", scale.id, "score", None, scale.score))
        rows.append(("scale", scale.id, "min_items", None, scale.min_items))
        if scale.source is not None:
            rows.append(("scale", scale.id, "source", None, scale.source))
        if scale.label is not None:
            rows += [
                ("scale", scale.id, "label", code, value)
                for code, value in scale.label.translations
            ]
    for ratio in instrument.ratios:
        for side in ("numerator", "denominator"):
            rows.append(("ratio", ratio.id, side, None, _terms_json(getattr(ratio, side))))
        if ratio.unit is not None:
            rows.append(("ratio", ratio.id, "unit", None, ratio.unit))
        if ratio.label is not None:
            rows += [
                ("ratio", ratio.id, "label", code, value)
                for code, value in ratio.label.translations
            ]
    return rows


def _terms_json(terms: tuple[Term, ...]) -> str:
    """A ratio side as JSON text (``[{"item": ..., "times": [...], "factor": ...}]``)."""
    out = []
    for term in terms:
        entry: dict[str, Any] = {"item": term.item}
        if term.times:
            entry["times"] = list(term.times)
        if term.factor != 1.0:
            entry["factor"] = term.factor
        out.append(entry)
    return json.dumps(out)


def _columns(rows: list[dict[str, Any]], first: tuple[str, ...]) -> list[str]:
    columns = list(first)
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def _sheet(workbook: Any, title: str, columns: list[str], rows: list[tuple[Any, ...]]) -> Any:
    """A sheet whose every text is a text cell (openpyxl type ``s``): a label such as
    ``=HYPERLINK(...)`` or ``+1 in person`` is shown as written and never run as a formula,
    without the visible ``'`` that neutralising would add (issue 17, point 6)."""
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for row in rows:
        sheet.append([None if value == "" else value for value in row])
        for written in sheet[sheet.max_row]:
            if isinstance(written.value, str):
                written.data_type = "s"
    return sheet


def build_workbook(instrument: Instrument, lang: str | None = None) -> Any:
    """The XLSForm as an openpyxl Workbook (not yet saved)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {
        SURVEY_SHEET: (survey_rows(instrument, lang), ("type", "name")),
        CHOICES_SHEET: (choices_rows(instrument, lang), ("list_name", "name")),
        SETTINGS_SHEET: (settings_rows(instrument, lang), ()),
    }
    for title, (rows, first) in sheets.items():
        columns = _columns(rows, first)
        _sheet(workbook, title, columns, [tuple(row.get(c) for c in columns) for row in rows])
    meta = _sheet(workbook, META_SHEET, list(META_COLUMNS), meta_rows(instrument))
    meta.sheet_state = "hidden"
    return workbook


def export_xlsform(
    instrument: Instrument, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the instrument as an XLSForm ``.xlsx`` (atomically).

    ``lang`` becomes the form's default language (its labels come first); every language
    of the instrument is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from evalkit.instrument import load_instrument
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "post_engagement.xlsx"
    >>> export_xlsform(load_instrument("post_engagement"), out).path.name
    'post_engagement.xlsx'
    """
    workbook = build_workbook(instrument, lang)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return ExportResult("xlsform", Path(path))
