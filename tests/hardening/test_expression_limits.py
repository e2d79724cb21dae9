"""Skip logic and ``--where`` are bounded (issue 17, point 6): 300 nested parentheses were a
RecursionError, a 20,000-term rule took 31 s for 50 rows; now each is a one-line error
naming the variable that raises the limit."""

from __future__ import annotations

import re
import time

import pytest

from evalkit.cli.main import cli
from evalkit.instrument import check_instrument_file
from evalkit.instrument.relevant import RelevantSyntaxError, parse_relevant

DEEP = "(" * 300 + "mode = 'virtual'" + ")" * 300
NOTS = "not " * 300 + "mode = 'virtual'"
LONG = " or ".join(["mode = 'virtual'"] * 20_000)
SAMPLE = "sample_data/2026/post_engagement.kobo.csv"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (DEEP, "nests more than 50 levels deep.*EVALKIT_MAX_EXPRESSION_DEPTH=100"),
        (NOTS, "nests more than 50 levels deep"),
        (LONG, "more than 500 terms.*EVALKIT_MAX_EXPRESSION_TERMS=1000"),
    ],
    ids=["parentheses", "nots", "terms"],
)
def test_hostile_skip_logic_is_one_line_in_instrument_check(
    write_yaml, minimal_text, source, expected
):
    text = minimal_text.replace("relevant: mode = 'virtual'", f'relevant: "{source}"')
    start = time.perf_counter()
    problems = check_instrument_file(write_yaml(text))
    assert time.perf_counter() - start < 5
    (problem,) = problems
    line = str(problem)
    assert "\n" not in line and len(line) < 600
    assert re.search(expected, line), line


def test_limits_are_raised_by_their_variables(monkeypatch):
    source = "(" * 60 + "a = 1" + ")" * 60
    with pytest.raises(RelevantSyntaxError):
        parse_relevant(source)
    monkeypatch.setenv("EVALKIT_MAX_EXPRESSION_DEPTH", "100")
    assert parse_relevant(source).item == "a"
    monkeypatch.setenv("EVALKIT_MAX_EXPRESSION_TERMS", "3")
    with pytest.raises(RelevantSyntaxError, match="more than 3 terms"):
        parse_relevant("a = 1 or a = 2 or a = 3 or a = 4")
    assert parse_relevant("a = 1 or a = 2 or a = 3")


@pytest.mark.parametrize("where", [DEEP, LONG], ids=["parentheses", "terms"])
def test_hostile_where_is_one_line(runner, where):
    result = runner.invoke(
        cli, ["analyze", SAMPLE, "--instrument", "post_engagement", "--where", where]
    )
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: --where ") and result.output.count("\n") == 1
    assert len(result.output) < 400
