"""Progress of long commands: one updating line on stderr, only when stderr is a terminal.

Library functions take an optional ``progress`` callback (``Callable[[str], None]``) and call
it with a short description of the step they start ("reading responses.csv",
"analysing worth_time (3/14)"); they never print. The CLI passes a :class:`Progress`, which
rewrites a single stderr line on a terminal and does nothing otherwise (pipes, files, CI
logs, click's test runner), so redirected output never fills with carriage returns.
"""

from __future__ import annotations

import shutil
import sys
from typing import IO, Any

from evalkit.io import terminal_safe


class Progress:
    """A single updating status line (``\\r`` + text, padded over the previous one).

    Parameters
    ----------
    stream
        Where to write (default: ``sys.stderr`` at the time of the call).
    enabled
        Force on or off; by default on exactly when ``stream.isatty()``.

    Examples
    --------
    >>> import io
    >>> quiet = Progress(io.StringIO())  # not a terminal: nothing is written
    >>> quiet("reading"); quiet.done(); quiet.stream.getvalue()
    ''
    >>> shown = Progress(io.StringIO(), enabled=True)
    >>> shown("reading a.csv"); shown("storing"); shown.done()
    >>> shown.stream.getvalue()
    '\\rreading a.csv\\rstoring      \\r             \\r'
    """

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._width = 0

    def __call__(self, message: str) -> None:
        """Show ``message`` in place of the previous one."""
        if not self.enabled:
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        text = " ".join(terminal_safe(str(message)).split())[: max(columns - 1, 10)]
        self.stream.write("\r" + text + " " * max(self._width - len(text), 0))
        self.stream.flush()
        self._width = len(text)

    def done(self) -> None:
        """Clear the line (the command's own output follows on a clean line)."""
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
        self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.done()
