"""Ingest: read any supported platform export into the canonical response frame.

``read_responses(path, instrument)`` detects encoding, delimiter and platform, maps headers
to items and converts every cell; see :mod:`evalkit.ingest.canonical` for the contract.
"""

from evalkit.ingest.canonical import item_columns, tokenize
from evalkit.ingest.read import (
    PLATFORM_NAMES,
    IngestResult,
    detect_platform,
    load_mapping,
    read_responses,
)

__all__ = [
    "PLATFORM_NAMES",
    "IngestResult",
    "detect_platform",
    "item_columns",
    "load_mapping",
    "read_responses",
    "tokenize",
]
