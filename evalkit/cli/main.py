"""The ``evalkit`` click application: a group whose commands are imported only when used.

Commands are thin: parse options, call one library function, render the result. Library
errors (:class:`evalkit.errors.EvalkitError`) become one line on stderr and an exit code;
the traceback is shown only with ``--debug`` (or ``EVALKIT_DEBUG=1``).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from evalkit._version import __version__
from evalkit.cli._output import echo
from evalkit.errors import EvalkitError
from evalkit.io import terminal_safe

# name -> (module, attribute, one-line help). The help is here so that listing commands
# does not import them.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "analyze": (
        "evalkit.cli.analyze",
        "analyze",
        "Compare outcome measures across modes, with effect sizes and findings.",
    ),
    "crosstab": (
        "evalkit.cli.crosstab",
        "crosstab",
        "Crosstab of two items: counts, percentages, test and residuals.",
    ),
    "followup": (
        "evalkit.cli.followup",
        "followup",
        "Follow-up waves linked to answers: response, attrition, outcomes.",
    ),
    "instrument": (
        "evalkit.cli.instrument",
        "instrument",
        "List, show, check and export questionnaires.",
    ),
    "kpi": (
        "evalkit.cli.kpi",
        "kpi",
        "KPI scorecard for a period: value, CI, target, status, trend.",
    ),
    "partners": (
        "evalkit.cli.partners",
        "partners",
        "Keep the partner register: names it lacks, look-alike names to merge.",
    ),
    "pool": (
        "evalkit.cli.network",
        "pool",
        "Pool city bundles: Mantel-Haenszel, random-effects meta-analysis, KPIs.",
    ),
    "plan": (
        "evalkit.cli.plan",
        "plan",
        "Sample size per group, or the minimum detectable difference.",
    ),
    "ingest": (
        "evalkit.cli.ingest",
        "ingest",
        "Validate a response export and add it to the workspace.",
    ),
    "validate": (
        "evalkit.cli.validate",
        "validate",
        "Validate a response export against an instrument.",
    ),
    "workspace": (
        "evalkit.cli.workspace",
        "workspace",
        "The workspace: status, ingests, undo, relabel, period, erase, export.",
    ),
    "relationships": (
        "evalkit.cli.relationships",
        "relationships",
        "Partners' lifecycle (new, sustained, dormant, revived...) and portfolio KPIs.",
    ),
    "report": (
        "evalkit.cli.report",
        "report",
        "Write the annual report: HTML, Markdown, XLSX, JSON, Word and charts.",
    ),
    "share": (
        "evalkit.cli.network",
        "share",
        "Write a bundle of aggregates (no microdata) for a city network.",
    ),
    "sample": (
        "evalkit.cli.sample",
        "sample",
        "Generate synthetic responses with planted effects.",
    ),
    "demo": (
        "evalkit.cli.demo",
        "demo",
        "Run the whole job on the sample data, ending with the annual report.",
    ),
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "terminal_width": 88}


class LazyGroup(click.Group):
    """A click group that imports each command's module on first use."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, attribute, _ = self.lazy[cmd_name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.lazy[name][2]) for name in sorted(self.lazy)]
        rows += [
            (name, cmd.get_short_help_str())
            for name, cmd in sorted(self.commands.items())
            if name not in self.lazy and not cmd.hidden
        ]
        rows.sort()
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        _return_freed_memory_to_the_os()
        try:
            return super().invoke(ctx)
        except EvalkitError as exc:
            if _debug(ctx):
                raise
            echo(f"error: {exc.one_line()}", err=True)
            ctx.exit(exc.exit_code)
        except click.exceptions.ClickException as exc:  # "Path '<user text>' does not exist"
            exc.message = terminal_safe(exc.message)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if _debug(ctx):
                raise
            echo(
                f"error: internal error ({type(exc).__name__}: {exc}); "
                "rerun with --debug for the traceback and please report it",
                err=True,
            )
            ctx.exit(3)


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    return bool((root.obj or {}).get("debug")) or os.environ.get("EVALKIT_DEBUG") == "1"


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="evalkit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """evalkit: measure what in-person, virtual and hybrid engagements achieve.

    Questionnaires (instruments) are exported to survey platforms, their response
    exports are validated and analysed, and KPIs are reported for the annual report.
    Run 'evalkit COMMAND --help' for the options of a command.
    """
    ctx.obj = {"debug": debug}


def _return_freed_memory_to_the_os() -> None:
    """Let the allocators give freed memory back to the OS at once.

    pyarrow's allocator (mimalloc) keeps freed pages for a while by default: the file's text,
    freed column by column while the frame is built, would stay in the process (about
    130 MiB more peak at a million rows; the option is read when pyarrow first allocates,
    which is after this). glibc raises its mmap threshold after the first large block is
    freed, so later arrays come from the heap and stay in the process when freed (about
    220 MiB more). See docs/performance.md.
    """
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # -3: M_MMAP_THRESHOLD (malloc.h)
    except (OSError, AttributeError):
        pass  # not glibc (musl, ...)
