"""``evalkit sample ...``: synthetic responses with planted effects."""

from __future__ import annotations

import click

from evalkit.cli.main import CONTEXT_SETTINGS


@click.group(context_settings=CONTEXT_SETTINGS)
def sample() -> None:
    """Generate synthetic responses with planted effects (for demos, tests, benchmarks).

    See docs/sample-data.md for the response model and the effects file.
    """


@sample.command()
@click.option(
    "--instrument",
    "instrument_id",
    required=True,
    help="Library id (post_engagement) or .yaml path of the instrument.",
)
@click.option(
    "--n", "n", required=True, type=click.IntRange(0, 20_000_000), help="Number of responses."
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="Random seed; the same options write the same file.",
)
@click.option(
    "--effects",
    "effects_path",
    type=click.Path(dir_okay=False),
    help="YAML file of planted effects (docs/sample-data.md).",
)
@click.option(
    "--period",
    default="2026",
    show_default=True,
    help="Submission period: 2026, 2026-Q2, 2026-03 or 2026-01-15..2026-03-31.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV file to write (the canonical response frame).",
)
def generate(
    instrument_id: str, n: int, seed: int, effects_path: str | None, period: str, output: str
) -> None:
    """Write N synthetic responses to an instrument as CSV (the canonical frame).

    Answers respect types, choice lists, min/max, skip logic and scales; effects given in
    --effects are planted between groups. The file is written atomically.
    """
    from evalkit.sample.generate import generate_responses, write_csv

    frame = generate_responses(instrument_id, n, seed, effects=effects_path, period=period)
    write_csv(frame, output)
    click.echo(f"wrote {len(frame)} responses to {output}", err=True)
