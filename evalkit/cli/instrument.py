"""``evalkit instrument ...``: list, show and check questionnaires."""

from __future__ import annotations

import json
import sys

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.group(context_settings=CONTEXT_SETTINGS)
def instrument() -> None:
    """List, show, check and export questionnaires.

    Wherever an instrument is named, give a library id (post_engagement) or a .yaml path.
    """


@instrument.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_(as_json: bool) -> None:
    """List the instruments of the library: id, version, title, number of items."""
    from evalkit.instrument import load_library
    from evalkit.instrument.render import summary

    rows = [summary(inst) for inst in load_library()]
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["id"]) for r in rows)
    echo(f"{'id':<{width}}  version  items  languages  title")
    for r in rows:
        langs = ",".join(r["languages"])
        echo(f"{r['id']:<{width}}  {r['version']:<7}  {r['items']:>5}  {langs:<9}  {r['title']}")


@instrument.command()
@click.argument("name")
@click.option("--lang", help="Language code of the wording (default: the instrument's first).")
def show(name: str, lang: str | None) -> None:
    """Print the questionnaire NAME (an id or a .yaml path) as a person reads it."""
    from evalkit.instrument import load_instrument
    from evalkit.instrument.render import questionnaire_text

    echo(questionnaire_text(load_instrument(name), lang), nl=False)


@instrument.command()
@click.argument("files", nargs=-1, required=True)
def check(files: tuple[str, ...]) -> None:
    """Check instrument FILES (paths or ids): exit 0 if all are valid, else 1.

    KPI catalogues (like instruments/kpis.yaml) are recognised and checked too, against
    the instruments they read. Prints one line per problem: file:line: key: what is
    wrong; how to fix it.
    """
    from evalkit.instrument.library import resolve_path
    from evalkit.kpi.catalogue import check_definition_file

    problems = []
    for name in files:
        problems += check_definition_file(resolve_path(name))
    for problem in problems:
        echo(str(problem))
    bad_files = len({p.file for p in problems})
    echo(
        f"{len(files)} file(s) checked: "
        + (f"{len(problems)} problem(s) in {bad_files} file(s)" if problems else "all valid"),
        err=True,
    )
    sys.exit(1 if problems else 0)


@instrument.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the schema to this file."
)
def schema(output: str | None) -> None:
    """Print the JSON Schema of instrument files (for editors' YAML language servers)."""
    from evalkit.instrument.load import instrument_schema

    text = json.dumps(instrument_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        from evalkit.io import write_text_atomic

        write_text_atomic(output, text)
        echo(f"wrote {output}", err=True)
    else:
        echo(text, nl=False)


_EXPORT_TARGETS = (
    "xlsform",
    "qualtrics",
    "codebook",
    "html",
    "csv-template",
    "redcap",
    "limesurvey",
)


@instrument.command("export")
@click.argument("name")
@click.option("--to", "target", required=True, type=click.Choice(_EXPORT_TARGETS), help="Format.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write."
)
@click.option("--lang", help="Language code (default: the instrument's first).")
def export(name: str, target: str, output: str, lang: str | None) -> None:
    """Export the instrument NAME for a survey platform or for paper.

    xlsform (KoboToolbox, ODK, SurveyCTO, Ona), qualtrics (Advanced Format TXT), codebook
    (Markdown for Google/Microsoft Forms), html (paper form), csv-template (data-entry
    header), redcap (data dictionary), limesurvey (TSV). Side files and the steps left to do
    by hand on the platform are listed after the file name.
    """
    from evalkit.export import export_instrument
    from evalkit.instrument import load_instrument

    result = export_instrument(load_instrument(name), target, output, lang)
    echo(f"wrote {result.path} ({result.target})")
    for extra in result.extra_files:
        echo(f"wrote {extra}")
    for note in result.notes:
        echo(f"to do: {note}")


@instrument.command("import-xlsform")
@click.argument("form", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="Instrument .yaml."
)
def import_xlsform_(form: str, output: str) -> None:
    """Turn an XLSForm (.xlsx or .xls) into an evalkit instrument file.

    pyxform (the converter KoboToolbox and ODK use) reads the form. Types, choice lists,
    translations, hints, required, skip logic (a group's combined into its questions') and
    min/max constraints are carried over; questions evalkit does not analyse (geopoint, time,
    barcode, calculate, ...) are recorded so that their export columns are ignored. What
    evalkit cannot carry is listed as warnings, never dropped silently; when the import fails,
    the warnings seen so far are shown before the error. Check the result with
    'evalkit instrument check'.
    """
    from evalkit.export.xlsform_import import XLSFormImportError, import_xlsform, to_yaml
    from evalkit.io import write_text_atomic

    try:
        result = import_xlsform(form)
    except XLSFormImportError as exc:
        for warning in exc.warnings:
            echo(f"warning: {warning}", err=True)
        raise
    write_text_atomic(output, to_yaml(result.data))
    for warning in result.warnings:
        echo(f"warning: {warning}")
    unanalysed = len(result.instrument.unanalysed)
    recorded = f"{unanalysed} recorded as not analysed, " if unanalysed else ""
    echo(
        f"wrote {output}: {len(result.instrument.items)} items, {recorded}"
        f"{len(result.warnings)} warning(s)"
    )
