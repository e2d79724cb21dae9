"""``evalkit followup``: post-engagement answers linked to the follow-up waves."""

from __future__ import annotations

import re
from pathlib import Path

import click

from evalkit.cli._output import echo
from evalkit.cli.main import CONTEXT_SETTINGS

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--workspace", required=True, help="The workspace holding both questionnaires.")
@click.option("--period", required=True, help="Period of the engagements, e.g. 2026.")
@click.option("--baseline", default="post_engagement", show_default=True,
              help="Instrument answered just after the engagement.")  # fmt: skip
@click.option("--followup", "followup_id", default="follow_up", show_default=True,
              help="Instrument of the follow-up waves (its 'wave' item names them).")  # fmt: skip
@click.option("--key", default="participant_code", show_default=True,
              help="The personal code both ask for (linked by its keyed hash).")  # fmt: skip
@click.option("--ipw", is_flag=True,
              help="Weight follow-up outcomes by inverse probability of answering.")  # fmt: skip
@click.option("--min-cell", default=10, show_default=True, help="Suppress groups below this.")
@click.option("--alpha", default=0.05, show_default=True, help="1 - confidence level.")
@click.option("--seed", default=0, show_default=True, help="Seed of bootstrap and Monte Carlo.")
@click.option("--lang", help="Language of labels.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the result as JSON to this file ('-' for stdout).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Write CSV files here.")
def followup(workspace, period, baseline, followup_id, key, ipw, json_path, output, **options):
    """Follow-up response rate by mode, who drops out (with tests), and the follow-up
    outcomes by the mode of the original engagement. Follow-ups are taken from every period
    (a 6-month follow-up may fall in the next year). See docs/methods.md."""
    import json

    from evalkit.analyze import options_from
    from evalkit.analyze.followup import analyze_followup
    from evalkit.analyze.frame_io import frame_from_workspace
    from evalkit.instrument import load_instrument
    from evalkit.io import write_text_atomic

    base_inst, fu_inst = load_instrument(baseline), load_instrument(followup_id)
    opts = options_from(**options)
    base_frame = frame_from_workspace(workspace, base_inst, period)
    fu_frame = frame_from_workspace(workspace, fu_inst, None)
    result = analyze_followup(base_frame, fu_frame, base_inst, fu_inst, opts, key=key, ipw=ipw)
    result.metadata.update(workspace=str(workspace), period=period)
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
    if json_path == "-":
        echo(text, nl=False)
        return
    if json_path:
        write_text_atomic(json_path, text)
    if output:
        result.write_csv(output)
    echo(summary_text(result), nl=False)
    for path in (json_path, output):
        if path:
            echo(f"wrote {Path(path)}")


def summary_text(result) -> str:
    """Response rates per wave and mode, then the attrition tests that are notable."""
    meta = result.metadata
    lines = [
        f"{meta['n_eligible']} of {meta['n_baseline']} {meta['baseline_instrument']} responses "
        f"can be followed up (they left {meta['link_key']}); waves {meta['waves'] or 'none'}",
        "",
        f"{'wave':<6} {'mode':<18} {'eligible':>9} {'answered':>9}  rate (CI)",
    ]
    for r in result.response_rates.itertuples():
        rate = (
            "suppressed (too few)"
            if r.suppressed
            else f"{100 * r.rate:.0f}% ({100 * r.rate_ci_low:.0f} to {100 * r.rate_ci_high:.0f})"
        )
        answered = "" if r.suppressed else f"{r.n_responded:.0f}"
        lines.append(f"{r.wave:<6} {str(r.group)[:18]:<18} {r.n_eligible:>9} {answered:>9}  {rate}")
    att = result.attrition
    notable = att[att["p_fdr"] < meta["alpha"]]
    lines += ["", f"attrition: {len(att)} tests, {len(notable)} notable after Benjamini-Hochberg"]
    for r in notable.itertuples():
        lines.append(
            f"- {r.wave}: who answered differs by {r.variable} ({r.test}, p {r.p_value:.3g})"
        )
    for wave, res in result.outcomes.items():
        comps = res.comparisons
        lines.append(
            f"{wave} outcomes by the engagement's mode: {len(comps)} outcomes, "
            f"{int((comps['p_fdr'] < meta['alpha']).sum())} notable (analyze -o for the tables)"
        )
    return _CONTROL.sub("", "\n".join(lines)) + "\n"
