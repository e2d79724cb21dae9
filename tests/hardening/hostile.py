"""Builders of hostile files for the hardening tests (generated in the test, not stored:
a zip bomb or a billion-laughs file is a few lines here and a hazard on disk)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_OX = "application/vnd.openxmlformats-"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_OX}package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_DOC_RELS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _row(number: int, cells: list[str]) -> str:
    return f'<row r="{number}">' + "".join(
        f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells
    ) + "</row>"  # fmt: skip


def write_xlsx(path: Path, header: list[str], rows: list[list[str]], pad_mb: int = 0) -> Path:
    """A minimal XLSX of ``header`` and ``rows`` (inline strings); ``pad_mb`` adds that many
    MB of empty-row XML, which compresses about 1000:1 (a zip bomb at a few hundred MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_SHEET_HEAD + _row(1, header)).encode())
            for number, cells in enumerate(rows, start=2):
                sheet.write(_row(number, cells).encode())
            chunk = b"<!-- " + b"x" * 1_000_000 + b" -->"
            for _ in range(pad_mb):
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL.encode())
    return path
