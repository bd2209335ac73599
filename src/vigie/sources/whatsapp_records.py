"""Second pass of the WhatsApp parser: lines of a known layout → ``Message``/``Quarantine``.

The hot loop is written for speed (one regex match per line, cached dates and senders, a cheap
test that sends only messages that may hold a marker to ``whatsapp_markers``); the caches are
bounded, so memory does not grow with the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import msgspec

from vigie.errors import UnsafeInputError
from vigie.model import Media, Message, Quarantine, Record
from vigie.sources import whatsapp_markers as markers
from vigie.sources.base import ParseContext, safe_relative
from vigie.sources.whatsapp_io import TextSource
from vigie.sources.whatsapp_locale import MARKS, Layout, hour24, order_fields

PLATFORM = "whatsapp"
TEXT_LIMIT = 1 << 20  # characters kept of one message
_SECONDS = [timedelta(seconds=n) for n in range(60)]
_MINUTES = [timedelta(minutes=n) for n in range(60)]
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]
_ENCODE = msgspec.json.Encoder().encode
_PHONE = re.compile(r"^\+[\d \-().\u00a0\u202f]{6,24}$")
_BIDI = str.maketrans("", "", MARKS)
_BLANK = MARKS + " \t"
_NOBODY = hashlib.sha1(b"").hexdigest()[:8]  # the "sender" of service events in message ids
# Messages that may be a marker: they go through whatsapp_markers (the rest is plain text).
_SPECIAL_LEADS = frozenset("\u200e\u200f<‹")
_SPECIAL_ENDS = frozenset(">›)")
_SPECIAL_HEADS = frozenset(
    w for h in markers.DELETED_BY_HEADS for w in (h[:4], h[:1].upper() + h[1:4])
)


# Case-folded, with and without a final dot: "Diese Nachricht wurde gelöscht", "image omitted".
_EXACT_MARKERS = frozenset(
    form for key in markers.OMITTED | markers.DELETED for form in (key, key + ".")
)


class Builder:
    """Turns the lines of one chat into records (``run``)."""

    __slots__ = (
        "ampm", "channel_id", "ctx", "day_first", "hours", "layout", "minutes", "ordinals",
        "senders",
        "source",
    )  # fmt: skip

    def __init__(
        self,
        source: TextSource,
        layout: Layout,
        day_first: bool,
        channel_id: str,
        ctx: ParseContext,
    ) -> None:
        self.source = source
        self.layout = layout
        self.day_first = day_first
        self.channel_id = channel_id
        self.ctx = ctx
        self.ampm = layout.ampm
        self.minutes: dict[Any, tuple[datetime, str]] = {}
        self.hours: dict[tuple[str | None, ...], tuple[datetime, str, datetime | None]] = {}
        self.senders: dict[str, tuple[str, str, str | None]] = {}
        self.ordinals: dict[str, int] = {}

    def run(self) -> Iterator[Record]:
        """Every record, in file order."""
        match = self.layout.regex.match
        source = self.source
        emit = self.emitter()
        first = 0
        m: re.Match[str] | None = None
        parts: list[str] | None = None
        size = 0
        cut = False
        for lineno, line in enumerate(source.lines(), 1):
            found = match(line)
            if found is None:
                if m is None:
                    if line.strip(_BLANK):
                        yield Quarantine(
                            "E206",
                            "line before the first message line (not a WhatsApp message)",
                            f"line {lineno}",
                            Quarantine.clip(line),
                        )
                    continue
                if size < TEXT_LIMIT:
                    if parts is None:
                        parts = [m.group(10)]
                    parts.append(line)
                    size += len(line) + 1
                else:
                    cut = True
                if source.truncated_line == lineno:
                    cut = True
                continue
            if m is not None:
                yield emit(first, m, parts, cut)
            first, m, parts, cut = lineno, found, None, source.truncated_line == lineno
            size = len(line)
        if m is not None:
            yield emit(first, m, parts, cut)

    def emitter(self) -> Callable[[int, re.Match[str], list[str] | None, bool], Record]:
        """The function that makes one record from a message's lines (closure: it is hot)."""
        ampm = self.ampm
        minutes_get = self.minutes.get
        minute = self.minute
        senders_get = self.senders.get
        new_sender = self.sender
        ordinals = self.ordinals
        channel_id = self.channel_id
        special = self.special
        action_of = markers.action

        def emit(lineno: int, m: re.Match[str], parts: list[str] | None, cut: bool) -> Record:
            """The record of the message starting at ``lineno`` (``parts``: all its lines)."""
            key = m.group(1, 9) if ampm else m.group(1)
            base = minutes_get(key) or minute(key, m)
            second = m.group(8)
            sec = int(second) if second else 0
            if not base or sec > 59:
                return self.impossible(lineno, m)
            date = base[0] + _SECONDS[sec] if sec else base[0]
            stamp = base[1] + _TWO_DIGITS[sec]
            rest = m.group(10) if parts is None else "\n".join(parts)
            extra: dict[str, Any] | None = None
            if cut or len(rest) > TEXT_LIMIT:
                rest, extra = self.truncate(rest)
            colon = rest.find(": ")
            end = rest.find("\n")
            if end < 0:
                end = len(rest)
            raw_sender: str | None = None
            if 0 < colon < end and colon <= 120:
                raw_sender = rest[:colon]
                if ('"' in raw_sender or "“" in raw_sender) and not _plausible(rest, colon):
                    raw_sender = None
            if raw_sender is not None:
                text = rest[colon + 2 :]
            elif end > 1 and rest[end - 1] == ":" and _plausible(rest, end - 1):
                raw_sender, text = rest[: end - 1], rest[end + 1 :]
            else:
                text = rest
            kind, action, sender, sender_id, digest = "message", None, None, None, _NOBODY
            media: tuple[Media, ...] = ()
            if raw_sender is None:
                kind, text = "service", text.lstrip("\u200e\u200f")
                action = action_of(text)
            else:
                sender, digest, sender_id = senders_get(raw_sender) or new_sender(raw_sender)
                if (
                    text[:1] in _SPECIAL_LEADS
                    or text[-1:] in _SPECIAL_ENDS
                    or ((nl := text.find("\n")) > 0 and text[nl - 1] == ")")
                    or (len(text) <= 64 and text.casefold() in _EXACT_MARKERS)
                    or text[:4] in _SPECIAL_HEADS
                    or ":" in text[:14]
                    or "\u200e" in text
                    or "maps.google" in text
                ):
                    try:
                        text, media, extra, service = special(text, extra, lineno)
                    except UnsafeInputError as exc:
                        where = f"line {lineno}"
                        return Quarantine(exc.code, exc.reason, where, Quarantine.clip(rest))
                    if service:
                        kind, action = "service", action_of(text)
                        extra = {**(extra or {}), "label": sender}
                        sender = sender_id = None
                        digest = _NOBODY
            okey = f"{stamp}-{digest}"
            n = ordinals.get(okey, 0)
            ordinals[okey] = n + 1
            if n == 0 and len(ordinals) > 65_536:  # forget the oldest half: bounded memory
                for old in list(islice(ordinals, 32_768)):
                    del ordinals[old]
            return Message(
                PLATFORM,
                channel_id,
                f"{okey}-{n}",
                date,
                text,
                sender,
                sender_id,
                kind,
                channel_id,
                None,
                None,
                None,
                action,
                (),
                media,
                _ENCODE(extra).decode("utf-8") if extra else None,
                f"line {lineno}",
            )

        return emit

    def impossible(self, lineno: int, m: re.Match[str]) -> Quarantine:
        """The quarantine record of a line whose date or time cannot be."""
        order = "day" if self.day_first else "month"
        reason = f"impossible date or time {m.group(0)[:40]!r} ({order} first in this file)"
        return Quarantine("E201", reason, f"line {lineno}", Quarantine.clip(m.group(0)))

    def truncate(self, text: str) -> tuple[str, dict[str, Any]]:
        """``text`` cut to ``TEXT_LIMIT`` characters, and the note for ``extra``."""
        self.ctx.stats.note("text_truncated")
        return text[:TEXT_LIMIT], {"truncated": True}

    def minute(self, key: Any, m: re.Match[str]) -> tuple[datetime, str] | None:
        """(UTC date at second 0, local stamp ``YYYYmmddTHHMM``), None for an impossible date."""
        a, b, c, pre, h, mi = m.group(2, 3, 4, 5, 6, 7)
        ampm = m.group(9)
        hour = self.hours.get((a, b, c, pre, h, ampm))
        if hour is None:
            hour = self.hour(a, b, c, pre, h, ampm)
        minute = int(mi)
        if not hour or minute > 59:
            return None
        utc, prefix, local = hour
        if local is None:  # the UTC offset is the same all through this hour
            found = (utc + _MINUTES[minute], prefix + _TWO_DIGITS[minute])
        else:  # the offset changes within the hour: convert this minute on its own
            found = (local.replace(minute=minute).astimezone(UTC), prefix + _TWO_DIGITS[minute])
        if len(self.minutes) > 50_000:
            self.minutes.clear()
        self.minutes[key] = found
        return found

    def hour(
        self, a: str, b: str, c: str, pre: str | None, h: str, ampm: str | None
    ) -> tuple[datetime, str, datetime | None] | None:
        """(UTC date at minute 0, local stamp ``YYYYmmddTHH``, the local date when the hour
        holds a change of UTC offset else None), or None for an impossible date."""
        year, month, day = order_fields(a, b, c, self.layout.year_first, self.day_first)
        hour = hour24(int(h), pre, ampm)
        tz = self.ctx.tz
        try:
            local = datetime(year, month, day, hour, tzinfo=tz)
        except ValueError:
            return None
        uniform = local.utcoffset() == local.replace(minute=59).utcoffset()
        found = (
            local.astimezone(UTC),
            f"{year:04d}{month:02d}{day:02d}T{hour:02d}",
            None if uniform else local,
        )
        if len(self.hours) > 20_000:
            self.hours.clear()
        self.hours[(a, b, c, pre, h, ampm)] = found
        return found

    def sender(self, raw: str) -> tuple[str, str, str | None]:
        """(clean name, 8 hex of its sha1, phone number as sender_id or None)."""
        clean = raw.translate(_BIDI).strip()
        digest = hashlib.sha1(clean.encode("utf-8")).hexdigest()[:8]
        phone = None
        if _PHONE.match(clean):
            phone = "+" + "".join(str(unicodedata.decimal(ch)) for ch in clean if ch.isdecimal())
        if len(self.senders) > 100_000:
            self.senders.clear()
        known = self.senders[raw] = (clean, digest, phone)
        return known

    def special(
        self, text: str, extra: dict[str, Any] | None, lineno: int
    ) -> tuple[str, tuple[Media, ...], dict[str, Any] | None, bool]:
        """(text, media, extra, is a service event) of a message that may hold a marker."""
        marked = text[:1] in ("\u200e", "\u200f")
        if marked:
            text = text.lstrip("\u200e\u200f")
        found: dict[str, Any] = dict(extra or {})
        if text[-1:] in (">", "›"):
            text, edited = markers.split_edited(text)
            if edited:
                found["edited"] = True
        newline = text.find("\n")
        first, rest = (text, "") if newline < 0 else (text[:newline], text[newline + 1 :])
        media: tuple[Media, ...] = ()
        if first[:1] in ("<", "‹") or first[-1:] == ")":
            attached = markers.attached(first)
            if attached is not None:
                rel = safe_relative(attached[0], self.source.name, f"line {lineno}")
                kind, mime = markers.media_kind(rel)
                found.update(marker=attached[1], present=self.present(rel))
                media = (Media(kind, rel, mime, rel.rsplit("/", 1)[-1]),)
        if not media and len(first) <= 300:
            gone = markers.omitted(first, marked)
            if gone is not None:
                found["marker"] = gone[0]
                media = (Media("omitted", None, None, gone[1]),)
        if media:
            return rest, media, found or None, False
        if markers.deleted(text):
            found["deleted"] = True
        elif markers.is_poll(text):
            found["poll"] = True
        elif (where := markers.location(text)) is not None:
            found["location"] = where
        service = marked and self.layout.bracket and found.keys() <= {"truncated", "edited"}
        return text, (), found or None, service

    def present(self, rel: str) -> bool:
        """Whether the export (the zip, or the folder of the .txt) holds the media file."""
        members = self.source.members
        if members is not None:  # media sit beside the chat text, maybe in a folder of the zip
            folder = (self.source.member or "").rpartition("/")[0]
            return (f"{folder}/{rel}" if folder else rel) in members
        try:
            return (self.source.path.parent / rel).is_file()
        except OSError:
            return False


def _plausible(rest: str, end: int) -> bool:
    """False when ``rest[:end]`` is no sender name (too long, or an unbalanced quote as in
    ``X changed the subject to "a: b"``)."""
    if end > 120:
        return False
    name = rest[:end]
    if '"' in name or "“" in name:
        return name.count('"') % 2 == 0 and name.count("“") == name.count("”")
    return bool(name.strip(_BLANK))
