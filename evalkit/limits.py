"""Limits on what evalkit reads, each one raised by an environment variable.

A hostile or broken file must end in a one-line error, quickly and in little memory, never in
a machine out of memory or a traceback. Every limit here is far above what a real survey file
needs; a message that names one says which variable raises it (docs/security.md).

Examples
--------
>>> YAML_DEPTH.value()
64
>>> YAML_DEPTH.raise_hint(300)
'set EVALKIT_MAX_YAML_DEPTH=300 (or higher) to raise the limit'
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import Location, UsageError


@dataclass(frozen=True)
class Limit:
    """One limit: its default and the environment variable that overrides it."""

    env: str
    default: int
    what: str

    def value(self) -> int:
        """The limit in force: ``$ENV`` (a positive whole number, ``_`` allowed) or the default."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            number = int(raw.replace("_", ""))
        except ValueError:
            number = 0
        if number <= 0:
            raise UsageError(
                f"{self.env}={raw!r} is not a positive whole number",
                Location(key=self.env),
                f"set it to the largest {self.what} to accept (default {self.default})",
            )
        return number

    def raise_hint(self, needed: int | None = None) -> str:
        """``set ENV=N (or higher) to raise the limit``, N twice the limit or ``needed``."""
        suggestion = max(2 * self.value(), needed or 0)
        return f"set {self.env}={suggestion} (or higher) to raise the limit"


YAML_BYTES = Limit("EVALKIT_MAX_YAML_BYTES", 2_000_000, "YAML file size in bytes")
YAML_NODES = Limit("EVALKIT_MAX_YAML_NODES", 100_000, "number of YAML nodes")
YAML_DEPTH = Limit("EVALKIT_MAX_YAML_DEPTH", 64, "YAML nesting depth")
XLSX_BYTES = Limit("EVALKIT_MAX_XLSX_MB", 200, "unpacked XLSX size in MB")
XLSX_ROWS = Limit("EVALKIT_MAX_XLSX_ROWS", 1_100_000, "number of XLSX rows")
EXPRESSION_DEPTH = Limit("EVALKIT_MAX_EXPRESSION_DEPTH", 50, "expression nesting depth")
EXPRESSION_TERMS = Limit("EVALKIT_MAX_EXPRESSION_TERMS", 500, "number of expression terms")

ALL = (
    YAML_BYTES,
    YAML_NODES,
    YAML_DEPTH,
    XLSX_BYTES,
    XLSX_ROWS,
    EXPRESSION_DEPTH,
    EXPRESSION_TERMS,
)


def xlsx_too_large(path: str | Path) -> tuple[str, str] | None:
    """``(message, hint)`` when the XLSX ``path`` unpacks to more than :data:`XLSX_BYTES`,
    else None (also for a file that is not a zip: the reader then says it is unreadable).

    The members' uncompressed sizes are read from the zip directory before anything is
    unpacked; Python's zipfile never unpacks a member past its stated size, so a "zip bomb"
    (314 MB of sheet from a 795 kB file) is refused here in no time and memory.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    limit_mb = XLSX_BYTES.value()
    if unpacked <= limit_mb * 1_000_000:
        return None
    needed = -(-unpacked // 1_000_000)
    return (
        f"the XLSX file unpacks to {needed:,} MB, more than the limit of {limit_mb:,} MB",
        f"export it as CSV, or {XLSX_BYTES.raise_hint(needed)}",
    )


def xlsx_rows_hint() -> str:
    """The hint of the too-many-rows error."""
    return f"split the file or export it as CSV, or {XLSX_ROWS.raise_hint()}"
