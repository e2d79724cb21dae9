"""The one YAML reader of evalkit: safe, bounded, and remembering where every key stands.

Every YAML file evalkit reads (instruments, KPI catalogues, ``--map`` files, margins,
populations, effects) goes through :func:`read_yaml` (tests/test_style.py checks that no other
module calls PyYAML to read). Only plain YAML is accepted: the safe loader (no ``!!python``
tags), no anchors or aliases (they are how "YAML bombs" multiply), no duplicate keys, and
files of sensible size, node count and nesting depth (:mod:`evalkit.limits`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evalkit import limits
from evalkit.errors import EvalkitError, InstrumentError, Location

# kept for callers that read them; the limits in force are limits.YAML_BYTES/NODES/DEPTH
MAX_BYTES = limits.YAML_BYTES.default
MAX_NODES = limits.YAML_NODES.default

ErrorFactory = Callable[[str, Location, str], EvalkitError]
"""Makes the error to raise from (message, location, hint); :class:`InstrumentError` by
default, e.g. ``lambda m, at, h: InputError("bad-map", m, at, h)`` for a map file."""

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``("items", 3, "choices")`` -> ``items[3].choices``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class LineMap:
    """The 1-based line of each key path in a YAML document."""

    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _a(noun: str) -> str:
    """``an instrument file``, ``a map file``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@dataclass
class _Guard:
    """What one read may take (limits in force when it starts) and how it reports a problem."""

    source: str
    what: str
    error: ErrorFactory
    max_nodes: int = field(default_factory=limits.YAML_NODES.value)
    max_depth: int = field(default_factory=limits.YAML_DEPTH.value)
    nodes: int = 0
    depth: int = 0

    def fail(self, message: str, line: int | None = None, key: str | None = None,
             hint: str = "") -> EvalkitError:  # fmt: skip
        return self.error(message, Location(self.source, line, key=key), hint)

    def count(self, event: Any) -> None:
        """Count the node ``event`` starts; refuse an anchor or alias, more than the node
        limit, or nesting deeper than the depth limit. The one check of both parsers: the
        pure-Python loader runs it as it composes, :func:`_check_events` on libyaml's events."""
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise self.fail("YAML anchors and aliases (&name, *name) are not allowed", line,
                            hint="write the repeated value out in full")  # fmt: skip
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self.fail(
                f"the document has more than {self.max_nodes} YAML nodes",
                line,
                hint=f"{_a(self.what)} is much smaller than this; check that this is the right "
                f"file, or {limits.YAML_NODES.raise_hint()}",
            )
        if isinstance(event, _COLLECTION_STARTS):
            self.depth += 1
            if self.depth > self.max_depth:
                raise self.fail(
                    f"the document nests more than {self.max_depth} levels deep",
                    line,
                    hint=f"{_a(self.what)} nests a few levels; check that this is the right "
                    f"file, or {limits.YAML_DEPTH.raise_hint()}",
                )


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that runs :meth:`_Guard.count` on every node as it composes."""

    def __init__(self, stream: str, guard: _Guard) -> None:
        super().__init__(stream)
        self.guard = guard

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        self.guard.count(event)
        node = super().compose_node(parent, index)
        if isinstance(event, _COLLECTION_STARTS):
            self.guard.depth -= 1
        return node


# libyaml's parser, where PyYAML was built with it (its wheels are): the same events and
# nodes as the pure-Python loader, about ten times faster on an instrument file
_C_LOADER = getattr(yaml, "CSafeLoader", None)
_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_COUNTED = (yaml.AliasEvent, yaml.ScalarEvent, *_COLLECTION_STARTS)
_COLLECTION_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _check_events(events: Any, guard: _Guard) -> None:
    """:meth:`_Guard.count` over libyaml's event stream, before composing: aliases are events,
    not yet expanded, so a "YAML bomb" stops at its first alias, and nothing is nested yet."""
    for event in events:
        if isinstance(event, _COUNTED):
            guard.count(event)
        elif isinstance(event, _COLLECTION_ENDS):
            guard.depth -= 1
    guard.nodes = guard.depth = 0


_PLAIN_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_BOOL = "tag:yaml.org,2002:bool"


def _check_surprising_scalar(node: yaml.ScalarNode, path: KeyPath, guard: _Guard) -> None:
    """Refuse YAML 1.1 readings that surprise people: 15_17 -> 1517, 0123 -> 83, yes -> True."""
    if node.style:  # quoted or a block: taken as written (plain is None, or "" from libyaml)
        return
    raw = str(node.value)
    surprising = (
        (node.tag == _TAG_INT and not _PLAIN_INT.match(raw))
        or (node.tag == _TAG_FLOAT and not _PLAIN_FLOAT.match(raw))
        or (node.tag == _TAG_BOOL and raw.lower() not in ("true", "false"))
    )
    line, key = node.start_mark.line + 1, format_path(path) or None
    if node.tag == _TAG_FLOAT and raw.lower().lstrip("+-") in (".nan", ".inf"):
        raise guard.fail(f"{raw!r} is not a finite number", line, key, "write a number such as 0.5")
    if surprising:
        reading = "a boolean" if node.tag == _TAG_BOOL else "a number"
        raise guard.fail(
            f"YAML reads the unquoted value {raw!r} as {reading}",
            line,
            key,
            f"quote it ('{raw}') if it is text"
            + ("; write true or false for a yes/no setting" if node.tag == _TAG_BOOL else ""),
        )


def _walk(node: yaml.Node, path: KeyPath, lines: LineMap, guard: _Guard) -> None:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        _check_surprising_scalar(node, path, guard)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode):  # yes: -> True, 0123: -> 83 as keys too
                _check_surprising_scalar(key_node, (*path, key), guard)
            if key in seen:
                raise guard.fail(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    line,
                    format_path((*path, key)),
                    "keep one of them; YAML would silently use the last",
                )
            seen[key] = line
            lines.lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, guard)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            lines.lines[(*path, index)] = child.start_mark.line + 1
            _walk(child, (*path, index), lines, guard)


def _read_text(file: Path, guard: _Guard, empty_hint: str) -> str:
    """The file's text, or the one-line error for a directory, a missing, too large,
    binary, non-UTF-8 or empty file."""
    if file.is_dir():
        raise guard.fail(f"is a directory, not {_a(guard.what)}", hint="pass a .yaml file")
    if not file.exists():
        raise guard.fail("no such file", hint="check the path")
    max_bytes = limits.YAML_BYTES.value()
    size = file.stat().st_size
    if size > max_bytes:
        raise guard.fail(
            f"file is larger than {max_bytes:,} bytes ({size:,})",
            hint=f"{_a(guard.what)} is a few kB; check that this is the right file, or "
            + limits.YAML_BYTES.raise_hint(size),
        )
    raw = file.read_bytes()
    if b"\x00" in raw:
        raise guard.fail("is a binary file, not YAML", hint=f"pass {_a(guard.what)} in YAML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise guard.fail(
            f"is not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8 in your editor"
        ) from None
    if not text.strip():
        raise guard.fail("the file is empty", hint=empty_hint)
    return text


def read_yaml(
    path: str | Path,
    *,
    what: str = "instrument file",
    error: ErrorFactory = InstrumentError,
    empty_hint: str = "start from an instrument in instruments/",
) -> tuple[Any, LineMap]:
    """Read one YAML document safely; return its data and the line of every key path.

    Parameters
    ----------
    path
        The YAML file.
    what
        What the file is, for messages ("map file", "margins file").
    error
        Makes the exception raised for every problem (default :class:`InstrumentError`).
    empty_hint
        The hint for an empty file or one without a document.

    Raises
    ------
    EvalkitError
        From ``error``, with a one-line message, for a missing file, a directory, a binary or
        non-UTF-8 file, one over the size, node or depth limit (:mod:`evalkit.limits`), a YAML
        syntax error, an unsafe tag, an anchor or alias, a duplicate key, a surprising
        unquoted value, or an empty document.
    """
    guard = _Guard(str(path), what, error)
    text = _read_text(Path(path), guard, empty_hint)
    loader: Any = None
    try:
        if _C_LOADER is not None:
            _check_events(yaml.parse(text, Loader=_C_LOADER), guard)
            loader = _C_LOADER(text)
        else:
            loader = _StrictSafeLoader(text, guard)
        node = loader.get_single_node()
        if node is None:
            raise guard.fail("the file holds no YAML document", hint=empty_hint)
        lines = LineMap()
        _walk(node, (), lines, guard)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "fix the YAML syntax"
        if "constructor" in problem or "tag" in problem:
            hint = f"remove the tag: {_a(what)} holds plain YAML only"
        raise guard.fail(f"not valid YAML: {problem}", line, hint=hint) from None
    except yaml.YAMLError as exc:
        raise guard.fail(f"not valid YAML: {exc}", hint="fix the YAML") from None
    except RecursionError:  # only where EVALKIT_MAX_YAML_DEPTH was raised past Python's stack
        raise guard.fail(
            "the document nests too deeply for Python to read", hint="nest fewer levels"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines
