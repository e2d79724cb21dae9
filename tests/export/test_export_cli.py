"""``evalkit instrument export`` and ``evalkit instrument import-xlsform``."""

from __future__ import annotations

from evalkit.cli.instrument import _EXPORT_TARGETS
from evalkit.cli.main import cli
from evalkit.export import TARGETS
from evalkit.instrument import load_instrument, load_instrument_file


def test_cli_offers_every_registered_target():
    assert tuple(TARGETS) == _EXPORT_TARGETS


def test_export_writes_and_lists_side_files_and_manual_steps(runner, tmp_path):
    out = tmp_path / "pe.txt"
    result = runner.invoke(
        cli, ["instrument", "export", "post_engagement", "--to", "qualtrics", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"wrote {out} (qualtrics)"
    assert lines[1] == f"wrote {tmp_path / 'pe.values.csv'}"
    assert lines[2].startswith("to do: add display logic to next_step_types: show if next_step")
    assert out.read_text("utf-8").startswith("[[AdvancedFormat]]")


def test_export_then_import_xlsform_on_the_command_line(runner, tmp_path):
    form = tmp_path / "cp.xlsx"
    result = runner.invoke(
        cli,
        ["instrument", "export", "community_programme", "--to", "xlsform", "-o", str(form)],
    )
    assert result.exit_code == 0, result.output
    back = tmp_path / "cp.yaml"
    result = runner.invoke(cli, ["instrument", "import-xlsform", str(form), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {back}: 19 items, 0 warning(s)\n"
    assert load_instrument_file(back) == load_instrument("community_programme")
    result = runner.invoke(cli, ["instrument", "check", str(back)])
    assert result.exit_code == 0


def test_export_bad_options_are_one_line_errors(runner, tmp_path):
    out = str(tmp_path / "x.html")
    result = runner.invoke(
        cli, ["instrument", "export", "follow_up", "--to", "html", "-o", out, "--lang", "fr"]
    )
    assert result.exit_code == 2
    assert result.output == "error: follow_up has no 'fr' wording; use one of: en\n"
    result = runner.invoke(cli, ["instrument", "export", "follow_up", "--to", "pdf", "-o", out])
    assert result.exit_code == 2
    assert "Invalid value for '--to'" in result.output
    result = runner.invoke(cli, ["instrument", "export", "nope", "--to", "html", "-o", out])
    assert result.exit_code == 2
    assert "no instrument 'nope' in the library" in result.output


def test_import_xlsform_errors_and_warnings(runner, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("nope")
    result = runner.invoke(
        cli, ["instrument", "import-xlsform", str(bad), "-o", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {bad}: not an XLSForm workbook pyxform can read")
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.yaml").exists()


def test_import_xlsform_of_a_form_without_questions_exits_1(runner, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::en"])
    sheet.append(["note", "hello", "Hello"])
    form = tmp_path / "notes.xlsx"
    workbook.save(form)
    result = runner.invoke(
        cli, ["instrument", "import-xlsform", str(form), "-o", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 1
    # the warnings come first (here: the note not imported), the one-line error last
    assert "warning: note(s) not imported: they ask nothing" in result.output
    last = result.output.rstrip().splitlines()[-1]
    assert last.startswith(f"error: {form}: the form has no question (only notes and groups)")
    assert not (tmp_path / "o.yaml").exists()
