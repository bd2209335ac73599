"""One Aho-Corasick automaton over every lexicon term, built once, matched on folded text.

Matches respect word boundaries on their alphanumeric edges (``arme`` does not fire inside
``larme``; ``🔌`` fires anywhere), tolerate a plural ``s``/``x`` on words of four letters or more,
and keep, per tag, only the longest of overlapping matches (``on recrute`` rather than
``recrute`` too). Because :func:`~vigie.analyse.normalise.normalise` squeezes a run of three or
more letters to two, single-word terms are also compiled with each vowel doubled (``cooke``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import ahocorasick_rs

from vigie.analyse.lexicon import Term

__all__ = ["Hit", "Matcher", "overlapping_matches"]

_VOWELS = frozenset("aeiouy")


class Hit(NamedTuple):
    """A lexicon match: folded offsets ``[start, end)`` and the :class:`Term` that matched."""

    start: int
    end: int
    term: Term


_SURROGATE = re.compile(f"[{chr(0xD800)}-{chr(0xDFFF)}]")  # (mypyc takes no surrogate literal)


def overlapping_matches(
    automaton: ahocorasick_rs.AhoCorasick, text: str
) -> list[tuple[int, int, int]]:
    """Every match ``(key index, start, end)`` of ``automaton`` in ``text``, in end order.

    Lone surrogates (invalid input) cannot reach the Rust automaton: they are searched as U+FFFD
    instead, which keeps every offset and is part of no key.
    """
    try:
        return automaton.find_matches_as_indexes(text, overlapping=True)
    except UnicodeEncodeError:
        return automaton.find_matches_as_indexes(_SURROGATE.sub("\ufffd", text), overlapping=True)


def _variants(folded: str) -> Iterable[str]:
    """The term itself, and for single words of 4+ letters each vowel doubled once."""
    yield folded
    if len(folded) < 4 or not folded.isalpha():
        return
    for i, ch in enumerate(folded):
        if ch in _VOWELS and (i == 0 or folded[i - 1] != ch):
            if i + 1 < len(folded) and folded[i + 1] == ch:
                continue
            yield folded[: i + 1] + ch + folded[i + 1 :]


class Matcher:
    """Compiled multi-pattern matcher; pickles by rebuilding from its terms.

    ``annotate`` (optional, a module-level function so that the matcher still pickles) maps a
    term to whatever its consumer wants per hit; :meth:`scan` returns those, computed once per
    term when the automaton is built instead of once per hit.
    """

    def __init__(
        self, terms: Sequence[Term], annotate: Callable[[Term], Any] | None = None
    ) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        self.annotate = annotate
        self._automaton, self._keys, self._edges, self._found_terms, self._notes = self._build(
            self.terms, annotate
        )

    @staticmethod
    def _build(
        terms: Sequence[Term], annotate: Callable[[Term], Any] | None = None
    ) -> tuple[
        ahocorasick_rs.AhoCorasick,
        list[str],
        list[int],
        list[tuple[Term, ...]],
        list[tuple[Any, ...]],
    ]:
        """The automaton over every key, the keys, and per key (by index, in parallel lists)
        what a match carries: its edges, the terms folding to it and their annotations.

        A key's edges are one small int, all that a match rejected at a word boundary reads:
        length * 4 + 2 * (first character alphanumeric) + (last character alphanumeric), an
        alphanumeric edge needing a word boundary.

        ahocorasick_rs's DFA (Rust) scans about twice as fast per character as pyahocorasick;
        overlapping search reports every match, in the order of their end offsets, as
        pyahocorasick's ``iter`` did (the order ``_kept`` relies on for equal spans).
        """
        by_key: dict[str, list[int]] = {}
        for index, term in enumerate(terms):
            for key in _variants(term.folded):
                ids = by_key.setdefault(key, [])
                if index not in ids:
                    ids.append(index)
        keys = list(by_key)
        edges = [len(key) * 4 + 2 * key[0].isalnum() + key[-1].isalnum() for key in keys]
        found_terms = [tuple(terms[i] for i in ids) for ids in by_key.values()]
        notes = found_terms  # (without annotate, the terms are the notes: neither list changes)
        if annotate is not None:
            notes = [tuple(map(annotate, found)) for found in found_terms]
        automaton = ahocorasick_rs.AhoCorasick(
            keys,
            matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA,
        )
        return automaton, keys, edges, found_terms, notes

    def __reduce__(
        self,
    ) -> tuple[type[Matcher], tuple[tuple[Term, ...], Callable[[Term], Any] | None]]:
        return (Matcher, (self.terms, self.annotate))

    def find(self, text: str) -> list[Hit]:
        """Every boundary-respecting match in folded ``text``, in text order.

        A match strictly inside a longer match is dropped (``accepté`` inside ``mineurs
        acceptés``); terms sharing one folded form all come back.
        """
        return [
            Hit(start, end, term) for start, end, terms in self._kept(text, True) for term in terms
        ]

    def scan(self, text: str) -> list[tuple[int, int, tuple[Any, ...]]]:
        """The matches of :meth:`find` grouped by span: ``(start, end, notes)``, where ``notes``
        are ``annotate(term)`` of the span's terms (the terms themselves without ``annotate``)."""
        return self._kept(text, False)

    def _kept(self, text: str, terms: bool) -> list[tuple[int, int, tuple[Any, ...]]]:
        """The kept matches ``(start, end, terms or notes)``: sorted by start, longest first at
        each start, ties (a doubled-vowel variant or plural of the same span) in scan order,
        and without the matches inside the previous kept one."""
        if not text:
            return []
        size = len(text)
        edges = self._edges
        items = self._found_terms if terms else self._notes
        found: list[tuple[int, int, tuple[Any, ...]]] = []  # in scan order
        kept: list[tuple[int, int, tuple[Any, ...]]] = []  # (while ``found`` is in order)
        in_order = True
        last_start = last_end = -1  # the last of ``found``
        kept_start = kept_end = -1  # the last of ``kept``
        start: int
        end: int
        for index, start, end in overlapping_matches(self._automaton, text):
            edge = edges[index]
            if edge & 2 and start and text[start - 1].isalnum():
                continue
            if edge & 1 and end < size and text[end].isalnum():
                # tolerate a plural after 4 letters or more: "arme" in "armes", "menu" in "menus"
                if (
                    edge < 16
                    or text[end] not in "sx"
                    or (end + 1 < size and text[end + 1].isalnum())
                ):
                    continue
                end += 1
            match = (start, end, items[index])
            found.append(match)
            if not in_order:
                continue
            # matches come in the order of their (unextended) ends: mostly already in the
            # (start, longest first) order, when no match begins before the previous one
            if start < last_start or (start == last_start and end > last_end):
                in_order = False
                continue
            last_start = start
            last_end = end
            if kept and end <= kept_end and start >= kept_start:
                continue  # inside the previous, longer match, or the same span again
            kept.append(match)
            kept_start = start
            kept_end = end
        if in_order:
            return kept
        # sorted by (start, -end, n), n the scan order, as one int per match: a list of ints
        # sorts much faster than one of tuples (end <= size, n < count)
        width = size + 1
        count = len(found)
        order = [
            ((match[0] * width + size - match[1]) * count + n) for n, match in enumerate(found)
        ]
        order.sort()
        kept = []
        for key in order:
            match = found[key % count]
            start, end = match[0], match[1]
            if kept and end <= kept_end and start >= kept_start:
                continue
            kept.append(match)
            kept_start = start
            kept_end = end
        return kept
