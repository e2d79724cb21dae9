"""The top-level CLI: help, version, errors as one line, every command documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from evalkit import __version__
from evalkit.cli._help import TOP_LEVEL_HELP
from evalkit.cli.main import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _all_commands(group: click.Group, prefix: str = "evalkit"):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _all_commands(command, f"{prefix} {name}")


def test_static_help_equals_what_click_prints(runner):
    result = runner.invoke(cli, ["--help"], prog_name="evalkit")
    assert result.exit_code == 0
    assert result.output == TOP_LEVEL_HELP, "regenerate with: python -m evalkit.cli._help --write"


def test_entry_point_serves_help_and_version_fast_path(monkeypatch, capsys):
    from evalkit.cli import _entry

    monkeypatch.setattr(sys, "argv", ["evalkit", "--help"])
    _entry.main()
    assert capsys.readouterr().out == TOP_LEVEL_HELP
    monkeypatch.setattr(sys, "argv", ["evalkit", "--version"])
    _entry.main()
    assert capsys.readouterr().out == f"evalkit {__version__}\n"


def test_help_does_not_import_click_or_pandas():
    code = (
        "import sys; sys.argv=['evalkit','--help']; from evalkit.cli._entry import main; main(); "
        "assert not {'click','pandas','yaml','scipy'} & set(sys.modules), sorted(sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == TOP_LEVEL_HELP


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"evalkit {__version__}\n"


def test_unknown_command_is_a_usage_error(runner):
    result = runner.invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.output


@pytest.mark.parametrize("path", [name for name, _ in _all_commands(cli)])
def test_every_command_has_help_text_and_is_documented(runner, path):
    args = path.split()[1:]
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    command = dict(_all_commands(cli))[path]
    assert command.help and len(command.help.strip()) > 20, f"{path} needs help text"
    assert re.search(rf"^#+ `?{re.escape(path)}\b", (DOCS / "cli.md").read_text("utf-8"), re.M), (
        f"document '{path}' under its own heading in docs/cli.md"
    )


def test_evalkit_errors_are_one_line_without_traceback(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", encoding="utf-8")
    result = runner.invoke(cli, ["instrument", "show", str(bad)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {bad}:")
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", encoding="utf-8")
    result = runner.invoke(cli, ["--debug", "instrument", "show", str(bad)])
    assert result.exit_code != 0
    assert result.exception is not None and type(result.exception).__name__ == "InstrumentError"


def test_console_script_runs_as_a_subprocess():
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "instrument", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "post_engagement" in result.stdout


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "2026" / "post_engagement.kobo.csv"


def test_console_script_ends_without_teardown_but_with_all_its_output(runner, tmp_path):
    """The console script leaves with os._exit: output flushed, files written, exit status
    kept; the same text as the in-process command."""
    out = tmp_path / "result.json"
    args = ["analyze", str(SAMPLE), "--instrument", "post_engagement", "--json", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    in_process = runner.invoke(cli, args)
    assert result.stdout == in_process.stdout
    assert json.loads(out.read_text("utf-8"))["metadata"]["instrument_id"] == "post_engagement"


def test_console_script_keeps_the_exit_status_of_an_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "analyze", str(tmp_path / "missing.csv"),
         "--instrument", "post_engagement"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(("code", "status", "stderr"), [(None, 0, ""), (3, 3, ""), ("x", 1, "x\n")])
def test_exit_at_once_follows_system_exit(code, status, stderr):
    script = (
        "import sys; from evalkit.cli._entry import _exit_at_once; "
        f"sys.stdout.write('unflushed'); _exit_at_once({code!r})"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (status, "unflushed", stderr)
