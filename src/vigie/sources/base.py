"""The interface every source module implements, and the context a parser receives.

A source module defines:

- ``FORMAT``: its name (``telegram_json``, ``whatsapp_txt`` …)
- ``PARSER_VERSION``: an int, bumped when its output changes (stored with every ingest)
- ``sniff(path, head) -> bool``: cheap check on the first bytes (``head``, up to 64 KiB)
- ``parse(path, ctx) -> Iterator[Record]``: streams ``Message``/``Channel``/``Quarantine``
  records. A record that cannot be used becomes a ``Quarantine`` and parsing goes on; a file that
  cannot be read at all raises ``SourceError`` naming the file and the place.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from zoneinfo import ZoneInfo

from vigie.errors import UnsafeInputError
from vigie.model import ParseStats, Record

DEFAULT_TZ = "Europe/Paris"


@dataclass
class ParseContext:
    """What a parser may need besides the file: the time zone for naive dates, counters."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    stats: ParseStats = field(default_factory=ParseStats)
    display_name: str | None = None  # name to use in errors (original path); defaults to path

    def name(self, path: Path) -> str:
        return self.display_name or str(path)


class Source(Protocol):
    FORMAT: str
    PARSER_VERSION: int

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def parse(self, path: Path, ctx: ParseContext) -> Iterator[Record]: ...


def safe_relative(path_text: str, file_name: str, location: str) -> str:
    """Return a media path relative to the export folder, refusing any that escapes it.

    Raises ``UnsafeInputError`` for absolute paths and ``..`` that climb out of the folder.
    """
    text = path_text.replace("\\", "/")
    pure = PurePosixPath(text)
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise UnsafeInputError(
            file_name, location, f"media path {path_text!r} is absolute; refusing it"
        )
    depth = 0
    for part in pure.parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                raise UnsafeInputError(
                    file_name, location, f"media path {path_text!r} escapes the export folder"
                )
        elif part not in (".", ""):
            depth += 1
    return os.path.normpath(text) if text else text
