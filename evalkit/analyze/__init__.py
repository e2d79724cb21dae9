"""Statistics engine: compare outcome measures across groups (by default engagement modes).

The entry point is :func:`analyze` (in :mod:`evalkit.analyze.engine`), which returns an
:class:`~evalkit.analyze.result.AnalysisResult` of tidy tables with fixed columns. The
engine plans the run (:mod:`.plan`), sets up the breakdown (:mod:`.breakdown`) and the design
(:mod:`.design`), and hands each outcome to its family's analyser (:mod:`.analysers`);
adjustment (:mod:`.adjust`) and pre/post analysis (:mod:`.paired`) have modules of their own.
Each statistical family lives in its own module too (proportions, ordinal, means, counts,
nps, multiplicity, reliability, descriptives, suppress, weights, power).
"""

from evalkit.analyze.engine import analyze, file_sha256
from evalkit.analyze.options import AnalysisOptions, options_from
from evalkit.analyze.paired import analyze_paired
from evalkit.analyze.plan import analysis_columns
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
