"""Snapchat "My Data" ``chat_history.json``, both known shapes.

- Older: ``{"Received Saved Chat History": [...], "Sent Saved Chat History": [...]}``; entries
  have ``From`` (received) or ``To`` (sent), ``Media Type``, ``Created``
  (``"2021-01-01 12:00:00 UTC"``) and ``Text``. The conversation is the other person: ``From``
  for received entries, ``To`` for sent ones (whose sender, the account holder, is not named).
- Newer: ``{"<conversation id or friend username>": [...]}``; entries have ``From``,
  ``Media Type``, ``Created``, ``Content``, ``Conversation Title`` (groups), ``IsSender``,
  ``IsSaved``, ``Media IDs`` and ``Created(microseconds)``, which despite its name holds Unix
  MILLISECONDS: it is preferred to ``Created`` when present (its magnitude is checked).

Entries are streamed with ijson, one at a time. Dates are UTC. An entry without a usable date is
quarantined at ``<key>[i]``. HTML entities in texts (``&#39;``, older exports) are decoded. There
are no message ids: ``message_id`` is ``<milliseconds>-<hash of conversation, sender, type,
text>`` (``-2``, ``-3`` … for identical entries in the same millisecond).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from vigie.errors import SourceError
from vigie.model import Channel, Media, Message, Quarantine, Record
from vigie.sources.base import ParseContext
from vigie.sources.tabular import EPOCH, clean, from_epoch, parse_date

FORMAT = "snapchat_json"
PARSER_VERSION = 1
PLATFORM = "snapchat"

OLD_KEY = re.compile(r"^(received|sent)\b.*\bchat history$", re.IGNORECASE)
MEDIA_KINDS = {
    "MEDIA": "media",
    "SNAP": "snap",
    "NOTE": "voice",
    "STICKER": "sticker",
    "SHARE": "share",
    "LOCATION": "location",
    "STATUS": "status",
}
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object with Snapchat's chat keys (``Saved Chat History`` or From/Media Type/Created)."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    if re.search(rb'"(Received|Sent) (Saved )?Chat History"\s*:', head):
        return True
    return b'"From"' in head and b'"Media Type"' in head and b'"Created"' in head


def entries(handle: BinaryIO, name: str) -> Iterator[tuple[str, int, Any]]:
    """``(top-level key, index, entry)`` for each item of each top-level array, one at a time.

    A top-level value that is not an array comes out once with index -1.
    """
    stack: list[str] = []
    key = ""
    index = -1
    builder: ijson.ObjectBuilder | None = None
    nested = 0
    for _prefix, event, value in ijson.parse(handle, use_float=True):
        if builder is not None:
            builder.event(event, value)
            nested += 1 if event in _STARTS else -1 if event in _ENDS else 0
            if nested == 0:
                yield key, index, builder.value
                builder = None
            continue
        level = len(stack)
        if level == 0:
            if event != "start_map":
                raise SourceError(name, "", "not a JSON object: not a Snapchat chat_history.json")
            stack.append("map")
        elif event in _ENDS:
            stack.pop()
        elif level == 1 and event == "map_key":
            key, index = str(value), -1
        elif level == 1 and event == "start_array":
            stack.append("array")
        elif event in _STARTS:
            index += 1 if level == 2 else 0
            builder, nested = ijson.ObjectBuilder(), 1
            builder.event(event, value)
        else:
            index += 1 if level == 2 else 0
            yield key, index, value


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Yield a ``Channel`` per conversation (when first seen) and a ``Message`` per entry."""
    name = ctx.name(path)
    channels: set[str] = set()
    last: tuple[str, object] = ("", None)
    seen: dict[str, int] = {}
    location = ""
    try:
        with path.open("rb") as handle:
            for key, index, entry in entries(handle, name):
                location = f"{key}[{index}]" if index >= 0 else key
                raw = json.dumps(entry, ensure_ascii=False, default=str)
                if index < 0 or not isinstance(entry, dict):
                    what = "not a list of messages" if index < 0 else "not a JSON object"
                    yield Quarantine("E203", f"entry is {what}", location, Quarantine.clip(raw))
                    continue
                record = _message(key, entry, location, ctx)
                if isinstance(record, Quarantine):
                    yield Quarantine(record.code, record.reason, location, Quarantine.clip(raw))
                    continue
                if (record.channel_id, record.date) != last:
                    last, seen = (record.channel_id, record.date), {}
                seen[record.message_id] = count = seen.get(record.message_id, 0) + 1
                if count > 1:
                    record = replace(record, message_id=f"{record.message_id}-{count}")
                if record.channel_id not in channels:
                    channels.add(record.channel_id)
                    group = record.channel_name and not OLD_KEY.match(key)
                    kind = "private_group" if group else "personal_chat"
                    yield Channel(PLATFORM, record.channel_id, record.channel_name, kind)
                yield record
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise SourceError(
            name, f"after {location}" if location else "", f"invalid JSON ({detail})"
        ) from None
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return clean(html.unescape(value) if _ENTITY.search(value) else value)


def _date(entry: dict[str, Any], ctx: ParseContext) -> datetime | None:
    millis = entry.get("Created(microseconds)")
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis > 0:
        # Named microseconds, written in milliseconds; from_epoch tells them apart by size.
        stamp = from_epoch(millis if millis >= 1e11 else millis * 1000)
        if stamp is not None:
            return stamp
    return parse_date(entry.get("Created"), ctx.tz)


def _message(
    key: str, entry: dict[str, Any], location: str, ctx: ParseContext
) -> Message | Quarantine:
    date = _date(entry, ctx)
    if date is None:
        return Quarantine("E201", "missing or unusable date (Created)", location)
    sender = _text(entry.get("From")) or None
    old = OLD_KEY.match(key)
    extra: dict[str, Any] = {}
    if old:
        sent = old.group(1).lower() == "sent"
        counterpart = _text(entry.get("To")) if sent else sender
        channel_id = counterpart or key
        channel_name = counterpart or None
        if sent:
            extra["is_sender"] = True
            extra["to"] = counterpart
        text = _text(entry.get("Text", entry.get("Content")))
    else:
        channel_id = key
        channel_name = _text(entry.get("Conversation Title")) or None
        text = _text(entry.get("Content", entry.get("Text")))
        for source, target in (("IsSender", "is_sender"), ("IsSaved", "is_saved")):
            if isinstance(entry.get(source), bool):
                extra[target] = entry[source]
    media_type = _text(entry.get("Media Type")).upper()
    media: tuple[Media, ...] = ()
    if media_type and media_type != "TEXT":
        ids = _text(entry.get("Media IDs")) or None
        media = (Media(MEDIA_KINDS.get(media_type, media_type.lower()), name=ids),)
        extra["media_type"] = media_type
    millis = (date - EPOCH) // timedelta(milliseconds=1)
    digest_source = json.dumps([channel_id, sender, media_type, text], ensure_ascii=False)
    digest = hashlib.blake2b(digest_source.encode("utf-8"), digest_size=5).hexdigest()
    return Message(
        platform=PLATFORM,
        channel_id=channel_id,
        message_id=f"{millis}-{digest}",
        date=date,
        text=text,
        sender=sender,
        channel_name=channel_name,
        media=media,
        extra=json.dumps(extra, ensure_ascii=False) if extra else None,
        source_location=location,
    )
