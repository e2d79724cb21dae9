"""Population shares an office supplies for the inclusive-reach KPIs (K9).

A small YAML file::

    source: American Community Survey 2023 5-year estimates, City of Riverton
    shares:
      youth_15_24: 0.14
      foreign_born: 0.21
      bipoc_women: 0.27
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from evalkit.errors import InstrumentError, Location
from evalkit.instrument.yamlio import read_yaml


def _read_csv(path: Path) -> tuple[dict[str, object], dict[str, int]]:
    """A CSV with columns ``group, population_share`` (one row per group)."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"group", "population_share"} <= set(rows[0]):
        raise InstrumentError(
            "expected columns 'group' and 'population_share'",
            Location(str(path), 1),
            "write a header row: group,population_share",
        )
    shares: dict[str, object] = {}
    lines = {}
    for number, row in enumerate(rows, start=2):
        try:
            shares[row["group"]] = float(row["population_share"])
        except ValueError:
            shares[row["group"]] = row["population_share"]
        lines[row["group"]] = number
    return shares, lines


def load_population(path: str | Path) -> dict[str, float]:
    """Read a population-shares file (YAML, or CSV ``group,population_share``).

    Every share must be a number in (0, 1].
    """
    file = Path(path)
    if file.suffix.lower() == ".csv":
        raw, csv_lines = _read_csv(file)
        return _checked(raw, lambda key: csv_lines.get(key), str(path))
    data, lines = read_yaml(path, what="population file", empty_hint="write shares: {group: 0.5}")
    if not isinstance(data, dict) or not isinstance(data.get("shares"), dict):
        raise InstrumentError(
            "expected a 'shares:' mapping of group keys to population shares",
            Location(str(path), 1),
            "write e.g. shares: {youth_15_24: 0.14}",
        )
    return _checked(data["shares"], lambda key: lines.line(("shares", key)), str(path))


def _checked(
    raw: dict[str, object], line_of: Callable[[str], int | None], path: str
) -> dict[str, float]:
    shares = {}
    for key, value in raw.items():
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
        if not ok:
            raise InstrumentError(
                f"share of {key!r} must be a number between 0 and 1, found {value!r}",
                Location(path, line_of(str(key)), key=f"shares.{key}"),
                "write the share as a fraction, e.g. 0.14 for 14%",
            )
        shares[str(key)] = float(value)
    return shares
