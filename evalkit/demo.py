"""The end-to-end demo: Riverton's sample data through ingest, validation, analysis, KPIs
and the annual report.

:func:`run_demo` is what ``evalkit demo`` and ``make demo`` run. In a fresh workspace it
ingests every file of ``sample_data/`` (listed in its ``manifest.csv``) with its period,
keeps the validation summary and the quarantined rows, compares the 2026 post-engagement
answers across modes (:func:`evalkit.analyze.analyze`) and the community programme's
residents before and after (:func:`evalkit.analyze.paired.analyze_paired`), computes the
KPIs for 2026 against 2025 with the city's population shares, writes every table to the
output folder and renders the annual report (:func:`evalkit.report.render_report`) into
``report/``.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.errors import DataError, Location, UsageError
from evalkit.instrument import load_instrument
from evalkit.io import write_csv_atomic, write_text_atomic
from evalkit.sample.city import DEFAULT_AS_OF, MANIFEST, POPULATION, build_city

if TYPE_CHECKING:
    import pandas as pd

    from evalkit.analyze import AnalysisResult
    from evalkit.kpi.compute import KpiResult

ANALYSED = ("post_engagement", "2026")
PAIRED = ("community_programme", "2026")  # pre and post waves of the same residents
PERIOD, COMPARE_PERIOD = "2026", "2025"
# the default --seed of evalkit analyze, kpi and report: the demo's files and report show
# the same intervals as those commands run on the same workspace
SEED = 0
WORKSPACE = "workspace.duckdb"
INGEST_COLUMNS = [
    "file",
    "instrument_id",
    "period",
    "platform",
    "rows_in",
    "rows_valid",
    "rows_quarantined",
    "quarantine_file",
]
# Where the repository keeps the committed sample data (absent from an installed wheel).
REPO_SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


@dataclass(frozen=True)
class DemoResult:
    """What the demo did and where it wrote it.

    Attributes
    ----------
    out_dir
        The output folder.
    data_dir
        The sample data read (the repository's ``sample_data/`` or a fresh copy in
        ``out_dir/sample_data``).
    workspace
        The DuckDB workspace the files were ingested into.
    ingests
        One row per file: ``file, instrument_id, period, platform, rows_in, rows_valid,
        rows_quarantined, quarantine_file`` (rows in = valid + quarantined).
    failures
        Every quarantined row's problem: ``file, source_row, response_id, item, value, code,
        message``.
    analysis
        The comparison of post-engagement 2026 answers across modes.
    paired
        The pre/post comparison of the 2026 community programme (residents matched by their
        hashed participant code).
    kpis
        The KPIs for 2026, compared with 2025.
    report
        The annual report's ``report.html`` (2026 against 2025).
    outputs
        Every file written.
    """

    out_dir: Path
    data_dir: Path
    workspace: Path
    ingests: pd.DataFrame
    failures: pd.DataFrame
    analysis: AnalysisResult
    paired: AnalysisResult
    kpis: KpiResult
    report: Path
    outputs: list[Path] = field(default_factory=list)


def find_sample_data(data_dir: str | Path | None, out_dir: Path) -> Path:
    """The sample data to use: ``data_dir``, else the repository's ``sample_data/``, else a
    fresh copy written to ``out_dir/sample_data`` (the same bytes, see
    :func:`~evalkit.sample.city.build_city`)."""
    if data_dir is not None:
        folder = Path(data_dir)
        if not (folder / MANIFEST).is_file():
            raise DataError(
                "no manifest.csv in the sample-data folder",
                Location(file=str(folder)),
                "give the folder 'evalkit sample city' wrote",
            )
        return folder
    if (REPO_SAMPLE_DATA / MANIFEST).is_file():
        return REPO_SAMPLE_DATA
    folder = out_dir / "sample_data"
    build_city(folder, as_of=DEFAULT_AS_OF)
    return folder


def read_manifest(data_dir: Path) -> list[dict[str, str]]:
    """The rows of ``manifest.csv``: ``file, instrument_id, period, platform, rows``."""
    with (data_dir / MANIFEST).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run_demo(
    out_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Run the whole job on the sample data and write the outputs to ``out_dir``.

    Parameters
    ----------
    out_dir
        The output folder (created; its ``workspace.duckdb`` is replaced so that the
        workspace is fresh). Default: a new temporary folder.
    data_dir
        The sample data (a folder with ``manifest.csv``); default the repository's
        ``sample_data/``, or a fresh copy generated into ``out_dir/sample_data``.
    progress
        Called before each step (each file ingested, each outcome analysed, KPIs, each
        report output); nothing is printed.

    Returns
    -------
    DemoResult
        The tables, and the paths written: ``validation_summary.csv``,
        ``validation_failures.csv``, ``quarantine/*.csv``, ``analysis/*.csv`` and
        ``analysis.json``, ``community_pre_post/*.csv``, ``kpis/kpis.csv`` and
        ``kpis/kpi_breakdown.csv``, and the report in ``report/`` (``report.html``,
        ``report.md``, ``tables.xlsx``, ``results.json``, ``report.docx``, ``charts/``).
    """
    import pandas as pd

    from evalkit.analyze import AnalysisOptions, analyze
    from evalkit.analyze.paired import analyze_paired
    from evalkit.kpi.compute import kpis_from_workspace
    from evalkit.kpi.population import load_population
    from evalkit.report import render_report
    from evalkit.report.build import build_report_data
    from evalkit.store import ingest_file, load_responses

    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="evalkit-demo-"))
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder", hint="give a folder for the outputs")
    out.mkdir(parents=True, exist_ok=True)
    data = find_sample_data(data_dir, out)
    workspace = out / WORKSPACE
    workspace.unlink(missing_ok=True)
    outputs: list[Path] = []
    rows, failures = [], []
    for entry in read_manifest(data):
        summary = ingest_file(
            data / entry["file"],
            load_instrument(entry["instrument_id"]),
            workspace=workspace,
            period=entry["period"],
            progress=progress,
        )
        quarantine = ""
        report = summary.report
        if report is not None and summary.rows_quarantined:
            name = entry["file"].replace("/", "_").rsplit(".", 1)[0] + ".csv"
            outputs.append(report.write_quarantine(out / "quarantine" / name))
            quarantine = f"quarantine/{name}"
            failures.append(report.failures.assign(file=entry["file"]))
        rows.append(
            {
                "file": entry["file"],
                "instrument_id": entry["instrument_id"],
                "period": entry["period"],
                "platform": summary.platform,
                "rows_in": summary.rows_in,
                "rows_valid": summary.rows_in - summary.rows_quarantined,
                "rows_quarantined": summary.rows_quarantined,
                "quarantine_file": quarantine,
            }
        )
    ingests = pd.DataFrame(rows, columns=INGEST_COLUMNS)
    failure_columns = ["file", "source_row", "response_id", "item", "value", "code", "message"]
    failed = (
        pd.concat(failures, ignore_index=True)[failure_columns]
        if failures
        else pd.DataFrame(columns=failure_columns)
    )
    outputs.append(write_csv_atomic(ingests, out / "validation_summary.csv"))
    outputs.append(write_csv_atomic(failed, out / "validation_failures.csv"))

    instrument_id, period = ANALYSED
    frame = load_responses(workspace, instrument_id, period)
    analysis = analyze(
        frame, load_instrument(instrument_id), AnalysisOptions(seed=SEED), progress=progress
    )
    outputs += analysis.write_csv(out / "analysis")
    outputs.append(write_text_atomic(out / "analysis.json", analysis.to_json()))

    instrument_id, period = PAIRED
    community = load_responses(workspace, instrument_id, period)
    wave = community["wave"].astype("string")
    if progress:
        progress("comparing the community programme's pre and post waves")
    paired = analyze_paired(
        community[(wave == "pre").fillna(False)],
        community[(wave == "post").fillna(False)],
        load_instrument(instrument_id),
        AnalysisOptions(seed=SEED),
        key="participant_code__key",  # ingest keeps personal codes only as a keyed hash
    )
    outputs += paired.write_csv(out / "community_pre_post")

    population = load_population(data / POPULATION)
    if progress:
        progress(f"computing KPIs for {PERIOD}")
    kpis = kpis_from_workspace(
        str(workspace), PERIOD, COMPARE_PERIOD, population=population, seed=SEED
    )
    outputs += kpis.write_csv(str(out / "kpis"))

    report_data = build_report_data(
        str(workspace), PERIOD, COMPARE_PERIOD, population=population, seed=SEED, progress=progress
    )
    written = render_report(report_data, out / "report", progress)
    outputs += [written[name] for name in sorted(written)]
    report_html = written["report.html"]
    return DemoResult(
        out, data, workspace, ingests, failed, analysis, paired, kpis, report_html, outputs
    )
