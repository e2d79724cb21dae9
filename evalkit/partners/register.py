"""The partner register: ``partners.yaml``, kept by the office, names each partner once.

Partners are named differently across years and questionnaires ("City of Medellín",
"Medellin", "Alcaldía de Medellín"). The register gives each partner a canonical ``id`` and
lists the names it goes by::

    partners:
      - id: medellin
        name: City of Medellín
        aliases: [Medellin, Alcaldía de Medellín]
        type: city_government
        country: Colombia
        legacy: {tie: sister_city, since: 1998}
      - id: lyon
        name: City of Lyon
        type: city_government
        country: France
        ended: 2025

:func:`load_register` reads it through evalkit's one guarded YAML reader
(:func:`evalkit.instrument.yamlio.read_yaml`) and checks every key; a problem is one line
naming the file, line, key and the fix. :meth:`Register.resolve` maps a name to its id,
ignoring accents, case and spacing (an exact match otherwise: look-alike names are for
``evalkit partners suggest`` to propose and the office to confirm).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.errors import EvalkitError, Location
from evalkit.instrument.yamlio import LineMap, format_path, read_yaml

PARTNER_TYPES = ("city_government", "network_secretariat", "company", "consulate", "other")
"""The kinds of partner organisation a register entry may have."""

LEGACY_TIES = ("sister_city", "friendship_city", "twin_city", "partner_city", "other")
"""The kinds of legacy tie (a formal relationship predating the current engagement)."""

PARTNER_KEYS = ("id", "name", "aliases", "type", "country", "legacy", "ended", "notes")
LEGACY_KEYS = ("tie", "since")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_FIRST_YEAR, _LAST_YEAR = 1800, 2100
_SPACE = re.compile(r"\s+")


class PartnerRegisterError(EvalkitError):
    """A partner register (``partners.yaml``) cannot be read or is not valid."""

    code = "partner-register-invalid"


def fold(name: str) -> str:
    """``name`` without accents, case or repeated spaces: the key names are matched on.

    Examples
    --------
    >>> fold("  Alcaldía de  MEDELLÍN ")
    'alcaldia de medellin'
    >>> fold("Straße") == fold("STRASSE")
    True
    """
    decomposed = unicodedata.normalize("NFKD", str(name))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", bare.casefold()).strip()


@dataclass(frozen=True)
class Legacy:
    """A legacy tie, e.g. a sister-city agreement signed in ``since``."""

    tie: str
    since: int | None = None


@dataclass(frozen=True)
class Partner:
    """One partner organisation of the register."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    type: str = "other"
    country: str | None = None
    legacy: Legacy | None = None
    ended: int | None = None
    notes: str | None = None
    line: int | None = None

    def names(self) -> tuple[str, ...]:
        """Every name the partner goes by: its id, name and aliases."""
        return (self.id, self.name, *self.aliases)


@dataclass(frozen=True)
class Register:
    """The partners of a register, and the folded name of each alias to its id."""

    partners: tuple[Partner, ...] = ()
    path: str | None = None
    index: dict[str, str] = field(default_factory=dict, compare=False)

    def __iter__(self) -> Iterator[Partner]:
        return iter(self.partners)

    def __len__(self) -> int:
        return len(self.partners)

    def resolve(self, name: str) -> str | None:
        """The canonical id of ``name`` (its id, name or an alias, ignoring accents, case and
        spacing), or ``None`` when the register lacks it.

        Examples
        --------
        >>> reg = register_from_data({"partners": [{"id": "medellin", "name": "City of "
        ...     "Medellín", "aliases": ["Alcaldía de Medellín"], "type": "city_government"}]})
        >>> reg.resolve("ALCALDIA DE MEDELLIN"), reg.resolve("Medellin City")
        ('medellin', None)
        """
        return self.index.get(fold(name))

    def get(self, partner_id: str) -> Partner:
        """The partner with this id (``KeyError`` when there is none)."""
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise KeyError(partner_id)


def load_register(path: str | Path) -> Register:
    """Read and check a ``partners.yaml``.

    Raises
    ------
    PartnerRegisterError
        One line naming the file, line and key of the first problem, and the fix.
    """
    data, lines = read_yaml(
        path,
        what="partner register",
        error=lambda message, at, hint: PartnerRegisterError(message, at, hint),
        empty_hint="start with 'partners:' and one entry per partner (docs/relationships.md)",
    )
    return register_from_data(data, str(path), lines)


def register_from_data(
    data: Any, path: str | None = None, lines: LineMap | None = None
) -> Register:
    """Check register ``data`` (as read from YAML) and build the :class:`Register`."""
    checker = _Checker(path, lines or LineMap())
    if not isinstance(data, dict) or "partners" not in data:
        raise checker.fail(
            (),
            "expected a 'partners:' list at the top of the file",
            "write 'partners:' followed by one '- id: ...' entry per partner",
        )
    extra = sorted(str(k) for k in data if k != "partners")
    if extra:
        raise checker.fail(
            (extra[0],),
            f"unknown top-level key {extra[0]!r}",
            "the register holds only 'partners:'",
        )
    entries = data["partners"] or []
    if not isinstance(entries, list):
        raise checker.fail(
            ("partners",),
            "'partners' must be a list of entries",
            "write each partner as '- id: ...' under 'partners:'",
        )
    partners = tuple(checker.partner(i, entry) for i, entry in enumerate(entries))
    return Register(partners, path, checker.index(partners))


@dataclass
class _Checker:
    path: str | None
    lines: LineMap

    def fail(self, key: tuple[str | int, ...], message: str, hint: str) -> PartnerRegisterError:
        where = Location(self.path, self.lines.line(key), key=format_path(key) or None)
        return PartnerRegisterError(message, where, hint)

    def partner(self, i: int, entry: Any) -> Partner:
        at: tuple[str | int, ...] = ("partners", i)
        if not isinstance(entry, dict):
            raise self.fail(
                at,
                "each partner must be a mapping ('id: ...', 'name: ...')",
                "indent the partner's keys under its '- id:' line",
            )
        for key in entry:
            if key not in PARTNER_KEYS:
                raise self.fail(
                    (*at, str(key)),
                    f"unknown key {key!r}",
                    f"use one of: {', '.join(PARTNER_KEYS)}",
                )
        return Partner(
            id=self._id(at, entry.get("id")),
            name=self._text((*at, "name"), entry.get("name"), required=True) or "",
            aliases=self._aliases((*at, "aliases"), entry.get("aliases")),
            type=self._choice((*at, "type"), entry.get("type", "other"), PARTNER_TYPES),
            country=self._text((*at, "country"), entry.get("country")),
            legacy=self._legacy((*at, "legacy"), entry.get("legacy")),
            ended=self._year((*at, "ended"), entry.get("ended")),
            notes=self._text((*at, "notes"), entry.get("notes")),
            line=self.lines.line(at),
        )

    def _id(self, at: tuple[str | int, ...], value: Any) -> str:
        if value is None:
            raise self.fail(
                at, "the partner has no 'id'", "add e.g. 'id: medellin' (lower case, digits, _)"
            )
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(
                (*at, "id"),
                f"id {value!r} is not lower case letters, digits and _",
                "write e.g. 'id: medellin' or 'id: c40_secretariat'",
            )
        return value

    def _text(self, at: tuple[str | int, ...], value: Any, required: bool = False) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            what = "is missing" if value is None else f"must be text, found {value!r}"
            raise self.fail(
                at,
                f"'{at[-1]}' {what}",
                f"write '{at[-1]}: ...' as text (quote it if it looks like a number)",
            )
        return value.strip()

    def _aliases(self, at: tuple[str | int, ...], value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(
                at,
                "'aliases' must be a list of names",
                "write 'aliases: [Medellin, Alcaldía de Medellín]'",
            )
        return tuple(self._text((*at, j), v, required=True) or "" for j, v in enumerate(value))

    def _choice(self, at: tuple[str | int, ...], value: Any, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(
                at,
                f"'{at[-1]}' {value!r} is not one of the known kinds",
                f"use one of: {', '.join(allowed)}",
            )
        return str(value)

    def _year(self, at: tuple[str | int, ...], value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(
                at,
                f"'{at[-1]}' must be a year, found {value!r}",
                f"write the year alone, e.g. '{at[-1]}: 2025'",
            )
        if not _FIRST_YEAR <= value <= _LAST_YEAR:
            raise self.fail(
                at,
                f"'{at[-1]}' {value} is not a plausible year",
                f"write a year between {_FIRST_YEAR} and {_LAST_YEAR}",
            )
        return value

    def _legacy(self, at: tuple[str | int, ...], value: Any) -> Legacy | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(
                at, "'legacy' must be a mapping", "write 'legacy: {tie: sister_city, since: 1998}'"
            )
        for key in value:
            if key not in LEGACY_KEYS:
                raise self.fail(
                    (*at, str(key)),
                    f"unknown key {key!r} in 'legacy'",
                    "use 'tie' and 'since', e.g. {tie: sister_city, since: 1998}",
                )
        tie = self._choice((*at, "tie"), value.get("tie"), LEGACY_TIES)
        return Legacy(tie, self._year((*at, "since"), value.get("since")))

    def index(self, partners: tuple[Partner, ...]) -> dict[str, str]:
        """Folded name -> id; refuse a duplicate id, or one name given to two partners."""
        index: dict[str, str] = {}
        seen_ids: dict[str, int] = {}
        for i, partner in enumerate(partners):
            if partner.id in seen_ids:
                raise self.fail(
                    ("partners", i, "id"),
                    f"id {partner.id!r} is used twice (first at partner "
                    f"{seen_ids[partner.id] + 1})",
                    "merge the two entries, or give one another id",
                )
            seen_ids[partner.id] = i
            for name in partner.names():
                key = fold(name)
                owner = index.setdefault(key, partner.id)
                if owner != partner.id:
                    raise self.fail(
                        ("partners", i),
                        f"the name {name!r} is also a name of partner {owner!r}",
                        "keep it under one partner only; merge the two if they "
                        "are the same organisation",
                    )
        return index
