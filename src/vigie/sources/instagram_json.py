"""Instagram data download: ``messages/inbox/<thread>/message_N.json``.

Layout: ``participants`` ([{"name"}]), ``messages`` (newest first) with ``sender_name``,
``timestamp_ms``, ``content``, ``photos``/``videos``/``audio_files``/``gifs``/``files`` ([{"uri"}]),
``sticker``, ``share`` ({"link", "share_text", "original_content_owner"}), ``reactions``
([{"reaction", "actor"}]), ``type`` (Generic, Share, Call, Subscribe, Unsubscribe), ``is_unsent``;
then ``title``, ``thread_path`` (``inbox/<thread>``) and ``thread_type``.

What is surprising:

- Meta writes every string's UTF-8 bytes as if each byte were a Latin-1 character ("Ã©" for
  "é", "Ã°ÂŸÂ˜Â€" for an emoji). Every string is repaired with
  ``s.encode("latin-1").decode("utf-8")``, keeping the original when that fails (already right).
- Messages are streamed with ijson in a second pass: ``title`` and ``thread_path`` come after the
  ``messages`` array, so a first pass reads those small fields. Records keep file order (newest
  first); ``source_location`` is ``messages[i]``.
- There are no message ids: ``message_id`` is ``<timestamp_ms>-<hash of sender, text, media>``,
  with ``-2``, ``-3`` … for identical messages in the same millisecond, so a re-ingest, or an
  overlapping export, adds nothing.
- ``channel_id`` is the thread folder (``thread_path`` without ``inbox/``), else the folder
  holding the file, else the title, else the file's stem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import ijson

from vigie.errors import SourceError, UnsafeInputError
from vigie.model import Channel, Media, Message, Quarantine, Record
from vigie.sources.base import ParseContext, safe_relative
from vigie.sources.tabular import EPOCH, clean

FORMAT = "instagram_json"
PARSER_VERSION = 1
PLATFORM = "instagram"

THREAD_FOLDERS = frozenset(
    ["inbox", "archived_threads", "message_requests", "filtered_threads", "e2ee_cutover"]
)
MEDIA_KEYS = (
    ("photos", "photo"),
    ("videos", "video"),
    ("audio_files", "voice"),
    ("gifs", "gif"),
    ("files", "file"),
)
SERVICE_TYPES = {"Subscribe": "subscribe", "Unsubscribe": "unsubscribe", "Call": "call"}
THREAD_TYPES = {"Regular": "personal_chat", "RegularGroup": "private_group"}
_HEADER_KEYS = ("title", "thread_path", "thread_type", "is_still_participant")


def repair(text: str) -> str:
    """Undo Meta's mojibake ("Ã§a coÃ»te" -> "ça coûte"); unchanged when not mojibake."""
    if text.isascii():
        return text
    try:
        return clean(text.encode("latin-1").decode("utf-8"))
    except UnicodeError:
        return clean(text)


def repair_value(value: Any) -> Any:
    """``repair`` applied to every string (keys included) inside a JSON value."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, list):
        return [repair_value(v) for v in value]
    if isinstance(value, dict):
        return {repair(str(k)): repair_value(v) for k, v in value.items()}
    return value


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object whose head shows ``messages`` with ``sender_name`` and ``timestamp_ms``."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        start.startswith(b"{")
        and b'"messages"' in head
        and b'"sender_name"' in head
        and b'"timestamp_ms"' in head
    )


def _fail(name: str, location: str, exc: Exception) -> SourceError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return SourceError(
        name, location, f"invalid JSON ({detail}); the file may be truncated or not UTF-8"
    )


def read_header(path: Path, name: str) -> dict[str, Any]:
    """First pass: the small thread fields (participants, title, thread_path …), repaired."""
    header: dict[str, Any] = {"participants": [], "has_messages": False}
    try:
        with path.open("rb") as handle:
            for prefix, event, value in ijson.parse(handle, use_float=True):
                if prefix == "participants.item.name" and event == "string":
                    header["participants"].append(repair(value))
                elif prefix in _HEADER_KEYS and event in ("string", "boolean", "number"):
                    header[prefix] = repair(value) if isinstance(value, str) else value
                elif prefix == "messages" and event == "start_array":
                    header["has_messages"] = True
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise _fail(name, "", exc) from None
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from None
    if not header["has_messages"]:
        raise SourceError(name, "", "no 'messages' array: not an Instagram message_N.json")
    return header


def channel_id_for(path: Path, header: dict[str, Any]) -> str:
    """The thread's id: thread_path's folder, the file's folder, the title, or the stem."""
    thread_path = header.get("thread_path")
    if isinstance(thread_path, str) and thread_path.strip("/"):
        return thread_path.strip("/").rsplit("/", 1)[-1]
    if path.parent.parent.name in THREAD_FOLDERS:
        return path.parent.name
    title = header.get("title")
    if isinstance(title, str) and title:
        return title
    return path.stem


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Yield the thread's ``Channel``, then one ``Message`` per entry in ``messages``."""
    name = ctx.name(path)
    header = read_header(path, name)
    channel_id = channel_id_for(path, header)
    title = header.get("title") if isinstance(header.get("title"), str) else None
    participants: list[str] = header["participants"]
    thread_type = header.get("thread_type")
    kind = THREAD_TYPES.get(str(thread_type)) if thread_type else None
    if kind is None and participants:
        kind = "private_group" if len(participants) > 2 else "personal_chat"
    details: dict[str, Any] = {k: header[k] for k in ("thread_path", "thread_type") if k in header}
    details["participants"] = participants
    yield Channel(
        PLATFORM,
        channel_id,
        name=title or (", ".join(participants) if participants else None),
        type=kind,
        extra=json.dumps(details, ensure_ascii=False, default=str),
    )
    index = -1
    last_ts: object = None
    seen: dict[str, int] = {}
    try:
        with path.open("rb") as handle:
            for index, item in enumerate(ijson.items(handle, "messages.item", use_float=True)):
                location = f"messages[{index}]"
                if not isinstance(item, dict):
                    raw = json.dumps(item, ensure_ascii=False, default=str)
                    yield Quarantine(
                        "E203", "message is not a JSON object", location, Quarantine.clip(raw)
                    )
                    continue
                ts = item.get("timestamp_ms")
                if ts != last_ts:
                    last_ts, seen = ts, {}
                yield _message(item, channel_id, title, location, name, seen, ctx)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise _fail(name, f"messages[{index + 1}]", exc) from None


def _date(ts: object) -> datetime | None:
    if isinstance(ts, bool):
        return None
    if isinstance(ts, str) and ts.strip().isdigit():
        ts = int(ts)
    if isinstance(ts, int | float):
        try:
            return EPOCH + timedelta(milliseconds=ts)
        except (OverflowError, ValueError):
            return None
    return None


def _media(item: dict[str, Any], name: str, location: str) -> list[Media]:
    found: list[Media] = []
    entries: list[tuple[str, Any]] = []
    for key, kind in MEDIA_KEYS:
        values = item.get(key)
        if isinstance(values, list):
            entries.extend((kind, v) for v in values)
    if isinstance(item.get("sticker"), dict):
        entries.append(("sticker", item["sticker"]))
    for kind, entry in entries:
        uri = entry.get("uri") if isinstance(entry, dict) else None
        if not isinstance(uri, str) or not uri:
            continue
        uri = repair(uri)
        if uri.startswith(("http://", "https://")):
            found.append(Media(kind, name=uri))
        else:
            found.append(Media(kind, path=safe_relative(uri, name, location)))
    return found


def _message(
    item: dict[str, Any],
    channel_id: str,
    title: str | None,
    location: str,
    name: str,
    seen: dict[str, int],
    ctx: ParseContext,
) -> Message | Quarantine:
    raw = json.dumps(item, ensure_ascii=False, default=str)
    date = _date(item.get("timestamp_ms"))
    if date is None:
        return Quarantine(
            "E201", "missing or unusable timestamp_ms", location, Quarantine.clip(raw)
        )
    try:
        media = _media(item, name, location)
    except UnsafeInputError as exc:
        return Quarantine(exc.code, exc.reason, location, Quarantine.clip(raw))
    sender = repair(item["sender_name"]) if isinstance(item.get("sender_name"), str) else None
    text = repair(item["content"]) if isinstance(item.get("content"), str) else ""
    if text != item.get("content", ""):
        ctx.stats.note("mojibake_repaired")
    extra: dict[str, Any] = {}
    for key in ("share", "reactions", "users", "call_duration", "is_unsent", "type"):
        value = item.get(key)
        if value not in (None, [], {}, False) and not (key == "type" and value == "Generic"):
            extra[key] = repair_value(value)
    action = SERVICE_TYPES.get(str(item.get("type")))
    digest_source = json.dumps(
        [sender, text, [m.path or m.name for m in media]], ensure_ascii=False
    )
    digest = hashlib.blake2b(digest_source.encode("utf-8"), digest_size=5).hexdigest()
    seen[digest] = seen.get(digest, 0) + 1
    message_id = f"{(date - EPOCH) // timedelta(milliseconds=1)}-{digest}"
    if seen[digest] > 1:
        message_id += f"-{seen[digest]}"
    return Message(
        platform=PLATFORM,
        channel_id=channel_id,
        message_id=message_id,
        date=date,
        text=text,
        sender=sender,
        kind="service" if action else "message",
        channel_name=title,
        action=action,
        media=tuple(media),
        extra=json.dumps(extra, ensure_ascii=False, default=str) if extra else None,
        source_location=location,
    )
