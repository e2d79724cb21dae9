"""Store: the DuckDB workspace (responses merged by response_id, edits kept as revisions,
provenance, undo, relabel, erasure, export)."""

from evalkit.store.db import DEFAULT_WORKSPACE
from evalkit.store.ingest import IngestSummary, ingest_file
from evalkit.store.workspace import load_responses, load_status, provenance, workspace_status

__all__ = [
    "DEFAULT_WORKSPACE",
    "IngestSummary",
    "ingest_file",
    "load_responses",
    "load_status",
    "provenance",
    "workspace_status",
]
