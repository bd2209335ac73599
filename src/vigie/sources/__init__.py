"""Source formats: one module each, auto-detected from the first bytes of a file.

``detect(path)`` returns the module that claims the file; ``get(name)`` returns one by name
(``--format``). ``FORMATS`` lists them in sniffing order: the most specific first.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from vigie.errors import SourceError, UnknownFormatError

# Sniffing order matters: specific JSON shapes before generic JSONL, WhatsApp before Signal.
FORMATS: tuple[str, ...] = (
    "telegram_json",
    "telegram_html",
    "instagram_json",
    "snapchat_json",
    "whatsapp_txt",
    "signal_txt",
    "generic_jsonl",
    "generic_csv",
)

HEAD_BYTES = 65536


def get(name: str) -> ModuleType:
    """The source module called ``name`` (one of ``FORMATS``)."""
    if name not in FORMATS:
        raise UnknownFormatError(
            "--format", "", f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}"
        )
    return importlib.import_module(f"vigie.sources.{name}")


def read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError as exc:
        raise SourceError(str(path), "", f"cannot read the file ({exc.strerror})") from exc


def detect(path: Path, display_name: str | None = None) -> ModuleType:
    """The source module whose ``sniff`` accepts ``path``; a clear error when none does."""
    name = display_name or str(path)
    head = read_head(path)
    if not head:
        raise UnknownFormatError(name, "byte 0", "the file is empty; nothing to ingest")
    for fmt in FORMATS:
        module = get(fmt)
        if module.sniff(path, head):
            return module
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnknownFormatError(name, "byte 0", "binary file of no known export format")
    raise UnknownFormatError(
        name,
        "byte 0",
        "not a known export format (Telegram JSON/HTML, WhatsApp .txt/.zip, Instagram, "
        "Snapchat, Signal, JSONL, CSV); pass --format to force one",
    )
