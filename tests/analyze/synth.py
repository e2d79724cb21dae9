"""A vectorised generator of canonical post_engagement frames with planted differences.

Used by the tests and by benchmarks/analyze_bench.py. Differences are planted on the latent
scale: ``shift[mode]`` is added to every Likert item's latent score of that mode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MODES = ["in_person", "virtual", "hybrid_onsite", "hybrid_remote"]
LIKERT = ["worth_time", "achieved_goals", "learned_useful", "co_presence", "attention", "voice"]


def post_engagement_frame(
    n: int,
    seed: int = 0,
    shift: dict[str, float] | None = None,
    mode_p: tuple[float, ...] = (0.4, 0.3, 0.15, 0.15),
) -> pd.DataFrame:
    """A canonical frame of ``n`` responses to post_engagement (no personal data columns)."""
    rng = np.random.default_rng(seed)
    shift = shift or {}
    mode_idx = rng.choice(len(MODES), size=n, p=np.asarray(mode_p) / np.sum(mode_p))
    mode_shift = np.array([shift.get(m, 0.0) for m in MODES])[mode_idx]
    person = rng.normal(0, 1, n)  # shared trait: items of a scale correlate
    frame = {
        "response_id": pd.array(np.char.add("r", np.arange(n).astype(str)), dtype="string"),
        "mode": pd.Categorical.from_codes(mode_idx, categories=MODES),
    }
    cuts = np.array([-1.5, -0.5, 0.5, 1.5])
    for item in LIKERT:
        latent = 0.3 + mode_shift + 0.7 * person + rng.normal(0, 0.8, n)
        values = (np.searchsorted(cuts, latent) + 1).astype(float)
        values[rng.random(n) < 0.05] = np.nan
        frame[item] = pd.array(values, dtype="Float64").astype("Int64")
    contacts = rng.poisson(np.exp(0.8 + 0.5 * mode_shift + 0.3 * person)).astype(float)
    contacts[rng.random(n) < 0.03] = np.nan
    frame["new_contacts"] = pd.array(contacts, dtype="Float64").astype("Int64")
    p_yes = 1 / (1 + np.exp(-(0.2 + mode_shift)))
    u = rng.random(n)
    step = np.where(u < p_yes, "yes", np.where(u < p_yes + (1 - p_yes) / 2, "no", "not_yet"))
    frame["next_step"] = pd.Categorical(step, categories=["yes", "no", "not_yet"])
    asked = step == "yes"
    for choice, p in [
        ("meeting", 0.6),
        ("proposal", 0.2),
        ("introduction", 0.3),
        ("visit", 0.1),
        ("other", 0.05),
    ]:
        col = pd.array(rng.random(n) < p, dtype="boolean")
        col[~asked] = pd.NA
        frame[f"next_step_types__{choice}"] = col
    remote = np.isin(mode_idx, [1, 3])
    would = rng.choice(["yes", "no", "unsure"], n).astype(object)
    would[~remote] = None
    frame["would_attend_in_person"] = pd.Categorical(would, categories=["yes", "no", "unsure"])
    rec = np.clip(np.round(7 + 1.5 * mode_shift + 1.2 * person + rng.normal(0, 1.5, n)), 0, 10)
    frame["recommend"] = pd.array(rec, dtype="Float64").astype("Int64")
    drained = np.clip(np.round(3 + rng.normal(0, 1, n)), 1, 5)
    frame["drained"] = pd.array(drained, dtype="Float64").astype("Int64")
    return pd.DataFrame(frame)
