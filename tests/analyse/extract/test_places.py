"""Places: communes, arrondissements, départements, neighbourhoods, postcodes, false friends."""

from __future__ import annotations

import functools
import json
import re

import ahocorasick_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import extract
from vigie.analyse.extract import places as places_module
from vigie.analyse.extract.doc import Doc, finditer_at


def places(text: str) -> list[tuple[str, str]]:
    return [(e.value, e.text) for e in extract(text) if e.type == "place"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("livraison sur Marseille", [("13055", "Marseille")]),
        ("menu marseille", [("13055", "marseille")]),
        ("Livraison Marseille 13e", [("13213", "Marseille 13e")]),
        ("livraison 13015", [("13215", "13015")]),
        ("on livre dans le 93", [("93", "93")]),
        ("plug du 9-3", [("93", "9-3")]),
        ("dispo à Saint-Ouen", [("93070", "Saint-Ouen")]),
        ("Paris 18e Barbès", [("75118", "Paris 18e"), ("75118", "Barbès")]),
        ("Lyon 8e", [("69388", "Lyon 8e")]),
        ("à Caen ce soir", [("14118", "Caen")]),
        ("La Castellane 🔥", [("13216", "La Castellane")]),
        ("four de la Paternelle", [("13214", "la Paternelle")]),
        ("colline du crack", [("75118", "colline du crack")]),
        ("Pissevin Nîmes", [("30189", "Pissevin"), ("30189", "Nîmes")]),
        ("les Minguettes", [("69259", "les Minguettes")]),
        ("secteur Vitrac", [("24587", "Vitrac")]),
        ("Livraison à Orange", [("84087", "Orange")]),
        ("je suis à Nice", [("06088", "Nice")]),
        ("Seine-Saint-Denis", [("93", "Seine-Saint-Denis")]),
    ],
)
def test_places_resolve_to_insee_codes(text: str, expected: list[tuple[str, str]]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "je mange une orange",
        "il y a sept jours",
        "nice one bro",
        "un plan de la ville",
        "on va au bar",
        "vitrac",
        "dans le 13 mai",
        "le mistral souffle",
        "1 oz de weed",
        "c'est eu égard à ça",
        "appelle le 06 39 98 79 30",
    ],
)
def test_common_words_are_not_places(text: str) -> None:
    assert places(text) == []


def test_place_attrs_say_kind_departement_and_context() -> None:
    (entity,) = [e for e in extract("Livraison gratuite sur Marseille") if e.type == "place"]
    attrs = json.loads(entity.attrs or "{}")
    assert attrs == {
        "name": "Marseille",
        "kind": "commune",
        "departement": "13",
        "context": "delivery",
    }
    (quoted,) = [e for e in extract("Fusillade à Marseille hier") if e.type == "place"]
    assert json.loads(quoted.attrs or "{}")["context"] == "mention"


_DIGITS_AND_WORDS = st.lists(
    st.sampled_from(
        [*"0123456789ab( )-/\n", "2a", "2b", "13", "93", "75011", "2a004", " mai", " h", " min"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500)
@given(_DIGITS_AND_WORDS | st.text(alphabet="0123456789ab( x-", max_size=16))
def test_one_number_scan_finds_the_postcodes_and_departement_numbers(text: str) -> None:
    matches = list(places_module._NUMBER.finditer(text))
    postcodes = [m.span() for m in matches if m.lastgroup == "postcode"]
    departements = [m.span() for m in matches if m.lastgroup == "dept"]
    assert postcodes == [m.span() for m in places_module._POSTCODE.finditer(text)]
    # (one-character matches left out: no code has one character)
    departement_numbers = [m for m in places_module._DEPT.finditer(text) if len(m.group()) == 2]
    assert departements == [m.span() for m in departement_numbers]


def test_no_code_has_one_character() -> None:
    assert min(len(code) for code in places_module.place_index().by_code) > 1


@settings(max_examples=300)
@given(_DIGITS_AND_WORDS)
def test_number_scan_at_the_runs_places_keeps(text: str) -> None:
    starts = [m.start() for m in re.finditer("(?<![0-9])[0-9]", text)]
    kept = [at for at in starts if text[at + 1 : at + 2] in places_module._SECOND]
    fast = finditer_at(places_module._NUMBER, text, kept)
    assert [m.span() for m in fast] == [m.span() for m in places_module._NUMBER.finditer(text)]


# --- fast paths of find_places against the plain rules they replace -------------------------

_PLACE_TEXT = st.lists(
    st.sampled_from(
        ["Orange", "orange", "Nice", "nice", "Marseille", "marseille", "Vitrac", "vitrac",
         "Saint-Ouen", "st ouen", "La Castellane", "la castellane", "Our", "our", "Us", "by",
         "Y", "à", "a", "sur", "dans", "livraison", "secteur", "in", "to", "le", "de", "x",
         "84100", "13015", "93", " ", "\n", "-", "(", ")", "Ⅸ", "ǅ", "é", "💊", "Paris", "18e"]
    ),
    max_size=14,
).map(" ".join)  # fmt: skip


def _reference_previous_words(doc: Doc, start: int) -> tuple[str, ...]:
    window = doc.folded[max(0, start - 40) : start]
    window = window[window.rfind("\n") + 1 :]
    return tuple(doc.spaced[start + 1 - len(window) : start + 1].split()[-2:])


def _reference_accept(doc: Doc, place: places_module.Place, start: int, end: int) -> bool:
    """_accept as it was written before each place knew its rule (the module docstring)."""
    o_start, o_end = doc.span(start, end)
    written = doc.text[o_start:o_end]
    capital = not written.islower() and any(ch.isupper() for ch in written)
    if place.common and not capital:
        return False
    if place.common and place.population >= places_module.BIG_CITY:
        return True
    if place.kind == "commune" and place.population >= places_module.TOWN and not place.common:
        return True
    if place.kind == "neighbourhood" and " " in place.name:
        return True
    words = _reference_previous_words(doc, start)
    cues = places_module._CUES
    cue = bool(words) and (words[-1] in cues or (len(words) > 1 and words[0] in cues))
    postcode = places_module._POSTCODE.match(doc.folded, min(end + 1, len(doc.folded))) is not None
    if place.common:
        return postcode or (bool(words) and words[-1] in cues)
    if place.kind == "neighbourhood" or place.population < places_module.TOWN:
        return capital or cue or postcode
    return True


@settings(max_examples=400, deadline=None)
@given(_PLACE_TEXT | st.text(max_size=60))
def test_accept_and_previous_words_match_the_plain_rules(text: str) -> None:
    doc = Doc(text)
    places_module.find_places(doc)
    for start, neg_end, place in doc.place_hits or []:
        end = -neg_end
        expected = _reference_accept(doc, place, start, end)
        assert places_module._accept(doc, place, start, end) == expected
        assert tuple(places_module._previous_words(doc, start)) == _reference_previous_words(
            doc, start
        )
    for start in range(len(doc.folded) + 1):
        assert tuple(places_module._previous_words(doc, start)) == _reference_previous_words(
            doc, start
        )


@functools.lru_cache(maxsize=1)
def _places_automaton() -> ahocorasick_rs.BytesAhoCorasick:
    """The automaton of the place keys alone, as find_places had before sharing the scan."""
    return ahocorasick_rs.BytesAhoCorasick(
        [key.encode("ascii") for key in places_module.place_index().keys],
        implementation=ahocorasick_rs.Implementation.ContiguousNFA,
    )


@settings(max_examples=200, deadline=None)
@given(_PLACE_TEXT | st.text(max_size=60))
def test_the_shared_word_scan_finds_what_a_places_automaton_finds(text: str) -> None:
    index = places_module.place_index()
    alone = _places_automaton()
    doc = Doc(text)
    places_module.find_places(doc)  # (runs find_products' scan: no place hits on doc yet)
    expected_places, expected_roles = [], []
    for key, start, end in alone.find_matches_as_indexes(doc.spaced_bytes, overlapping=True):
        place, role = index.values[key]
        if place is not None:
            expected_places.append((start, 2 - end, place))
        if role is not None:
            expected_roles.append((start, end - 2, *role))
    assert sorted(doc.place_hits or [], key=lambda hit: hit[:2]) == sorted(
        expected_places, key=lambda hit: hit[:2]
    )
    assert sorted(doc.role_hits or []) == sorted(expected_roles)


@settings(max_examples=300, deadline=None)
@given(_DIGITS_AND_WORDS | st.text(max_size=40))
def test_second_character_read_from_the_spaced_bytes(text: str) -> None:
    doc = Doc(text)
    runs = [m.start() for m in re.finditer("(?<![0-9])[0-9]", doc.folded)]
    from_folded = [at for at in runs if doc.folded[at + 1 : at + 2] in places_module._SECOND]
    from_bytes = [at for at in runs if doc.spaced_bytes[at + 2] in b"0123456789ab"]
    assert from_bytes == from_folded
