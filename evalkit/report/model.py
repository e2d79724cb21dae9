"""The input of the report stage: :class:`ReportData`, a frozen bundle of tidy tables.

The report stage is a pure renderer. Everything it shows arrives in a :class:`ReportData`;
it computes no statistics. Each table has a fixed column contract (:data:`TABLE_COLUMNS`);
a table may be empty or missing (``None``), and its section then says that nothing is
available. Columns outside the contract are never rendered, so a column that slipped
through upstream (for example a personal-data item) cannot reach any output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evalkit.errors import UsageError
from evalkit.kpi.history import HISTORY_COLUMNS, TREND_COLUMNS

# The column contract of every table the report reads. Upstream tables may carry more
# columns (ignored) or fewer (filled with NaN); the order here is the order of every output.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpis": (
        "kpi_id",
        "code",
        "title",
        "kind",
        "unit",
        "direction",
        "output",
        "period",
        "value",
        "ci_low",
        "ci_high",
        "n",
        "target",
        "status",
        "compare_value",
        "change",
        "change_ci_low",
        "change_ci_high",
        "trend",
        "reason",
        "concern",
        "source",
    ),
    # the KPI stage's own contract (evalkit.kpi.history), not a second copy of it
    "kpi_history": tuple(HISTORY_COLUMNS),
    "kpi_trends": tuple(TREND_COLUMNS),
    "kpi_breakdown": (
        "kpi_id",
        "group_var",
        "group",
        "value",
        "ci_low",
        "ci_high",
        "n",
        "suppressed",
    ),
    "comparisons": (
        "outcome",
        "outcome_type",
        "group_var",
        "test",
        "statistic",
        "df",
        "p_value",
        "p_holm",
        "p_fdr",
        "effect_name",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "n",
        "suppressed",
        "note",
    ),
    "pairwise": (
        "outcome",
        "group_var",
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "effect_name",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "p_holm",
        "p_fdr",
        "suppressed",
    ),
    "likert": ("item", "group", "level", "label", "count", "share", "suppressed"),
    "network": ("local_unit", "counterpart", "status", "via_office"),
    "relationships": ("partner", "dimension", "score", "previous_score", "n", "suppressed"),
    "inclusive_reach": (
        "group",
        "share",
        "population_share",
        "ratio",
        "ci_low",
        "ci_high",
        "n",
        "suppressed",
    ),
    "outcomes": ("unit", "counterpart", "outcome", "contribution", "substantiated"),
    "stories": ("title", "story", "selected_by"),
    "pre_post": (
        "outcome",
        "label",
        "n",
        "change",
        "change_ci_low",
        "change_ci_high",
        "p_value",
        "p_fdr",
        "suppressed",
    ),
    "quotes": ("outcome", "theme", "label", "group", "quote"),
    "response_rates": ("instrument", "invited", "responded", "rate"),
    "findings": ("outcome", "kind", "p_fdr", "sentence"),
}

# Cells hidden when a row is suppressed: its estimate and every number that could reveal the
# size of the small group (no cell 1–10 shown or derivable).
SUPPRESSED_HIDE: dict[str, tuple[str, ...]] = {
    "kpi_breakdown": ("value", "ci_low", "ci_high", "n"),
    "pre_post": ("n", "change", "change_ci_low", "change_ci_high", "p_value", "p_fdr"),
    "comparisons": (
        "statistic",
        "df",
        "p_value",
        "p_holm",
        "p_fdr",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "n",
    ),
    "pairwise": (
        "n_a",
        "n_b",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "p_holm",
        "p_fdr",
    ),
    "likert": ("count", "share"),
    "relationships": ("score", "previous_score", "n"),
    "inclusive_reach": ("share", "ratio", "ci_low", "ci_high", "n"),
}

# C0 control characters other than tab, newline and carriage return: XML 1.0 (SVG, XLSX,
# DOCX) forbids them, and they have no business in a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: Any) -> Any:
    r"""Drop control characters from strings (other values unchanged).

    Examples
    --------
    >>> clean_text("a\x00b\x0bc\td"), clean_text(3)
    ('abc\td', 3)
    """
    return _CONTROL.sub("", value) if isinstance(value, str) else value


# Words that mean yes or no in a flag column (``substantiated``): the builder writes
# "yes"/"no", a hand-made table may hold booleans. ``bool("no")`` is true, so a flag is
# never read with ``bool``.
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}


def yes_no(value: Any) -> str | None:
    """``"yes"``, ``"no"`` or ``None`` (missing or not a yes/no word) for a flag cell.

    Examples
    --------
    >>> yes_no("no"), yes_no(True), yes_no(np.False_), yes_no("Yes"), yes_no(None)
    ('no', 'yes', 'no', 'yes', None)
    """
    if not _present(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    return "yes" if text in _YES else "no" if text in _NO else None


NETWORK_STATUSES = ("dormant", "exchanging_info", "joint_activity", "formal_agreement")
LANGUAGES = ("en", "es")
EDITIONS = ("public", "internal")


def check_edition(edition: str) -> None:
    """Raise a one-line UsageError unless ``edition`` is ``public`` or ``internal``."""
    if edition not in EDITIONS:
        raise UsageError(
            f"report edition {edition!r} is not known",
            hint="use --edition public (suppressed, the default) or --edition internal",
        )


def conform(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """Return table ``name`` with exactly its contract columns, suppressed cells emptied.

    Extra columns are dropped, missing ones added as NaN. In tables with a ``suppressed``
    column, the cells listed in :data:`SUPPRESSED_HIDE` become NaN on suppressed rows, so
    no output format can show them whatever the upstream table held.

    Examples
    --------
    >>> raw = pd.DataFrame({"group": ["youth"], "ratio": [0.5], "n": [4],
    ...                     "suppressed": [True], "email": ["x@example.org"]})
    >>> t = conform("inclusive_reach", raw)
    >>> list(t.columns) == list(TABLE_COLUMNS["inclusive_reach"]), pd.isna(t.loc[0, "n"])
    (True, True)
    """
    columns = list(TABLE_COLUMNS[name])
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(
            f"report table {name!r} must be a pandas DataFrame, got {type(frame).__name__}",
            hint="build ReportData from the tidy tables of analyze/kpi",
        )
    out = frame.reindex(columns=columns).reset_index(drop=True).astype(object)
    out = out.apply(lambda column: column.map(clean_text))
    if name == "quotes":
        out = _safe_quotes(out)
    if "substantiated" in out:
        out["substantiated"] = out["substantiated"].map(yes_no)
    if "suppressed" in out:
        flag = out["suppressed"].map(lambda v: bool(v) if _present(v) else False).astype(bool)
        out["suppressed"] = flag
        hide = list(SUPPRESSED_HIDE.get(name, ()))
        if hide and flag.any():
            out.loc[flag.to_numpy(), hide] = np.nan
    return out


def _safe_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """Quotes redacted again (e-mails, phone numbers, links; idempotent), empty ones dropped.

    Analysis redacts every quote it draws (:func:`evalkit.analyze.themes.redact`); redacting
    here too means a hand-made or edited table cannot put an address into any format.
    """
    from evalkit.analyze.themes import redact

    text = quotes["quote"].map(lambda v: redact(str(v)) if _present(v) else "")
    return quotes.assign(quote=text)[text.str.len() > 0].reset_index(drop=True)


def likert_from_levels(levels: pd.DataFrame, group_var: str = "mode") -> pd.DataFrame:
    """The ``likert`` table from analysis's ``levels`` table (one ``group_var`` only).

    Analysis names the item column ``outcome`` and keeps several grouping variables; the
    report draws one diverging bar per item and group of ``group_var``.

    Examples
    --------
    >>> levels = pd.DataFrame({"outcome": ["q", "q"], "group_var": ["mode", "region"],
    ...     "group": ["virtual", "north"], "level": [1, 1], "label": ["No", "No"],
    ...     "count": [12, 15], "share": [1.0, 1.0], "suppressed": [False, False]})
    >>> likert_from_levels(levels)[["item", "group", "count"]].values.tolist()
    [['q', 'virtual', 12]]
    """
    if "group_var" in levels:
        levels = levels[levels["group_var"] == group_var]
    return conform("likert", levels.rename(columns={"outcome": "item"}))


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


@dataclass(frozen=True)
class Methods:
    """What the methods box says besides the response-rate table."""

    tests_used: tuple[str, ...] = ()
    min_cell: int = 10
    limitations: tuple[str, ...] = ()
    attribution: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything an annual report shows, as tidy tables plus a few strings.

    Attributes
    ----------
    title, period, compare_period, language
        Report title, the reporting period (``"2026"``), the comparison period or ``None``,
        and the language of fixed text (``"en"`` or ``"es"``).
    edition
        ``"public"`` (the default) or ``"internal"``: an internal report holds partner-level
        detail and quotes from small groups and is marked internal on every page.
    tables
        ``{name: DataFrame}`` for names in :data:`TABLE_COLUMNS`; any may be missing or empty.
        ``kpis`` and ``kpi_breakdown`` come from the KPI stage, ``comparisons``,
        ``pairwise`` and ``findings`` from analysis, ``likert`` holds the level
        distribution of Likert items by mode (analysis's ``levels`` table with ``outcome``
        renamed ``item``, see :func:`likert_from_levels`), ``network`` the connector
        edges, ``relationships`` the partner × dimension scores, and ``inclusive_reach``,
        ``outcomes`` (outcome harvest), ``stories`` (Most Significant Change),
        ``quotes`` (example answers per theme, redacted again here) and ``response_rates``
        the rest.
    methods
        Tests used, suppression threshold, limitations and the attribution standard.
    metadata
        Versions, instrument ids, input hashes, seed; copied to ``results.json``.
    labels
        Display names for item ids, KPI ids, group values and dimensions (``{id: label}``).
    """

    title: str
    period: str
    compare_period: str | None = None
    language: str = "en"
    edition: str = "public"
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    methods: Methods = field(default_factory=Methods)
    metadata: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_edition(self.edition)
        if self.language not in LANGUAGES:
            raise UsageError(
                f"report language {self.language!r} is not supported",
                hint=f"use one of: {', '.join(LANGUAGES)}",
            )
        unknown = sorted(set(self.tables) - set(TABLE_COLUMNS))
        if unknown:
            raise UsageError(
                f"unknown report tables: {', '.join(unknown)}",
                hint=f"use the names {', '.join(TABLE_COLUMNS)}",
            )

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name`` conformed to its contract (see :func:`conform`).

        In the public edition the suppressed rows of ``relationships`` are left out: a
        partner's name says that the partner answered (see :meth:`omitted_partners`).
        """
        if name not in TABLE_COLUMNS:
            raise KeyError(name)
        table = conform(name, self.tables.get(name))
        if name == "relationships" and self.edition == "public":
            shown = ~table["suppressed"].to_numpy(dtype=bool)
            table = table.loc[shown].reset_index(drop=True)
        return table

    def omitted_partners(self) -> int:
        """How many partners the public edition leaves out (every cell suppressed)."""
        if self.edition != "public":
            return 0
        rows = conform("relationships", self.tables.get("relationships"))
        hidden = rows["suppressed"].to_numpy(dtype=bool)
        return len(set(rows.loc[hidden, "partner"]) - set(rows.loc[~hidden, "partner"]))

    def label(self, key: Any) -> str:
        """The display label of an id, or the id itself."""
        text = "" if key is None else str(key)
        return clean_text(self.labels.get(text, text))

    def group_label(self, kpi_id: Any, group: Any) -> str:
        """The label of a KPI breakdown group, from the KPI's own instrument.

        ``labels["<kpi id>:<group>"]`` when the builder gave one (it does for every group
        it computed); otherwise the group's own label (hand-made tables).
        """
        key = f"{kpi_id}:{group}"
        return clean_text(self.labels[key]) if key in self.labels else self.label(group)
