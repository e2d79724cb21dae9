"""``evalkit sample ...``: synthetic responses with planted effects."""

from __future__ import annotations

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

PLATFORM_CHOICES = ["csv", "kobo", "kobo_xlsx", "odk", "qualtrics", "google", "msforms"]


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
    "--as-of",
    default="today",
    show_default=True,
    help="No response later than this date (YYYY-MM-DD); fix it to reproduce a file.",
)
@click.option(
    "--platform",
    type=click.Choice(PLATFORM_CHOICES),
    default="csv",
    show_default=True,
    help="Export format: evalkit's CSV template or a platform's own export.",
)
@click.option("--lang", help="Language of labels and questions (default: the instrument's first).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write (.xlsx for kobo_xlsx and msforms, else .csv).",
)
def generate(
    instrument_id: str,
    n: int,
    seed: int,
    effects_path: str | None,
    period: str,
    as_of: str,
    platform: str,
    lang: str | None,
    output: str,
) -> None:
    """Write N synthetic responses to an instrument as a platform's export.

    Answers respect types, choice lists, min/max, skip logic and scales; effects given in
    --effects are planted between groups. The file is written atomically and reads back
    with 'evalkit ingest'.
    """
    from evalkit.sample.output import generate_file

    frame = generate_file(
        instrument_id, n, seed, output, platform, effects=effects_path, period=period,
        as_of=as_of, lang=lang,
    )  # fmt: skip
    echo(f"wrote {len(frame)} responses to {output}", err=True)


@sample.command()
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write."
)
@click.option("--seed", default=2030, show_default=True, type=int, help="Random seed.")
@click.option(
    "--as-of",
    default="2026-10-31",
    show_default=True,
    help="The date of the data: no response is later (YYYY-MM-DD).",
)
def city(output: str, seed: int, as_of: str) -> None:
    """Write the fictional city of Riverton's 2025 and 2026 data, as sample_data/ holds it.

    Every instrument in its platform's export format, population.yaml (shares for the
    inclusive-reach KPI), manifest.csv and a few deliberately bad rows. The same options
    write the same bytes (see sample_data/README.md).
    """
    from evalkit.sample.city import build_city

    written = build_city(output, seed=seed, as_of=as_of)
    echo(f"wrote {len(written)} files to {output}", err=True)


@sample.command()
@click.option("--cities", default=8, show_default=True, type=int, help="Number of cities.")
@click.option("--n", "responses", default=400, show_default=True, type=click.IntRange(30),
              help="Average responses per city.")  # fmt: skip
@click.option("--seed", default=2026, show_default=True, type=int, help="Random seed.")
@click.option("--period", default="2026", show_default=True, help="The period of every city.")
@click.option("--min-cell", default=10, show_default=True, type=click.IntRange(1),
              help="Disclosure threshold of the bundles.")  # fmt: skip
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write."
)
def network(
    cities: int, responses: int, seed: int, period: str, min_cell: int, output: str
) -> None:
    """Write a fictional city network: each city's export and bundle, with planted
    between-city heterogeneity (planted.csv lists each city's planted values).

    Pool it with 'evalkit pool DIR/bundles -o DIR/report'. See docs/network.md.
    """
    from evalkit.sample.network import build_network

    written = build_network(output, cities, responses, seed, period, min_cell)
    echo(f"wrote {len(written)} files to {output} ({cities} cities)", err=True)
