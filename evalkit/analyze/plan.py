"""The plan of a run: which outcomes are analysed, and the labels findings use for them.

Outcomes are the instrument's ``role: outcome`` items of an analysed type (not personal
data, not the breakdown variable itself), its scales and its ratios, optionally restricted
to ``--outcome`` ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.analyze.options import AnalysisOptions
from evalkit.instrument.model import Instrument, Item, Ratio, Scale

ANALYSED_TYPES = ("likert", "select_one", "select_multiple", "integer", "decimal", "nps")


@dataclass(frozen=True)
class Plan:
    """The outcome items, scales and ratios of one run, in instrument order."""

    items: list[Item]
    scales: list[Scale]
    ratios: list[Ratio]

    @property
    def size(self) -> int:
        """Number of outcome families (items, scales, ratios) to analyse."""
        return len(self.items) + len(self.scales) + len(self.ratios)


def plan_outcomes(instrument: Instrument, opts: AnalysisOptions, breakdown_var: str) -> Plan:
    """The outcomes of ``instrument`` to compare across ``breakdown_var``."""
    wanted = set(opts.outcomes)
    items = [
        item
        for item in instrument.items
        if item.role == "outcome"
        and not item.pii
        and item.type in ANALYSED_TYPES
        and item.id != breakdown_var
        and (not wanted or item.id in wanted)
    ]
    scales = [s for s in instrument.scales if not wanted or s.id in wanted]
    ratios = [r for r in instrument.ratios if not wanted or r.id in wanted]
    return Plan(items, scales, ratios)


def analysis_columns(instrument: Instrument, options: AnalysisOptions | None = None) -> list[str]:
    """The item ids whose columns :func:`~evalkit.analyze.analyze` can read with these options.

    Every item of an analysed type (:data:`ANALYSED_TYPES`: outcomes, the group item,
    covariates, the items of scales and ratios), and any column the options name (``by``,
    ``weights``, ``adjust``, the items of ``margins``); not free text, dates or the response
    id. A caller that reads a file only to analyse it keeps just these columns of the valid
    rows (``evalkit analyze FILE``: the rows of the text columns are never copied). The
    analysis of a frame limited to them equals that of the whole frame (tested).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> columns = analysis_columns(inst, AnalysisOptions(adjust=("engagement_id",)))
    >>> "worth_time" in columns, "engagement_id" in columns, "response_id" in columns
    (True, True, False)
    """
    opts = options or AnalysisOptions()
    named = [opts.by, opts.weights, *opts.adjust, *(opts.margins or {})]
    typed = [item.id for item in instrument.items if item.type in ANALYSED_TYPES]
    return list(dict.fromkeys([*typed, *(name for name in named if name)]))


def outcome_labels(instrument: Instrument, lang: str | None) -> dict[str, str]:
    """Each outcome's label (item text, option '<item> – <choice>', scale and ratio labels)."""
    labels = {}
    for item in instrument.items:
        labels[item.id] = item.text.get(lang).strip()
        if item.type == "select_multiple" and item.choices:
            for choice in instrument.choice_list(item.choices):
                labels[f"{item.id}__{choice.name}"] = (
                    f"{item.text.get(lang).strip()} – {choice.label.get(lang)}"
                )
    for scale in instrument.scales:
        labels[scale.id] = scale.label.get(lang) if scale.label else scale.id
    for ratio in instrument.ratios:
        labels[ratio.id] = ratio.label.get(lang) if ratio.label else ratio.id
    return labels
