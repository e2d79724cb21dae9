"""evalkit's exceptions: each carries a stable ``code``, a place and a hint on how to fix it.

Library code raises these; only the CLI turns them into a one-line message and an exit code
(see :mod:`evalkit.cli`). The message format is ``PLACE: WHAT; HINT`` so that a user sees
where the problem is, what it is and what to do, on one line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and optionally a line, a row, a column or a key path."""

    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.key:
            parts.append(self.key)
        return ": ".join(parts)


class EvalkitError(Exception):
    """Base class of every error evalkit raises on purpose.

    Parameters
    ----------
    message
        What is wrong, in one sentence without a trailing full stop.
    location
        Where it is (file, line, row, column, key).
    hint
        How to fix it.
    """

    code: str = "evalkit-error"
    exit_code: int = 2

    def __init__(self, message: str, location: Location | None = None, hint: str = "") -> None:
        self.message = message
        self.location = location or Location()
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = str(self.location)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}; {self.hint}" if self.hint else text


class InstrumentError(EvalkitError):
    """An instrument file cannot be read or is not a valid instrument."""

    code = "instrument-invalid"


class InstrumentNotFoundError(EvalkitError):
    """An instrument id names no instrument in the library and no file."""

    code = "instrument-not-found"


class UsageError(EvalkitError):
    """A command was called with options that do not fit together."""

    code = "usage"


class DataError(EvalkitError):
    """A data file cannot be read (encoding, structure, platform)."""

    code = "data-unreadable"
