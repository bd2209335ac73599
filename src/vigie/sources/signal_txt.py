"""Signal chat as text: ``[YYYY-MM-DD, HH:MM] Name: text`` lines (or ``[YYYY-MM-DD HH:MM:SS]``).

The first form is what chat-miner's Signal fixtures use; the second is the ``chat.md`` that
sigexport (signal-export) writes, where attachments are Markdown links (``![photo](./media/a.jpg)``,
``[file](./media/b.pdf)``), reactions a last line ``(- Name: 👍, Other: ❤️ -)`` and a deleted message
``(This message was deleted)``. Lines that do not start with ``[date time]`` continue the message
above (joined with ``\\n``).

- Dates are ISO and carry no time zone: wall-clock times in ``--tz``, stored as UTC. A line with
  an impossible date is quarantined (E201), lines before the first message too (E206).
- ``message_id`` is ``<local time YYYYmmddTHHMMSS>-<8 hex of sha1(sender)>-<n>`` (n counts earlier
  messages with the same time and sender), stable across re-ingests.
- ``channel_id``/``channel_name``: the file's stem, or for ``chat.md`` the folder holding it (the
  conversation's name in a sigexport export).
- Sniffing: a bracketed ISO date is also a possible WhatsApp layout; WhatsApp's sniffer leaves
  ``[YYYY-MM-DD, HH:MM]`` (no seconds) and ``.md`` files to this one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from vigie.errors import SourceError, UnsafeInputError
from vigie.model import Channel, Media, Message, Quarantine, Record
from vigie.sources.base import ParseContext, safe_relative
from vigie.sources.whatsapp_io import TextSource, head_lines, is_zip
from vigie.sources.whatsapp_markers import media_kind

FORMAT = "signal_txt"
PARSER_VERSION = 1
PLATFORM = "signal"
TEXT_LIMIT = 1 << 20
LINE = re.compile(
    r"^\ufeff?\[(\d{4})-(\d{2})-(\d{2}),? (\d{2}):(\d{2})(?::(\d{2}))?\] (.*)$", re.DOTALL
)
_SENDER = re.compile(r"^([^:\n]{1,120}?): ?(.*)$", re.DOTALL)
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:\./)?([^)\n]+)\)")
_REACTIONS = re.compile(r"\n?\(- (.*) -\)$")
_DELETED = "(This message was deleted)"


def sniff(path: Path, head: bytes) -> bool:
    """Text whose first non-empty line is ``[YYYY-MM-DD, HH:MM] Name: …``."""
    if is_zip(head):
        return False
    for line in head_lines(head, 20):
        if line.strip():
            m = LINE.match(line)
            return bool(m and _SENDER.match(m.group(7)))
    return False


def channel_of(path: Path) -> str:
    """The conversation's name: the stem, or the folder's name for sigexport's ``chat.md``."""
    if path.stem.lower() == "chat" and path.parent.name:
        return path.parent.name
    return path.stem


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """Yield the conversation's ``Channel``, then one ``Message`` per ``[date time]`` line."""
    name = ctx.name(path)
    source = TextSource(path, name)
    head = source.head()
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise SourceError(name, "", "the file is empty; nothing to ingest")
    if not any(LINE.match(line) for line in head_lines(head)):
        raise SourceError(name, "", "not a Signal text export: no line starts with [date time]")
    channel_id = channel_of(path)
    yield Channel(PLATFORM, channel_id, name=channel_id, extra=json.dumps({"file": path.name}))
    builder = _Builder(source, channel_id, ctx)
    first, m, parts = 0, None, []
    for lineno, line in enumerate(source.lines(), 1):
        found = LINE.match(line)
        if found is None:
            if m is None:
                if line.strip():
                    yield Quarantine(
                        "E206", "line before the first message line", f"line {lineno}",
                        Quarantine.clip(line),
                    )  # fmt: skip
            elif sum(map(len, parts)) < TEXT_LIMIT:
                parts.append(line)
            continue
        if m is not None:
            yield builder.record(first, m, parts)
        first, m, parts = lineno, found, [found.group(7)]
    if m is not None:
        yield builder.record(first, m, parts)


class _Builder:
    def __init__(self, source: TextSource, channel_id: str, ctx: ParseContext) -> None:
        self.source = source
        self.channel_id = channel_id
        self.ctx = ctx
        self.ordinals: dict[str, int] = {}

    def record(self, lineno: int, m: re.Match[str], parts: list[str]) -> Message | Quarantine:
        """One message from its ``[date time]`` line and the lines that follow it."""
        location = f"line {lineno}"
        year, month, day, hour, minute = (int(g) for g in m.group(1, 2, 3, 4, 5))
        second = int(m.group(6) or 0)
        try:
            local = datetime(year, month, day, hour, minute, second, tzinfo=self.ctx.tz)
        except ValueError:
            return Quarantine(
                "E201", f"impossible date or time {m.group(0)[:22]!r}", location,
                Quarantine.clip(m.group(0)),
            )  # fmt: skip
        body = "\n".join(parts)
        extra: dict[str, Any] = {}
        if len(body) > TEXT_LIMIT:
            body, extra["truncated"] = body[:TEXT_LIMIT], True
            self.ctx.stats.note("text_truncated")
        sm = _SENDER.match(body)
        sender, text = (sm.group(1).strip(), sm.group(2)) if sm else (None, body)
        try:
            text, media = self._media(text, location, extra)
        except UnsafeInputError as exc:
            return Quarantine(exc.code, exc.reason, location, Quarantine.clip(body))
        stamp = local.strftime("%Y%m%dT%H%M%S")
        digest = hashlib.sha1((sender or "").encode("utf-8")).hexdigest()[:8]
        key = f"{stamp}-{digest}"
        n = self.ordinals.get(key, 0)
        self.ordinals[key] = n + 1
        if n == 0 and len(self.ordinals) > 65_536:  # forget the oldest half: bounded memory
            for old in list(islice(self.ordinals, 32_768)):
                del self.ordinals[old]
        return Message(
            PLATFORM,
            self.channel_id,
            f"{key}-{n}",
            local.astimezone(UTC),
            text,
            sender=sender,
            kind="message" if sender else "service",
            channel_name=self.channel_id,
            media=media,
            extra=json.dumps(extra, ensure_ascii=False) if extra else None,
            source_location=location,
        )

    def _media(
        self, text: str, location: str, extra: dict[str, Any]
    ) -> tuple[str, tuple[Media, ...]]:
        """Text without sigexport's reactions, deletion marker and attachment links."""
        if text.endswith("-)") and (r := _REACTIONS.search(text)):
            pairs = [item.split(":", 1) for item in r.group(1).split(", ")]
            extra["reactions"] = [[p[0].strip(), p[1].strip()] for p in pairs if len(p) == 2]
            text = text[: r.start()]
        if text.strip() == _DELETED:
            extra["deleted"] = True
        media: list[Media] = []
        if "](" in text:
            for link in _LINK.finditer(text):
                target = link.group(2).strip()
                if "://" in target:
                    continue
                rel = safe_relative(target, self.source.name, location)
                kind, mime = media_kind(rel)
                media.append(Media(kind, rel, mime, link.group(1) or rel.rsplit("/", 1)[-1]))
            if media:
                text = _LINK.sub("", text).strip()
                extra["present"] = [
                    (self.source.path.parent / m.path).is_file() for m in media if m.path
                ]
        return text, tuple(media)
