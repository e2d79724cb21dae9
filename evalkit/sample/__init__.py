"""Synthetic responses with planted effects, for demos, tests and benchmarks.

:func:`generate_responses` draws one instrument's canonical frame; :func:`simulate` also
returns the latent truth; :mod:`evalkit.sample.linked` builds linked samples (the activity
register, follow-ups of the same participants, pre/post waves): :func:`generate_linked`, and
:func:`build_city` (:mod:`evalkit.sample.city`) writes a whole fictional city's data as the
platforms' own exports. Effects files are read by
:func:`load_effects`.
"""

from evalkit.sample.city import build_city
from evalkit.sample.effects import Effect, EffectsError, load_effects, parse_effects
from evalkit.sample.generate import (
    Simulation,
    generate_responses,
    level_probabilities,
    likert_thresholds,
    simulate,
    write_csv,
)
from evalkit.sample.linked import CitySample, generate_linked

__all__ = [
    "CitySample",
    "Effect",
    "EffectsError",
    "Simulation",
    "build_city",
    "generate_linked",
    "generate_responses",
    "level_probabilities",
    "likert_thresholds",
    "load_effects",
    "parse_effects",
    "simulate",
    "write_csv",
]
