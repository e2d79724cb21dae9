"""``evalkit share`` and ``evalkit pool``: a network of offices pools aggregates only."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--workspace", default="evalkit.duckdb", show_default=True, help="The workspace.")
@click.option("--period", required=True, help="The period to share, e.g. 2026.")
@click.option("--city", required=True, help="Your city, as the network names it.")
@click.option("--instrument", help="Instrument id (default: post_engagement or the only one).")
@click.option(
    "--min-cell",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="No count from 1 to this minus 1 leaves the office (network agreement).",
)
@click.option("--dry-run", is_flag=True, help="Show what would leave the office; write nothing.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The bundle zip to write.")
def share(
    workspace: str, period: str, city: str, instrument: str | None, min_cell: int,
    dry_run: bool, output: str | None,
) -> None:  # fmt: skip
    """Write a bundle of aggregates (a Frictionless data package zip) for the network.

    Only counts, means and variances leave: no response id, respondent key, free text or
    pii item. Groups and cells below --min-cell are coarsened or withheld; the bundle's
    disclosure log says which. See docs/network.md.
    """
    from evalkit.errors import UsageError
    from evalkit.network.bundle import write_bundle
    from evalkit.network.share import describe_share, share_from_workspace

    if not dry_run and not output:
        raise UsageError("say where to write the bundle", hint="add -o BUNDLE.zip or --dry-run")
    result = share_from_workspace(workspace, period, city, instrument, min_cell)
    if dry_run:
        echo(describe_share(result))
        return
    path = write_bundle(output, result.meta, result.tables)
    log = result.tables["disclosure_log"]
    echo(
        f"wrote {path}: {len(result.tables['counts'])} count cells, "
        f"{len(result.tables['moments'])} moments, {len(result.tables['kpis'])} KPIs; "
        f"{len(log)} disclosure-log entries (see --dry-run)"
    )


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("bundles", nargs=-1, required=True, type=click.Path())
@click.option("--outcome", help="Only this outcome (item id, ITEM__CHOICE or scale id).")
@click.option("--method", type=click.Choice(["REML", "DL"]), default="REML", show_default=True,
              help="Estimator of the between-city variance tau^2.")  # fmt: skip
@click.option("--hartung-knapp", is_flag=True, help="Hartung-Knapp CIs for random effects.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the result as JSON to this file ('-' for stdout).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(file_okay=False),
              help="Write the network report and tables (CSV, Parquet) here.")  # fmt: skip
def pool(
    bundles: tuple[str, ...], outcome: str | None, method: str, hartung_knapp: bool,
    json_path: str | None, output: str | None,
) -> None:  # fmt: skip
    """Verify bundles (files or folders of *.zip) and pool them across cities.

    Per outcome and pair of modes: Mantel-Haenszel OR/RR with CMH and Breslow-Day tests,
    CMH mean-score test for ordinal items, and random-effects meta-analysis (REML or DL)
    of each per-city effect with tau^2, I^2, Q and the prediction interval. See
    docs/network.md.
    """
    from evalkit.io import write_text_atomic
    from evalkit.network.pool import pool as run
    from evalkit.network.report import write_network_outputs

    result = run(bundles, outcome, method, hartung_knapp)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if json_path == "-":
        echo(text, nl=False)
        return
    if json_path:
        write_text_atomic(json_path, text)
    if output:
        write_network_outputs(result, output)
    echo(summary_text(result), nl=False)
    for path in (json_path, output):
        if path:
            echo(f"wrote {Path(path)}")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def summary_text(result: Any) -> str:
    """One line per pooled random-effects estimate: estimate, CI, tau^2, I^2, k."""
    meta = result.metadata
    lines = [
        f"{meta['cities']} bundles of {meta['instrument_id']} {meta['instrument_version']} "
        f"({', '.join(meta['periods'])}); tau^2 by {meta['method']}",
        f"{'outcome':<26} {'a vs b':<28} {'measure':<16} {'k':>3} {'estimate':>9} "
        f"{'95% CI':>17} {'I2':>5}",
    ]
    table = result.pooled
    table = table[table["method"].str.startswith("random")]
    for r in table.itertuples():
        lines.append(
            f"{r.outcome[:26]:<26} {(r.group_a + ' vs ' + r.group_b)[:28]:<28} "
            f"{r.measure:<16} {r.k:>3} {_fmt(r.estimate):>9} "
            f"{_fmt(r.ci_low) + ' to ' + _fmt(r.ci_high):>17} {_fmt(r.i2, 0):>5}"
        )
    withheld = result.withheld
    if len(withheld):
        lines.append(f"{len(withheld)} disclosure-log entries across cities (see the report)")
    return "\n".join(lines) + "\n"
