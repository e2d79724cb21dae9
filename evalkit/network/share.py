"""``evalkit share``: the aggregates of one office, safe to leave it (see disclosure.py).

:func:`aggregate_frame` turns a canonical response frame into the bundle's tables;
:func:`share_from_workspace` loads the frame from the workspace; the CLI writes the zip
with :func:`evalkit.network.bundle.write_bundle` or, with ``--dry-run``, shows
:func:`describe_share`. Only counts, means and variances leave: no response id, no
respondent key, no free text, no date, no item marked pii.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from evalkit._version import __version__
from evalkit.errors import DataError, Location, UsageError
from evalkit.instrument.model import Instrument
from evalkit.network.bundle import columns
from evalkit.network.by_type import counts_by_type, engagement_types
from evalkit.network.disclosure import (
    LOG_COLUMNS,
    DisclosureLog,
    coarsen_nominal,
    coarsen_ordered,
    is_disclosive,
)

DEFAULT_MIN_CELL = 10
POOLED_KPI_KINDS = ("proportion", "mean", "index")


@dataclass
class Share:
    """What one office sends: metadata and the four tables (fixed columns)."""

    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame]


def wording_hash(instrument: Instrument) -> str:
    """SHA-256 of the instrument's wording: item ids, types, texts and choice lists.

    Two offices whose hashes differ asked different questions (or offered different
    answers) and are not pooled together.
    """
    content = {
        "items": [
            [i.id, i.type, i.text.as_dict(), i.choices, i.min, i.max] for i in instrument.items
        ],
        "choice_lists": [
            [cl.id, [[str(c.value), c.label.as_dict(), c.missing] for c in cl.choices]]
            for cl in instrument.choice_lists
        ],
        "scales": [[s.id, list(s.items), list(s.reverse), s.score] for s in instrument.scales],
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _group_labels(frame: pd.DataFrame, group_var: str) -> pd.Series:
    return frame[group_var].astype("string")


def _counts_rows(
    outcome: str, outcome_type: str, group_var: str, groups: list[str], coarse: Any,
    numeric_levels: bool,
) -> list[dict[str, Any]]:  # fmt: skip
    rows = []
    for gi, group in enumerate(groups):
        for bi, values in enumerate(coarse.bins):
            score = float(np.mean([float(v) for v in values])) if numeric_levels else np.nan
            rows.append({
                "outcome": outcome, "outcome_type": outcome_type, "group_var": group_var,
                "group": group, "level": "|".join(str(v) for v in values), "level_order": bi,
                "score": score, "count": int(coarse.counts[gi, bi]),
            })  # fmt: skip
    return rows


def _table(
    labels: pd.Series, values: pd.Series, groups: list[str], levels: list[str]
) -> np.ndarray:
    answered = values.notna() & labels.notna()
    cross = pd.crosstab(labels[answered], values[answered].astype("string"))
    return cross.reindex(index=groups, columns=levels, fill_value=0).to_numpy(dtype=np.int64)


def _item_counts(
    frame: pd.DataFrame, inst: Instrument, group_var: str, groups: list[str], k: int,
    log: DisclosureLog,
) -> list[dict[str, Any]]:  # fmt: skip
    labels = _group_labels(frame, group_var)
    rows: list[dict[str, Any]] = []
    for item in inst.outcomes:
        if item.pii or item.type not in ("likert", "select_one", "select_multiple"):
            continue
        choices = inst.choices_for(item)
        values = [str(c.value) for c in choices.substantive] if choices else []
        if item.type == "select_multiple":
            for value in values:
                column = f"{item.id}__{value}"
                if column not in frame:
                    continue
                picked = (
                    frame[column]
                    .astype("boolean")
                    .map({True: "selected", False: "not_selected"}, na_action="ignore")
                )
                table = _table(labels, picked, groups, ["selected", "not_selected"])
                coarse = coarsen_nominal(table, ["selected", "not_selected"], k, "selected")
                if coarse is None:
                    log.add("counts", column, "", "withheld", f"a cell from 1 to {k - 1}")
                    continue
                rows += _counts_rows(column, "binary", group_var, groups, coarse, False)
            continue
        if item.id not in frame:
            continue
        table = _table(labels, frame[item.id], groups, values)
        if item.type == "likert":
            coarse = coarsen_ordered(table, values, k)
            kind = "ordinal"
        else:
            first = "yes" if "yes" in values else values[0]
            coarse = coarsen_nominal(table, values, k, first)
            kind = "nominal"
        if coarse is None:
            log.add("counts", item.id, "", "withheld",
                    f"a cell from 1 to {k - 1} even after merging levels")  # fmt: skip
            continue
        if coarse.merged:
            shown = ", ".join("|".join(str(v) for v in b) for b in coarse.bins)
            log.add("counts", item.id, "", "coarsened",
                    f"levels merged to {shown} so that no cell is from 1 to {k - 1}")  # fmt: skip
        rows += _counts_rows(item.id, kind, group_var, groups, coarse, kind == "ordinal")
    return rows


def _outcome_levels(inst: Instrument) -> dict[str, list[str]]:
    """Each Likert item's substantive values in order (the top-2-box is the last two)."""
    out = {}
    for item in inst.outcomes:
        choices = inst.choices_for(item) if item.type == "likert" else None
        if choices:
            out[item.id] = [str(c.value) for c in choices.substantive]
    return out


def _numeric_outcomes(frame: pd.DataFrame, inst: Instrument) -> list[tuple[str, str, pd.Series]]:
    from evalkit.analyze.scoring import scale_scores

    out = [
        (item.id, "numeric", pd.to_numeric(frame[item.id], errors="coerce"))
        for item in inst.outcomes
        if not item.pii and item.type in ("integer", "decimal", "nps") and item.id in frame
    ]
    scores = scale_scores(frame, inst)
    out += [(name, "scale", scores[name].astype("Float64")) for name in scores.columns]
    return out


def _moments(
    frame: pd.DataFrame, inst: Instrument, group_var: str, groups: list[str], k: int,
    log: DisclosureLog,
) -> list[dict[str, Any]]:  # fmt: skip
    labels = _group_labels(frame, group_var)
    rows: list[dict[str, Any]] = []
    for outcome, kind, series in _numeric_outcomes(frame, inst):
        item_rows = []
        for group in groups:
            x = series[(labels == group).fillna(False).to_numpy()].dropna().to_numpy(dtype=float)
            item_rows.append({
                "outcome": outcome, "outcome_type": kind, "group_var": group_var,
                "group": group, "n": len(x), "mean": float(x.mean()) if len(x) else np.nan,
                "variance": float(x.var(ddof=1)) if len(x) > 1 else np.nan,
            })  # fmt: skip
        small = [r["group"] for r in item_rows if r["n"] < k]
        if small:
            log.add("moments", outcome, ", ".join(small), "withheld",
                    f"fewer than {k} answers in {', '.join(small)}")  # fmt: skip
            continue
        rows += item_rows
    return rows


def _kpis(
    frame: pd.DataFrame, inst: Instrument, period: str, k: int, log: DisclosureLog,
    catalogue: Any = None,
) -> list[dict[str, Any]]:  # fmt: skip
    from evalkit.kpi import load_catalogue
    from evalkit.kpi.compute import NotComputedError, _Evaluator, _Frames

    catalogue = catalogue or load_catalogue()
    evaluator = _Evaluator(_Frames({inst.id: frame}, period), None, 0.05, 0)
    rows = []
    for kpi in catalogue.kpis:
        if kpi.kind not in POOLED_KPI_KINDS or kpi.sources != (inst.id,):
            continue
        try:
            value = evaluator.value(kpi)
        except NotComputedError:
            continue
        row: dict[str, Any] = {"kpi_id": kpi.id, "code": kpi.code, "kind": kpi.kind,
                               "unit": kpi.unit, "n": value.n, "value": value.value}  # fmt: skip
        if kpi.kind == "proportion" and value.counts is not None:
            hits, n = value.counts
            if n < k or is_disclosive(hits, k) or is_disclosive(n - hits, k):
                log.add("kpis", kpi.id, "", "withheld",
                        f"numerator or its complement from 1 to {k - 1}")  # fmt: skip
                continue
            row.update(numerator=hits, denominator=n)
        else:
            if value.n < k:
                log.add("kpis", kpi.id, "", "withheld", f"fewer than {k} answers")
                continue
            row.update(mean=value.value, variance=value.se**2 * value.n)
        rows.append(row)
    return rows


def aggregate_frame(
    frame: pd.DataFrame,
    instrument: Instrument,
    city: str,
    period: str,
    min_cell: int = DEFAULT_MIN_CELL,
    catalogue: Any = None,
    types: pd.Series | None = None,
) -> Share:
    """The bundle's tables for one office's responses to one instrument in one period.

    Parameters
    ----------
    frame
        The canonical response frame (as :func:`evalkit.store.load_responses` returns it).
    min_cell
        K: no count from 1 to K − 1 leaves the office (see :mod:`evalkit.network.disclosure`).
    types
        The type of engagement of each row of ``frame`` (:func:`evalkit.network.by_type.
        engagement_types`); None takes the frame's ``activity_type`` column if it has one.

    Returns
    -------
    Share
        ``meta`` and the tables ``counts``, ``counts_by_type``, ``moments``, ``kpis``,
        ``disclosure_log`` (columns :func:`evalkit.network.bundle.columns`).
    """
    if min_cell < 1:
        raise UsageError("--min-cell must be at least 1", hint="use e.g. --min-cell 3 or 10")
    group = instrument.group_item
    if group is None:
        raise UsageError(
            f"{instrument.id} has no group item (role: group) to compare",
            hint="share an instrument with a mode question, e.g. post_engagement",
        )
    log = DisclosureLog()
    choices = instrument.choices_for(group)
    all_groups = [str(c.value) for c in choices.substantive] if choices else []
    labels = _group_labels(frame, group.id)
    sizes = {g: int((labels == g).sum()) for g in all_groups}
    groups = [g for g in all_groups if sizes[g] >= min_cell]
    for g in all_groups:
        if 0 < sizes[g] < min_cell:
            reason = f"fewer than {min_cell} respondents: left out of every table, KPIs too"
            log.add("all", "", g, "excluded", reason)
    keep = labels.isin(groups).fillna(False).to_numpy()
    kept = frame[keep]
    counts = pd.DataFrame(_item_counts(kept, instrument, group.id, groups, min_cell, log))
    if types is None:
        types = engagement_types(frame)
    levels = _outcome_levels(instrument)
    by_type = counts_by_type(kept, types[keep], counts.reindex(columns=columns("counts")),
                             group.id, groups, min_cell, log, levels)  # fmt: skip
    tables = {
        "counts": counts,
        "counts_by_type": by_type,
        "moments": pd.DataFrame(_moments(kept, instrument, group.id, groups, min_cell, log)),
        "kpis": pd.DataFrame(_kpis(kept, instrument, period, min_cell, log, catalogue)),
        "disclosure_log": pd.DataFrame(log.rows, columns=LOG_COLUMNS),
    }
    tables = {name: t.reindex(columns=columns(name)) for name, t in tables.items()}
    meta = {
        "bundle_format": 1,
        "city": city,
        "period": str(period),
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "instrument_major": instrument.version.split(".")[0],
        "wording_hash": wording_hash(instrument),
        "group_var": group.id,
        "groups": groups,
        "responses": len(kept),
        "min_cell": min_cell,
        "evalkit_version": __version__,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return Share(meta, tables)


def _pick_instrument(workspace: str, period: str, instrument: str | None) -> str:
    from evalkit.store import workspace_status

    status = workspace_status(workspace)
    held = sorted(set(status.loc[status["period"].astype(str) == str(period), "instrument_id"]))
    if instrument:
        return instrument
    if not held:
        raise DataError(
            f"the workspace holds no responses for period {period}",
            Location(file=workspace),
            "check --period, or ingest the period's exports first",
        )
    if "post_engagement" in held or len(held) == 1:
        return "post_engagement" if "post_engagement" in held else held[0]
    raise UsageError(
        f"the workspace holds several instruments for {period}: {', '.join(held)}",
        hint="choose one with --instrument ID",
    )


def share_from_workspace(
    workspace: str, period: str, city: str, instrument: str | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
) -> Share:  # fmt: skip
    """Aggregate a workspace's responses for ``period`` (see :func:`aggregate_frame`)."""
    from pathlib import Path

    from evalkit.instrument import load_instrument
    from evalkit.store import load_responses

    if not Path(workspace).is_file():
        raise DataError("no such workspace", Location(file=workspace),
                        "create it with 'evalkit ingest'")  # fmt: skip
    if not city.strip():
        raise UsageError("--city must name the office's city", hint="e.g. --city Riverton")
    instrument_id = _pick_instrument(workspace, period, instrument)
    inst = load_instrument(instrument_id)
    frame = load_responses(workspace, inst, period)
    if len(frame) == 0:
        raise DataError(
            f"the workspace holds no {instrument_id} responses for period {period}",
            Location(file=workspace),
            "check --period and --instrument",
        )
    from evalkit.analyze.frame_io import _stored_register  # the register analyze joins too

    types = engagement_types(frame, _stored_register(workspace, period))
    return aggregate_frame(frame, inst, city.strip(), period, min_cell, types=types)


def _describe_by_type(table: pd.DataFrame | None) -> list[str]:
    if table is None or len(table) == 0:
        return ["\ncounts by type of engagement: none (no type known for these responses)"]
    lines = [f"\ncounts by type of engagement ({len(table)} cells, same rule):"]
    for (outcome, kind), block in table.groupby(["outcome", "engagement_type"], sort=False):
        levels = block.drop_duplicates("level_order")["level"].tolist()
        lines.append(f"  {outcome} at {kind}: levels {' / '.join(levels)}")
        pivot = block.pivot_table(index="group", columns="level_order", values="count",
                                  aggfunc="sum", sort=False)  # fmt: skip
        for group, row in pivot.iterrows():
            lines.append(f"    {group:<16} " + " ".join(f"{int(v):>6}" for v in row))
    return lines


def describe_share(share: Share) -> str:
    """What would leave the office, table by table (``evalkit share --dry-run``)."""
    m = share.meta
    lines = [
        f"bundle for {m['city']}, period {m['period']}: {m['instrument_id']} "
        f"{m['instrument_version']} (wording {m['wording_hash'][:12]}), "
        f"{m['responses']} responses, min cell {m['min_cell']}",
        "nothing else leaves: no response ids, respondent keys, free text, dates or pii items",
    ]
    counts = share.tables["counts"]
    lines.append(f"\ncounts ({len(counts)} cells, every one 0 or >= {m['min_cell']}):")
    for outcome, block in counts.groupby("outcome", sort=False):
        pivot = block.pivot_table(index="group", columns="level_order", values="count",
                                  aggfunc="sum", sort=False)  # fmt: skip
        levels = block.drop_duplicates("level_order")["level"].tolist()
        lines.append(f"  {outcome} [{block['outcome_type'].iloc[0]}] levels {' / '.join(levels)}")
        for group, row in pivot.iterrows():
            lines.append(f"    {group:<16} " + " ".join(f"{int(v):>6}" for v in row))
    lines += _describe_by_type(share.tables.get("counts_by_type"))
    moments = share.tables["moments"]
    lines.append(f"\nmoments ({len(moments)} rows: n, mean, variance per group):")
    for row in moments.itertuples():
        lines.append(
            f"  {row.outcome:<24} {row.group:<16} n={row.n:<6} mean={row.mean:.3f} "
            f"var={row.variance:.3f}"
        )
    kpis = share.tables["kpis"]
    lines.append(f"\nkpis ({len(kpis)}):")
    for row in kpis.itertuples():
        if row.kind == "proportion":
            lines.append(
                f"  {row.code:<4} {row.kpi_id:<28} {int(row.numerator)}/{int(row.denominator)}"
            )
        else:
            lines.append(f"  {row.code:<4} {row.kpi_id:<28} n={row.n} mean={row.mean:.3f}")
    log = share.tables["disclosure_log"]
    lines.append(f"\ndisclosure log ({len(log)}):")
    for row in log.itertuples():
        target = row.outcome if isinstance(row.outcome, str) and row.outcome else row.group
        lines.append(f"  {row.action:<10} {row.table:<8} {target}: {row.reason}")
    return "\n".join(lines)
