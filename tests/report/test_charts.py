"""Chart geometry checked against hand-computed positions, and the drawing back ends."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.report import ReportData
from evalkit.report.canvas import Canvas
from evalkit.report.charts import likert_chart, reach_chart
from evalkit.report.charts_partners import heatmap_chart, network_chart


def _ops(chart, kind):
    return [o for k, o in chart.canvas.ops if k == kind]


def _data(**tables) -> ReportData:
    return ReportData(title="t", period="2026", tables=tables)


def test_diverging_bar_puts_half_the_neutral_share_left_of_centre():
    likert = pd.DataFrame(
        {
            "item": ["q"] * 3,
            "group": ["virtual"] * 3,
            "level": [1, 2, 3],
            "label": ["Disagree", "Neutral", "Agree"],
            "count": [10, 20, 10],
            "share": [None] * 3,
            "suppressed": [False] * 3,
        }
    )
    chart = likert_chart(_data(likert=likert))
    bars = [o for o in _ops(chart, "rect") if o.get("tip")]
    assert [o["tip"] for o in bars] == ["Disagree: 25%", "Neutral: 50%", "Agree: 25%"]
    label_w, width = 230.0, 760.0
    half = (width - label_w - 20) / 2
    centre = label_w + half
    # 25% disagree + half of the 50% neutral = 50% of the half-width left of centre.
    assert bars[0]["x"] == pytest.approx(centre - 0.5 * half)
    assert bars[1]["x"] + bars[1]["w"] / 2 == pytest.approx(centre)
    assert chart.rows == [["q", "virtual", "25%", "50%", "25%"]]


def test_suppressed_likert_group_draws_no_bar():
    likert = pd.DataFrame(
        {
            "item": ["q", "q"],
            "group": ["a", "a"],
            "level": [1, 2],
            "label": ["No", "Yes"],
            "count": [3, 2],
            "share": [0.6, 0.4],
            "suppressed": [True, True],
        }
    )
    chart = likert_chart(_data(likert=likert))
    assert not [o for o in _ops(chart, "rect") if o.get("tip")]
    assert chart.rows == [["q", "a", "—", "—"]]
    assert any(o["text"] == "— suppressed" for o in _ops(chart, "text"))


def test_reach_bars_scale_and_the_reference_line_at_one():
    reach = pd.DataFrame(
        {
            "group": ["youth", "foreign_born", "elderly"],
            "share": [0.3, 0.1, None],
            "population_share": [0.2, 0.2, 0.1],
            "ratio": [1.5, 0.5, None],
            "ci_low": [1.2, 0.3, None],
            "ci_high": [1.8, 0.7, None],
            "n": [200, 200, None],
            "suppressed": [False, False, True],
        }
    )
    chart = reach_chart(_data(inclusive_reach=reach))
    x0, x1, high = 230.0, 760.0 - 70.0, 2.0  # axis 0..2 (max(2, 1.8 × 1.08))
    bars = [o for o in _ops(chart, "rect")]
    assert bars[0]["w"] == pytest.approx(1.5 / high * (x1 - x0))
    assert bars[0]["fill"] == "#009E73" and bars[1]["fill"] == "#D55E00"  # above / below 1
    dashed = [o for o in _ops(chart, "line") if o["dash"]]
    assert len(dashed) == 1 and dashed[0]["x1"] == pytest.approx(x0 + 1 / high * (x1 - x0))
    assert chart.rows[2] == ["elderly", "—", "10%", "—", "—", "—"]


def test_heatmap_arrows_only_for_changes_of_at_least_point_two():
    rel = pd.DataFrame(
        {
            "partner": ["A", "A", "B"],
            "dimension": ["trust", "commitment", "trust"],
            "score": [6.1, 5.4, 4.0],
            "previous_score": [5.8, 5.5, None],
            "n": [14, 12, 11],
        }
    )
    chart = heatmap_chart(_data(relationships=rel))
    assert chart.rows == [["A", "6.1 ▲ (5.8)", "5.4 (5.5)", "14"], ["B", "4.0", "—", "11"]]
    assert chart.header[-1] == "n"


def test_heatmap_shows_suppressed_partners_as_dashes_whatever_the_table_held():
    rel = pd.DataFrame(
        {
            "partner": ["A", "B"],
            "dimension": ["trust", "trust"],
            "score": [6.1, 1.0],  # B: one answer, the score slipped through upstream
            "previous_score": [5.8, 2.0],
            "n": [14, 1],
            "suppressed": [False, True],
        }
    )
    internal = ReportData(title="t", period="2026", tables={"relationships": rel},
                          edition="internal")  # fmt: skip
    chart = heatmap_chart(internal)
    assert chart.rows == [["A", "6.1 ▲ (5.8)", "14"], ["B", "—", "—"]]
    drawn = [o["text"] for o in _ops(chart, "text")]
    assert "1.0" not in drawn and "—" in drawn
    public = heatmap_chart(_data(relationships=rel))  # the public edition: B is not named
    assert public.rows == [["A", "6.1 ▲ (5.8)", "14"]]
    assert "B" not in [o["text"] for o in _ops(public, "text")]


def test_network_edges_follow_the_table_and_office_links():
    edges = pd.DataFrame(
        {
            "local_unit": ["Port", "Port", "Health"],
            "counterpart": ["Rotterdam", "Busan", "Medellín"],
            "status": ["formal_agreement", "dormant", "exchanging_info"],
            "via_office": [True, False, False],
        }
    )
    chart = network_chart(_data(network=edges))
    lines = _ops(chart, "line")
    office_edges = [o for o in lines if o["x1"] == 70.0 + 8]
    assert len(office_edges) == 1  # only Port was linked through the office
    unit_edges = [o for o in lines if o["x1"] == 330.0 + 6]
    assert [(o["stroke"], o["dash"]) for o in unit_edges] == [
        ("#009E73", False),
        ("#999999", True),
        ("#56B4E9", True),
    ]
    assert chart.rows[0] == ["Port", "Rotterdam", "Formal agreement", "yes"]


def test_charts_are_skipped_when_their_table_is_empty():
    empty = _data()
    assert likert_chart(empty) is None
    assert reach_chart(empty) is None
    assert heatmap_chart(empty) is None
    assert network_chart(empty) is None


def test_canvas_svg_escapes_text_and_png_has_the_drawing_size():
    canvas = Canvas(200, 100, "A & <B>", 'desc "quoted"')
    canvas.text(10, 20, "<i>x</i> & y")
    canvas.rect(0, 0, 10, 10, "#000000", tip="<tip>")
    svg = canvas.svg("c1")
    assert '<title id="c1-title">A &amp; &lt;B&gt;</title>' in svg
    assert "&lt;i&gt;x&lt;/i&gt; &amp; y" in svg
    assert "<title>&lt;tip&gt;</title>" in svg
    png = canvas.png(dpi=72)
    assert int.from_bytes(png[16:20], "big") == 200
    assert int.from_bytes(png[20:24], "big") == 100


def test_effects_chart_shows_only_clear_differences():
    from evalkit.report.charts import effects_chart

    pairwise = pd.DataFrame(
        {
            "outcome": ["q", "q", "r"],
            "group_a": ["in_person", "in_person", "in_person"],
            "group_b": ["virtual", "hybrid_onsite", "virtual"],
            "effect_name": ["Cohen's h"] * 3,
            "effect": [0.3, 0.05, 0.02],
            "effect_ci_low": [0.1, -0.1, -0.2],
            "effect_ci_high": [0.5, 0.2, 0.24],
            "suppressed": False,
        }
    )
    chart = effects_chart(_data(pairwise=pairwise))
    assert [row[1] for row in chart.rows] == ["in_person vs virtual"]  # q's clear pair only
    assert chart.rows[0][0].startswith("q — difference between the shares")


def test_effects_chart_prefers_pairwise_and_draws_no_difference_lines():
    from evalkit.report.charts import effects_chart

    pairwise = pd.DataFrame(
        {
            "outcome": ["q", "q", "s"],
            "group_var": ["mode"] * 3,
            "group_a": ["in_person", "hybrid_onsite", "in_person"],
            "group_b": ["virtual", "hybrid_remote", "virtual"],
            "n_a": [100, 40, 100],
            "n_b": [90, 6, 90],
            "effect_name": ["P(A>B)+0.5P(A=B)", "P(A>B)+0.5P(A=B)", "Hedges' g"],
            "effect": [0.6, 0.9, 0.4],
            "effect_ci_low": [0.55, 0.7, 0.1],
            "effect_ci_high": [0.65, 1.0, 0.7],
            "p_holm": [0.01, 0.2, 0.03],
            "p_fdr": [0.02, 0.2, 0.04],
            "suppressed": [False, True, False],
        }
    )
    chart = effects_chart(_data(pairwise=pairwise))
    superiority = "q — chance that someone in the first mode answers higher than someone in "
    superiority += "the second (0.5 = even)"  # the measure in words, not P(A>B)+0.5P(A=B)
    hedges = "s — difference between the averages, in standard deviations (0 = none)"
    assert [row[:2] for row in chart.rows] == [
        [superiority, "in_person vs virtual"],
        [superiority, "hybrid_onsite vs hybrid_remote"],
        [hedges, "in_person vs virtual"],
    ]
    assert chart.rows[0][2:] == ["0.60", "0.55 to 0.65", "190"]
    assert chart.rows[1][2:] == ["—", "—", "—"]  # suppressed: no n either
    # Panel 1 spans 0.5..0.65 (+6% padding): its dashed line sits at 0.5, not at 0.
    dashed = [o for k, o in chart.canvas.ops if k == "line" and o["dash"]]
    assert len(dashed) == 2
    low, high = 0.5 - 0.15 * 0.06, 0.65 + 0.15 * 0.06
    x0, x1 = 250.0, 760.0 - 70.0
    assert dashed[0]["x1"] == pytest.approx(x0 + (0.5 - low) / (high - low) * (x1 - x0))
