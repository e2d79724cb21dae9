"""Console-script entry point: answers ``--help`` and ``--version`` without importing click.

``evalkit --help`` must start in about the time of a bare Python start (see
docs/performance.md). Importing click alone costs about three bare starts, so the top-level
help text is kept in :mod:`evalkit.cli._help` and a test asserts that it is exactly what click
would print. Everything else goes to the click application in :mod:`evalkit.cli.main`.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args in ([], ["--help"], ["-h"]):
        from evalkit.cli._help import TOP_LEVEL_HELP

        sys.stdout.write(TOP_LEVEL_HELP)
        return
    if args == ["--version"]:
        from evalkit._version import __version__

        sys.stdout.write(f"evalkit {__version__}\n")
        return
    from evalkit.cli.main import cli

    try:
        cli(prog_name="evalkit")  # click ends every run with SystemExit
    except SystemExit as done:
        _exit_at_once(done.code)


def _exit_at_once(code: object) -> None:  # never returns (typing is not imported here)
    """End the process with ``code`` (as :class:`SystemExit` would) without the interpreter's
    teardown.

    After a command on a large file the process holds hundreds of MiB of arrays and pandas,
    pyarrow, scipy and pandera: Python frees them object by object and finalises every module
    (0.1-0.3 s after a million-row ``evalkit analyze``), the operating system does it at
    once. Nothing is left to finish: outputs are written and closed atomically inside the
    commands, thread pools are joined where they are used, and only the read-ahead thread
    (a daemon) may still run after a command that failed before reading. Standard output
    and error are flushed first. Library use and click's test runner never come here.
    """
    import os

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed to stderr, exit status 1
        sys.stderr.write(f"{code}\n")
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (evalkit ... | head): what Python itself exits with
        status = status or 120
    os._exit(status)
