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
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Also every earlier period the workspace holds, with a trend test (3+ periods).",
)
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
    history: bool,
    as_json: bool,
    output: str | None,
) -> None:
    """Compute every KPI of the catalogue for a period, with CI, target, status and trend.

    KPIs that cannot be computed (no responses, no population shares) are listed with the
    reason. Breakdowns by mode suppress groups smaller than --min-cell. When the workspace
    holds earlier periods, a second table shows every KPI in each of them up to --period,
    with a trend test from three periods on (--no-history leaves it out).
    """
    from evalkit.kpi import load_catalogue
    from evalkit.kpi.compute import kpis_from_workspace
    from evalkit.kpi.history import kpi_history_from_workspace, stored_periods
    from evalkit.kpi.population import load_population

    catalogue = load_catalogue(kpis_file)
    shares = load_population(population) if population else None
    result = kpis_from_workspace(
        workspace, period, compare_period, catalogue, shares, min_cell=min_cell, seed=seed
    )
    past = None
    if history and len(stored_periods(workspace, period)) > 1:
        past = kpi_history_from_workspace(workspace, period, catalogue, shares, min_cell,
                                          seed=seed)  # fmt: skip
    if output:
        written = result.write_csv(output) + (past.write_csv(output) if past else [])
        echo(f"wrote {', '.join(str(p) for p in written)}", err=True)
    if as_json:
        out = result.to_dict()
        if past is not None:
            out["kpi_history"] = past.to_dict()
        echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    echo(render_scorecard(result.kpis))
    if past is not None:
        echo("\n" + render_history(past))


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


def render_history(past: Any) -> str:
    """Every KPI in every period, and its trend test, as fixed-width text."""
    periods = list(past.metadata["periods"])
    trends = {r["kpi_id"]: r for r in past.trends.to_dict("records")}
    lines = [f"KPIs over the periods {periods[0]}–{periods[-1]}"]
    lines.append(f"{'code':<5} " + " ".join(f"{p:>10}" for p in periods) + "  trend")
    for kpi_id, block in past.history.groupby("kpi_id", sort=False):
        shown = {}
        for row in block.to_dict("records"):
            status = row["status"]
            shown[row["period"]] = (
                "suppr." if status == "suppressed"
                else "—" if status == "not computed"
                else format_value(row["value"], row["unit"])
            )  # fmt: skip
        trend = trends.get(kpi_id, {})
        if not _missing(trend.get("p_value")):
            said = f"{trend['trend']} (p = {trend['p_value']:.3g}, {trend['test']})"
        else:
            said = trend.get("note") or ""
            if trend.get("test") is None and trend.get("trend"):
                said = f"{trend['trend']} ({said})"
        code = block["code"].iloc[0]
        values = " ".join(f"{shown.get(p, '—'):>10}" for p in periods)
        lines.append(f"{code:<5} {values}  {said}")
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
