"""``evalkit workspace ...``: what the workspace holds, and corrections over the year.

Every command is thin: the work is in :mod:`evalkit.store` (one transaction each).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

WORKSPACE_HELP = "The workspace file (DuckDB)."


def _workspace_option(function: Any) -> Any:
    return click.option(
        "--workspace", "path", default="evalkit.duckdb", show_default=True, help=WORKSPACE_HELP
    )(function)


def _json(data: Any) -> None:
    echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@click.group(context_settings=CONTEXT_SETTINGS)
def workspace() -> None:
    """Show what the workspace holds; list, undo and correct ingests; erase; export."""


@workspace.command()
@_workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def status(path: str, as_json: bool) -> None:
    """Count the stored responses by instrument, period and source."""
    from evalkit.store import workspace_status

    table = workspace_status(path)
    if as_json:
        _json(table.astype(object).where(table.notna(), None).to_dict("records"))
        return
    if table.empty:
        echo(f"{path}: no responses yet")
        return
    echo(table.fillna("-").to_string(index=False))


@workspace.command()
@_workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print every column as JSON.")
def ingests(path: str, as_json: bool) -> None:
    """List every ingest: id, time, file, sha256, platform, instrument, period and rows
    new / changed / already present / near duplicate / erased / quarantined."""
    from evalkit.store.maintain import list_ingests

    table = list_ingests(path)
    if as_json:
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        _json(records)
        return
    shown = table.assign(
        ingested_at=table["ingested_at"].astype(str).str.slice(0, 16),
        sha256=table["sha256"].astype(str).str.slice(0, 12),
        period=table["period"].fillna("-"),
        undone=table["undone_at"].notna().map({True: "undone", False: ""}),
    ).drop(columns=["undone_at", "instrument_version", "rows_erased"])
    echo(shown.to_string(index=False))


@workspace.command()
@click.argument("ingest_id", type=int)
@_workspace_option
@click.option("--dry-run", is_flag=True, help="Say what would be undone; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def undo(ingest_id: int, path: str, dry_run: bool, as_json: bool) -> None:
    """Undo ingest INGEST_ID: remove the responses it added and roll back the edits it
    applied (later ingests' rows stay). One transaction."""
    from evalkit.store.maintain import undo as undo_ingest

    result = undo_ingest(path, ingest_id, dry_run=dry_run)
    _json(result.to_dict()) if as_json else echo(result.line())


@workspace.command()
@click.option("--period", "old", required=True, help="The period to correct ('-': none).")
@click.option("--to", "new", required=True, help="The right period (2026, 2026-Q1, 2026-03).")
@click.option("--ingest", "ingest_id", type=int, help="Only the rows of this ingest.")
@click.option("--instrument", "instrument_id", help="Only this instrument's responses.")
@_workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def relabel(
    old: str, new: str, ingest_id: int | None, instrument_id: str | None, path: str,
    as_json: bool,
) -> None:  # fmt: skip
    """Move responses from period OLD to NEW (e.g. an ingest given --period 2062)."""
    from evalkit.store.maintain import relabel as relabel_period

    result = relabel_period(path, old, new, ingest_id=ingest_id, instrument_id=instrument_id)
    _json(result.to_dict()) if as_json else echo(result.line())


@workspace.command()
@click.argument("name")
@click.option("--from", "first_day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day (YYYY-MM-DD).")  # fmt: skip
@click.option("--to", "last_day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day (YYYY-MM-DD).")  # fmt: skip
@_workspace_option
def period(name: str, first_day: Any, last_day: Any, path: str) -> None:
    """Declare a named period such as FY2026 (years, quarters, months need none)."""
    from evalkit.store.periods import declare_period

    _, first, last = declare_period(path, name, date.fromisoformat(str(first_day.date())),
                                    date.fromisoformat(str(last_day.date())))  # fmt: skip
    echo(f"period {name} declared: {first} to {last}")


@workspace.command()
@click.option("--response", "response_id", help="The response id to erase.")
@click.option("--respondent", help="The respondent's identifier (e.g. e-mail) to erase.")
@click.option("--instrument", "instrument_id", help="Only this instrument's responses.")
@_workspace_option
def erase(
    response_id: str | None, respondent: str | None, instrument_id: str | None, path: str
) -> None:
    """Erase a response, or every response of a respondent, for an erasure request:
    removed everywhere (history included), logged only as a count, and skipped by later
    ingests of exports that still hold it."""
    from evalkit.errors import UsageError
    from evalkit.store.tombstones import erase as erase_responses

    if (response_id is None) == (respondent is None):
        raise UsageError("give either --response ID or --respondent KEY",
                         hint="one erasure request at a time")  # fmt: skip
    result = erase_responses(path, response_id=response_id, respondent=respondent,
                             instrument_id=instrument_id)  # fmt: skip
    echo(result.line())


@workspace.command()
@click.option("--instrument", "instrument_id", required=True, help="Instrument id or .yaml path.")
@click.option("--period", help="Only this period.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="FILE.csv, FILE.parquet or FILE.xlsx.")  # fmt: skip
@click.option("--labels", is_flag=True, help="Choice labels instead of codes.")
@click.option("--include-pii", is_flag=True, help="Keep the keyed respondent hashes.")
@_workspace_option
def export(
    instrument_id: str, period: str | None, output: str, labels: bool, include_pii: bool,
    path: str,
) -> None:  # fmt: skip
    """Write the validated responses as stored, with a codebook beside the file; read it
    back with 'evalkit analyze --frame FILE'."""
    from evalkit.instrument import load_instrument
    from evalkit.store.export import export_responses

    result = export_responses(path, load_instrument(instrument_id), output, period,
                              labels=labels, include_pii=include_pii)  # fmt: skip
    echo(result.line())
