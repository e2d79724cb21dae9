"""``evalkit report``: the annual report (HTML, Markdown, XLSX, JSON, Word, charts)."""

from __future__ import annotations

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--instrument", "instrument_name", help="With FILE: the instrument it answers.")
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    help="With FILE: day/month order of dates such as 9/11/2022 (default: from the file).",
)
@click.option("--workspace", help="The workspace to report from [default: evalkit.duckdb].")
@click.option("--period", help="With --workspace: the reporting period, e.g. 2026.")
@click.option("--compare", "compare_period", help="A period to compare with, e.g. 2025.")
@click.option("--kpis", "kpis_file", type=click.Path(dir_okay=False), help="Your KPI file.")
@click.option("--population", type=click.Path(dir_okay=False), help="Population shares (K9).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder.")
@click.option("--title", help="Report title.")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option("--min-cell", default=10, show_default=True, help="Suppress groups below this n.")
@click.option("--seed", default=0, show_default=True, help="Seed of random procedures.")
@click.option(
    "--themes",
    "themes_file",
    type=click.Path(dir_okay=False),
    help="YAML theme codebook: example quotes per theme from the free-text answers.",
)
@click.option(
    "--edition",
    type=click.Choice(["public", "internal"]),
    default="public",
    show_default=True,
    help="public: named partners and quotes of small groups suppressed, no placeholder "
    "stories; internal: partner-level detail kept, every page marked internal.",
)
def report(
    file: str | None,
    instrument_name: str | None,
    date_order: str | None,
    workspace: str | None,
    period: str | None,
    compare_period: str | None,
    kpis_file: str | None,
    population: str | None,
    output: str,
    title: str | None,
    lang: str,
    min_cell: int,
    seed: int,
    themes_file: str | None,
    edition: str,
) -> None:
    """Write the annual report: report.html, report.md, tables.xlsx, results.json,
    report.docx and charts/ into the -o folder.

    Either --period P [--compare P0] [--workspace W] (KPIs, mode comparison, connector,
    relationships, inclusive reach; the workspace defaults to evalkit.duckdb), or
    FILE --instrument ID (one response file).
    """
    if file:  # parsed in the background while the libraries below are imported
        from evalkit.ingest.detect import prefetch_grid

        prefetch_grid(file)
    from evalkit.analyze.themes import load_codebook
    from evalkit.cli._progress import Progress
    from evalkit.errors import UsageError
    from evalkit.report import render_report
    from evalkit.report.build import build_file_report_data, build_report_data

    if file is not None and workspace is not None:
        raise UsageError("give either FILE --instrument ID or --workspace W --period P")
    themes = load_codebook(themes_file) if themes_file else None
    with Progress() as progress:
        if file is not None:
            from evalkit.instrument import load_instrument

            if not instrument_name:
                raise UsageError(
                    "FILE needs --instrument", hint="e.g. --instrument post_engagement"
                )
            data = build_file_report_data(
                file,
                load_instrument(instrument_name),
                title=title,
                lang=lang,
                min_cell=min_cell,
                seed=seed,
                progress=progress,
                date_order=date_order,
                themes=themes,
                edition=edition,
            )
        else:
            from evalkit.kpi import load_catalogue
            from evalkit.kpi.population import load_population

            if not period:
                raise UsageError(
                    "give --period P (the workspace's reporting period) or FILE --instrument ID",
                    hint="e.g. evalkit report --period 2026 --compare 2025 -o report/",
                )
            data = build_report_data(
                str(workspace or "evalkit.duckdb"),
                period,
                compare_period,
                catalogue=load_catalogue(kpis_file),
                population=load_population(population) if population else None,
                title=title,
                lang=lang,
                min_cell=min_cell,
                seed=seed,
                progress=progress,
                themes=themes,
                edition=edition,
            )
        written = render_report(data, output, progress)
    for name in sorted(written):
        echo(f"wrote {written[name]}", err=True)
    echo(str(written["report.html"]))
