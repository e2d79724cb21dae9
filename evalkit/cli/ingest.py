"""``evalkit ingest`` and ``evalkit workspace ...``: store validated responses in a workspace."""

from __future__ import annotations

import json
import sys

import click

from evalkit.cli.main import CONTEXT_SETTINGS
from evalkit.cli.validate import date_order_option, map_option, platform_option

WORKSPACE_HELP = "The workspace file (DuckDB)."


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument_id", required=True, help="Instrument id or .yaml path.")
@click.option("--period", help="Reporting period the responses belong to, e.g. 2026.")
@click.option("--workspace", default="evalkit.duckdb", show_default=True, help=WORKSPACE_HELP)
@platform_option
@map_option
@date_order_option
@click.option("--quarantine", type=click.Path(dir_okay=False), help="Write invalid rows here.")
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
    as_json: bool,
) -> None:
    """Validate FILE and add its valid rows to the workspace (in one transaction).

    Responses already in the workspace (same response id) are not added again, so
    re-importing an export, or a later export with all earlier rows, adds only new ones.
    Exit 0 when every row was valid, 1 when some rows were quarantined.
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
            date_order=date_order,
        )
    if quarantine and summary.report is not None:
        summary.report.write_quarantine(quarantine)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(
            f"{summary.file} ({summary.platform}) -> {summary.workspace}: {summary.rows_in} rows "
            f"read: {summary.rows_new} new, {summary.rows_present} already present, "
            f"{summary.rows_quarantined} quarantined"
        )
        if summary.rows_quarantined:
            click.echo("run 'evalkit validate' on the file to see why rows were quarantined")
    sys.exit(1 if summary.rows_quarantined else 0)


@click.group(context_settings=CONTEXT_SETTINGS)
def workspace() -> None:
    """Show what the workspace holds."""


@workspace.command()
@click.option(
    "--workspace", "path", default="evalkit.duckdb", show_default=True, help=WORKSPACE_HELP
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def status(path: str, as_json: bool) -> None:
    """Count the stored responses by instrument, period and source."""
    from evalkit.store import workspace_status

    table = workspace_status(path)
    if as_json:
        rows = table.astype(object).where(table.notna(), None).to_dict("records")
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if table.empty:
        click.echo(f"{path}: no responses yet")
        return
    click.echo(table.fillna("-").to_string(index=False))
