"""The KPI catalogue: declarative KPIs read from YAML, checked against the instruments.

A KPI names a kind (proportion, mean, index, difference, ratio_of_totals, total, count,
reach_ratio), the instrument its rows come from, filters over item values and an optional
target. Nothing is evaluated as code: filters are data (``{item: mode, in: [virtual]}``).
The library catalogue is ``instruments/kpis.yaml``; an office file with ``extends: library``
overrides targets (or any key) by KPI id and may add KPIs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from evalkit.errors import InstrumentError
from evalkit.instrument.library import library_dir, load_instrument
from evalkit.instrument.load import Problem, _explain_schema_error, raise_first_problem
from evalkit.instrument.model import Instrument
from evalkit.instrument.yamlio import KeyPath, LineMap, format_path, read_yaml

KINDS = (
    "proportion",
    "mean",
    "index",
    "difference",
    "ratio_of_totals",
    "total",
    "count",
    "reach_ratio",
)
# What each kind needs besides id/code/title/kind/concern/direction.
_REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "proportion": ("source", "numerator"),
    "mean": ("source", "value"),
    "index": ("source", "scales"),
    "difference": ("source", "value", "groups"),
    "ratio_of_totals": ("numerator", "denominator"),
    "total": ("source", "terms"),
    "count": ("source",),
    "reach_ratio": ("source", "numerator", "population"),
}
_OPERATORS = ("in", "not_in", "min", "max", "selected_any", "selected_none", "answered")


@dataclass(frozen=True)
class Condition:
    """One filter: ``item`` and one operator with its operand."""

    item: str
    op: str
    operand: Any


@dataclass(frozen=True)
class Term:
    """``item × factor × each of times``, summed over rows."""

    item: str
    times: tuple[str, ...] = ()
    factor: float = 1.0


@dataclass(frozen=True)
class Side:
    """One side of a ratio of totals: rows of ``source`` passing ``filter``, summing ``terms``."""

    source: str
    terms: tuple[Term, ...]
    filter: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue."""

    id: str
    code: str
    title: str
    kind: str
    concern: str
    direction: str
    description: str = ""
    source: str | None = None
    filter: tuple[Condition, ...] = ()
    numerator: tuple[Condition, ...] | Side | None = None
    denominator: Side | None = None
    value: str | None = None
    scales: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    distinct: str | None = None
    groups: tuple[str, str, str] | None = None  # (item, first, second)
    population: str | None = None
    link: str | None = None
    by: str | None = None
    target: float | None = None
    unit: str | None = None
    output: bool = False
    side: str = "both"  # toward_target: at_least, at_most or both sides of the target
    tolerance: float = 0.0  # toward_target: distance from the target still on target
    title_es: str | None = None

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (``es``: ``title_es`` when the catalogue gives one)."""
        return self.title_es if lang == "es" and self.title_es else self.title

    @property
    def sources(self) -> tuple[str, ...]:
        """Every instrument the KPI reads."""
        if isinstance(self.numerator, Side) and self.denominator is not None:
            return tuple(dict.fromkeys((self.numerator.source, self.denominator.source)))
        return (self.source,) if self.source else ()


@dataclass(frozen=True)
class Catalogue:
    """A checked KPI catalogue."""

    version: str
    kpis: tuple[Kpi, ...]
    path: str | None = field(default=None, compare=False)

    def kpi(self, kpi_id: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        raise KeyError(f"no KPI {kpi_id!r} in the catalogue")


@cache
def kpi_schema() -> dict[str, Any]:
    """The JSON Schema of KPI catalogue files."""
    text = resources.files("evalkit.kpi").joinpath("kpis.schema.json").read_text("utf-8")
    return json.loads(text)


def library_catalogue_path() -> Path:
    return library_dir() / "kpis.yaml"


def is_catalogue(data: Any) -> bool:
    """True when YAML data looks like a KPI catalogue rather than an instrument."""
    return isinstance(data, dict) and "kpis" in data and "items" not in data


class _Checker:
    def __init__(self, source: str, lines: LineMap) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []
        self._instruments: dict[str, Instrument | None] = {}

    def add(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.problems.append(
            Problem(self.source, self.lines.line(path), format_path(path), message, hint)
        )

    def instrument(self, instrument_id: str, path: KeyPath) -> Instrument | None:
        if instrument_id not in self._instruments:
            try:
                self._instruments[instrument_id] = load_instrument(instrument_id)
            except InstrumentError as exc:
                self._instruments[instrument_id] = None
                self.add(path, f"source {instrument_id!r}: {exc.message}", exc.hint)
            except Exception as exc:  # InstrumentNotFoundError and friends
                self._instruments[instrument_id] = None
                self.add(
                    path, f"unknown source instrument {instrument_id!r}", getattr(exc, "hint", "")
                )
        return self._instruments[instrument_id]

    def item_or_scale(self, inst: Instrument, name: str, path: KeyPath) -> str | None:
        """'item', 'scale' or None (with a problem) for a name used by a KPI."""
        if inst.has_item(name):
            if inst.item(name).pii:
                self.add(
                    path,
                    f"{name!r} is personal data (pii) in {inst.id}",
                    "KPIs may not use pii items",
                )
                return None
            return "item"
        if any(s.id == name for s in inst.scales):
            return "scale"
        self.add(
            path, f"{inst.id} has no item or scale {name!r}", "use an item id of that instrument"
        )
        return None

    def conditions(self, inst: Instrument, conditions: list[dict[str, Any]], path: KeyPath) -> None:
        for i, condition in enumerate(conditions):
            cpath = (*path, i)
            name = condition["item"]
            what = self.item_or_scale(inst, name, (*cpath, "item"))
            if what is None:
                continue
            op = next(k for k in condition if k != "item")
            operand = condition[op]
            item = inst.item(name) if what == "item" else None
            if op in ("selected_any", "selected_none") and (
                item is None or item.type != "select_multiple"
            ):
                self.add(
                    (*cpath, op),
                    f"{op} applies to select_multiple items; {name!r} is not one",
                    "use in / not_in",
                )
                continue
            if (
                op in ("min", "max")
                and item is not None
                and not (item.is_numeric or item.type == "likert")
            ):
                self.add(
                    (*cpath, op),
                    f"{op} needs a numeric item; {name!r} is {item.type}",
                    "use in / not_in",
                )
            if op in ("in", "not_in", "selected_any", "selected_none") and item is not None:
                choices = inst.choices_for(item)
                if choices is None:
                    self.add((*cpath, op), f"{name!r} has no choices", "use min / max")
                    continue
                for j, value in enumerate(operand):
                    if choices.find(value) is None:
                        known = ", ".join(c.name for c in choices)
                        self.add(
                            (*cpath, op, j),
                            f"{value!r} is not a choice of {inst.id}.{name}",
                            f"use one of: {known}",
                        )

    def terms(self, inst: Instrument, terms: list[dict[str, Any]], path: KeyPath) -> None:
        for i, term in enumerate(terms):
            for j, name in enumerate([term["item"], *term.get("times", [])]):
                key = (*path, i, "item") if j == 0 else (*path, i, "times", j - 1)
                if self.item_or_scale(inst, name, key) == "item" and not inst.item(name).is_numeric:
                    self.add(key, f"{name!r} is not a number", "terms sum integer or decimal items")

    def side(self, side: dict[str, Any], path: KeyPath) -> None:
        inst = self.instrument(side["source"], (*path, "source"))
        if inst is None:
            return
        self.conditions(inst, side.get("filter", []), (*path, "filter"))
        self.terms(inst, side["terms"], (*path, "terms"))

    def kpi(self, kpi: dict[str, Any], path: KeyPath) -> None:
        kind = kpi["kind"]
        for key in _REQUIRED_BY_KIND[kind]:
            if key not in kpi:
                self.add(path, f"a {kind} KPI needs {key!r}", f"add '{key}:' (see docs/kpis.md)")
        if kind == "ratio_of_totals":
            for key in ("numerator", "denominator"):
                if isinstance(kpi.get(key), dict):
                    self.side(kpi[key], (*path, key))
                elif key in kpi:
                    self.add(
                        (*path, key),
                        "a ratio_of_totals side needs source and terms",
                        "see docs/kpis.md",
                    )
            if "link" in kpi:
                for key in ("numerator", "denominator"):
                    inst = (
                        self.instrument(kpi[key]["source"], (*path, key))
                        if isinstance(kpi.get(key), dict)
                        else None
                    )
                    if inst is not None and not inst.has_item(kpi["link"]):
                        self.add(
                            (*path, "link"),
                            f"{inst.id} has no item {kpi['link']!r}",
                            "link with an id item both instruments have",
                        )
            return
        if "source" not in kpi:
            return
        inst = self.instrument(kpi["source"], (*path, "source"))
        if inst is None:
            return
        self.conditions(inst, kpi.get("filter", []), (*path, "filter"))
        if isinstance(kpi.get("numerator"), list):
            self.conditions(inst, kpi["numerator"], (*path, "numerator"))
        elif "numerator" in kpi:
            self.add(
                (*path, "numerator"),
                f"a {kind} KPI's numerator is a list of conditions",
                "see docs/kpis.md",
            )
        for key in ("value", "distinct", "by"):
            if key in kpi:
                self.item_or_scale(inst, kpi[key], (*path, key))
        if "by" in kpi and inst.has_item(kpi["by"]) and not inst.item(kpi["by"]).has_choices:
            self.add(
                (*path, "by"),
                f"break down by a choice item; {kpi['by']!r} is {inst.item(kpi['by']).type}",
                "use mode or another select item",
            )
        for i, scale in enumerate(kpi.get("scales", [])):
            if not any(s.id == scale for s in inst.scales):
                self.add(
                    (*path, "scales", i),
                    f"{inst.id} has no scale {scale!r}",
                    f"use one of: {', '.join(s.id for s in inst.scales)}",
                )
        if "terms" in kpi:
            self.terms(inst, kpi["terms"], (*path, "terms"))
        if "groups" in kpi:
            groups = kpi["groups"]
            self.conditions(
                inst,
                [{"item": groups["item"], "in": [groups["first"], groups["second"]]}],
                (*path, "groups"),
            )


def _inherited(library: dict[str, Any], office: dict[str, Any]) -> dict[str, Any]:
    """The library entry an office KPI inherits from; a renamed KPI does not keep the
    library's translated title (it would name another thing in the Spanish report)."""
    if "title" in office and "title_es" not in office:
        return {k: v for k, v in library.items() if k != "title_es"}
    return library


def _merge_over_library(data: dict[str, Any]) -> dict[str, Any]:
    """An office catalogue merged over the library's, keeping the office's KPIs first.

    The office's entries keep their positions (so problems point at the office file's lines);
    library KPIs the office does not mention follow unchanged.
    """
    library_raw, _ = read_yaml(library_catalogue_path())
    by_id = {raw["id"]: raw for raw in library_raw["kpis"]}
    office = [
        {**_inherited(by_id.get(raw.get("id"), {}), raw), **raw} if isinstance(raw, dict) else raw
        for raw in data.get("kpis") or []
    ]
    mentioned = {raw.get("id") for raw in office if isinstance(raw, dict)}
    rest = [raw for kpi_id, raw in by_id.items() if kpi_id not in mentioned]
    return {**data, "kpis": office + rest}


def check_catalogue_data(data: Any, source: str, lines: LineMap | None = None) -> list[Problem]:
    """Every problem of a KPI catalogue (schema, then checks against the instruments)."""
    from jsonschema import Draft202012Validator

    checker = _Checker(source, lines or LineMap())
    if isinstance(data, dict) and "extends" in data:
        if data["extends"] != "library":
            checker.add(
                ("extends",),
                f"extends {data['extends']!r} is not supported",
                "write 'extends: library'",
            )
            return checker.problems
        data = _merge_over_library(data)
    validator = Draft202012Validator(kpi_schema())
    for error in sorted(
        validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        message, hint = _explain_schema_error(error)
        checker.add(tuple(error.absolute_path), message, hint)
    if checker.problems:
        return checker.problems
    seen: set[str] = set()
    for i, kpi in enumerate(data["kpis"]):
        if kpi["id"] in seen:
            checker.add(
                ("kpis", i, "id"), f"duplicate KPI id {kpi['id']!r}", "give each KPI its own id"
            )
        seen.add(kpi["id"])
        checker.kpi(kpi, ("kpis", i))
    return checker.problems


def check_definition_file(path: str | Path) -> list[Problem]:
    """Check an instrument file or a KPI catalogue file, whichever it is (read once)."""
    from evalkit.instrument.load import check_instrument_data

    try:
        data, lines = read_yaml(path)
    except InstrumentError as exc:
        loc = exc.location
        return [Problem(loc.file or str(path), loc.line, loc.key or "", exc.message, exc.hint)]
    if is_catalogue(data):
        return check_catalogue_data(data, str(path), lines)
    return check_instrument_data(data, str(path), lines)


def _conditions(raw: list[dict[str, Any]] | None) -> tuple[Condition, ...]:
    out = []
    for condition in raw or []:
        op = next(k for k in condition if k != "item")
        operand = condition[op]
        out.append(
            Condition(
                condition["item"], op, tuple(operand) if isinstance(operand, list) else operand
            )
        )
    return tuple(out)


def _terms(raw: list[dict[str, Any]]) -> tuple[Term, ...]:
    return tuple(
        Term(t["item"], tuple(t.get("times", ())), float(t.get("factor", 1.0))) for t in raw
    )


def _side(raw: dict[str, Any]) -> Side:
    return Side(raw["source"], _terms(raw["terms"]), _conditions(raw.get("filter")))


def build_kpi(raw: dict[str, Any]) -> Kpi:
    numerator: tuple[Condition, ...] | Side | None = None
    if isinstance(raw.get("numerator"), dict):
        numerator = _side(raw["numerator"])
    elif raw.get("numerator") is not None:
        numerator = _conditions(raw["numerator"])
    groups = raw.get("groups")
    return Kpi(
        id=raw["id"],
        code=raw["code"],
        title=raw["title"],
        title_es=raw.get("title_es"),
        kind=raw["kind"],
        concern=raw["concern"],
        direction=raw["direction"],
        description=" ".join(str(raw.get("description", "")).split()),
        source=raw.get("source"),
        filter=_conditions(raw.get("filter")),
        numerator=numerator,
        denominator=_side(raw["denominator"]) if raw.get("denominator") else None,
        value=raw.get("value"),
        scales=tuple(raw.get("scales", ())),
        terms=_terms(raw.get("terms", [])),
        distinct=raw.get("distinct"),
        groups=(groups["item"], groups["first"], groups["second"]) if groups else None,
        population=raw.get("population"),
        link=raw.get("link"),
        by=raw.get("by"),
        target=raw.get("target"),
        unit=raw.get("unit"),
        output=bool(raw.get("output", False)),
        side=str(raw.get("side", "both")),
        tolerance=float(raw.get("tolerance", 0.0)),
    )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The library catalogue, or an office catalogue (merged over the library's if it extends it).

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> catalogue.kpi("connector_contribution_rate").code
    'K1'
    >>> len(catalogue.kpis) >= 12
    True
    """
    file = Path(path) if path else library_catalogue_path()
    data, lines = read_yaml(file, what="KPI catalogue")
    raise_first_problem(check_catalogue_data(data, str(file), lines), file)
    if "extends" in data:
        data = _merge_over_library(data)
    return Catalogue(data["version"], tuple(build_kpi(raw) for raw in data["kpis"]), str(file))


def with_target(kpi: Kpi, target: float | None) -> Kpi:
    """A copy of ``kpi`` with another target."""
    return replace(kpi, target=target)
