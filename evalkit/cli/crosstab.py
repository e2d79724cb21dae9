"""``evalkit crosstab``: two items against each other, with the test that fits the table."""

from __future__ import annotations

import re
from pathlib import Path

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--platform", default="auto", show_default=True, help="Platform of FILE.")
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    help="Day/month order of dates such as 9/11/2022 in FILE (default: from the file).",
)
@click.option("--workspace", help="Use the responses stored in this workspace.")
@click.option("--period", help="With --workspace: only this period, e.g. 2026.")
@click.option("--instrument", "instrument_name", required=True, help="Instrument id or .yaml path.")
@click.option("--rows", "row_var", required=True, help="Item (or ITEM__CHOICE, period) of rows.")
@click.option("--cols", "col_var", required=True, help="Item (or ITEM__CHOICE, period) of columns.")
@click.option("--bins", help="With a numeric --rows/--cols item: N quantile groups, or edges.")
@click.option("--where", help="Only responses where EXPR holds, e.g. \"mode != 'virtual'\".")
@click.option("--engagement", help="Only the responses to this engagement code.")
@click.option("--weights", help="Column of survey (probability) weights (Rao-Scott test; "
              "default: the instrument's role: weight item; none: unweighted).")  # fmt: skip
@click.option("--strata", help="Sample design: the item holding each response's stratum.")
@click.option("--cluster", help="Sample design: the PSU item (two stages: PSU/SSU).")
@click.option("--fpc", help="Sample design: population size or sampling fraction (N1/N2).")
@click.option(
    "--lonely-psu",
    type=click.Choice(["fail", "remove", "certainty", "adjust", "average"]),
    help="A stratum with one PSU: fail (default), or R survey.lonely.psu's rules.",
)
@click.option("--min-cell", default=10, show_default=True, help="Suppress cells below this.")
@click.option("--alpha", default=0.05, show_default=True, help="1 - confidence level.")
@click.option("--seed", default=0, show_default=True, help="Seed of bootstrap and Monte Carlo.")
@click.option("--n-boot", default=2000, show_default=True, help="Bootstrap resamples (V's CI).")
@click.option("--lang", help="Language of labels.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the result as JSON to this file ('-' for stdout).")  # fmt: skip
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False), help="Write an XLSX file.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Write CSV files here.")
def crosstab(
    file, platform, date_order, workspace, period, instrument_name, row_var, col_var,
    json_path, xlsx_path, output, **options
) -> None:  # fmt: skip
    """Crosstab of --rows by --cols: counts, row/column percentages, chi-square or Fisher's
    exact test, Cramer's V with CI and adjusted standardised residuals; small cells are
    suppressed. See docs/methods.md."""
    from evalkit.analyze import options_from
    from evalkit.analyze.crosstab import crosstab as run
    from evalkit.analyze.frame_io import frame_from_export, frame_from_workspace
    from evalkit.errors import UsageError
    from evalkit.instrument import load_instrument
    from evalkit.io import write_text_atomic

    if bool(file) == bool(workspace):
        raise UsageError("give one of: FILE or --workspace W", hint="see evalkit crosstab --help")
    inst = load_instrument(instrument_name)
    opts = options_from(**options)
    design = [c for x in (opts.weights, opts.strata, opts.cluster, opts.fpc) if x
              for c in x.split("/")]  # fmt: skip
    design += [item.id for item in inst.items_with_role("weight")]
    named = [row_var, col_var, *_filter_columns(opts), *design]
    # an option column ITEM__CHOICE is read with its item
    columns = [n.split("__", 1)[0] if inst.has_item(n.split("__", 1)[0]) else n for n in named]
    if file:
        frame, counts = frame_from_export(
            file, inst, platform, None, columns, date_order=date_order
        )
        counts.pop("input_sha256", None)
    else:
        frame, counts = frame_from_workspace(workspace, inst, period, columns), {}
    result = run(frame, inst, row_var, col_var, opts)
    result.metadata.update(counts, source=str(file or workspace), period=period)
    if json_path == "-":
        echo(result.to_json(), nl=False)
        return
    if json_path:
        write_text_atomic(json_path, result.to_json())
    if xlsx_path:
        result.write_xlsx(xlsx_path)
    if output:
        result.write_csv(output)
    echo(summary_text(result), nl=False)
    for path in (json_path, xlsx_path, output):
        if path:
            echo(f"wrote {Path(path)}")


def _filter_columns(opts) -> list[str]:
    from evalkit.analyze.filters import ENGAGEMENT, where_columns

    return where_columns(opts.where) + ([ENGAGEMENT] if opts.engagement else [])


def summary_text(result) -> str:
    """Counts with row percentages, then the test line."""
    cells, test, meta = result.cells, result.test.iloc[0], result.metadata
    head = f"{meta['rows']} by {meta['cols']}: {meta['n_in_table']} responses"
    if meta.get("where") or meta.get("engagement"):
        parts = [meta["where"]] if meta.get("where") else []
        parts += [f"engagement_id = '{meta['engagement']}'"] if meta.get("engagement") else []
        head += f" where {' and '.join(parts)}"
    lines = [head, ""]
    col_names = list(dict.fromkeys(cells["col"]))
    lines.append(f"{'':<24}" + "".join(f"{c[:14]:>16}" for c in col_names))
    for row, group in cells.groupby("row", sort=False):
        values = []
        for r in group.itertuples():
            values.append(
                "suppressed" if r.suppressed else f"{r.count:.0f} ({100 * r.row_share:.0f}%)"
            )
        lines.append(f"{str(row)[:24]:<24}" + "".join(f"{v:>16}" for v in values))
    p = test.p_value
    lines += [
        "",
        f"{test.test}: statistic {test.statistic:.3f}, df {test.df:g}, "
        f"p {'—' if p != p else f'{p:.4g}'}; Cramér's V {test.cramers_v:.3f}"
        + (
            f" ({test.cramers_v_ci_low:.3f} to {test.cramers_v_ci_high:.3f})"
            if test.cramers_v_ci_low == test.cramers_v_ci_low
            else ""
        ),
    ]
    if test.cells_suppressed:
        lines.append(f"{test.cells_suppressed} cells suppressed (fewer than {meta['min_cell']})")
    # values outside the choice list come from the data: no control characters to the terminal
    return _CONTROL.sub("", "\n".join(lines)) + "\n"
