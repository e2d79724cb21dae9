"""The bad-input corpus: each file's expected error code, or which rows are quarantined, and
that no row is ever lost (rows in = valid + quarantined = rows in the file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalkit.cli.main import cli
from evalkit.errors import EvalkitError
from evalkit.instrument import load_instrument
from evalkit.validate import validate_file

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text("utf-8"))


def test_the_corpus_is_complete():
    files = {
        p.name
        for p in CORPUS.iterdir()
        if p.suffix not in (".py", ".yaml") and not p.name.startswith(".")
    }
    assert files == set(EXPECTED)
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_outcome_and_no_row_lost(name, tmp_path):
    expected = EXPECTED[name]
    inst = load_instrument(expected.get("instrument", "post_engagement"))
    path = CORPUS / name
    if "error" in expected:
        with pytest.raises(EvalkitError) as info:
            validate_file(path, inst)
        assert info.value.code == expected["error"]
        assert "\n" not in info.value.one_line() and info.value.exit_code == 2
        return
    report = validate_file(path, inst)
    assert report.rows_in == expected["rows"]
    assert report.rows_in == report.rows_valid + report.rows_quarantined
    assert sorted(report.quarantine["_source_row"].tolist()) == expected["quarantined"]
    assert sorted(set(report.failures["code"])) == sorted(expected["codes"])
    assert report.valid == (not expected["codes"])
    out = report.write_quarantine(tmp_path / "q.csv")
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(back) + report.rows_valid == expected["rows"]
    assert len(report.valid_frame) == report.rows_valid


def test_formula_strings_are_neutralised_in_the_quarantine(tmp_path):
    report = validate_file(CORPUS / "formula_strings.csv", load_instrument("post_engagement"))
    back = pd.read_csv(report.write_quarantine(tmp_path / "q.csv"), dtype=str)
    assert back["travel_from"].tolist() == ["'+cmd|' /C calc'!A0"]
    assert back["most_valuable"].tolist() == ["'-2+3"]


def test_html_in_free_text_is_kept_as_text_not_interpreted():
    report = validate_file(CORPUS / "html_in_text.csv", load_instrument("post_engagement"))
    assert report.valid_frame["travel_from"].tolist() == ["<script>alert('x')</script>"]


def test_huge_field_is_read_whole():
    report = validate_file(CORPUS / "huge_field.csv", load_instrument("post_engagement"))
    assert report.rows_valid == 2  # most_valuable is personal data: dropped from the frame
    assert "most_valuable" not in report.valid_frame


@pytest.mark.parametrize("name", ["empty.csv", "binary.csv", "mixed_encodings.csv"])
def test_cli_gives_one_line_and_exit_2(name, runner):
    result = runner.invoke(cli, ["validate", str(CORPUS / name), "--instrument", "post_engagement"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
