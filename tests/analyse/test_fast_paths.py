"""The speed-ups of the analysis change no result: each fast path against its reference.

The analyser was checked against the previous implementation on 75,000 texts (labelled sets,
exports, training set and mutated copies: identical JSON); these tests keep the individual
shortcuts honest, and compare the mypyc-compiled modules, when in use, with their sources.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse import _compiled
from vigie.analyse.extract import offers, places, products
from vigie.analyse.extract.doc import Doc
from vigie.analyse.features import message_features, scanned_features
from vigie.analyse.lexicon import load_lexicon
from vigie.analyse.matcher import Matcher
from vigie.analyse.normalise import (
    _ASCII_FOLD,
    _BEYOND_STRING,
    _LATIN1_FOLD,
    _LAYER1,
    _LAYER3,
    _LEET_HIT,
    _REPEAT_HIT,
    _SPLIT_HIT,
    _TABLE,
    _TABLE_STRING,
    Normalised,
    _fold_chars,
    _hit_maps,
    _layer3_matches,
    _next_hit,
    normalise,
)
from vigie.analyse.pipeline import Analyser, analysis_to_dict

_TRICKY = st.text(
    alphabet=st.sampled_from(
        [
            *"aeiox.+#€$£ \n0123456789-/:()'@_",
            *("²", "①", "\u00a0", "\u2009", "é", "🍫", "\ufe0f", "\U0001d402", "\U000e0041", "𠀀"),
        ]
    ),
    max_size=40,
)


@settings(max_examples=300)
@given(st.text(max_size=60) | _TRICKY)
def test_string_translate_table_is_the_dict_table(text: str) -> None:
    if _BEYOND_STRING.search(text) is None:
        assert text.translate(_TABLE_STRING) == text.translate(_TABLE)


# Pieces of text that exercise normalise's fast paths: leetspeak and codes, spelled-out and
# repeated letters, separators (emoji ones too), controls, expansions, deleted characters,
# regional indicators, lone surrogates and characters above U+20000.
_FOLD_PIECES = st.sampled_from(
    [
        *"aAoOkKeEwyY 0134579$€.-_*·•|/+~,:?!\n\r\t\x0b\x00",
        *("c0k3", "b€uh", "h24", "24k", "mp3", "a1b2c", "c.o.k.e", "c o k e", "il y a", "1 2 3"),
        *("cooooke", "www", "...", "🍫", "c🍫o🍫k🍫e", "\ufe0f", "\U0001f3fd", "\u200b", "\u0301"),
        *("é", "É", "œ", "ß", "…", "Ｋ", "𝐂", "🅲", "ᴄ", "с", "\u00a0", "\ufffd", "ѝ", "İ", "Σ"),
        *("🇨", "🇴", "\ud800", "\U000e0041", "𠀀", "\U00010400", "ǅ"),
        *("c·o·k·e", "c•o•k•e", "c|o|k", "1/2/3", "n00b", "l33t", "a$$b", "€€"),
        *("’", "“", "—", "Š", "˜", "\x81", "\x9d", "\xad", "ª", "½", "µ", "ÿ"),
    ]
)
_FOLD_TEXTS = st.lists(_FOLD_PIECES, max_size=120).map("".join)


@settings(max_examples=500)
@given(_FOLD_TEXTS | st.text(max_size=200))
def test_layer_0_is_the_table(text: str) -> None:
    """The UTF-8 path of long texts and the string table give str.translate(dict table)."""
    assert _fold_chars(text) == text.translate(_TABLE)
    assert _fold_chars(text * 3) == (text * 3).translate(_TABLE)


def test_byte_tables_are_the_table() -> None:
    """ASCII and Latin-1 texts fold as bytes: the byte tables agree with the table."""
    for code in range(256):
        folded = chr(code).translate(_TABLE)
        assert bytes([code]).translate(_LATIN1_FOLD).decode("latin-1") == folded
        if code < 128:
            assert bytes([code]).translate(_ASCII_FOLD).decode() == folded
        else:
            assert bytes([code]).translate(_ASCII_FOLD) == bytes([code])  # UTF-8: left alone


@settings(max_examples=500)
@given(st.lists(st.sampled_from([*"\x00\x01\x02ab \U0001f1e6"]), max_size=80).map("".join))
def test_layer_1_matches_start_from_the_first_marker(marked: str) -> None:
    """_layer1 runs finditer from the first marker minus one: no match starts before."""
    first = min((marked.find(m) for m in "\x00\x01\x02" if m in marked), default=len(marked))
    assert all(m.start() >= first - 1 for m in _LAYER1.finditer(marked))


@settings(max_examples=800)
@given(_FOLD_TEXTS)
def test_layer_3_matches_are_finditer(text: str) -> None:
    """Trying layer 3 at the candidates only (and gating them) finds every match of finditer."""
    folded = normalise(text).text  # folded text, as layer 3 sees it
    padding = "a text long enough for the big-integer maps of where the hits may be: " * 2
    for candidate in (folded, text.lower(), padding + folded, folded + padding):
        expected = [m.span() for m in _LAYER3.finditer(candidate)]
        assert [m.span() for m in _layer3_matches(candidate)] == expected
        repeats, splits, leets = _hit_maps(candidate)
        for at in range(len(candidate)):
            assert (_REPEAT_HIT.match(candidate, at) is not None) == (repeats[at : at + 1] == b"\0")
            if _SPLIT_HIT.match(candidate, at):
                assert splits[at] == 0
            if _LEET_HIT.match(candidate, at):
                assert leets[at - 1] == 0


@settings(max_examples=300)
@given(_FOLD_TEXTS)
@example("x€🍫€🍫€ ")  # a possible split hit at 1 (from "?"), a real one at 2
def test_hits_found_from_the_maps_are_the_regex_searches(text: str) -> None:
    repeats, splits, leets = _hit_maps(text)
    kinds = ((_REPEAT_HIT, repeats, 0), (_SPLIT_HIT, splits, 0), (_LEET_HIT, leets, 1))
    for pos in range(len(text) + 1):
        for pattern, zeros, offset in kinds:
            expected = _next_hit(text, pattern, None, pos, offset)
            assert _next_hit(text, pattern, zeros, pos, offset) == expected


def test_normalised_stays_a_frozen_dataclass() -> None:
    norm = normalise("c0k3")
    assert norm == Normalised("c0k3", norm.text, norm.layers)
    assert hash(normalise("coke")) == hash(Normalised("coke", "coke"))  # no layer lists
    assert Normalised("a", "a").layers == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        norm.text = "x"  # type: ignore[misc]


@settings(max_examples=300)
@given(_TRICKY)
def test_offer_candidates_keep_every_position_the_exact_check_accepts(text: str) -> None:
    folded = normalise(text).text
    kept = {m.start() for m in offers._CANDIDATE.finditer(folded)}
    for m in re.finditer(r"[0-9#+€$£x.]", folded):
        start = m.start()
        if m.group() in "+.x" and not folded[start + 1 : start + 3].strip()[:1].isdigit():
            continue
        assert start in kept


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from([*sorted(places._DEPT_CUES), "le", "93", "x", "dep", "su", "ur"]),
        max_size=8,
    )
)
def test_departement_cue_search_is_any_cue_key(words: list[str]) -> None:
    spaced = " " + " ".join(words) + " "
    assert (places._DEPT_CUE_SEARCH.search(spaced) is not None) == any(
        key in spaced for key in places._DEPT_CUE_KEYS
    )


def test_doc_lines_and_most_specific_one_line_shortcut() -> None:
    doc = Doc("💊 Xanax 2mg 💊")
    assert [doc.line_of(p) for p in (0, 5, 12)] == [0, 0, 0]
    kinds = [hit.kind for hit in products.find_products(doc)]
    assert "emoji" not in kinds and kinds
    two = Doc("menu\n💊 Xanax 2mg\n💊 dispo")
    assert [two.line_of(p) for p in (0, 5, 20)] == [0, 1, 2]


def _labelled_texts(shared_data: Path, limit: int = 1500) -> list[str]:
    texts: list[str] = []
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()][:limit]
    return texts


def test_scanned_features_equal_message_features(shared_data: Path) -> None:
    analyser = Analyser(extract=False)
    plain = Matcher(load_lexicon().terms)
    for text in _labelled_texts(shared_data, 400):
        folded = normalise(text).text
        fast = scanned_features(folded, analyser.matcher.scan(folded))
        reference = message_features(folded, plain.find(folded))
        assert fast.values == reference.values, text
        assert fast.spans == reference.spans, text


def test_analyser_with_a_plain_matcher_gives_the_same_results(shared_data: Path) -> None:
    texts = _labelled_texts(shared_data, 150)
    fast = Analyser()
    reference = Analyser()
    reference.matcher = Matcher(reference.lexicon.terms)  # no notes: the find() path
    assert fast(texts) == reference(texts)


@pytest.mark.skipif(not _compiled.compiled_in_use(), reason="the compiled modules are not in use")
def test_compiled_modules_equal_their_sources(shared_data: Path) -> None:
    texts = _labelled_texts(shared_data, 600)
    analyser = Analyser()
    compiled = [analysis_to_dict(result, analyser.version) for result in analyser(texts)]
    script = (
        "import json, sys\n"
        "from vigie.analyse import _compiled\n"
        "from vigie.analyse.pipeline import Analyser, analysis_to_dict\n"
        "assert not _compiled.compiled_in_use()\n"
        "texts = json.load(sys.stdin)\n"
        "a = Analyser()\n"
        "json.dump([analysis_to_dict(r, a.version) for r in a(texts)], sys.stdout)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "VIGIE_PURE_PYTHON": "1"},
    )
    assert json.loads(result.stdout) == json.loads(json.dumps(compiled))
