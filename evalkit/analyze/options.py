"""The options of one analysis run (every one is recorded in the result's metadata)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evalkit.analyze._common import check_alpha, check_n_boot
from evalkit.analyze.suppress import check_min_cell

if TYPE_CHECKING:
    from evalkit.analyze.themes import Codebook


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of one run (every one is recorded in the result's metadata).

    Attributes
    ----------
    by
        The breakdown (:mod:`evalkit.analyze.breakdown`): an item id (a select_one or Likert
        item, a numeric item with ``bins``, an option ``item__choice`` of a select_multiple
        item, an engagement column of the activity register), ``"period"`` or ``"none"``
        (the topline); default the instrument's ``role: group`` item, or the topline.
    bins
        With a numeric ``by`` item: ``"4"`` for four quantile groups, or edges ``"0,1,5,10"``.
    where
        A filter in the instrument's skip-logic language (:mod:`evalkit.instrument.relevant`),
        e.g. ``activity_type = 'conference' and mode != 'virtual'``.
    engagement
        Only the responses to this engagement code.
    alpha
        1 - confidence level, and the significance level findings use.
    min_cell
        Groups with fewer answers are suppressed (default 10).
    seed
        Seed of every random procedure (bootstrap, Monte Carlo Fisher).
    n_boot
        Bootstrap resamples for count outcomes.
    lang
        Language of labels in findings (default: the instrument's first).
    outcomes
        Restrict to these outcome ids (items or scales); empty = all.
    weights
        Column holding probability (survey) weights; every estimate and SE is then weighted
        (linearised SEs as R survey, design-based t, Wald F and Rao-Scott tests, Kish
        effective n).
    strata, cluster, fpc
        The sample design's columns (:mod:`evalkit.analyze.survey`), as R's
        ``svydesign(strata=, id=, fpc=)``: strata, primary sampling units (two stages as
        ``"psu/ssu"``) and the population size or sampling fraction (``"N1/N2"`` for two
        stages). Any of them makes the run design-based, as ``weights`` does.
    lonely_psu
        What a stratum with a single PSU contributes: ``fail`` (default), ``remove``,
        ``certainty``, ``adjust`` or ``average`` (R ``options(survey.lonely.psu=)``).
    margins
        Population margins ``{item: {category: share}}`` to rake the weights to (IPF).
    rake_bounds
        Lower and upper bound of raked weights relative to their mean.
    adjust
        Covariate items: adds covariate-adjusted comparisons (regression with robust SEs,
        proportional odds for Likert items) labelled "adjusted association", and a balance
        table of standardised mean differences.
    propensity
        ``"ipw"`` or ``"overlap"``: instead of regression, weight by propensity scores of the
        group given the ``adjust`` covariates; every comparison is then an adjusted association.
    themes
        A theme codebook (:func:`evalkit.analyze.themes.load_codebook`) for free-text items:
        theme shares by group and redacted example quotes.
    """

    by: str | None = None
    bins: str | None = None
    where: str | None = None
    engagement: str | None = None
    alpha: float = 0.05
    min_cell: int = 10
    seed: int = 0
    n_boot: int = 2000
    lang: str | None = None
    outcomes: tuple[str, ...] = field(default_factory=tuple)
    weights: str | None = None
    strata: str | None = None
    cluster: str | None = None
    fpc: str | None = None
    lonely_psu: str = "fail"
    margins: dict[str, dict[str, float]] | None = None
    rake_bounds: tuple[float, float] = (0.2, 5.0)
    adjust: tuple[str, ...] = field(default_factory=tuple)
    propensity: str | None = None
    themes: Codebook | None = None


def options_from(
    margins: str | None = None,
    outcomes=(),
    adjust: str | None = None,
    themes: str | None = None,
    **kwargs: Any,
) -> AnalysisOptions:
    """AnalysisOptions from command-line values (``margins`` and ``themes`` are YAML paths,
    ``adjust`` a comma-separated list of items)."""
    from evalkit.analyze.themes import load_codebook
    from evalkit.analyze.weights import load_margins

    return AnalysisOptions(
        themes=load_codebook(themes) if themes else None,
        outcomes=tuple(outcomes),
        adjust=tuple(a.strip() for a in adjust.split(",") if a.strip()) if adjust else (),
        margins=load_margins(margins) if margins else None,
        **{k: v for k, v in kwargs.items() if v is not None},
    )


def check_options(opts: AnalysisOptions) -> None:
    """Raise a UsageError for an alpha, min_cell or n_boot no analysis can use."""
    check_alpha(opts.alpha)
    check_min_cell(opts.min_cell)
    check_n_boot(opts.n_boot)
