"""Export instruments to the platforms offices use: one module per target, one registry.

>>> sorted(TARGETS)
['codebook', 'csv-template', 'html', 'limesurvey', 'qualtrics', 'redcap', 'xlsform']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import UsageError
from evalkit.export._common import ExportResult
from evalkit.instrument.model import Instrument
from evalkit.instrument.render import check_language


@dataclass(frozen=True)
class Target:
    """An export target: where its writer lives, its file suffix, what it is for."""

    module: str
    function: str
    suffix: str
    description: str


TARGETS: dict[str, Target] = {
    "xlsform": Target(
        "evalkit.export.xlsform", "export_xlsform", ".xlsx", "KoboToolbox, ODK, SurveyCTO, Ona"
    ),
    "qualtrics": Target(
        "evalkit.export.qualtrics", "export_qualtrics", ".txt", "Qualtrics Advanced Format TXT"
    ),
    "codebook": Target(
        "evalkit.export.codebook", "export_codebook", ".md", "Markdown codebook (Google/MS Forms)"
    ),
    "html": Target("evalkit.export.html", "export_html", ".html", "printable paper questionnaire"),
    "csv-template": Target(
        "evalkit.export.template", "export_csv_template", ".csv", "data-entry header row"
    ),
    "redcap": Target("evalkit.export.redcap", "export_redcap", ".csv", "REDCap data dictionary"),
    "limesurvey": Target(
        "evalkit.export.limesurvey", "export_limesurvey", ".txt", "LimeSurvey TSV structure"
    ),
}


def export_instrument(
    instrument: Instrument, target: str, path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write ``instrument`` in format ``target`` to ``path`` (atomically) and say what was written.

    Raises :class:`~evalkit.errors.UsageError` for an unknown target or language.
    """
    if target not in TARGETS:
        raise UsageError(
            f"unknown export format {target!r}", hint=f"use one of: {', '.join(TARGETS)}"
        )
    check_language(instrument, lang)
    spec = TARGETS[target]
    writer = getattr(importlib.import_module(spec.module), spec.function)
    return writer(instrument, Path(path), lang)


__all__ = ["TARGETS", "ExportResult", "Target", "export_instrument"]
