"""``evalkit relationships``: every partner's lifecycle status and the portfolio KPIs."""

from __future__ import annotations

import json

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS
from evalkit.cli.partners import _register, _register_option


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--workspace", default="evalkit.duckdb", show_default=True, help="The workspace.")
@click.option("--period", required=True, help="Statuses as of the end of this period, e.g. 2026.")
@_register_option
@click.option(
    "--dormant-months",
    default=12,
    show_default=True,
    type=click.IntRange(1, 120),
    help="A partner without engagement for this many months is dormant.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the result as JSON to this file ('-' for stdout).",
)
def relationships(
    workspace: str,
    period: str,
    register_path: str | None,
    dormant_months: int,
    json_path: str | None,
) -> None:
    """Every partner's first and last engagement, engagements in the period by mode and
    lifecycle status (new, active, sustained, dormant, revived, ended), with retention,
    revival, reach and virtual-share KPIs. See docs/relationships.md."""
    from evalkit.io import write_text_atomic
    from evalkit.partners.portfolio import portfolio_from_workspace

    register = _register(register_path, required=False)
    result = portfolio_from_workspace(workspace, period, register, dormant_months)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if json_path == "-":
        echo(text, nl=False)
        return
    echo(summary_text(result), nl=False)
    if json_path:
        write_text_atomic(json_path, text)
        echo(f"wrote {json_path}")


def _pct(rate: dict) -> str:
    value = rate["value"]
    share = "—" if value is None else f"{100 * value:.0f}%"
    return f"{share} ({rate['numerator']} of {rate['denominator']})"


def summary_text(result) -> str:
    """The partner table, the counts by status and the KPIs."""
    lines = [
        f"{'partner':<28} {'status':<10} {'first':<10} {'last':<10} {'period':>6} "
        f"{'years':>5}  modes in period"
    ]
    for p in result.partners:
        name = result.names.get(p.partner, p.partner)[:28]
        if p.partner in result.unregistered:
            name = name[:26] + " *"
        modes = ", ".join(f"{m} {n}" for m, n in sorted(p.modes_in_period.items())) or "-"
        lines.append(
            f"{name:<28} {p.status:<10} {_day(p.first):<10} {_day(p.last):<10} "
            f"{p.in_period:>6} {p.years_running:>5}  {modes}"
        )
    counts = ", ".join(f"{k} {v}" for k, v in result.counts().items())
    k, reach = result.kpis, result.kpis["reach"]
    lines += [
        "",
        f"{len(result.partners)} partners: {counts}",
        f"(dormant: no engagement for {result.dormant_months} months)",
        f"retention {_pct(k['retention'])}",
        f"revival {_pct(k['revival_rate'])}; legacy ties {_pct(k['legacy_revival_rate'])}",
        f"reach {reach['partners']} partners engaged in the period, {reach['countries']} "
        f"countries, {reach['types']} types",
        f"kept up only virtually {_pct(k['virtual_only_share'])}; virtual engagements "
        f"{_pct(k['virtual_engagement_share'])}",
    ]
    if result.unregistered:
        lines.append(
            f"* {len(result.unregistered)} partners not in the register "
            "(see 'evalkit partners check')"
        )
    return "\n".join(lines) + "\n"


def _day(value) -> str:
    return value.isoformat() if value else "-"
