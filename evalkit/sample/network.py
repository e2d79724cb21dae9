"""A sample city network: fictional cities' exports and bundles, with planted heterogeneity.

Each city gets post-engagement responses with its own size of two planted differences,
drawn around a network-wide value so that the pooled analysis has something to find:

- virtual participants' value index is ``VALUE_SHIFT`` SD lower, give or take a city
  deviation with SD ``VALUE_SPREAD`` (between-city heterogeneity);
- virtual participants agree a next step less often: log-odds ``NEXT_STEP_LOGIT`` with a city
  deviation of SD ``NEXT_STEP_SPREAD``.

``planted.csv`` lists every city's planted values; ``exports/`` holds the CSV each office
would ingest, ``bundles/`` what each would share (``evalkit share``'s output).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import UsageError
from evalkit.instrument import load_instrument
from evalkit.io import write_csv_atomic
from evalkit.network.bundle import write_bundle
from evalkit.network.share import aggregate_frame
from evalkit.sample.effects import Effect
from evalkit.sample.generate import generate_responses, write_csv

CITY_NAMES = (
    "Riverton", "Lakeside", "Harbourview", "Millbrook", "Stonebridge", "Fairhaven",
    "Northgate", "Eastwick", "Westmere", "Southport", "Ashford", "Brookfield", "Cedarville",
    "Dunmore", "Elmstead", "Foxley", "Glenwood", "Highcliff", "Ivybridge", "Juniper Bay",
)  # fmt: skip
VALUE_SHIFT = -0.3
VALUE_SPREAD = 0.15
NEXT_STEP_LOGIT = -0.5
NEXT_STEP_SPREAD = 0.4
MAX_CITIES = 500
# types of engagement the sample's responses came from (bundle table counts_by_type)
SAMPLE_TYPES = ("conference", "network_meeting", "webinar", "delegation_inbound")
SAMPLE_TYPE_SHARES = (0.35, 0.3, 0.25, 0.1)


def sample_types(n: int, seed: int, city: int) -> pd.Series:
    """The type of engagement of each of a city's ``n`` sample responses.

    Drawn from a stream of its own so the exports and planted effects do not change.
    """
    rng = np.random.default_rng([seed, city, 7])
    return pd.Series(rng.choice(SAMPLE_TYPES, size=n, p=SAMPLE_TYPE_SHARES), dtype="string")


def city_name(i: int) -> str:
    """The i-th fictional city (numbered once the list runs out)."""
    base = CITY_NAMES[i % len(CITY_NAMES)]
    return base if i < len(CITY_NAMES) else f"{base} {i // len(CITY_NAMES) + 1}"


def build_network(
    output: str | Path,
    cities: int = 8,
    responses: int = 400,
    seed: int = 2026,
    period: str = "2026",
    min_cell: int = 10,
) -> dict[str, Path]:
    """Write ``exports/``, ``bundles/`` and ``planted.csv`` for ``cities`` fictional cities.

    Returns ``{relative path: path}`` of every file written. The same arguments write the
    same exports (bundles differ only in their creation time).
    """
    if not 1 <= cities <= MAX_CITIES:
        raise UsageError(f"--cities must be from 1 to {MAX_CITIES}", hint="e.g. --cities 8")
    out = Path(output)
    inst = load_instrument("post_engagement")
    rng = np.random.default_rng(seed)
    value = VALUE_SHIFT + VALUE_SPREAD * rng.standard_normal(cities)
    logit = NEXT_STEP_LOGIT + NEXT_STEP_SPREAD * rng.standard_normal(cities)
    sizes = rng.integers(int(responses * 0.6), int(responses * 1.4) + 1, cities)
    written: dict[str, Path] = {}
    planted = []
    for i in range(cities):
        name = city_name(i)
        slug = name.lower().replace(" ", "_")
        effects = [
            Effect("value_index", "latent", "shift_sd", float(value[i]), (("mode", "virtual"),)),
            Effect(
                "next_step",
                "item",
                "shift_logit",
                float(logit[i]),
                (("mode", "virtual"),),
                choice="yes",
            ),
        ]
        frame = generate_responses(inst, int(sizes[i]), seed=seed + i + 1, effects=effects,
                                   period=period)  # fmt: skip
        written[f"exports/{slug}.csv"] = write_csv(frame, out / "exports" / f"{slug}.csv")
        types = sample_types(len(frame), seed, i).set_axis(frame.index)
        share = aggregate_frame(frame, inst, name, period, min_cell, types=types)
        path = out / "bundles" / f"{slug}-{period}.zip"
        written[f"bundles/{slug}-{period}.zip"] = write_bundle(path, share.meta, share.tables)
        planted.append({"city": name, "responses": int(sizes[i]),
                        "value_index_shift_sd_virtual": float(value[i]),
                        "next_step_logit_virtual": float(logit[i])})  # fmt: skip
    written["planted.csv"] = write_csv_atomic(pd.DataFrame(planted), out / "planted.csv")
    return written
