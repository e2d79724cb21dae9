"""Validation: each rule of the schema, the fixed failure table, quarantine, privacy, CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evalkit.cli.main import cli
from evalkit.instrument import load_instrument
from evalkit.sample.platforms import write_export
from evalkit.validate import (
    CATALOGUE,
    FAILURE_COLUMNS,
    instrument_to_schema,
    keyed_hash,
    validate_file,
)
from tests.ingest.frames import make_frame

HEAD = "response_id,engagement_id,mode,worth_time,tech_worked,new_contacts,next_step,"
HEAD += "next_step_types,recommend,participant_code,most_valuable\n"


@pytest.fixture
def inst():
    return load_instrument("post_engagement")


def _csv(tmp_path, rows, name="r.csv"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _codes(report):
    return [tuple(r) for r in report.failures[["source_row", "item", "code"]].to_numpy().tolist()]


def test_valid_file_has_an_empty_failure_table_with_fixed_columns(inst, tmp_path):
    path = _csv(tmp_path, ["r1,E1,virtual,5,4,3,no,,9,,", "r2,E1,in_person,na,,0,yes,meeting,10,,"])
    report = validate_file(path, inst)
    assert report.valid and report.rows_valid == 2 and report.rows_quarantined == 0
    assert list(report.failures.columns) == FAILURE_COLUMNS
    assert report.failures.empty
    assert report.valid_status["worth_time"].tolist() == ["answered", "choice:na"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("r1,E1,virtual,6,,,,,,,", [(2, "worth_time", "out-of-range")]),
        ("r1,E1,virtual,5,,501,,,,,", [(2, "new_contacts", "out-of-range")]),
        ("r1,E1,virtual,5,,-1,,,,,", [(2, "new_contacts", "out-of-range")]),
        ("r1,E1,virtual,5,,2.5,,,,,", [(2, "new_contacts", "wrong-type")]),
        ("r1,E1,virtual,5,,,,,11,,", [(2, "recommend", "out-of-range")]),
        ("r1,E1,by pigeon,5,,,,,,,", [(2, "mode", "unknown-choice")]),
        ("r1,E1,virtual,Mostly yes,,,,,,,", [(2, "worth_time", "unknown-choice")]),
        ("r1,E1,virtual,,,,,,,,", [(2, "worth_time", "missing-required")]),
        ("r1,,virtual,5,,,,,,,", [(2, "engagement_id", "missing-required")]),
        ("r1,E1,in_person,5,3,,,,,,", [(2, "tech_worked", "skip-logic")]),
        ("r1,E1,virtual,5,,,no,visit,,,", [(2, "next_step_types", "skip-logic")]),
        ("r1,E1,virtual,5,,,yes,visit teleport,,,", [(2, "next_step_types", "unknown-choice")]),
        (",E1,virtual,5,,,,,,,", [(2, "response_id", "missing-id")]),
    ],
)
def test_each_rule_gives_its_code(inst, tmp_path, row, expected):
    report = validate_file(_csv(tmp_path, [row, "ok,E1,virtual,5,,,,,,,"]), inst)
    assert _codes(report) == expected
    assert report.rows_in == 2 and report.rows_valid == 1 and report.rows_quarantined == 1
    assert not report.valid
    assert all(code in CATALOGUE for code in report.failures["code"])


def test_duplicate_ids_keep_the_first_and_report_the_rest(inst, tmp_path):
    rows = ["r1,E1,virtual,5,,,,,,,", "r1,E1,virtual,4,,,,,,,", "r2,E1,virtual,4,,,,,,,"]
    report = validate_file(_csv(tmp_path, rows), inst)
    assert _codes(report) == [(3, "response_id", "duplicate-response")]
    assert report.valid_frame["response_id"].tolist() == ["r1", "r2"]


def test_unknown_columns_are_reported_not_used(inst, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "response_id,engagement_id,mode,worth_time,Favourite colour\nr1,E,virtual,5,red\n"
    )
    report = validate_file(path, inst)
    assert _codes(report) == [(pd.NA, "", "unknown-column")]
    assert report.rows_valid == 1 and not report.valid
    assert "Favourite colour" in report.failures["message"].iloc[0]


def test_every_failure_is_reported_at_once(inst, tmp_path):
    report = validate_file(_csv(tmp_path, ["r1,,by pigeon,9,,abc,maybe,,12,,"]), inst)
    assert {c for _, _, c in _codes(report)} == {
        "missing-required",
        "unknown-choice",
        "out-of-range",
        "wrong-type",
    }
    assert len(report.failures) == 6


def test_quarantine_file_has_original_rows_and_reasons(inst, tmp_path):
    rows = ["r1,E1,virtual,5,,,,,,,", "r2,E1,virtual,9,,,,,,=HYPERLINK(1),"]
    report = validate_file(_csv(tmp_path, rows), inst)
    out = report.write_quarantine(tmp_path / "q.csv")
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["_source_row"].tolist() == ["3"]
    assert table["_reasons"].iloc[0].startswith("out-of-range: worth_time: '9'")
    assert table["worth_time"].tolist() == ["9"]
    assert table["participant_code"].tolist() == ["'=HYPERLINK(1)"]  # neutralised
    assert report.rows_in == report.rows_valid + len(table)


def test_personal_data_never_reaches_the_valid_frame(inst, tmp_path):
    rows = ["r1,E1,virtual,5,,,,,,Ana@Example.org,Loved it", "r2,E1,virtual,9,,,,,,x@y.z,secret"]
    report = validate_file(_csv(tmp_path, rows), inst, key="k1")
    frame = report.valid_frame
    assert "participant_code" not in frame and "most_valuable" not in frame
    assert frame["participant_code__key"].tolist() == [keyed_hash("ana@example.org", "k1")]
    assert "x@y.z" not in report.to_json() and "secret" not in report.to_json()
    no_key = validate_file(_csv(tmp_path, rows), inst)
    assert "participant_code__key" not in no_key.valid_frame


def test_keyed_hash_is_hmac_sha256():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    assert keyed_hash("what do ya want for nothing?", "Jefe") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_schema_is_a_pandera_schema_with_every_item(inst):
    schema = instrument_to_schema(inst)
    assert "next_step_types__visit" in schema.columns
    names = {c.name for c in schema.checks}
    assert "missing-required|mode|" in names
    assert any(n.startswith("skip-logic|tech_worked|") for n in names)


def test_generated_valid_responses_of_every_instrument_are_valid(tmp_path):
    from evalkit.instrument.library import LIBRARY_IDS

    for instrument_id in LIBRARY_IDS:
        inst = load_instrument(instrument_id)
        frame, status = make_frame(inst, n=50, seed=5)
        write_export(frame, inst, "odk", tmp_path / f"{instrument_id}.csv", status=status)
        report = validate_file(tmp_path / f"{instrument_id}.csv", inst)
        assert report.valid, (instrument_id, report.failures.head())


def test_to_json_round_trips(inst, tmp_path):
    report = validate_file(_csv(tmp_path, ["r1,E1,virtual,9,,,,,,,"]), inst)
    data = json.loads(report.to_json())
    assert data["rows"] == {"in": 1, "valid": 0, "quarantined": 1}
    assert data["counts"] == {"out-of-range": 1}
    assert data["failures"][0] == {
        "source_row": 2,
        "response_id": "r1",
        "item": "worth_time",
        "value": "9",
        "code": "out-of-range",
        "message": "worth_time: '9' is outside its choices 1, 2, 3, 4, 5",
    }


def test_cli_exit_codes_and_json_equals_library(inst, tmp_path, runner):
    good = _csv(tmp_path, ["r1,E1,virtual,5,,,,,,,"], "good.csv")
    bad = _csv(tmp_path, ["r1,E1,virtual,9,,,,,,,"], "bad.csv")
    result = runner.invoke(cli, ["validate", str(good), "--instrument", "post_engagement"])
    assert result.exit_code == 0, result.output
    assert "rows: 1 read = 1 valid + 0 quarantined" in result.output
    result = runner.invoke(cli, ["validate", str(bad), "--instrument", "post_engagement"])
    assert result.exit_code == 1
    assert "row 2: out-of-range: worth_time: '9' is outside its choices" in result.output
    result = runner.invoke(cli, ["validate", str(bad), "--instrument", "post_engagement", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == validate_file(bad, inst).to_dict()
    quarantine = tmp_path / "q.csv"
    result = runner.invoke(
        cli,
        ["validate", str(bad), "--instrument", "post_engagement", "--quarantine", str(quarantine)],
    )
    assert quarantine.exists()
    result = runner.invoke(
        cli, ["validate", str(tmp_path / "none.csv"), "--instrument", "post_engagement"]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "no such file" in result.output


def test_cli_map_and_platform_options(tmp_path, runner):
    path = tmp_path / "custom.csv"
    path.write_text("response_id,Event,How?,Worth it (1-5),Staff note\nr1,E1,Virtual,5,x\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        'columns:\n  Event: engagement_id\n  "How?": mode\n  "Worth it (1-5)": worth_time\n'
        '  "Staff note": ignore\n'
    )
    args = ["validate", str(path), "--instrument", "post_engagement"]
    result = runner.invoke(cli, [*args, "--map", str(mapping), "--platform", "generic"])
    assert result.exit_code == 0, result.output
    assert "generic export (given)" in result.output
    result = runner.invoke(cli, args)
    assert result.exit_code == 2  # without the map no column matches an item
    assert "no column of this file matches an item of post_engagement" in result.output


def test_not_shown_is_told_apart_from_not_answered(inst, tmp_path):
    rows = ["r1,E1,in_person,5,,,,,,,", "r2,E1,virtual,5,,,,,,,", "r3,E1,virtual,5,3,,yes,,,,"]
    status = validate_file(_csv(tmp_path, rows), inst).valid_status
    assert status["tech_worked"].tolist() == ["not_shown", "blank", "answered"]
    assert status["next_step_types"].tolist() == ["not_shown", "not_shown", "blank"]
    assert status["achieved_goals"].tolist() == ["blank", "blank", "blank"]
