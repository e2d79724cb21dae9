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

    cli(prog_name="evalkit")
