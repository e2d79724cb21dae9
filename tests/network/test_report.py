"""The sample network and the network report (evalkit sample network, evalkit pool -o)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.network.bundle import write_bundle
from evalkit.network.pool import pool
from evalkit.network.share import aggregate_frame
from evalkit.sample.generate import generate_responses


@pytest.fixture(scope="module")
def sample_network(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("sn")
    result = CliRunner().invoke(
        cli, ["sample", "network", "--cities", "4", "--n", "300", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    inst = load_instrument("post_engagement")
    frame = generate_responses(inst, 300, seed=77)
    share = aggregate_frame(frame, inst, "<b>Evil</b> =SUM(A1)", "2026")
    write_bundle(out / "bundles" / "evil.zip", share.meta, share.tables)
    return out


def test_sample_network_writes_exports_bundles_and_planted_values(sample_network):
    assert len(list((sample_network / "exports").glob("*.csv"))) == 4
    assert len(list((sample_network / "bundles").glob("*.zip"))) == 5
    planted = pd.read_csv(sample_network / "planted.csv")
    assert len(planted) == 4 and planted["value_index_shift_sd_virtual"].std() > 0


def test_network_report_is_self_contained_escaped_and_complete(runner, sample_network, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(cli, ["pool", str(sample_network / "bundles"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "network_report.html").read_text("utf-8")
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert html.count("<svg") >= 3  # forest plots and funnel plots inline
    assert "Network KPIs" in html and "What each city withheld" in html
    assert "varies" in html or "much the same" in html
    md = (out / "network_report.md").read_text("utf-8")
    assert "## What each city withheld" in md and "association" in md
    sheet = load_workbook(out / "network_tables.xlsx")["bundles"]
    cities = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "'<b>Evil</b> =SUM(A1)" not in cities  # does not start with '=': unchanged
    assert "<b>Evil</b> =SUM(A1)" in cities
    saved = json.loads((out / "results.json").read_text())
    library = pool([sample_network / "bundles"]).to_dict()
    saved["metadata"] = library["metadata"] = None
    assert saved == json.loads(json.dumps(library))
    assert list(out.glob("charts/*.png"))


def test_formula_city_names_are_neutralised_in_xlsx(tmp_path):
    from evalkit.network.report import write_network_outputs

    inst = load_instrument("post_engagement")
    for i, name in enumerate(("=HYPERLINK(1)", "Plain")):
        frame = generate_responses(inst, 250, seed=300 + i)
        share = aggregate_frame(frame, inst, name, "2026")
        write_bundle(tmp_path / f"b{i}.zip", share.meta, share.tables)
    write_network_outputs(pool([tmp_path]), tmp_path / "out")
    sheet = load_workbook(tmp_path / "out" / "network_tables.xlsx")["bundles"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["'=HYPERLINK(1)", "Plain"]
