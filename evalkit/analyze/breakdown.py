"""The breakdown: which group each response belongs to, and group x level count tables.

A breakdown is the variable the analysis compares across: its group names and labels, and
one integer code per row (-1: no group). It is one of

- ``none``: no breakdown, the topline (one group, ``all``; no tests);
- an item: any select_one or Likert item (by default the instrument's ``role: group`` item,
  i.e. mode), an engagement column of the activity register joined by engagement code
  (``activity_type``, ``network``, ``sector``), or a numeric item cut into ``--bins``;
- an option of a select_multiple item (``next_step_types__visit``: ticked or not);
- ``period``: the period a workspace stores each response under.

Every analyser reads its outcome through :meth:`Breakdown.table`, one ``np.bincount`` over a
precomputed row offset, so an outcome with few levels costs one pass over its column
whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit._columns import level_index
from evalkit.analyze._common import category_codes
from evalkit.analyze.options import AnalysisOptions
from evalkit.analyze.values import missing_names, numeric
from evalkit.errors import UsageError
from evalkit.instrument.model import Instrument, Item

NONE = "none"  # --by none: the topline
PERIOD = "period"  # --by period: the workspace's periods
ALL = "all"  # the topline's one group
# engagement columns of the activity register, joined to responses by engagement code
ENGAGEMENT_COLUMNS = ("activity_type", "network", "sector")


@dataclass
class Breakdown:
    """The groups compared, and one code per row of the frame.

    Attributes
    ----------
    var
        Name of the breakdown variable (an item id).
    names, labels
        Group names (choice values) and their labels in the run's language.
    codes
        Group code of each row; -1 when the row belongs to no group.
    """

    var: str
    names: list[str]
    labels: list[str]
    codes: np.ndarray  # int per row, -1 = no group
    kind: str = "item"  # none | item | option | bins | period
    between: dict[str, str] = field(default_factory=dict)  # findings' words, per language
    edges: tuple[float, ...] = ()  # bins: the cut points
    totals: np.ndarray | None = None
    codes_ext: np.ndarray | None = None
    # group code x (levels + 1), per number of levels: the row offset of each row's cell in a
    # flattened table, shared by every outcome with that many levels
    offsets: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of groups."""
        return len(self.names)

    @property
    def compares(self) -> bool:
        """Whether groups are compared (False for the topline, which only describes)."""
        return self.kind != "none"

    def between_words(self, lang: str) -> str:
        """What findings say the groups differ between ("modes", "years", ...)."""
        return self.between.get(lang) or self.between.get("en") or f"groups of {self.var}"

    def table(self, values, levels: np.ndarray) -> np.ndarray:
        """k x L count table of ``values`` over ``levels``; anything that is not a level
        (missing, out of range, fractional) is not counted. ``values`` is a float array or a
        column's own integers (see :func:`evalkit.analyze.values.numbers`)."""
        k, n_levels = self.k, len(levels)
        if n_levels == 0:
            return np.zeros((k, 0), dtype=np.int64)
        # no level lands in column L and rows without a group in row k, both dropped at the
        # end: full-array passes, no masking
        cells = level_index(values, levels)
        cells += self.group_offsets(n_levels + 1)
        flat = np.bincount(cells, minlength=(k + 1) * (n_levels + 1))
        return flat.reshape(k + 1, n_levels + 1)[:k, :n_levels]

    def group_offsets(self, width: int) -> np.ndarray:
        """Each row's group (no group: k) times ``width``, computed once per width and run."""
        if width not in self.offsets:
            self.offsets[width] = self.extended_codes().astype(np.intp) * width
        return self.offsets[width]

    def extended_codes(self) -> np.ndarray:
        """Group codes with 'no group' as k (an extra row to drop), computed once per run."""
        if self.codes_ext is None:
            self.codes_ext = np.where(self.codes < 0, self.k, self.codes).astype(np.int64)
        return self.codes_ext

    def missing(self, answered: np.ndarray) -> np.ndarray:
        """Rows of each group that did not give a counted answer."""
        if self.totals is None:
            self.totals = np.bincount(self.codes[self.codes >= 0], minlength=self.k)
        return self.totals - answered

    def count_choices(self, series: pd.Series, names: set[str]) -> np.ndarray:
        """Answers of each group that are one of the choice ``names`` (e.g. 'na')."""
        if not names or pd.api.types.is_numeric_dtype(series):
            return np.zeros(self.k, dtype=np.int64)
        if isinstance(series.dtype, pd.CategoricalDtype):
            per_category = np.isin(series.cat.categories.astype(str), list(names))
            hit = np.append(per_category, False)[series.cat.codes.to_numpy()]
        else:
            hit = series.astype("string").isin(names).to_numpy(dtype=bool, na_value=False)
        hit = hit & (self.codes >= 0)
        return np.bincount(self.codes[hit], minlength=self.k)


def breakdown_from(frame: pd.DataFrame, instrument: Instrument, opts: AnalysisOptions) -> Breakdown:
    """The breakdown named by ``opts.by`` (default: the instrument's group item; without one,
    the topline).

    Groups of an item are its substantive choices in instrument order; values outside the
    choice list become groups of their own (sorted), 'not applicable'-type choices belong to
    no group. Raises a one-line UsageError for a breakdown the responses cannot give.
    """
    var = opts.by or (instrument.group_item.id if instrument.group_item else NONE)
    if var == NONE:
        if opts.bins:
            raise UsageError("--bins cuts a numeric --by item", hint="drop --bins or name --by")
        return _topline(frame, opts.lang or instrument.default_language)
    if var == PERIOD:
        return _periods(frame, opts)
    if var not in frame.columns:
        raise UsageError(
            f"the group variable {var!r} is not a column of the responses",
            hint=_missing_hint(var, frame, instrument),
        )
    item, owner = breakdown_item(instrument, var)
    lang = opts.lang if owner is not None and opts.lang in owner.languages else None
    lang = lang or (owner.default_language if owner is not None else "en")
    option = _option_of(instrument, var)
    if option is not None:
        return _option_breakdown(frame, var, instrument, *option, lang)
    numeric_item = item is not None and item.type in ("integer", "decimal")
    if opts.bins or numeric_item:
        return _binned(frame, var, item, opts.bins, lang)
    if item is not None and item.type not in ("select_one", "likert"):
        raise UsageError(
            f"--by {var}: a {item.type} item does not make groups",
            hint="break down by a select_one item, an option 'item__choice', period or none",
        )
    return _categories(frame, var, item, owner, lang, instrument)


def breakdown_item(instrument: Instrument, var: str) -> tuple[Item | None, Instrument | None]:
    """The item behind a breakdown column and the instrument that defines it (the activity
    register for its engagement columns); (None, None) for a column no instrument defines."""
    if instrument.has_item(var):
        return instrument.item(var), instrument
    if var in ENGAGEMENT_COLUMNS:
        from evalkit.instrument import load_instrument

        register = load_instrument("activity_register")
        return register.item(var), register
    return None, None


def _missing_hint(var: str, frame: pd.DataFrame, instrument: Instrument) -> str:
    if var in ENGAGEMENT_COLUMNS:
        return (
            f"{var} comes from the activity register, joined by engagement code: analyse "
            "--workspace W where the register is stored"
        )
    if instrument.has_item(var) and instrument.item(var).type == "select_multiple":
        choices = instrument.choices_for(var)
        first = choices.substantive[0].name if choices and choices.substantive else "choice"
        return f"break down by one option of {var}, e.g. --by {var}__{first}"
    return f"check --by; columns are: {', '.join(map(str, frame.columns[:12]))}"


def _categories(frame, var, item, owner, lang, instrument) -> Breakdown:
    choice_list = owner.choices_for(item) if item is not None else None
    raw = frame[var]
    names = [c.name for c in choice_list.substantive] if choice_list else []
    labels = [c.label.get(lang) for c in choice_list.substantive] if choice_list else []
    codes = category_codes(raw, names)
    unknown = raw[(codes < 0) & raw.notna().to_numpy()]
    if len(unknown):  # values outside the choice list become groups of their own
        seen = {str(v) for v in pd.unique(unknown)}
        extra = sorted(seen - missing_names(owner or instrument, item))
        names += extra
        labels += extra
        codes = category_codes(raw, names)
    return Breakdown(var, names, labels, codes, between=_between_item(var, item))


def _between_item(var: str, item: Item | None) -> dict[str, str]:
    """Findings' words for the groups of an item: "modes" only for the mode item."""
    if var == "mode":
        return {"en": "modes", "es": "modalidades"}
    if var == "activity_type":
        return {"en": "engagement types", "es": "tipos de encuentro"}
    if item is None:
        return {"en": f"groups of {var}", "es": f"grupos de {var}"}

    def text(lang: str) -> str:
        return item.text.get(lang).strip().rstrip("?.:")

    return {"en": f"groups of “{text('en')}”", "es": f"grupos de «{text('es')}»"}


def _topline(frame: pd.DataFrame, lang: str) -> Breakdown:
    label = "Todas las respuestas" if lang == "es" else "All respondents"
    codes = np.zeros(len(frame), dtype=np.int64)
    return Breakdown(NONE, [ALL], [label], codes, kind="none")


def _periods(frame: pd.DataFrame, opts: AnalysisOptions) -> Breakdown:
    if PERIOD not in frame.columns:
        raise UsageError(
            "--by period needs the period each response is stored under",
            hint="analyse --workspace W (without --period) to compare periods",
        )
    raw = frame[PERIOD].astype("string")
    names = sorted(str(v) for v in pd.unique(raw.dropna()))
    codes = category_codes(raw, names)
    years = all(len(n) == 4 and n.isdigit() for n in names)
    between = {"en": "years", "es": "años"} if years else {"en": "periods", "es": "periodos"}
    return Breakdown(PERIOD, names, list(names), codes, kind="period", between=between)


def _option_of(instrument: Instrument, var: str) -> tuple[Item, str, str] | None:
    """(item, choice name, choice label) when ``var`` is a select_multiple option column."""
    item_id, _, choice = var.partition("__")
    if not choice or not instrument.has_item(item_id):
        return None
    item = instrument.item(item_id)
    if item.type != "select_multiple":
        return None
    found = next((c for c in instrument.choices_for(item) or () if c.name == choice), None)
    return (item, choice, found) if found is not None else None


def _option_breakdown(frame, var, instrument, item, choice, found, lang) -> Breakdown:
    values = numeric(frame[var])
    codes = np.where(np.isnan(values), -1, np.where(values > 0, 0, 1)).astype(np.int64)
    label = found.label.get(lang)
    es = lang == "es"
    labels = (
        [f"marcó «{label}»", f"no marcó «{label}»"]
        if es
        else [
            f"ticked “{label}”",
            f"did not tick “{label}”",
        ]
    )
    between = {
        "en": f"those who ticked “{found.label.get('en')}” and those who did not",
        "es": f"quienes marcaron «{found.label.get('es')}» y quienes no",
    }
    return Breakdown(var, ["yes", "no"], labels, codes, kind="option", between=between)


def _binned(frame, var, item: Item | None, bins: str | None, lang: str) -> Breakdown:
    if not bins:
        raise UsageError(
            f"--by {var}: {var} is a number",
            hint="cut it into groups with --bins 4 (quartiles) or --bins 0,1,5,10 (edges)",
        )
    values = numeric(frame[var])
    edges = _edges(values, bins, var)
    whole = item is not None and item.type == "integer"
    # [e0, e1), [e1, e2), ..., [e_last-1, e_last]: the last bin holds its upper edge
    codes = np.searchsorted(edges, values, side="right") - 1
    codes[values == edges[-1]] = len(edges) - 2
    codes[np.isnan(values) | (values < edges[0]) | (values > edges[-1])] = -1
    names = [
        _bin_name(edges[i], edges[i + 1], i == len(edges) - 2, whole) for i in range(len(edges) - 1)
    ]
    return Breakdown(
        var,
        names,
        list(names),
        codes.astype(np.int64),
        kind="bins",
        between=_between_item(var, item),
        edges=tuple(float(e) for e in edges),
    )


def _edges(values: np.ndarray, bins: str, var: str) -> np.ndarray:
    """Cut points: ``N`` quantile groups of the observed values, or the edges given."""
    text = bins.strip()
    try:
        if "," in text:
            edges = np.array([float(x) for x in text.split(",")])
        else:
            count = int(text)
            if count < 2:
                raise ValueError
            observed = values[~np.isnan(values)]
            if len(observed) == 0:
                raise UsageError(f"--by {var}: no answers to cut into groups", hint="")
            edges = np.unique(np.quantile(observed, np.linspace(0, 1, count + 1)))
    except ValueError:
        raise UsageError(
            f"--bins {bins!r} is neither a number of groups nor comma-separated edges",
            hint="e.g. --bins 4 (quartiles) or --bins 0,1,5,10",
        ) from None
    if len(edges) < 2 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
        raise UsageError(
            f"--bins {bins!r} does not give two or more groups of increasing edges",
            hint="give increasing edges, e.g. --bins 0,1,5,10, or fewer quantile groups",
        )
    return edges


def _bin_name(low: float, high: float, last: bool, whole: bool) -> str:
    def text(x: float) -> str:
        return f"{x:g}"

    if whole:  # integers: 0, 1-4, 5-500
        top = high if last else np.ceil(high) - 1
        low = np.ceil(low)
        return text(low) if top <= low else f"{text(low)}–{text(top)}"
    return f"{text(low)} to {text(high)}" if last else f"{text(low)} to under {text(high)}"
