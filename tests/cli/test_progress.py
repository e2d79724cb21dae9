"""Progress on a terminal: one updating stderr line on a TTY, nothing otherwise.

The helper is tested with a fake terminal stream; the commands through click's runner (not
a terminal), which must print nothing extra; the library functions through their
``progress`` callbacks, which receive one message per step.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evalkit.cli._progress import Progress
from evalkit.cli.main import cli
from evalkit.instrument import load_instrument

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "2026"
REGISTER = SAMPLE / "activity_register.csv"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_one_line_is_rewritten_and_cleared(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    stream = FakeTerminal()
    with Progress(stream) as progress:
        assert progress.enabled
        progress("reading responses.csv")
        progress("storing")
    written = stream.getvalue()
    assert written == (
        "\rreading responses.csv"
        "\rstoring" + " " * (len("reading responses.csv") - len("storing"))
        + "\r" + " " * len("storing") + "\r"
    )  # fmt: skip
    assert "\n" not in written


def test_long_messages_are_cut_to_the_terminal_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "20")
    stream = FakeTerminal()
    progress = Progress(stream)
    progress("analysing a very long outcome name (3/14)")
    assert stream.getvalue() == "\r" + "analysing a very long outcome name"[:19]


def test_not_a_terminal_writes_nothing():
    stream = io.StringIO()
    with Progress(stream) as progress:
        progress("reading")
        progress("analysing")
    assert stream.getvalue() == "" and not progress.enabled


def test_default_stream_is_stderr_and_follows_its_isatty(monkeypatch, capsys):
    monkeypatch.setattr("sys.stderr", FakeTerminal())
    assert Progress().enabled
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not Progress().enabled


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", str(REGISTER), "--instrument", "activity_register", "--n-boot", "99"],
        ["validate", str(REGISTER), "--instrument", "activity_register"],
    ],
)
def test_commands_print_nothing_extra_when_not_a_terminal(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "\r" not in result.stdout


def test_ingest_and_report_print_nothing_extra(runner, tmp_path):
    workspace = tmp_path / "ws.duckdb"
    args = ["--instrument", "activity_register", "--workspace", str(workspace)]
    result = runner.invoke(cli, ["ingest", str(REGISTER), *args, "--period", "2026"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and "\r" not in result.stdout
    out = tmp_path / "report"
    args = ["report", str(REGISTER), "--instrument", "activity_register", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr
    assert all(line.startswith("wrote ") for line in result.stderr.splitlines())


def test_library_steps_reach_the_callback(tmp_path):
    from evalkit.report import render_report
    from evalkit.report.build import build_file_report_data
    from evalkit.store import ingest_file

    inst = load_instrument("activity_register")
    messages: list[str] = []
    ingest_file(REGISTER, inst, workspace=tmp_path / "w.duckdb", progress=messages.append)
    assert messages == [
        "reading activity_register.csv",
        "validating 48 rows of activity_register.csv",
        "storing 48 valid rows in w.duckdb",
    ]
    messages.clear()
    data = build_file_report_data(REGISTER, inst, progress=messages.append)
    assert messages == [
        "reading activity_register.csv",
        "validating 48 rows of activity_register.csv",
        "analysing cost_per_attendee (1/1)",
    ]
    messages.clear()
    written = render_report(data, tmp_path / "report", messages.append)
    assert messages[0] == "drawing the charts"
    rendered = [m.removeprefix("rendering ") for m in messages if m.startswith("rendering")]
    assert rendered == ["report.html", "report.md", "tables.xlsx", "results.json", "report.docx"]
    assert {m.removeprefix("writing ") for m in messages if m.startswith("writing")} == set(written)


def test_analyze_announces_each_outcome_family():
    from evalkit.analyze import AnalysisOptions, analyze
    from tests.analyze.synth import post_engagement_frame

    inst = load_instrument("post_engagement")
    messages: list[str] = []
    frame = post_engagement_frame(200, seed=1)
    analyze(frame, inst, AnalysisOptions(n_boot=99), progress=messages.append)
    families = [i.id for i in inst.outcomes] + [s.id for s in inst.scales]
    n = len(families)
    assert messages == [f"analysing {name} ({i}/{n})" for i, name in enumerate(families, 1)]
