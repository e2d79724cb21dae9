"""``render_report``: ReportData → report.html, report.md, tables.xlsx, results.json,
report.docx and charts/ (SVG and PNG).

Everything is rendered in memory first; only when every output has been produced are the
files written, each atomically (temporary file beside it, then rename). A failure while
rendering writes nothing; a failure while writing leaves no partial file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit._version import __version__
from evalkit.errors import EvalkitError, Location
from evalkit.io import write_bytes_atomic, write_text_atomic
from evalkit.report.document import Document, build_document
from evalkit.report.markdown import render_markdown
from evalkit.report.model import TABLE_COLUMNS, ReportData, clean_text
from evalkit.report.text import STRINGS, number_language
from evalkit.report.word import render_docx
from evalkit.report.xlsx import render_xlsx


class ReportWriteError(EvalkitError):
    """An output file of the report could not be written."""

    code = "report-write"


@cache
def _environment() -> Any:
    from jinja2 import Environment, select_autoescape

    return Environment(
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def _template_text(name: str) -> str:
    return resources.files("evalkit.report").joinpath("templates", name).read_text("utf-8")


def render_html(doc: Document) -> str:
    """One self-contained HTML page: inline CSS and inline SVG, no scripts, no network.

    Every string is autoescaped by Jinja2; the only markup inserted as-is is the SVG of the
    charts, which :class:`~evalkit.report.canvas.Canvas` builds with every text escaped.
    """
    from markupsafe import Markup

    env = _environment()
    template = env.from_string(_template_text("report.html.j2"))
    svg = {chart.id: Markup(chart.svg()) for chart in doc.charts}  # noqa: S704 - escaped by Canvas
    return template.render(
        doc=doc,
        s=STRINGS[doc.language],
        svg=svg,
        css=Markup(_template_text("report.css")),  # noqa: S704
    )


def _json_value(value: Any) -> Any:
    """A JSON value: mappings and sequences stay objects and arrays (never a Python repr),
    numpy scalars become numbers, NaN and infinities ``null``."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [_json_value(v) for v in items]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def results_dict(data: ReportData) -> dict[str, Any]:
    """``results.json``: metadata plus every table, with suppressed cells as ``null``.

    Examples
    --------
    >>> from evalkit.report.demo import demo_data
    >>> out = results_dict(demo_data())
    >>> rows = out["tables"]["kpi_breakdown"]
    >>> [(r["group"], r["value"], r["n"]) for r in rows if r["suppressed"]]
    [('hybrid_remote', None, None), ('Strong Cities Network', None, None)]
    """
    metadata = {
        "title": clean_text(data.title),
        "period": data.period,
        "compare_period": data.compare_period,
        "language": data.language,
        "edition": data.edition,
        "evalkit_version": __version__,
        "min_cell": data.methods.min_cell,
        "tests_used": list(data.methods.tests_used),
        "limitations": list(data.methods.limitations),
        **{k: _json_value(v) for k, v in data.metadata.items()},
    }
    tables = {
        name: [
            {k: _json_value(v) for k, v in row.items()}
            for row in data.table(name).to_dict(orient="records")
        ]
        for name in TABLE_COLUMNS
    }
    return {"metadata": metadata, "tables": tables}


def _svg_file(svg: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"


def render_outputs(
    data: ReportData, progress: Callable[[str], None] | None = None
) -> dict[str, bytes | str]:
    """Every output file's content, keyed by its path relative to the output folder.

    ``progress``, when given, is called before the charts and before each output.
    """
    say = progress or (lambda message: None)
    with number_language(data.language):
        return _render_outputs(data, say)


def _render_outputs(data: ReportData, say: Callable[[str], None]) -> dict[str, bytes | str]:
    say("drawing the charts")
    doc = build_document(data)
    pngs = {chart.id: chart.canvas.png() for chart in doc.charts}
    renderers: dict[str, Callable[[], bytes | str]] = {
        "report.html": lambda: render_html(doc),
        "report.md": lambda: render_markdown(doc),
        "tables.xlsx": lambda: render_xlsx(data),
        "results.json": lambda: (
            json.dumps(results_dict(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        ),
        "report.docx": lambda: render_docx(doc, pngs),
    }
    outputs: dict[str, bytes | str] = {}
    for name, render in renderers.items():
        say(f"rendering {name}")
        outputs[name] = render()
    for chart in doc.charts:
        outputs[f"charts/{chart.id}.svg"] = _svg_file(chart.svg())
        outputs[f"charts/{chart.id}.png"] = pngs[chart.id]
    return outputs


def render_report(
    data: ReportData, out_dir: str | Path, progress: Callable[[str], None] | None = None
) -> dict[str, Path]:
    """Render the annual report into ``out_dir``; return ``{relative name: path written}``.

    Parameters
    ----------
    data
        The tables and texts to show (see :class:`~evalkit.report.model.ReportData`).
    out_dir
        Folder to write into (created if needed). Existing files of the same names are
        replaced atomically.
    progress
        Called before the charts, each rendering and each file written (nothing printed).

    Returns
    -------
    dict
        Keys ``report.html``, ``report.md``, ``tables.xlsx``, ``results.json``,
        ``report.docx`` and ``charts/<chart id>.svg`` / ``.png`` for each chart drawn.

    Raises
    ------
    ReportWriteError
        When a file cannot be written (the message names it; no partial file is left).
    """
    outputs = render_outputs(data, progress)
    out = Path(out_dir)
    written: dict[str, Path] = {}
    for name, content in outputs.items():
        if progress:
            progress(f"writing {name}")
        path = out / name
        try:
            if isinstance(content, str):
                write_text_atomic(path, content)
            else:
                write_bytes_atomic(path, content)
        except OSError as error:
            raise ReportWriteError(
                f"cannot write the report file: {error.strerror or error}",
                Location(file=str(path)),
                hint="choose an output folder you can write to (-o DIR) with free space",
            ) from error
        written[name] = path
    return written
