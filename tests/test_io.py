"""Atomic writes and formula neutralising, which every exporter relies on."""

from __future__ import annotations

import pytest

from evalkit.io import atomic_path, neutralise_formula, write_text_atomic


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("crash in the middle")
    assert not target.exists()
    write_text_atomic(target, "complete")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("crash")
    assert target.read_text() == "complete"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", '=HYPERLINK("x")'])
def test_formula_prefixes_are_neutralised(text):
    assert neutralise_formula(text) == "'" + text


def test_other_values_are_untouched():
    assert neutralise_formula("In person") == "In person"
    assert neutralise_formula(-3) == -3
    assert neutralise_formula(None) is None
