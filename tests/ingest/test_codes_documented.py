"""Every error code is documented in docs/ingest.md and used in the code."""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.ingest._base import INPUT_ERROR_CODES
from evalkit.validate import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ingest.md").read_text("utf-8")
SOURCE = "\n".join(p.read_text("utf-8") for p in (ROOT / "evalkit").rglob("*.py"))


def test_every_code_is_documented():
    missing = [c for c in (*INPUT_ERROR_CODES, *CATALOGUE) if f"`{c}`" not in DOC]
    assert not missing, f"document these codes in docs/ingest.md: {missing}"


def test_every_input_error_code_is_raised_somewhere():
    raised = set(re.findall(r'InputError\(\s*"([a-z-]+)"', SOURCE))
    assert raised == set(INPUT_ERROR_CODES)
