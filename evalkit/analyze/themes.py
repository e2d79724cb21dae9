"""Open answers: a theme codebook, matching answers to themes, and redacted example quotes.

A codebook is a small YAML file the office writes (read by the guarded YAML reader)::

    themes:
      - id: new_contacts
        label: {en: New contacts, es: Nuevos contactos}
        keywords:
          en: [contact, "met people", network]
          es: [contacto, "conocí", red]
    items: [outcome_statement]     # optional: the free-text items it codes (default: all)

An answer mentions a theme when one of its keywords (in any of the theme's languages) starts
a word of the answer, compared without case and accents: ``contact`` matches "Contacts" and
"contactó", ``red`` does not match "tired". An answer may mention several themes. This is
dictionary coding: transparent and repeatable, and only as good as the codebook, which the
office should check against a sample of answers (docs/methods.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import Location, UsageError

MAX_THEMES = 200
MAX_KEYWORDS = 2_000
QUOTE_CHARS = 300
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a run of 7+ digits, optionally with +, spaces, dots, dashes or brackets between them
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
URL = re.compile(r"https?://\S+|www\.\S+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Theme:
    """One theme: id, label per language and keywords (folded) in every language."""

    id: str
    label: dict[str, str]
    keywords: tuple[str, ...]

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (else English, else the id)."""
        return self.label.get(lang) or self.label.get("en") or self.id


@dataclass(frozen=True)
class Codebook:
    """The themes and the items they code (empty: every free-text outcome)."""

    themes: tuple[Theme, ...]
    items: tuple[str, ...] = ()
    source: str = ""

    def codes(self, item_id: str) -> bool:
        """Whether this codebook codes the item."""
        return not self.items or item_id in self.items


def fold(text: str) -> str:
    """Lower case without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a theme codebook (see the module docstring for the format).

    Raises a one-line :class:`UsageError` naming the file and the key for anything that is
    not a codebook.
    """
    from evalkit.instrument.yamlio import read_yaml

    source = str(path)
    data, _ = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise UsageError(
            "a theme codebook needs a list 'themes:'",
            Location(source),
            "see docs/methods.md, 'Open answers', for the format",
        )
    if len(data["themes"]) > MAX_THEMES:
        raise UsageError(f"more than {MAX_THEMES} themes", Location(source, key="themes"))
    themes, seen, n_keywords = [], set(), 0
    for index, entry in enumerate(data["themes"]):
        theme = _theme(entry, index, source)
        if theme.id in seen:
            raise UsageError(f"theme {theme.id!r} appears twice", Location(source, key="themes"))
        seen.add(theme.id)
        n_keywords += len(theme.keywords)
        themes.append(theme)
    if n_keywords > MAX_KEYWORDS:
        raise UsageError(f"more than {MAX_KEYWORDS} keywords", Location(source, key="themes"))
    items = data.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise UsageError("'items' must be a list of item ids", Location(source, key="items"))
    return Codebook(tuple(themes), tuple(items), source)


def _theme(entry: object, index: int, source: str) -> Theme:
    where = Location(source, key=f"themes[{index}]")
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise UsageError("each theme needs an 'id'", where, "e.g. - id: new_contacts")
    label = entry.get("label", entry["id"])
    label = {"en": label} if isinstance(label, str) else label
    keywords = entry.get("keywords")
    if isinstance(keywords, list):
        keywords = {"any": keywords}
    if not isinstance(label, dict) or not isinstance(keywords, dict) or not keywords:
        raise UsageError(
            f"theme {entry['id']!r} needs 'keywords' (a list, or one list per language)",
            where,
            "e.g. keywords: {en: [contact, network], es: [contacto, red]}",
        )
    words = []
    for lang, values in keywords.items():
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise UsageError(
                f"theme {entry['id']!r}: keywords.{lang} must be a list of words or phrases",
                where,
            )
        words += [fold(v.strip()) for v in values]
    return Theme(
        entry["id"], {str(k): str(v) for k, v in label.items()}, tuple(dict.fromkeys(words))
    )


def theme_matrix(answers: pd.Series, themes: tuple[Theme, ...]) -> np.ndarray:
    """n x themes boolean matrix: which themes each answer mentions (missing: none)."""
    folded = answers.astype("string").fillna("").map(fold)
    out = np.zeros((len(answers), len(themes)), dtype=bool)
    for j, theme in enumerate(themes):
        # a keyword must start a word; phrases keep their inner spaces
        pattern = r"(?<!\w)(?:" + "|".join(re.escape(k) for k in theme.keywords) + ")"
        out[:, j] = folded.str.contains(pattern, regex=True).to_numpy(dtype=bool)
    return out


def redact(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """A quote safe to print: e-mails, phone numbers, links and the given names replaced,
    control characters dropped, cut to :data:`QUOTE_CHARS` characters.

    Examples
    --------
    >>> redact("Write to ana.lopez@city.gov or call +1 (555) 123-4567, Ana Lopez", ["Ana Lopez"])
    'Write to [e-mail] or call [phone], [name]'
    """
    out = CONTROL.sub(" ", text)
    out = EMAIL.sub("[e-mail]", out)
    out = URL.sub("[link]", out)
    out = PHONE.sub("[phone]", out)
    for name in sorted({n for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True):
        out = re.sub(re.escape(name.strip()), "[name]", out, flags=re.IGNORECASE)
    out = " ".join(out.split())
    return out if len(out) <= QUOTE_CHARS else out[: QUOTE_CHARS - 1].rstrip() + "…"
