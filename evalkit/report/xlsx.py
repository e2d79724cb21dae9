"""tables.xlsx: one formatted sheet per report table, plus a README sheet.

Numbers stay numbers (so offices can re-chart them), suppressed cells are empty, every
text cell passes through :func:`evalkit.io.neutralise_formula`, header rows are bold and
frozen, and columns get an auto filter and a sensible width.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd

from evalkit.io import neutralise_formula
from evalkit.report.model import TABLE_COLUMNS, ReportData, clean_text
from evalkit.report.text import DASH, missing

SHEET_NOTES: dict[str, str] = {
    "kpis": "One row per KPI: value with its 95% CI, n, target, status, last year's value, "
    "the change with its CI, trend, and why a KPI could not be computed.",
    "kpi_breakdown": "KPI values by group (for example by mode). Suppressed groups are empty.",
    "comparisons": "Mode comparisons: omnibus test, p-values (unadjusted, Holm, FDR), effect "
    "size with 95% CI. Associations, not effects.",
    "pairwise": "Pairs of modes per outcome: effect size with 95% CI, Holm and FDR p-values.",
    "likert": "Answer distributions of agreement items by mode (counts and shares).",
    "network": "Connections between local units and international counterparts.",
    "relationships": "Partner relationship quality by dimension (1–7), this year and last.",
    "inclusive_reach": "Share of participants ÷ share of city population, per group.",
    "outcomes": "Outcome harvest: results reported by partner offices.",
    "stories": "Most Significant Change stories chosen by a panel (examples).",
    "response_rates": "Invited, responded and response rate per instrument.",
    "findings": "Plain-language findings.",
}


def _cell(value: Any) -> Any:
    if missing(value):
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return None
    if isinstance(value, (int, float)):
        return value
    return neutralise_formula(clean_text(str(value)))


_PERCENT = ("share", "rate", "population_share")


def _number_format(table: str, column: str, values: pd.Series) -> str | None:
    """Percent for shares, three decimals for other fractional columns, else General."""
    if column in _PERCENT:
        return "0.0%"
    if table == "kpis" and column not in ("n",):
        return None  # KPI values have mixed units (shares, dollars, counts): keep General
    numeric = pd.to_numeric(values, errors="coerce").dropna()
    if len(numeric) and (numeric % 1 != 0).any():
        return "0.000"
    return None


def render_xlsx(data: ReportData) -> bytes:
    """The workbook as bytes (written to disk atomically by the caller)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    readme = book.active
    readme.title = "README"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    lines: list[tuple[str, str]] = [
        ("Report", data.title),
        ("Period", data.period),
        ("Compared with", data.compare_period or ""),
        (
            "Suppression",
            f"Groups with fewer than {data.methods.min_cell} responses are empty "
            f"(shown as {DASH} in the report), as is any number they could be derived from.",
        ),
        (
            "Caution",
            "Mode comparisons are associations, not effects: participants chose their mode.",
        ),
        ("", ""),
        ("Sheet", "Contents"),
    ]
    names = [n for n in TABLE_COLUMNS if n in data.tables and data.tables[n] is not None]
    lines += [(name, SHEET_NOTES.get(name, "")) for name in names]
    for row in lines:
        readme.append([_cell(v) for v in row])
    for cell in readme["A"]:
        cell.font = bold
    readme["A7"].fill = readme["B7"].fill = fill
    readme.column_dimensions["A"].width = 18
    readme.column_dimensions["B"].width = 110
    for row in readme.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    for name in names:
        frame: pd.DataFrame = data.table(name)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in record])
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
        sheet.freeze_panes = "A2"
        if len(frame.columns):
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
        for index, column in enumerate(frame.columns, start=1):
            values = frame[column].map(lambda v: "" if missing(v) else str(v))
            longest = (
                max([len(str(column)), *values.str.len().tolist()]) if len(values) else len(column)
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 60)
            number_format = _number_format(name, column, frame[column])
            if number_format:
                for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    row[0].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
