"""The report stage: render a :class:`ReportData` as an annual report in several formats.

A pure renderer: it computes no statistics. ``render_report(data, out_dir)`` writes
``report.html`` (self-contained), ``report.md``, ``tables.xlsx``, ``results.json``,
``report.docx`` and ``charts/`` (SVG and PNG). A hand-made example ``ReportData`` for trying
the renderers lives with the tests (tests/report/demo_data.py).
"""

from evalkit.report.model import (
    TABLE_COLUMNS,
    Methods,
    ReportData,
    conform,
    likert_from_levels,
)
from evalkit.report.render import ReportWriteError, render_outputs, render_report, results_dict

__all__ = [
    "TABLE_COLUMNS",
    "Methods",
    "ReportData",
    "ReportWriteError",
    "conform",
    "likert_from_levels",
    "render_outputs",
    "render_report",
    "results_dict",
]
