"""User text reaches the terminal without control characters (issue 17, point 6): an
answer, an instrument text or a file name holding OSC 52 (clipboard write) or OSC 8
(hidden link) sequences is printed with the escapes removed."""

from __future__ import annotations

import re

from evalkit.cli.main import cli

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
OSC8 = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(output: str) -> None:
    assert not CONTROL.search(output), repr(output[:300])


def test_instrument_texts_are_printed_without_escapes(write_yaml, minimal_text, runner):
    text = minimal_text.replace("How did you take part?", "How\\e]52;c;ZWNobw==\\a did you?")
    path = write_yaml(text)
    result = runner.invoke(cli, ["instrument", "show", str(path)])
    assert result.exit_code == 0, result.output
    assert "How]52;c;ZWNobw== did you?" in result.output
    _clean(result.output)


def test_answers_in_validate_output_are_printed_without_escapes(tmp_path, runner):
    path = tmp_path / "responses.csv"
    path.write_text(
        "engagement_id,mode,worth_time,response_id\n"
        f"RIV-1,in_person{OSC52},9{OSC8},r1\n"
        "RIV-1,virtual,4,r2\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["validate", str(path), "--instrument", "post_engagement", "--show", "50"]
    )
    assert result.exit_code in (0, 1), result.output
    assert "in_person]52;c;ZWNobyBwd25lZA==" in result.output
    _clean(result.output)


def test_file_names_in_errors_are_printed_without_escapes(tmp_path, runner):
    name = str(tmp_path / f"missing{OSC52}.csv")
    for args in (
        ["validate", name, "--instrument", "post_engagement"],  # click's own Path check
        ["instrument", "check", name],  # evalkit's error line
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code != 0
        assert "missing]52;c;" in result.output
        _clean(result.output)
