"""Round 3 fast paths of features.py and matcher.py, each against a simple reference.

features._after_number stands for _AFTER_NUMBER.match (the regex test_fast_paths.py keeps);
_patterns finds the numbers of non-ASCII text in Latin-1 bytes; scanned_features and Matcher.scan
are compared with the plain loops they replaced (test_fast_paths.py compares the whole _patterns
with its first implementation).
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse import features
from vigie.analyse.lexicon import load_lexicon
from vigie.analyse.matcher import Matcher, overlapping_matches

from .test_fast_paths import _AFTER_NUMBER, _assert_patterns_as_before

# what can follow a number, in pieces: every word of _AFTER_NUMBER, near misses, word and
# non-word characters, Unicode digits and letters
_WORDS = sorted(
    features._CURRENCY_WORDS
    | features._PER_UNIT_WORDS
    | features._PER_DAY_WORDS
    | features._UNIT_SET
    | features._FRACTION_WORDS
    | set(features._ARTICLES)
    | {"h", "ans", "x", "anss", "hh", "eu", "eurx", "grammess", "xx", "%"}
)
_PIECES = st.sampled_from(
    [
        *_WORDS,
        *" /%€$£_-.,'\n",
        *"0123456789hsxaeglp",
        *("٣", "²", "①", "é", "µ", "\u00a0", "🍫", "\ud800", "ǅ", "ⅷ"),
        *("h2", "h30", "h59", "h60", "h75", "/2", "/16", "/123", "/٣"),
    ]
)
_AFTER_TEXTS = st.lists(_PIECES, max_size=8).map("".join)


def _reference_code(text: str, pos: int) -> int:
    match = _AFTER_NUMBER.match(text, pos)
    assert match is not None  # (everything in it is optional)
    kind = 0
    if match.group("per_unit"):
        kind = features._AFTER_PER_UNIT
    elif match.group("per_day"):
        kind = features._AFTER_PER_DAY
    elif match.group("unit"):
        unit = match.group("unit")
        kind = features._AFTER_DOSE if unit in features._DOSE_UNITS else features._AFTER_UNIT
    elif match.group("hour"):
        kind = features._AFTER_HOUR
    elif match.group("age"):
        kind = features._AFTER_AGE
    elif match.group("percent"):
        kind = features._AFTER_PERCENT
    elif match.group("fraction"):
        kind = features._AFTER_FRACTION
    elif match.group("times"):
        kind = features._AFTER_TIMES
    currency = features._AFTER_CURRENCY if match.group("currency") else 0
    return match.end() * features._AFTER_KINDS + kind + currency


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["", "1", "a", " "]), _AFTER_TEXTS | st.text(max_size=30))
@example("1", " les g")
@example("1", " lesg")
@example("1", "€ ans")
@example("1", "eur/jr ")
@example("1", "/2 ounce")
@example("1", "/2ounces")
@example("1", "/12 oz")
@example("1", "h5٣")
@example("1", "h30_")
@example("1", "µg")
@example("1", "plaquettesx")
@example("1", " " + "a" * 30)
def test_after_number_is_the_regex(before: str, after: str) -> None:
    text = before + after
    pos = len(before)
    assert features._after_number(text, pos, len(text)) == _reference_code(text, pos), text


@given(st.characters(max_codepoint=0xFF))
def test_the_only_latin1_decimals_are_ascii_digits(char: str) -> None:
    assert char.isdecimal() == ("0" <= char <= "9")
    assert (re.fullmatch(r"\d", char) is not None) == ("0" <= char <= "9")


# numbers among non-ASCII characters: Latin-1, wider ones, Unicode digits, "?"
_NUMBER_TEXTS = st.lists(
    st.sampled_from(
        [
            *"0123456789 .,?",
            *("é", "€", "🍫", "٣", "²", "\ud800", "\ufffd", "g", "€ ", " eur", "mg", "x"),
            *("1234567", "12.5", "3,25g", "\n", "h30", "ans"),
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_NUMBER_TEXTS)
@example("€ 12 ?٣ 5g")
@example("🍫 3,25g 10 eur")
@example("é 0612345678 ?")
def test_patterns_on_non_ascii_numbers_as_before(text: str) -> None:
    _assert_patterns_as_before(text)


# --- Matcher._kept: matches kept as they come while in (start, longest first) order --------
_MATCHER = Matcher(load_lexicon().terms, features.term_note)
# keys that nest and overlap ("on recrute", "recrute"), plurals, word edges
_NESTING = sorted(key for key in _MATCHER._keys if " " in key)[::25]
_KEY_PIECES = st.sampled_from(
    [
        *_MATCHER._keys[::60],
        *_NESTING,
        *(key.split()[-1] for key in _NESTING),
        *("s", "x", " ", "é", "'", "-", "a", "\ud800"),
    ]
)


def _old_kept(matcher: Matcher, text: str) -> list[tuple[int, int, tuple[Any, ...]]]:
    """The previous implementation: every boundary-respecting match, sorted, then filtered."""
    size = len(text)
    raw = []
    for index, start, end in overlapping_matches(matcher._automaton, text):
        key = matcher._keys[index]
        length, left_word, right_word = len(key), key[0].isalnum(), key[-1].isalnum()
        notes = matcher._notes[index]
        if left_word and start and text[start - 1].isalnum():
            continue
        if right_word and end < size and text[end].isalnum():
            if length < 4 or text[end] not in "sx" or (end + 1 < size and text[end + 1].isalnum()):
                continue
            end += 1
        raw.append((start, -end, len(raw), notes))
    raw.sort(key=lambda item: item[:3])
    kept: list[tuple[int, int, tuple[Any, ...]]] = []
    last_start = last_end = -1
    for start, negative_end, _, notes in raw:
        end = -negative_end
        if kept and end <= last_end and start >= last_start:
            continue
        kept.append((start, end, notes))
        last_start, last_end = start, end
    return kept


@settings(max_examples=1500, deadline=None)
@given(st.lists(_KEY_PIECES, max_size=12).map(" ".join) | st.lists(_KEY_PIECES).map("".join))
@example("on recrute des guetteurs")
@example("armes arme armesx")
def test_matcher_scan_is_the_sorted_filter(text: str) -> None:
    assert _MATCHER.scan(text) == _old_kept(_MATCHER, text)
    assert [(hit.start, hit.end) for hit in _MATCHER.find(text)] == [
        (start, end) for start, end, notes in _old_kept(_MATCHER, text) for _ in notes
    ]
