"""The engine's layout (issue 19, point 8): small modules, one analyser per outcome family."""

from __future__ import annotations

from pathlib import Path

import pytest

ANALYZE = Path(__file__).resolve().parents[2] / "evalkit" / "analyze"
LIMIT = 600  # STYLE: no module over about 600 lines


@pytest.mark.parametrize(
    "path", sorted(ANALYZE.rglob("*.py")), ids=lambda p: str(p.relative_to(ANALYZE))
)
def test_no_analysis_module_over_the_limit(path):
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= LIMIT, f"{path.name} has {lines} lines: split it by what it does"


def test_every_analysed_item_type_has_its_family_analyser():
    from evalkit.analyze.analysers import ITEM_ANALYSERS
    from evalkit.analyze.plan import ANALYSED_TYPES

    assert set(ITEM_ANALYSERS) == set(ANALYSED_TYPES)
    modules = {f.__module__.rsplit(".", 1)[1] for f in ITEM_ANALYSERS.values()}
    assert modules == {"categorical", "ordinal", "numeric", "nps", "multi_response"}
