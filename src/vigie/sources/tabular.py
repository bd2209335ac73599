"""Column mapping shared by ``generic_jsonl`` and ``generic_csv``, plus date and id helpers.

Both generic formats carry one message per record (a JSON object per line, or a CSV row). Column
names are compared after lower-casing and turning spaces and dashes into ``_``; for each field the
first alias present wins:

=============== =====================================================================
field           accepted column names (in order of preference)
=============== =====================================================================
``text``        text, message, content, body, msg, message_text
``date``        date, timestamp, created_at, time, datetime, ts, sent_at
``channel``     channel, channel_id, chat, chat_id, group, group_id, conversation
``sender``      sender, author, from, user, username, sender_name
``id``          id, message_id, msg_id
``platform``    platform
``channel_name`` channel_name, chat_name, group_name, chat_title
``sender_id``   sender_id, author_id, from_id, user_id
``reply_to``    reply_to, reply_to_id, reply_to_message_id, in_reply_to
=============== =====================================================================

Dates: ISO 8601 with a zone (``2024-03-01T10:00:00+01:00``, ``…Z``, ``… UTC``), naive ISO read in
``--tz``, or Unix time as a number or numeric string (seconds; milliseconds, microseconds and
nanoseconds are told apart by magnitude). Without an ``id`` the message id is a hash of
(channel, date, sender, text), so re-ingesting the file adds nothing. Without a ``channel`` the
file's stem is used. Other columns are kept in ``Message.extra`` as JSON.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from vigie.errors import SourceError
from vigie.model import Message, Quarantine
from vigie.sources.base import ParseContext

ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "content", "body", "msg", "message_text"),
    "date": ("date", "timestamp", "created_at", "time", "datetime", "ts", "sent_at"),
    "channel": ("channel", "channel_id", "chat", "chat_id", "group", "group_id", "conversation"),
    "sender": ("sender", "author", "from", "user", "username", "sender_name"),
    "id": ("id", "message_id", "msg_id"),
    "platform": ("platform",),
    "channel_name": ("channel_name", "chat_name", "group_name", "chat_title"),
    "sender_id": ("sender_id", "author_id", "from_id", "user_id"),
    "reply_to": ("reply_to", "reply_to_id", "reply_to_message_id", "in_reply_to"),
}
TEXT_COLUMNS = frozenset(ALIASES["text"])
TEXT_LIMIT = 1_000_000  # characters kept of one message text
FIELD_LIMIT = 4096  # characters kept of any other field
EXTRA_LIMIT = 65536  # characters of JSON kept for the unmapped columns
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def normalise(column: str) -> str:
    """A column name as the alias table spells it: ``"Created At"`` -> ``created_at``."""
    return column.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which source column feeds each field (None when absent), and the columns left over."""

    fields: dict[str, str]
    others: tuple[str, ...]

    @property
    def text(self) -> str | None:
        return self.fields.get("text")

    @property
    def date(self) -> str | None:
        return self.fields.get("date")


def resolve(columns: Iterable[str]) -> ColumnMap:
    """Map the columns found in a file to Vigie's fields using ``ALIASES``."""
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(normalise(column), column)
    fields: dict[str, str] = {}
    used: set[str] = set()
    for field, aliases in ALIASES.items():
        for alias in aliases:
            found = by_name.get(alias)
            if found is not None and found not in used:
                fields[field] = found
                used.add(found)
                break
    others = tuple(c for c in by_name.values() if c not in used)
    return ColumnMap(fields, others)


def describe_columns(columns: Iterable[str]) -> str:
    """``a, b, c`` (at most 20 names, each clipped) for error messages."""
    names = [repr(str(c)[:40]) for c in columns]
    shown = ", ".join(names[:20]) or "none"
    return shown + (f" … ({len(names)} in all)" if len(names) > 20 else "")


def clean(text: str) -> str:
    """``text`` safe to store as UTF-8: lone surrogates (from JSON ``\\ud800``) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def as_text(value: object, limit: int = FIELD_LIMIT) -> str:
    """A cell as text: None -> "", numbers as written, objects and lists as compact JSON."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit]
        return text if text.isascii() else clean(text)
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        text = str(int(value))
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return clean(text[:limit])


def from_epoch(number: float | int) -> datetime | None:
    """Unix time in seconds, milliseconds, microseconds or nanoseconds (by magnitude), as UTC."""
    if isinstance(number, float) and not math.isfinite(number):
        return None
    size = abs(number)
    try:
        if size >= 1e17:
            return EPOCH + timedelta(microseconds=int(number) // 1000)
        if size >= 1e14:
            return EPOCH + timedelta(microseconds=int(number))
        if size >= 1e11:
            return EPOCH + timedelta(milliseconds=number)
        return EPOCH + timedelta(seconds=number)
    except (OverflowError, ValueError):
        return None


def parse_date(value: object, tz: ZoneInfo) -> datetime | None:
    """A UTC-aware datetime from ISO 8601 or Unix time; None when ``value`` is not a date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return from_epoch(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if _NUMBER.fullmatch(text):
        return from_epoch(float(text) if "." in text else int(text))
    if text.endswith((" UTC", " GMT")):
        text = text[:-4] + "+00:00"
    try:
        stamp = datetime.fromisoformat(text)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=tz)
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def stable_id(*parts: object) -> str:
    """A short id derived from ``parts``: the same content always gives the same id."""
    raw = json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    return "h" + hashlib.blake2b(raw, digest_size=10).hexdigest()


def read_lines(path: Path, name: str) -> Iterator[str]:
    """The file's lines, decoded, with their line endings (for ``csv`` and JSONL).

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read; any other bytes raise
    ``SourceError`` naming the line.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from exc
    with handle:
        if handle.read(2) in _UTF16_BOMS:
            handle.seek(0)
            yield from _utf16_lines(handle, name)
            return
        handle.seek(0)
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(
                    name,
                    f"line {number}",
                    f"invalid UTF-8 at byte {exc.start} of the line; re-save the file as UTF-8",
                ) from None


def _utf16_lines(handle: io.BufferedReader, name: str) -> Iterator[str]:
    text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
    number = 0
    try:
        for number, line in enumerate(text, 1):  # noqa: B007 - number is read after the loop
            yield line
    except UnicodeDecodeError:
        raise SourceError(
            name, f"line {number + 1}", "invalid UTF-16 near this line; re-save the file as UTF-8"
        ) from None
    finally:
        text.detach()


def head_text(head: bytes) -> str:
    """The sniffed head decoded as UTF-8 or UTF-16 (by BOM), dropping a cut last character."""
    if head[:2] in _UTF16_BOMS:
        return head.decode("utf-16", "ignore")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "ignore")


def first_line(head: bytes) -> tuple[str, bool]:
    """The first non-empty line of ``head`` and whether it is complete (ends before the head)."""
    lines = head_text(head).split("\n")
    for number, line in enumerate(lines):
        if line.strip():
            return line.strip(), number < len(lines) - 1
    return "", False


def build(
    values: Mapping[str, object],
    columns: ColumnMap,
    ctx: ParseContext,
    location: str,
    default_channel: str,
    raw: str,
) -> Message | Quarantine:
    """One record -> a ``Message``, or a ``Quarantine`` when it has no usable date."""
    fields = columns.fields
    date_value = values.get(fields["date"]) if "date" in fields else None
    if date_value is None or date_value == "":
        wanted = fields.get("date", "date")
        return Quarantine(
            "E201", f"missing date (column {wanted!r})", location, Quarantine.clip(raw)
        )
    date = parse_date(date_value, ctx.tz)
    if date is None:
        shown = as_text(date_value, 60)
        return Quarantine("E201", f"unusable date {shown!r}", location, Quarantine.clip(raw))
    cell = {
        field: as_text(values.get(column), TEXT_LIMIT + 1 if field == "text" else FIELD_LIMIT)
        for field, column in fields.items()
        if field != "date"
    }
    text = cell.get("text", "")
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT]
        ctx.stats.note("text_truncated")
    channel = cell.get("channel") or default_channel
    sender = cell.get("sender") or None
    message_id = cell.get("id") or stable_id(channel, date.isoformat(), sender, text)
    platform = cell.get("platform", "").strip().lower() or "generic"
    extra: dict[str, object] = {}
    for column in columns.others:
        value = values.get(column)
        if value is not None and value != "":
            extra[column[:200]] = value
    extra_json = clean(json.dumps(extra, ensure_ascii=False, default=str)) if extra else None
    if extra_json is not None and len(extra_json) > EXTRA_LIMIT:
        extra_json = json.dumps({"truncated": extra_json[:EXTRA_LIMIT]}, ensure_ascii=False)
        ctx.stats.note("extra_truncated")
    return Message(
        platform=platform,
        channel_id=channel,
        message_id=message_id,
        date=date,
        text=text,
        sender=sender,
        sender_id=cell.get("sender_id") or None,
        channel_name=cell.get("channel_name") or None,
        reply_to=cell.get("reply_to") or None,
        extra=extra_json,
        source_location=location,
    )
