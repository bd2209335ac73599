"""Streaming input for line-based chat exports (WhatsApp ``.txt``/``.zip``, Signal ``.txt``).

``open_source(path, name, accept)`` returns a ``TextSource``: the file itself, or the chat text
inside a WhatsApp ``.zip`` (checked against zip bombs and member names that escape the folder
first). ``TextSource.lines()`` streams decoded lines without their line ending, in constant memory:

- UTF-8 (with or without BOM) is decoded line by line, so an invalid byte is reported with its
  line number (``SourceError``: "not UTF-8 at line N"); UTF-16 with a BOM is transcoded while
  streaming.
- A physical line longer than ``LINE_BYTES`` keeps its first ``LINE_BYTES`` bytes; the rest is
  skipped and ``TextSource.truncated`` counts it (the caller flags the message).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vigie.errors import SourceError, UnsafeInputError
from vigie.sources.base import safe_relative

LINE_BYTES = 1 << 20  # bytes kept of one physical line
HEAD_BYTES = 65536  # bytes read to sniff and to detect the line layout
MAX_ZIP_TOTAL = 2 << 30  # refuse a zip that expands to more than 2 GiB
MAX_ZIP_RATIO = 200  # refuse a chat text compressed more than 200:1 ...
RATIO_MIN_SIZE = 1 << 20  # ... when it expands to 1 MiB or more
MAX_ZIP_MEMBERS = 200_000
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ZIP_MAGIC = b"PK\x03\x04"


def is_zip(head: bytes) -> bool:
    """True when ``head`` starts like a zip archive."""
    return head.startswith(_ZIP_MAGIC)


def decode_head(raw: bytes) -> str:
    """Best-effort text of a file's first bytes (BOM-aware, invalid bytes replaced)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith(_UTF16_BOMS):
        return raw[: len(raw) // 2 * 2].decode("utf-16", "replace")
    return raw.decode("utf-8", "replace")


def head_lines(raw: bytes, limit: int = 200) -> list[str]:
    """The first ``limit`` complete lines of ``raw`` (a possibly cut last line is dropped)."""
    text = decode_head(raw)
    lines = text.split("\n")
    if len(raw) >= HEAD_BYTES and len(lines) > 1:
        lines.pop()
    return [line.rstrip("\r") for line in lines[:limit]]


@dataclass
class TextSource:
    """A chat text to stream: a plain file, or one member of a zip archive."""

    path: Path
    name: str  # shown in errors
    member: str | None = None  # the .txt inside a zip
    members: frozenset[str] | None = None  # every file name in the zip (media presence)
    truncated: int = 0  # physical lines cut at LINE_BYTES so far
    truncated_line: int = 0  # number of the last cut line

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """The raw bytes, buffered (the zip member is decompressed while read)."""
        if self.member is None:
            with self.path.open("rb") as handle:
                yield handle
            return
        with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as inner:
            yield io.BufferedReader(inner, 1 << 16)  # type: ignore[type-var]

    def head(self) -> bytes:
        """The first ``HEAD_BYTES`` bytes."""
        with self.open() as handle:
            return handle.read(HEAD_BYTES)

    def lines(self) -> Iterator[str]:
        """Every line, decoded, without its line ending."""
        self.truncated = self.truncated_line = 0
        with self.open() as handle:
            start = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
            if start.startswith(_UTF16_BOMS):
                yield from self._utf16_lines(handle)
                return
            if start.startswith(codecs.BOM_UTF8):
                handle.read(3)
            yield from self._utf8_lines(handle)

    def _utf8_lines(self, handle: BinaryIO) -> Iterator[str]:
        readline = handle.readline
        lineno = 0
        while True:
            raw = readline(LINE_BYTES)
            if not raw:
                return
            lineno += 1
            if raw[-1:] != b"\n" and len(raw) >= LINE_BYTES:
                raw = self._cut(raw, readline, lineno)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = self._undecodable(raw, exc, lineno)
            yield text.rstrip("\r\n")

    def _cut(self, raw: bytes, readline: Callable[[int], bytes], lineno: int) -> bytes:
        self.truncated += 1
        self.truncated_line = lineno
        rest = raw
        while rest and rest[-1:] != b"\n":
            rest = readline(LINE_BYTES)
        return raw

    def _undecodable(self, raw: bytes, exc: UnicodeDecodeError, lineno: int) -> str:
        if self.truncated_line == lineno and exc.start >= len(raw) - 3 and exc.end == len(raw):
            return raw[: exc.start].decode("utf-8")  # a character cut at LINE_BYTES
        raise SourceError(
            self.name,
            f"line {lineno}",
            f"not UTF-8 at line {lineno} (byte {exc.start + 1} of the line is "
            f"0x{raw[exc.start]:02x}); export the chat again or convert the file to UTF-8",
        )

    def _utf16_lines(self, handle: BinaryIO) -> Iterator[str]:
        text = io.TextIOWrapper(handle, encoding="utf-16", newline="\n")
        limit = LINE_BYTES // 2
        lineno = 0
        try:
            while True:
                line = text.readline(limit)
                if not line:
                    return
                lineno += 1
                if line[-1] != "\n" and len(line) >= limit:
                    self.truncated += 1
                    self.truncated_line = lineno
                    more = line
                    while more and more[-1] != "\n":
                        more = text.readline(limit)
                yield line.rstrip("\r\n")
        except UnicodeDecodeError:
            raise SourceError(
                self.name,
                f"line {lineno + 1}",
                f"not valid UTF-16 near line {lineno + 1}; export the chat again",
            ) from None


def open_source(path: Path, name: str, accept: Callable[[bytes], bool]) -> TextSource:
    """The chat text of ``path``: the file itself, or the best ``.txt`` inside a zip.

    In a zip, the first ``.txt`` member whose head ``accept`` (a sniffing function) approves is
    chosen, ``_chat.txt`` first. Raises ``UnsafeInputError`` (E122) for zip bombs and member
    names escaping the folder, ``SourceError`` for broken or chat-less archives.
    """
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise SourceError(name, "", f"cannot read the file ({exc.strerror})") from None
    if not is_zip(magic):
        return TextSource(path, name)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            member = _check_zip(archive, infos, name, accept)
    except zipfile.BadZipFile as exc:
        raise SourceError(name, "", f"broken zip archive ({exc})") from None
    members = frozenset(info.filename for info in infos if not info.is_dir())
    return TextSource(path, name, member=member, members=members)


def zip_has_text(path: Path, accept: Callable[[bytes], bool]) -> bool:
    """True when a ``.txt`` in the zip ``path`` has a head ``accept`` approves (cheap, bounded)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in _texts(archive.infolist())[:5]:
                if info.flag_bits & 0x1:
                    continue
                with archive.open(info) as inner:
                    if accept(inner.read(HEAD_BYTES)):
                        return True
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, NotImplementedError):
        return False
    return False


def _texts(infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The ``.txt`` members, ``_chat.txt`` first."""
    texts = [
        info
        for info in infos
        if info.filename.lower().endswith(".txt")
        and not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
    ]
    texts.sort(key=lambda info: (info.filename.rsplit("/", 1)[-1] != "_chat.txt", info.filename))
    return texts


def _check_zip(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    name: str,
    accept: Callable[[bytes], bool],
) -> str:
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UnsafeInputError(name, "", f"zip holds {len(infos)} members; refusing it")
    total = 0
    for info in infos:
        total += info.file_size
        try:
            safe_relative(info.filename, name, f"zip member {info.filename!r}")
        except UnsafeInputError:
            raise UnsafeInputError(
                name, "", f"zip member name {info.filename!r} escapes the archive folder"
            ) from None
    if total > MAX_ZIP_TOTAL:
        raise UnsafeInputError(
            name, "", f"zip expands to {total:,} bytes (over 2 GiB); refusing a possible zip bomb"
        )
    for info in _texts(infos):
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeInputError(
                name,
                info.filename,
                f"{info.filename} is compressed {info.file_size // max(info.compress_size, 1)}:1 "
                f"(over {MAX_ZIP_RATIO}:1); refusing a possible zip bomb",
            )
        if info.flag_bits & 0x1:
            raise SourceError(name, info.filename, "the chat text is encrypted in the zip")
        with archive.open(info) as inner:
            if accept(inner.read(HEAD_BYTES)):
                return info.filename
    raise SourceError(name, "", "no WhatsApp chat .txt inside this zip")
