"""Store: the DuckDB workspace (idempotent appends keyed by response_id, provenance)."""

from evalkit.store.workspace import (
    DEFAULT_WORKSPACE,
    IngestSummary,
    ingest_file,
    load_responses,
    load_status,
    provenance,
    workspace_status,
)

__all__ = [
    "DEFAULT_WORKSPACE",
    "IngestSummary",
    "ingest_file",
    "load_responses",
    "load_status",
    "provenance",
    "workspace_status",
]
