"""``evalkit instrument list|show|check|schema``."""

from __future__ import annotations

import json

from evalkit.cli.main import cli
from evalkit.instrument.library import LIBRARY_IDS, library_files


def test_list_table(runner):
    result = runner.invoke(cli, ["instrument", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "version", "items", "languages", "title"]
    assert any(line.startswith("post_engagement ") and "en,es" in line for line in lines)


def test_list_json_lists_all_seven(runner):
    result = runner.invoke(cli, ["instrument", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert sorted(r["id"] for r in rows) == sorted(LIBRARY_IDS)
    assert all({"id", "version", "title", "items"} <= set(r) for r in rows)


def test_show_in_spanish(runner):
    result = runner.invoke(cli, ["instrument", "show", "post_engagement", "--lang", "es"])
    assert result.exit_code == 0
    assert "¿Cómo participó en este encuentro?" in result.output
    assert 'Ask if mode is "Virtual" or mode is "Híbrido – a distancia"' in result.output


def test_show_unknown_language_and_unknown_id(runner):
    result = runner.invoke(cli, ["instrument", "show", "follow_up", "--lang", "fr"])
    assert result.exit_code == 2
    assert result.output == "error: follow_up has no 'fr' wording; use one of: en\n"
    result = runner.invoke(cli, ["instrument", "show", "post_engagment"])
    assert result.exit_code == 2
    assert "no instrument 'post_engagment' in the library; use one of:" in result.output


def test_show_accepts_a_path(runner):
    path = str(library_files()[0])
    result = runner.invoke(cli, ["instrument", "show", path])
    assert result.exit_code == 0


def test_check_library_exits_zero(runner):
    result = runner.invoke(cli, ["instrument", "check", *map(str, library_files())])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_check_reports_one_line_per_problem(runner, write_yaml, minimal_text):
    bad = write_yaml(minimal_text.replace("choices: agree5", "choices: nope"), "bad.yaml")
    good = write_yaml(minimal_text, "good.yaml")
    result = runner.invoke(cli, ["instrument", "check", str(good), str(bad), "post_engagement"])
    assert result.exit_code == 1
    problem_lines = [x for x in result.output.splitlines() if x.startswith(str(bad))]
    assert len(problem_lines) == 2
    assert all("unknown choice list 'nope'" in x for x in problem_lines)
    assert "3 file(s) checked: 2 problem(s) in 1 file(s)" in result.output


def test_check_bad_inputs_are_one_line_each(runner, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = runner.invoke(cli, ["instrument", "check", str(empty), str(tmp_path), "nope.yaml"])
    assert result.exit_code == 1
    assert f"{empty}: the file is empty" in result.output
    assert f"{tmp_path}: is a directory" in result.output
    assert "nope.yaml: no such file" in result.output
    assert "Traceback" not in result.output


def test_schema_prints_json_schema(runner, tmp_path):
    result = runner.invoke(cli, ["instrument", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "evalkit instrument"
    out = tmp_path / "s.json"
    assert runner.invoke(cli, ["instrument", "schema", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["$id"].endswith("instrument-1.json")
