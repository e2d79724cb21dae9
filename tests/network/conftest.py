"""Workspaces of fictional cities, built once per test session."""

from __future__ import annotations

import pytest

from evalkit.instrument import load_instrument
from evalkit.sample.generate import generate_responses, write_csv
from evalkit.store import ingest_file


@pytest.fixture(scope="session")
def city_workspaces(tmp_path_factory):
    """Three workspaces (Avon, Bree, Cray), 2026, 260 post-engagement responses each."""
    folder = tmp_path_factory.mktemp("cities")
    inst = load_instrument("post_engagement")
    out = {}
    for seed, city in enumerate(("Avon", "Bree", "Cray"), start=11):
        frame = generate_responses(inst, 260, seed=seed, period="2026")
        frame = frame[frame["submitted_at"] < "2026-06-01"]
        csv = write_csv(frame, folder / f"{city}.csv")
        ws = folder / f"{city}.duckdb"
        ingest_file(csv, inst, workspace=ws, period="2026")
        out[city] = ws
    return out
