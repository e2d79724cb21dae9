"""Findings in Spanish: the same results as the English sentences, in Spanish words and
with numbers written as Spanish reports write them."""

from __future__ import annotations

import re

import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.findings import CAUSAL_WORDS_ES, PHRASES, _paired_sentence
from evalkit.instrument import load_instrument
from tests.analyze.synth import post_engagement_frame

INST = load_instrument("post_engagement")
ENGLISH = (" than ", " participants", " was detectable", " vs ", " CI ", " or ")


@pytest.fixture(scope="module")
def both():
    frame = post_engagement_frame(4000, seed=11, shift={"virtual": -0.4})
    english = analyze(frame, INST, AnalysisOptions())
    spanish = analyze(frame, INST, AnalysisOptions(lang="es"))
    return english.findings, spanish.findings


def test_spanish_findings_are_the_same_findings(both):
    english, spanish = both
    columns = ["outcome", "kind", "group_a", "group_b"]
    assert english[columns].equals(spanish[columns])
    assert len(spanish) > 5


def test_spanish_findings_use_spanish_words_and_numbers(both):
    _, spanish = both
    for sentence in spanish.sentence:
        assert not any(word in sentence for word in ENGLISH), sentence
        assert not any(word in sentence.lower() for word in CAUSAL_WORDS_ES), sentence
        assert not re.search(r"\d%", sentence), sentence  # a space before %: 62 %
    differences = spanish[spanish.kind == "difference"].sentence
    share = next(s for s in differences if "respondieron" in s)
    assert re.search(r"«En persona»|«Virtual»", share) and "IC del 95\u00a0%" in share
    assert " o Muy de acuerdo»" in share  # the top-2-box levels joined with 'o'
    assert any(s.startswith("No se detectó") for s in spanish.sentence)


def test_unknown_language_falls_back_to_english():
    frame = post_engagement_frame(600, seed=2)
    french = analyze(frame, INST, AnalysisOptions(lang="fr", outcomes=("worth_time",)))
    assert french.findings.sentence.str.contains("participants|detectable").all()


def test_every_phrase_exists_in_every_language_with_the_same_placeholders():
    fields = {
        lang: {k: set(re.findall(r"{(\w+)}", v)) for k, v in p.items()}
        for lang, p in PHRASES.items()
    }
    assert fields["es"] == fields["en"]


def test_spanish_paired_sentence():
    comp = {"outcome": "x", "p_fdr": 0.01, "effect": 0.27, "effect_ci_low": 0.06,
            "effect_ci_high": 0.49, "n": 120}  # fmt: skip
    sentence = _paired_sentence(comp, "confianza", 0.05, 95, "es")["sentence"]
    assert sentence == (
        "Entre las encuestas previa y posterior, las respuestas a «confianza» subieron 0.27 en "
        "promedio (IC del 95\u00a0%: 0.06 a 0.49; 120 personas en ambas oleadas)."
    )
