"""Two column leaks of issue 17, point 6: a duplicated ``response_id`` (or other metadata)
column was passed over silently, and ``ingest`` said nothing of an unknown column that
``validate`` flags."""

from __future__ import annotations

import json

import pytest

from evalkit.cli.main import cli

HEADER = ["response_id", "engagement_id", "mode", "worth_time", "new_contacts"]
ROW = ["r{n}", "RIV-2026-001", "in_person", "4", "2"]


def _write(tmp_path, header: list[str], extra: list[str]):
    lines = [",".join(header)]
    for n in (1, 2, 3):
        lines.append(",".join([c.format(n=n) for c in ROW] + [e.format(n=n) for e in extra]))
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ingest_args(path, tmp_path) -> list[str]:
    return [
        "ingest", str(path), "--instrument", "post_engagement",
        "--workspace", str(tmp_path / "ws.duckdb"), "--period", "2026",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "cell"),
    [("response_id", "x{n}"), ("submitted_at", "2026-03-0{n} 10:00:00"), ("source", "kobo")],
)
@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_duplicated_metadata_column_is_refused(runner, tmp_path, command, column, cell):
    header = [*HEADER, column] if column == "response_id" else [*HEADER, column, column]
    extra = [cell] if column == "response_id" else [cell, cell]
    path = _write(tmp_path, header, extra)
    args = (
        ["validate", str(path), "--instrument", "post_engagement"]
        if command == "validate"
        else _ingest_args(path, tmp_path)
    )
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    first, second = [i + 1 for i, h in enumerate(header) if h == column]
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {path}: column {column!r}: the header {column!r} appears twice "
        f"(columns {first} and {second}); rename one of the columns (or delete the copy) "
        "and read the file again\n"
    )
    if command == "ingest":  # nothing stored
        status = runner.invoke(
            cli, ["workspace", "ingests", "--workspace", str(tmp_path / "ws.duckdb"), "--json"]
        )
        assert status.exit_code != 0 or json.loads(status.stdout) == []


def test_ingest_warns_of_an_unknown_column_as_validate_reports_it(runner, tmp_path):
    path = _write(tmp_path, [*HEADER, "not_an_item"], ["x{n}"])
    checked = runner.invoke(cli, ["validate", str(path), "--instrument", "post_engagement"])
    assert checked.exit_code == 1
    flagged = [line for line in checked.stdout.splitlines() if line.startswith("  file: ")]
    assert flagged == [
        "  file: unknown-column: column 'not_an_item' matches no item and was not used; "
        "map it with --map or mark it 'ignore'"
    ]
    stored = runner.invoke(cli, _ingest_args(path, tmp_path))
    assert stored.exit_code == 0, stored.output  # the rows are stored: a warning, not a failure
    assert "3 new" in stored.stdout
    assert stored.stderr.splitlines() == ["warning: " + flagged[0].removeprefix("  file: ")]
    again = runner.invoke(cli, [*_ingest_args(path, tmp_path), "--json"])
    assert json.loads(again.stdout)["warnings"] == [flagged[0].removeprefix("  file: ")]


def test_ingest_is_quiet_when_every_column_is_known(runner, tmp_path):
    path = _write(tmp_path, HEADER, [])
    stored = runner.invoke(cli, _ingest_args(path, tmp_path))
    assert stored.exit_code == 0 and stored.stderr == "", stored.output


def test_an_ignored_column_is_no_warning(runner, tmp_path):
    path = _write(tmp_path, [*HEADER, "not_an_item"], ["x{n}"])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  not_an_item: ignore\n", encoding="utf-8")
    stored = runner.invoke(cli, [*_ingest_args(path, tmp_path), "--map", str(mapping)])
    assert stored.exit_code == 0 and stored.stderr == "", stored.output
