"""Fold stylised, obfuscated text into a matchable form, keeping a map back to the original.

Dealers write to slip past filters and to look flashy: 𝐂𝐎𝐊𝐄, 🅲🅾🅺🅴, ｃｏｋｅ, ᴄᴏᴋᴇ, Cyrillic
look-alikes, c0k3, b€uh, c.o.k.e, cooooke. :func:`normalise` folds all of these to plain lower-case
Latin (``coke``, ``beuh``) and returns a :class:`Normalised` whose :meth:`Normalised.span` maps any
span of the folded text back to the original, so a highlight lands on what the user sees.

The folding runs in layers, each recorded only when it changed something:

0. a 1:1 character table (``str.translate``): compatibility forms (NFKD), case, accents,
   homoglyphs, small capitals, enclosed letters, every space to ``" "``, ``\\r`` to ``\\n``;
1. deletions and expansions: zero-width, bidi and format characters, variation selectors, skin
   tones, combining marks and lone surrogates are dropped into the preceding character; ``œ`` ->
   ``oe``, ``ß`` -> ``ss``; runs of three or more regional indicators become letters (a pair stays a
   flag emoji);
2. runs of spaces collapse to one;
3. words: single letters split by a repeated separator (``c.o.k.e``, ``c o k e``, ``c🍫o🍫k🍫e``) are
   joined; leetspeak is undone in words where a digit or symbol sits between letters (``c0k3``,
   ``b€uh``, but not ``10g``, ``h24``, ``ak47``); three or more repeated letters become two
   (``cooooke`` -> ``cooke``; the lexicon compiler adds the doubled-vowel variants).

Emojis stay as tokens, stripped of their variation selectors and skin tones. Folding is idempotent
and linear in the length of the text (no backtracking regex).

Most texts need no layer but 0, so the speed is in deciding that cheaply (each shortcut below
says why it gives the same result, and tests/analyse/test_fast_paths.py checks it against the
plain version): layer 0 runs as a byte table on ASCII and Latin-1 texts and mostly in UTF-8
bytes on other long ones; layer 1 starts at its first marker; layer 3 tries its regex only
where a cheap search, or on long texts a few passes of big-integer arithmetic, finds that a
match may start.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Final

__all__ = ["DIGIT_MARKS", "Normalised", "fold", "normalise"]

# --- character tables, built once at import (~30 ms) ----------------------------------------

_HOMOGLYPHS = {
    # Cyrillic capitals and small letters that look Latin
    "А": "a", "В": "b", "Е": "e", "Ё": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "Х": "x", "У": "y", "І": "i", "Ј": "j", "Ѕ": "s", "Ԁ": "d", "Ԛ": "q",
    "Ԝ": "w", "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ь": "b", "п": "n", "г": "r", "ү": "y", "ӏ": "l", "Ӏ": "l",
    # Greek capitals and small letters
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "α": "a", "β": "b", "ε": "e", "η": "n",
    "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y",
    "ω": "w", "μ": "u", "ϲ": "c", "ϳ": "j",
    # Latin letters without a decomposition
    "ı": "i", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ħ": "h", "ð": "d",
    "ŋ": "n", "ɑ": "a", "ɡ": "g", "ƒ": "f", "ɩ": "i", "ȷ": "j",
    # typographic apostrophes and dashes, so that "t’es mort" matches "t'es mort"
    "’": "'", "‘": "'", "ʼ": "'", "ʹ": "'", "′": "'", "‐": "-", "‑": "-", "‒": "-", "–": "-",
    "—": "-", "―": "-", "−": "-",
    # small capitals (ᴄᴏᴋᴇ) and other phonetic look-alikes
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ǫ": "q", "ʀ": "r",
    "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
}  # fmt: skip
_EXPANSIONS = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss"}
_SCANNED_RANGES = (
    (0x0000, 0x3001),
    (0xA700, 0xA800),
    (0xFB00, 0xFB50),
    (0xFE00, 0xFE70),
    (0xFF00, 0xFFF0),
    (0x1D400, 0x1D800),  # mathematical alphanumerics: 𝐂𝐎𝐊𝐄, 𝓬𝓸𝓴𝓮
    (0x1F100, 0x1F1E6),  # enclosed alphanumerics: 🄲, 🅒, 🅲
)
_RI_FIRST, _RI_LAST = 0x1F1E6, 0x1F1FF  # regional indicators 🇦..🇿
_EXTRA_DELETABLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"


def _fold_char(ch: str) -> str:
    """Fold one character with compatibility decomposition, case, accents and look-alikes."""
    if ch in _HOMOGLYPHS:
        return _HOMOGLYPHS[ch]
    if ch in _EXPANSIONS:
        return _EXPANSIONS[ch]
    code = ord(ch)
    if 0x1F150 <= code <= 0x1F169:  # negative circled 🅐..🅩
        return chr(code - 0x1F150 + 0x61)
    if 0x1F170 <= code <= 0x1F189:  # negative squared 🅰..🆉
        return chr(code - 0x1F170 + 0x61)
    if ch == "\n":
        return ch
    category = unicodedata.category(ch)
    if category == "Zs" or ch in "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85":
        return " "
    if ch in "\r\u2028\u2029":
        return "\n"
    if category == "Cc" and ch != "\n":
        return " "
    if category in ("Cf", "Cs", "Mn", "Me") or ch in _EXTRA_DELETABLE:
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", ch.lower()):
        if unicodedata.category(part) in ("Mn", "Me"):
            continue
        part = part.lower()
        out.append(_HOMOGLYPHS.get(part, _EXPANSIONS.get(part, part)))
    folded = "".join(out)
    if folded and folded.strip() == "" and ch != " ":
        return " "
    return folded


def _build_tables() -> tuple[dict[int, str], dict[str, str], str]:
    one_to_one: dict[int, str] = {}
    expansions: dict[str, str] = {}
    deletable: list[str] = []
    for first, last in _SCANNED_RANGES:
        for code in range(first, last):
            if 0xD800 <= code <= 0xDFFF:
                continue
            ch = chr(code)
            folded = _fold_char(ch)
            for _ in range(3):  # reach a fixpoint: every output character folds to itself
                folded = "".join(_fold_char(c) if c != ch else c for c in folded)
            if folded == ch:
                continue
            if folded == "":
                deletable.append(ch)
            elif len(folded) == 1:
                one_to_one[code] = folded
            else:
                expansions[ch] = folded
    return one_to_one, expansions, "".join(deletable)


_TABLES = _build_tables()
_TABLE: Final = _TABLES[0]
_EXPAND: Final = _TABLES[1]
_DELETABLE = _TABLES[2]
_DELETABLE_SET = frozenset(_DELETABLE).union(
    chr(code)
    for first, last in (
        (0xD800, 0xE000),  # lone surrogates (invalid input)
        (0x1F3FB, 0x1F400),  # skin tones
        (0xE0000, 0xE0080),  # tags (subdivision flags)
        (0xE0100, 0xE01F0),  # variation selectors supplement
    )
    for code in range(first, last)
)
# Layer 0 marks what layer 1 must rewrite, so that one ``in`` test tells whether it must run:
# NUL for a deleted character, SOH for an expansion, STX for a regional indicator (the input's
# own control characters were already mapped to spaces).
_DEL: Final = "\x00"
_EXP: Final = "\x01"
_RI: Final = "\x02"
_TABLE.update({ord(c): _DEL for c in _DELETABLE_SET})
_TABLE.update({ord(c): _EXP for c in _EXPAND})
_TABLE.update({code: _RI for code in range(_RI_FIRST, _RI_LAST + 1)})
# The same table as a string indexed by code point, for ``str.translate``: a dict table costs a
# failed lookup (a KeyError raised and cleared) for every character it does not map, a string
# one an index. It covers the code points below U+20000; a text with a character above (tags,
# variation selectors supplement, rare CJK) is translated with the dict table instead.
_TABLE_LIMIT = 0x20000
_TABLE_STRING: Final = "".join([_TABLE.get(code, chr(code)) for code in range(_TABLE_LIMIT)])
_BEYOND_STRING: Final = re.compile(f"[{chr(_TABLE_LIMIT)}-\U0010ffff]")
_LAYER1: Final = re.compile(
    r"\A\x00+(?:(?:\x02\x00*)+|[^\x00\x02]\x00*)?|(?:\x02\x00*)+|[^\x00\x02]\x00+|\x01"
)
_MARKER: Final = re.compile(r"[\x00-\x02]")
_LAYER2: Final = re.compile(r"  +")

_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "€": "e"}
_LEET_TABLE: Final = str.maketrans(_LEET)
_W = "a-z0-9$€"  # word characters after layer 0
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_LAYER3: Final = re.compile(
    rf"(?P<split>(?<![{_W}])[{_W}](?P<sep>[ .\-_*·•|/+~,:{_EMOJI}])[{_W}](?![{_W}])(?:(?P=sep)[{_W}](?![{_W}]))++)"
    rf"|(?P<leet>(?<![{_W}])[{_W}]*?[a-z][013457$€]++[a-z][{_W}]*+)"
    r"|(?P<rep>(?P<rc>[a-vx-z])(?P=rc){2,})"
)
_REPEAT: Final = re.compile(r"([a-vx-z])\1{2,}")
# Where a layer-3 match can start (see _layer3_matches), written for the regex engine's speed:
# the leet one starts on the first leet character, so that the engine skips to these rarer
# digits and symbols instead of trying every letter (its lookbehind checks the letter before);
# the repeat one checks the letter last, an attempt at every character failing at once unless
# the next one is the same being cheaper than a character-class test and then an attempt.
_REPEAT_HIT: Final = re.compile(r"(.)\1\1(?<=[a-vx-z])")
_SPLIT_HIT: Final = re.compile(rf"([ .\-_*·•|/+~,:{_EMOJI}])[{_W}]\1[{_W}](?![{_W}])")
_LEET_HIT: Final = re.compile(r"[013457$€](?<=[a-z].)[013457$€]*+[a-z]")
_WORD_END: Final = re.compile(rf"[{_W}]*+")
_WORD_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789$€")
# layer 0 in bytes (normalise, _fold_chars): the table on ASCII bytes, and when to use it
_LATIN1_FOLD: Final = bytes([ord(_TABLE.get(b, chr(b))) for b in range(256)])  # all below 256
_ASCII_FOLD: Final = _LATIN1_FOLD[:128] + bytes(range(128, 256))  # UTF-8 bytes: ASCII only
_BEYOND_LATIN1: Final = re.compile(r"[^\x00-\xff]")
_LATIN1_UPTO: Final = 256  # characters; a longer text rather takes the UTF-8 path at once
_ASCII_BYTES: Final = bytes(range(128))
# Folded text encoded one byte per code point ("ascii" or "latin-1" with "replace") and
# translated with this table has "0" where it has a digit and " " elsewhere: bytes.find then
# finds where the next number starts far faster than a regex search (features, offers)
DIGIT_MARKS: Final = bytes(48 if 48 <= code <= 57 else 32 for code in range(256))
_BYTES_FROM: Final = 32  # characters; below, str.translate is as quick
_MAX_EXTRA_BYTES: Final = 96  # non-ASCII bytes beyond the first of each character
_MAX_DISTINCT: Final = 16  # distinct non-ASCII characters (one bytes.replace each)
# _hit_maps: a class byte per character, one bit per part it cannot play in a hit (_WORD: that it
# is a word character). "?" stands for every character above U+00FF, which may be "€" (a word
# character, leet) or "•" or an emoji (separators); it is never a letter.
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_NOT_REPEATABLE = 1  # not a letter that _REPEAT squeezes
_NOT_SEPARATOR = 2
_NOT_WORD = 4
_WORD = 8
_NOT_LETTER = 16
_NOT_LEET = 32
_NOT_LETTER_OR_LEET = 64
_CLASSES: Final = bytes(
    [
        (_NOT_REPEATABLE if ch not in _LETTERS or ch == "w" else 0)
        | (_NOT_SEPARATOR if ch not in " .-_*·|/+~,:?" else 0)
        | (_NOT_WORD if ch not in _WORD_CHARS and ch != "?" else 0)
        | (_WORD if ch in _WORD_CHARS else 0)
        | (_NOT_LETTER if ch not in _LETTERS else 0)
        | (_NOT_LEET if ch not in "013457$?" else 0)
        | (_NOT_LETTER_OR_LEET if ch not in _LETTERS and ch not in "013457$?" else 0)
        for ch in map(chr, range(256))
    ]
)
# _EVERY_BYTE[bit] has that bit in every byte up to _BIG_INT_UPTO characters
_BIG_INT_UPTO: Final = 1 << 16
_EVERY_BYTE = {1 << k: int.from_bytes(bytes([1 << k]) * _BIG_INT_UPTO, "little") for k in range(7)}
_NOT_REPEATABLE_BYTES: Final = _EVERY_BYTE[_NOT_REPEATABLE]
_NOT_SEPARATOR_BYTES: Final = _EVERY_BYTE[_NOT_SEPARATOR]
_NOT_WORD_BYTES: Final = _EVERY_BYTE[_NOT_WORD]
_WORD_BYTES: Final = _EVERY_BYTE[_WORD]
_NOT_LETTER_BYTES: Final = _EVERY_BYTE[_NOT_LETTER]
_NOT_LEET_BYTES: Final = _EVERY_BYTE[_NOT_LEET]
_NOT_LETTER_OR_LEET_BYTES: Final = _EVERY_BYTE[_NOT_LETTER_OR_LEET]
_BIG_INT_FROM: Final = 80  # characters; below, the regex searches are as quick


def _fold_word(word: str) -> str:
    """Undo leetspeak in a word and squeeze letter repeats (``c0oook3`` -> ``cooke``)."""
    return _REPEAT.sub(r"\1\1", word.translate(_LEET_TABLE))


def _layer1(original: str, marked: str) -> tuple[str, _Layer | None]:
    """Delete, expand and spell out the characters layer 0 marked (same offsets as original)."""

    def repl(match: re.Match[str]) -> str:
        start = match.start()
        chunk = match.group()
        spell = chunk.count(_RI) >= 3  # 🇨🇴🇰🇪, not a flag pair
        out = []
        for offset, ch in enumerate(chunk):
            if ch == _EXP:
                out.append(_EXPAND[original[start + offset]])
            elif ch == _RI:
                letter = original[start + offset]
                out.append(chr(ord(letter) - _RI_FIRST + 0x61) if spell else letter)
            elif ch != _DEL:
                out.append(ch)
        return "".join(out)

    if _DEL not in marked and _RI not in marked:
        # Only expansions: each "\x01" is a match of its own (the other alternatives need a
        # "\x00" or a "\x02"), and repl gives the expansion of the original character.
        edits = []
        at = marked.find(_EXP)
        while at >= 0:
            edits.append((at, at + 1, _EXPAND[original[at]]))
            at = marked.find(_EXP, at + 1)
        return _rewrite(marked, edits)
    # Each alternative of _LAYER1 has a marker as its first or second character: no match
    # starts before the first marker minus one, so finditer can start there.
    first = _MARKER.search(marked)
    start = first.start() - 1 if first is not None and first.start() > 0 else 0
    return _rewrite(
        marked, [(m.start(), m.end(), repl(m)) for m in _LAYER1.finditer(marked, start)]
    )


def _layer3_repl(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "split":
        sep = match.group("sep")
        letters = match.group("split").split(sep)
        if sum(c.isalpha() for c in letters) < 2 or (sep == " " and set(letters) <= {"a", "y"}):
            return match.group()  # not a spelled-out word ("il y a à")
        return _fold_word("".join(letters))
    if kind == "leet":
        return _fold_word(match.group("leet"))
    return match.group("rc") * 2


# A layer: parallel lists of blocks where folded [f_start, f_end) came from original
# [o_start, o_end); outside blocks the layer is the identity shifted by the previous block.
_Layer = tuple[list[int], list[int], list[int], list[int]]


def _rewrite(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, _Layer | None]:
    """Replace each ``text[start:end]`` by ``new`` (in order, not overlapping), recording the
    blocks that changed."""
    pieces: list[str] = []
    f_starts: list[int] = []
    f_ends: list[int] = []
    o_starts: list[int] = []
    o_ends: list[int] = []
    last = 0
    folded_len = 0
    for start, end, new in edits:
        if new == text[start:end]:
            continue
        pieces.append(text[last:start])
        folded_len += start - last
        f_starts.append(folded_len)
        folded_len += len(new)
        f_ends.append(folded_len)
        o_starts.append(start)
        o_ends.append(end)
        pieces.append(new)
        last = end
    if not f_starts:
        return text, None
    pieces.append(text[last:])
    return "".join(pieces), (f_starts, f_ends, o_starts, o_ends)


def _fold_chars(text: str) -> str:
    """Layer 0: ``text.translate(_TABLE)``, quicker on Latin-1 text and on text with few
    non-ASCII characters.

    ``str.translate`` looks every character of a string that is not pure ASCII up through the
    mapping protocol (~20 ns each). The table folds each Latin-1 character to one Latin-1
    character, so a Latin-1 text folds as bytes through one 256-byte table. Otherwise, in
    UTF-8, one table folds the ASCII bytes and leaves the others; then each distinct non-ASCII
    character is replaced by its folding (UTF-8 is self-synchronising: a character's bytes only
    match where that character is, and a folding never folds further, so the replacements do
    not interact).
    """
    if len(text) < _LATIN1_UPTO and _BEYOND_LATIN1.search(text) is None:
        return text.encode("latin-1").translate(_LATIN1_FOLD).decode("latin-1")
    if len(text) >= _BYTES_FROM:
        data = text.encode("utf-8", "surrogatepass")  # lone surrogates too (they are deleted)
        if len(data) - len(text) <= _MAX_EXTRA_BYTES:  # few non-ASCII characters
            data = data.translate(_ASCII_FOLD)
            chars = set(data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
            if len(chars) <= _MAX_DISTINCT:
                for char in chars:
                    folded = _TABLE.get(ord(char))
                    if folded is not None:
                        data = data.replace(
                            char.encode("utf-8", "surrogatepass"),
                            folded.encode("utf-8", "surrogatepass"),
                        )
                return data.decode("utf-8", "surrogatepass")
    folded = text.translate(_TABLE_STRING)
    if _BEYOND_STRING.search(folded) is not None:
        folded = text.translate(_TABLE)  # the string table stops at U+20000
    return folded


def _hit_maps(text: str) -> tuple[bytes, bytes, bytes]:
    """Where ``_REPEAT_HIT``, ``_SPLIT_HIT`` and ``_LEET_HIT`` may match in ``text``: a zero byte
    at each place, from a few passes over big integers instead of regexes trying most places.

    The text becomes one byte per character (``"?"`` above U+00FF), read as an integer ``x``
    (byte ``i`` is character ``i``), and its class bytes as an integer ``c``. The byte ``i`` of
    ``x ^ (x >> 8 * k)`` is zero when characters ``i`` and ``i + k`` are equal, the byte ``i``
    of ``(c >> 8 * k) & _EVERY_BYTE[bit]`` when character ``i + k`` may play the part ``bit``
    rules out. OR-ing them leaves a zero byte ``i`` where a hit may start. Repeats: three times
    the same letter (exact). Splits: a separator, a word character, the same separator, a word
    character and no word character (exact but for "?"). Leet, at the letter before the hit: a
    letter, a leet character and a letter or a leet character (every hit, and more).
    """
    data = text.encode("latin-1", "replace")
    size = len(data)
    x = int.from_bytes(data, "little")
    c = int.from_bytes(data.translate(_CLASSES), "little")
    pairs = x ^ (x >> 8)
    repeats = pairs | (pairs >> 8) | (c & _NOT_REPEATABLE_BYTES)
    c8 = c >> 8
    splits = (
        (x ^ (x >> 16))
        | (c & _NOT_SEPARATOR_BYTES)
        | ((c8 | (c >> 24)) & _NOT_WORD_BYTES)
        | ((c >> 32) & _WORD_BYTES)
    )
    leets = (
        (c & _NOT_LETTER_BYTES) | (c8 & _NOT_LEET_BYTES) | ((c >> 16) & _NOT_LETTER_OR_LEET_BYTES)
    )
    return (  # without the last places, where a hit does not fit
        repeats.to_bytes(size, "little")[: size - 2],
        splits.to_bytes(size, "little")[: size - 3],
        leets.to_bytes(size, "little")[: size - 2],
    )


def _next_hit(
    text: str, pattern: re.Pattern[str], zeros: bytes | None, pos: int, offset: int
) -> int:
    """Start of the first match of ``pattern`` at or after ``pos``, or -1: a regex search or,
    given the map of where matches may start (``offset`` before), matches tried there only."""
    if zeros is None:
        hit = pattern.search(text, pos)
        return hit.start() if hit is not None else -1
    at = zeros.find(0, max(pos - offset, 0))
    while at >= 0:
        if pattern.match(text, at + offset) is not None:
            return at + offset
        at = zeros.find(0, at + 1)
    return -1


def _next_leet_word(text: str, pos: int, none: int, leets: bytes | None) -> int:
    """Start of the first word (``[a-z0-9$€]+``) at or after ``pos`` holding a ``_LEET_HIT``."""
    while True:
        hit = _next_hit(text, _LEET_HIT, leets, pos + 1, 1)  # its letter is at pos or after
        if hit < 0:
            return none
        start = hit - 1
        while start > pos and text[start - 1] in _WORD_CHARS:
            start -= 1
        if start == 0 or text[start - 1] not in _WORD_CHARS:
            return start
        # that word began before pos: none of its hits gives a candidate, go past it
        word = _WORD_END.match(text, hit)
        pos = word.end() if word is not None else hit + 1


def _layer3_matches(text: str) -> list[re.Match[str]]:
    """The matches of ``_LAYER3.finditer(text)``, trying the regex only where one can start.

    ``finditer`` tries every position from the end of the previous match (~100 ns each). A
    match starting at ``p`` implies a cheap hit: the split branch a ``_SPLIT_HIT`` at ``p + 1``
    (its first separator), the leet branch a ``_LEET_HIT`` in the word starting at ``p`` (the
    branch matches that whole word), the repeat branch a ``_REPEAT_HIT`` at ``p``. So trying
    ``_LAYER3.match`` at these candidates only, in order, finds the same matches (lookbehinds
    see the text before ``pos``). Each search resumes at or after the last one: linear time.
    A long text first maps where the hits may be (_hit_maps), so the hits are tried there only:
    the hit regexes stay the test at each place either way, the map only skips places. Its big-
    integer passes cost about as much as the regex searches they save below _BIG_INT_FROM
    characters, and its masks stop at _BIG_INT_UPTO (a longer text searches with the regexes
    alone, linear all the same).
    """
    none = len(text) + 1
    matches: list[re.Match[str]] = []
    pos = 0
    rep = split = leet = -1  # next candidate of each kind at or after pos, or none
    repeats: bytes | None = None
    splits: bytes | None = None
    leets: bytes | None = None
    if _BIG_INT_FROM <= len(text) <= _BIG_INT_UPTO:
        repeats, splits, leets = _hit_maps(text)
    while True:
        if rep < pos:
            hit = _next_hit(text, _REPEAT_HIT, repeats, pos, 0)
            rep = hit if hit >= 0 else none
        if split < pos:
            hit = _next_hit(text, _SPLIT_HIT, splits, pos + 1, 0)
            split = hit - 1 if hit >= 0 else none
        if leet < pos:
            leet = _next_leet_word(text, pos, none, leets)
        at = rep if rep < split else split
        if leet < at:
            at = leet
        if at >= none:
            return matches
        match = _LAYER3.match(text, at)
        if match is None:
            pos = at + 1
        else:
            matches.append(match)
            pos = match.end()


def _map_start(layer: _Layer, pos: int) -> int:
    f_starts, f_ends, o_starts, o_ends = layer
    i = bisect_right(f_starts, pos) - 1
    if i < 0:
        return pos
    if pos < f_ends[i]:
        return o_starts[i]
    return o_ends[i] + pos - f_ends[i]


def _map_end(layer: _Layer, pos: int) -> int:
    f_starts, f_ends, _, o_ends = layer
    i = bisect_left(f_ends, pos)
    if i < len(f_ends) and f_starts[i] < pos:
        return o_ends[i]
    if i == 0:
        return pos
    return o_ends[i - 1] + pos - f_ends[i - 1]


@dataclass(frozen=True, slots=True, init=False)
class Normalised:
    """A folded text and the layers that map its offsets back to ``original``."""

    original: str
    text: str
    layers: tuple[_Layer, ...] = ()

    def __init__(self, original: str, text: str, layers: tuple[_Layer, ...] = ()) -> None:
        # The __init__ dataclass writes for a frozen class is interpreted Python (~400 ns a
        # message); mypyc compiles these object.__setattr__ calls into plain stores.
        object.__setattr__(self, "original", original)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "layers", layers)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span ``[start, end)`` to the original span that produced it.

        A span that covers part of a rewritten piece (``cooke`` inside ``cooooke``) widens to
        the whole piece; offsets are clamped to the text.
        """
        size = len(self.text)
        if start < 0:
            start = 0
        elif start > size:
            start = size
        if end < start:
            end = start
        elif end > size:
            end = size
        if not self.layers:
            return start, end
        for layer in reversed(self.layers):
            start, end = _map_start(layer, start), _map_end(layer, end)
        return start, max(start, end)

    def original_text(self, start: int, end: int) -> str:
        """The original text behind a folded span."""
        o_start, o_end = self.span(start, end)
        return self.original[o_start:o_end]


def normalise(text: str) -> Normalised:
    """Fold ``text`` for matching (see the module docstring); linear in its length.

    Cheap searches decide which layers can change anything, so plain ASCII text costs a byte
    table and the three searches of layer 3.
    """
    layers: list[_Layer] = []
    if text.isascii():  # the table on ASCII is a byte table (lower case, controls to spaces)
        folded = text.encode().translate(_ASCII_FOLD).decode()
    else:
        folded = _fold_chars(text)
        if _DEL in folded or _EXP in folded or _RI in folded:
            folded, layer = _layer1(text, folded)
            if layer is not None:
                layers.append(layer)
    if "  " in folded:
        folded, layer = _rewrite(
            folded, [(m.start(), m.end(), " ") for m in _LAYER2.finditer(folded)]
        )
        if layer is not None:
            layers.append(layer)
    matches = _layer3_matches(folded)
    if matches:
        folded, layer = _rewrite(folded, [(m.start(), m.end(), _layer3_repl(m)) for m in matches])
        if layer is not None:
            layers.append(layer)
    return Normalised(text, folded, tuple(layers))


def fold(text: str) -> str:
    """Only the folded text of :func:`normalise` (for lexicon terms and quick checks)."""
    return normalise(text).text
