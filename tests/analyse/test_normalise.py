"""Folding of stylised and obfuscated text, and the offset map back to the original."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse.normalise import fold, normalise


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("𝐂𝐎𝐊𝐄", "coke"),
        ("𝓬𝓸𝓴𝓮", "coke"),
        ("🅲🅾🅺🅴", "coke"),
        ("🅒🅞🅚🅔", "coke"),
        ("ⓒⓞⓚⓔ", "coke"),
        ("ｃｏｋｅ", "coke"),
        ("ᴄᴏᴋᴇ", "coke"),
        ("сокe", "coke"),  # Cyrillic с о к
        ("ΚΕΤΑ", "keta"),  # Greek capitals
        ("c0k3", "coke"),
        ("b€uh", "beuh"),
        ("sh1t", "shit"),
        ("c.o.k.e", "coke"),
        ("c o k e", "coke"),
        ("C-O-K-E", "coke"),
        ("c🍫o🍫k🍫e", "coke"),
        ("c\u200bo\u200bk\u200be", "coke"),
        ("cooooke", "cooke"),
        ("weeeeed", "weed"),
        ("Thé GLAÇÉ", "the glace"),
        ("e\u0301te\u0301", "ete"),
        ("sœur", "soeur"),
        ("🇨🇴🇰🇪", "coke"),
        ("deux   espaces", "deux espaces"),
    ],
)
def test_folds_stylised_text(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "raw",
    [
        "10g 80€",
        "dispo h24",
        "ak47",
        "lyon3",
        "4mmc",
        "3-mmc",
        "2cb",
        "www.exemple.fr",
        "e.g. i.e.",
    ],
)
def test_leaves_numbers_and_codes_alone(raw: str) -> None:
    assert fold(raw) == raw.lower()


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("❄️", "❄"),  # variation selector dropped
        ("👍🏽", "👍"),  # skin tone dropped
        ("🇫🇷", "🇫🇷"),  # a flag stays a flag
        ("1️⃣", "1"),  # keycap
        ("🍫🥦💊", "🍫🥦💊"),
    ],
)
def test_emojis_stay_tokens_without_variants(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_span_maps_back_to_what_the_user_sees() -> None:
    norm = normalise("Dispo: 🅲🅾🅺🅴 ❄️ et b€uh 🍫")
    start = norm.text.index("coke")
    assert norm.original_text(start, start + 4) == "🅲🅾🅺🅴"
    start = norm.text.index("beuh")
    assert norm.original_text(start, start + 4) == "b€uh"
    start = norm.text.index("❄")
    assert norm.original_text(start, start + 1) == "❄️"


def test_span_of_joined_letters_covers_the_separators() -> None:
    norm = normalise("vente c.o.k.e ici")
    start = norm.text.index("coke")
    assert norm.original_text(start, start + 4) == "c.o.k.e"


def test_plain_text_has_identity_map() -> None:
    norm = normalise("menu du jour")
    assert norm.layers == ()
    assert norm.span(5, 7) == (5, 7)


def test_empty_and_degenerate_inputs() -> None:
    assert normalise("").text == ""
    assert normalise("\u200b\u200e\ufe0f").text == ""
    assert normalise("\ud800x\udfff").text == "x"
    assert normalise("").span(0, 10) == (0, 0)


# Strategy biased towards what folding rewrites: stylised letters, marks, emojis, separators.
_ALPHABET = st.sampled_from(
    list("abcdekoswy AEKO013457$€.-_*\n\t\r")
    + list("𝐂𝐎🅲🅾ｃｏᴄᴏсоΚΕéœß")
    + ["\u0301", "\u200b", "\u200e", "\ufe0f", "\U0001f3fd", "\u00ad", "\ud800"]
    + ["🍫", "❄", "🇫", "🇷", "🇨", "🇴", "🇰", "🇪", "👍"]
)
_TEXTS = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=60))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
@example("c.o.o.o.k.e")
@example("\u200bc\u200bo")
@example("a  \u200b  b")
def test_folding_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_offsets_map_back_within_bounds_and_in_order(text: str) -> None:
    norm = normalise(text)
    previous_end = 0
    for i in range(len(norm.text)):
        start, end = norm.span(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= previous_end or start < previous_end <= end  # pieces may share a block
        previous_end = max(previous_end, end)
    whole = norm.span(0, len(norm.text))
    assert 0 <= whole[0] <= whole[1] <= len(text)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_every_original_character_is_covered(text: str) -> None:
    norm = normalise(text)
    if not norm.text:
        return
    covered = [False] * len(text)
    for i in range(len(norm.text)):
        start, end = norm.span(i, i + 1)
        for j in range(start, end):
            covered[j] = True
    assert all(covered), [text[j] for j, c in enumerate(covered) if not c]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", categories=("Ll", "Nd", "Zs")), max_size=40))
def test_plain_lower_ascii_maps_to_itself(text: str) -> None:
    norm = normalise(text)
    for i in range(len(norm.text)):
        start, end = norm.span(i, i + 1)
        assert norm.text[i] in fold(text[start:end])
