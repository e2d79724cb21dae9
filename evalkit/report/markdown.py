"""report.md: the report's content as Markdown, for pasting into other documents.

Free text is escaped for Markdown: HTML special characters become entities (so a comment
holding ``<script>`` stays text in any Markdown renderer) and the characters that would
start Markdown syntax (``| * _ [ ] ` \\``) are backslash-escaped.
"""

from __future__ import annotations

import re
from html import escape

from evalkit.report.document import Block, Document
from evalkit.report.text import STRINGS

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(text: str) -> str:
    """Escape free text for a Markdown paragraph or table cell (one line).

    Examples
    --------
    >>> md_escape("<b>a|b</b> *x*")
    '&lt;b&gt;a\\\\|b&lt;/b&gt; \\\\*x\\\\*'
    """
    text = escape(str(text), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def _table(header: list[str], rows: list[list[str]], numeric: list[bool]) -> list[str]:
    align = [
        "---:" if (numeric[i] if i < len(numeric) else False) else "---" for i in range(len(header))
    ]
    lines = [
        "| " + " | ".join(md_escape(h) or " " for h in header) + " |",
        "| " + " | ".join(align) + " |",
    ]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _block(block: Block, lang: str) -> list[str]:
    if block.kind == "p":
        return [md_escape(block.text), ""]
    if block.kind == "caption":
        return [f"**{md_escape(block.text)}**", ""]
    if block.kind == "note":
        return [f"*{md_escape(block.text)}*", ""]
    if block.kind == "h3":
        return [f"### {md_escape(block.text)}", ""]
    if block.kind == "messages":
        return [*(f"{i}. {md_escape(item)}" for i, item in enumerate(block.items, 1)), ""]
    if block.kind == "list":
        return [*(f"- {md_escape(item)}" for item in block.items), ""]
    if block.kind == "story":
        return [
            f"> **{md_escape(block.text)}**",
            ">",
            f"> {md_escape(block.items[0])}",
            ">",
            f"> — {md_escape(block.items[1])}",
            "",
        ]
    if block.kind == "table":
        return _table(block.header, block.rows, block.numeric)
    if block.kind == "chart" and block.chart is not None:
        chart = block.chart
        lines = [
            f"![{md_escape(chart.title)}](charts/{chart.id}.png)",
            "",
            f"*{md_escape(chart.title)}.* {md_escape(chart.description)}",
            "",
            f"<details><summary>{escape(STRINGS[lang]['data_table'])}</summary>",
            "",
        ]
        return [*lines, *_table(chart.header, chart.rows, []), "</details>", ""]
    return []


def render_markdown(doc: Document) -> str:
    """The whole report as one Markdown string (chart images point into ``charts/``)."""
    lines = [f"# {md_escape(doc.title)}", "", md_escape(doc.subtitle), ""]
    mark = [f"> **{md_escape(doc.banner)}**", ""] if doc.banner else []
    lines += mark
    for section in doc.sections:
        lines += [f"## {md_escape(section.heading)}", ""]
        for block in section.blocks:
            lines += _block(block, doc.language)
    lines += ["---", "", *mark, md_escape(doc.footer), ""]
    return "\n".join(lines)
