"""One message prepared once for every extractor: original, folded and word-spaced texts.

Extractors match on the *folded* text of :func:`vigie.analyse.normalise.normalise` (case,
accents, stylised Unicode and leetspeak undone) and report spans in the *original* text. The
*spaced* text is the folded text with every character other than ``[0-9a-z]`` turned into a
space and one space added at each end: lexicon keys stored as ``" coke "`` then match whole
words only, inside the Aho-Corasick automaton itself, with no per-hit boundary test.
"""

from __future__ import annotations

import dataclasses
import json
import json.encoder
import re
from bisect import bisect_right
from typing import Any, Final

from vigie.analyse.normalise import Normalised, normalise
from vigie.model import Entity

__all__ = [
    "Doc",
    "PaymentHit",
    "SpanSet",
    "compact_json",
    "digit_run_starts",
    "finditer_at",
    "new_entity",
    "spaced_key",
]

_NOT_WORD_RUN: Final = re.compile(r"[^0-9a-z]+")
_DIGIT: Final = re.compile(r"[0-9]")
_LETTERS_AND_SPACE: Final = b" abcdefghijklmnopqrstuvwxyz"
_SPACE_TABLE: Final = bytes(ch if (48 <= ch <= 57 or 97 <= ch <= 122) else 32 for ch in range(256))


def spaced_key(folded: str) -> str:
    """The automaton key of an already folded term: ``"l'ecstasy"`` -> ``" l ecstasy "``."""
    return " " + _NOT_WORD_RUN.sub(" ", folded).strip() + " "


# json.dumps with these options builds this very encoder on every call
_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# and JSONEncoder.encode builds this C encoder on every call (~1 us of interpreted Python), as
# it does for any dict: the same arguments, but for the circular-reference check (attrs are
# flat dicts written by the extractors)
_MAKE_ENCODER: Final = getattr(json.encoder, "c_make_encoder", None)
_ENCODE: Final = (
    _MAKE_ENCODER(
        None, _JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if _MAKE_ENCODER is not None
    else None
)


def compact_json(attrs: dict[str, Any]) -> str:
    """``attrs`` as compact JSON (no spaces, non-ASCII kept), the form stored in the lake."""
    if _ENCODE is not None:
        return "".join(_ENCODE(attrs, 0))
    return _JSON.encode(attrs)


# Entity is a frozen slots dataclass: its generated __init__ runs six object.__setattr__ calls
# as Python code (~0.65 us an entity). Filling the slots through their descriptors gives the
# same object in about half the time; the field list is checked so that a new field fails here.
_ENTITY_FIELDS: Final = ("type", "value", "text", "start", "end", "attrs")
if tuple(f.name for f in dataclasses.fields(Entity)) != _ENTITY_FIELDS:
    raise ImportError(f"vigie.model.Entity fields changed: update {__name__}.new_entity")
_NEW: Final = object.__new__
_SET_TYPE: Final = Entity.__dict__["type"].__set__
_SET_VALUE: Final = Entity.__dict__["value"].__set__
_SET_TEXT: Final = Entity.__dict__["text"].__set__
_SET_START: Final = Entity.__dict__["start"].__set__
_SET_END: Final = Entity.__dict__["end"].__set__
_SET_ATTRS: Final = Entity.__dict__["attrs"].__set__


def new_entity(kind: str, value: str, text: str, start: int, end: int, attrs: str | None) -> Entity:
    """``Entity(kind, value, text, start, end, attrs)``, built faster."""
    entity: Entity = _NEW(Entity)
    _SET_TYPE(entity, kind)
    _SET_VALUE(entity, value)
    _SET_TEXT(entity, text)
    _SET_START(entity, start)
    _SET_END(entity, end)
    _SET_ATTRS(entity, attrs)
    return entity


# a payment term found in the word scan: folded start, end, payment id, term, counts alone
PaymentHit = tuple[int, int, str, str, bool]
# a role term found in the places scan: folded start, end, role, term, specific
RoleHit = tuple[int, int, str, str, bool]


class Doc:
    """A message as the extractors see it; offsets of ``folded`` and ``spaced`` agree (+1).

    Extractors leave what a later one can reuse, None until then (the later one then scans
    itself, through :meth:`scan_words` for the word scan): ``payment_hits`` and ``label_keys`` come from the one automaton pass of
    :func:`~vigie.analyse.extract.products.find_products` over ``spaced``, which also looks for
    payment terms and contact platform words; ``digit_runs`` (first digit of each run of
    digits) from the scan of :func:`~vigie.analyse.extract.offers.find_offers`; ``role_hits``
    and ``place_hits`` (folded start, minus folded end, place) from that same word scan of
    find_products, whose automaton holds the place names and role terms too.
    """

    __slots__ = (
        "_line_starts",
        "digit_runs",
        "folded",
        "has_digit",
        "label_keys",
        "norm",
        "payment_hits",
        "place_hits",
        "role_hits",
        "spaced",
        "spaced_bytes",
        "text",
    )

    def __init__(self, text: str, norm: Normalised | None = None) -> None:
        self.text = text
        self.norm = norm if norm is not None and norm.original == text else normalise(text)
        self.folded = self.norm.text
        # one byte per code point ("?" for non-ASCII), then a 256-byte table: same offsets
        raw = self.folded.encode("ascii", "replace").translate(_SPACE_TABLE)
        self.spaced_bytes = b" " + raw + b" "  # for the automata over bytes
        self.spaced = self.spaced_bytes.decode("ascii")
        if len(raw) < 200:
            # raw holds [0-9a-z] and spaces only: what is left without letters and spaces is
            # digits (cheaper than a regex call on short texts; the regex stops at the first)
            self.has_digit = len(raw.translate(None, _LETTERS_AND_SPACE)) > 0
        else:
            self.has_digit = _DIGIT.search(self.folded) is not None
        self._line_starts: list[int] | None = None
        self.payment_hits: list[PaymentHit] | None = None
        self.label_keys: list[int] | None = None  # folded starts of contacts' platform words
        self.digit_runs: list[int] | None = None
        self.role_hits: list[RoleHit] | None = None
        self.place_hits: list[tuple[int, int, Any]] | None = None

    def scan_words(self) -> None:
        """Fill ``payment_hits``, ``label_keys``, ``place_hits`` and ``role_hits`` (one word
        scan, :func:`~vigie.analyse.extract.products.scan_words`) unless find_products has."""
        if self.payment_hits is None:  # (the four are set together)
            from vigie.analyse.extract.products import scan_words  # (products imports doc)

            scan_words(self)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the folded span ``[start, end)``."""
        if not self.norm.layers:
            return start, end
        return self.norm.span(start, end)

    def line_of(self, pos: int) -> int:
        """Index of the folded line holding folded offset ``pos``."""
        starts = self._line_starts
        if starts is None:
            starts = [0]
            find = self.folded.find
            at = find("\n")
            while at != -1:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._line_starts = starts
        if len(starts) == 1:  # one line (most messages)
            return 0 if pos >= 0 else -1
        return bisect_right(starts, pos) - 1

    def entity(
        self, kind: str, value: str, start: int, end: int, attrs: dict[str, Any] | None = None
    ) -> Entity:
        """An :class:`Entity` for the folded span, its span and text taken from the original."""
        o_start, o_end = self.span(start, end)
        return new_entity(
            kind,
            value,
            self.text[o_start:o_end],
            o_start,
            o_end,
            compact_json(attrs) if attrs else None,
        )

    def raw_entity(
        self,
        kind: str,
        value: str,
        start: int,
        end: int,
        attrs: dict[str, Any] | str | None = None,
    ) -> Entity:
        """An :class:`Entity` for a span already in original offsets (contacts, crypto);
        ``attrs`` a dict, or its :func:`compact_json` when the caller made it once for all."""
        if isinstance(attrs, dict):
            attrs = compact_json(attrs) if attrs else None
        return new_entity(kind, value, self.text[start:end], start, end, attrs or None)


class SpanSet:
    """A set of ``[start, end)`` spans, merged, asking "does this overlap?" in log time."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        if not spans:
            return
        for start, end in sorted(spans):
            if self.ends and start < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` shares a character with a span of the set."""
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        """Add a span that overlaps none of the set (callers test :meth:`overlaps` first)."""
        i = bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


_RUN_START = re.compile(r"[0-9](?<![0-9][0-9])")  # the first digit of each run of digits


def digit_run_starts(doc: Doc) -> list[int]:
    """Offsets of the first digit of each run of digits of ``doc.folded``, for the digit-led
    regexes of pay, schedules and places (see :func:`finditer_at`): a by-product of the scan
    of :func:`~vigie.analyse.extract.offers.find_offers` when it has read ``doc``, else one scan, kept on ``doc``."""
    held = doc.digit_runs
    if held is not None:
        return held
    starts = [m.start() for m in _RUN_START.finditer(doc.folded)] if doc.has_digit else []
    doc.digit_runs = starts
    return starts


def finditer_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for a pattern whose matches are never empty and only
    start at offsets of ``starts`` (sorted): the leftmost match after the previous one is the
    first of those offsets it matches at; one ``match`` per offset instead of a scan."""
    found: list[re.Match[str]] = []
    covered = 0
    for start in starts:
        if start >= covered:
            m = pattern.match(text, start)
            if m is not None:
                found.append(m)
                covered = m.end()
    return found
