"""Safe YAML reading that remembers where every key stands (for errors naming the line).

Only plain YAML is accepted: the safe loader (no ``!!python`` tags), no anchors or aliases
(they are how "YAML bombs" multiply), no duplicate keys, and files of sensible size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evalkit.errors import InstrumentError, Location

MAX_BYTES = 2_000_000  # an instrument is a few dozen kB; anything this large is not one
MAX_NODES = 100_000

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


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and counts nodes."""

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self.source = source
        self.node_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.node_count = _count_node(self.peek_event(), self.node_count, self.source)
        return super().compose_node(parent, index)


# libyaml's parser, where PyYAML was built with it (its wheels are): the same events and
# nodes as the pure-Python loader, about ten times faster on an instrument file
_C_LOADER = getattr(yaml, "CSafeLoader", None)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _count_node(event: Any, count: int, source: str) -> int:
    """``count`` + 1 for the node ``event`` starts; refuses an anchor or alias and more than
    :data:`MAX_NODES` nodes. The one check of both parsers: the pure-Python loader runs it
    as it composes, :func:`_check_events` on libyaml's events."""
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
        raise InstrumentError(
            "YAML anchors and aliases (&name, *name) are not allowed",
            Location(source, event.start_mark.line + 1),
            "write the repeated value out in full",
        )
    if count + 1 > MAX_NODES:
        raise InstrumentError(
            f"the document has more than {MAX_NODES} YAML nodes",
            Location(source, event.start_mark.line + 1),
            "an instrument is much smaller than this; check that this is the right file",
        )
    return count + 1


def _check_events(events: Any, source: str) -> None:
    """:func:`_count_node` over libyaml's event stream, before composing: aliases are events,
    not yet expanded, so a "YAML bomb" stops at its first alias."""
    count = 0
    for event in events:
        if isinstance(event, (yaml.AliasEvent, *_NODE_EVENTS)):
            count = _count_node(event, count, source)


_PLAIN_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_BOOL = "tag:yaml.org,2002:bool"


def _check_surprising_scalar(node: yaml.ScalarNode, path: KeyPath, source: str) -> None:
    """Refuse YAML 1.1 readings that surprise people: 15_17 -> 1517, 0123 -> 83, yes -> True."""
    if node.style:  # quoted or a block: taken as written (plain is None, or "" from libyaml)
        return
    raw = str(node.value)
    surprising = (
        (node.tag == _TAG_INT and not _PLAIN_INT.match(raw))
        or (node.tag == _TAG_FLOAT and not _PLAIN_FLOAT.match(raw))
        or (node.tag == _TAG_BOOL and raw.lower() not in ("true", "false"))
    )
    if node.tag == _TAG_FLOAT and raw.lower().lstrip("+-") in (".nan", ".inf"):
        raise InstrumentError(
            f"{raw!r} is not a finite number",
            Location(source, node.start_mark.line + 1, key=format_path(path) or None),
            "write a number such as 0.5",
        )
    if surprising:
        reading = "a boolean" if node.tag == _TAG_BOOL else "a number"
        raise InstrumentError(
            f"YAML reads the unquoted value {raw!r} as {reading}",
            Location(source, node.start_mark.line + 1, key=format_path(path) or None),
            f"quote it ('{raw}') if it is text"
            + ("; write true or false for a yes/no setting" if node.tag == _TAG_BOOL else ""),
        )


def _walk(node: yaml.Node, path: KeyPath, lines: LineMap, source: str) -> None:
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        _check_surprising_scalar(node, path, source)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise InstrumentError(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    Location(source, line, key=format_path((*path, key))),
                    "keep one of them; YAML would silently use the last",
                )
            seen[key] = line
            lines.lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            lines.lines[(*path, index)] = child.start_mark.line + 1
            _walk(child, (*path, index), lines, source)


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Read one YAML document safely; return its data and the line of every key path.

    Raises :class:`InstrumentError` with a one-line message for a missing file, a directory,
    a binary or non-UTF-8 file, a YAML syntax error, an unsafe tag, an anchor or alias,
    a duplicate key, or an empty document.
    """
    source = str(path)
    file = Path(path)
    if file.is_dir():
        raise InstrumentError(
            "is a directory, not an instrument file", Location(source), "pass a .yaml file"
        )
    if not file.exists():
        raise InstrumentError("no such file", Location(source), "check the path")
    if file.stat().st_size > MAX_BYTES:
        raise InstrumentError(
            f"file is larger than {MAX_BYTES // 1_000_000} MB",
            Location(source),
            "an instrument file is a few kB; check that this is the right file",
        )
    raw = file.read_bytes()
    if b"\x00" in raw:
        raise InstrumentError(
            "is a binary file, not YAML", Location(source), "pass an instrument .yaml file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstrumentError(
            f"is not UTF-8 text (byte {exc.start})",
            Location(source),
            "save the file as UTF-8 in your editor",
        ) from None
    if not text.strip():
        raise InstrumentError(
            "the file is empty", Location(source), "start from an instrument in instruments/"
        )
    loader: Any = None
    try:
        if _C_LOADER is not None:
            _check_events(yaml.parse(text, Loader=_C_LOADER), source)
            loader = _C_LOADER(text)
        else:
            loader = _StrictSafeLoader(text, source)
        node = loader.get_single_node()
        if node is None:
            raise InstrumentError(
                "the file holds no YAML document",
                Location(source),
                "start from an instrument in instruments/",
            )
        lines = LineMap()
        _walk(node, (), lines, source)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "fix the YAML syntax"
        if "constructor" in problem or "tag" in problem:
            hint = "remove the tag: instrument files hold plain YAML only"
        raise InstrumentError(f"not valid YAML: {problem}", Location(source, line), hint) from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"not valid YAML: {exc}", Location(source), "fix the YAML") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines
