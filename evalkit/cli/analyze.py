"""``evalkit analyze``: the topline, or outcomes compared across any breakdown (default mode)."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--platform", default="auto", show_default=True, help="Platform of FILE.")
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy", "ymd"]),
    help="Day/month order of dates such as 9/11/2022 in FILE (default: from the file).",
)
@click.option("--workspace", help="Analyse the responses stored in this workspace.")
@click.option("--period", help="With --workspace: only this period, e.g. 2026.")
@click.option(
    "--frame",
    "frame_path",
    type=click.Path(dir_okay=False),
    help="Canonical response frame (.csv or .parquet).",
)
@click.option("--instrument", "instrument_name", required=True, help="Instrument id or .yaml path.")
@click.option(
    "--by",
    help="Breakdown: an item, an option ITEM__CHOICE, period, activity_type, or none for the "
    "topline (default: the instrument's group item, mode).",
)
@click.option("--bins", help="With a numeric --by item: N quantile groups, or edges 0,1,5,10.")
@click.option("--where", help="Only responses where EXPR holds, e.g. \"mode != 'virtual'\".")
@click.option("--engagement", help="Only the responses to this engagement code.")
@click.option(
    "--outcome", "outcomes", multiple=True, help="Only this outcome or scale (repeatable)."
)
@click.option(
    "--min-cell", default=10, show_default=True, help="Suppress groups smaller than this."
)
@click.option("--alpha", default=0.05, show_default=True, help="1 - confidence level.")
@click.option("--seed", default=0, show_default=True, help="Seed of bootstrap and Monte Carlo.")
@click.option("--n-boot", default=2000, show_default=True, help="Bootstrap resamples per group.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the result as JSON to this file ('-' for stdout).",
)
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Write one CSV per table here."
)
@click.option("--lang", help="Language of labels in findings.")
@click.option(
    "--weights",
    help="Column of survey (probability) weights (default: the instrument's role: weight item; "
    "none: unweighted).",
)
@click.option("--strata", help="Sample design: the item holding each response's stratum.")
@click.option(
    "--cluster",
    help="Sample design: the item holding each response's primary sampling unit (PSU); two "
    "stages as PSU/SSU, e.g. district/school.",
)
@click.option(
    "--fpc",
    help="Sample design: the item holding the population size (or sampling fraction) of the "
    "response's stratum; two stages as N1/N2.",
)
@click.option(
    "--lonely-psu",
    type=click.Choice(["fail", "remove", "certainty", "adjust", "average"]),
    help="A stratum with one PSU: fail (default), or R survey.lonely.psu's other rules.",
)
@click.option(
    "--margins",
    type=click.Path(dir_okay=False),
    help="YAML of population margins ({item: {category: share}}) to rake the weights to.",
)
@click.option(
    "--themes",
    type=click.Path(dir_okay=False),
    help="YAML theme codebook for free-text answers: theme shares and redacted quotes.",
)
@click.option("--adjust", help="Covariate items, comma-separated: adds adjusted associations.")
@click.option(
    "--propensity",
    type=click.Choice(["ipw", "overlap"]),
    help="Weight by propensity scores of the --adjust covariates instead of regression.",
)
@click.option("--pre", "pre_path", type=click.Path(dir_okay=False),
              help="Pre-wave frame: with --post, a paired pre/post analysis.")  # fmt: skip
@click.option("--post", "post_path", type=click.Path(dir_okay=False), help="Post-wave frame.")
def analyze(
    file, platform, date_order, workspace, period, frame_path, pre_path, post_path, instrument_name,
    json_path, output, **options
) -> None:  # fmt: skip
    """Describe every outcome (the topline) or compare it across groups (by default mode).

    The responses come from FILE (any supported platform export; it is validated and only
    valid rows are analysed), from --workspace [--period], from --frame (a canonical frame
    CSV/Parquet), or from --pre and --post (a paired pre/post analysis).

    Runs the test that fits each outcome type, every pairwise contrast with effect sizes and
    confidence intervals, Holm and Benjamini-Hochberg adjustments, and prints a summary with
    plain-language findings. --by none (or an instrument without a group item) gives the
    topline: n, missing, distributions, means and medians with intervals. --where and
    --engagement filter the responses first. See docs/methods.md for the methods.
    """
    if file:  # parsed in the background while the libraries below are imported
        from evalkit.ingest.detect import prefetch_grid

        prefetch_grid(file)
    from evalkit.analyze import analysis_columns, file_sha256, options_from
    from evalkit.analyze import analyze as run
    from evalkit.analyze.frame_io import (
        frame_from_export,
        frame_from_workspace,
        read_frame,
        run_paired,
    )
    from evalkit.cli._progress import Progress
    from evalkit.errors import UsageError
    from evalkit.instrument import load_instrument
    from evalkit.io import write_text_atomic

    inst = load_instrument(instrument_name)
    sources = [x for x in (file, workspace, frame_path, pre_path or post_path) if x]
    if len(sources) != 1 or bool(pre_path) != bool(post_path):
        raise UsageError(
            "give one of: FILE, --workspace W, --frame F, or both --pre F and --post F",
            hint="see evalkit analyze --help",
        )
    counts: dict = {}
    with Progress() as progress:
        progress(f"reading {Path(file or workspace or frame_path or pre_path).name}")
        if pre_path:
            result = run_paired(pre_path, post_path, inst, options_from(**options))
        elif file:
            opts = options_from(**options)
            # only the columns the analysis reads: the valid rows of free text are not copied
            columns = analysis_columns(inst, opts)
            frame, counts = frame_from_export(
                file, inst, platform, progress, columns, date_order=date_order
            )
            sha = counts.pop("input_sha256")  # hashed while the file was converted
            result = run(frame, inst, opts, sha, progress)
            result.metadata.update(counts)
        elif workspace:
            opts = options_from(**options)
            frame = frame_from_workspace(workspace, inst, period, analysis_columns(inst, opts))
            result = run(frame, inst, opts, progress=progress)
            result.metadata.update(workspace=str(workspace), period=period)
        else:
            frame = read_frame(frame_path, inst)
            sha = file_sha256(frame_path)
            result = run(frame, inst, options_from(**options), sha, progress)
    if counts.get("rows_quarantined"):
        echo(
            f"{counts['rows_quarantined']} of {counts['rows_in']} rows failed validation and "
            "are not analysed (see 'evalkit validate')",
            err=True,
        )
    if json_path == "-":
        echo(result.to_json(), nl=False)
        return
    if json_path:
        write_text_atomic(json_path, result.to_json())
    if output:
        result.write_csv(output)
    echo(summary_text(result), nl=False)


def summary_text(result) -> str:
    """A readable terminal summary: one line per outcome, then the findings."""
    meta = result.metadata
    if meta.get("design") == "paired pre/post":
        who = (
            f"{meta['n_matched']} people in both waves (pre {meta['n_pre']}, post "
            f"{meta['n_post']}, {meta['n_duplicate_keys_dropped']} duplicate keys dropped)"
        )
    else:
        who = f"{meta['n_rows']} responses"
    head = f"{meta['instrument_id']} {meta['instrument_version']}: {who}"
    if meta.get("where") or meta.get("engagement"):
        head += f" where {_filter_text(meta)} ({meta['n_rows_filtered_out']} left out)"
    if meta.get("survey_design"):
        head += "; " + _design_text(meta)
    if meta.get("breakdown") == "none":
        return _topline_text(result, head)
    lines = [
        f"{head}, compared by {meta['group_var']} ({meta['groups']}); "
        f"{100 * (1 - meta['alpha']):.0f}% CIs, Holm within outcome, BH across "
        f"{len(result.comparisons) + len(result.pairwise)} tests",
        "",
        f"{'outcome':<30} {'type':<11} {'test':<34} {'p':>8} {'p (BH)':>8}  effect",
    ]
    for row in result.comparisons.itertuples():
        effect = "" if row.effect != row.effect else f"{row.effect_name} {row.effect:.3f}"
        lines.append(
            f"{row.outcome[:30]:<30} {row.outcome_type:<11} {str(row.test)[:34]:<34} "
            f"{_p(row.p_value):>8} {_p(row.p_fdr):>8}  {effect}"
            + ("  [suppressed groups]" if row.suppressed else "")
        )
    lines += _trend_lines(result) + _text_lines(result)
    if len(result.findings):
        lines += ["", "Findings (associations, not effects):"]
        lines += [f"- {s}" for s in result.findings["sentence"]]
    if meta.get("skipped_outcomes"):
        lines += ["", f"skipped: {meta['skipped_outcomes']}"]
    return "\n".join(lines) + "\n"


def _design_text(meta) -> str:
    """The sample design in a few words, e.g. 'design: strata stype, weights pw, 197 df'."""
    d = meta["survey_design"]
    parts = [f"{key} {d[key]}" for key in ("strata", "cluster", "fpc") if d.get(key)]
    if meta.get("weights"):
        parts.append(f"weights {meta['weights']}")
    return f"design: {', '.join(parts)} ({d['n_psu']} PSUs, {d['degf']:g} df)"


def _text_lines(result) -> list[str]:
    """Open answers: how many wrote something, and each theme's share overall."""
    texts = result.tables.get("texts")
    if texts is None or not len(texts):
        return []
    lines = ["", "Open answers (answers, median words; themes: share of answers):"]
    for outcome, rows in texts.groupby("outcome", sort=False):
        shown = rows[~rows["suppressed"].astype(bool)]
        lines.append(
            f"- {outcome}: {shown['n_answered'].sum():.0f} answers"
            + (f", {len(rows) - len(shown)} groups suppressed" if len(shown) < len(rows) else "")
        )
        themes = result.themes[result.themes["outcome"] == outcome]
        for _, t in themes.groupby("theme", sort=False):
            t = t[~t["suppressed"].astype(bool)]
            if len(t) and t["n_answered"].sum():
                share = t["count"].sum() / t["n_answered"].sum()
                lines.append(f"    {t['label'].iloc[0]}: {100 * share:.0f}%")
    return lines


def _trend_lines(result) -> list[str]:
    """The trend tests of a --by period run over three or more periods."""
    trends = result.tables.get("trends")
    if trends is None or not len(trends):
        note = result.metadata.get("trend_note")
        return (
            ["", f"trends: {note}"] if note and result.metadata.get("breakdown") == "period" else []
        )
    lines = [
        "",
        f"{'trend over periods':<30} {'test':<28} {'p':>8} {'p (BH)':>8}  change per period",
    ]
    for row in trends.itertuples():
        unit = " pts" if row.outcome_type == "share" else ""
        lines.append(
            f"{row.outcome[:30]:<30} {str(row.test)[:28]:<28} {_p(row.p_value):>8} "
            f"{_p(row.p_fdr):>8}  {row.slope:+.2f}{unit} ({row.slope_ci_low:+.2f} to "
            f"{row.slope_ci_high:+.2f}) per {row.slope_unit}"
        )
    return lines


def _filter_text(meta: dict) -> str:
    parts = [meta["where"]] if meta.get("where") else []
    if meta.get("engagement"):
        parts.append(f"engagement_id = '{meta['engagement']}'")
    return " and ".join(parts)


def _topline_text(result, head: str) -> str:
    """The topline: per outcome its n, missing, mean or share with the interval."""
    meta = result.metadata
    lines = [
        f"{head}; topline (no breakdown), {100 * (1 - meta['alpha']):.0f}% CIs",
        "",
        f"{'outcome':<30} {'type':<11} {'n':>7} {'missing':>7}  estimate",
    ]
    for row in result.descriptives.itertuples():
        if row.suppressed:
            estimate = "suppressed (too few answers)"
        elif row.share == row.share:
            estimate = f"{row.share_name} {_num(row.share)} ({_num(row.share_ci_low)} to " + (
                f"{_num(row.share_ci_high)})"
            )
        elif row.mean == row.mean:
            estimate = (
                f"mean {_num(row.mean)} ({_num(row.mean_ci_low)} to {_num(row.mean_ci_high)})"
            )
        else:
            estimate = ""
        lines.append(
            f"{row.outcome[:30]:<30} {row.outcome_type:<11} {_count(row.n):>7} "
            f"{_count(row.missing):>7}  {estimate}"
        )
    if len(result.scales):
        lines += ["", "Scales: Cronbach's alpha (Feldt CI), omega"]
        for row in result.scales.itertuples():
            lines.append(
                f"- {row.scale}: alpha {_num(row.alpha)} ({_num(row.alpha_ci_low)} to "
                f"{_num(row.alpha_ci_high)}), omega {_num(row.omega)}, n {row.n_scored}"
            )
    if meta.get("skipped_outcomes"):
        lines += ["", f"skipped: {meta['skipped_outcomes']}"]
    return "\n".join(lines) + "\n"


def _num(x: float) -> str:
    return "—" if x != x else f"{x:.3g}" if abs(x) >= 100 else f"{x:.2f}"


def _count(x: float) -> str:
    return "—" if x != x else str(int(x))


def _p(p: float) -> str:
    if p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
