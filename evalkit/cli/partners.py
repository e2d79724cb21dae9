"""``evalkit partners check|suggest``: keep the partner register (``partners.yaml``).

Thin commands over :mod:`evalkit.partners`: read the register and the workspace's partner
names, print what the library found.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

DEFAULT_REGISTER = "partners.yaml"


def _register_option(function):
    return click.option(
        "--register",
        "register_path",
        type=click.Path(dir_okay=False),
        help=f"The partner register (default: {DEFAULT_REGISTER} when it exists).",
    )(function)


def _workspace_option(function):
    return click.option(
        "--workspace", default="evalkit.duckdb", show_default=True, help="The workspace."
    )(function)


def _period_option(function):
    return click.option("--period", help="Only the names of this period (default: all).")(function)


def _register(path: str | None, required: bool):
    from evalkit.errors import UsageError
    from evalkit.partners import load_register

    if path is None and Path(DEFAULT_REGISTER).is_file():
        path = DEFAULT_REGISTER
    if path is None:
        if required:
            raise UsageError(
                f"no partner register: {DEFAULT_REGISTER} is not in this folder",
                hint="pass --register FILE, or start one with 'evalkit partners suggest'",
            )
        return None
    return load_register(path)


@click.group(context_settings=CONTEXT_SETTINGS)
def partners() -> None:
    """Keep the partner register: names the register lacks, look-alike names to merge."""


@partners.command()
@_workspace_option
@_register_option
@_period_option
def check(workspace: str, register_path: str | None, period: str | None) -> None:
    """List the partner names in the workspace that the register lacks (exit status 1
    when there are any), with how often and where each appears."""
    from evalkit.partners.names import unknown_names, workspace_names

    register = _register(register_path, required=True)
    seen = workspace_names(workspace, period)
    missing = unknown_names(seen, register)
    known = len(seen) - len(missing)
    echo(f"{len(seen)} partner names in {workspace}: {known} in the register, {len(missing)} not")
    for name in missing:
        echo(
            f"  {name.name}  ({name.count}x; {', '.join(name.sources)}; {', '.join(name.periods)})"
        )
    if missing:
        echo("add each as a partner or as an alias (see 'evalkit partners suggest')")
    sys.exit(1 if missing else 0)


@partners.command()
@_workspace_option
@_register_option
@_period_option
@click.option(
    "--threshold",
    default=85.0,
    show_default=True,
    type=click.FloatRange(0, 100),
    help="Similarity (0-100) from which two names are proposed as one partner.",
)
def suggest(
    workspace: str, register_path: str | None, period: str | None, threshold: float
) -> None:
    """Propose merges of look-alike partner names (accents and case ignored), as a YAML
    snippet to check and paste into the register."""
    from evalkit.partners.names import merge_snippet, suggest_merges, workspace_names

    register = _register(register_path, required=False)
    groups = suggest_merges(workspace_names(workspace, period), register, threshold)
    if not groups:
        echo("no look-alike partner names to merge")
        return
    echo(merge_snippet(groups, register), nl=False)
