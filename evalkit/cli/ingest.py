"""``evalkit ingest`` and ``evalkit workspace ...``: store validated responses in a workspace."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS
from evalkit.cli.validate import date_order_option, map_option, platform_option

if TYPE_CHECKING:
    from evalkit.store import IngestSummary

WORKSPACE_HELP = "The workspace file (DuckDB)."


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument_id", required=True, help="Instrument id or .yaml path.")
@click.option(
    "--period",
    help="Reporting period the responses belong to, e.g. 2026 (default: the year of the "
    "submission dates, when they all fall in one).",
)
@click.option("--workspace", default="evalkit.duckdb", show_default=True, help=WORKSPACE_HELP)
@platform_option
@map_option
@date_order_option
@click.option("--quarantine", type=click.Path(dir_okay=False), help="Write invalid rows here.")
@click.option(
    "--keep-near-duplicates",
    is_flag=True,
    help="Add responses that repeat a stored one (same minute, same answers) under another id.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to wait while another evalkit command uses the workspace.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def ingest(
    file: str,
    instrument_id: str,
    period: str | None,
    workspace: str,
    platform: str,
    map_file: str | None,
    date_order: str | None,
    quarantine: str | None,
    keep_near_duplicates: bool,
    lock_timeout: float,
    as_json: bool,
) -> None:
    """Validate FILE and add its valid rows to the workspace (in one transaction).

    Responses already in the workspace (same response id, same answers) are not added
    again, so re-importing an export, or a later export with all earlier rows, adds only new
    ones. A response whose answers were edited on the platform is updated (the earlier
    version is kept in the workspace's revisions). A response under another id with the same
    answers and submission minute as a stored one (the same export in another format) is
    skipped and listed, unless --keep-near-duplicates. Exit 0 when every row was valid, 1
    when some rows were quarantined.
    """
    from evalkit.cli._progress import Progress
    from evalkit.ingest import load_mapping
    from evalkit.instrument import load_instrument
    from evalkit.store import ingest_file

    with Progress() as progress:
        summary = ingest_file(
            file,
            load_instrument(instrument_id),
            workspace=workspace,
            period=period,
            platform=platform,
            mapping=load_mapping(map_file) if map_file else None,
            progress=progress,
            quarantine=quarantine,
            keep_near_duplicates=keep_near_duplicates,
            lock_timeout=lock_timeout,
            date_order=date_order,
        )
    if as_json:
        echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        echo(summary_line(summary))
        for line in summary.notes:
            echo(f"note: {line}")
        for line in near_duplicate_lines(summary):
            echo(line)
        for line in summary.warnings:
            echo(f"warning: {line}", err=True)
        if summary.rows_quarantined:
            echo("run 'evalkit validate' on the file to see why rows were quarantined")
    sys.exit(1 if summary.rows_quarantined else 0)


def summary_line(summary: IngestSummary) -> str:
    """The one line an ingest prints: where the rows read went."""
    near = summary.rows_near_duplicate
    extra = f", {near} near duplicate{'' if near == 1 else 's'} skipped" if near else ""
    if summary.rows_erased:
        extra += f", {summary.rows_erased} erased before (skipped)"
    return (
        f"{summary.file} ({summary.platform}) -> {summary.workspace}: {summary.rows_in} rows "
        f"read: {summary.rows_new} new, {summary.rows_changed} changed, "
        f"{summary.rows_present} already present{extra}, {summary.rows_quarantined} quarantined"
    )


def near_duplicate_lines(summary: IngestSummary) -> list[str]:
    """One line per skipped near duplicate (the first few), and how to keep them."""
    from evalkit.store.ingest import NEAR_DUPLICATE_LINES

    pairs = summary.near_duplicates
    if not pairs:
        return []
    lines = [
        f"  near duplicate: {new} repeats {old} (same minute, same answers); not added"
        for new, old in pairs[:NEAR_DUPLICATE_LINES]
    ]
    if len(pairs) > NEAR_DUPLICATE_LINES:
        lines.append(f"  ... and {len(pairs) - NEAR_DUPLICATE_LINES} more (--json lists all)")
    lines.append("  if they are different people, ingest again with --keep-near-duplicates")
    return lines
