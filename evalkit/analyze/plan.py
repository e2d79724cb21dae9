"""The plan of a run: which outcomes are analysed, and the labels findings use for them.

Outcomes are the instrument's ``role: outcome`` items of an analysed type (not personal
data, not the breakdown variable itself), its scales and its ratios, optionally restricted
to ``--outcome`` ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.analyze.filters import ENGAGEMENT, where_columns
from evalkit.analyze.options import AnalysisOptions
from evalkit.errors import UsageError
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
    """The outcomes of ``instrument`` to compare across ``breakdown_var``.

    Without ``--outcome``: every ``role: outcome`` item of an analysed type that is not
    personal data nor the breakdown, every scale and every ratio. ``--outcome`` ids may name
    any analysable item (a covariate too), scale or ratio; an id that names nothing, or
    something that cannot be analysed, is a one-line UsageError.
    """
    wanted = set(opts.outcomes)
    for outcome in opts.outcomes:
        check_outcome(instrument, outcome, breakdown_var)
    items = [
        item
        for item in instrument.items
        if item.type in ANALYSED_TYPES
        and not item.pii
        and item.id != breakdown_var
        and (item.id in wanted if wanted else item.role == "outcome")
    ]
    scales = [s for s in instrument.scales if not wanted or s.id in wanted]
    ratios = [r for r in instrument.ratios if not wanted or r.id in wanted]
    return Plan(items, scales, ratios)


def check_outcome(instrument: Instrument, outcome: str, breakdown_var: str | None = None) -> None:
    """Raise a one-line UsageError unless ``outcome`` names an analysable item, scale or ratio."""
    if any(s.id == outcome for s in instrument.scales) or any(
        r.id == outcome for r in instrument.ratios
    ):
        return
    if not instrument.has_item(outcome):
        known = [i.id for i in instrument.items if i.type in ANALYSED_TYPES and not i.pii]
        known += [s.id for s in instrument.scales] + [r.id for r in instrument.ratios]
        raise UsageError(
            f"--outcome {outcome!r}: {instrument.id} has no such item, scale or ratio",
            hint=f"outcomes are: {', '.join(known)}",
        )
    item = instrument.item(outcome)
    if item.pii:
        raise UsageError(
            f"--outcome {outcome!r} is personal data and is never analysed",
            hint="name another outcome",
        )
    if item.type == "text" and item.role == "outcome":
        return  # open answers: counts, lengths and themes (analysers/text.py)
    if item.type not in ANALYSED_TYPES:
        raise UsageError(
            f"--outcome {outcome!r} is a {item.type} item, which the comparison does not analyse",
            hint="name a Likert, select_one, select_multiple, number or NPS item, or a scale",
        )
    if item.id == breakdown_var:
        raise UsageError(
            f"--outcome {outcome!r} is the breakdown itself",
            hint="compare it across another --by, or use --by none for its topline",
        )


def analysis_columns(instrument: Instrument, options: AnalysisOptions | None = None) -> list[str]:
    """The item ids whose columns :func:`~evalkit.analyze.analyze` can read with these options.

    Every item of an analysed type (:data:`ANALYSED_TYPES`: outcomes, the group item,
    covariates, the items of scales and ratios), and any column the options name (``by``,
    ``weights``, ``adjust``, the items of ``margins``, those ``where`` reads, the engagement
    code for ``engagement``); not free text, dates or the response id. A caller that reads a
    file only to analyse it keeps just these columns of the valid rows (``evalkit analyze
    FILE``: the rows of the text columns are never copied). The analysis of a frame limited
    to them equals that of the whole frame (tested).

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> columns = analysis_columns(inst, AnalysisOptions(adjust=("engagement_id",)))
    >>> "worth_time" in columns, "engagement_id" in columns, "response_id" in columns
    (True, True, False)
    """
    opts = options or AnalysisOptions()
    weights = None if opts.weights == "none" else opts.weights
    sample = [c.strip() for x in (opts.strata, opts.cluster, opts.fpc) if x for c in x.split("/")]
    named = [opts.by, weights, *sample, *opts.adjust, *(opts.margins or {})]
    named += where_columns(opts.where) + ([ENGAGEMENT] if opts.engagement is not None else [])
    typed = [item.id for item in instrument.items if item.type in ANALYSED_TYPES]
    # free-text outcomes (never personal ones) are read only by the open-answer analysis
    typed += [
        i.id
        for i in instrument.items
        if i.type == "text"
        and not i.pii
        and (i.id in opts.outcomes if opts.outcomes else i.role == "outcome")
    ]
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
