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
    "report",
    "network",  # share/pool reuse store, analyze, kpi; the network report reuses report's look
    "sample",
    "cli",
]
# shared helpers every stage may use; they import nothing from evalkit (checked below)
SHARED = {"errors", "io", "_columns", "_version", "__init__", "__main__"}


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
    for name in ("_columns", "io", "errors"):
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
