"""Shared samples: generated once per test session (they are deterministic)."""

from __future__ import annotations

import pytest

from evalkit.sample import parse_effects, simulate

PLANTED = {
    "effects": [
        {"group": "virtual", "latent": "value_index", "shift_sd": -0.3},
        {"group": "in_person", "item": "new_contacts", "rate_ratio": 1.5},
        {"group": "virtual", "item": "next_step", "shift_logit": -0.5},
        {"group": "hybrid_remote", "item": "voice", "shift_sd": 0.4},
    ]
}


@pytest.fixture(scope="session")
def planted():
    """20,000 post-engagement responses with four planted effects."""
    return simulate("post_engagement", 20_000, 7, effects=parse_effects(PLANTED))


@pytest.fixture(scope="session")
def null_sample():
    """20,000 post-engagement responses with nothing planted."""
    return simulate("post_engagement", 20_000, 8)
