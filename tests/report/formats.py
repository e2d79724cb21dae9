"""Read every table of a rendered report back from each format, for the cross-format tests.

``report.html``, ``report.md`` and ``report.docx`` are parsed into lists of tables (rows of
cell strings); ``tables.xlsx`` and ``results.json`` into ``{sheet: rows}``. The parsers are
deliberately independent of evalkit's renderers: HTML through the standard library's
parser, Markdown by splitting table lines on unescaped pipes, Word through python-docx,
the workbook through openpyxl.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

Table = list[list[str]]


class _HtmlTables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.body: list[Table] = []  # tables of the text
        self.charts: list[Table] = []  # data tables of the charts (inside <details>)
        self._details = 0
        self._table: Table | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self._details += 1
        elif tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "details":
            self._details -= 1
        elif tag in ("th", "td") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._table is not None:
            (self.charts if self._details else self.body).append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(path: Path) -> tuple[list[Table], list[Table]]:
    """(tables of the text, data tables of the charts) of report.html."""
    parser = _HtmlTables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.body, parser.charts


_PIPE = re.compile(r"(?<!\\)\|")
_ESCAPED = re.compile(r"\\([\\`*_\[\]|#])")


def _md_cell(text: str) -> str:
    return " ".join(unescape(_ESCAPED.sub(r"\1", text.strip())).split())


def markdown_tables(path: Path) -> tuple[list[Table], list[Table]]:
    """(tables of the text, data tables of the charts) of report.md."""
    body: list[Table] = []
    charts: list[Table] = []
    details = False
    current: Table | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("<details>"):
            details = True
        elif line.startswith("</details>"):
            details = False
        if line.startswith("|"):
            cells = [_md_cell(c) for c in _PIPE.split(line.strip())[1:-1]]
            if current is None:
                current = []
                (charts if details else body).append(current)
            if not all(re.fullmatch(r"-+:?", c) for c in cells):  # the alignment row
                current.append(cells)
        else:
            current = None
    return body, charts


def word_tables(path: Path) -> list[Table]:
    """Every table of report.docx, cells as text."""
    import docx

    document = docx.Document(str(path))
    return [
        [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
        for table in document.tables
    ]


def xlsx_sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of tables.xlsx but the README, as rows of cell values."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
        if sheet.title != "README"
    }


def json_tables(path: Path) -> dict[str, list[dict[str, Any]]]:
    return json.loads(path.read_text(encoding="utf-8"))["tables"]


def find_table(tables: list[Table], header: list[str]) -> Table:
    """The first table whose header row starts with ``header``."""
    for table in tables:
        if table and table[0][: len(header)] == header:
            return table
    raise AssertionError(f"no table with header {header}")


def _same_value(json_value: Any, xlsx_value: Any) -> bool:
    from evalkit.io import neutralise_formula

    if json_value is None or json_value == "":
        return xlsx_value is None  # an empty text cell reads back as no value
    if isinstance(json_value, (bool, str)):
        return xlsx_value == neutralise_formula(json_value)
    if isinstance(json_value, (int, float)):
        return isinstance(xlsx_value, (int, float)) and abs(xlsx_value - json_value) <= 1e-9 * max(
            1.0, abs(json_value)
        )
    return False


def xlsx_matches_json(folder: Path) -> list[str]:
    """Every cell of every sheet against the same cell of results.json; the differences."""
    sheets, tables = xlsx_sheets(folder / "tables.xlsx"), json_tables(folder / "results.json")
    problems = []
    for name, rows in sheets.items():
        records = tables[name]
        body = rows[1:]
        if len(body) != len(records):
            problems.append(f"{name}: {len(body)} rows in the workbook, {len(records)} in JSON")
            continue
        for i, (row, record) in enumerate(zip(body, records, strict=True)):
            for column, (value, expected) in enumerate(zip(row, record.values(), strict=True)):
                if not _same_value(expected, value):
                    key = list(record)[column]
                    problems.append(f"{name} row {i + 1} {key}: xlsx {value!r}, json {expected!r}")
    return problems


def text_formats_agree(folder: Path) -> list[str]:
    """HTML, Markdown and Word: the same tables with the same cells; the differences."""
    html_body, html_charts = html_tables(folder / "report.html")
    md_body, md_charts = markdown_tables(folder / "report.md")
    word = word_tables(folder / "report.docx")
    problems = []
    for name, other in (("markdown", md_body), ("word", word)):
        if len(other) != len(html_body):
            problems.append(f"{name}: {len(other)} tables, html {len(html_body)}")
        for k, (a, b) in enumerate(zip(html_body, other, strict=False)):
            for i, (row_a, row_b) in enumerate(zip(a, b, strict=False)):
                if row_a != row_b:
                    problems.append(f"table {k} row {i}: html {row_a} != {name} {row_b}")
            if len(a) != len(b):
                problems.append(f"table {k}: html {len(a)} rows, {name} {len(b)}")
    if html_charts != md_charts:
        problems.append("the charts' data tables differ between html and markdown")
    return problems
