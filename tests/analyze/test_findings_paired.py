"""Pre/post finding sentences never contradict their own numbers."""

from __future__ import annotations

from evalkit.analyze.findings import _paired_sentence


def _comp(p_fdr, low, high, effect=0.27):
    return {"outcome": "x", "p_fdr": p_fdr, "effect": effect, "effect_ci_low": low,
            "effect_ci_high": high, "n": 120}  # fmt: skip


def test_interval_excluding_zero_but_not_significant_after_adjustment():
    sentence = _paired_sentence(_comp(0.08, 0.06, 0.49), "confidence", 0.05, 95)["sentence"]
    assert "changed by +0.27" in sentence and "not distinguishable from chance" in sentence
    assert not sentence.startswith("No change")


def test_significant_rise_and_undetectable_change():
    rise = _paired_sentence(_comp(0.01, 0.06, 0.49), "confidence", 0.05, 95)["sentence"]
    assert "rose by 0.27" in rise
    flat = _paired_sentence(_comp(0.40, -0.1, 0.3, 0.1), "confidence", 0.05, 95)["sentence"]
    assert flat.startswith("No change between the pre and post surveys")
