"""``evalkit demo``: the whole job on Riverton's sample data, in one command."""

from __future__ import annotations

from typing import Any

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Folder for the workspace and outputs (default: a new temporary folder).",
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, exists=True),
    help="Sample-data folder with manifest.csv (default: the repository's sample_data/).",
)
def demo(output: str | None, data: str | None) -> None:
    """Ingest every sample file into a fresh workspace, validate, analyse, compute KPIs and
    write the annual report.

    Shows the validation summary (rows in / valid / quarantined per file; the quarantined
    rows of the sample data are deliberate, see sample_data/README.md), the findings of
    the 2026 post-engagement survey by mode and of the community programme before and
    after, and the KPI scorecard for 2026 against 2025,
    and ends with the folder of the outputs and the path of report.html.
    """
    from evalkit.cli._progress import Progress
    from evalkit.cli.kpi import render_scorecard
    from evalkit.demo import run_demo

    with Progress() as progress:
        result = run_demo(output, data, progress)
    echo(f"Sample data: {result.data_dir}\n\nValidation (rows in / valid / quarantined):")
    echo(render_ingests(result.ingests))
    for row in result.failures.itertuples():
        echo(f"  quarantined: {row.file} row {row.source_row}: {row.message}")
    echo("\nFindings, post-engagement survey 2026 by mode:")
    findings = result.analysis.findings
    for sentence in findings.loc[findings["kind"] == "difference", "sentence"]:
        echo(f"  - {sentence}")
    echo("\nFindings, community programme 2026, the same residents before and after:")
    changes = result.paired.findings
    for sentence in changes.loc[changes["kind"] == "change", "sentence"]:
        echo(f"  - {sentence}")
    echo("\nKPIs 2026 (vs 2025):")
    echo(render_scorecard(result.kpis.kpis))
    echo(f"\nOutputs written to {result.out_dir}\nReport: {result.report}")


def render_ingests(ingests: Any) -> str:
    """The validation summary as fixed-width text, one line per file."""
    width = max(len(str(f)) for f in ingests["file"])
    lines = [f"  {'file':<{width}}  {'platform':<9} {'in':>6} {'valid':>6} {'quarantined':>11}"]
    for row in ingests.itertuples():
        lines.append(
            f"  {row.file:<{width}}  {row.platform:<9} {row.rows_in:>6} {row.rows_valid:>6} "
            f"{row.rows_quarantined:>11}"
        )
    return "\n".join(lines)
