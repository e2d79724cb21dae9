"""Platforms that show instrument text as HTML get it escaped (issue 17, point 6): Qualtrics
and LimeSurvey wrote ``<script>`` and ``onerror=`` raw; REDCap, the paper form and the
codebook are checked alike."""

from __future__ import annotations

import pytest

from evalkit.export import TARGETS, export_instrument
from evalkit.instrument import load_instrument_file

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


@pytest.fixture
def hostile(write_yaml, minimal_text):
    """Script and event-handler markup in an item text, a choice label and the title."""
    text = (
        minimal_text.replace("How did you take part?", f"{SCRIPT} How?")
        .replace("label: {en: In person, es: En persona}", f"label: {{en: '{IMG}', es: x}}")
        .replace("title: {en: Mini survey", "title: {en: 'Mini <b onmouseover=alert(3)>'")
        .replace("Worth my time.", "'Worth {exec(1)} my time & effort'")
    )
    return load_instrument_file(write_yaml(text))


@pytest.mark.parametrize("target", ["qualtrics", "limesurvey", "redcap", "html", "codebook"])
def test_no_markup_reaches_a_platform_that_renders_html(target, hostile, tmp_path):
    path = tmp_path / f"h{TARGETS[target].suffix}"
    result = export_instrument(hostile, target, path)
    text = path.read_text("utf-8-sig")
    if target == "codebook":  # Markdown: a backslash-escaped < is a literal character
        text = text.replace("\\<", "&lt;")
    for markup in ("<script", "<img", "<b onmouseover"):
        assert markup not in text, (target, markup)
    if target in ("qualtrics", "limesurvey", "redcap"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; How?" in text
        assert "&lt;img src=x onerror=alert(2)&gt;" in text
        assert "my time &amp; effort" in text
    for extra in result.extra_files:  # side files are CSV for people, not HTML
        assert "&lt;" not in extra.read_text("utf-8")


def test_limesurvey_text_cannot_run_an_expression(hostile, tmp_path):
    path = tmp_path / "h.txt"
    export_instrument(hostile, "limesurvey", path)
    text = path.read_text("utf-8-sig")
    assert "{exec(1)}" not in text and "&#123;exec(1)&#125;" in text
