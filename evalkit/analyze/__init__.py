"""Statistics engine: compare outcome measures across engagement modes.

The entry point is :func:`analyze` (in :mod:`evalkit.analyze.compare`), which returns an
:class:`~evalkit.analyze.result.AnalysisResult` of tidy tables with fixed columns. Each
statistical family lives in its own module (proportions, ordinal, means, counts, nps, paired,
multiplicity, reliability, descriptives, suppress, weights, adjust, power).
"""

from evalkit.analyze.compare import (
    AnalysisOptions,
    analysis_columns,
    analyze,
    analyze_paired,
    file_sha256,
    options_from,
)
from evalkit.analyze.result import COLUMNS, AnalysisResult

__all__ = [
    "COLUMNS",
    "AnalysisOptions",
    "AnalysisResult",
    "analysis_columns",
    "analyze",
    "analyze_paired",
    "file_sha256",
    "options_from",
]
