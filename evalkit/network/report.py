"""The network report's files: tables as CSV and Parquet, results.json.

Parquet lets a network of hundreds of cities keep its history in DuckDB (or any engine
that reads Parquet): ``SELECT * FROM 'pooled.parquet'``.
"""

from __future__ import annotations

import json
from pathlib import Path

from evalkit.io import write_csv_atomic, write_text_atomic
from evalkit.network.pool import PoolResult, write_parquet


def write_network_outputs(result: PoolResult, directory: str | Path) -> dict[str, Path]:
    """Write ``<table>.csv``, ``<table>.parquet`` and ``results.json`` into ``directory``."""
    out = Path(directory)
    written: dict[str, Path] = {}
    for name in result.TABLES:
        written[f"{name}.csv"] = write_csv_atomic(result.table(name), out / f"{name}.csv")
    for path in write_parquet(result, out):
        written[path.name] = path
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    written["results.json"] = write_text_atomic(out / "results.json", text)
    return written
