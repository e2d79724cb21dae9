"""Planted effects: what the synthetic generator makes differ between groups, and by how much.

An effects file is YAML (safe-loaded, no anchors) with one top-level key, ``effects``, a list
of mappings. Each effect names *who* (a selector), *what* (a target) and *how much* (a size)::

    effects:
      - {group: virtual, latent: value_index, shift_sd: -0.3}
      - {group: in_person, item: new_contacts, rate_ratio: 1.5}
      - {group: virtual, item: next_step, shift_logit: -0.5}
      - {when: {wave: post}, latent: global_readiness, shift_sd: 0.4,
         instrument: community_programme, note: programme effect}

Keys of one effect:

``group``
    A value of the instrument's group item (``role: group``, usually ``mode``).
``when``
    Instead of ``group``: ``{item: value}`` pairs over select_one items, all of which must hold.
``latent`` | ``item``
    The target: a scale id (its latent score moves) or an item id.
``shift_sd`` | ``shift_logit`` | ``rate_ratio``
    The size. ``shift_sd`` moves a standard-normal latent (a scale's latent score, or the
    latent response of a likert or nps item) by that many standard deviations; ``shift_logit``
    adds to the log-odds of a choice of a select_one or select_multiple item (``choice``,
    default: the first substantive choice of a select_one, every substantive choice but
    ``none`` of a select_multiple), so the odds ratio is ``exp(shift_logit)``; ``rate_ratio``
    multiplies the mean of an integer (count above the item's minimum) or decimal item.
``choice``
    Optional, with ``shift_logit``: the choice value whose log-odds move.
``instrument``
    Optional: the effect applies only when that instrument is generated, so one file can
    describe a whole city; effects for other instruments are skipped.
``note``
    Optional free text (what the plant stands for), carried into the documentation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evalkit.errors import EvalkitError, InstrumentError, Location
from evalkit.instrument.model import Instrument
from evalkit.instrument.yamlio import LineMap, format_path, read_yaml

TARGET_KEYS = ("latent", "item")
SIZE_KEYS = ("shift_sd", "shift_logit", "rate_ratio")
SELECTOR_KEYS = ("group", "when")
ALLOWED_KEYS = frozenset({*TARGET_KEYS, *SIZE_KEYS, *SELECTOR_KEYS, "choice", "instrument", "note"})
# Which size fits which item type (latent targets take shift_sd only).
SIZES_FOR_TYPE: dict[str, tuple[str, ...]] = {
    "likert": ("shift_sd",),
    "nps": ("shift_sd",),
    "select_one": ("shift_logit",),
    "select_multiple": ("shift_logit",),
    "integer": ("rate_ratio",),
    "decimal": ("rate_ratio",),
}
MAX_ABS_SHIFT = 5.0
HINT = "see docs/sample-data.md, 'The effects file'"


class EffectsError(EvalkitError):
    """An effects file cannot be read, or an effect does not fit the instrument."""

    code = "effects-invalid"


@dataclass(frozen=True)
class Effect:
    """One planted difference: rows matching the selector get the target moved by the size.

    Examples
    --------
    >>> e = Effect(target="value_index", kind="latent", size="shift_sd", value=-0.3,
    ...            when=(("mode", "virtual"),))
    >>> e.describe()
    'mode = virtual: latent value_index shift_sd -0.3'
    """

    target: str
    kind: str  # "latent" or "item"
    size: str  # "shift_sd", "shift_logit" or "rate_ratio"
    value: float
    when: tuple[tuple[str, str], ...] = ()
    choice: str | None = None
    instrument: str | None = None
    note: str | None = None
    group: str | None = None  # the ``group`` value as written (resolved into ``when``)
    index: int = 0
    source: str = field(default="<effects>", compare=False)
    line: int | None = field(default=None, compare=False)

    def describe(self) -> str:
        who = " and ".join(f"{item} = {value}" for item, value in self.when) or "everyone"
        choice = f" (choice {self.choice})" if self.choice else ""
        return f"{who}: {self.kind} {self.target}{choice} {self.size} {self.value:g}"


def _err(message: str, source: str, lines: LineMap, path: tuple[Any, ...], hint: str = HINT):
    return EffectsError(
        message, Location(source, lines.line(path), key=format_path(path) or None), hint
    )


def load_effects(path: str | Path) -> tuple[Effect, ...]:
    """Read and check an effects file (structure only; :func:`resolve_effects` checks targets).

    Raises :class:`EffectsError` with one line naming the file, line and key.
    """
    source = str(path)
    try:
        data, lines = read_yaml(path, what="effects file")
    except InstrumentError as exc:
        hint = exc.hint if "instrument" not in exc.hint else ""
        raise EffectsError(
            exc.message, exc.location, hint or "an effects file is YAML with an 'effects:' list"
        ) from None
    return parse_effects(data, source, lines)


def parse_effects(
    data: Any, source: str = "<effects>", lines: LineMap | None = None
) -> tuple[Effect, ...]:
    """Check the structure of already-loaded effects data (a mapping with ``effects``).

    Examples
    --------
    >>> parse_effects({"effects": [{"group": "virtual", "item": "next_step",
    ...                             "shift_logit": -0.5}]})[0].size
    'shift_logit'
    >>> parse_effects({"effects": [{"group": "virtual", "item": "x", "shift": 1}]})
    Traceback (most recent call last):
    ...
    evalkit.sample.effects.EffectsError: <effects>: effects[0].shift: unknown key ...
    """
    lines = lines or LineMap()
    if not isinstance(data, Mapping) or "effects" not in data:
        raise _err("the file has no top-level 'effects:' list", source, lines, ())
    extra = sorted(str(k) for k in data if k != "effects")
    if extra:
        raise _err(
            f"unknown top-level key {extra[0]!r}",
            source,
            lines,
            (extra[0],),
            f"only 'effects'; {HINT}",
        )
    raw = data["effects"]
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise _err("'effects' must be a list of mappings", source, lines, ("effects",))
    return tuple(_parse_one(entry, i, source, lines) for i, entry in enumerate(raw))


def _parse_one(entry: Any, index: int, source: str, lines: LineMap) -> Effect:
    at = ("effects", index)
    if not isinstance(entry, Mapping):
        raise _err(
            "each effect must be a mapping such as {group: ..., item: ..., shift_sd: ...}",
            source,
            lines,
            at,
        )
    for key in entry:
        if key not in ALLOWED_KEYS:
            raise _err(
                f"unknown key {key!r}",
                source,
                lines,
                (*at, str(key)),
                f"use one of {', '.join(sorted(ALLOWED_KEYS))}; {HINT}",
            )
    targets = [k for k in TARGET_KEYS if k in entry]
    sizes = [k for k in SIZE_KEYS if k in entry]
    selectors = [k for k in SELECTOR_KEYS if k in entry]
    if len(targets) != 1:
        raise _err(
            "give exactly one of 'latent' (a scale id) or 'item' (an item id)", source, lines, at
        )
    if len(sizes) != 1:
        raise _err(f"give exactly one size: {', '.join(SIZE_KEYS)}", source, lines, at)
    if len(selectors) != 1:
        raise _err(
            "give exactly one of 'group' (a group value) or 'when' ({item: value})",
            source,
            lines,
            at,
        )
    kind, size, selector = targets[0], sizes[0], selectors[0]
    target = entry[kind]
    if not isinstance(target, str) or not target:
        raise _err(f"'{kind}' must be an id", source, lines, (*at, kind))
    value = entry[size]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _err(f"'{size}' must be a number", source, lines, (*at, size))
    if size == "rate_ratio" and not 0 < value <= 100:
        raise _err(
            "'rate_ratio' must be above 0 (1 = no effect) and at most 100",
            source,
            lines,
            (*at, size),
        )
    if size != "rate_ratio" and abs(value) > MAX_ABS_SHIFT:
        raise _err(
            f"'{size}' must be between -{MAX_ABS_SHIFT:g} and {MAX_ABS_SHIFT:g}",
            source,
            lines,
            (*at, size),
        )
    if kind == "latent" and size != "shift_sd":
        raise _err("a 'latent' target takes 'shift_sd'", source, lines, (*at, size))
    group: str | None = None
    when: tuple[tuple[str, str], ...] = ()
    if selector == "group":
        if not isinstance(entry["group"], str | int) or isinstance(entry["group"], bool):
            raise _err(
                "'group' must be a value of the group item, e.g. virtual",
                source,
                lines,
                (*at, "group"),
            )
        group = str(entry["group"])
    else:
        raw_when = entry["when"]
        if not isinstance(raw_when, Mapping) or not raw_when:
            raise _err(
                "'when' must be a mapping {item: value}, e.g. {wave: post}",
                source,
                lines,
                (*at, "when"),
            )
        for key, val in raw_when.items():
            if not isinstance(val, str | int) or isinstance(val, bool):
                raise _err(
                    "each 'when' value must be one choice value",
                    source,
                    lines,
                    (*at, "when", str(key)),
                )
        when = tuple((str(k), str(v)) for k, v in raw_when.items())
    choice = entry.get("choice")
    if choice is not None and size != "shift_logit":
        raise _err("'choice' goes with 'shift_logit' only", source, lines, (*at, "choice"))
    for key in ("instrument", "note"):
        if key in entry and not isinstance(entry[key], str):
            raise _err(f"'{key}' must be text", source, lines, (*at, key))
    return Effect(
        target=target,
        kind=kind,
        size=size,
        value=float(value),
        when=when,
        choice=None if choice is None else str(choice),
        instrument=entry.get("instrument"),
        note=entry.get("note"),
        group=group,
        index=index,
        source=source,
        line=lines.line(at),
    )


def resolve_effects(effects: Sequence[Effect], instrument: Instrument) -> tuple[Effect, ...]:
    """The effects that apply to ``instrument``, checked against it, with ``group`` resolved.

    Effects with another ``instrument:`` are dropped. Every other effect must name a scale or
    item of this instrument, a size that fits the item type, an existing choice, and selector
    items (select_one) and values that exist. Raises :class:`EffectsError` otherwise.
    """
    resolved = []
    for effect in effects:
        if effect.instrument is not None and effect.instrument != instrument.id:
            continue

        def fail(message: str, key: str, hint: str = HINT, effect: Effect = effect) -> EffectsError:
            return EffectsError(
                f"{message} (instrument {instrument.id})",
                Location(
                    effect.source, effect.line, key=format_path(("effects", effect.index, key))
                ),
                hint,
            )

        when = effect.when
        if effect.group is not None:
            group_item = instrument.group_item
            if group_item is None:
                raise fail("the instrument has no group item", "group", f"use 'when'; {HINT}")
            when = ((group_item.id, effect.group),)
        for item_id, value in when:
            key = "group" if effect.group is not None else f"when.{item_id}"
            if not instrument.has_item(item_id) or instrument.item(item_id).type != "select_one":
                raise fail(f"{item_id!r} is not a select_one item", key)
            choices = instrument.choices_for(item_id)
            if choices is None or choices.find(value) is None:
                known = ", ".join(c.name for c in choices or ())
                raise fail(f"{value!r} is not a choice of {item_id!r}", key, f"use one of: {known}")
        if effect.kind == "latent":
            known = [s.id for s in instrument.scales]
            if effect.target not in known:
                raise fail(
                    f"no scale {effect.target!r}",
                    "latent",
                    f"use one of: {', '.join(known) or '(none: use item)'}",
                )
        else:
            if not instrument.has_item(effect.target):
                raise fail(f"no item {effect.target!r}", "item", "check the item id")
            item = instrument.item(effect.target)
            fits = SIZES_FOR_TYPE.get(item.type, ())
            if effect.size not in fits:
                raise fail(
                    f"{effect.size!r} does not fit the {item.type} item {item.id!r}",
                    effect.size,
                    f"use {' or '.join(fits)}" if fits else "plant effects on other items",
                )
            if effect.choice is not None:
                choices = instrument.choices_for(item)
                found = choices.find(effect.choice) if choices is not None else None
                if found is not None and found.missing and item.type == "select_multiple":
                    raise fail(
                        f"{effect.choice!r} is a missing choice (refusal) of {item.id!r}",
                        "choice",
                        "plant on a substantive choice",
                    )
                if found is None:
                    known = ", ".join(c.name for c in choices or ())
                    raise fail(
                        f"{effect.choice!r} is not a choice of {item.id!r}",
                        "choice",
                        f"use one of: {known}",
                    )
            if any(sel == item.id for sel, _ in when):
                raise fail("an effect cannot select on its own target", "item")
        resolved.append(replace(effect, when=when))
    return tuple(resolved)
