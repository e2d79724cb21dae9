"""``evalkit demo``: the whole job on the sample data, fast, ending with the report path."""

from __future__ import annotations

import json
import time
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from click.testing import CliRunner

from evalkit.cli.main import cli
from evalkit.demo import INGEST_COLUMNS, run_demo
from evalkit.sample.city import BAD_ROWS

CAPTURED: list = []  # the DemoResult the CLI rendered


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One run of the CLI; the library result it rendered is kept in CAPTURED."""
    out = tmp_path_factory.mktemp("demo")

    def keep(*args, **kwargs):
        CAPTURED.append(run_demo(*args, **kwargs))
        return CAPTURED[-1]

    start = time.perf_counter()
    with mock.patch("evalkit.demo.run_demo", keep):
        result = CliRunner().invoke(cli, ["demo", "-o", str(out)])
    return out, result, time.perf_counter() - start


def test_demo_ends_with_the_report_path_well_within_two_minutes(demo_run):
    out, result, seconds = demo_run
    assert result.exit_code == 0, result.output
    last = result.output.rstrip().splitlines()[-2:]
    assert last == [f"Outputs written to {out}", f"Report: {out / 'report' / 'report.html'}"]
    assert seconds < 90, seconds


def test_the_annual_report_is_written_and_shows_the_planted_differences(demo_run):
    out, _, _ = demo_run
    for name in ("report.html", "report.md", "tables.xlsx", "results.json", "report.docx"):
        assert (out / "report" / name).stat().st_size > 0, name
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "@example.org" not in html  # participant codes never reach the report
    markdown = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "scored higher on “Perceived value” than Virtual participants" in markdown
    assert "Hybrid – remote participants: mean" in markdown


def test_every_sample_file_is_ingested_and_rows_add_up(demo_run):
    out, _, _ = demo_run
    summary = pd.read_csv(out / "validation_summary.csv", keep_default_na=False)
    assert list(summary.columns) == INGEST_COLUMNS
    assert len(summary) == 14
    assert (summary["rows_in"] == summary["rows_valid"] + summary["rows_quarantined"]).all()
    assert set(summary["platform"]) == {"evalkit", "kobo", "odk", "qualtrics", "google", "msforms"}
    quarantined = summary.loc[summary["rows_quarantined"] > 0, ["file", "rows_quarantined"]]
    assert dict(quarantined.itertuples(index=False)) == {
        "2026/partner_relationship.csv": 1,
        "2026/post_engagement.kobo.csv": 2,
    }
    planted = sum(1 for b in BAD_ROWS if "quarantined" in b.why)
    failures = pd.read_csv(out / "validation_failures.csv")
    assert len(failures) == planted == 3
    assert sorted(failures["code"]) == ["duplicate-response", "out-of-range", "unknown-choice"]
    assert (out / "quarantine" / "2026_post_engagement.kobo.csv").is_file()


def test_the_planted_differences_show_and_nothing_else(demo_run):
    """Every finding of the 2026 analysis is a planted difference, with the planted sign."""
    out, _, _ = demo_run
    findings = pd.read_csv(out / "analysis" / "findings.csv")
    found = findings[findings["kind"] == "difference"]
    value = {"worth_time", "achieved_goals", "learned_useful", "value_index", "next_step"}
    presence = {"co_presence", "attention", "voice", "presence"}
    for row in found.itertuples():
        pair = {row.group_a, row.group_b}
        if row.outcome in value:
            assert "virtual" in pair, row.sentence
        elif row.outcome == "new_contacts":
            assert "in_person" in pair, row.sentence
        else:
            assert row.outcome in presence and "hybrid_remote" in pair, row.sentence
    assert {"value_index", "new_contacts", "next_step", "presence"} <= set(found["outcome"])
    pairwise = pd.read_csv(out / "analysis" / "pairwise.csv")
    contacts = pairwise[
        (pairwise["outcome"] == "new_contacts")
        & (pairwise["group_a"] == "in_person")
        & (pairwise["group_b"] == "virtual")
    ].iloc[0]
    assert contacts["effect_ci_low"] > 0  # in person made more contacts (rate ratio 1.5)


def test_the_community_programme_improvement_is_found_pre_to_post(demo_run):
    """Planted: global readiness +0.4 SD latent, i.e. +0.368 on each 1-5 item (the truth from
    level_probabilities(5, 0.8 * 0.4) - level_probabilities(5), as in test_recovery)."""
    import numpy as np

    from evalkit.sample import level_probabilities

    levels = np.arange(1, 6)
    truth = float((level_probabilities(5, 0.32) - level_probabilities(5)) @ levels)
    out, result, _ = demo_run
    table = pd.read_csv(out / "community_pre_post" / "comparisons.csv")
    row = table[(table["outcome"] == "global_readiness") & (table["test"] == "paired t-test")]
    assert row["effect_ci_low"].iloc[0] > 0
    assert row["effect_ci_low"].iloc[0] <= truth <= row["effect_ci_high"].iloc[0]
    assert "answers to “Global readiness” rose by" in result.output


def test_kpis_and_metadata_are_written(demo_run):
    out, _, _ = demo_run
    kpis = pd.read_csv(out / "kpis" / "kpis.csv")
    assert {"K4", "K5", "K6", "K9"} <= set(kpis["code"])
    assert (kpis["compare_period"].dropna().astype(int) == 2025).all()
    reach = kpis.set_index("code").loc["K9"]
    assert reach["status"] != "not computed"  # the population shares were read
    meta = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["metadata"]
    assert meta["instrument_id"] == "post_engagement"


def test_library_result_is_what_the_cli_wrote(demo_run):
    out, _, _ = demo_run
    result = CAPTURED[0]
    summary = pd.read_csv(out / "validation_summary.csv", keep_default_na=False, dtype=str)
    pd.testing.assert_frame_equal(result.ingests.astype(str), summary)
    assert result.report == out / "report" / "report.html"
    assert all(p.is_relative_to(out) and p.is_file() for p in result.outputs)


def test_a_file_as_output_folder_is_one_line_exit_2(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["demo", "-o", str(target)])
    assert result.exit_code == 2
    assert result.output.startswith("error: ")
    assert len(result.output.splitlines()) == 1


def test_without_the_repository_sample_data_a_fresh_copy_is_generated(tmp_path, monkeypatch):
    """An installed wheel has no sample_data/: the demo writes the same files first."""
    from evalkit import demo

    monkeypatch.setattr(demo, "REPO_SAMPLE_DATA", tmp_path / "absent")
    folder = demo.find_sample_data(None, tmp_path / "out")
    assert folder == tmp_path / "out" / "sample_data"
    committed = Path(__file__).resolve().parents[1] / "sample_data"
    for name in (
        "manifest.csv",
        "2026/post_engagement.kobo.csv",
        "2025/delegation_host.msforms.xlsx",
    ):
        assert (folder / name).read_bytes() == (committed / name).read_bytes(), name


def test_a_data_folder_without_manifest_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--data", str(tmp_path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output == (
        f"error: {tmp_path}: no manifest.csv in the sample-data folder; "
        "give the folder 'evalkit sample city' wrote\n"
    )


def test_the_demo_report_says_the_same_in_every_format(demo_run):
    # the workspace report: outcome flags arrive as "yes"/"no" words (bool("no") is true)
    from tests.report.test_cross_format import assert_formats_agree

    out, _, _ = demo_run
    assert_formats_agree(out / "report")


def test_the_demo_uses_the_seed_of_evalkit_report(demo_run):
    from evalkit.cli.report import report

    out, _, _ = demo_run
    default = next(p.default for p in report.params if p.name == "seed")
    metadata = json.loads((out / "report" / "results.json").read_text("utf-8"))["metadata"]
    assert isinstance(metadata["kpis"], dict)  # a JSON object, not a Python repr string
    assert metadata["seed"] == metadata["kpis"]["seed"] == metadata["analysis"]["seed"] == default
