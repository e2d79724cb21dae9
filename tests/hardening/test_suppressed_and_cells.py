"""Two output leaks of issue 17, point 6: ``kpi -o`` wrote the n of suppressed groups, and
XLSForm labels beginning with + - = @ carried a visible ``'``."""

from __future__ import annotations

import pandas as pd

from evalkit.kpi import load_catalogue
from evalkit.kpi.compute import compute_kpis
from tests.kpi.test_compute import post_engagement_frame


def test_kpi_outputs_leave_out_the_n_of_suppressed_groups(tmp_path):
    frame = post_engagement_frame(
        {"in_person": 40, "virtual": 30, "hybrid_onsite": 12, "hybrid_remote": 5}
    )
    result = compute_kpis(load_catalogue(), {"post_engagement": frame}, "2026", min_cell=10)
    assert result.breakdown["suppressed"].any()  # the library table keeps n for the report
    result.write_csv(str(tmp_path))
    written = pd.read_csv(tmp_path / "kpi_breakdown.csv", dtype=str, keep_default_na=False)
    hidden = written[written["suppressed"] == "True"]
    assert set(hidden["group"]) >= {"hybrid_remote", "hybrid_onsite"}
    assert (hidden["n"] == "").all() and (hidden["value"] == "").all()
    shown = written[written["suppressed"] == "False"]
    assert (shown["n"] != "").all()
    records = result.to_dict()["kpi_breakdown"]
    assert all(r["n"] is None for r in records if r["suppressed"])


def test_small_kpis_leave_out_their_n(tmp_path):
    frame = post_engagement_frame({"in_person": 4, "virtual": 3})
    result = compute_kpis(load_catalogue(), {"post_engagement": frame}, "2026", min_cell=10)
    assert (result.kpis["status"] == "suppressed").any()
    result.write_csv(str(tmp_path))
    written = pd.read_csv(tmp_path / "kpis.csv", dtype=str, keep_default_na=False)
    assert (written.loc[written["status"] == "suppressed", "n"] == "").all()


def test_xlsform_labels_are_text_cells_without_a_visible_quote(write_yaml, minimal_text, tmp_path):
    from openpyxl import load_workbook

    from evalkit.export import export_instrument
    from evalkit.export.xlsform_import import import_xlsform
    from evalkit.instrument import load_instrument_file

    text = (
        minimal_text.replace("How did you take part?", "=HYPERLINK('http://evil')")
        .replace("label: {en: In person, es: En persona}", "label: {en: '+1 in person', es: '-1'}")
        .replace("label: {en: Agree, es: De acuerdo}", "label: {en: '@SUM(A1)', es: '@x'}")
    )
    instrument = load_instrument_file(write_yaml(text))
    path = tmp_path / "form.xlsx"
    export_instrument(instrument, "xlsform", path)
    workbook = load_workbook(path)
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@'"]
    assert {c.value for c in risky} >= {"=HYPERLINK('http://evil')", "+1 in person", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in risky)  # text cells: never run as formulas
    assert not [c.value for c in risky if c.value.startswith("'")]
    back = import_xlsform(path).instrument
    assert back.item("mode").text.get("en") == "=HYPERLINK('http://evil')"
