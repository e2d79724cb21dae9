"""A tiny drawing list with two back ends: hand-written SVG (inline, accessible) and PNG.

Each chart is drawn once, as a list of primitives in pixel coordinates (origin top left,
as in SVG). :meth:`Canvas.svg` writes clean SVG by hand: text stays text, a ``<title>``
and ``<desc>`` name the chart, ``role="img"`` and ``aria-labelledby`` expose them to screen
readers, and every string is XML-escaped. :meth:`Canvas.png` replays the same primitives
with matplotlib's Agg back end (no display needed) for the Word document and ``charts/``.
Why not matplotlib's own SVG: it turns the chart into anonymous paths with generated ids,
which is larger, harder to label and collides when several charts share one HTML page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from evalkit.report.model import clean_text

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


@dataclass
class Canvas:
    """A drawing of ``width`` × ``height`` pixels, with a title and a description."""

    width: float
    height: float
    title: str
    description: str = ""
    ops: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **kw: Any) -> None:
        self.ops.append(
            ("rect", {"x": x, "y": y, "w": max(w, 0.0), "h": max(h, 0.0), "fill": fill, **kw})
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str = "#333",
        width: float = 1.0,
        dash: bool = False,
    ) -> None:
        self.ops.append(
            (
                "line",
                {
                    "x1": x1,
                    "y1": y1,
                    "x2": x2,
                    "y2": y2,
                    "stroke": stroke,
                    "width": width,
                    "dash": dash,
                },
            )
        )

    def circle(self, cx: float, cy: float, r: float, fill: str, stroke: str = "none") -> None:
        self.ops.append(("circle", {"cx": cx, "cy": cy, "r": r, "fill": fill, "stroke": stroke}))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 12,
        anchor: str = "start",
        fill: str = "#222",
        bold: bool = False,
    ) -> None:
        self.ops.append(
            (
                "text",
                {
                    "x": x,
                    "y": y,
                    "text": clean_text(str(text)),
                    "size": size,
                    "anchor": anchor,
                    "fill": fill,
                    "bold": bold,
                },
            )
        )

    # -- SVG -------------------------------------------------------------------------------

    def svg(self, chart_id: str) -> str:
        """The chart as an SVG element (for inline HTML use and for ``charts/*.svg``)."""
        w, h = _num(self.width), _num(self.height)
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'class="chart" id="{chart_id}" font-family="{FONT}">',
            f'<title id="{chart_id}-title">{escape(clean_text(self.title))}</title>',
            f'<desc id="{chart_id}-desc">{escape(clean_text(self.description))}</desc>',
        ]
        for kind, o in self.ops:
            parts.append(_SVG[kind](o))
        parts.append("</svg>")
        return "\n".join(parts)

    # -- PNG -------------------------------------------------------------------------------

    def png(self, dpi: int = 144) -> bytes:
        """The same drawing rendered to PNG with matplotlib (Agg), at ``dpi`` (2× for 144)."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, Rectangle

        # 1 unit of the drawing = 1 pt of the figure, so font sizes match the SVG's.
        fig = Figure(figsize=(self.width / 72.0, self.height / 72.0), dpi=dpi)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.axis("off")
        fig.patch.set_facecolor("white")
        # Paint in drawing order, as SVG does (matplotlib would put lines above patches).
        for z, (kind, o) in enumerate(self.ops):
            if kind == "rect":
                stroke = o.get("stroke")
                ax.add_patch(
                    Rectangle(
                        (o["x"], o["y"]),
                        o["w"],
                        o["h"],
                        facecolor=_mpl_colour(o["fill"]),
                        edgecolor=_mpl_colour(stroke) if stroke else "none",
                        linewidth=0.8,
                        zorder=z,
                    )
                )
            elif kind == "line":
                ax.plot(
                    [o["x1"], o["x2"]],
                    [o["y1"], o["y2"]],
                    color=o["stroke"],
                    linewidth=o["width"],
                    linestyle=(0, (4, 3)) if o["dash"] else "-",
                    solid_capstyle="butt",
                    zorder=z,
                )
            elif kind == "circle":
                ax.add_patch(
                    Circle(
                        (o["cx"], o["cy"]),
                        o["r"],
                        facecolor=_mpl_colour(o["fill"]),
                        edgecolor=_mpl_colour(o["stroke"]),
                        linewidth=1.0,
                        zorder=z,
                    )
                )
            elif kind == "text":
                ax.text(
                    o["x"],
                    o["y"],
                    o["text"],
                    fontsize=o["size"],
                    color=o["fill"],
                    ha={"start": "left", "middle": "center", "end": "right"}[o["anchor"]],
                    va="baseline",
                    fontweight="bold" if o["bold"] else "normal",
                    fontfamily="DejaVu Sans",
                    zorder=z,
                )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
        return buffer.getvalue()


def _mpl_colour(colour: str | None) -> str:
    return "none" if colour in (None, "none") else str(colour)


def _rect(o: dict[str, Any]) -> str:
    stroke = f' stroke="{o["stroke"]}"' if o.get("stroke") else ""
    tip = f"<title>{escape(o['tip'])}</title>" if o.get("tip") else ""
    return (
        f'<rect x="{_num(o["x"])}" y="{_num(o["y"])}" width="{_num(o["w"])}" '
        f'height="{_num(o["h"])}" fill="{o["fill"]}"{stroke}>{tip}</rect>'
        if tip
        else f'<rect x="{_num(o["x"])}" y="{_num(o["y"])}" width="{_num(o["w"])}" '
        f'height="{_num(o["h"])}" fill="{o["fill"]}"{stroke}/>'
    )


def _line(o: dict[str, Any]) -> str:
    dash = ' stroke-dasharray="4 3"' if o["dash"] else ""
    return (
        f'<line x1="{_num(o["x1"])}" y1="{_num(o["y1"])}" x2="{_num(o["x2"])}" '
        f'y2="{_num(o["y2"])}" stroke="{o["stroke"]}" stroke-width="{_num(o["width"])}"{dash}/>'
    )


def _circle(o: dict[str, Any]) -> str:
    return (
        f'<circle cx="{_num(o["cx"])}" cy="{_num(o["cy"])}" r="{_num(o["r"])}" '
        f'fill="{o["fill"]}" stroke="{o["stroke"]}"/>'
    )


def _text(o: dict[str, Any]) -> str:
    weight = ' font-weight="bold"' if o["bold"] else ""
    return (
        f'<text x="{_num(o["x"])}" y="{_num(o["y"])}" font-size="{_num(o["size"])}" '
        f'text-anchor="{o["anchor"]}" fill="{o["fill"]}"{weight}>{escape(o["text"])}</text>'
    )


_SVG = {"rect": _rect, "line": _line, "circle": _circle, "text": _text}
