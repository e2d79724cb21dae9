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
    "quotes": "Example answers per theme of the codebook (--themes), redacted; from groups of "
    "at least the suppression threshold; never from personal questions.",
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

# Column headings as a reader names them (results.json keeps the snake_case names; the
# README sheet says so). Columns not listed read as their name in words.
COLUMN_NAMES: dict[str, str] = {
    "kpi_id": "KPI id",
    "code": "Code",
    "title": "KPI",
    "kind": "Kind",
    "unit": "Unit",
    "direction": "Better when",
    "output": "Output (activity count)",
    "value": "Value",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "n": "n",
    "status": "Status",
    "compare_value": "Last year",
    "change": "Change from last year",
    "change_ci_low": "Change, 95% CI low",
    "change_ci_high": "Change, 95% CI high",
    "trend": "Change (up/down/flat)",
    "reason": "Why not computed",
    "concern": "Strategic concern",
    "source": "Source instrument(s)",
    "group_var": "Broken down by",
    "p_value": "p",
    "p_holm": "p (Holm)",
    "p_fdr": "p (FDR, Benjamini-Hochberg)",
    "df": "Degrees of freedom",
    "effect_name": "Effect size measure",
    "effect": "Effect size",
    "effect_ci_low": "Effect size, 95% CI low",
    "effect_ci_high": "Effect size, 95% CI high",
    "n_a": "n (first group)",
    "n_b": "n (second group)",
    "group_a": "First group",
    "group_b": "Second group",
    "population_share": "Share of the population",
    "previous_score": "Last year's score",
    "via_office": "Made through the Office",
    "local_unit": "Local unit",
    "selected_by": "Selected by",
}

# Number formats of a KPI row's value-like cells, by the KPI's unit
KPI_VALUE_COLUMNS = (
    "value", "ci_low", "ci_high", "target", "compare_value", "change", "change_ci_low",
    "change_ci_high",
)  # fmt: skip
UNIT_FORMATS = {
    "share": "0.0%",
    "currency": '"$"#,##0',
    "count": "#,##0",  # "#,##0.0" for a row whose value has decimals (a mean count)
    "ratio": "0.00",
    "score": "0.00",
    "points": "0.00",
    "kg_co2e": "#,##0.0",
}


def column_name(column: str) -> str:
    """The heading of a column in the workbook.

    Examples
    --------
    >>> column_name("ci_low"), column_name("counterpart")
    ('95% CI low', 'Counterpart')
    """
    return COLUMN_NAMES.get(column, column.replace("_", " ").capitalize())


def _number_format(table: str, column: str, values: pd.Series) -> str | None:
    """Percent for shares, three decimals for other fractional columns, else General."""
    if column in _PERCENT:
        return "0.0%"
    if table == "kpis" and column in KPI_VALUE_COLUMNS:
        return None  # formatted row by row from the KPI's unit (see render_xlsx)
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
            "Edition",
            f"INTERNAL — not for publication: named partners and groups below "
            f"{data.methods.min_cell} are not suppressed."
            if data.edition == "internal"
            else "public: small groups and named partners suppressed",
        ),
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
        (
            "Columns",
            "Headings are in words here; results.json names the same columns in snake_case "
            "(ci_low, p_fdr, ...), in the same order.",
        ),
        ("Sheet", "Contents"),
    ]
    names = [n for n in TABLE_COLUMNS if n in data.tables and data.tables[n] is not None]
    lines += [(name, SHEET_NOTES.get(name, "")) for name in names]
    for row in lines:
        readme.append([_cell(v) for v in row])
    for cell in readme["A"]:
        cell.font = bold
    readme["A9"].fill = readme["B9"].fill = fill
    readme.column_dimensions["A"].width = 18
    readme.column_dimensions["B"].width = 110
    for row in readme.iter_rows(min_col=2, max_col=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    for name in names:
        frame: pd.DataFrame = data.table(name)
        sheet = book.create_sheet(name[:31])
        sheet.append([column_name(c) for c in frame.columns])
        for record in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in record])
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = fill
        sheet.freeze_panes = "A2"
        if data.edition == "internal":  # printed at the top of every page of the sheet
            sheet.oddHeader.center.text = "INTERNAL — not for publication"
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
        if name == "kpis":
            _kpi_formats(sheet, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _kpi_formats(sheet: Any, frame: pd.DataFrame) -> None:
    """Each KPI row's values in its unit's format (42.0%, $1,284,000, 1.32)."""
    columns = [list(frame.columns).index(c) + 1 for c in KPI_VALUE_COLUMNS if c in frame]
    for offset, unit in enumerate(frame.get("unit", ())):
        number_format = UNIT_FORMATS.get(str(unit))
        if number_format is None:
            continue
        value = frame["value"].iloc[offset] if "value" in frame else None
        if unit == "count" and not missing(value) and float(value) % 1:
            number_format = "#,##0.0"
        for column in columns:
            sheet.cell(row=offset + 2, column=column).number_format = number_format
