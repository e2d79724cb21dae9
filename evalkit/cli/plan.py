"""``evalkit plan``: sample size per group, or the minimum detectable difference."""

from __future__ import annotations

import json

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--outcome",
    type=click.Choice(["mean", "proportion"]),
    default="proportion",
    show_default=True,
    help="A mean (scale score) or a share (e.g. top-2-box).",
)
@click.option("--d", type=float, help="Target difference in standard deviations (mean).")
@click.option("--p1", type=float, help="Expected share in one group (proportion).")
@click.option("--p2", type=float, help="Share in the other group to detect (proportion).")
@click.option(
    "--n", type=float, help="n per group you have: gives the minimum detectable difference."
)
@click.option("--alpha", default=0.05, show_default=True, help="Significance level.")
@click.option("--power", default=0.8, show_default=True, help="Desired power.")
@click.option(
    "--comparisons",
    default=1,
    show_default=True,
    help="Number of pairwise contrasts (alpha is divided by it).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def plan(outcome, d, p1, p2, n, alpha, power, comparisons, as_json) -> None:
    """Size the next survey wave: n per group for a target difference, or the minimum
    detectable difference for the n you have (two groups, two-sided tests)."""
    import dataclasses
    import math

    from evalkit.analyze.power import plan as make_plan

    res = make_plan(
        outcome, d=d, p1=p1, p2=p2, n=n, alpha=alpha, power=power, comparisons=comparisons
    )
    if as_json:
        data = {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in dataclasses.asdict(res).items()
        }
        echo(json.dumps(data, indent=2))
        return
    if n is not None:
        what = f"{res.mdd:+.3f} SD" if outcome == "mean" else f"{100 * res.mdd:+.1f} points"
        echo(
            f"With {n:g} per group the minimum detectable difference is {what} "
            f"(alpha {res.alpha}, power {res.power}{', ' + res.note if res.note else ''})."
        )
    else:
        echo(
            f"n per group: {math.ceil(res.n_per_group)} ({res.n_per_group:.2f}; "
            f"{res.effect_name} = {res.effect:.4f}, alpha {res.alpha}, power {res.power}"
            f"{', ' + res.note if res.note else ''})."
        )
