"""Partner names in the workspace: those the register lacks, and look-alikes to merge.

Names are read from the instruments that name partners: ``partner_name`` of the partner
relationship check, ``partners`` of the activity register (several per activity, separated
by semicolons) and ``counterpart_name`` of the connector attribution survey.

:func:`suggest_merges` groups look-alike names with rapidfuzz's ``token_set_ratio`` on
names folded for accents and case, with words that say only "a city" (city, of, de,
municipality, alcaldía ...) left out, so that "City of Medellín", "Medellin" and "Alcaldía de
Medellín" meet. Two names whose distinctive words both have a word the other lacks ("Consulate
of Mexico in Riverton" and "Consulate of Chile in Riverton") are not proposed, however high
their score.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.errors import DataError, Location
from evalkit.partners.register import PARTNER_TYPES, Partner, Register, fold

# (instrument, item, separator of several names in one answer)
PARTNER_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    ("partner_relationship", "partner_name", None),
    ("activity_register", "partners", ";"),
    ("connector_attribution", "counterpart_name", None),
)
DEFAULT_THRESHOLD = 85.0
TOKEN_MATCH = 80.0  # two words are "the same word" (a typo, a plural) from this score on
GENERIC_WORDS = frozenset({
    "city", "of", "the", "de", "del", "la", "le", "el", "les", "los", "las", "in", "and",
    "municipality", "municipal", "municipio", "alcaldia", "ayuntamiento", "prefeitura",
    "mairie", "ville", "stadt", "gemeente", "council", "government", "metropolitan",
})  # fmt: skip
# an organisation of this kind is not the city it is in ("Consulate of Mexico", "Mexico City")
KIND_WORDS = frozenset({"consulate", "consulado", "consulat", "embassy", "embajada", "ambassade"})
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SeenName:
    """A partner name as written in the workspace, with where and how often it appears."""

    name: str
    count: int
    sources: tuple[str, ...]
    periods: tuple[str, ...]


def workspace_names(workspace: str | Path, period: str | None = None) -> list[SeenName]:
    """Every partner name in the workspace (one period or all), most frequent first."""
    from evalkit.store import load_responses, workspace_status

    if not Path(workspace).is_file():
        raise DataError(
            "no such workspace", Location(file=str(workspace)), "create it with 'evalkit ingest'"
        )
    stored = set(workspace_status(workspace)["instrument_id"])
    rows: list[tuple[str, str, str]] = []
    for instrument, item, separator in PARTNER_SOURCES:
        if instrument not in stored:
            continue
        frame = load_responses(workspace, instrument, period)
        if item not in frame.columns:
            continue
        for value, when in zip(frame[item], frame["period"], strict=True):
            for name in split_names(value, separator):
                rows.append((name, f"{instrument}.{item}", str(when)))
    return summarise_names(rows)


def split_names(value: object, separator: str | None) -> list[str]:
    """The names in one answer: stripped, blanks dropped, split on ``separator``.

    Examples
    --------
    >>> split_names(" City of Lyon; Port of Rotterdam ;", ";")
    ['City of Lyon', 'Port of Rotterdam']
    """
    if value is None or value != value or str(value) in ("", "<NA>"):
        return []
    parts = str(value).split(separator) if separator else [str(value)]
    return [" ".join(p.split()) for p in parts if p.strip()]


def summarise_names(rows: Iterable[tuple[str, str, str]]) -> list[SeenName]:
    """(name, source, period) rows -> one :class:`SeenName` per name, most frequent first."""
    counts: Counter[str] = Counter()
    sources: dict[str, set[str]] = defaultdict(set)
    periods: dict[str, set[str]] = defaultdict(set)
    for name, source, when in rows:
        counts[name] += 1
        sources[name].add(source)
        periods[name].add(when)
    return [
        SeenName(name, n, tuple(sorted(sources[name])), tuple(sorted(periods[name])))
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], fold(kv[0]), kv[0]))
    ]


def unknown_names(names: Iterable[SeenName], register: Register) -> list[SeenName]:
    """The names that :meth:`Register.resolve` does not know, in the order given."""
    return [seen for seen in names if register.resolve(seen.name) is None]


def key_words(name: str) -> tuple[str, ...]:
    """The distinctive words of a name: folded, generic words left out (all of them kept
    when nothing else is left).

    Examples
    --------
    >>> key_words("Alcaldía de Medellín"), key_words("City of Medellin")
    (('medellin',), ('medellin',))
    >>> key_words("The City")
    ('the', 'city')
    """
    words = tuple(_WORD.findall(fold(name)))
    kept = tuple(w for w in words if w not in GENERIC_WORDS)
    return kept or words


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0-100: rapidfuzz ``token_set_ratio`` of their key words, and
    0 when each has a distinctive word with no look-alike in the other, or only one is a
    consulate or embassy.

    Examples
    --------
    >>> similarity("City of Medellín", "Alcaldía de Medellin")
    100.0
    >>> similarity("Consulate of Mexico in Riverton", "Consulate of Chile in Riverton")
    0.0
    """
    from rapidfuzz import fuzz

    wa, wb = key_words(a), key_words(b)
    if bool(KIND_WORDS & set(wa)) != bool(KIND_WORDS & set(wb)):
        return 0.0
    if _unmatched(wa, wb) and _unmatched(wb, wa):
        return 0.0
    return float(fuzz.token_set_ratio(" ".join(wa), " ".join(wb)))


def _unmatched(words: tuple[str, ...], other: tuple[str, ...]) -> list[str]:
    from rapidfuzz import fuzz

    return [w for w in words if not any(fuzz.ratio(w, o) >= TOKEN_MATCH for o in other)]


@dataclass
class MergeGroup:
    """Look-alike names to merge: under a registered partner, or into a new entry."""

    names: list[str]
    partner_id: str | None = None
    registered: list[str] = field(default_factory=list)  # ids of registered partners in it


def suggest_merges(
    names: list[SeenName],
    register: Register | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[MergeGroup]:
    """Groups of look-alike names, most frequent name first.

    A group's first name is its most frequent, then one written with accents, then the
    longest. Single-link: a pair scoring ``threshold`` or more (:func:`similarity`) joins
    their groups. With a register, its names and aliases take part, names it resolves
    already are not proposed, and two registered names are never joined directly (the
    register says they are different partners, or the same one). A group with one
    registered partner proposes its other names as that partner's aliases; a group without
    one proposes a new entry.
    """
    known = _register_names(register)
    counts = {s.name: s.count for s in names}
    fresh = [s.name for s in names if register is None or register.resolve(s.name) is None]
    pool = list(dict.fromkeys([*fresh, *known]))
    parent = list(range(len(pool)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(pool):
        for j in range(i + 1, len(pool)):
            b = pool[j]
            if (a in known and b in known) or root(i) == root(j):
                continue
            if similarity(a, b) >= threshold:
                parent[root(j)] = root(i)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, name in enumerate(pool):
        groups[root(i)].append(name)
    out = []
    for members in groups.values():
        new = [m for m in members if m not in known]
        ids = sorted({known[m] for m in members if m in known})
        if new and (ids or len(new) > 1):
            new.sort(
                key=lambda n: (
                    -counts.get(n, 0),
                    fold(n) == " ".join(n.casefold().split()),
                    -len(n.split()),
                    fold(n),
                )
            )
            out.append(MergeGroup(new, ids[0] if len(ids) == 1 else None, ids))
    return out


def _register_names(register: Register | None) -> dict[str, str]:
    """Each name (name and aliases) of the register -> its partner id."""
    if register is None:
        return {}
    return {name: p.id for p in register for name in (p.name, *p.aliases)}


def slug(name: str) -> str:
    """A register id made from a name's key words.

    Examples
    --------
    >>> slug("Alcaldía de Medellín"), slug("Port of Rotterdam Authority")
    ('medellin', 'port_rotterdam_authority')
    """
    return "_".join(key_words(name))[:40].strip("_") or "partner"


def entry_of(partner: Partner, extra_aliases: Iterable[str] = ()) -> dict[str, object]:
    """A register entry (as written in ``partners.yaml``) for ``partner``, with
    ``extra_aliases`` that it does not resolve already."""
    aliases = list(partner.aliases)
    folded = {fold(n) for n in partner.names()}
    for alias in extra_aliases:
        if fold(alias) not in folded:
            aliases.append(alias)
            folded.add(fold(alias))
    entry: dict[str, object] = {"id": partner.id, "name": partner.name}
    if aliases:
        entry["aliases"] = aliases
    entry["type"] = partner.type
    for key in ("country", "ended", "notes"):
        if getattr(partner, key) is not None:
            entry[key] = getattr(partner, key)
    if partner.legacy is not None:
        entry["legacy"] = {
            "tie": partner.legacy.tie,
            **({"since": partner.legacy.since} if partner.legacy.since is not None else {}),
        }
    return entry


def merge_snippet(groups: list[MergeGroup], register: Register | None = None) -> str:
    """The proposals as a YAML ``partners:`` list the office can check and paste.

    A new partner gets ``type: other`` (to be set) and an id from its most frequent name; a
    registered partner's entry is written whole with the new aliases, to replace its entry.
    A name that looks like several registered partners is only a comment.
    """
    import yaml

    taken = {p.id for p in register} if register else set()
    lines = [
        "# proposed by 'evalkit partners suggest': check each entry before pasting it",
        "# into partners.yaml; set the type and country of every new partner",
        "# (types: " + ", ".join(PARTNER_TYPES) + ")",
        "partners:",
    ]
    for group in groups:
        if register is not None and group.partner_id is not None:
            partner = register.get(group.partner_id)
            where = f" (line {partner.line})" if partner.line else ""
            lines.append(f"  # replaces the entry of {partner.id!r}{where}: new aliases")
            entry = entry_of(partner, group.names)
        elif group.registered:
            names = ", ".join(repr(n) for n in group.names)
            ids = " and ".join(repr(i) for i in group.registered)
            lines.append(f"  # {names} look like {ids}: add them as aliases of the right one")
            continue
        else:
            new_id = _unique(slug(group.names[0]), taken)
            entry = entry_of(Partner(new_id, group.names[0]), group.names[1:])
        dumped = yaml.safe_dump(
            [entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=88
        )
        lines += ["  " + line for line in dumped.splitlines()]
    return "\n".join(lines) + "\n"


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate
