"""Formats (issue 18, point 8): Word pictures fit the page, headings go down one level at a
time, the author is evalkit; results.json metadata are JSON objects; numbers never round to
a misleading 0; the demo uses the seed of `evalkit report`."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

from evalkit.report import results_dict
from evalkit.report.text import fmt, fmt_ci
from tests.report.demo_data import demo_data


def test_every_picture_fits_the_page(rendered):
    import docx

    word = docx.Document(str(rendered["report.docx"]))
    section = word.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    text_height = section.page_height - section.top_margin - section.bottom_margin
    assert len(word.inline_shapes) > 0
    for shape in word.inline_shapes:
        assert shape.width <= text_width, shape.width.cm
        assert shape.height <= text_height, shape.height.cm


def test_headings_never_skip_a_level(rendered):
    import docx

    word = docx.Document(str(rendered["report.docx"]))
    levels = [
        0 if p.style.name == "Title" else int(p.style.name.split()[-1])
        for p in word.paragraphs
        if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]
    assert levels[0] == 0 and 2 in levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


def test_the_author_is_evalkit_not_python_docx(rendered):
    import docx

    properties = docx.Document(str(rendered["report.docx"])).core_properties
    assert properties.author == "evalkit"
    assert "python-docx" not in (properties.comments or "")
    assert "python-docx" not in (properties.last_modified_by or "")


def test_metadata_are_json_objects_not_python_repr():
    data = demo_data()
    nested = {"kpis": {"seed": 0, "alpha": 0.05}, "analysis": {"groups": ("a", "b")}}
    out = json.loads(json.dumps(results_dict(replace(data, metadata={**data.metadata, **nested}))))
    assert out["metadata"]["kpis"] == {"seed": 0, "alpha": 0.05}
    assert out["metadata"]["analysis"] == {"groups": ["a", "b"]}


def test_numbers_never_round_to_a_misleading_zero():
    # the upper bound of a significant difference, -0.004 points: not "0"
    assert fmt_ci(-0.18, -0.00004, "share") == "−18% to −0.004%"
    assert fmt(-0.0001, "ratio", signed=True) == "−0.0001"  # not "−0.00"
    assert fmt(0.0, "ratio", signed=True) == "0.00"  # a true zero has no sign
    assert fmt(-0.00001, None) == "−0.00001"


def test_findings_intervals_never_round_to_zero():
    from evalkit.analyze.findings import _num

    assert _num(100 * -0.00004, 0) == "−0.004"
    assert _num(-17.6, 0) == "−18"
