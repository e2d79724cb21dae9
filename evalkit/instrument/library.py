"""The instrument library: find instruments by id (``post_engagement``) or by path.

Instruments ship inside the package (``evalkit/instruments`` in the wheel); in a source
checkout or an editable install they are read from the top-level ``instruments/`` folder.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from evalkit.errors import InstrumentNotFoundError, Location
from evalkit.instrument.model import Instrument

LIBRARY_IDS: tuple[str, ...] = (
    "post_engagement",
    "follow_up",
    "connector_attribution",
    "delegation_host",
    "community_programme",
    "partner_relationship",
    "activity_register",
)


def library_dir() -> Path:
    """The folder that holds the shipped instrument files."""
    packaged = Path(str(resources.files("evalkit"))) / "instruments"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "instruments"  # source checkout


def library_files() -> list[Path]:
    """Every instrument file of the library, sorted by name (kpis.yaml is not an instrument)."""
    return sorted(p for p in library_dir().glob("*.yaml") if p.name != "kpis.yaml")


def library_path(instrument_id: str) -> Path:
    """The file of a library instrument."""
    path = library_dir() / f"{instrument_id}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in library_files())
        raise InstrumentNotFoundError(
            f"no instrument {instrument_id!r} in the library",
            hint=f"use one of: {known}, or give the path of a .yaml file",
        )
    return path


def _looks_like_path(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or "/" in name or "\\" in name or Path(name).exists()


@cache
def _load_cached(path: str, mtime_ns: int) -> Instrument:
    from evalkit.instrument.load import load_instrument_file

    return load_instrument_file(path)


def resolve_path(name: str | Path) -> Path:
    """The file an instrument name stands for: an existing path, else a library id.

    A name that looks like a path (``.yaml``, a slash) but does not exist is returned as is,
    so that the caller reports "no such file" for it.
    """
    if isinstance(name, Path) or _looks_like_path(str(name)):
        return Path(name)
    return library_path(str(name))


def load_instrument(name: str | Path) -> Instrument:
    """Load an instrument named by library id or by file path.

    Examples
    --------
    >>> load_instrument("follow_up").id
    'follow_up'
    """
    path = resolve_path(name)
    if not path.exists():
        raise InstrumentNotFoundError("no such file", Location(str(path)), "check the path")
    return _load_cached(str(path), path.stat().st_mtime_ns if path.is_file() else 0)


def load_library() -> list[Instrument]:
    """Every library instrument, in file-name order."""
    return [load_instrument(path) for path in library_files()]
