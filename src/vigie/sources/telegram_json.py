"""Telegram Desktop JSON export: a chat's ``result.json`` or the full-account ``result.json``.

Layout: a single chat is ``{"name", "type", "id", "messages": [...]}``; the full-account export
has ``about``, ``personal_information`` … and ``chats.list[]`` / ``left_chats.list[]``, each a
chat object like the single one. A ``Channel`` (``channel_id`` = the chat's ``id``) is yielded
when a chat's ``messages`` array starts, then its messages, with ``source_location``
``messages[12]`` or ``chats.list[0].messages[12]``.

What is surprising:

- ``date`` is the exporting computer's local time without a zone: ``date_unixtime`` (UTC) is
  used when present, else ``date`` is read in ``--tz``. No usable date: a Quarantine (E201).
- ``text`` is a string or a list of strings and ``{"type", "text"}`` parts; ``text_entities``
  (the same parts, all objects) is preferred. Entities keep offsets in code points of the flat
  text; ``text_link`` keeps its hidden ``href`` as ``url``, ``mention_name`` gets
  ``tg://user?id=…``.
- Service messages (``type: service``) take their sender from ``actor``/``actor_id``.
- Media paths are relative to the export folder; "(File not included …)" markers give a
  ``Media`` without a path. A path escaping the folder quarantines the message (E122).
- ``extra`` (compact JSON, only keys present): reactions, poll, inline_bot_buttons, via_bot,
  author, sticker_emoji, contact/location, forwarded_from_id, service details (members,
  inviter, title …), and ``topic_id``/``topic`` for a forum message: one replying to a
  ``topic_created`` service message or to a message already in a topic (bounded memory).
- Without ``id``: a message gets ``h`` + a hash of date, sender and text; a chat ``name-`` + a
  hash of its name, else the file's stem.
- Speed: messages are decoded a block at a time into a msgspec Struct (``json_repair``
  cuts them out of the byte stream; other layouts fall back to ijson), keeping rarely used
  values raw until needed. Memory does not grow with the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from vigie.errors import SourceError, UnsafeInputError
from vigie.model import Channel, Media, Message, Quarantine, Record, TextEntity
from vigie.sources.base import ParseContext, safe_relative
from vigie.sources.json_repair import Items, LayoutMismatch, iter_generic, iter_pretty, open_utf8

FORMAT = "telegram_json"
PARSER_VERSION = 1
PLATFORM = "telegram"

TOPIC_MEMORY = 25_000  # replies remembered (x1-2) per chat to place later replies in topics
MEDIA_KINDS = {
    "sticker": "sticker", "video_file": "video", "voice_message": "voice",
    "animation": "animation", "audio_file": "audio", "video_message": "video_message",
}  # fmt: skip
# Kept in ``extra`` when present (messages, service messages), left raw (msgspec.Raw) till then.
MESSAGE_EXTRAS = (
    "poll", "inline_bot_buttons", "via_bot", "author", "sticker_emoji", "contact_information",
    "location_information", "place_name", "address", "live_location_period_seconds",
    "forwarded_from_id", "saved_from", "reply_to_peer_id", "performer", "game_title",
    "game_description", "game_link", "invoice_information", "self_destruct_period_seconds",
    "reactions", "title", "duration_seconds",
)  # fmt: skip
SERVICE_EXTRAS = (
    "reactions", "title", "duration_seconds", "members", "new_title", "inviter", "message_id",
    "information_text", "amount", "currency", "distance", "to", "to_id", "period", "emoticon",
    "values", "discard_reason", "button_id", "peer_id", "cost", "months", "new_icon_emoji_id",
    "schedule_date", "recurring",
)  # fmt: skip
_CORE = (
    "id", "type", "date_unixtime", "edited_unixtime", "from_", "from_id", "actor", "actor_id",
    "action", "reply_to_message_id", "forwarded_from", "text_entities", "photo", "file",
    "contact_vcard",
)  # fmt: skip
_MEDIA = ("media_type", "mime_type", "file_name")
_RAW = ("date", "edited", "text", "text_entities")
# Struct fields in the order Telegram Desktop writes keys (msgspec decodes that order fastest).
_ORDER = (
    "id", "type", "date", "date_unixtime", "edited", "edited_unixtime", "actor", "actor_id",
    "action", "title", "members", "inviter", "message_id", "from_", "from_id", "author",
    "forwarded_from", "forwarded_from_id", "saved_from", "reply_to_message_id",
    "reply_to_peer_id", "via_bot", "photo", "file", "file_name", "media_type", "sticker_emoji",
    "performer", "mime_type", "duration_seconds", "contact_vcard", "poll", "text",
    "text_entities", "reactions", "inline_bot_buttons",
)  # fmt: skip
_Raw = msgspec.Raw
_EMPTY = _Raw()  # the default of every raw field (msgspec omits defaults by identity)


class _Part(msgspec.Struct, gc=False):
    type: Any = None
    text: Any = ""
    href: Any = None
    user_id: Any = None


def _fields(typed: bool) -> list[tuple[str, Any, Any]]:
    """Struct fields: unixtimes as datetimes when ``typed``, rarely used values kept raw."""
    out: list[tuple[str, Any, Any]] = []
    for name in dict.fromkeys((*_ORDER, *_CORE, *_MEDIA, *_RAW, *MESSAGE_EXTRAS, *SERVICE_EXTRAS)):
        if name == "from_":
            out.append((name, Any, msgspec.field(default=None, name="from")))
        elif typed and name == "text_entities":
            out.append((name, list[_Part] | None, None))
        elif name in _RAW or name in MESSAGE_EXTRAS or name in SERVICE_EXTRAS:
            out.append((name, _Raw, _EMPTY))
        elif typed and name.endswith("_unixtime"):
            out.append((name, datetime | None, None))
        else:
            out.append((name, Any, None))
    return out


# A message object decoded fast: no dict, unknown keys skipped, rarely used values kept raw;
# ``TgLoose`` takes the messages whose unixtimes are not numbers.
TgMessage: Any = msgspec.defstruct("TgMessage", _fields(True), gc=False, omit_defaults=True)
TgLoose: Any = msgspec.defstruct("TgLoose", _fields(False), gc=False, omit_defaults=True)
_ITEMS = Items(TgMessage, TgLoose)


def _extra_struct(name: str, fields: tuple[str, ...]) -> Any:
    """A struct of raw extras plus the forum topic, encoding only what is present."""
    spec: list[tuple[str, Any, Any]] = [(k, _Raw, _EMPTY) for k in fields]
    spec += [("topic_id", Any, None), ("topic", Any, None)]
    return msgspec.defstruct(name, spec, omit_defaults=True, gc=False)


_MessageExtra = _extra_struct("MessageExtra", MESSAGE_EXTRAS)
_ServiceExtra = _extra_struct("ServiceExtra", SERVICE_EXTRAS)
_core = attrgetter(*_CORE)
_message_extras = attrgetter(*MESSAGE_EXTRAS)
_service_extras = attrgetter(*SERVICE_EXTRAS)
_decode = msgspec.json.decode
_encode = msgspec.json.encode
_format = msgspec.json.format
_fromtimestamp = datetime.fromtimestamp
_PLAIN_PATH = re.compile(r"(?!\.{0,2}/)[^\\:]*(?<![/.])")  # relative, no "\\" nor ":"
_MARKER = re.compile(r"\((?:File|Photo|Story) (?:not included|unavailable|exceeds)")
_TG_TYPE = re.compile(rb'"type":\s*"(?:message|service)"')


def sniff(path: Path, head: bytes) -> bool:
    """A JSON object with Telegram's ``messages`` keys, or a full-account export's ``about``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{") or b'"sender_name"' in head or b'"timestamp_ms"' in head:
        return False
    if b'"messages"' in head and (b'"date_unixtime"' in head or _TG_TYPE.search(head)):
        return True
    return re.match(rb'\{\s*"about"\s*:', start) is not None and (
        b'"personal_information"' in head or b'"chats"' in head or b"Telegram" in head
    )


def flatten(parts: Any) -> tuple[str, tuple[TextEntity, ...]]:
    """Plain text and entities of a Telegram ``text``/``text_entities`` value.

    Strings are plain text; ``{"type", "text"}`` objects become entities (``plain`` ones
    excepted) at code-point offsets of the plain text; nested lists are flattened; anything
    else is ignored. Never raises.
    """
    if parts.__class__ is str:
        return parts, ()
    pieces: list[str] = []
    entities: list[TextEntity] = []
    _flatten_into(parts, pieces, entities, 0)
    return "".join(pieces), tuple(entities)


def _flatten_into(parts: Any, pieces: list[str], entities: list[TextEntity], offset: int) -> int:
    if parts.__class__ is not list:
        parts = [parts]
    for part in parts:
        cls = part.__class__
        if cls is _Part or cls is dict:
            if cls is _Part:
                text, kind, href, user_id = part.text, part.type, part.href, part.user_id
            else:
                text, kind = part.get("text"), part.get("type")
                href, user_id = part.get("href"), part.get("user_id")
            if text.__class__ is not str:
                sub: list[str] = []
                _flatten_into(text, sub, entities, offset)
                text = "".join(sub)
            pieces.append(text)
            if kind != "plain" and kind.__class__ is str:
                if href.__class__ is not str:
                    href = None
                    if user_id.__class__ in (int, str):
                        href = f"tg://user?id={user_id}"
                entities.append(TextEntity(kind, text, offset, len(text), href))
            offset += len(text)
        elif cls is str:
            pieces.append(part)
            offset += len(part)
        elif cls is list:
            offset = _flatten_into(part, pieces, entities, offset)
    return offset


@dataclass
class _Chat:
    """One chat being read: its id and name, forum topics seen, and yield bookkeeping."""

    channel_id: str
    name: str | None
    seq: int
    skip: int = 0  # messages already yielded by an earlier pass
    count: int = 0
    topics: dict[int, str] = field(default_factory=dict)
    topic_of: dict[int, int] = field(default_factory=dict)  # message id -> topic id
    topic_old: dict[int, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)


def _chat(scalars: dict[str, Any], seq: int, file_name: str) -> _Chat:
    ident, name = scalars.get("id"), scalars.get("name")
    name = name if isinstance(name, str) else None
    if ident.__class__ in (int, str) and str(ident):
        channel_id = str(ident)
    elif name:
        channel_id = "name-" + hashlib.sha1(name.encode()).hexdigest()[:12]
    else:
        channel_id = Path(file_name).stem
    return _Chat(channel_id, name, seq)


def _date(unix: Any, local: Any, tz: ZoneInfo) -> datetime | None:
    """UTC from ``*_unixtime`` (a datetime already, or text), else from the local ``date``
    (raw JSON, no zone) read in ``tz``."""
    if unix.__class__ is datetime:
        return (unix if unix.tzinfo else unix.replace(tzinfo=tz)).astimezone(UTC)
    if unix is not None:
        try:
            return _fromtimestamp(int(unix), UTC)
        except (ValueError, TypeError, OverflowError, OSError):
            pass
    try:
        text = _decode(local) if local else None
        parsed = datetime.fromisoformat(text) if isinstance(text, str) else None
    except (msgspec.DecodeError, ValueError):
        return None
    if parsed is None:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)


def _media(kind: str, raw: Any, mime: Any, name: Any, file_name: str, loc: str) -> Media:
    mime = mime if mime.__class__ is str else None
    name = name if name.__class__ is str else None
    if raw.__class__ is not str or not raw or (raw[-1] == ")" and _MARKER.search(raw)):
        return Media(kind, None, mime, name)  # "(File not included. …)" and friends
    if _PLAIN_PATH.fullmatch(raw) is None or ".." in raw or "/./" in raw or "//" in raw:
        raw = safe_relative(raw, file_name, loc)  # refuses paths escaping the folder
    return Media(kind, raw, mime, name)


def _all_media(m: Any, file_name: str, loc: str) -> tuple[Media, ...]:
    found = []
    if m.photo is not None:
        found.append(_media("photo", m.photo, None, None, file_name, loc))
    if m.file is not None:
        kind = MEDIA_KINDS.get(m.media_type, "file") if m.media_type.__class__ is str else "file"
        found.append(_media(kind, m.file, m.mime_type, m.file_name, file_name, loc))
    if m.contact_vcard is not None:
        found.append(_media("contact", m.contact_vcard, "text/vcard", None, file_name, loc))
    return tuple(found)


def _id_for(m: Any, chat: _Chat, text: str) -> str:
    """``id`` as a string; without one, a hash of date, sender and text (unique in the chat)."""
    if m.id.__class__ in (int, str):
        return str(m.id)
    date = _unix_text(m.date_unixtime) or (
        bytes(m.date).decode("utf-8", "replace") if m.date else ""
    )
    basis = f"{date}\x1f{m.from_}\x1f{text}"
    key = "h" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    n, unique = 1, key
    while unique in chat.seen:
        n += 1
        unique = f"{key}-{n}"
    chat.seen.add(unique)
    return unique


def _topic(m: Any, chat: _Chat, reply: Any) -> tuple[int | None, str | None]:
    """Remember forum topics; the topic (id, title) of a message when its reply shows it."""
    ident = m.id
    if m.action == "topic_created" and ident.__class__ is int:
        title = _decode(m.title) if m.title else None
        chat.topics[ident] = title if isinstance(title, str) else ""
        return None, None
    topic = reply if reply in chat.topics else chat.topic_of.get(reply, chat.topic_old.get(reply))
    if topic is not None and ident.__class__ is int:
        chat.topic_of[ident] = topic
        if len(chat.topic_of) >= TOPIC_MEMORY:  # keep the last 1-2 × TOPIC_MEMORY replies
            chat.topic_old, chat.topic_of = chat.topic_of, {}
    return topic, chat.topics.get(topic) if topic is not None else None


def _text(ents: Any, text: Any) -> tuple[str, tuple[TextEntity, ...]]:
    """Flat text and entities from raw ``text_entities``, else from raw ``text``."""
    raw = ents or text
    return flatten(_decode(raw)) if raw else ("", ())


def _unix_text(value: Any) -> str:
    """A ``*_unixtime`` value as the file wrote it (text of the integer)."""
    if value.__class__ is datetime:
        return str(int(value.timestamp()))
    return "" if value is None else str(value)


def _quarantine(code: str, reason: str, loc: str, m: Any) -> Quarantine:
    """A Quarantine whose snippet is the message as compact JSON, as close to the file as can be."""
    if m.__class__ is TgMessage:
        m = msgspec.structs.replace(
            m,
            date_unixtime=_unix_text(m.date_unixtime) or None,
            edited_unixtime=_unix_text(m.edited_unixtime) or None,
        )
    return Quarantine(code, reason, loc, Quarantine.clip(_format(_encode(m), indent=-1)))


def build(m: Any, chat: _Chat, loc: str, tz: ZoneInfo, file_name: str) -> Record:
    """One decoded message (a ``TgMessage``/``TgLoose``, else not an object) -> a Message, or
    a Quarantine saying why not."""
    if m.__class__ is not TgMessage and m.__class__ is not TgLoose:
        return _quarantine("E203", "message is not a JSON object", loc, m)
    (ident, kind, date, edited, sender, sender_id, actor, actor_id, action, reply, fwd, ents,
     photo, file, vcard) = _core(m)  # fmt: skip
    if date.__class__ is not datetime or date.tzinfo is not UTC:
        date = _date(date, m.date, tz)
        if date is None:
            what = "unsupported message" if kind == "unsupported" else "message"
            return _quarantine("E201", f"{what} has no usable date", loc, m)
    if edited.__class__ is not datetime or edited.tzinfo is not UTC:
        edited = _date(edited, m.edited, tz) if edited is not None or m.edited else None
    entities: tuple[TextEntity, ...] = ()
    if ents.__class__ is list:
        text, entities = flatten(ents) if ents else ("", ())
    elif ents is not None and len(ents) == 2:
        text = ""  # "[]", raw
    else:
        text, entities = _text(ents, m.text)
    topic: tuple[int | None, str | None] = (None, None)
    if action == "topic_created" or (reply is not None and chat.topics):
        topic = _topic(m, chat, reply)
    if kind == "service":
        extra = _encode(_ServiceExtra(*_service_extras(m), *topic))
        if actor is not None or actor_id is not None:
            sender, sender_id = actor, actor_id
        if not text and m.information_text:
            info = _decode(m.information_text)
            text = info if info.__class__ is str else ""
    else:
        kind, action = "message", None
        extra = _encode(_MessageExtra(*_message_extras(m), *topic))
    media: tuple[Media, ...] = ()
    if photo is not None or file is not None or vcard is not None:
        try:
            media = _all_media(m, file_name, loc)
        except UnsafeInputError as exc:
            return _quarantine(exc.code, exc.reason, loc, m)
    if len(extra) > 2:  # raw values keep the file's indentation until compacted here
        extra = _format(extra, indent=-1) if b"\n" in extra else extra
    return Message(  # positional: the fastest call
        PLATFORM, chat.channel_id, str(ident) if ident.__class__ is int else _id_for(m, chat, text),
        date, text, sender if sender.__class__ is str else None,
        None if sender_id is None else str(sender_id), kind, chat.name,
        None if reply is None else str(reply), fwd if fwd.__class__ is str else None, edited,
        action if action.__class__ is str else None, entities, media,
        extra.decode() if len(extra) > 2 else None, loc,
    )  # fmt: skip


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Stream the chats (``Channel``) and messages of a Telegram Desktop JSON export."""
    name = ctx.name(path)
    done = [0, 0]  # chats started, messages of the last chat: what was yielded so far
    try:
        reader, raw = open_utf8(path)
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from None
    try:
        with raw:
            events = iter_pretty(reader, name, _counter(ctx), _ITEMS, path)
            yield from _records(events, name, ctx, done, None)
        return
    except LayoutMismatch:
        ctx.stats.note("telegram_json_generic_parser")
    except UnicodeDecodeError as exc:
        raise SourceError(name, "", f"not valid UTF-16 ({exc.reason})") from None
    skip = (done[0], done[1])
    reader, raw = open_utf8(path)
    with raw:
        yield from _records(
            iter_generic(reader, name, _counter(ctx), _ITEMS), name, ctx, done, skip
        )


def _counter(ctx: ParseContext) -> Callable[[int], None]:
    def repaired(n: int) -> None:
        ctx.stats.repairs += n
        ctx.stats.note("json_repairs", n)

    return repaired


def _records(
    events: Iterator[tuple[str, str, Any]],
    name: str,
    ctx: ParseContext,
    done: list[int],
    skip: tuple[int, int] | None,
) -> Iterator[Record]:
    """Records from stream events; with ``skip``, leave out what an earlier pass yielded."""
    tz = ctx.tz
    chat: _Chat | None = None
    seq = 0
    for kind, where, value in events:
        if kind == "messages":
            if chat is None:
                continue
            first, values = value
            muted = chat.skip - chat.count
            for index, item in enumerate(values, first):
                record = build(item, chat, f"{where}[{index}]", tz, name)
                if muted > 0:
                    muted -= 1
                else:
                    yield record
            chat.count += len(values)
            done[1] = chat.count
        else:
            chat = _chat(value, seq, name)
            seq += 1
            if skip is not None and chat.seq < skip[0]:
                chat.skip = skip[1] if chat.seq == skip[0] - 1 else 1 << 62
                continue
            done[:] = [seq, 0]
            kind_ = value.get("type")
            yield Channel(
                PLATFORM, chat.channel_id, chat.name, kind_ if kind_.__class__ is str else None
            )
