"""WhatsApp chat export: the ``.txt`` (Android or iOS, any locale) or the ``.zip`` WhatsApp makes.

Lines are ``<date> <time> - Name: text`` (Android) or ``[<date> <time>] Name: text`` (iOS) in the
phone's locale (see ``whatsapp_locale``); lines that do not start with a date and time continue the
message above (joined with ``\\n``). What is surprising:

- The day/month order is decided once for the whole file (``whatsapp_locale.OrderVote``): the
  first 64 KiB usually settle it (a field above 12); otherwise a first streaming pass counts, in
  constant memory, how often the timestamps would go back under each order. The decision is kept
  in the ``Channel``'s ``extra`` (``day_first``, ``date_order``, ``layout``).
- Dates are wall-clock times in ``--tz`` (``ParseContext.tz``), stored as UTC. There are no message
  ids: ``message_id`` is ``<local time YYYYmmddTHHMMSS>-<8 hex of sha1(sender)>-<n>``, ``n``
  counting earlier messages with the same time and sender, so re-ingesting the file, or a later
  export of the same chat, gives the same ids.
- ``channel_id`` (and ``channel_name``) is the chat's name taken from the file name:
  ``WhatsApp Chat with X.txt`` → ``X`` (prefixes of many locales are removed, NFC-normalised, a
  trailing `` (1)`` dropped); for ``_chat.txt`` (iOS) the zip's or the folder's name is used.
- Lines without ``Name:`` are service events (``kind="service"``, ``action`` guessed); so are iOS
  lines whose text starts with U+200E and is no media, deletion, poll or location marker (the
  "sender" of those is the group or the person concerned: kept as ``extra.label``).
- Media markers (``whatsapp_markers``) become ``Media``: ``kind="omitted"`` with the marker in
  ``extra.marker``, or the attached file as a relative path (``extra.present`` says whether the
  zip, or the folder of the ``.txt``, holds it). A path escaping the export folder quarantines
  the message (E122). Deleted and edited messages are kept, flagged in ``extra``.
- A line that starts like a message but has an impossible date or time is quarantined (E201)
  with the lines that follow it; lines before the first message line are quarantined (E206).
- Memory stays flat: lines are streamed (a physical line keeps its first MiB, a message its first
  ``TEXT_LIMIT`` characters, flagged ``extra.truncated``), caches are bounded; a ``.zip`` is
  refused (E122) when it would expand past 2 GiB, when its chat text is compressed more than
  200:1 (from 1 MiB up) or when a member name escapes the archive's folder.

Helpers: ``whatsapp_io`` (streaming, encodings, zip checks), ``whatsapp_locale`` (layouts, AM/PM
words, the day/month vote), ``whatsapp_markers`` (what WhatsApp writes instead of content),
``whatsapp_records`` (the second pass, lines → records).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from vigie.errors import SourceError
from vigie.model import Channel, Record
from vigie.sources import whatsapp_markers as markers
from vigie.sources.base import ParseContext
from vigie.sources.whatsapp_io import head_lines, is_zip, open_source, zip_has_text
from vigie.sources.whatsapp_locale import (
    GENERIC,
    MARKS,
    SIGNAL_LIKE,
    Layout,
    OrderVote,
    detect_layout,
    hour24,
)
from vigie.sources.whatsapp_records import PLATFORM, TEXT_LIMIT, Builder

FORMAT = "whatsapp_txt"
PARSER_VERSION = 1
HEAD_LINES = 200
_CHAT_PREFIX = re.compile(
    r"^(?:WhatsApp[ -]Chat(?: (?:with|mit|met|med|con|com|z|avec|dengan|с))?"
    r"|Discussion WhatsApp avec|Chat de WhatsApp con|Chat WhatsApp (?:con|com|dengan|z)"
    r"|Conversa do WhatsApp com|Conversa no WhatsApp com|Czat WhatsApp z|Чат WhatsApp с"
    r"|دردشة واتساب مع)[ \u00a0]*[-–]?[ \u00a0]*",
    re.IGNORECASE,
)
_CHAT_SUFFIX = re.compile(r"(?: ile WhatsApp Sohbeti| \(\d+\))+$", re.IGNORECASE)
_GROUP_ACTIONS = frozenset(
    ["create_group", "join_group_by_link", "invite_members", "remove_members", "leave"]
)


def looks_like_chat(head: bytes) -> bool:
    """True when the first non-empty lines of ``head`` are WhatsApp message lines."""
    lines = [line for line in head_lines(head, 50) if line.strip(MARKS + " \t")][:5]
    hits = 0
    for i, line in enumerate(lines):
        m = GENERIC.match(line)
        if m is None or SIGNAL_LIKE.match(line.lstrip(MARKS)):
            continue
        if m.group(14) and ": " not in m.group(15):
            continue  # "date time text" without a dash or bracket: only with "Name: "
        hits += 1
        if i == 0 or hits >= 2:
            return True
    return False


def sniff(path: Path, head: bytes) -> bool:
    """A text whose first lines are WhatsApp message lines, or a zip holding such a ``.txt``."""
    if is_zip(head):
        return zip_has_text(path, looks_like_chat)
    if path.suffix.lower() == ".md":
        return False  # Signal exports written by sigexport look the same
    return looks_like_chat(head)


def chat_name(stem: str) -> str:
    """The chat's name from a file stem: ``WhatsApp Chat with Livraison 13`` → ``Livraison 13``."""
    stem = unicodedata.normalize("NFC", stem).strip()
    name = _CHAT_SUFFIX.sub("", _CHAT_PREFIX.sub("", stem, count=1)).strip()
    return name or stem


def channel_of(path: Path, member: str | None) -> str:
    """The chat name for a ``.txt`` (or the ``.txt`` ``member`` of the zip ``path``)."""
    stem = PurePosixPath(member).stem if member else path.stem
    if stem.lower() in ("_chat", "chat", ""):
        stem = path.stem if member else (path.parent.name or stem)
    return chat_name(stem)


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Yield the chat's ``Channel``, then its messages, service events and quarantined lines."""
    name = ctx.name(path)
    source = open_source(path, name, looks_like_chat)
    head = source.head()
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise SourceError(name, "", "the file is empty; nothing to ingest")
    lines = head_lines(head, HEAD_LINES)
    layout = detect_layout(lines)
    if layout is None:
        raise SourceError(
            name, "", "not a WhatsApp export: none of the first lines starts with a date and time"
        )
    vote = OrderVote(layout.year_first)
    _count(vote, layout, lines)
    if not vote.decisive():
        vote = OrderVote(layout.year_first)
        _count(vote, layout, source.lines())
    day_first, how = vote.decide(layout)
    channel_id = channel_of(path, source.member)
    details = {
        "file": source.member or path.name,
        "layout": layout.describe(),
        "day_first": day_first,
        "date_order": how,
        "tz": ctx.tz.key,
    }
    yield Channel(
        PLATFORM,
        channel_id,
        name=channel_id,
        type=_chat_type(layout, lines),
        extra=json.dumps(details, ensure_ascii=False),
    )
    yield from Builder(source, layout, day_first, channel_id, ctx).run()


def _count(vote: OrderVote, layout: Layout, lines: Iterable[str]) -> None:
    match = layout.regex.match
    for line in lines:
        m = match(line)
        if m is not None:
            a, b, c, pre, hour, minute, second, ampm = m.group(2, 3, 4, 5, 6, 7, 8, 9)
            vote.add(a, b, c, hour24(int(hour), pre, ampm), int(minute), int(second or 0))


def _chat_type(layout: Layout, lines: list[str]) -> str | None:
    senders: set[str] = set()
    for line in lines:
        m = layout.regex.match(line)
        if m is None:
            continue
        rest = m.group(10)
        cut = rest.find(": ")
        if cut > 0 and rest[cut + 2 : cut + 3] not in ("\u200e", "\u200f"):
            senders.add(rest[:cut])
        elif markers.action(rest.rpartition(": ")[2] if cut > 0 else rest) in _GROUP_ACTIONS:
            return "private_group"
    if len(senders) > 2:
        return "private_group"
    return "personal_chat" if senders else None


__all__ = [
    "FORMAT",
    "PARSER_VERSION",
    "PLATFORM",
    "TEXT_LIMIT",
    "channel_of",
    "chat_name",
    "looks_like_chat",
    "parse",
    "sniff",
]
