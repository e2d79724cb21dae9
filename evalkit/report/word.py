"""report.docx: the report as a Word document (annual reports are assembled in Word).

Built with python-docx from the same :class:`~evalkit.report.document.Document` as the HTML:
real headings (so Word's navigation pane and table of contents work), tables with a
repeated header row, chart PNGs with their titles as alt text and captions below.
"""

from __future__ import annotations

import io

from evalkit.report.document import Block, Document


def _safe(text: str) -> str:
    """Drop characters XML 1.0 forbids (python-docx would raise on them)."""
    return "".join(ch for ch in str(text) if ch in "\t\n\r" or ord(ch) >= 0x20)


def _table(docx_doc, header: list[str], rows: list[list[str]], numeric: list[bool]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    table = docx_doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    head = table.rows[0]
    tr_pr = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)  # header row repeats on every page
    for i, text in enumerate(header):
        cell = head.cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(_safe(text))
        run.bold = True
        run.font.size = Pt(8.5)
    for row in rows:
        cells = table.add_row().cells
        for i, text in enumerate(row):
            paragraph = cells[i].paragraphs[0]
            run = paragraph.add_run(_safe(text))
            run.font.size = Pt(8.5)
            if i < len(numeric) and numeric[i]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    docx_doc.add_paragraph()


def _block(docx_doc, block: Block, pngs: dict[str, bytes]) -> None:
    if block.kind == "p":
        docx_doc.add_paragraph(_safe(block.text))
    elif block.kind == "caption":
        docx_doc.add_paragraph().add_run(_safe(block.text)).bold = True
    elif block.kind == "note":
        docx_doc.add_paragraph().add_run(_safe(block.text)).italic = True
    elif block.kind == "h3":  # sections are level 1, so their sub-headings are level 2
        docx_doc.add_heading(_safe(block.text), level=2)
    elif block.kind == "list":
        for item in block.items:
            docx_doc.add_paragraph(_safe(item), style="List Bullet")
    elif block.kind == "messages":
        for item in block.items:
            docx_doc.add_paragraph(_safe(item), style="List Number")
    elif block.kind == "story":
        docx_doc.add_heading(_safe(block.text), level=2)
        docx_doc.add_paragraph(_safe(block.items[0]), style="Quote")
        docx_doc.add_paragraph().add_run("— " + _safe(block.items[1])).italic = True
    elif block.kind == "table":
        _table(docx_doc, block.header, block.rows, block.numeric)
    elif block.kind == "chart" and block.chart is not None:
        chart = block.chart
        width, height = _fit(pngs[chart.id], docx_doc.sections[-1])
        docx_doc.add_picture(io.BytesIO(pngs[chart.id]), width=width, height=height)
        picture = docx_doc.inline_shapes[-1]
        picture._inline.docPr.set("descr", _safe(f"{chart.title}. {chart.description}"))
        caption = docx_doc.add_paragraph(style="Caption")
        caption.add_run(_safe(chart.title) + ". ").bold = True
        caption.add_run(_safe(chart.description))


# room left on a page for a chart's caption and the heading above it
CAPTION_ROOM_MM = 30


def _fit(png: bytes, section) -> tuple[int, int]:
    """The picture's width and height (EMU): the page's text width, or less so that its
    height fits the page below a heading and above its caption; aspect ratio kept."""
    from docx.shared import Mm

    width_px = int.from_bytes(png[16:20], "big")
    height_px = int.from_bytes(png[20:24], "big")
    room_w = section.page_width - section.left_margin - section.right_margin
    room_h = section.page_height - section.top_margin - section.bottom_margin - Mm(CAPTION_ROOM_MM)
    scale = min(room_w / width_px, room_h / height_px)
    return int(width_px * scale), int(height_px * scale)


def _mark_every_page(word, banner: str) -> None:
    """The internal edition's mark in the header and footer of every page, bold red."""
    from docx.shared import RGBColor

    for section in word.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            run = part.paragraphs[0].add_run(_safe(banner))
            run.bold = True
            run.font.color.rgb = RGBColor(0xA5, 0x00, 0x21)


def render_docx(doc: Document, pngs: dict[str, bytes]) -> bytes:
    """The Word document as bytes; ``pngs`` maps chart ids to their PNG images."""
    from docx import Document as WordDocument
    from docx.shared import Mm

    word = WordDocument()
    for section in word.sections:  # fits A4 and Letter alike
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(16)
    properties = word.core_properties
    properties.title = _safe(doc.title)
    properties.author = properties.last_modified_by = "evalkit"
    properties.comments = _safe(doc.footer)  # python-docx's template says "python-docx"
    properties.subject = _safe(doc.subtitle)
    word.core_properties.language = doc.language
    if doc.banner:
        _mark_every_page(word, doc.banner)
        properties.keywords = "internal"
    word.add_heading(_safe(doc.title), level=0)
    word.add_paragraph(_safe(doc.subtitle))
    for section in doc.sections:
        word.add_heading(_safe(section.heading), level=1)
        for block in section.blocks:
            _block(word, block, pngs)
    word.add_paragraph().add_run(_safe(doc.footer)).italic = True
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
