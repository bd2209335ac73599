"""Generic JSON Lines: one JSON object per line, columns as in ``vigie.sources.tabular``.

Documented columns: ``text``, ``date``, ``channel``, ``sender``, ``id`` (optional ``platform``,
``channel_name``, ``sender_id``, ``reply_to``); ``platform`` defaults to ``generic``. Common
aliases are accepted (message/content/body for text, timestamp/created_at/time for date,
chat/group for channel, author/from/user for sender, message_id for id): the full table is in
``vigie.sources.tabular``. Keys are matched per line, so lines may differ in their keys.

- The first JSON object must have a text-like key, else the file is refused (``SourceError``
  naming the line and the keys found): it is not a message export.
- A bad line is quarantined with ``line N`` and a snippet: invalid JSON (E202), not an object
  (E203), missing or unusable date (E201). Blank lines are skipped.
- Invalid UTF-8 refuses the whole file, naming the line; UTF-8 and UTF-16 BOMs are accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from vigie.errors import SourceError
from vigie.model import Quarantine, Record
from vigie.sources import tabular
from vigie.sources.base import ParseContext

FORMAT = "generic_jsonl"
PARSER_VERSION = 1

_TEXT_KEY = re.compile(
    r'"\s*(' + "|".join(sorted(tabular.TEXT_COLUMNS)) + r')\s*"\s*:', re.IGNORECASE
)
_MAP_CACHE = 256  # distinct key layouts remembered per file


def sniff(path: Path, head: bytes) -> bool:
    """True when the first non-empty line is a JSON object with a text-like key."""
    line, complete = tabular.first_line(head)
    if not line.startswith("{"):
        return False
    if not complete:
        # A first line longer than the head: judge by its opening keys.
        return bool(_TEXT_KEY.search(line))
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(record, dict) and any(
        tabular.normalise(str(key)) in tabular.TEXT_COLUMNS for key in record
    )


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Stream one ``Message`` per line; bad lines become ``Quarantine`` records."""
    name = ctx.name(path)
    default_channel = path.stem
    maps: dict[tuple[str, ...], tabular.ColumnMap] = {}
    checked = False
    for number, line in enumerate(tabular.read_lines(path, name), 1):
        stripped = line.strip()
        if not stripped:
            continue
        location = f"line {number}"
        try:
            record = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            yield Quarantine("E202", f"invalid JSON: {reason}", location, Quarantine.clip(stripped))
            continue
        if not isinstance(record, dict):
            yield Quarantine(
                "E203",
                f"line is a JSON {type(record).__name__}, not an object",
                location,
                Quarantine.clip(stripped),
            )
            continue
        keys = tuple(record)
        columns = maps.get(keys)
        if columns is None:
            if len(maps) >= _MAP_CACHE:
                maps.clear()
            columns = maps[keys] = tabular.resolve(keys)
        if not checked:
            if columns.text is None:
                raise SourceError(
                    name,
                    location,
                    f"no text column; keys found: {tabular.describe_columns(keys)}; expected one "
                    f"of: {', '.join(tabular.ALIASES['text'])} (see the generic format in README)",
                )
            checked = True
        yield tabular.build(record, columns, ctx, location, default_channel, stripped)
