"""``evalkit validate FILE --instrument ID``: check a response export, report every problem."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

if TYPE_CHECKING:
    from evalkit.validate import ValidationReport

F = TypeVar("F", bound=Callable[..., Any])

PLATFORM_CHOICES = ["auto", "kobo", "odk", "qualtrics", "google", "msforms", "evalkit", "generic"]


def platform_option(function: F) -> F:
    """``--platform`` shared by validate and ingest."""
    return click.option(
        "--platform",
        type=click.Choice(PLATFORM_CHOICES),
        default="auto",
        show_default=True,
        help="The platform that exported FILE (auto: detect it from the headers).",
    )(function)


def date_order_option(function: F) -> F:
    """``--date-order`` shared by every command that reads a response file."""
    return click.option(
        "--date-order",
        type=click.Choice(["dmy", "mdy", "ymd"]),
        help="Day/month order of dates such as 9/11/2022 in FILE (default: from the file; "
        "a file that does not say is refused).",
    )(function)


def map_option(function: F) -> F:
    """``--map`` shared by validate and ingest."""
    return click.option(
        "--map",
        "map_file",
        type=click.Path(exists=True, dir_okay=False),
        help="YAML file mapping custom headers to items: columns: {header: item_id}.",
    )(function)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument_id", required=True, help="Instrument id or .yaml path.")
@platform_option
@map_option
@date_order_option
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option(
    "--quarantine",
    type=click.Path(dir_okay=False),
    help="Write the invalid rows (original cells + reasons) to this CSV file.",
)
@click.option("--show", default=20, show_default=True, help="How many failures to print.")
def validate(
    file: str,
    instrument_id: str,
    platform: str,
    map_file: str | None,
    date_order: str | None,
    as_json: bool,
    quarantine: str | None,
    show: int,
) -> None:
    """Validate the response export FILE against an instrument.

    Exit 0 when every row is valid, 1 when some rows (or columns) have problems, 2 when
    the file or the options cannot be used.
    """
    if file:  # parsed in the background while the libraries below are imported
        from evalkit.ingest.detect import prefetch_grid

        prefetch_grid(file)
    from evalkit.cli._progress import Progress
    from evalkit.ingest import load_mapping
    from evalkit.instrument import load_instrument
    from evalkit.validate import validate_file

    mapping = load_mapping(map_file) if map_file else None
    inst = load_instrument(instrument_id)
    with Progress() as progress:
        report = validate_file(
            file, inst, platform, mapping, progress=progress, date_order=date_order
        )
    if quarantine:
        report.write_quarantine(quarantine)
    if as_json:
        echo(report.to_json())
    else:
        echo(render_summary(report, show))
        if quarantine:
            echo(f"quarantined rows written to {quarantine}", err=True)
    sys.exit(0 if report.valid else 1)


def render_summary(report: ValidationReport, show: int) -> str:
    """The plain-text report: where from, the row counts, counts per code, first failures."""
    how = "detected" if report.platform_detected else "given"
    lines = [
        f"{report.file}: {report.platform} export ({how}), instrument "
        f"{report.instrument_id} {report.instrument_version}",
        f"rows: {report.rows_in} read = {report.rows_valid} valid + "
        f"{report.rows_quarantined} quarantined",
    ]
    lines += [f"note: {note}" for note in report.notes]
    if report.valid:
        lines.append("all rows valid")
        return "\n".join(lines)
    lines.append("failures: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))
    for row in report.failures.head(show).itertuples(index=False):
        where = (
            "file"
            if row.source_row is None or str(row.source_row) == "<NA>"
            else (f"row {row.source_row}")
        )
        lines.append(f"  {where}: {row.code}: {row.message}")
    if len(report.failures) > show:
        lines.append(f"  ... and {len(report.failures) - show} more (use --json for all)")
    return "\n".join(lines)
