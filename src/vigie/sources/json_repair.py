"""Streaming the ``messages`` arrays out of a large JSON export, repairing its invalid JSON.

``iter_pretty`` and ``iter_generic`` both yield events, in file order:

- ``("chat", prefix, scalars)`` when an object's ``"messages": [`` array starts: ``prefix`` is
  the object's JSON path (``""`` or ``"chats.list[0]."``) and ``scalars`` its simple members
  seen before the array (``name``, ``type``, ``id`` …);
- ``("messages", array, (first, values))`` for consecutive items of that array: ``array`` is
  its path (``chats.list[0].messages``) and ``first`` the index of ``values[0]`` in it.

``iter_pretty`` relies on the layout of a pretty-printed file (one value per line, a message
opening with ``{`` alone on a line and closing with ``}`` at the same indentation, no raw
newline inside strings): it cuts blocks of messages out of the byte stream and decodes each
block with msgspec in one call, raising ``LayoutMismatch`` when the file is laid out otherwise;
``iter_generic`` (ijson over a repairing reader) reads any valid JSON.

Repairs (each fix counts as one): Telegram Desktop writes control characters inside strings as
C escapes, ``"1=412\\x012=97"`` (tdesktop issue 27571): ``\\xNN`` becomes ``\\u00NN``; some
versions wrote unquoted values, ``"document_id": video_files/sticker (2).webm`` (issue 24961):
a ``"key": value`` line whose value is not JSON gets quoted; unescaped quotes inside a one-line
string (issue 8573) get escaped. All of these work on whole lines.

Encodings: UTF-8 (a BOM is skipped) or UTF-16 with a BOM, transcoded on the fly; anything else
stops at the first byte that is not UTF-8, naming its offset.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import ijson
import msgspec

from vigie.errors import SourceError

_X_ESCAPE = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")
_KEY_VALUE = re.compile(rb'^([ \t]*"(?:[^"\\\n]|\\.)*"[ \t]*:[ \t]*)(.*?)(,?)[ \t\r]*$')
_KEY = re.compile(rb'^"((?:[^"\\]|\\.)*)"\s*:\s*(.*)$')
_INNER_QUOTE = re.compile(rb'(?<!\\)((?:\\\\)*)"')
_decode = msgspec.json.decode
_ERRORS = (msgspec.DecodeError, UnicodeDecodeError)
CHUNK = 4 << 20  # bytes read at a time
BLOCK = 1 << 20  # bytes of messages decoded in one call

Event = tuple[str, str, Any]
Repaired = Callable[[int], None]


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class LayoutMismatch(Exception):
    """The file is not pretty-printed the way ``iter_pretty`` expects."""


# --- repairs and encodings --------------------------------------------------------------------


def _is_json(value: bytes) -> bool:
    try:
        _decode(value)
    except _ERRORS:
        return False
    return True


def repair_line(line: bytes) -> tuple[bytes, int]:
    """Repair one ``"key": value`` line whose value is not JSON; returns (line, repairs)."""
    m = _KEY_VALUE.match(line)
    if not m:
        return line, 0
    head, value, comma = m.groups()
    if not value or value in (b"{", b"[") or b'": ' in value or _is_json(value):
        return line, 0
    if value[:1] == b'"' and value[-1:] == b'"' and len(value) >= 2:
        fixed = b'"' + _INNER_QUOTE.sub(rb'\1\\"', value[1:-1]) + b'"'
        return (head + fixed + comma, 1) if _is_json(fixed) else (line, 0)
    if value[:1] in (b"{", b"["):
        return line, 0
    return head + b'"' + value.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"' + comma, 1


def repair_lines(data: bytes) -> tuple[bytes, int]:
    """Fix ``\\xNN`` escapes and bad ``"key": value`` lines in whole lines of JSON.

    Returns the repaired bytes and the number of repairs (0 when nothing changed).
    """
    repairs = 0
    if b"\\x" in data:
        data, repairs = _X_ESCAPE.subn(rb"\1\\u00\2", data)
    lines, changed = data.split(b"\n"), False
    for i, line in enumerate(lines):
        if b'":' in line:
            fixed, n = repair_line(line)
            if n:
                lines[i], repairs, changed = fixed, repairs + n, True
    return (b"\n".join(lines) if changed else data), repairs


def utf8_error(data: bytes) -> int | None:
    """Index of the first byte of ``data`` that is not UTF-8 (a cut last character is fine)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
        return None if cut else exc.start
    return None


def not_utf8(name: str, offset: int, line: int | None = None) -> SourceError:
    """The error for a file that is not UTF-8 at byte ``offset``."""
    return SourceError(
        name,
        f"line {line}, byte {offset}" if line else f"byte {offset}",
        f"not UTF-8 at byte {offset} (Latin-1/Windows-1252?); re-export it from Telegram "
        "Desktop or convert it with `iconv -f WINDOWS-1252 -t UTF-8`",
    )


class Utf16Reader:
    """Reads a UTF-16 file (with BOM) and hands out UTF-8 bytes."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.decoder = raw, codecs.getincrementaldecoder("utf-16")("strict")

    def read(self, size: int = -1, /) -> bytes:
        while True:
            data = self.raw.read(size if size > 0 else -1)
            text = self.decoder.decode(data, final=not data)
            if text or not data:
                return text.encode("utf-8", "surrogatepass")


def open_utf8(path: Path) -> tuple[Readable, BinaryIO]:
    """Open ``path`` to read UTF-8 bytes: (reader, raw handle to close).

    A UTF-8 BOM is skipped; a UTF-16 BOM makes the reader transcode to UTF-8.
    """
    raw = path.open("rb")
    bom = raw.read(4)
    raw.seek(3 if bom.startswith(codecs.BOM_UTF8) else 0)
    if bom.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and bom != b"\xff\xfe\0\0":
        return Utf16Reader(raw), raw
    return raw, raw


def line_of(path: Path, offset: int) -> int:
    """The line (from 1) holding byte ``offset`` of ``path`` read as UTF-8 (``open_utf8``)."""
    reader, raw = open_utf8(path)
    with raw:
        lines, left = 1, offset
        while left > 0 and (chunk := reader.read(CHUNK)):
            lines += chunk.count(b"\n", 0, left)
            left -= len(chunk)
    return lines


# --- the fast path ----------------------------------------------------------------------------


class _Frame:
    __slots__ = ("count", "key", "kind", "scalars")

    def __init__(self, kind: str, key: str | int | None) -> None:
        self.kind, self.key, self.count = kind, key, 0
        self.scalars: dict[str, Any] = {}


def _path(frames: list[_Frame], dot: str = "") -> str:
    out = ""
    for frame in frames[1:]:
        out += f"[{frame.key}]" if isinstance(frame.key, int) else f"{out and '.'}{frame.key}"
    return out + dot if out else ""


class _Buffer:
    """A window on the stream: ``data[pos:]`` is unread, ``base`` the offset of ``data[0]``.

    Lines are counted only for an error, by reading ``path`` again (when given)."""

    def __init__(self, reader: Readable, name: str, path: Path | None) -> None:
        self.reader, self.name, self.path = reader, name, path
        self.data, self.pos, self.base, self.eof = b"", 0, 0, False

    def more(self) -> bool:
        """Read another chunk, dropping what was consumed; False at the end of the file."""
        if self.eof:
            return False
        self.base += self.pos
        chunk = self.reader.read(CHUNK)
        self.data, self.pos, self.eof = self.data[self.pos :] + chunk, 0, not chunk
        return bool(chunk)

    def error(self, index: int, detail: str, bad_utf8: bool = False) -> SourceError:
        """The SourceError for ``data[index]``: not UTF-8 there, or ``detail``."""
        offset = self.base + index
        line = line_of(self.path, offset) if self.path else None
        if bad_utf8:
            return not_utf8(self.name, offset, line)
        where = f"line {line}, byte {offset}" if line else f"byte {offset}"
        return SourceError(self.name, where, detail + "; the file may be damaged")


class Items:
    """Decoders for the items of a messages array: into the first of ``types`` (msgspec
    Structs, say) that fits, else into plain Python values. Decoding is lax: numeric strings
    become numbers or datetimes where a type asks for one."""

    def __init__(self, *types: Any) -> None:
        self.block = msgspec.json.Decoder(list[types[0]] if types else Any, strict=False)  # type: ignore[valid-type]
        self.each = [msgspec.json.Decoder(t, strict=False) for t in types]

    def item(self, data: bytes) -> Any:
        """One item; raises msgspec.DecodeError/UnicodeDecodeError when it is not JSON."""
        for decoder in self.each:
            with contextlib.suppress(msgspec.ValidationError):
                return decoder.decode(data)
        return _decode(data)

    def convert(self, value: Any) -> Any:
        """A plain Python value (from ijson) as the first of ``types`` that fits."""
        try:
            return self.item(msgspec.json.encode(value)) if self.each else value
        except (msgspec.DecodeError, TypeError):
            return value


def _decode_at(buf: _Buffer, start: int, chunk: bytes, decode: Any, on_repair: Repaired) -> Any:
    """``decode(chunk)`` (``chunk`` starts at ``buf.data[start]``), repaired if need be."""
    try:
        return decode(chunk)
    except _ERRORS as exc:
        fixed, n = repair_lines(chunk)
        with contextlib.suppress(*_ERRORS, AttributeError):
            if n:
                value = decode(fixed)
                on_repair(n)
                return value
        bad = utf8_error(chunk)
        if bad is not None:
            raise buf.error(start + bad, "", bad_utf8=True) from None
        m = re.search(r"\(byte (\d+)\)", str(exc))
        at = start + (int(m.group(1)) if m else 0)
        raise buf.error(at, f"invalid JSON ({str(exc).splitlines()[0]})") from None


def _line_value(line: bytes) -> Any:
    """The value of a ``"key": value`` line."""
    return _decode(_KEY.match(line.strip().rstrip(b",").rstrip()).group(2))  # type: ignore[union-attr]


def _messages(buf: _Buffer, prefix: str, items: Items, on_repair: Repaired) -> Iterator[Event]:
    """The items of one ``messages`` array; ``buf.pos`` is at the line after ``[``."""
    while (nl := buf.data.find(b"\n", buf.pos)) < 0:
        if not buf.more():
            raise buf.error(buf.pos, "the file ends inside a messages array (truncated?)")
    line = buf.data[buf.pos : nl]
    if line.strip() in (b"]", b"],"):
        return
    if line.strip() != b"{":
        raise LayoutMismatch
    close = b"\n" + line[: len(line) - len(line.lstrip(b" "))] + b"}"
    more_close, last_close = close + b",", close + b"\n"
    index = 0
    while True:
        data, pos = buf.data, buf.pos
        # Up to the last "}," in the window; a block running past the array's end fails to
        # decode (its "]" closes the wrapping array early) and is cut at that end.
        end, final = data.rfind(more_close, pos, pos + BLOCK + len(more_close)), -1
        if end < 0:  # the end of the array, or a message longer than BLOCK
            ends = [e for e in (data.find(more_close, pos), data.find(last_close, pos)) if e >= 0]
            end = min(ends, default=-1)
            final = end if end >= 0 and data.startswith(last_close, end) else -1
        if end < 0:
            if not buf.more():
                raise buf.error(
                    buf.pos, f"the file ends inside {prefix}messages[{index}] (truncated?)"
                )
            continue
        stop = end + len(close)
        values: Any = None
        try:
            values = items.block.decode(b"[" + data[pos:stop] + b"]")
        except _ERRORS:
            cut = data.find(last_close, pos, stop) if final < 0 else -1
            if cut >= 0:
                final, stop = cut, cut + len(close)
                with contextlib.suppress(*_ERRORS):
                    values = items.block.decode(b"[" + data[pos:stop] + b"]")
        if values is None:  # message by message, repairing them
            values, start = [], pos
            while start < stop:
                end = data.find(close, start, stop)
                end = stop if end < 0 else end + len(close)
                values.append(_decode_at(buf, start, data[start:end], items.item, on_repair))
                start = end + 1
        yield "messages", prefix + "messages", (index, values)
        index += len(values)
        buf.pos = stop + 1  # past the "," or the "\n" after the last message
        if final >= 0:
            return


def iter_pretty(
    reader: Readable,
    name: str,
    on_repair: Repaired,
    items: Items | None = None,
    path: Path | None = None,
) -> Iterator[Event]:
    """Events of a pretty-printed JSON file; ``LayoutMismatch`` when it is laid out otherwise.

    Message items are decoded with ``items`` (plain Python values by default); errors name the
    line when ``path`` (the file ``reader`` reads) is given.
    """
    items, buf = items or Items(), _Buffer(reader, name, path)
    frames: list[_Frame] = []
    closed = False
    while True:
        nl = buf.data.find(b"\n", buf.pos)
        if nl < 0:
            if buf.more():
                continue
            nl = len(buf.data)
            if buf.pos >= nl:
                break
        start, line = buf.pos, buf.data[buf.pos : nl]
        buf.pos = nl + 1
        s = line.strip()
        s = s[:-1].rstrip() if s.endswith(b",") else s
        if not s:
            continue
        if line.endswith(b"\r"):
            raise LayoutMismatch
        if closed:
            raise buf.error(start, "unexpected data after the end of the JSON")
        top = frames[-1] if frames else None
        if top is None or (top.kind == "a" and s in (b"{", b"[")):
            if top is None and s != b"{":
                raise LayoutMismatch
            frames.append(_Frame("o" if s == b"{" else "a", top.count if top else None))
            if top is not None:
                top.count += 1
        elif s in (b"}", b"]"):
            if top.kind != ("o" if s == b"}" else "a"):
                raise LayoutMismatch
            frames.pop()
            closed = not frames
        elif top.kind == "o" and (m := _KEY.match(s)) is not None:
            key, value = _decode(b'"' + m.group(1) + b'"'), m.group(2)
            if value in (b"{", b"["):
                if key == "messages" and value == b"[":
                    yield "chat", _path(frames, "."), top.scalars
                    yield from _messages(buf, _path(frames, "."), items, on_repair)
                frames.append(_Frame("o" if value == b"{" else "a", key))
            elif value[:1] in (b"{", b"[") and value not in (b"{}", b"[]"):
                raise LayoutMismatch  # a whole object on one line: not Telegram's layout
            else:
                scalar = _decode_at(buf, start, line, _line_value, on_repair)
                if key == "messages" and scalar == []:
                    yield "chat", _path(frames, "."), top.scalars
                elif not isinstance(scalar, dict | list):
                    top.scalars[key] = scalar
        elif top.kind == "a" and s[:1] not in (b"{", b"[") and _is_json(s):
            top.count += 1
        else:
            raise LayoutMismatch
    if frames:
        raise buf.error(len(buf.data), "the file ends before the JSON is complete (truncated?)")
    if not closed:
        raise SourceError(name, "byte 0", "no JSON object in the file")


# --- the generic path -------------------------------------------------------------------------


class RepairingReader:
    """A file-like over ``source`` that checks UTF-8 and repairs whole lines (for ijson).

    Without a newline for ``limit`` bytes (minified JSON), only ``\\xNN`` escapes are repaired.
    """

    def __init__(self, source: Readable, name: str, on_repair: Repaired, limit: int = 8 << 20):
        self.source, self.name, self.on_repair, self.limit = source, name, on_repair, limit
        self.pending, self.eof, self.offset = b"", False, 0  # offset: bytes handed out so far

    def _take(self) -> tuple[bytes, bool]:
        while not self.eof and b"\n" not in self.pending and len(self.pending) <= self.limit:
            data = self.source.read(1 << 20)
            self.pending, self.eof = self.pending + data, not data
        cut = self.pending.rfind(b"\n") + 1
        if not cut and not self.eof:  # keep a trailing escape, or a cut character, for later
            slash = self.pending.rfind(b"\\", len(self.pending) - 4)
            cut = len(self.pending[: slash + 1].rstrip(b"\\")) if slash >= 0 else len(self.pending)
            while 0 < cut < len(self.pending) and 0x80 <= self.pending[cut] < 0xC0:
                cut -= 1
        cut = cut or len(self.pending)
        out, self.pending = self.pending[:cut], self.pending[cut:]
        return out, out.endswith(b"\n") or self.eof

    def read(self, size: int = -1, /) -> bytes:
        if size == 0:  # ijson peeks with read(0)
            return b""
        out, whole = self._take()
        bad = utf8_error(out)
        if bad is not None:
            raise not_utf8(self.name, self.offset + bad)
        self.offset += len(out)
        out, n = repair_lines(out) if whole else _X_ESCAPE.subn(rb"\1\\u00\2", out)
        if n:
            self.on_repair(n)
        return out


def iter_generic(
    reader: Readable, name: str, on_repair: Repaired, items: Items | None = None
) -> Iterator[Event]:
    """Events of any JSON file, with ijson (slower; for files ``iter_pretty`` refuses)."""
    items, source = items or Items(), RepairingReader(reader, name, on_repair)
    events = ijson.parse(source, use_float=True)
    frames: list[_Frame] = []
    keys: list[Any] = [None]
    try:
        for _where, event, value in events:
            top = frames[-1] if frames else None
            if event == "map_key":
                keys[-1] = value
            elif event in ("start_map", "start_array"):
                here = (top.count if top.kind in "am" else keys[-1]) if top else None
                if top is not None and top.kind in "am":
                    top.count += 1
                if top is not None and top.kind == "m" and event == "start_map":
                    builder, depth = ijson.ObjectBuilder(), 1
                    builder.event(event, value)
                    for _p, ev, val in events:
                        builder.event(ev, val)
                        depth += (ev in ("start_map", "start_array")) - (
                            ev in ("end_map", "end_array")
                        )
                        if not depth:
                            break
                    yield "messages", _path(frames), (here, [items.convert(builder.value)])
                    continue
                if event == "start_array" and here == "messages" and top and top.kind == "o":
                    yield "chat", _path(frames, "."), top.scalars
                    frames.append(_Frame("m", "messages"))
                else:
                    frames.append(_Frame("o" if event == "start_map" else "a", here))
                keys.append(None)
            elif event in ("end_map", "end_array"):
                frames.pop()
                keys.pop()
            elif top is not None and top.kind == "o":
                top.scalars[keys[-1]] = value
            elif top is not None:
                if top.kind == "m":
                    yield "messages", _path(frames), (top.count, [value])
                top.count += 1
    except ijson.JSONError as exc:
        detail = (str(exc).strip().splitlines() or ["invalid JSON"])[0][:120]
        if "premature EOF" in detail or "Incomplete" in detail:
            detail = "the file ends before the JSON is complete (truncated?)"
        raise SourceError(name, f"near byte {source.offset}", detail) from None
