"""Read an XLSForm (.xlsx, .xls) into an evalkit instrument.

pyxform, the reference XLSForm converter behind KoboToolbox and ODK, parses the workbook
into its JSON form (every header and type alias it accepts, ``.xls`` and ``.xlsx``); that
JSON is translated by :mod:`evalkit.export._xlsform_json`. An office's own XLSForm becomes
an instrument: types, choice lists, translations, hints, ``required``, ``relevant`` (XPath
back to evalkit's skip-logic grammar, a group's condition combined into each of its
questions'), and min/max from constraints of the form ``. >= a and . <= b``. Questions
evalkit does not analyse (geopoint, time, barcode, calculate, metadata, ...) are recorded
under ``unanalysed`` so that validating an export of the form ignores their columns with a
note. What evalkit cannot carry is never dropped silently: it is listed in
:attr:`XLSFormImport.warnings`.

An XLSForm written by :func:`evalkit.export.xlsform.export_xlsform` carries evalkit's extra
columns and its hidden ``evalkit`` sheet, so importing it gives back an equal instrument.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit import limits
from evalkit.errors import DataError, InstrumentError, Location
from evalkit.export._common import uncell
from evalkit.export._xlsform_json import Translator, identifier
from evalkit.export.xlsform import CHOICES_SHEET, META_SHEET
from evalkit.instrument.load import build_instrument, check_instrument_data
from evalkit.instrument.model import Instrument

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$")
_PROBLEM_AT = re.compile(r"^items\[(\d+)\]\.(relevant|min|max|hint)$")
_NOTE_TYPES = frozenset({"note", "q note", "add note prompt"})
_MAX_REPAIRS = 10_000  # one per problem fixed by dropping a condition; never reached in practice


@dataclass(frozen=True)
class XLSFormImport:
    """The result of importing an XLSForm.

    Attributes
    ----------
    instrument
        The instrument built from the form (checked like any instrument file).
    data
        The same instrument as YAML-ready data (what ``import-xlsform -o`` writes).
    warnings
        Everything in the form that the instrument does not carry, one line each.
    """

    instrument: Instrument
    data: dict[str, Any]
    warnings: tuple[str, ...]


class XLSFormImportError(InstrumentError):
    """The form cannot become an instrument; ``warnings`` says what was seen on the way."""

    def __init__(
        self, message: str, location: Location, hint: str, warnings: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, location, hint)
        self.warnings = warnings
        self.exit_code = 1


def _evalkit_sheets(path: Path) -> tuple[list[dict[str, Any]], dict[tuple[str, str], Any] | None]:
    """The hidden ``evalkit`` sheet and the typed choice names of a form evalkit wrote.

    pyxform reads every cell as text; a form written by evalkit keeps integer choice values
    as numbers and text values as text, so its own choices sheet says which is which.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not zipfile.is_zipfile(path):
        return [], None  # evalkit writes .xlsx only
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return [], None
    try:
        if META_SHEET not in workbook.sheetnames:
            return [], None
        meta = _records(workbook[META_SHEET])
        typed: dict[tuple[str, str], Any] = {}
        if CHOICES_SHEET in workbook.sheetnames:
            for row in _records(workbook[CHOICES_SHEET]):
                name, list_name = row.get("name"), row.get("list_name")
                if name is None or list_name is None:
                    continue
                value = int(name) if isinstance(name, float) and name.is_integer() else name
                typed[(str(list_name), _as_text(name))] = (
                    value if isinstance(value, int) else str(value)
                )
        return meta, typed
    finally:
        workbook.close()


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(sheet: Any) -> list[dict[str, Any]]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h).strip() if h is not None else "" for h in header]
    out = []
    for values in rows:
        record = {
            name: uncell(v.strip() if isinstance(v, str) else v)
            for name, v in zip(names, values, strict=False)
            if name and v is not None and not (isinstance(v, str) and not v.strip())
        }
        if record:
            out.append(record)
    return out


def _parse(path: Path) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    """pyxform's JSON form of the workbook, the row of each survey name, pyxform's warnings."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    if not path.is_file():
        raise DataError("no such file", Location(str(path)), "check the path of the XLSForm")
    warnings: list[str] = []
    try:
        workbook = get_xlsform(str(path))
    except PyXFormError as exc:
        raise DataError(
            f"not an XLSForm workbook pyxform can read ({_one_line(exc)})",
            Location(str(path)),
            "save the form as Excel .xlsx (or .xls); from Google Sheets: download as .xlsx",
        ) from exc
    rows = {}
    for number, row in enumerate(workbook.survey or (), start=2):
        name = str(row.get("name", "")).strip()
        if name and name not in rows:
            rows[name] = number
    try:
        form = workbook_to_json(
            workbook_dict=workbook,
            fallback_form_name=workbook.fallback_form_name,
            warnings=warnings,
        )
    except PyXFormError as exc:
        raise XLSFormImportError(
            f"pyxform cannot convert the form: {_one_line(exc)}",
            Location(str(path)),
            "fix the form as the message says (xlsform.org), then import it again",
            tuple(f"pyxform: {_one_line(w)}" for w in warnings),
        ) from exc
    return form, rows, [f"pyxform: {_one_line(w)}" for w in warnings]


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _meta_values(meta: list[dict[str, Any]]) -> dict[str, Any]:
    """The hidden evalkit sheet as nested values."""
    out: dict[str, Any] = {"instrument": {}, "source": {}, "scale": {}, "ratio": {}}
    for row in meta:
        obj, field = row.get("object"), row.get("field")
        if obj not in out or field is None:
            continue
        target = out[obj] if obj == "instrument" else out[obj].setdefault(str(row.get("id")), {})
        value = row.get("value", "")
        if row.get("language") is not None:
            target.setdefault(field, {})[str(row["language"])] = str(value)
        else:
            target[field] = value
    return out


def _scale(scale_id: str, values: dict[str, Any]) -> dict[str, Any]:
    scale: dict[str, Any] = {"id": scale_id, "items": str(values.get("items", "")).split()}
    if values.get("label"):
        scale["label"] = values["label"]
    scale["reverse"] = str(values.get("reverse", "") or "").split()
    scale["score"] = str(values.get("score", "mean"))
    scale["min_items"] = int(values.get("min_items", 1))
    if values.get("source") is not None:
        scale["source"] = str(values["source"])
    return scale


def _ratio(ratio_id: str, values: dict[str, Any], warn: Any) -> dict[str, Any] | None:
    """A ratio from the hidden sheet; its sides are JSON lists of terms."""
    ratio: dict[str, Any] = {"id": ratio_id}
    for side in ("numerator", "denominator"):
        try:
            terms = json.loads(str(values.get(side, "")))
        except ValueError:
            terms = None
        if not isinstance(terms, list) or not all(isinstance(t, dict) for t in terms):
            warn(f"ratio {ratio_id!r}: its {side} is not a list of terms; not imported")
            return None
        ratio[side] = terms
    if values.get("unit") is not None:
        ratio["unit"] = str(values["unit"])
    if values.get("label"):
        ratio["label"] = values["label"]
    return ratio


def _instrument_data(path: Path, form: dict[str, Any], tr: Translator, meta: dict) -> dict:
    lists = tr.choice_lists()
    tr.walk(lists)
    head = meta["instrument"]
    form_id = str(form.get("id_string") or path.stem)
    version = str(form.get("version") or "")
    if not _SEMVER.match(version):
        tr.warn(f"form version {version or '(none)'!r} is not a semantic version; 1.0.0 is used")
        version = "1.0.0"
    title = head.get("title") or {
        code: uncell(str(form.get("title") or form_id)) for code in tr.languages
    }
    data: dict[str, Any] = {"id": identifier(form_id, "form"), "version": version, "title": title}
    data["languages"] = list(tr.languages)
    for key in ("kind", "respondent", "timing"):
        if head.get(key) not in (None, ""):
            data[key] = str(head[key])
    if head.get("purpose"):
        data["purpose"] = head["purpose"]
    if meta["source"]:
        data["sources"] = [
            {"id": sid, "citation": str(s.get("citation", ""))}
            | ({"url": str(s["url"])} if s.get("url") is not None else {})
            for sid, s in meta["source"].items()
        ]
    sections = tr.sections
    order = str(head.get("sections", "")).split()
    if sorted(order) == sorted(s["id"] for s in sections):
        sections.sort(key=lambda s: order.index(s["id"]))
    if sections:
        data["sections"] = sections
    data["choice_lists"] = lists
    data["items"] = tr.finish_items()
    if tr.unanalysed:
        data["unanalysed"] = tr.unanalysed
    if meta["scale"]:
        data["scales"] = [_scale(sid, s) for sid, s in meta["scale"].items()]
    ratios = [_ratio(rid, r, tr.warn) for rid, r in meta["ratio"].items()]
    if any(ratios):
        data["ratios"] = [r for r in ratios if r]
    if not data["choice_lists"]:
        del data["choice_lists"]
    return data


def _repair(data: dict[str, Any], path: Path, tr: Translator) -> list[Any]:
    """Drop the skip logic or bounds the instrument checks refuse, one warning each."""
    for _ in range(_MAX_REPAIRS):
        problems = check_instrument_data(data, str(path))
        fixable = [(p, _PROBLEM_AT.match(p.key or "")) for p in problems]
        fixable = [(p, m) for p, m in fixable if m is not None]
        if not fixable:
            return problems
        problem, match = fixable[0]
        item = data["items"][int(match.group(1))]
        field = match.group(2)
        tr.warn(
            f"question {item['id']!r}: {field} {item.get(field)!r} not imported "
            f"({problem.message}); the question is kept without it"
        )
        item.pop(field, None)
        if field == "relevant":
            tr.unrequire(item, "its skip logic could not be imported")
    return check_instrument_data(data, str(path))


def import_xlsform(path: str | Path) -> XLSFormImport:
    """Read an XLSForm (.xlsx or .xls) and return the instrument it describes, with warnings.

    Raises :class:`~evalkit.errors.DataError` when the file is not a readable workbook and
    :class:`XLSFormImportError` (an :class:`~evalkit.errors.InstrumentError`) when pyxform
    refuses the form or the result is not a valid instrument; its ``warnings`` are the
    import's warnings up to that point (they usually say why).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", Location(str(path)), "check the path of the XLSForm")
    too_large = limits.xlsx_too_large(path) if zipfile.is_zipfile(path) else None
    if too_large:  # checked before pyxform unpacks the sheets (a zip bomb would fill memory)
        raise DataError(too_large[0], Location(str(path)), too_large[1])
    form, rows, pyxform_warnings = _parse(path)
    meta_rows, typed = _evalkit_sheets(path)
    meta = _meta_values(meta_rows)
    order = str(meta["instrument"].get("languages", "")).split() or None
    tr = Translator(form, rows, typed, order)
    tr.warnings[:0] = pyxform_warnings
    data = _instrument_data(path, form, tr, meta)
    if not data["items"]:
        if all(u["type"] in _NOTE_TYPES for u in data.get("unanalysed", [])):
            raise XLSFormImportError(
                "the form has no question (only notes and groups)",
                Location(str(path)),
                "add at least one question to the survey sheet",
                tuple(tr.warnings),
            )
        tr.warn(
            "the form has no question evalkit analyses (select_one, select_multiple, integer, "
            "decimal, text, date): the instrument only records its questions under unanalysed"
        )
    problems = _repair(data, path, tr)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise XLSFormImportError(
            f"the form does not make a valid instrument: {first.key}: {first.message}{more}",
            Location(str(path)),
            first.hint,
            tuple(tr.warnings),
        )
    return XLSFormImport(build_instrument(data), data, tuple(tr.warnings))


def to_yaml(data: dict[str, Any]) -> str:
    """Instrument data as an instrument file (plain YAML, no anchors; loads back equal).

    Examples
    --------
    >>> print(to_yaml({"id": "x", "languages": ["en"], "choice_lists": {"yn": [{"value": "yes"}]}}))
    # Imported from an XLSForm by 'evalkit instrument import-xlsform'; review the warnings.
    id: x
    languages: [en]
    choice_lists:
      yn:
      - {value: 'yes'}
    <BLANKLINE>
    """
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def _flow_short(dumper: yaml.SafeDumper, value: dict[str, Any] | list[Any]) -> Any:
        flat = all(
            not isinstance(v, dict | list)
            for v in (value.values() if isinstance(value, dict) else value)
        )
        if isinstance(value, dict):
            return dumper.represent_mapping(
                "tag:yaml.org,2002:map", value, flow_style=flat and len(str(value)) < 80
            )
        return dumper.represent_sequence(
            "tag:yaml.org,2002:seq", value, flow_style=flat and len(str(value)) < 80
        )

    _Dumper.add_representer(dict, _flow_short)
    _Dumper.add_representer(list, _flow_short)
    header = (
        "# Imported from an XLSForm by 'evalkit instrument import-xlsform'; review the warnings.\n"
    )
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
