"""Template helpers. Message text is hostile input: it only ever reaches a page through
Jinja2's autoescaping, or through :func:`highlighted`, which escapes every segment itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from vigie.model import LABELS
from vigie.web.graph import node_href
from vigie.web.highlight import highlight

# bidirectional overrides and isolates: shown as visible marks, never applied
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def defuse(text: str) -> str:
    """Replace bidi control characters by a visible ⟪U+XXXX⟫ so they cannot reorder a page."""
    if not any(ch in BIDI_CONTROLS for ch in text):
        return text
    return "".join(f"⟪U+{ord(ch):04X}⟫" if ch in BIDI_CONTROLS else ch for ch in text)


def highlighted(
    text: str | None, cues: dict[str, Any] | None = None, entities: list[dict] | None = None
) -> Markup:
    """The message with its cue and entity spans in <mark>, every segment escaped."""
    if not text:
        return Markup('<span class="empty">(no text)</span>')
    parts = []
    for segment, css in highlight(text, cues, entities or []):
        safe = escape(defuse(segment))
        parts.append(Markup('<mark class="{}">{}</mark>').format(css, safe) if css else safe)
    return Markup("").join(parts)


def short_date(value: Any) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def label_name(label: str) -> str:
    return label.replace("_", " ")


def install(templates: Jinja2Templates) -> None:
    env = templates.env
    env.autoescape = True
    env.filters.update(
        {
            "highlighted": highlighted,
            "node_href": node_href,
            "defuse": defuse,
            "short_date": short_date,
            "label_name": label_name,
            "q": lambda v: quote(str(v), safe=""),
        }
    )
    env.globals.update({"LABELS": LABELS, "urlencode": urlencode})
