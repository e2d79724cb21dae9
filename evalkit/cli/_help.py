"""The text of ``evalkit --help``, served without importing click (see ``_entry``).

tests/cli/test_main.py asserts that this equals what click prints; regenerate it with
``python -m evalkit.cli._help --write`` after changing commands or the group docstring.
"""

TOP_LEVEL_HELP = """\
Usage: evalkit [OPTIONS] COMMAND [ARGS]...

  evalkit: measure what in-person, virtual and hybrid engagements achieve.

  Questionnaires (instruments) are exported to survey platforms, their response exports
  are validated and analysed, and KPIs are reported for the annual report. Run 'evalkit
  COMMAND --help' for the options of a command.

Options:
  --version   Show the version and exit.
  --debug     Show the full traceback when something fails.
  -h, --help  Show this message and exit.

Commands:
  analyze        Compare outcome measures across modes, with effect sizes and findings.
  crosstab       Crosstab of two items: counts, percentages, test and residuals.
  demo           Run the whole job on the sample data, ending with the annual report.
  followup       Follow-up waves linked to answers: response, attrition, outcomes.
  ingest         Validate a response export and add it to the workspace.
  instrument     List, show, check and export questionnaires.
  kpi            KPI scorecard for a period: value, CI, target, status, trend.
  partners       Keep the partner register: names it lacks, look-alike names to merge.
  plan           Sample size per group, or the minimum detectable difference.
  pool           Pool city bundles: Mantel-Haenszel, random-effects meta-analysis, KPIs.
  relationships  Partners' lifecycle (new, sustained, dormant, revived...) and portfolio
                 KPIs.
  report         Write the annual report: HTML, Markdown, XLSX, JSON, Word and charts.
  sample         Generate synthetic responses with planted effects.
  share          Write a bundle of aggregates (no microdata) for a city network.
  validate       Validate a response export against an instrument.
  workspace      The workspace: status, ingests, undo, relabel, period, erase, export.
"""

if __name__ == "__main__":  # pragma: no cover - maintenance helper
    import pathlib
    import sys

    from click.testing import CliRunner

    from evalkit.cli.main import cli

    text = CliRunner().invoke(cli, ["--help"], prog_name="evalkit").output
    if "--write" in sys.argv:
        path = pathlib.Path(__file__)
        source = path.read_text("utf-8")
        start = source.index('TOP_LEVEL_HELP = """\\\n') + len('TOP_LEVEL_HELP = """\\\n')
        end = source.index('"""', start)
        path.write_text(source[:start] + text.replace("\\", "\\\\") + source[end:], "utf-8")
    else:
        sys.stdout.write(text)
