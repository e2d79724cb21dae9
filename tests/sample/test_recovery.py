"""Recovery: the analysis engine finds what is planted, with the right sign and a CI that covers
the true value, and finds nothing where nothing is planted (about the nominal rate).

The true values on the observed scale follow from the response model, not from the code's
output: ``level_probabilities`` gives the exact level shares of a likert item whose latent
response is N(shift, 1) (shift = 0.8 x the planted SD shift of its scale, docs/sample-data.md);
counts have mean 3 (x 1.5 where planted); choice shares move by the planted log-odds.
"""

from __future__ import annotations

import numpy as np
import pytest

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.instrument import load_instrument
from evalkit.sample import generate_responses, level_probabilities
from evalkit.sample.generate import CHOICE_SHARES, COUNTS, SCALE_LOADING
from evalkit.sample.linked import RIVERTON_EFFECTS

INST = load_instrument("post_engagement")
LEVELS = np.arange(1, 6)
OUTCOMES = ("worth_time", "new_contacts", "next_step", "value_index", "presence")


def _mean(shift: float) -> float:
    return float(level_probabilities(5, shift) @ LEVELS)


def _top2(shift: float) -> float:
    return float(level_probabilities(5, shift)[3:].sum())


def _superiority(shift_a: float, shift_b: float) -> float:
    """P(A > B) + P(A = B) / 2 for independent items with latent shifts a and b."""
    a, b = level_probabilities(5, shift_a), level_probabilities(5, shift_b)
    below = np.concatenate([[0.0], np.cumsum(b)[:-1]])
    return float(a @ below + 0.5 * a @ b)


def _share_yes(shift_logit: float) -> float:
    shares = CHOICE_SHARES["next_step"]
    odds = shares["yes"] * np.exp(shift_logit)
    return float(odds / (odds + shares["no"] + shares["not_yet"]))


VALUE_SHIFT = SCALE_LOADING * -0.3  # virtual: value_index latent -0.3 SD
PRESENCE_SHIFT = SCALE_LOADING * -0.4  # hybrid remote: presence latent -0.4 SD
# (outcome, group_a, group_b, column of the pairwise table, true value of a - b)
TRUTH = [
    ("worth_time", "in_person", "virtual", "difference", _top2(0) - _top2(VALUE_SHIFT)),
    ("worth_time", "in_person", "virtual", "effect", _superiority(0, VALUE_SHIFT)),
    ("value_index", "in_person", "virtual", "difference", _mean(0) - _mean(VALUE_SHIFT)),
    ("new_contacts", "in_person", "virtual", "difference", COUNTS["new_contacts"][0] * 0.5),
    ("next_step", "in_person", "virtual", "difference", _share_yes(0) - _share_yes(-0.5)),
    (
        "presence",
        "hybrid_onsite",
        "hybrid_remote",
        "difference",
        _mean(0) - _mean(PRESENCE_SHIFT),
    ),
]


def test_true_values_are_the_documented_ones():
    """The truths above, against the numbers docs/sample-data.md and the README state."""
    assert TRUTH[2][4] == pytest.approx(0.304, abs=5e-4)  # value_index mean difference
    assert TRUTH[0][4] == pytest.approx(0.0948, abs=5e-4)  # top-2-box, 9.5 points
    assert TRUTH[4][4] == pytest.approx(0.45 - 0.3318, abs=5e-4)
    assert TRUTH[5][4] == pytest.approx(0.409, abs=5e-4)
    assert 0.5 < TRUTH[1][4] < 0.6


def _run(seed: int, n: int, effects=RIVERTON_EFFECTS):
    frame = generate_responses(INST, n, seed, effects)
    options = AnalysisOptions(outcomes=OUTCOMES, seed=seed, n_boot=400)
    return analyze(frame, INST, options)


def _recovery(seeds: range, n: int) -> tuple[float, float, list[str]]:
    covered, detected, misses = [], [], []
    for seed in seeds:
        pairwise = _run(seed, n).pairwise.set_index(["outcome", "group_a", "group_b"])
        for outcome, a, b, column, truth in TRUTH:
            row = pairwise.loc[(outcome, a, b)]
            low, high = row[f"{column}_ci_low"], row[f"{column}_ci_high"]
            covered.append(low <= truth <= high)
            if not covered[-1]:
                misses.append(f"seed {seed} {outcome} {column}: {low:.3f}..{high:.3f} vs {truth}")
            null = 0.5 if column == "effect" else 0.0
            right_sign = (row[column] - null) * (truth - null) > 0
            detected.append(bool(right_sign and row["p_holm"] < 0.05))
    return float(np.mean(covered)), float(np.mean(detected)), misses


def test_planted_effects_are_detected_with_the_right_sign_and_covering_cis():
    """20 seeds x 6 planted contrasts at n = 3000 (adequate: the smallest contrast, hybrid
    on site vs remote presence, has about 99% power): 95% CIs cover the truth about 95% of
    the time, and every planted contrast is significant (Holm) with the planted sign."""
    coverage, power, misses = _recovery(range(20), 3000)
    assert coverage >= 0.88, misses
    assert power >= 0.97


@pytest.mark.slow
def test_planted_effects_recovery_many_seeds():
    """The same over 100 seeds (600 intervals): coverage within 2.5 sd (2.2 points) of 95%."""
    coverage, power, misses = _recovery(range(100, 200), 3000)
    assert 0.928 <= coverage <= 0.972, misses[:10]
    assert power >= 0.98


def _null_rejections(seeds: range, n: int) -> np.ndarray:
    rejected = []
    for seed in seeds:
        comparisons = _run(seed, n, effects=None).comparisons
        p = comparisons.loc[comparisons["outcome"].isin(OUTCOMES), "p_value"].to_numpy()
        assert len(p) == len(OUTCOMES)
        rejected.append(p < 0.05)
    return np.concatenate(rejected)


def test_without_plants_the_omnibus_tests_reject_at_about_the_nominal_rate():
    """40 seeds x 5 outcomes (Kruskal-Wallis, chi-square, Welch ANOVA) with nothing planted:
    the rejection rate at 5% is within binomial error (sd 1.5 points) of 5%."""
    rate = _null_rejections(range(1000, 1040), 800).mean()
    assert 0.015 <= rate <= 0.095, rate


@pytest.mark.slow
def test_without_plants_rejection_rate_many_seeds():
    """160 seeds x 5 outcomes (800 tests): within about 2.5 sd (1.9 points) of 5%."""
    rate = _null_rejections(range(2000, 2160), 800).mean()
    assert 0.031 <= rate <= 0.069, rate
