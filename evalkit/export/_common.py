"""What every exporter shares: the result record, language names, cell cleaning."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.io import neutralise_formula

# English names of the languages offices use most; XLSForm headers read "English (en)".
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "sw": "Swahili",
    "tl": "Tagalog",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
# More languages of XLSForms in the field, read (never written) by name: ``label::Tigrinya``.
_MORE_NAMES: dict[str, str] = {
    "afrikaans": "af",
    "amharic": "am",
    "bengali": "bn",
    "bangla": "bn",
    "burmese": "my",
    "czech": "cs",
    "danish": "da",
    "dari": "prs",
    "farsi": "fa",
    "filipino": "fil",
    "finnish": "fi",
    "greek": "el",
    "gujarati": "gu",
    "haitian creole": "ht",
    "hausa": "ha",
    "hebrew": "he",
    "hungarian": "hu",
    "igbo": "ig",
    "indonesian": "id",
    "khmer": "km",
    "kinyarwanda": "rw",
    "kurdish": "ku",
    "lao": "lo",
    "lingala": "ln",
    "luganda": "lg",
    "malagasy": "mg",
    "malay": "ms",
    "marathi": "mr",
    "nepali": "ne",
    "norwegian": "no",
    "oromo": "om",
    "oromiffa": "om",
    "afaan oromoo": "om",
    "pashto": "ps",
    "punjabi": "pa",
    "quechua": "qu",
    "romanian": "ro",
    "serbian": "sr",
    "croatian": "hr",
    "shona": "sn",
    "sinhala": "si",
    "swedish": "sv",
    "tamil": "ta",
    "telugu": "te",
    "thai": "th",
    "tigrinya": "ti",
    "turkish": "tr",
    "urdu": "ur",
    "wolof": "wo",
    "xhosa": "xh",
    "yoruba": "yo",
    "zulu": "zu",
    "chichewa": "ny",
    "bulgarian": "bg",
    "catalan": "ca",
    "english (default)": "en",
    "deutsch (de)": "de",
    "mandarin": "zh",
    "kiswahili": "sw",
}
_NATIVE_NAMES = {
    "español": "es",
    "français": "fr",
    "deutsch": "de",
    "português": "pt",
    "italiano": "it",
    "tiếng việt": "vi",
}
_BARE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_CODE_IN_NAME = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)\s*$")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes
    ----------
    target
        The export format (``xlsform``, ``qualtrics``, ...).
    path
        The main file written.
    extra_files
        Side files written next to it (value maps, rename maps).
    notes
        Things the office must know or do by hand, one sentence each (for example the
        items whose skip logic must be re-added in Qualtrics).
    """

    target: str
    path: Path
    extra_files: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default=())


def language_label(code: str) -> str:
    """The XLSForm language name for a code: ``English (en)``.

    Examples
    --------
    >>> language_label("es"), language_label("xx")
    ('Spanish (es)', 'xx (xx)')
    """
    return f"{LANGUAGE_NAMES.get(code.split('-')[0], code)} ({code})"


def language_code(name: str) -> str | None:
    """The code in an XLSForm language name (``Español (es)`` -> ``es``), None if unknown.

    Examples
    --------
    >>> language_code("Français (fr)"), language_code("English"), language_code("es")
    ('fr', 'en', 'es')
    >>> language_code("Tigrinya"), language_code("Klingon") is None
    ('ti', True)
    """
    match = _CODE_IN_NAME.search(name)
    if match:
        return match.group(1)
    wanted = name.strip().lower()
    if _BARE_CODE.match(name.strip()):
        return name.strip()
    for code, english in LANGUAGE_NAMES.items():
        if english.lower() == wanted:
            return code
    return _NATIVE_NAMES.get(wanted) or _MORE_NAMES.get(wanted)


def html_text(text: str | None) -> str | None:
    """Instrument text for a platform that renders it as HTML (Qualtrics, LimeSurvey, REDCap):
    ``<``, ``>`` and ``&`` escaped, so ``<script>`` or ``<img onerror=...>`` shows as text.
    Quotes stay: outside a tag they cannot start an attribute.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)"> Q&A')
    '&lt;img src=x onerror="alert(1)"&gt; Q&amp;A'
    """
    return None if text is None else html.escape(text, quote=False)


def cell(value: Any) -> Any:
    """A value ready for a spreadsheet cell: None for empty, text formula-neutralised."""
    if value is None or value == "":
        return None
    return neutralise_formula(value)


def uncell(value: Any) -> Any:
    """Undo :func:`cell` on a value read back (strip the ``'`` that neutralised a formula)."""
    if isinstance(value, str) and value[:1] == "'" and neutralise_formula(value[1:]) == value:
        return value[1:]
    return value


def number_text(value: float) -> str:
    """A bound as text that reads back as the same number (``0``, ``0.5``, ``100.0``)."""
    return str(value) if isinstance(value, int) else repr(float(value))
