"""Load an instrument file: safe YAML, the JSON Schema, then the checks a schema cannot do.

:func:`check_instrument_file` returns every problem as data (:class:`Problem`);
:func:`load_instrument_file` returns a frozen :class:`~evalkit.instrument.model.Instrument`
or raises :class:`~evalkit.errors.InstrumentError` naming the file, line and key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from evalkit.errors import InstrumentError, Location
from evalkit.instrument.model import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    Choice,
    ChoiceList,
    Instrument,
    Item,
    Ratio,
    Scale,
    Section,
    Source,
    Term,
    Text,
    Unanalysed,
)
from evalkit.instrument.relevant import (
    Compare,
    RelevantSyntaxError,
    Selected,
    parse_relevant,
    shown,
    walk,
)
from evalkit.instrument.yamlio import KeyPath, LineMap, format_path, read_yaml

SCHEMA_RESOURCE = "instrument.schema.json"
# Ids that suggest contact data: such items must be marked pii: true.
_CONTACT_HINT = re.compile(
    r"(^|_)(e?mail|phone|telephone|mobile|address|zip|postcode|postal_code)($|_)"
)
# Ids with "name" may hold a person's name or an organisation's: the file must say which.
_NAME_HINT = re.compile(r"(^|_)(name|first_name|last_name|surname)($|_)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instrument file, with where it is and how to fix it."""

    file: str
    line: int | None
    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


@cache
def instrument_schema() -> dict[str, Any]:
    """The JSON Schema of instrument files, as shipped in the package."""
    text = resources.files("evalkit.instrument").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    return json.loads(text)


def schema_path() -> Path:
    """Filesystem path of the shipped JSON Schema (for editors' YAML language servers)."""
    return Path(str(resources.files("evalkit.instrument").joinpath(SCHEMA_RESOURCE)))


class _Collector:
    """Collects problems with their line numbers."""

    def __init__(self, source: str, lines: LineMap) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.source, self.lines.line(path), format_path(path), message, hint)
        )


def _schema_problems(data: Any, out: _Collector) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(instrument_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        path = tuple(error.absolute_path)
        message, hint = _explain_schema_error(error)
        out.add(path, message, hint)


def _explain_schema_error(error: Any) -> tuple[str, str]:
    """Turn a jsonschema error into a short message and a fix."""
    validator = error.validator
    instance = error.instance
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"missing required key {missing!r}", f"add '{missing}:' here"
    if validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        allowed = sorted(error.schema.get("properties", {}))
        name = extra[0] if extra else "?"
        return f"unknown key {name!r}", f"use one of: {', '.join(allowed)}"
    if isinstance(instance, bool) and validator in ("oneOf", "type", "enum", "pattern"):
        return (
            f"{instance!r} is read as a boolean",
            "YAML reads yes/no/on/off/true/false as booleans: quote the value, e.g. 'yes'",
        )
    if validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{instance!r} is not allowed", f"use one of: {options}"
    if validator == "pattern":
        return f"{instance!r} has the wrong form", _pattern_hint(error.validator_value)
    if validator == "oneOf" and error.schema.get("description", "").startswith("A text"):
        return (
            "a text must be a string or a mapping of language codes to strings",
            "write e.g. {en: ..., es: ...}",
        )
    if validator == "type":
        return (
            f"expected {error.validator_value}, found {type(instance).__name__}",
            "see docs/instrument-format.md for this key",
        )
    if validator in ("minItems", "minProperties", "minLength"):
        return "must not be empty", "fill it in or remove the key"
    if validator == "uniqueItems":
        return "lists the same entry twice", "remove the duplicate"
    return error.message, "see docs/instrument-format.md"


def _pattern_hint(pattern: str) -> str:
    if "[a-z][a-z0-9_]*" in pattern:
        return "use lower case letters, digits and _, starting with a letter (e.g. worth_time)"
    if "(0|[1-9]" in pattern:
        return "use a semantic version such as 1.0.0"
    if "[a-z]{2,3}" in pattern:
        return "use a language code such as en, es or pt-BR"
    return "use letters, digits, _, . and - only (no spaces)"


def _text_languages(value: Any) -> set[str] | None:
    if isinstance(value, dict):
        return set(value)
    return None


def _check_texts(data: dict[str, Any], out: _Collector) -> None:
    """Every text carries exactly the instrument's languages."""
    languages = list(data.get("languages") or [])
    if not languages:
        return
    wanted = set(languages)

    def check(value: Any, path: KeyPath) -> None:
        if value is None:
            return
        if isinstance(value, str):
            if len(languages) > 1:
                out.add(
                    path,
                    f"a plain string, but the instrument has {len(languages)} languages",
                    "write the text for each language: {"
                    + ", ".join(f"{lang}: ..." for lang in languages)
                    + "}",
                )
            return
        have = _text_languages(value)
        if have is None:
            return
        for lang in languages:
            if lang not in have:
                out.add(
                    path,
                    f"no {lang!r} text",
                    f"add '{lang}: ...' (every text needs every language)",
                )
        for lang in sorted(have - wanted):
            out.add(
                (*path, lang),
                f"language {lang!r} is not in languages",
                "add it to languages or remove it",
            )

    check(data.get("title"), ("title",))
    check(data.get("purpose"), ("purpose",))
    for i, section in enumerate(data.get("sections") or []):
        check(section.get("title"), ("sections", i, "title"))
    for list_id, choices in (data.get("choice_lists") or {}).items():
        for j, choice in enumerate(choices):
            check(choice.get("label"), ("choice_lists", list_id, j, "label"))
    for i, item in enumerate(data.get("items") or []):
        check(item.get("text"), ("items", i, "text"))
        check(item.get("hint"), ("items", i, "hint"))
    for i, scale in enumerate(data.get("scales") or []):
        check(scale.get("label"), ("scales", i, "label"))
    for i, ratio in enumerate(data.get("ratios") or []):
        check(ratio.get("label"), ("ratios", i, "label"))
    for i, question in enumerate(data.get("unanalysed") or []):
        check(question.get("label"), ("unanalysed", i, "label"))


def _check_choice_lists(data: dict[str, Any], out: _Collector) -> None:
    for list_id, choices in (data.get("choice_lists") or {}).items():
        seen: set[str] = set()
        for j, choice in enumerate(choices):
            value = str(choice.get("value"))
            if value in seen:
                out.add(
                    ("choice_lists", list_id, j, "value"),
                    f"choice value {value!r} appears twice in {list_id!r}",
                    "give each choice its own value",
                )
            seen.add(value)


def _check_items(data: dict[str, Any], out: _Collector) -> None:
    items = data.get("items") or []
    lists = data.get("choice_lists") or {}
    sections = {s["id"] for s in data.get("sections") or []}
    sources = {s["id"] for s in data.get("sources") or []}
    seen: dict[str, int] = {}
    if not items and not data.get("unanalysed"):
        out.add(("items",), "must not be empty", "add at least one item")
    for i, item in enumerate(items):
        item_id = item["id"]
        path: KeyPath = ("items", i)
        if item_id in seen:
            out.add(
                (*path, "id"),
                f"duplicate item id {item_id!r} (also items[{seen[item_id]}])",
                "give each item its own id",
            )
        else:
            seen[item_id] = i
        _check_item_choices(item, path, lists, out)
        _check_item_bounds(item, path, out)
        _check_item_pii(item, path, out)
        if item.get("section") and item["section"] not in sections:
            out.add(
                (*path, "section"),
                f"unknown section {item['section']!r}",
                "declare it under sections or fix the name",
            )
        if item.get("source") and item["source"] not in sources:
            out.add(
                (*path, "source"),
                f"unknown source {item['source']!r}",
                "declare it under sources with its citation",
            )
        if item.get("role") == "group" and item["type"] not in ("select_one",):
            out.add(
                (*path, "role"), "a group item must be select_one", "change the type or the role"
            )
        if item.get("role") == "weight" and item["type"] not in ("integer", "decimal"):
            out.add((*path, "role"), "a weight item must be a number", "use type: decimal")
    _check_sections_contiguous(items, out)


def _check_item_choices(
    item: dict[str, Any], path: KeyPath, lists: dict[str, Any], out: _Collector
) -> None:
    item_type = item["type"]
    list_id = item.get("choices")
    if item_type in CHOICE_TYPES:
        if not list_id:
            out.add(
                path,
                f"a {item_type} item needs choices",
                "add 'choices: LIST' naming a list under choice_lists",
            )
        elif list_id not in lists:
            known = ", ".join(sorted(lists)) or "none defined"
            out.add(
                (*path, "choices"),
                f"unknown choice list {list_id!r}",
                f"define it under choice_lists or use one of: {known}",
            )
        elif item_type == "likert":
            levels = [c["value"] for c in lists[list_id] if not c.get("missing")]
            if len(levels) < 2 or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in levels
            ):
                out.add(
                    (*path, "choices"),
                    f"likert list {list_id!r} needs two or more integer values",
                    "use integer values 1..k (N/A as a missing: true choice)",
                )
    elif list_id:
        out.add(
            (*path, "choices"),
            f"a {item_type} item has no choices",
            "remove 'choices' or change the type",
        )


def _check_item_bounds(item: dict[str, Any], path: KeyPath, out: _Collector) -> None:
    low, high = item.get("min"), item.get("max")
    if (low is not None or high is not None) and item["type"] not in NUMERIC_TYPES - {"nps"}:
        out.add(
            (*path, "min" if low is not None else "max"),
            f"min/max apply to integer and decimal items, not {item['type']}",
            "remove min/max",
        )
    if low is not None and high is not None and low > high:
        out.add((*path, "min"), f"min {low} is greater than max {high}", "swap them")


def _check_item_pii(item: dict[str, Any], path: KeyPath, out: _Collector) -> None:
    if item["type"] == "text" and "pii" not in item:
        out.add(
            path,
            f"text item {item['id']!r} does not say whether it holds personal data",
            "add 'pii: true' or 'pii: false' (free text can identify people)",
        )
    if _CONTACT_HINT.search(item["id"]) and item.get("pii") is not True:
        out.add(
            (*path, "pii"),
            f"{item['id']!r} looks like personal contact data",
            "mark it 'pii: true' so it never reaches reports",
        )
    elif _NAME_HINT.search(item["id"]) and "pii" not in item:
        out.add(
            path,
            f"{item['id']!r} may hold a person's name",
            "add 'pii: true' for a person, or 'pii: false' for an organisation",
        )
    if item.get("pii") and item.get("role") in ("group", "outcome", "covariate", "weight"):
        out.add(
            (*path, "role"),
            f"a pii item cannot have role {item['role']!r}",
            "pii items never reach analysis; remove the role or pii",
        )


def _check_sections_contiguous(items: list[dict[str, Any]], out: _Collector) -> None:
    closed: set[str] = set()
    current: str | None = None
    for i, item in enumerate(items):
        section = item.get("section")
        if section != current:
            if current is not None:
                closed.add(current)
            if section in closed:
                out.add(
                    ("items", i, "section"),
                    f"section {section!r} resumes after another section",
                    "keep a section's items together",
                )
            current = section


def _check_relevant(data: dict[str, Any], out: _Collector) -> None:
    items = data.get("items") or []
    lists = data.get("choice_lists") or {}
    position = {item["id"]: i for i, item in enumerate(items)}
    by_id = {item["id"]: item for item in items}
    for i, item in enumerate(items):
        source = item.get("relevant")
        if source is None:
            continue
        path: KeyPath = ("items", i, "relevant")
        try:
            expr = parse_relevant(source)
        except RelevantSyntaxError as exc:
            out.add(
                path,
                f"cannot parse {shown(source)}: {exc}",
                "see the relevant grammar in docs/instrument-format.md",
            )
            continue
        for node in walk(expr):
            if not isinstance(node, Compare | Selected):
                continue
            ref = node.item
            if ref not in position:
                out.add(path, f"refers to unknown item {ref!r}", "use the id of an earlier item")
                continue
            if position[ref] >= i:
                out.add(
                    path,
                    f"refers to {ref!r}, which is not before {item['id']!r}",
                    "skip logic may only use items asked earlier",
                )
                continue
            _check_reference_value(node, by_id[ref], lists, path, out)


def _check_reference_value(
    node: Compare | Selected,
    target: dict[str, Any],
    lists: dict[str, Any],
    path: KeyPath,
    out: _Collector,
) -> None:
    values = {str(c["value"]) for c in lists.get(target.get("choices") or "", [])}
    if isinstance(node, Selected):
        if target["type"] not in CHOICE_TYPES:
            out.add(
                path,
                f"selected() needs a choice item; {target['id']!r} is {target['type']}",
                f"compare it instead, e.g. {target['id']} > 0",
            )
        elif node.choice not in values:
            out.add(
                path,
                f"{node.choice!r} is not a choice of {target['id']!r}",
                f"use one of: {', '.join(sorted(values))}",
            )
        return
    if target["type"] in CHOICE_TYPES and values and str(node.value) not in values:
        out.add(
            path,
            f"{node.value!r} is not a choice of {target['id']!r}",
            f"use one of: {', '.join(sorted(values))}",
        )
    if target["type"] == "select_multiple":
        out.add(
            path,
            f"{target['id']!r} allows several answers",
            f"use selected({target['id']}, '...') instead of a comparison",
        )


def _check_scales(data: dict[str, Any], out: _Collector) -> None:
    by_id = {item["id"]: item for item in data.get("items") or []}
    seen: set[str] = set()
    for i, scale in enumerate(data.get("scales") or []):
        path: KeyPath = ("scales", i)
        if scale["id"] in seen or scale["id"] in by_id:
            out.add(
                (*path, "id"),
                f"scale id {scale['id']!r} is already used",
                "scale ids must differ from item and other scale ids",
            )
        seen.add(scale["id"])
        members = scale["items"]
        for j, member in enumerate(members):
            if member not in by_id:
                out.add(
                    (*path, "items", j),
                    f"unknown item {member!r}",
                    "list ids of items in this instrument",
                )
            elif by_id[member]["type"] not in ("likert", "integer", "decimal", "nps"):
                out.add(
                    (*path, "items", j),
                    f"{member!r} is {by_id[member]['type']}, not a rated item",
                    "scales combine likert or numeric items",
                )
        for j, member in enumerate(scale.get("reverse") or []):
            if member not in members:
                out.add(
                    (*path, "reverse", j),
                    f"reverse item {member!r} is not one of the scale's items",
                    "list it under items too, or remove it",
                )
        lists = {
            by_id[m].get("choices") for m in members if m in by_id and by_id[m]["type"] == "likert"
        }
        if len(lists) > 1:
            out.add(
                (*path, "items"),
                f"items use different choice lists ({', '.join(sorted(str(x) for x in lists))})",
                "a scale's likert items must share one response scale",
            )
        if scale.get("min_items", 1) > len(members):
            out.add(
                (*path, "min_items"),
                f"min_items {scale['min_items']} exceeds the {len(members)} items",
                "lower min_items",
            )


def _check_ratios(data: dict[str, Any], out: _Collector) -> None:
    """Ratio ids are new names; their terms read numeric items that are not personal data."""
    by_id = {item["id"]: item for item in data.get("items") or []}
    taken = set(by_id) | {s["id"] for s in data.get("scales") or []}
    for i, ratio in enumerate(data.get("ratios") or []):
        path: KeyPath = ("ratios", i)
        if ratio["id"] in taken:
            out.add(
                (*path, "id"),
                f"ratio id {ratio['id']!r} is already used",
                "ratio ids must differ from item, scale and other ratio ids",
            )
        taken.add(ratio["id"])
        for side in ("numerator", "denominator"):
            for j, term in enumerate(ratio[side]):
                places: list[tuple[KeyPath, str]] = [((*path, side, j, "item"), term["item"])]
                places += [
                    ((*path, side, j, "times", k), name)
                    for k, name in enumerate(term.get("times") or [])
                ]
                for where, name in places:
                    item = by_id.get(name)
                    if item is None:
                        out.add(
                            where, f"unknown item {name!r}", "use an item id of this instrument"
                        )
                    elif item["type"] not in ("integer", "decimal"):
                        out.add(
                            where,
                            f"{name!r} is {item['type']}, not a number",
                            "ratio terms multiply and add integer or decimal items",
                        )
                    elif item.get("pii"):
                        out.add(
                            where, f"{name!r} is personal data", "pii items never reach analysis"
                        )


def check_instrument_data(data: Any, source: str, lines: LineMap | None = None) -> list[Problem]:
    """All problems of an instrument already read from YAML (schema first, then semantics)."""
    out = _Collector(source, lines or LineMap())
    if not isinstance(data, dict):
        out.add(
            (),
            f"expected a mapping of keys (id, version, items, ...), found {type(data).__name__}",
            "start from an instrument in instruments/",
        )
        return out.problems
    _schema_problems(data, out)
    if out.problems:  # semantic checks assume the shape the schema guarantees
        return out.problems
    _check_texts(data, out)
    _check_choice_lists(data, out)
    _check_items(data, out)
    _check_relevant(data, out)
    _check_scales(data, out)
    _check_ratios(data, out)
    return out.problems


def check_instrument_file(path: str | Path) -> list[Problem]:
    """Every problem of an instrument file; an empty list when it is valid.

    Examples
    --------
    >>> from evalkit.instrument.library import library_path
    >>> check_instrument_file(library_path("post_engagement"))
    []
    """
    try:
        data, lines = read_yaml(path)
    except InstrumentError as exc:
        loc = exc.location
        return [Problem(loc.file or str(path), loc.line, loc.key or "", exc.message, exc.hint)]
    return check_instrument_data(data, str(path), lines)


def _text(value: Any, default_language: str) -> Text:
    if isinstance(value, str):
        return Text(((default_language, value),))
    return Text.of(value)


def _term(term: dict[str, Any]) -> Term:
    return Term(term["item"], tuple(term.get("times") or ()), float(term.get("factor", 1.0)))


def build_instrument(data: dict[str, Any], path: str | None = None) -> Instrument:
    """Build the frozen model from checked data (call :func:`check_instrument_data` first)."""
    lang = data["languages"][0]
    choice_lists = tuple(
        ChoiceList(
            list_id,
            tuple(
                Choice(c["value"], _text(c["label"], lang), bool(c.get("missing", False)))
                for c in choices
            ),
        )
        for list_id, choices in (data.get("choice_lists") or {}).items()
    )
    items = tuple(
        Item(
            id=i["id"],
            type=i["type"],
            text=_text(i["text"], lang),
            choices=i.get("choices"),
            role=i.get("role"),
            required=bool(i.get("required", False)),
            relevant=i.get("relevant"),
            min=i.get("min"),
            max=i.get("max"),
            pii=bool(i.get("pii", False)),
            hint=_text(i["hint"], lang) if i.get("hint") else None,
            section=i.get("section"),
            source=i.get("source"),
            unit=i.get("unit"),
        )
        for i in data["items"]
    )
    scales = tuple(
        Scale(
            id=s["id"],
            items=tuple(s["items"]),
            label=_text(s["label"], lang) if s.get("label") else None,
            reverse=tuple(s.get("reverse") or ()),
            score=s.get("score", "mean"),
            min_items=int(s.get("min_items", 1)),
            source=s.get("source"),
        )
        for s in data.get("scales") or []
    )
    ratios = tuple(
        Ratio(
            id=r["id"],
            numerator=tuple(_term(t) for t in r["numerator"]),
            denominator=tuple(_term(t) for t in r["denominator"]),
            label=_text(r["label"], lang) if r.get("label") else None,
            unit=r.get("unit"),
        )
        for r in data.get("ratios") or []
    )
    return Instrument(
        id=data["id"],
        version=data["version"],
        title=_text(data["title"], lang),
        languages=tuple(data["languages"]),
        items=items,
        choice_lists=choice_lists,
        scales=scales,
        ratios=ratios,
        sections=tuple(
            Section(s["id"], _text(s["title"], lang)) for s in data.get("sections") or []
        ),
        sources=tuple(
            Source(s["id"], s["citation"], s.get("url")) for s in data.get("sources") or []
        ),
        unanalysed=tuple(
            Unanalysed(
                u["name"],
                u["type"],
                _text(u["label"], lang) if u.get("label") else None,
                u.get("repeat"),
            )
            for u in data.get("unanalysed") or []
        ),
        respondent=data.get("respondent"),
        timing=data.get("timing"),
        purpose=_text(data["purpose"], lang) if data.get("purpose") else None,
        kind=data.get("kind", "survey"),
        path=path,
    )


def load_instrument_file(path: str | Path) -> Instrument:
    """Read, check and build an instrument; raise :class:`InstrumentError` on the first problem.

    The error's message names the file, line and key; when there are more problems it says
    how many and points to ``evalkit instrument check``.
    """
    data, lines = read_yaml(path)
    raise_first_problem(check_instrument_data(data, str(path), lines), path)
    return build_instrument(data, str(path))


def raise_first_problem(problems: list[Problem], path: str | Path) -> None:
    """Raise the first problem as an :class:`InstrumentError`, counting the others."""
    if not problems:
        return
    first = problems[0]
    more = (
        f" (and {len(problems) - 1} more problems: run 'evalkit instrument check {path}')"
        if len(problems) > 1
        else ""
    )
    raise InstrumentError(
        first.message + more,
        Location(first.file, first.line, key=first.key or None),
        first.hint,
    )
