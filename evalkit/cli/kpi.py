"""``evalkit kpi``: the KPI scorecard for a period, from the workspace."""

from __future__ import annotations

import json
import math
from typing import Any

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

_FORMATS = {
    "share": lambda v: f"{v:.0%}" if abs(v) >= 0.1 else f"{v:.1%}",
    "currency": lambda v: f"${v:,.0f}",
    "count": lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}",
    "kg_co2e": lambda v: f"{v:,.1f} kg",
    "points": lambda v: f"{v:+.2f}",
}


def format_value(value: Any, unit: str | None) -> str:
    """A KPI value as the scorecard shows it ('41%', '$47,010', '5.23'); '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _FORMATS.get(unit or "", lambda v: f"{v:.2f}")(float(value))


def format_change(value: float, unit: str | None) -> str:
    """A change between periods, with one sign (a true minus): '−8.9 pts', '+$94,006'."""
    if unit == "share":
        text = f"{abs(value) * 100:.1f} pts"
    elif unit == "points":
        text = f"{abs(value):.2f}"
    else:
        text = format_value(abs(value), unit)
    if not any(digit in text for digit in "123456789"):
        return "±" + text  # rounds to zero: no direction to show
    return ("−" if value < 0 else "+") + text


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--workspace", default="evalkit.duckdb", show_default=True, help="The workspace.")
@click.option("--period", required=True, help="The reporting period, e.g. 2026.")
@click.option("--compare", "compare_period", help="A period to compare with, e.g. 2025.")
@click.option("--kpis", "kpis_file", type=click.Path(dir_okay=False), help="Your KPI file.")
@click.option("--population", type=click.Path(dir_okay=False), help="Population shares (K9).")
@click.option("--min-cell", default=10, show_default=True, help="Suppress groups below this n.")
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap intervals.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Write CSV tables here.")
def kpi(
    workspace: str,
    period: str,
    compare_period: str | None,
    kpis_file: str | None,
    population: str | None,
    min_cell: int,
    seed: int,
    as_json: bool,
    output: str | None,
) -> None:
    """Compute every KPI of the catalogue for a period, with CI, target, status and trend.

    KPIs that cannot be computed (no responses, no population shares) are listed with the
    reason. Breakdowns by mode suppress groups smaller than --min-cell.
    """
    from evalkit.kpi import load_catalogue
    from evalkit.kpi.compute import kpis_from_workspace
    from evalkit.kpi.population import load_population

    result = kpis_from_workspace(
        workspace,
        period,
        compare_period,
        load_catalogue(kpis_file),
        load_population(population) if population else None,
        min_cell=min_cell,
        seed=seed,
    )
    if output:
        written = result.write_csv(output)
        echo(f"wrote {', '.join(str(p) for p in written)}", err=True)
    if as_json:
        echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    echo(render_scorecard(result.kpis))


def render_scorecard(kpis: Any) -> str:
    """The KPI table as fixed-width text."""
    lines = [f"{'code':<5} {'KPI':<48} {'value':>10} {'95% CI':>21} {'n':>6} {'target':>8}  status"]
    for row in kpis.to_dict("records"):
        unit = row["unit"]
        ci = (
            f"{format_value(row['ci_low'], unit)} to {format_value(row['ci_high'], unit)}"
            if not _missing(row["ci_low"])
            else ""
        )
        status = (
            row["status"] if row["status"] != "not computed" else f"not computed: {row['reason']}"
        )
        if row.get("trend") and not _missing(row.get("change")):
            status += (
                f" ({row['trend']} {format_change(row['change'], unit)} vs {row['compare_period']})"
            )
        title = row["title"] if len(row["title"]) <= 48 else row["title"][:47] + "…"
        lines.append(
            f"{row['code']:<5} {title:<48} {format_value(row['value'], unit):>10} {ci:>21} "
            f"{int(row['n'] or 0):>6} {format_value(row['target'], unit):>8}  {status}"
        )
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
