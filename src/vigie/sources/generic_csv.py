"""Generic CSV (or ``;``/tab separated): a header row, then one message per row.

Columns ``text``, ``date``, ``channel``, ``sender``, ``id`` (optional ``platform``,
``channel_name``, ``sender_id``, ``reply_to``), with the aliases of ``vigie.sources.tabular``
(message/content/body for text, timestamp/created_at/time for date, chat/group for channel,
author/from/user for sender, message_id for id). Header names are matched case-insensitively.

- The delimiter is the most frequent of ``,``, ``;`` and tab in the header row.
- No text column, or no date column, refuses the file (``SourceError`` at line 1 listing the
  columns found).
- A row with a different number of fields than the header (E204), a malformed row (E205) or a
  row without a usable date (E201) is quarantined with ``line N`` (the row's first line: quoted
  fields may span lines) and a snippet. Empty rows are skipped.
- Fields may be up to 64 MiB (``csv.field_size_limit``); texts are then cut to
  ``tabular.TEXT_LIMIT`` characters and other fields to ``tabular.FIELD_LIMIT``.
- Invalid UTF-8 refuses the whole file, naming the line; UTF-8 and UTF-16 BOMs are accepted.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from vigie.errors import SourceError
from vigie.model import Quarantine, Record
from vigie.sources import tabular
from vigie.sources.base import ParseContext

if TYPE_CHECKING:
    from _csv import Reader

FORMAT = "generic_csv"
PARSER_VERSION = 1

FIELD_SIZE_LIMIT = 64 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


def delimiter_of(header: str) -> str:
    """The delimiter used by ``header``: the most frequent of , ; and tab outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_columns(line: str) -> list[str]:
    """The column names of a header line (any of the accepted delimiters)."""
    try:
        row = next(csv.reader([line], delimiter=delimiter_of(line)), [])
    except csv.Error:
        return []
    return [cell.strip() for cell in row]


def sniff(path: Path, head: bytes) -> bool:
    """True when the first non-empty line is a header with a text-like column."""
    line, _complete = tabular.first_line(head)
    if not line or line.startswith(("{", "[")):
        return False
    return any(tabular.normalise(c) in tabular.TEXT_COLUMNS for c in header_columns(line))


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Stream one ``Message`` per row; bad rows become ``Quarantine`` records."""
    name = ctx.name(path)
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    lines = tabular.read_lines(path, name)
    leading: list[str] = []
    for line in lines:
        leading.append(line)
        if line.strip():
            break
    if not leading or not leading[-1].strip():
        raise SourceError(name, "line 1", "no header row: the file has no content")
    delimiter = delimiter_of(leading[-1])
    reader = csv.reader(itertools.chain(leading, lines), delimiter=delimiter)
    header: list[str] = []
    while not header:
        try:
            header = [cell.strip() for cell in next(reader)]
        except csv.Error as exc:
            raise SourceError(
                name, f"line {reader.line_num}", f"unreadable header ({exc})"
            ) from None
    header_line = f"line {reader.line_num}"
    columns = tabular.resolve(header)
    for needed in ("text", "date"):
        if needed not in columns.fields:
            raise SourceError(
                name,
                header_line,
                f"no {needed} column; columns found: {tabular.describe_columns(header)}; "
                f"expected one of: {', '.join(tabular.ALIASES[needed])}",
            )
    yield from _rows(reader, header, delimiter, columns, ctx, path.stem)


def _rows(
    reader: Reader,
    header: list[str],
    delimiter: str,
    columns: tabular.ColumnMap,
    ctx: ParseContext,
    default_channel: str,
) -> Iterator[Record]:
    width = len(header)
    while True:
        location = f"line {reader.line_num + 1}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Quarantine("E205", f"malformed CSV row: {exc}", location)
            continue
        if not row or (len(row) == 1 and not row[0].strip() and width > 1):
            continue
        raw = delimiter.join(row)
        if len(row) != width:
            yield Quarantine(
                "E204",
                f"row has {len(row)} fields, the header has {width}",
                location,
                Quarantine.clip(raw),
            )
            continue
        values = dict(zip(header, row, strict=True))
        yield tabular.build(values, columns, ctx, location, default_channel, raw)
