"""Render a :class:`~vigie.act.report.ReportData` as one self-contained HTML page, or as PDF.

The PDF is the same HTML printed by WeasyPrint (``@page`` rules give the running header and
"page N of M" footers), so both formats show the same figures. Charts are inline SVG computed
here (timeline bars, a circular network picture): no script, nothing fetched at render time.
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from vigie.act.report import ReportData
from vigie.errors import VigieError

FORMATS: tuple[str, ...] = ("html", "pdf")


class ReportError(VigieError):
    code = "E168"


def highlight(text: str | None, marks: list[list[Any]]) -> Markup:
    """``text`` escaped, every marked span wrapped in ``<mark>`` (overlapping spans merged).

    A mark is ``[start, end, title, kind]`` with kind ``cue`` or ``entity``; offsets count code
    points of the original text, as the analysis records them. Spans outside the text are
    ignored rather than trusted.
    """
    text = text or ""
    valid = [(s, e, t, k) for s, e, t, k in marks if 0 <= s < e <= len(text)]
    cuts = sorted({0, len(text), *[m[0] for m in valid], *[m[1] for m in valid]})
    parts: list[str] = []
    for start, end in pairwise(cuts):
        segment = escape(text[start:end])
        covering = [(t, k) for s, e, t, k in valid if s <= start and e >= end]
        if covering:
            kind = "cue" if any(k == "cue" for _, k in covering) else "entity"
            title = escape("; ".join(t for t, _ in covering))
            parts.append(f'<mark class="{kind}" title="{title}">{segment}</mark>')
        else:
            parts.append(str(segment))
    return Markup("".join(parts).replace("\n", "<br>"))


def timeline_svg(timeline: list[dict[str, Any]], width: int = 640, height: int = 160) -> Markup:
    """Bars of messages per week, the labelled part darker."""
    if not timeline:
        return Markup("")
    top = max(row["messages"] for row in timeline) or 1
    bar = min(40.0, max(2.0, (width - 40) / len(timeline)))
    shapes = []
    for i, row in enumerate(timeline):
        x = 30 + i * bar
        h_all = (height - 30) * row["messages"] / top
        h_lab = (height - 30) * row["labelled"] / top
        shapes.append(
            f'<rect x="{x:.1f}" y="{height - 20 - h_all:.1f}" width="{bar * 0.8:.1f}" '
            f'height="{h_all:.1f}" fill="#b8c7dd"><title>{escape(row["week"])}: '
            f"{row['messages']} messages</title></rect>"
            f'<rect x="{x:.1f}" y="{height - 20 - h_lab:.1f}" width="{bar * 0.8:.1f}" '
            f'height="{h_lab:.1f}" fill="#2f4b7c"/>'
        )
    first, last = escape(timeline[0]["week"]), escape(timeline[-1]["week"])
    axis = (
        f'<text x="30" y="{height - 5}" font-size="10">{first}</text>'
        f'<text x="{width - 10}" y="{height - 5}" font-size="10" text-anchor="end">{last}</text>'
        f'<text x="2" y="12" font-size="10">{top}</text>'
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">{"".join(shapes)}{axis}</svg>'
    )


def network_svg(network: dict[str, Any], size: int = 520) -> Markup:
    """Case channels (filled) and their neighbours on a circle; edges labelled by kind."""
    nodes = network.get("nodes") or []
    if len(nodes) < 2:
        return Markup("")
    centre, radius = size / 2, size / 2 - 90
    where = {}
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / len(nodes) - math.pi / 2
        where[node["id"]] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle))
    lines = []
    for edge in network.get("edges", []):
        if edge["source"] in where and edge["target"] in where:
            (x1, y1), (x2, y2) = where[edge["source"]], where[edge["target"]]
            colour = "#c0392b" if edge["kind"] == "successor_of" else "#7f8c8d"
            lines.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{colour}" stroke-width="{min(1 + math.log1p(edge["count"]), 5):.1f}">'
                f"<title>{escape(edge['kind'])} ×{edge['count']}</title></line>"
            )
    dots = []
    for node in nodes:
        x, y = where[node["id"]]
        fill = "#2f4b7c" if node["in_case"] else "#ffffff"
        label = escape(str(node["label"])[:28])
        anchor = "start" if x >= centre else "end"
        dx = 9 if x >= centre else -9
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="#2f4b7c"/>'
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" font-size="9" text-anchor="{anchor}">'
            f"{label}</text>"
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img">{"".join(lines)}{"".join(dots)}</svg>'
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("vigie.act", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    return env


def render_html(data: ReportData) -> str:
    template = _environment().get_template("report.html")
    return template.render(
        data=data,
        timeline_svg=timeline_svg(data.timeline),
        network_svg=network_svg(data.network),
    )


def render_pdf(html: str, output: Path) -> None:
    """Print ``html`` to ``output`` with WeasyPrint (needs Pango: libpango-1.0-0)."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise ReportError(
            f"PDF output needs WeasyPrint and Pango ({exc}); install them or use --format html"
        ) from None
    HTML(string=html, base_url=str(output.parent)).write_pdf(str(output))


def write_report(data: ReportData, fmt: str, output: Path) -> Path:
    """Write ``data`` as ``fmt`` to ``output`` (written to a temporary name, then renamed)."""
    if fmt not in FORMATS:
        raise ReportError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    html = render_html(data)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        if fmt == "html":
            tmp.write_text(html, encoding="utf-8")
        else:
            render_pdf(html, tmp)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return output


__all__ = [
    "FORMATS",
    "ReportError",
    "highlight",
    "network_svg",
    "render_html",
    "render_pdf",
    "timeline_svg",
    "write_report",
]
