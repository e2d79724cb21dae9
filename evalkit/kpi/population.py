"""Population shares an office supplies for the inclusive-reach KPIs (K9).

A small YAML file::

    source: American Community Survey 2023 5-year estimates, City of Riverton
    shares:
      youth_15_24: 0.14
      foreign_born: 0.21
      bipoc_women: 0.27
"""

from __future__ import annotations

from pathlib import Path

from evalkit.errors import InstrumentError, Location
from evalkit.instrument.yamlio import read_yaml


def load_population(path: str | Path) -> dict[str, float]:
    """Read a population-shares file; every share must be a number in (0, 1]."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("shares"), dict):
        raise InstrumentError(
            "expected a 'shares:' mapping of group keys to population shares",
            Location(str(path), 1),
            "write e.g. shares: {youth_15_24: 0.14}",
        )
    shares = {}
    for key, value in data["shares"].items():
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
        if not ok:
            raise InstrumentError(
                f"share of {key!r} must be a number between 0 and 1, found {value!r}",
                Location(str(path), lines.line(("shares", key)), key=f"shares.{key}"),
                "write the share as a fraction, e.g. 0.14 for 14%",
            )
        shares[str(key)] = float(value)
    return shares
