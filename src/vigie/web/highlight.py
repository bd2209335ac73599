"""Cue and entity spans of a message, as segments for a template to escape and mark."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def highlight(
    text: str, cues: dict[str, list[list[Any]]] | None, entities: Sequence[dict] = ()
) -> list[tuple[str, str | None]]:
    """Split ``text`` into (segment, css class or None): cue spans by label, entity spans.

    Spans index the original text (the analyser maps offsets back from the normalised form).
    Overlaps keep the first-starting, longest span; the caller escapes every segment.
    """
    spans: list[tuple[int, int, str]] = []
    for label, items in (cues or {}).items():
        for cue in items:
            start, end = int(cue[1]), int(cue[2])
            if 0 <= start < end <= len(text) and (len(cue) < 5 or float(cue[4]) > 0):
                spans.append((start, end, f"cue cue-{label}"))
    for ent in entities:
        s, e = ent.get("start"), ent.get("end")
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
            spans.append((s, e, f"ent ent-{ent['type']}"))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, css in spans:
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], css))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


__all__ = ["highlight"]
