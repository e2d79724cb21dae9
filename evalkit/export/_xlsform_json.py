"""pyxform's JSON form of an XLSForm, translated into evalkit instrument data.

pyxform (:func:`pyxform.xls2json.workbook_to_json`) has already resolved every header and
type alias (``list name``, ``bind::relevant``, ``relevance``, ``string``, ``int``, ...),
grouped the rows into a tree and split the labels by language. This module walks that tree:
questions evalkit analyses become items, top-level groups become sections (a group's
``relevant`` is combined into each of its questions' conditions), and every question evalkit
does not analyse (geopoint, time, barcode, calculate, metadata, ...) is recorded under
``unanalysed`` so that an export of the form validates without a ``--map``. What cannot be
carried is said in :attr:`Translator.warnings`, one line each.
"""

from __future__ import annotations

import re
from typing import Any

from evalkit.export._common import LANGUAGE_NAMES, language_code, uncell
from evalkit.instrument.model import ITEM_TYPES, ROLES
from evalkit.instrument.relevant import RelevantSyntaxError, parse_relevant, referenced_items

_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_FALSE = frozenset({"no", "false", "false()", "0", "n"})
_NUMBER = r"-?\d+(?:\.\d+)?"
_BOUND = re.compile(rf"^\.\s*(>=|<=)\s*({_NUMBER})$")
_XPATH_REF = re.compile(r"\$\{([^}]*)\}")
_PARENT_REF = re.compile(r"(?<![\w.])\.\./([A-Za-z_][\w.-]*)")
_SELECTED = re.compile(r"\bselected\(\s*([a-z][a-z0-9_]*)\s*,\s*('[^']*'|\"[^\"]*\")\s*\)")
_CONTACT = re.compile(r"(^|_)(e?mail|phone|telephone|mobile|address|zip|postcode|name)($|_)")
_VALUE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_SELECTS = {"select one": "select_one", "select all that apply": "select_multiple"}
_NOTES = frozenset({"note", "q note", "add note prompt"})
_CALCULATES = frozenset({"calculate", "q calculate", "add calculate prompt", "hidden"})
_LITERACY_COLUMNS = ("Word at flash", "Duration of exercise", "Total words attempted")
_DEFAULT = "default"  # pyxform's language of a label column without ``::language``


def identifier(name: str, prefix: str = "q") -> str:
    """An evalkit id from an XLSForm name: lower case, ``.``/``-`` to ``_``.

    Examples
    --------
    >>> identifier("Age-Years"), identifier("1st")
    ('age_years', 'q_1st')
    """
    text = re.sub(r"[^a-z0-9_]", "_", str(name).strip().lower()).strip("_")
    if not text or not text[0].isalpha():
        text = f"{prefix}_{text}"
    return text[:64]


def question_kind(question: dict[str, Any]) -> str:
    """What evalkit makes of a pyxform question: an item type or why it is not one.

    One of the item types ``select_one``, ``select_multiple``, ``integer``, ``decimal``,
    ``text``, ``date``, or ``note``, ``calculate``, ``metadata``, ``unanalysed``.
    """
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    qtype = str(question.get("type", ""))
    if qtype in _SELECTS:
        itemset = str(question.get("itemset", ""))
        if itemset.endswith((".csv", ".xml", ".geojson")) and not question.get("choices"):
            return "unanalysed"  # the choices are in a media file evalkit never sees
        return _SELECTS[qtype]
    if qtype in _NOTES:
        return "note"
    if qtype in _CALCULATES:
        return "calculate"
    spec = QUESTION_TYPE_DICT.get(qtype)
    if spec is None:
        return "unanalysed"
    bind = (spec.get("bind") or {}).get("type")
    tag = (spec.get("control") or {}).get("tag")
    if tag is None or tag == "action":
        return "metadata"
    if tag in ("input", "range") and bind in ("int", "decimal", "date", "string"):
        return {"int": "integer", "decimal": "decimal", "date": "date", "string": "text"}[bind]
    return "unanalysed"


class Translator:
    """Walks pyxform's JSON form and collects instrument data and warnings."""

    def __init__(
        self,
        form: dict[str, Any],
        rows: dict[str, int],
        typed_values: dict[tuple[str, str], Any] | None = None,
        language_order: list[str] | None = None,
    ) -> None:
        self.form = form
        self.rows = rows
        self.typed_values = typed_values
        self.warnings: list[str] = []
        self.renamed: dict[str, str] = {}
        self.unanalysed: list[dict[str, Any]] = []
        self.metadata: list[str] = []
        self.notes: list[str] = []
        self.sections: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.missing_texts: dict[str, int] = {}
        self.languages, self.codes = self._languages(language_order)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def where(self, name: str) -> str:
        row = self.rows.get(name)
        return f" (row {row})" if row else ""

    # -- languages -------------------------------------------------------------------------
    def _language_names(self) -> list[str]:
        """pyxform's language names in the order met; a plain text is in the default one."""
        names: list[str] = []
        plain = False

        def visit(node: Any) -> None:
            nonlocal plain
            if isinstance(node, dict):
                for key in ("label", "hint"):
                    value = node.get(key)
                    if isinstance(value, dict):
                        names.extend(n for n in value if n not in names)
                    elif isinstance(value, str) and value:
                        plain = True
                for child in node.get("children") or ():
                    visit(child)
                for choice in node.get("choices") or ():
                    visit(choice)

        visit(self.form)
        for choices in (self.form.get("choices") or {}).values():
            for choice in choices:
                visit(choice)
        if not names and plain:
            names.append(str(self.form.get("default_language") or _DEFAULT))
        return names

    def _languages(self, order: list[str] | None) -> tuple[list[str], dict[str, str | None]]:
        """The instrument's language codes, and pyxform language name -> code.

        pyxform's ``default`` (label columns without ``::language``) becomes English when
        no other column is English, and otherwise the text used where a translation is
        missing (code None).
        """
        names = self._language_names()
        default_name = str(self.form.get("default_language") or _DEFAULT)
        if default_name in names:  # the settings' default language, or the plain label column
            names.remove(default_name)
            names.insert(0, default_name)
        codes: dict[str, str | None] = {}
        taken: set[str] = set()
        for name in names:
            if name == _DEFAULT:
                continue
            code = language_code(name)
            if code is None:
                code = _made_up_code(name, taken)
                self.warn(
                    f"language {name!r} names no language code: evalkit calls it {code!r}; "
                    f"rename its columns like 'label::{name} (xx)' with the ISO 639 code"
                )
            if code in taken:
                first = next(n for n, c in codes.items() if c == code)
                self.warn(f"languages {first!r} and {name!r} are both {code!r}: {first!r} is kept")
                continue
            codes[name] = code
            taken.add(code)
        if _DEFAULT in names:
            if len(names) == 1:
                codes[_DEFAULT] = "en"
                self.warn("the form names no language: its texts are taken as English (en)")
            elif "en" not in taken:
                codes[_DEFAULT] = "en"
                self.warn(
                    "the label/hint columns without '::language' are taken as English (en); "
                    "name their language (label::Name (code)) to change it"
                )
            else:
                codes[_DEFAULT] = None
                self.warn(
                    "the label/hint columns without '::language' fill in where a translation "
                    "is missing (the form also has English columns)"
                )
        found = list(dict.fromkeys(c for n in names if (c := codes.get(n)) is not None))
        if not names:
            self.warn("the form names no language: its texts are taken as English (en)")
        found = found or ["en"]
        if order and sorted(order) == sorted(found):
            found = list(order)
        return found, codes

    def text(self, value: Any, what: str) -> dict[str, str] | None:
        """A text in every language (missing translations filled from the first one)."""
        if value is None or value == "" or value == {}:
            return None
        if isinstance(value, str):
            # a plain text: the default language's, when that is a language of the form;
            # otherwise pyxform's own (its or_other label), used where a text is missing
            name = str(self.form.get("default_language") or _DEFAULT)
            value = {name if self.codes.get(name) else None: value}
        found: dict[str, str] = {}
        spare: str | None = None
        for name, text in value.items():
            if not str(text).strip():
                continue
            code = self.codes.get(name) if name is not None else None
            if code is None:
                spare = spare or uncell(str(text))
            elif code not in found:
                found[code] = uncell(str(text))
        if not found and spare is None:
            return None
        fallback = spare or found.get(self.languages[0]) or next(iter(found.values()))
        for code in self.languages:
            if code not in found:
                found[code] = fallback
                self.missing_texts[code] = self.missing_texts.get(code, 0) + 1
        return {code: found[code] for code in self.languages}

    # -- choices ---------------------------------------------------------------------------
    def choice_value(self, list_name: str, name: str) -> int | str:
        if self.typed_values is not None:
            typed = self.typed_values.get((list_name, name))
            if typed is not None:
                return typed
            return name
        if re.fullmatch(r"-?(0|[1-9][0-9]*)", name):
            return int(name)
        return name

    def choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        image_only: list[str] = []
        for list_name, choices in (self.form.get("choices") or {}).items():
            list_id = identifier(list_name, "list")
            out: list[dict[str, Any]] = []
            seen: dict[Any, int] = {}
            repeated: list[str] = []
            for choice in choices:
                raw = str(choice.get("name", "")).strip()
                if not raw:
                    continue
                value = self.choice_value(list_name, raw)
                if isinstance(value, str) and not _VALUE.fullmatch(value):
                    fixed = re.sub(r"[^A-Za-z0-9_.-]", "_", value).lstrip(".-") or "choice"
                    self.warn(f"choice {value!r} of list {list_id!r} renamed {fixed!r} (no spaces)")
                    value = fixed
                if value in seen:
                    repeated.append(str(value))
                    continue
                seen[value] = len(out)
                label = self.text(choice.get("label"), f"choice {value!r}")
                if label is None:
                    image_only.append(f"{list_id}.{value}")
                    label = {code: str(raw) for code in self.languages}
                entry: dict[str, Any] = {"value": value, "label": label}
                if str(choice.get("evalkit_missing", "")).lower() in _TRUE:
                    entry["missing"] = True
                out.append(entry)
            if repeated:
                self.warn(
                    f"choice list {list_id!r} repeats {', '.join(sorted(set(repeated)))} "
                    "(a cascading select's choice_filter keeps them apart): each value is "
                    "kept once, with its first label"
                )
            if out:
                lists[list_id] = out
        if image_only:
            shown = ", ".join(image_only[:5]) + (" ..." if len(image_only) > 5 else "")
            self.warn(
                f"{len(image_only)} choice(s) have no text label (image only), so their name "
                f"is their label: {shown}"
            )
        return lists

    # -- survey ----------------------------------------------------------------------------
    def walk(self, lists: dict[str, list[dict[str, Any]]]) -> None:
        for child in self.form.get("children") or ():
            self.node(child, lists, section=None, conditions=(), depth=0)
        if self.notes:
            self.warn(
                f"note(s) not imported: they ask nothing (recorded under unanalysed, as Kobo "
                f"exports an empty column for each): {', '.join(self.notes)}"
            )
        if self.metadata:
            self.warn(
                "metadata fields not analysed (the platform records them; recorded under "
                f"unanalysed): {', '.join(self.metadata)}"
            )

    def node(
        self,
        node: dict[str, Any],
        lists: dict[str, list[dict[str, Any]]],
        section: str | None,
        conditions: tuple[str | None, ...],
        depth: int,
    ) -> None:
        kind = str(node.get("type", ""))
        name = str(node.get("name", "")).strip()
        if kind == "group":
            if (node.get("control") or {}).get("bodyless") and name == "meta":
                return  # pyxform's own meta/instanceID block
            self.group(node, lists, section, conditions, depth)
            return
        if kind in ("repeat", "loop"):
            inside = _questions(node)
            self.warn(
                f"{kind} {name!r}{self.where(name)} not analysed (evalkit has one answer per "
                f"question; recorded under unanalysed): "
                f"{', '.join(str(c.get('name')) for c in inside) or 'no questions'}"
            )
            for child in inside:
                if question_kind(child) != "note":
                    self.record_unanalysed(child, "repeat", repeat=name)
            return
        what = question_kind(node)
        if what == "note":
            if name not in self.notes:
                self.notes.append(name)
            self.record_unanalysed(node, "note")
            return
        if what in ("metadata", "calculate", "unanalysed"):
            self.record_unanalysed(node, what)
            return
        item = self.item(node, what, lists, conditions)
        if item is not None:
            if section is not None:
                item["section"] = section
            self.items.append(item)

    def group(
        self,
        node: dict[str, Any],
        lists: dict[str, list[dict[str, Any]]],
        section: str | None,
        conditions: tuple[str | None, ...],
        depth: int,
    ) -> None:
        name = str(node.get("name", "")).strip()
        if depth == 0:
            section = identifier(name or f"section_{len(self.sections) + 1}", "section")
            if any(s["id"] == section for s in self.sections):
                section = f"{section}_{len(self.sections) + 1}"
            title = self.text(node.get("label"), f"group {name!r}") or {
                code: name for code in self.languages
            }
            self.sections.append({"id": section, "title": title})
        else:
            self.warn(
                f"group {name!r}{self.where(name)} is nested: its items join the enclosing section"
            )
        xpath = (node.get("bind") or {}).get("relevant")
        if xpath:
            condition = self.condition(str(xpath), f"group {name!r}")
            conditions = (*conditions, condition)  # None: a condition that did not translate
        for child in node.get("children") or ():
            self.node(child, lists, section, conditions, depth + 1)

    def record_unanalysed(self, node: dict[str, Any], what: str, repeat: str = "") -> None:
        name = str(node.get("name", "")).strip()
        qtype = str(node.get("type", ""))
        entry: dict[str, Any] = {"name": name, "type": qtype}
        if repeat:
            entry["repeat"] = repeat
        label = self.text(node.get("label"), f"question {name!r}")
        if label:
            entry["label"] = label
        self.unanalysed.append(entry)
        if what in ("repeat", "note"):
            return
        if what == "metadata":
            self.metadata.append(name)
        elif what == "calculate":
            formula = (node.get("bind") or {}).get("calculate")
            self.warn(
                f"calculate {name!r}{self.where(name)} not analysed: evalkit stores answers, "
                f"not calculations{f' ({formula})' if formula else ''}; recorded under "
                "unanalysed, so its export column is ignored"
            )
        else:
            self.warn(
                f"question {name!r}{self.where(name)} of type {qtype!r} not analysed: evalkit "
                "has no such type; recorded under unanalysed, so its export column is ignored"
            )

    def item(
        self,
        node: dict[str, Any],
        kind: str,
        lists: dict[str, list[dict[str, Any]]],
        conditions: tuple[str | None, ...],
    ) -> dict[str, Any] | None:
        name = str(node.get("name", "")).strip()
        item_id = identifier(name)
        if item_id != name:
            self.renamed[name] = item_id
            self.warn(
                f"question {name!r} renamed {item_id!r} (evalkit ids are lower case, a-z0-9_)"
            )
        item: dict[str, Any] = {"id": item_id, "type": kind}
        bind = node.get("bind") or {}
        if kind.startswith("select"):
            list_id = identifier(str(node.get("list_name") or node.get("itemset") or ""), "list")
            if list_id not in lists:
                self.warn(f"question {name!r}: its choice list has no choices; not imported")
                self.record_unanalysed(node, "unanalysed")
                return None
            item["choices"] = list_id
            appearance = str((node.get("control") or {}).get("appearance", ""))
            if "literacy" in appearance.split():
                self.literacy(name)
            values = [c["value"] for c in lists[list_id] if not c.get("missing")]
            if (
                kind == "select_one"
                and "likert" in appearance.split()
                and len(values) >= 2
                and all(isinstance(v, int) for v in values)
            ):
                item["type"] = "likert"
        if node.get("choice_filter"):
            self.warn(
                f"question {name!r}: choice_filter ({node['choice_filter']}) not imported; "
                "all choices are offered"
            )
        if node.get("evalkit_type") in ITEM_TYPES:
            item["type"] = node["evalkit_type"]
        item["text"] = self.text(node.get("label"), f"question {name!r}") or {
            code: name for code in self.languages
        }
        hint = self.text(node.get("hint"), f"hint of {name!r}")
        if hint:
            item["hint"] = hint
        required = str(bind.get("required", "")).strip().lower()
        if required in _TRUE:
            item["required"] = True
        elif required and required not in _FALSE:
            self.warn(f"question {name!r}: required = {bind['required']!r} not imported (yes/no)")
        self.bounds(item, bind.get("constraint"), name)
        self.relevant(item, node, name, conditions)
        if node.get("evalkit_role") in ROLES:
            item["role"] = node["evalkit_role"]
        if self.typed_values is not None or "evalkit_pii" in node:
            item["pii"] = str(node.get("evalkit_pii", "")).lower() in _TRUE
        for key in ("source", "unit"):
            if node.get(f"evalkit_{key}") is not None:
                item[key] = str(node[f"evalkit_{key}"])
        return item

    def literacy(self, name: str) -> None:
        """Kobo's literacy test (``appearance literacy``) exports three more columns."""
        extras = [f"{name}/{part}" for part in _LITERACY_COLUMNS]
        self.unanalysed += [{"name": extra, "type": "literacy"} for extra in extras]
        self.warn(
            f"question {name!r}: Kobo's literacy-test columns are not analysed (recorded under "
            f"unanalysed): {', '.join(extras)}"
        )

    def bounds(self, item: dict[str, Any], constraint: Any, name: str) -> None:
        if not constraint or item["type"] == "nps":
            return
        bounds: dict[str, float] = {}
        for part in re.split(r"\s+and\s+", str(constraint).strip()):
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

    def condition(self, xpath: str, what: str) -> str | None:
        """An XPath ``relevant`` in evalkit's grammar (None, with a warning, when it cannot)."""

        def ref(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            return self.renamed.get(name, identifier(name))

        text = _PARENT_REF.sub(ref, _XPATH_REF.sub(ref, xpath))
        singles = {i["id"] for i in self.items if i["type"] in ("select_one", "likert")}
        text = _SELECTED.sub(
            lambda m: f"{m.group(1)} = {m.group(2)}" if m.group(1) in singles else m.group(0),
            text,
        )
        try:
            parse_relevant(text)
        except RelevantSyntaxError as exc:
            self.warn(
                f"{what}: relevant {xpath!r} not imported ({exc}); the question is kept "
                "without it: add the skip logic by hand"
            )
            return None
        return text

    def relevant(
        self,
        item: dict[str, Any],
        node: dict[str, Any],
        name: str,
        conditions: tuple[str | None, ...],
    ) -> None:
        xpath = (node.get("bind") or {}).get("relevant")
        own = self.condition(str(xpath), f"question {name!r}") if xpath else None
        if own is not None and node.get("evalkit_relevant") is not None:
            try:
                if parse_relevant(str(node["evalkit_relevant"])) == parse_relevant(own):
                    own = str(node["evalkit_relevant"])
            except RelevantSyntaxError:
                pass
        if (xpath and own is None) or None in conditions:
            self.unrequire(item, "its skip logic could not be imported")
        parts = [c for c in (*conditions, own) if c is not None]
        if not parts:
            return
        text = parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)
        item["relevant"] = text
        item["_refs"] = referenced_items(parse_relevant(text))

    def unrequire(self, item: dict[str, Any], why: str) -> None:
        if item.pop("required", False):
            self.warn(
                f"question {item['id']!r}: required dropped because {why} (otherwise a "
                "respondent the form never showed it to would be quarantined)"
            )

    def finish_items(self) -> list[dict[str, Any]]:
        """Drop skip logic that refers to items not imported or later; mark personal data."""
        earlier: set[str] = set()
        review: list[str] = []
        for item in self.items:
            refs = item.pop("_refs", set())
            if refs - earlier:
                missing = ", ".join(sorted(refs - earlier))
                self.warn(
                    f"question {item['id']!r}: relevant {item['relevant']!r} not imported: it "
                    f"refers to {missing}, not an earlier analysed question; the question is "
                    "kept without it"
                )
                del item["relevant"]
                self.unrequire(item, "its skip logic could not be imported")
            earlier.add(item["id"])
            if "pii" not in item and (item["type"] == "text" or _CONTACT.search(item["id"])):
                item["pii"] = True
                review.append(item["id"])
        if review:
            self.warn(
                f"marked as personal data (pii: true) until you review them: {', '.join(review)}"
            )
        for code, count in self.missing_texts.items():
            self.warn(
                f"{count} text(s) have no {code} translation: the {self.languages[0]} text is used"
            )
        return self.items


def _questions(node: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for child in node.get("children") or ():
        if child.get("type") in ("group", "repeat"):
            out += _questions(child)
        else:
            out.append(child)
    return out


def _made_up_code(name: str, taken: set[str]) -> str:
    """A three-letter stand-in code for a language name evalkit does not know."""
    letters = re.sub(r"[^a-z]", "", name.lower())
    base = (letters + "xxx")[:3]
    code, n = base, 0
    while code in taken or code in LANGUAGE_NAMES:
        n += 1
        code = f"{base[:2]}{chr(ord('a') + n % 26)}"
    return code
