"""Telegram Desktop HTML export: ``messages.html``, ``messages2.html`` … (1000 messages each).

Layout (as Telegram Desktop writes it): ``div.page_header .text.bold`` holds the chat's name;
``div.history`` holds ``div.message`` blocks with ``id="messageNNN"``:

- ``div.message.default`` (``joined`` when it continues the previous sender's run): a
  ``div.from_name`` ("Name via @bot"; joined messages omit it, so the previous sender is
  carried over), ``div.date`` whose ``title`` is "DD.MM.YYYY HH:MM:SS UTC+03:00", an optional
  ``div.forwarded.body`` (its ``from_name`` is the original author), ``div.reply_to`` (a link to
  ``#go_to_messageNNN``), media (``a.photo_wrap``, ``a.video_file_wrap``, ``a.sticker_wrap``,
  ``a.animated_wrap``, ``.media.media_file`` / ``media_voice_message`` …, ``div.media_poll``),
  ``div.text`` and ``div.signature``;
- ``div.message.service``: an event in ``div.body.details``. Those with a negative id that only
  say a day ("1 March 2024") are date separators and are skipped.

What is surprising:

- The HTML carries no chat id: ``channel_id`` is ``html-`` + the first 12 hex digits of the
  SHA-1 of the header name, the same on every page of the chat (two chats with the same name
  would share it). There are no sender ids either (``sender_id`` is None).
- Dates use the offset in the ``title`` when present, else ``--tz``. Service messages carry no
  date at all: they get the date of the message before them (else the one after; with none on
  the page, a Quarantine E201) and ``extra.date_from`` says so.
- Links inside the text become entities: ``text_link`` with its ``url`` (or ``link`` when the
  text is the URL), ``phone`` (``tel:``), ``email`` (``mailto:``), ``hashtag``, ``mention``;
  ``strong``/``em``/``code``/``pre``/``blockquote``/spoilers give ``bold``, ``italic`` ….
- Media links are relative to the HTML file; in a full-account export they start with
  ``../../`` (the page's depth, read from its stylesheet link), which is removed so that paths
  are relative to the export folder, like the JSON export's. A path escaping the folder
  quarantines the message (E122).
- ``source_location`` is ``div#message123``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vigie.errors import SourceError, UnsafeInputError
from vigie.model import Channel, Media, Message, Quarantine, Record, TextEntity
from vigie.sources.base import ParseContext, safe_relative
from vigie.sources.json_repair import not_utf8

FORMAT = "telegram_html"
PARSER_VERSION = 1
PLATFORM = "telegram"

_DATE = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: UTC([+-])(\d{1,2}):?(\d{2}))?"
)
_DAY = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")
_GO_TO = re.compile(r"go_to_message(-?\d+)|GoToMessage\((-?\d+)\)")
_HASH_CALL = re.compile(r"Show(Hashtag|Cashtag|BotCommand|MentionName)")
_TRAILING = re.compile(r"\n[ \t]*$")
_STYLES = {
    "strong": "bold", "b": "bold", "em": "italic", "i": "italic", "code": "code", "pre": "pre",
    "u": "underline", "s": "strikethrough", "del": "strikethrough", "blockquote": "blockquote",
}  # fmt: skip
_MEDIA_CLASSES = (  # class -> Media.kind, most specific first
    ("photo_wrap", "photo"), ("video_file_wrap", "video"), ("animated_wrap", "animation"),
    ("sticker_wrap", "sticker"), ("media_voice_message", "voice"), ("media_audio_file", "audio"),
    ("media_video", "video"), ("media_photo", "photo"), ("media_file", "file"),
    ("media_contact", "contact"), ("media_live_location", "location"),
    ("media_location", "location"), ("media_venue", "location"), ("media_call", "call"),
    ("media_game", "game"), ("media_invoice", "invoice"),
)  # fmt: skip
_ENTITY_NAMES = {
    "Hashtag": "hashtag",
    "Cashtag": "cashtag",
    "BotCommand": "bot_command",
    "MentionName": "mention_name",
}


def sniff(path: Path, head: bytes) -> bool:
    """An HTML page of a Telegram Desktop chat export (``div.history`` of ``div.message``)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if not (start.startswith(b"<!doctype html") or start.startswith(b"<html")):
        return False
    return (b'class="history"' in head or b"chat_page" in head) and (
        b"<title>Exported Data</title>" in head or b'class="message ' in head
    )


def channel_id_for(name: str) -> str:
    """``html-`` + 12 hex digits of the SHA-1 of the chat's header name."""
    return "html-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def parse_date(title: str, tz: Any) -> datetime | None:
    """A ``div.date`` title ("01.03.2024 12:01:00 UTC+01:00") as UTC; ``tz`` when no offset."""
    m = _DATE.search(title)
    if not m:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = m.groups()
    zone = tz
    if sign:
        delta = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(delta if sign == "+" else -delta)
    try:
        local = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _rich_text(node: LexborNode) -> tuple[str, tuple[TextEntity, ...]]:
    """Plain text of a ``div.text`` (``<br>`` = newline) and its entities."""
    pieces: list[str] = []
    entities: list[TextEntity] = []
    _walk(node, pieces, entities, 0)
    text = "".join(pieces)
    lead = 1 if text.startswith("\n") else 0  # the writer puts the text on its own line
    tail = _TRAILING.search(text)
    end = tail.start() if tail else len(text)
    text = text[lead:end]
    kept = []
    for e in entities:
        start = min(max(e.offset - lead, 0), len(text))
        stop = min(max(e.offset + e.length - lead, start), len(text))
        if stop > start:
            kept.append(TextEntity(e.type, text[start:stop], start, stop - start, e.url))
    return text, tuple(kept)


def _walk(node: LexborNode, pieces: list[str], entities: list[TextEntity], offset: int) -> int:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = child.text(deep=False)
            pieces.append(text)
            offset += len(text)
        elif tag == "br":
            pieces.append("\n")
            offset += 1
        elif tag in ("-comment", "img", "script", "style"):
            continue
        else:
            start = offset
            offset = _walk(child, pieces, entities, offset)
            kind, url = _entity_kind(child)
            if kind and offset > start:
                text = "".join(pieces)[start:offset]
                entities.append(TextEntity(kind, text, start, offset - start, url))
    return offset


def _entity_kind(node: LexborNode) -> tuple[str | None, str | None]:
    tag = node.tag or ""
    if tag == "a":
        href = node.attributes.get("href") or ""
        call = _HASH_CALL.search(node.attributes.get("onclick") or "")
        if call:
            return _ENTITY_NAMES[call.group(1)], None
        if href.startswith("tel:"):
            return "phone", None
        if href.startswith("mailto:"):
            return "email", None
        text = node.text()
        if text.startswith("@"):
            return "mention", href or None
        if href and (href == text or href.rstrip("/") == text.rstrip("/")):
            return "link", None
        return ("text_link", href) if href else (None, None)
    if tag == "span" and "spoiler" in (node.attributes.get("class") or ""):
        return "spoiler", None
    return _STYLES.get(tag), None


class _Page:
    """One HTML page: its chat name, depth in the export and the media-path helper."""

    def __init__(self, tree: LexborHTMLParser, name: str) -> None:
        self.file_name = name
        header = tree.css_first("div.page_header .text.bold")
        self.chat = _clean(header.text()) if header else "Deleted Account"
        link = tree.css_first('link[rel="stylesheet"]')
        href = (link.attributes.get("href") or "") if link else ""
        self.depth = href.count("../") if href.endswith("css/style.css") else 0

    def path(self, href: str, loc: str) -> str:
        """``href`` relative to the export folder (the page's ``../`` removed), checked."""
        text = href
        for _ in range(self.depth):
            if not text.startswith("../"):
                break
            text = text[3:]
        return safe_relative(text, self.file_name, loc)


def _classes(node: LexborNode) -> list[str]:
    return (node.attributes.get("class") or "").split()


def _child(node: LexborNode | None, *wanted: str, unwanted: str = "") -> LexborNode | None:
    """The first direct child element of ``node`` having all ``wanted`` classes."""
    if node is None:
        return None
    for child in node.iter():
        classes = _classes(child)
        if all(w in classes for w in wanted) and unwanted not in classes:
            return child
    return None


def _answer(node: LexborNode) -> dict[str, str]:
    votes = node.css_first(".details")
    answer = {"text": _clean(node.text(deep=False)).removeprefix("- ")}
    if votes is not None:
        answer["votes"] = _clean(votes.text())
    return answer


def _media(node: LexborNode, page: _Page, loc: str, extra: dict[str, Any]) -> tuple[Media, ...]:
    found: list[Media] = []
    items = [c for wrap in node.css("div.media_wrap") for c in wrap.iter()]
    items += node.css("div.userpic_wrap > a.userpic_link")
    for item in items:
        classes = _classes(item)
        if "media_poll" in classes:
            question = item.css_first(".question")
            extra["poll"] = {
                "question": _clean(question.text()) if question else "",
                "answers": [_answer(a) for a in item.css(".answer")],
            }
            continue
        kind = next((k for c, k in _MEDIA_CLASSES if c in classes), None)
        if kind is None:
            kind = "photo" if "userpic_link" in classes else None
        if kind is None:
            continue
        href = item.attributes.get("href") if item.tag == "a" else None
        title = item.css_first(".title")
        name = _clean(title.text()) if title and kind in ("file", "audio") else None
        if href and re.match(r"(?i)https?://", href):
            extra.setdefault("links", []).append(href)  # a map or game link, not a file
            href = None
        found.append(Media(kind, page.path(href, loc) if href else None, None, name))
    return tuple(found)


def _message(
    node: LexborNode, ident: str, page: _Page, loc: str, sender: str | None, tz: Any
) -> tuple[Record, str | None]:
    """A ``div.message.default`` -> (Message, or Quarantine when unusable; its sender)."""
    extra: dict[str, Any] = {}
    body = _child(node, "body", unwanted="forwarded")
    date_node = _child(body, "date")
    date = parse_date(date_node.attributes.get("title") or "", tz) if date_node else None
    name_node = _child(body, "from_name")
    if name_node is not None:
        sender = _clean(name_node.text())
        if " via @" in sender:
            sender, bot = sender.rsplit(" via @", 1)
            extra["via_bot"] = "@" + bot
    forwarded = None
    fwd_node = _child(_child(body, "forwarded", "body"), "from_name")
    if fwd_node is not None:
        forwarded = _clean(fwd_node.text(deep=False)) or None
        when = fwd_node.css_first("span.date")
        if when is not None:
            original = parse_date(when.attributes.get("title") or "", tz)
            extra["forwarded_date"] = original.isoformat() if original else None
    reply_to = None
    reply_node = _child(body, "reply_to")
    if reply_node is not None:
        link = reply_node.css_first("a")
        m = _GO_TO.search((link.attributes.get("href") or "") if link else "")
        if m:
            reply_to = m.group(1) or m.group(2)
        else:
            extra["reply_to_other_chat"] = True
    text_node = node.css_first("div.text")
    text, entities = _rich_text(text_node) if text_node is not None else ("", ())
    signature = node.css_first("div.signature")  # in the body or the forwarded body
    if signature is not None:
        extra["author"] = _clean(signature.text())
    try:
        media = _media(node, page, loc, extra)
    except UnsafeInputError as exc:
        return Quarantine(exc.code, exc.reason, loc, Quarantine.clip(node.html or "")), sender
    if date is None:
        return _undated(loc, node), sender
    message = Message(
        platform=PLATFORM,
        channel_id=channel_id_for(page.chat),
        message_id=ident,
        date=date,
        text=text,
        sender=sender,
        kind="message",
        channel_name=page.chat,
        reply_to=reply_to,
        forwarded_from=forwarded,
        entities=entities,
        media=media,
        extra=_json(extra) if extra else None,
        source_location=loc,
    )
    return message, sender


def _service(node: LexborNode, ident: str, page: _Page, loc: str) -> Message:
    body = node.css_first("div.body.details")
    text = _rich_text(body)[0] if body is not None else ""
    extra: dict[str, Any] = {}
    link = body.css_first("a") if body is not None else None
    m = _GO_TO.search((link.attributes.get("href") or "") if link else "")
    return Message(
        platform=PLATFORM,
        channel_id=channel_id_for(page.chat),
        message_id=ident,
        date=None,
        text=_clean(text),
        kind="service",
        channel_name=page.chat,
        reply_to=(m.group(1) or m.group(2)) if m else None,
        media=_media(node, page, loc, extra),
        extra=_json(extra) if extra else None,
        source_location=loc,
    )


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _read(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise not_utf8(name, start, data.count(b"\n", 0, start) + 1) from None


def parse(path: Path, ctx: ParseContext) -> Iterator[Record]:
    """The chat (``Channel``) and the messages of one ``messagesN.html`` page."""
    name = ctx.name(path)
    tree = LexborHTMLParser(_read(path, name))
    if tree.css_first("div.history") is None:
        raise SourceError(name, "", "no div.history: not a Telegram chat page (messages.html)")
    page = _Page(tree, name)
    yield Channel(PLATFORM, channel_id_for(page.chat), page.chat)
    records: list[Record] = []
    sender: str | None = None
    for node in tree.css("div.history > div.message"):
        raw_id = (node.attributes.get("id") or "").removeprefix("message")
        loc = f"div#message{raw_id}"
        classes = (node.attributes.get("class") or "").split()
        if "service" not in classes:
            record, sender = _message(node, raw_id, page, loc, sender, ctx.tz)
            records.append(record)
            continue
        sender = None  # the next message always shows its sender again
        body = node.css_first("div.body.details")
        said = _clean(body.text()) if body is not None else ""
        if raw_id.startswith("-") and (_DAY.fullmatch(said) or said == "No exported messages"):
            ctx.stats.note("telegram_html_date_separators")
            continue
        try:
            records.append(_service(node, raw_id, page, loc))
        except UnsafeInputError as exc:
            records.append(Quarantine(exc.code, exc.reason, loc, Quarantine.clip(node.html or "")))
    yield from _date_services(records, tree)


def _undated(loc: str, node: LexborNode | None, what: str = "message") -> Quarantine:
    snippet = Quarantine.clip(node.html or "") if node is not None else ""
    return Quarantine("E201", f"{what} has no usable date", loc, snippet)


def _date_services(records: list[Record], tree: LexborHTMLParser) -> Iterator[Record]:
    """Service messages (undated in HTML) take the date of the message before, else after."""
    previous: datetime | None = None
    for i, record in enumerate(records):
        if isinstance(record, Message) and record.kind == "service":
            date, source = previous, "previous_message"
            if date is None:
                date = next(
                    (r.date for r in records[i + 1 :] if isinstance(r, Message) and r.date), None
                )
                source = "next_message"
            if date is None:
                node = tree.css_first(record.source_location)
                yield _undated(record.source_location, node, "service message")
                continue
            extra = json.loads(record.extra) if record.extra else {}
            extra["date_from"] = source
            record = replace(record, date=date, extra=_json(extra))
        elif isinstance(record, Message) and record.date is not None:
            previous = record.date
        yield record
