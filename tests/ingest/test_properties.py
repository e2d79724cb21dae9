"""Property tests: joined multi-selects split back exactly; any responses round-trip."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.ingest import read_responses, tokenize
from evalkit.ingest.timestamps import parse_timestamps
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import write_export
from tests.ingest.frames import make_frame

# Labels may contain the separators inside, not at their ends (no real label does).
WORD = st.text(alphabet="abcdeé xyz,;", min_size=1, max_size=12).filter(
    lambda s: s[0] not in " ,;" and s[-1] not in " ,;"
)


@given(labels=st.lists(WORD, min_size=1, max_size=6, unique=True), data=st.data())
def test_tokenize_recovers_any_selection_of_labels_joined_by_comma_space(labels, data):
    tokens = sorted(labels, key=len, reverse=True)
    chosen = data.draw(st.lists(st.sampled_from(labels), unique=True, min_size=1))
    joined = ", ".join(chosen)
    found, unknown = tokenize(joined, tokens, ", ")
    # Longest-first is exact unless a label is itself a join of other labels.
    ambiguous = any(", ".join(p) in labels for p in _pairs(labels)) or any(
        a != b and (b.startswith(a + ",") or b.startswith(a + " ")) for a in labels for b in labels
    )
    if not ambiguous:
        assert sorted(found) == sorted(chosen) and unknown == []


def _pairs(labels):
    return [(a, b) for a in labels for b in labels if a != b]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000), platform=st.sampled_from(["kobo", "qualtrics", "google", "odk"])
)
def test_random_responses_round_trip(tmp_path, seed, platform):
    inst = load_instrument("post_engagement")
    frame, status = make_frame(inst, n=15, seed=seed)
    path = tmp_path / f"{platform}-{seed}.csv"
    write_export(frame, inst, platform, path, status=status)
    got = read_responses(path, inst).frame
    columns = [c for c in frame.columns if c not in ("source", "response_id")]
    pd.testing.assert_frame_equal(got[columns], frame[columns].reset_index(drop=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-18T18:42:10Z", "2026-03-18T18:42:10Z"),
        ("2026-03-18 18:42:10", "2026-03-18T18:42:10Z"),
        ("3/18/2026 18:42:10", "2026-03-18T18:42:10Z"),
        ("3/18/26 18:42", "2026-03-18T18:42:00Z"),
        ("18/3/2026 18:42:10", "2026-03-18T18:42:10Z"),
        ("18.03.2026 18:42:10", "2026-03-18T18:42:10Z"),
    ],
)
def test_platform_timestamps(text, expected):
    assert parse_timestamps(pd.Series([text])).iloc[0] == pd.Timestamp(expected)
