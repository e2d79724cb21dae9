"""A report of one file analyses the same rows as 'evalkit analyze FILE'."""

from __future__ import annotations

from evalkit.analyze import AnalysisOptions, analyze
from evalkit.analyze.frame_io import frame_from_export
from evalkit.instrument import load_instrument
from evalkit.report.build import build_file_report_data

INST = load_instrument("post_engagement")


def _export(tmp_path):
    rows = ["response_id,engagement_id,mode,worth_time,recommend"]
    for i in range(60):
        mode = ("virtual", "in_person")[i % 2]
        answer = "na" if i % 5 == 0 else str(1 + i % 5)
        rows.append(f"r{i},E1,{mode},{answer},{i % 11}")
    rows.append("r0,E1,virtual,4,9")  # a copy of r0: quarantined, not analysed
    path = tmp_path / "export.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_file_report_counts_not_applicable_answers_like_analyze(tmp_path):
    path = _export(tmp_path)
    data = build_file_report_data(path, INST)
    likert = data.tables["likert"]
    na = likert[(likert["item"] == "worth_time") & (likert["level"] == "na")]
    assert na["count"].sum() == 12  # every fifth of the 60 valid rows
    frame, counts = frame_from_export(path, INST)
    levels = analyze(frame, INST, AnalysisOptions()).levels
    expected = levels[(levels["outcome"] == "worth_time") & (levels["level"] == "na")]
    assert sorted(na["count"].tolist()) == sorted(expected["count"].tolist())
    assert data.metadata["validation"] == {"rows_in": 61, "rows_valid": 60, "rows_quarantined": 1}
    assert data.metadata["analysis"]["input_sha256"] == counts["input_sha256"]
