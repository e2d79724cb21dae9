"""The instrument model: frozen dataclasses, no I/O.

An :class:`Instrument` is what a questionnaire *is* to evalkit: fixed wording in one or more
languages, typed items, choice lists, scales and skip logic. Everything downstream (exports,
ingest, validation, analysis, reports) reads this model, never the YAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from evalkit.instrument.relevant import Expr

ItemType = Literal[
    "select_one", "select_multiple", "likert", "integer", "decimal", "nps", "text", "date"
]
Role = Literal["group", "outcome", "covariate", "id", "weight", "context"]

ITEM_TYPES: tuple[str, ...] = (
    "select_one",
    "select_multiple",
    "likert",
    "integer",
    "decimal",
    "nps",
    "text",
    "date",
)
ROLES: tuple[str, ...] = ("group", "outcome", "covariate", "id", "weight", "context")
CHOICE_TYPES: frozenset[str] = frozenset({"select_one", "select_multiple", "likert"})
NUMERIC_TYPES: frozenset[str] = frozenset({"integer", "decimal", "nps"})
ChoiceValue = int | str


@dataclass(frozen=True)
class Text:
    """A text in every language of the instrument, e.g. ``Text((("en", "Yes"), ("es", "Sí")))``.

    Stored as a tuple of ``(language, text)`` pairs so that it is hashable and compares by value.
    """

    translations: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: dict[str, str]) -> Text:
        """Build a Text from a ``{language: text}`` mapping, keeping its order."""
        return cls(tuple((str(k), str(v)) for k, v in mapping.items()))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.translations)

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang``; the first language's text when ``lang`` is None or missing."""
        for code, text in self.translations:
            if code == lang:
                return text
        return self.translations[0][1] if self.translations else ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.translations)

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Choice:
    """One answer option. ``missing`` options (N/A, prefer not to say) become NA in analysis."""

    value: ChoiceValue
    label: Text
    missing: bool = False

    @property
    def name(self) -> str:
        """The value as a string, as platforms store it (``1``, ``in_person``)."""
        return str(self.value)


@dataclass(frozen=True)
class ChoiceList:
    """A named, ordered list of choices shared by items (``agree5``, ``mode``)."""

    id: str
    choices: tuple[Choice, ...]

    def __iter__(self) -> Iterator[Choice]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    @property
    def values(self) -> tuple[ChoiceValue, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def substantive(self) -> tuple[Choice, ...]:
        """The choices that count in analysis (not ``missing``), in their order."""
        return tuple(c for c in self.choices if not c.missing)

    def find(self, value: object) -> Choice | None:
        """The choice whose value equals ``value`` (compared as strings), or None."""
        wanted = str(value)
        for choice in self.choices:
            if choice.name == wanted:
                return choice
        return None


@dataclass(frozen=True)
class Item:
    """One question (or staff-recorded field) of an instrument."""

    id: str
    type: ItemType
    text: Text
    choices: str | None = None
    role: Role | None = None
    required: bool = False
    relevant: str | None = None
    min: float | None = None
    max: float | None = None
    pii: bool = False
    hint: Text | None = None
    section: str | None = None
    source: str | None = None
    unit: str | None = None

    @property
    def has_choices(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(min, max); NPS items are 0 to 10 by definition."""
        if self.type == "nps":
            return (0, 10)
        return (self.min, self.max)


@dataclass(frozen=True)
class Scale:
    """A multi-item scale: its score is the mean (or sum) of its items after reverse-scoring."""

    id: str
    items: tuple[str, ...]
    label: Text | None = None
    reverse: tuple[str, ...] = ()
    score: Literal["mean", "sum"] = "mean"
    min_items: int = 1
    source: str | None = None


@dataclass(frozen=True)
class Term:
    """One term of a ratio side: ``item × factor × each of times``, per row."""

    item: str
    times: tuple[str, ...] = ()
    factor: float = 1.0

    @property
    def items(self) -> tuple[str, ...]:
        return (self.item, *self.times)


@dataclass(frozen=True)
class Ratio:
    """A ratio-of-totals outcome (cost per attendee): the sum over a group's rows (units, e.g.
    engagements) of the numerator terms divided by the sum of the denominator terms."""

    id: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    label: Text | None = None
    unit: str | None = None

    @property
    def items(self) -> tuple[str, ...]:
        """Every item the ratio reads, in order, without repeats."""
        terms = (*self.numerator, *self.denominator)
        return tuple(dict.fromkeys(name for term in terms for name in term.items))


@dataclass(frozen=True)
class Section:
    """A titled block of items (an XLSForm group, a Qualtrics block, a page on paper)."""

    id: str
    title: Text


@dataclass(frozen=True)
class Unanalysed:
    """A question of the form that evalkit records but does not analyse (geopoint, ...).

    Validation ignores its export columns with a note, so no ``--map`` is needed.
    """

    name: str
    type: str
    label: Text | None = None
    repeat: str | None = None


@dataclass(frozen=True)
class Source:
    """A published source that an adapted item or scale credits."""

    id: str
    citation: str
    url: str | None = None


@dataclass(frozen=True)
class Instrument:
    """A versioned questionnaire with fixed wording.

    Examples
    --------
    >>> from evalkit.instrument import load_instrument
    >>> inst = load_instrument("post_engagement")
    >>> inst.id, inst.group_item.id
    ('post_engagement', 'mode')
    >>> inst.item("worth_time").type
    'likert'
    """

    id: str
    version: str
    title: Text
    languages: tuple[str, ...]
    items: tuple[Item, ...]
    choice_lists: tuple[ChoiceList, ...] = ()
    scales: tuple[Scale, ...] = ()
    ratios: tuple[Ratio, ...] = ()
    sections: tuple[Section, ...] = ()
    sources: tuple[Source, ...] = ()
    unanalysed: tuple[Unanalysed, ...] = ()
    respondent: str | None = None
    timing: str | None = None
    purpose: Text | None = None
    kind: Literal["survey", "register"] = "survey"
    path: str | None = field(default=None, compare=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError names the known ids when there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"{self.id} has no item {item_id!r}")

    def has_item(self, item_id: str) -> bool:
        return any(item.id == item_id for item in self.items)

    def choice_list(self, list_id: str) -> ChoiceList:
        for choice_list in self.choice_lists:
            if choice_list.id == list_id:
                return choice_list
        raise KeyError(f"{self.id} has no choice list {list_id!r}")

    def choices_for(self, item: Item | str) -> ChoiceList | None:
        """The choice list of a choice item, None for other items."""
        item = self.item(item) if isinstance(item, str) else item
        return self.choice_list(item.choices) if item.choices else None

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"{self.id} has no section {section_id!r}")

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"{self.id} has no scale {scale_id!r}")

    @property
    def group_item(self) -> Item | None:
        """The first ``role: group`` item (the comparison variable, usually ``mode``)."""
        return next((item for item in self.items if item.role == "group"), None)

    def items_with_role(self, role: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.role == role)

    @property
    def outcomes(self) -> tuple[Item, ...]:
        return self.items_with_role("outcome")

    @property
    def pii_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.pii)

    def relevance(self, item: Item | str) -> Expr | None:
        """The parsed skip-logic expression of an item (None when always shown)."""
        from evalkit.instrument.relevant import parse_relevant

        item = self.item(item) if isinstance(item, str) else item
        return parse_relevant(item.relevant) if item.relevant else None
