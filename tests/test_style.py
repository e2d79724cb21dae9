"""Project habits checked in code: no assert for input checks, data flows one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evalkit"

# A module may import only from stages to its left (DESIGN.md, "Data flows one way").
STAGES = [
    "instrument",
    "export",
    "ingest",
    "validate",
    "store",
    "analyze",
    "kpi",
    "partners",  # the partner register and lifecycle read instrument/store; report shows them
    "report",
    "network",  # share/pool reuse store, analyze, kpi; the network report reuses report's look
    "sample",
    "cli",
]
# shared helpers every stage may use; they import nothing from evalkit (checked below)
SHARED = {"errors", "io", "limits", "_columns", "_version", "__init__", "__main__"}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _stage(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_library_code_never_uses_assert(path):
    tree = ast.parse(path.read_text("utf-8"))
    asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert not asserts, (
        f"{path}: raise an EvalkitError/ValueError instead of assert (lines {asserts})"
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_flow_one_way(path):
    stage = _stage(path)
    if stage not in STAGES:
        return
    allowed = set(STAGES[: STAGES.index(stage) + 1]) | SHARED
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("evalkit."):
            target = node.module.split(".")[1]
            assert target in allowed, f"{path.name} ({stage}) imports evalkit.{target}"


def test_shared_helpers_import_no_stage():
    for name in ("_columns", "io", "errors", "limits"):
        tree = ast.parse((PACKAGE / f"{name}.py").read_text("utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        stages = {m.split(".")[1] for m in imported if m.startswith("evalkit.")}
        assert stages <= SHARED, f"{name}.py imports evalkit.{sorted(stages - SHARED)}"


# PyYAML's reading side: only the guarded loader may touch it (limits, no aliases, line map)
_YAML_READERS = {
    "load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all",
    "full_load_all", "unsafe_load_all", "parse", "compose", "compose_all", "scan",
    "Loader", "SafeLoader", "FullLoader", "UnsafeLoader", "BaseLoader",
    "CLoader", "CSafeLoader", "CFullLoader", "CUnsafeLoader", "CBaseLoader",
}  # fmt: skip
YAML_LOADER = PACKAGE / "instrument" / "yamlio.py"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_guarded_loader_reads_yaml(path):
    """Every YAML evalkit reads goes through evalkit.instrument.yamlio.read_yaml."""
    if path == YAML_LOADER:
        return
    tree = ast.parse(path.read_text("utf-8"))
    readers = [
        node.lineno
        for node in ast.walk(tree)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "yaml"
            and node.attr in _YAML_READERS
        )
        or (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("yaml")
            and any(alias.name in _YAML_READERS for alias in node.names)
        )
    ]
    assert not readers, (
        f"{path}: read YAML with evalkit.instrument.yamlio.read_yaml (lines {readers})"
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_cli_prints_only_through_the_terminal_safe_echo(path):
    """click.echo/secho and print only in evalkit/cli/_output.py (terminal_safe on each)."""
    if path == PACKAGE / "cli" / "_output.py":
        return
    tree = ast.parse(path.read_text("utf-8"))
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "print")
            or (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "click"
                and node.func.attr in ("echo", "secho")
            )
        )
    ]
    assert not calls, f"{path}: print with evalkit.cli._output.echo (lines {calls})"
