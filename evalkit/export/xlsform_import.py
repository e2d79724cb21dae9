"""Read an XLSForm (.xlsx) into an evalkit instrument.

An office's own XLSForm becomes an instrument: types, choice lists, translations
(``label::English (en)``), hints, ``required``, ``relevant`` (XPath back to evalkit's skip-logic
grammar), and min/max from constraints of the form ``. >= a and . <= b``. What evalkit cannot
represent is never dropped silently: repeats, calculations, ``choice_filter``, ``or_other``,
notes, metadata fields, other question types and constraints or skip logic outside the
grammar are each listed in :attr:`XLSFormImport.warnings`.

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
from evalkit.export._common import language_code, uncell
from evalkit.export.xlsform import CHOICES_SHEET, META_SHEET, SETTINGS_SHEET, SURVEY_SHEET
from evalkit.instrument.load import build_instrument, check_instrument_data
from evalkit.instrument.model import ITEM_TYPES, ROLES, Instrument
from evalkit.instrument.relevant import RelevantSyntaxError, parse_relevant, referenced_items

_METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
    }
)
_SUPPORTED = frozenset({"integer", "decimal", "text", "date", "select_one", "select_multiple"})
_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$")
_NUMBER = r"-?\d+(?:\.\d+)?"
_BOUND = re.compile(rf"^\.\s*(>=|<=)\s*({_NUMBER})$")
_XPATH_REF = re.compile(r"\$\{([^}]*)\}")
_ROW = "__row__"  # the spreadsheet row of a record, for messages
_CONTACT = re.compile(r"(^|_)(e?mail|phone|telephone|mobile|address|zip|postcode|name)($|_)")


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


def _read_sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise DataError("no such file", Location(str(path)), "check the path of the XLSForm")
    too_large = limits.xlsx_too_large(path)
    if too_large:
        raise DataError(too_large[0], Location(str(path)), too_large[1])
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(
            f"not an .xlsx workbook ({type(exc).__name__})",
            Location(str(path)),
            "save the form as Excel .xlsx (XLSForms in .xls or Google Sheets: download as .xlsx)",
        ) from exc
    sheets: dict[str, list[dict[str, Any]]] = {}
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                sheets[sheet.title] = []
                continue
            names = [str(h).strip() if h is not None else "" for h in header]
            records = []
            for number, values in enumerate(rows, start=2):
                record = {
                    name: uncell(v.strip() if isinstance(v, str) else v)
                    for name, v in zip(names, values, strict=False)
                    if name and v is not None and not (isinstance(v, str) and not v.strip())
                }
                if record:
                    records.append({**record, _ROW: number})
            sheets[sheet.title] = records
    finally:
        workbook.close()
    if SURVEY_SHEET not in sheets:
        raise DataError(
            f"no {SURVEY_SHEET!r} sheet (found: {', '.join(sheets) or 'none'})",
            Location(str(path)),
            "an XLSForm needs sheets named exactly 'survey' and 'choices'",
        )
    return sheets


def _identifier(name: str, prefix: str = "q") -> str:
    """An evalkit id from an XLSForm name: lower case, ``.``/``-`` to ``_``."""
    text = re.sub(r"[^a-z0-9_]", "_", str(name).strip().lower()).strip("_")
    if not text or not text[0].isalpha():
        text = f"{prefix}_{text}"
    return text[:64]


def _choice_value(value: Any, from_evalkit: bool) -> int | str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not from_evalkit and re.fullmatch(r"-?(0|[1-9][0-9]*)", text):
        return int(text)
    return text


class _Reader:
    """Turns the rows of an XLSForm into instrument data, collecting warnings."""

    def __init__(self, path: Path, sheets: dict[str, list[dict[str, Any]]]) -> None:
        self.path = path
        self.survey = sheets[SURVEY_SHEET]
        self.choices = sheets.get(CHOICES_SHEET, [])
        settings = sheets.get(SETTINGS_SHEET, [])
        self.settings = settings[0] if settings else {}
        self.meta = sheets.get(META_SHEET, [])
        self.from_evalkit = bool(self.meta)
        self.warnings: list[str] = []
        self.renamed: dict[str, str] = {}
        self.languages, self.columns = self._languages()

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- languages -------------------------------------------------------------------------
    def _languages(self) -> tuple[list[str], dict[str, str]]:
        """The languages in column order, and header -> language for label/hint columns."""
        headers: list[str] = []
        for rows in (self.survey, self.choices):
            for row in rows:
                headers += [h for h in row if h not in headers]
        default_name = str(self.settings.get("default_language") or "")
        default = language_code(default_name) if default_name else None
        columns: dict[str, str] = {}
        found: list[str] = []
        for header in headers:
            base, _, name = header.partition("::")
            if base not in ("label", "hint") or not name:
                continue
            code = language_code(name)
            if code is None:
                raise DataError(
                    f"cannot tell the language of column {header!r}",
                    Location(str(self.path), column=header),
                    f"name it like '{base}::English (en)' with the language code in brackets",
                )
            columns[header] = code
            if code not in found:
                found.append(code)
        if not found:
            found = [default or "en"]
            if default is None:
                self.warn("the form names no language: its texts are taken as English (en)")
        elif default in found:
            found.remove(default)
            found.insert(0, default)
        for row in self.meta:
            if row.get("object") == "instrument" and row.get("field") == "languages":
                order = str(row.get("value", "")).split()
                if sorted(order) == sorted(found):
                    found = order
        return found, columns

    def text(self, row: dict[str, Any], base: str, what: str) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for header, code in self.columns.items():
            if header.startswith(base + "::") and row.get(header) is not None:
                values[code] = str(row[header])
        if row.get(base) is not None:
            values.setdefault(self.languages[0], str(row[base]))
        if not values:
            return None
        missing = [code for code in self.languages if code not in values]
        if missing:
            fallback = values.get(self.languages[0]) or next(iter(values.values()))
            for code in missing:
                values[code] = fallback
            self.warn(
                f"{what}: no {'/'.join(missing)} {base}; the {self.languages[0]} text is used"
            )
        return {code: values[code] for code in self.languages}

    # -- choices ---------------------------------------------------------------------------
    def choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        for row in self.choices:
            number = row[_ROW]
            if row.get("list_name") is None or row.get("name") is None:
                self.warn(f"choices row {number}: no list_name or name; row skipped")
                continue
            list_id = _identifier(row["list_name"], "list")
            value = _choice_value(row["name"], self.from_evalkit)
            if isinstance(value, str) and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", value):
                fixed = re.sub(r"[^A-Za-z0-9_.-]", "_", value).lstrip(".-") or "choice"
                self.warn(f"choice {value!r} of list {list_id!r} renamed {fixed!r} (no spaces)")
                value = fixed
            label = self.text(row, "label", f"choice {value!r} of list {list_id!r}")
            choice: dict[str, Any] = {
                "value": value,
                "label": label or {self.languages[0]: str(value)},
            }
            if str(row.get("evalkit_missing", "")).lower() in _TRUE:
                choice["missing"] = True
            lists.setdefault(list_id, []).append(choice)
        return lists

    # -- survey ----------------------------------------------------------------------------
    def items_and_sections(
        self, lists: dict[str, list[dict[str, Any]]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        items: list[dict[str, Any]] = []
        sections: list[dict[str, Any]] = []
        groups: list[str | None] = []  # stack of open groups (None for a nested, flattened one)
        repeats: list[tuple[str, list[str]]] = []
        skipped_meta: list[str] = []
        for row in self.survey:
            number = row[_ROW]
            raw_type = str(row.get("type", "")).strip()
            if raw_type.lower().startswith(("begin_", "end_")):
                raw_type = raw_type.replace("_", " ", 1)
            words = raw_type.split()
            kind = " ".join(words[:2]).lower() if words[:1] in (["begin"], ["end"]) else ""
            kind = kind or (words[0] if words else "")
            name = str(row.get("name", "")).strip()
            if kind == "begin group":
                if repeats:
                    groups.append(None)
                elif any(g is not None for g in groups):
                    self.warn(
                        f"group {name!r} (row {number}) is nested: "
                        "its items join the enclosing section"
                    )
                    groups.append(None)
                else:
                    section_id = _identifier(name or f"section_{number}", "section")
                    title = self.text(row, "label", f"group {name!r}") or {
                        code: name for code in self.languages
                    }
                    sections.append({"id": section_id, "title": title})
                    groups.append(section_id)
                continue
            if kind == "end group":
                if groups:
                    groups.pop()
                continue
            if kind == "begin repeat":
                repeats.append((name, []))
                continue
            if kind == "end repeat":
                if repeats:
                    repeat, inside = repeats.pop()
                    listed = ", ".join(inside) or "no questions"
                    self.warn(
                        f"repeat {repeat!r} not imported (evalkit "
                        f"has one answer per question): {listed}"
                    )
                continue
            if not kind:
                continue
            if repeats:
                repeats[-1][1].append(name)
                continue
            if kind in _METADATA_TYPES:
                skipped_meta.append(name or kind)
                continue
            if kind in ("calculate", "hidden"):
                formula = row.get("calculation")
                self.warn(
                    f"{kind} {name!r} (row {number}) not imported: evalkit stores answers, not "
                    f"calculations{f' ({formula})' if formula else ''}"
                )
                continue
            if kind == "note":
                self.warn(f"note {name!r} (row {number}) not imported: it asks nothing")
                continue
            if kind not in _SUPPORTED:
                self.warn(
                    f"question {name!r} (row {number}) of type "
                    f"{raw_type!r} not imported: evalkit has no such type"
                )
                continue
            item = self.item(row, words, number, lists)
            if item is None:
                continue
            section = next((g for g in reversed(groups) if g is not None), None)
            if section is not None:
                item["section"] = section
            items.append(item)
        if skipped_meta:
            self.warn(
                "metadata fields not imported (the platform "
                f"records them): {', '.join(skipped_meta)}"
            )
        return items, sections

    def item(
        self, row: dict[str, Any], words: list[str], number: int, lists: dict[str, Any]
    ) -> dict[str, Any] | None:
        name = str(row.get("name", "")).strip()
        if not name:
            self.warn(f"row {number}: a {words[0]} question without a name; row skipped")
            return None
        item_id = _identifier(name)
        if item_id != name:
            self.renamed[name] = item_id
            self.warn(
                f"question {name!r} renamed {item_id!r} (evalkit ids are lower case, a-z0-9_)"
            )
        item: dict[str, Any] = {"id": item_id, "type": words[0]}
        if words[0].startswith("select"):
            if len(words) < 2:
                self.warn(f"question {name!r} (row {number}) names no choice list; not imported")
                return None
            list_id = _identifier(words[1], "list")
            if list_id not in lists:
                self.warn(
                    f"question {name!r}: choice list {words[1]!r} "
                    "is not in the choices sheet; not imported"
                )
                return None
            item["choices"] = list_id
            if "or_other" in words[2:]:
                self.warn(
                    f"question {name!r}: 'or_other' not imported; add an explicit 'other' choice "
                    "and a text question shown when it is selected"
                )
            appearance = str(row.get("appearance", ""))
            values = [c["value"] for c in lists[list_id] if not c.get("missing")]
            if (
                words[0] == "select_one"
                and "likert" in appearance.split()
                and len(values) >= 2
                and all(isinstance(v, int) for v in values)
            ):
                item["type"] = "likert"
        if row.get("choice_filter") is not None:
            self.warn(
                f"question {name!r}: choice_filter ({row['choice_filter']}) not imported; "
                "all choices are offered"
            )
        wanted = row.get("evalkit_type")
        if wanted in ITEM_TYPES:
            item["type"] = wanted
        item["text"] = self.text(row, "label", f"question {name!r}") or {
            code: name for code in self.languages
        }
        hint = self.text(row, "hint", f"hint of {name!r}")
        if hint:
            item["hint"] = hint
        if str(row.get("required", "")).lower() in _TRUE:
            item["required"] = True
        elif row.get("required") is not None and str(row["required"]).lower() not in (
            "no",
            "false",
            "false()",
            "0",
        ):
            self.warn(
                f"question {name!r}: required = {row['required']!r} not imported (only yes/no)"
            )
        self._bounds(item, row, name)
        self._relevant(item, row, name)
        self._extras(item, row)
        return item

    def _bounds(self, item: dict[str, Any], row: dict[str, Any], name: str) -> None:
        constraint = row.get("constraint")
        if constraint is None or item["type"] == "nps":
            return
        parts = re.split(r"\s+and\s+", str(constraint).strip())
        bounds: dict[str, float] = {}
        for part in parts:
            match = _BOUND.match(part.strip())
            if match is None or item["type"] not in ("integer", "decimal"):
                self.warn(
                    f"question {name!r}: constraint {constraint!r} "
                    "not imported (only '. >= a and . <= b')"
                )
                return
            text = match.group(2)
            bounds["min" if match.group(1) == ">=" else "max"] = (
                float(text) if "." in text else int(text)
            )
        item.update(bounds)

    def _relevant(self, item: dict[str, Any], row: dict[str, Any], name: str) -> None:
        xpath = row.get("relevant")
        if xpath is None:
            return
        text = _XPATH_REF.sub(
            lambda m: self.renamed.get(m.group(1).strip(), _identifier(m.group(1))), str(xpath)
        )
        try:
            expr = parse_relevant(text)
        except RelevantSyntaxError as exc:
            self.warn(
                f"question {name!r}: relevant {xpath!r} not "
                f"imported ({exc}); add the skip logic by hand"
            )
            return
        own = row.get("evalkit_relevant")
        if own is not None:
            try:
                if parse_relevant(str(own)) == expr:
                    text = str(own)
            except RelevantSyntaxError:
                pass
        item["relevant"] = text
        item["_refs"] = referenced_items(expr)

    def _extras(self, item: dict[str, Any], row: dict[str, Any]) -> None:
        role = row.get("evalkit_role")
        if role in ROLES:
            item["role"] = role
        if self.from_evalkit or "evalkit_pii" in row:
            item["pii"] = str(row.get("evalkit_pii", "")).lower() in _TRUE
        for key in ("source", "unit"):
            if row.get(f"evalkit_{key}") is not None:
                item[key] = str(row[f"evalkit_{key}"])

    # -- instrument ------------------------------------------------------------------------
    def meta_values(self) -> dict[str, Any]:
        """The hidden evalkit sheet as nested values."""
        out: dict[str, Any] = {"instrument": {}, "source": {}, "scale": {}, "ratio": {}}
        for row in self.meta:
            obj, field = row.get("object"), row.get("field")
            if obj not in out or field is None:
                continue
            target = (
                out[obj] if obj == "instrument" else out[obj].setdefault(str(row.get("id")), {})
            )
            value = row.get("value", "")
            if row.get("language") is not None:
                target.setdefault(field, {})[str(row["language"])] = str(value)
            else:
                target[field] = value
        return out

    def instrument_data(self) -> dict[str, Any]:
        lists = self.choice_lists()
        items, sections = self.items_and_sections(lists)
        meta = self.meta_values()
        head = meta["instrument"]
        form_id = self.settings.get("form_id") or self.path.stem
        instrument_id = _identifier(str(form_id), "form")
        version = str(self.settings.get("version", "") or "")
        if not _SEMVER.match(version):
            self.warn(
                f"form version {version or '(none)'!r} is not a semantic version; 1.0.0 is used"
            )
            version = "1.0.0"
        title = head.get("title") or {
            code: str(self.settings.get("form_title") or form_id) for code in self.languages
        }
        data: dict[str, Any] = {"id": instrument_id, "version": version, "title": title}
        data["languages"] = list(self.languages)
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
        order = str(head.get("sections", "")).split()
        if sorted(order) == sorted(s["id"] for s in sections):
            sections.sort(key=lambda s: order.index(s["id"]))
        if sections:
            data["sections"] = sections
        data["choice_lists"] = lists
        data["items"] = self._finish_items(items)
        if meta["scale"]:
            data["scales"] = [_scale(sid, s) for sid, s in meta["scale"].items()]
        ratios = [self._ratio(rid, r) for rid, r in meta["ratio"].items()]
        if any(ratios):
            data["ratios"] = [r for r in ratios if r]
        return data

    def _ratio(self, ratio_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
        """A ratio from the hidden sheet; its sides are JSON lists of terms."""
        ratio: dict[str, Any] = {"id": ratio_id}
        for side in ("numerator", "denominator"):
            try:
                terms = json.loads(str(values.get(side, "")))
            except ValueError:
                terms = None
            if not isinstance(terms, list) or not all(isinstance(t, dict) for t in terms):
                self.warn(f"ratio {ratio_id!r}: its {side} is not a list of terms; not imported")
                return None
            ratio[side] = terms
        if values.get("unit") is not None:
            ratio["unit"] = str(values["unit"])
        if values.get("label"):
            ratio["label"] = values["label"]
        return ratio

    def _finish_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Drop skip logic that refers to items not imported or later; mark personal data."""
        earlier: set[str] = set()
        review: list[str] = []
        for item in items:
            refs = item.pop("_refs", set())
            if refs - earlier:
                missing = ", ".join(sorted(refs - earlier))
                self.warn(
                    f"question {item['id']!r}: relevant {item['relevant']!r} not imported: it "
                    f"refers to {missing}, not an earlier imported question"
                )
                del item["relevant"]
            earlier.add(item["id"])
            if "pii" not in item and (item["type"] == "text" or _CONTACT.search(item["id"])):
                item["pii"] = True
                review.append(item["id"])
        if review:
            self.warn(
                f"marked as personal data (pii: true) until you review them: {', '.join(review)}"
            )
        return items


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


def import_xlsform(path: str | Path) -> XLSFormImport:
    """Read an XLSForm and return the instrument it describes, with warnings.

    Raises :class:`~evalkit.errors.DataError` when the file is not a readable XLSForm and
    :class:`~evalkit.errors.InstrumentError` when the result is not a valid instrument
    (the message names the key and how to fix it in the form).
    """
    path = Path(path)
    reader = _Reader(path, _read_sheets(path))
    data = reader.instrument_data()
    problems = check_instrument_data(data, str(path))
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        error = InstrumentError(
            f"the form does not make a valid instrument: {first.key}: {first.message}{more}",
            Location(str(path)),
            first.hint,
        )
        error.exit_code = 1
        raise error
    return XLSFormImport(build_instrument(data), data, tuple(reader.warnings))


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
