"""Assemble a :class:`~evalkit.report.model.ReportData` from a workspace (or one file).

This is the only place where the report meets the rest of evalkit: it runs the KPI stage
and the analysis engine, and reshapes their tidy tables into the report's tables. The
renderers (:mod:`evalkit.report.render`) never compute anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit._version import __version__
from evalkit.analyze import AnalysisOptions, analysis_columns, analyze
from evalkit.analyze.frame_io import frame_from_export
from evalkit.analyze.themes import Codebook, fold
from evalkit.errors import DataError
from evalkit.instrument.library import load_instrument
from evalkit.instrument.model import Instrument
from evalkit.kpi.catalogue import Catalogue, load_catalogue
from evalkit.kpi.compute import kpis_from_workspace
from evalkit.report.model import Methods, ReportData, check_edition, likert_from_levels
from evalkit.report.open_answers import (
    combine,
    instrument_quotes,
    quotes_table,
    workspace_quotes,
)
from evalkit.report.partners import relationships_table

COMPARED_INSTRUMENT = "post_engagement"
OFFICE_ORIGINS = ("introduced_by_office", "office_network")
LIMITATIONS = (
    "Answers are self-reported by participants and partners.",
    "Participants chose their mode: differences between modes are associations, not effects.",
    "Follow-up surveys lose respondents (attrition); those who answer may differ from those "
    "who do not.",
    "Contribution is judged by respondents and substantiated where possible: plausible "
    "contribution, not proof.",
)
ATTRIBUTION = (
    "Contribution analysis: partner offices rate whether each result would have happened "
    "without the Office (counterfactual), estimate its contribution and their confidence "
    "(Phillips), and name evidence that substantiates it."
)


def _responses(workspace: str, instrument_id: str, period: str | None) -> pd.DataFrame | None:
    from evalkit.store import load_responses

    try:
        frame = load_responses(workspace, instrument_id, period)
    except DataError:
        return None
    return frame if len(frame) else None


def labels_for(
    instruments: list[Instrument], lang: str, catalogue: Catalogue | None
) -> dict[str, str]:
    """Display labels, each from the instrument its id belongs to.

    Item, scale and ratio ids map to their text (first instrument first), instrument ids to
    titles, and KPI ids to KPI titles. Choice values are labelled only for the first
    instrument (the one whose groups and levels the comparison tables hold): a value such as
    ``other`` or ``none`` means something different in each questionnaire. The groups of a
    KPI breakdown are labelled ``"<kpi id>:<group>"`` from the KPI's own source instrument
    (see :meth:`ReportData.group_label`).
    """
    labels: dict[str, str] = {}
    by_id = {inst.id: inst for inst in instruments}
    for position, inst in enumerate(instruments):
        language = lang if lang in inst.languages else inst.default_language
        labels.setdefault(inst.id, inst.title.get(language))
        if position == 0:
            for choice_list in inst.choice_lists:
                for choice in choice_list:
                    labels.setdefault(choice.name, choice.label.get(language))
        for item in inst.items:
            labels.setdefault(item.id, item.text.get(language))
            if item.type == "select_multiple":
                for choice in inst.choices_for(item) or ():
                    column = f"{item.id}__{choice.name}"
                    labels.setdefault(
                        column, f"{item.text.get(language)} {choice.label.get(language)}"
                    )
        for scale in inst.scales:
            if scale.label is not None:
                labels.setdefault(scale.id, scale.label.get(language))
        for ratio in inst.ratios:
            if ratio.label is not None:
                labels.setdefault(ratio.id, ratio.label.get(language))
    for kpi in catalogue.kpis if catalogue else ():
        labels[kpi.id] = kpi.title_in(lang)
        labels.update(_group_labels(kpi, by_id, lang))
        if kpi.population:  # "Inclusive reach ratio, youth 15–24" -> "Youth 15–24"
            group = kpi.title_in(lang).rsplit(", ", 1)[-1]
            labels.setdefault(kpi.population, group[:1].upper() + group[1:])
    return labels


def _group_labels(kpi: Any, instruments: Mapping[str, Instrument], lang: str) -> dict[str, str]:
    """``{"<kpi id>:<choice>": label}`` for a KPI's breakdown, from its source instrument."""
    source = next(iter(kpi.sources), None)
    inst = instruments.get(source or "")
    if not kpi.by or inst is None or not inst.has_item(kpi.by):
        return {}
    language = lang if lang in inst.languages else inst.default_language
    choices = inst.choices_for(kpi.by) or ()
    return {f"{kpi.id}:{c.name}": c.label.get(language) for c in choices}


def _options(
    instrument: Instrument, lang: str, min_cell: int, seed: int, themes: Codebook | None = None
) -> AnalysisOptions:
    return AnalysisOptions(
        min_cell=min_cell,
        seed=seed,
        lang=lang if lang in instrument.languages else None,
        themes=themes,
    )


def _analysis(
    frame: pd.DataFrame,
    instrument: Instrument,
    lang: str,
    min_cell: int,
    seed: int,
    sha: str | None,
    progress: Callable[[str], None] | None = None,
    themes: Codebook | None = None,
) -> tuple[dict[str, pd.DataFrame | None], dict[str, Any]]:
    options = _options(instrument, lang, min_cell, seed, themes)
    result = analyze(frame, instrument, options, input_sha256=sha, progress=progress)
    tables: dict[str, pd.DataFrame | None] = {
        "quotes": quotes_table(result.quotes, instrument),
        "comparisons": result.comparisons,
        "pairwise": result.pairwise,
        "findings": result.findings,
        "likert": likert_from_levels(
            result.levels, instrument.group_item.id if instrument.group_item else "mode"
        ),
    }
    return tables, dict(result.metadata)


def network_table(connections: pd.DataFrame | None) -> pd.DataFrame | None:
    """Connector edges: local unit -> counterpart, status, made through the Office or not."""
    if connections is None:
        return None
    frame = connections.dropna(subset=["unit_name", "counterpart_name"])
    return pd.DataFrame(
        {
            "local_unit": frame["unit_name"].astype("string").str.strip(),
            "counterpart": frame["counterpart_name"].astype("string").str.strip(),
            "status": frame["status"].astype("string"),
            "via_office": frame["connection_origin"]
            .astype("string")
            .isin(OFFICE_ORIGINS)
            .fillna(False)
            .astype(bool),
        }
    ).drop_duplicates(["local_unit", "counterpart"], keep="last")


def outcome_harvest(
    connections: pd.DataFrame | None, instrument: Instrument, lang: str
) -> pd.DataFrame | None:
    """The top-10 outcome-harvest rows: who changed what, the Office's contribution, evidence."""
    if connections is None or "result_description" not in connections:
        return None
    rows = connections[connections["has_result"].astype("string") == "yes"]
    rows = rows.dropna(subset=["result_description"])
    if "result_value" in rows:
        rows = rows.assign(_value=pd.to_numeric(rows["result_value"], errors="coerce").fillna(0))
        rows = rows.sort_values("_value", ascending=False, kind="stable")
    counterfactual = instrument.choices_for("counterfactual")
    language = lang if lang in instrument.languages else instrument.default_language

    def contribution(value: Any) -> str:
        choice = counterfactual.find(value) if counterfactual and pd.notna(value) else None
        return choice.label.get(language) if choice else ""

    evidence = (
        rows["evidence"].astype("string")
        if "evidence" in rows
        else pd.Series(pd.NA, index=rows.index)
    )
    return pd.DataFrame(
        {
            "unit": rows["unit_name"].astype("string"),
            "counterpart": rows["counterpart_name"].astype("string"),
            "outcome": rows["result_description"].astype("string"),
            "contribution": rows["counterfactual"].map(contribution),
            "substantiated": evidence.isin(["document", "link"])
            .fillna(False)
            .map({True: "yes", False: "no"}),
        }
    ).head(10)


def reach_table(
    kpis: pd.DataFrame, population: Mapping[str, float] | None, catalogue: Catalogue
) -> pd.DataFrame | None:
    """Inclusive reach (K9): share of participants, population share and their ratio."""
    if not population:
        return None
    rows = []
    for kpi in catalogue.kpis:
        if kpi.kind != "reach_ratio" or kpi.population not in population:
            continue
        row = kpis.loc[kpis["kpi_id"] == kpi.id].iloc[0]
        share = population[kpi.population]
        rows.append(
            {
                "group": kpi.population,
                "share": row["value"] * share if pd.notna(row["value"]) else None,
                "population_share": share,
                "ratio": row["value"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "n": row["n"],
                "suppressed": row["status"] == "suppressed",
            }
        )
    return pd.DataFrame(rows) if rows else None


def response_rates(
    workspace: str, period: str, frames: Mapping[str, pd.DataFrame | None]
) -> pd.DataFrame:
    """Responses per instrument; for participants, invited = attendees in the register."""
    register = frames.get("activity_register")
    rows = []
    for instrument_id, frame in frames.items():
        if instrument_id == "activity_register" or frame is None:
            continue
        invited = None
        if instrument_id == COMPARED_INSTRUMENT and register is not None:
            attendees = register[["attendees_in_person", "attendees_virtual"]].apply(
                pd.to_numeric, errors="coerce"
            )
            invited = float(attendees.sum().sum())
        responded = len(frame)
        rate = responded / invited if invited else None
        rows.append(
            {"instrument": instrument_id, "invited": invited, "responded": responded, "rate": rate}
        )
    return pd.DataFrame(rows)


def stories_table(follow_up: pd.DataFrame | None) -> pd.DataFrame | None:
    """Two or three Most Significant Change stories, as examples for a panel to replace.

    A story told twice from the same engagement (the same text, compared without case,
    accents or spacing) is shown once: duplicates are submissions repeated, not two stories.
    """
    if follow_up is None or "most_significant_change" not in follow_up:
        return None
    stories = follow_up["most_significant_change"].astype("string").str.strip()
    engagement = (
        follow_up["engagement_id"].astype("string").str.strip()
        if "engagement_id" in follow_up
        else pd.Series("", index=follow_up.index, dtype="string")
    )
    frame = pd.DataFrame({"story": stories, "engagement": engagement.fillna("")})
    frame = frame[frame["story"].fillna("").str.len() > 0]
    frame["key"] = frame["story"].map(lambda text: " ".join(fold(str(text)).split()))
    frame = frame.drop_duplicates(["engagement", "key"]).head(3)
    return pd.DataFrame(
        {
            "title": [f"Story {i}" for i in range(1, len(frame) + 1)],
            "story": frame["story"].to_list(),
            "selected_by": "example (the first three of the period; a panel should choose)",
        }
    )


def _kpi_history(
    workspace: str, period: str, catalogue: Catalogue,
    population: Mapping[str, float] | None, min_cell: int, seed: int,
) -> Any:  # fmt: skip
    """Every KPI in every stored period up to ``period``; None with a single period."""
    from evalkit.kpi.history import kpi_history_from_workspace, stored_periods

    if len(stored_periods(workspace, period)) < 2:
        return None
    return kpi_history_from_workspace(workspace, period, catalogue, population, min_cell,
                                      seed=seed)  # fmt: skip


def build_report_data(
    workspace: str,
    period: str,
    compare_period: str | None = None,
    *,
    catalogue: Catalogue | None = None,
    population: Mapping[str, float] | None = None,
    title: str | None = None,
    lang: str = "en",
    min_cell: int = 10,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    themes: Codebook | None = None,
    edition: str = "public",
) -> ReportData:
    """Everything the annual report shows, computed from a workspace for ``period``.

    Runs the KPIs (with the change from ``compare_period``), the mode comparison of the
    post-engagement survey, and the connector, relationship, inclusion and methods tables.
    ``progress``, when given, is called before each step (KPIs, responses, each outcome).
    With a theme codebook (``themes``), the free-text outcomes of every instrument give
    example quotes per theme (:mod:`evalkit.report.open_answers`). The ``"public"``
    edition suppresses named partners below ``min_cell``, quotes only groups of
    ``min_cell`` or more and prints no placeholder stories; the ``"internal"`` edition keeps
    the partner-level detail, quotes from every group and the example stories, and is
    marked internal on every page (personal data stay out of both).
    """
    check_edition(edition)
    detail = _detail_cell(edition, min_cell)
    catalogue = catalogue or load_catalogue()
    if progress:
        progress(f"computing KPIs for {period}")
    kpi_result = kpis_from_workspace(
        workspace, period, compare_period, catalogue, population, min_cell, seed=seed
    )
    history = _kpi_history(workspace, period, catalogue, population, min_cell, seed)
    ids = (
        "post_engagement",
        "follow_up",
        "connector_attribution",
        "partner_relationship",
        "community_programme",
        "delegation_host",
        "activity_register",
    )
    if progress:
        progress(f"reading the {period} responses")
    frames = {i: _responses(workspace, i, period) for i in ids}
    titles = {kpi.id: kpi.title_in(lang) for kpi in catalogue.kpis}
    if history:
        history.history["title"] = history.history["kpi_id"].map(titles)
    tables: dict[str, pd.DataFrame | None] = {
        "kpis": kpi_result.kpis.assign(title=kpi_result.kpis["kpi_id"].map(titles)),
        "kpi_breakdown": kpi_result.breakdown,
        "kpi_history": history.history if history else None,
        "kpi_trends": history.trends if history else None,
        "network": network_table(frames["connector_attribution"]),
        "outcomes": outcome_harvest(
            frames["connector_attribution"], load_instrument("connector_attribution"), lang
        ),
        "relationships": relationships_table(
            frames["partner_relationship"],
            _responses(workspace, "partner_relationship", compare_period)
            if compare_period
            else None,
            detail,
        ),
        "inclusive_reach": reach_table(kpi_result.kpis, population, catalogue),
        "stories": stories_table(frames["follow_up"]) if edition == "internal" else None,
        "response_rates": response_rates(workspace, period, frames),
    }
    metadata: dict[str, Any] = {
        "evalkit_version": __version__,
        "workspace": str(workspace),
        "seed": seed,
        "edition": edition,
        "kpis": kpi_result.metadata,
    }
    compared = load_instrument(COMPARED_INSTRUMENT)
    instruments = [load_instrument(i) for i in ids]
    if frames[COMPARED_INSTRUMENT] is not None:
        analysis, meta = _analysis(
            frames[COMPARED_INSTRUMENT], compared, lang, min_cell, seed, None, progress, themes
        )
        tables.update(analysis)
        metadata["analysis"] = meta
    if themes is not None:
        if progress:
            progress("coding the open answers")
        others = workspace_quotes(
            frames,
            {inst.id: inst for inst in instruments if inst.id != "activity_register"},
            themes,
            _options(compared, lang, detail, seed),
            skip=() if edition == "internal" else (COMPARED_INSTRUMENT,),
        )
        analysed = None if edition == "internal" else tables.get("quotes")
        tables["quotes"] = combine(analysed, others)
        metadata["themes"] = themes.source or None
    return ReportData(
        title=title
        or (
            "Informe anual de asuntos internacionales"
            if lang == "es"
            else "International affairs annual report"
        ),
        period=str(period),
        compare_period=str(compare_period) if compare_period else None,
        language=lang,
        edition=edition,
        tables=tables,
        methods=_methods(tables, min_cell),
        metadata=metadata,
        labels=labels_for(instruments, lang, catalogue),
    )


def build_file_report_data(
    path: str | Path,
    instrument: Instrument,
    *,
    platform: str = "auto",
    title: str | None = None,
    lang: str = "en",
    min_cell: int = 10,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    date_order: str | None = None,
    themes: Codebook | None = None,
    edition: str = "public",
) -> ReportData:
    """A report of one response file: its validation and the comparison across modes.

    ``progress``, when given, is called before each step (reading, validating, each outcome);
    ``date_order`` is the day/month order of the file's dates (``--date-order``); with a
    theme codebook (``themes``) the file's free-text outcomes give example quotes per theme,
    from every group in the ``"internal"`` edition (see :func:`build_report_data`).
    """
    check_edition(edition)
    # the same rows and columns as 'evalkit analyze FILE': valid rows, "not applicable"
    # answers counted, only the columns the analysis reads
    columns = analysis_columns(instrument, _options(instrument, lang, min_cell, seed, themes))
    frame, counts = frame_from_export(
        path, instrument, platform, progress, columns, date_order=date_order
    )
    tables: dict[str, pd.DataFrame | None] = {
        "response_rates": pd.DataFrame(
            [
                {
                    "instrument": instrument.id,
                    "invited": None,
                    "responded": counts["rows_valid"],
                    "rate": None,
                }
            ]
        ),
    }
    analysis, meta = _analysis(
        frame, instrument, lang, min_cell, seed, counts["input_sha256"], progress, themes
    )
    tables.update(analysis)
    if edition == "internal" and themes is not None:
        options = _options(instrument, lang, _detail_cell(edition, min_cell), seed)
        tables["quotes"] = instrument_quotes(frame, instrument, themes, options)
    rows = (counts["rows_in"], counts["rows_valid"], counts["rows_quarantined"])
    notes = ("{} rows read: {} valid, {} quarantined.".format(*rows),)
    return ReportData(
        title=title or instrument.title.get(lang),
        period=Path(path).name,
        language=lang,
        edition=edition,
        tables=tables,
        methods=_methods(tables, min_cell, notes),
        metadata={
            "evalkit_version": __version__,
            "file": str(path),
            "seed": seed,
            "edition": edition,
            "validation": dict(
                zip(("rows_in", "rows_valid", "rows_quarantined"), rows, strict=True)
            ),
            "analysis": meta,
        },
        labels=labels_for([instrument], lang, None),
    )


def _detail_cell(edition: str, min_cell: int) -> int:
    """The threshold for named partners and quotes: ``min_cell`` in the public edition, 1
    (every group) in the internal one."""
    return 1 if edition == "internal" else min_cell


def _methods(
    tables: Mapping[str, pd.DataFrame | None], min_cell: int, notes: tuple[str, ...] = ()
) -> Methods:
    tests: list[str] = []
    for name in ("comparisons", "pairwise"):
        table = tables.get(name)
        if table is not None and "test" in table:
            tests += [str(t) for t in table["test"].dropna().unique()]
    return Methods(
        tests_used=tuple(dict.fromkeys(tests)),
        min_cell=min_cell,
        limitations=LIMITATIONS,
        attribution=ATTRIBUTION,
        notes=notes,
    )
