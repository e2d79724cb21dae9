"""The one way the CLI prints: every line made terminal-safe (issue 17, point 6).

Answers, file names, instrument texts and error messages carry user text; an escape
sequence in them (OSC 52 clipboard writes, OSC 8 hidden links) must not reach the terminal.
tests/test_style.py checks that no other module calls ``click.echo`` or ``print``.
"""

from __future__ import annotations

from typing import Any

import click

from evalkit.io import terminal_safe


def echo(message: Any = None, *, nl: bool = True, err: bool = False) -> None:
    """``click.echo`` of ``message`` without control characters (newline and tab kept)."""
    text = None if message is None else terminal_safe(str(message))
    click.echo(text, nl=nl, err=err)
