"""Images of an export, found beside the file they were ingested from.

Evidence holds the export file itself (JSON, HTML, text); its photos stay in the export folder
(``photos/…`` next to ``result.json``). A media file is served only when it resolves inside
that folder, exists and is an image: a crafted path in an export cannot reach anything else.
A relative ingest path resolves against the server's working folder (as ``make demo`` runs it).
"""

from __future__ import annotations

from pathlib import Path

from vigie.web.index import Index

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


def media_file(index: Index, msg_key: str, position: int) -> Path | None:
    """The image file of the ``position``-th media item of a message, or None."""
    with index.cursor() as cur:
        row = cur.execute(
            "SELECT i.media, s.file FROM items i LEFT JOIN sources s USING (evidence_sha256) "
            "WHERE i.msg_key = ?",
            [msg_key],
        ).fetchone()
    if row is None or not row[0] or not row[1] or not 0 <= position < len(row[0]):
        return None
    rel = row[0][position].get("path")
    if not rel or Path(rel).suffix.lower() not in IMAGE_SUFFIXES:
        return None
    folder = Path(row[1]).resolve().parent
    path = (folder / rel).resolve()  # paths were checked at ingest; checked again here
    if not path.is_file() or folder not in path.parents:
        return None
    return path


__all__ = ["IMAGE_SUFFIXES", "media_file"]
