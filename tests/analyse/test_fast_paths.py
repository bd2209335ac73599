"""The speed-ups of the analysis change no result: each fast path against its reference.

The analyser was checked against the previous implementation on 75,000 texts (labelled sets,
exports, training set and mutated copies: identical JSON); these tests keep the individual
shortcuts honest, and compare the mypyc-compiled modules, when in use, with their sources.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse import _compiled, detect, features
from vigie.analyse import risk as risk_module
from vigie.analyse.extract import offers, places, products
from vigie.analyse.extract.doc import Doc
from vigie.analyse.features import message_features, scanned_features
from vigie.analyse.lexicon import load_lexicon
from vigie.analyse.matcher import Matcher, overlapping_matches
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
    DIGIT_MARKS,
    Normalised,
    _fold_chars,
    _hit_maps,
    _layer3_matches,
    _next_hit,
    normalise,
)
from vigie.analyse.pipeline import Analyser, analysis_to_dict
from vigie.model import LABELS, Cue, LabelScore

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


_MATCHER = Matcher(load_lexicon().terms)
_KEY_PIECES = st.sampled_from(
    [*_MATCHER._keys[::40], "s", "x", " ", "é", "🍫", "'", "-", "aa", "\ud800", "\udfff"]
)


@settings(max_examples=300)
@given(st.lists(_KEY_PIECES, max_size=8).map("".join) | _TRICKY)
def test_matcher_automaton_reports_every_occurrence_of_every_key(text: str) -> None:
    """The DFA's overlapping search equals a brute-force search for every key (code-point offsets,
    non-ASCII text and lone surrogates included), in order of end offset (``_kept`` relies on
    it for equal spans)."""
    found = [
        (_MATCHER._keys[i], start, end)
        for i, start, end in overlapping_matches(_MATCHER._automaton, text)
    ]
    brute = set()
    for key in _MATCHER._keys:
        at = text.find(key)
        while at != -1:
            brute.add((key, at, at + len(key)))
            at = text.find(key, at + 1)
    assert sorted(found) == sorted(brute)
    assert [end for _, _, end in found] == sorted(end for _, _, end in found)


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


_ATOMS = re.compile(offers._ATOMS_PATTERN)  # every offer atom, tried anywhere


@settings(max_examples=300)
@given(_TRICKY)
def test_offer_leads_keep_every_position_an_atom_matches_at(text: str) -> None:
    folded = normalise(text).text
    leads = offers._leads(folded)  # (start, kind, end) triples, flat
    kept = set(leads[0::3])
    for m in re.finditer(r"[0-9#+€$£x.]", folded):
        if _ATOMS.match(folded, m.start()) is not None:
            assert m.start() in kept


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
        f" {cue} " in spaced for cue in places._DEPT_CUES
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


# features._patterns: one scan of the numbers (also for struct:menu_lines), _AFTER_NUMBER only
# where it can match, regexes that start with a literal, exact gates. The reference below is
# the previous implementation, with its own regexes.
# What follows a number, as features._after_number reads it (also the reference of
# test_features_fast.py): a currency, "per <unit>" or "per <day>", a unit, an hour, an age, "%".
_AFTER_NUMBER = re.compile(
    r" ?(?:(?P<currency>€|eur\b|euros?\b|e\b|balles\b|\$|£|usd\b|gbp\b|dollars?\b|boules?\b) ?)?"
    r"(?:(?:le|la|les|/|par|per|a|the|each|an) ?"
    rf"(?:(?P<per_unit>{features._PER_UNIT})|(?P<per_day>{features._PER_DAY}))\b"
    rf"|(?P<unit>{features._UNIT_WORDS})(?!\w)|(?P<hour>h(?:[0-5]\d)?)\b|(?P<age>ans)\b|(?P<percent>%)"
    r"|(?P<fraction>/\d{1,2} ?(?:oz|ounce|once|lb)\b)|(?P<times>x)\b)?"
)
_NUMBER_ASCII = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,3})?")  # features._NUMBER on ASCII text
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001F000-\U0001FAFF]")  # the emojis struct:emoji counts
_OLD_NUMBER = re.compile(r"\d{1,6}(?:[.,]\d{1,3})?")
_OLD_PHONE = re.compile(r"(?:\+|00)\d{1,3}[ .-]?\d(?:[ .-]?\d\d){4}|\b0[1-9](?:[ .-]?\d\d){4}\b")
_OLD_LINK = re.compile(r"https?://|www\.|\bt\.me/|telegram\.me/|wa\.me/|snapchat\.com/|\.onion\b")
_OLD_TELEGRAM = re.compile(r"\bt\.me/|telegram\.me/|joinchat")
_OLD_HANDLE = re.compile(r"(?<![\w.])@[a-z0-9_]{3,32}\b")
_OLD_YOU_MARKERS = (
    " vas ", " va ", " vai ", "vont ", "allez ", "t'es ", "tes ", "t es ", "gaffe", "compte",
    "sais ou",
)  # fmt: skip


def _old_line_has_offer(line: str) -> bool:
    price = quantity = False
    for match in _OLD_NUMBER.finditer(line):
        after = _AFTER_NUMBER.match(line, match.end())
        if after is None:
            continue
        start = match.start()
        if after.group("currency") or (start and line[start - 1] in "€$£"):
            price = True
        if after.group("unit") or after.group("per_unit"):
            quantity = True
    return price and quantity


def _old_menu_lines(text: str) -> int:
    if "\n" not in text:
        return 0
    count = 0
    for line in text.split("\n", 400)[:400]:
        if len(line) < 160 and _old_line_has_offer(line):
            count += 1
    return count


def _old_patterns(  # the reference, as it was
    text: str, values: list[float], spans: dict[str, list[tuple[int, int, str]]]
) -> None:
    add = features._add
    digits = 0
    for match in _OLD_NUMBER.finditer(text):
        start, end = match.span()
        digits += end - start
        if start and (text[start - 1].isalnum() or text[start - 1] in ".,"):
            continue
        after = _AFTER_NUMBER.match(text, end)
        stop = after.end() if after is not None else end
        if (start and text[start - 1] in "€$£") or (start > 1 and text[start - 2] in "€$£"):
            add("pat:price", values, spans, start - 1, stop, text)
        if after is None or after.end() == end:
            continue
        group = after.group
        if group("currency"):
            add("pat:price", values, spans, start, stop, text)
        if group("per_unit"):
            add("pat:price_per_unit", values, spans, start, stop, text)
        elif group("per_day"):
            add("pat:pay_per_day", values, spans, start, stop, text)
        elif group("unit") or group("fraction"):
            add("pat:quantity", values, spans, start, stop, text)
            if group("unit") in features._DOSE_UNITS:
                add("pat:dose", values, spans, start, stop, text)
        elif group("times"):
            add("pat:multiplier", values, spans, start, stop, text)
        elif group("hour"):
            if "." not in match.group() and "," not in match.group() and int(match.group()) <= 24:
                add("pat:hours", values, spans, start, stop, text)
        elif group("age"):
            if 10 <= float(match.group().replace(",", ".")) <= 17:
                add("pat:age", values, spans, start, stop, text)
        elif group("percent"):
            if (start and text[start - 1] == "-") or (start > 1 and text[start - 2] == "-"):
                add("pat:percent_off", values, spans, start - 1, stop, text)
            else:
                add("pat:percent", values, spans, start, stop, text)
    if digits >= 9:
        for match in _OLD_PHONE.finditer(text):
            add("pat:phone", values, spans, match.start(), match.end(), text)
    if any(marker in text for marker in features._LINK_MARKERS):
        for match in _OLD_LINK.finditer(text):
            add("pat:link", values, spans, match.start(), match.end(), text)
        for match in _OLD_TELEGRAM.finditer(text):
            add("pat:telegram_link", values, spans, match.start(), match.end(), text)
    if "@" in text:
        for match in _OLD_HANDLE.finditer(text):
            add("pat:handle", values, spans, match.start(), match.end(), text)
    if any(marker in text for marker in features._GLUED_MARKERS):
        for match in features._THREAT_GLUED.finditer(text):
            if match.start() == 0 or not text[match.start() - 1].isalnum():
                add("pat:threat", values, spans, match.start(), match.end(), text)
    for match in features._THREAT.finditer(text):
        start = match.start()
        if start and text[start - 1].isalnum():
            continue
        if features._THREAT_SUBJECT.search(text, max(0, start - 14), start):
            add("pat:threat", values, spans, max(0, start - 14), match.end(), text)
    if any(marker in text for marker in _OLD_YOU_MARKERS):
        for match in features._YOU_WILL.finditer(text):
            add("pat:you_will", values, spans, match.start(), match.end(), text)
    if not text.isascii():
        for count, _match in enumerate(_EMOJI.finditer(text)):
            if count >= 12:
                break
            values[features._INDEX["struct:emoji"]] = min(count + 1, 12) / 4.0
    if "\n" in text:
        values[features._INDEX["struct:menu_lines"]] = min(_old_menu_lines(text), 6) / 2.0


_PATTERN_PIECES = st.sampled_from(
    [
        *"0123456789 .,-+/%x\n€$£@_'éh",
        *("٣", "²", "①", "🍫", "☀", "\u00a0", "a" * 70, "\n" * 90, "0" * 7, "\ud800"),
        *("\u25ff", "\u2600", "\u27bf", "\u27c0", "\U0001efff", "\U0001f000", "\U0001faff"),
        *("\U0001fb00", "🍫" * 13, "€", "’"),
        *("eur", "euros", "e ", "balles", "usd", "dollar", "g", "gr", "kg", "mg", "µg", "ml"),
        *("pills", "tabs", "oz", "/2 oz", "le ", "la ", "par ", "per ", "the ", "each ", "a "),
        *("gramme", "pochon", "j", "jour", "day", "h", "h30", "h75", "ans", "ounce", "lbs"),
        *("te ", "t'", "vous ", "you ", "l'", "tue", "kill", "fais mal", "faire la peau"),
        *("je vais ", "j'", "i'll ", "on va ", "jte ", "jvais t'encul", "tu vas voir"),
        *("t'es mort", "tes fini", "fais gaffe", "regle ton compte", "je sais ou tu vis"),
        *("http://", "https://", "www.", "t.me/", "telegram.me/", "wa.me/", ".onion", "joinchat"),
        *("@user_1", "+33", "0033", "06 12 34 56 78", "0612345678", "+44 7911-123456"),
    ]
)


# a number, maybe a space or two, and what can follow a number (or anything else)
_NUMBER_AND_NEXT = st.builds(
    operator.add,
    st.sampled_from(["1", "12", "5,5", "0.25", "16", "123456", "€3", "-20", "x9", "٣"]),
    st.builds(
        operator.add,
        st.sampled_from(["", " ", "  ", "\n"]),
        st.sampled_from([*features._AFTER_FIRST, "q", "y", "é", "_", "1", "euro", "eur", "ans"])
        | _PATTERN_PIECES,
    ),
)
_PATTERN_TEXTS = st.lists(_PATTERN_PIECES | _NUMBER_AND_NEXT, max_size=40).map("".join)


def _assert_patterns_as_before(text: str) -> None:
    size = len(features.FEATURES) + 2
    values: list[float] = [0.0] * size
    reference_values: list[float] = [0.0] * size
    spans: dict[str, list[tuple[int, int, str]]] = {}
    reference_spans: dict[str, list[tuple[int, int, str]]] = {}
    features._patterns(text, values, spans)
    _old_patterns(text, reference_values, reference_spans)
    assert values == reference_values
    assert spans == reference_spans


@settings(max_examples=2000, deadline=None)
@given(_PATTERN_TEXTS | st.text(max_size=80) | _TRICKY)
def test_patterns_equal_the_previous_implementation(text: str) -> None:
    _assert_patterns_as_before(text)


@pytest.mark.parametrize("lines_before", [0, 1, 398, 399, 400, 401])
@pytest.mark.parametrize("width", [157, 158, 159, 160])
def test_menu_lines_limits_as_before(lines_before: int, width: int) -> None:
    offer = "2g 20€ 3g 25 € 5g €40"
    line = offer + " " * (width - len(offer) - 3) + "x 1"  # a number at the end of the line
    for text in (
        "\n" * lines_before + line,
        "\n" * lines_before + line + "\n" + line,
        "a 1\n" * lines_before + line + "\n",
        line + "\n" + "\n".join([line] * lines_before),
    ):
        assert len(line) == width
        _assert_patterns_as_before(text)


@settings(max_examples=500, deadline=None)
@given(_PATTERN_TEXTS | st.text(max_size=80))
def test_threat_gate_is_open_wherever_the_threat_regex_matches(text: str) -> None:
    gates = _gates_found(text)
    if features._THREAT.search(text):
        assert gates & features._GATE_THREAT


def _first_chars(items: object, found: set[str]) -> bool:
    """Add the characters a match of the parsed regex ``items`` can start with to ``found``;
    whether it can match the empty string."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in items:  # type: ignore[attr-defined]
        if op is c.LITERAL:
            found.add(chr(av))
            return False
        if op is c.IN:
            for kind, value in av:
                assert kind in (c.LITERAL, c.RANGE), kind
                low, high = (value, value) if kind is c.LITERAL else value
                found.update(chr(code) for code in range(low, high + 1))
            return False
        if op is c.BRANCH:
            if not any([_first_chars(branch, found) for branch in av[1]]):
                return False
        elif op is c.SUBPATTERN:
            if not _first_chars(av[3], found):
                return False
        elif op is c.MAX_REPEAT:
            if not _first_chars(av[2], found) and av[0] > 0:
                return False
        else:
            assert op in (c.AT, c.ASSERT_NOT), op  # zero width
    return True


def test_after_number_first_characters() -> None:
    from re import _parser  # type: ignore[attr-defined]

    found: set[str] = set()
    assert _first_chars(_parser.parse(_AFTER_NUMBER.pattern), found)  # may be empty
    assert found == set(features._AFTER_FIRST)
    # after its optional space, the regex cannot take another space
    rest: set[str] = set()
    _first_chars(_parser.parse(_AFTER_NUMBER.pattern[2:]), rest)
    assert _AFTER_NUMBER.pattern[:2] == " ?"
    assert rest == set(features._AFTER_SPACE)


def test_emoji_count_on_utf8_is_the_emoji_class() -> None:
    for block in range(0, 0x110000, 0x400):
        text = "".join(map(chr, range(block, block + 0x400)))
        encoded = text.encode("utf-8", "surrogatepass")
        utf8 = features._EMOJI_UTF8_4.findall(encoded) + features._EMOJI_UTF8_3.findall(encoded)
        found = [char.encode() for char in _EMOJI.findall(text)]
        assert sorted(utf8) == sorted(char[: len(char) - 1] for char in found), hex(block)


@settings(max_examples=1000, deadline=None)
@given(_PATTERN_TEXTS | st.text(max_size=80) | _TRICKY)
def test_regexes_with_a_literal_first_find_what_they_replace(text: str) -> None:
    for old, new in (
        (_OLD_NUMBER, features._NUMBER),
        (_OLD_PHONE, features._PHONE),
        (_OLD_LINK, features._LINK),
        (_OLD_TELEGRAM, features._TELEGRAM),
        (_OLD_HANDLE, features._HANDLE),
    ):
        assert [m.span() for m in old.finditer(text)] == [m.span() for m in new.finditer(text)]
    if text.isascii():
        numbers = [m.span() for m in _OLD_NUMBER.finditer(text)]
        assert numbers == [_NUMBER_ASCII.match(text, s).span() for s, _ in numbers]  # type: ignore[union-attr]


# --- detect.decide, risk.risk and features._ascii_number_end (round 2, speed-r2det) -----------

_DIGITS_TEXT = st.text(alphabet="0123456789.,$ x-", max_size=40)


@settings(max_examples=1000, deadline=None)
@given(_DIGITS_TEXT | st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_number_end_is_the_number_regex(text: str) -> None:
    raw = text.encode("ascii")
    marks = raw.translate(DIGIT_MARKS)
    for start in range(len(text)):
        if text[start].isdigit():
            match = _NUMBER_ASCII.match(text, start)
            assert match is not None
            assert features._ascii_number_end(raw, marks, start) == match.end(), (text, start)


def _decide_reference(
    model: detect.LinearModel,
    scores: np.ndarray,
    rows: list[features.FeatureRow],
    norms: list[Normalised],
    held: np.ndarray,
) -> list[tuple[LabelScore, ...]]:
    """decide() as it was: message by message, label by label."""
    decided = np.greater_equal(scores, model.thresholds).tolist()
    out = []
    for m, message_scores in enumerate(np.round(scores, 4).tolist()):
        labels = []
        for j, score in enumerate(message_scores):
            if decided[m][j] or held[m][j]:
                cues = detect._cues(model, j, rows[m], norms[m])
                labels.append(LabelScore(model.labels[j], score, bool(decided[m][j]), cues))
            else:
                labels.append(LabelScore(LABELS[j], score, False))
        out.append(tuple(labels))
    return out


def test_decide_refuses_scores_that_are_not_probabilities() -> None:
    model = detect.LinearModel.zeros()
    for bad in (np.full((1, len(LABELS)), np.nan), np.full((1, len(LABELS)), 1.5)):
        with pytest.raises(ValueError, match="in \\[0, 1\\]"):
            detect.decide(
                model, bad, [features.FeatureRow([0.0] * len(features.FEATURES))], [normalise("")]
            )


def test_decide_equals_its_message_by_message_reference(shared_data: Path) -> None:
    analyser = Analyser()
    texts = _labelled_texts(shared_data, 300)
    matrix, rows, norms, _ = analyser.featurise(texts)
    model = analyser.model
    scores = model.scores(matrix)
    held = model.held_down(matrix)
    fast = detect.decide(model, scores, rows, norms, held)
    reference = _decide_reference(model, scores, rows, norms, held)
    assert fast == reference
    assert [[type(ls.score) for ls in labels] for labels in fast] == [
        [float] * len(labels) for labels in fast
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0.0, 1.0), min_size=len(LABELS), max_size=len(LABELS)),
        min_size=1,
        max_size=6,
    ),
    st.floats(0.0, 1.0),
)
def test_decide_table_gives_the_rounded_scores(score_rows: list[list[float]], cut: float) -> None:
    model = detect.LinearModel.zeros()
    model.thresholds[:] = cut
    scores = np.array(score_rows, dtype=np.float64)
    rows = [features.FeatureRow([0.0] * len(features.FEATURES)) for _ in score_rows]
    norms = [normalise("") for _ in score_rows]
    held = np.zeros(scores.shape, dtype=bool)
    fast = detect.decide(model, scores, rows, norms, held)
    reference = _decide_reference(model, scores, rows, norms, held)
    assert fast == reference
    for labels, row in zip(fast, np.round(scores, 4).tolist(), strict=True):
        assert [ls.score for ls in labels] == row


def _reason_reference(label_score: LabelScore) -> str:
    """risk._reason as it was: all the cues sorted by weight."""
    terms: list[str] = []
    for cue in sorted(label_score.cues, key=lambda c: -c.weight):
        if cue.weight > 0 and cue.term not in terms:
            terms.append(cue.term)
        if len(terms) == 3:
            break
    because = f": {', '.join(terms)}" if terms else ""
    return f"{label_score.label} {label_score.score:.2f}{because}"


def _risk_reference(labels: tuple[LabelScore, ...]) -> tuple[float, tuple[str, ...]]:
    """risk() as it was: sorts with key functions, round() every time."""
    decided_labels = [ls for ls in labels if ls.decision]
    if not decided_labels:
        return round(0.2 * max((ls.score for ls in labels), default=0.0), 4), ()
    ranked = []
    for ls in decided_labels:
        low, high = risk_module.TIERS.get(ls.label, (0.20, 0.40))
        ranked.append((low + (high - low) * ls.score, ls))
    priority = {label: i for i, label in enumerate(risk_module.TIERS)}
    ranked.sort(key=lambda item: (-item[0], priority.get(item[1].label, len(priority))))
    value = ranked[0][0]
    tier_one = sum(1 for ls in decided_labels if risk_module.TIERS.get(ls.label, (0.2,))[0] >= 0.7)
    if tier_one > 1:
        value += 0.05 * (tier_one - 1)
    return round(min(value, 1.0), 4), tuple(_reason_reference(ls) for _, ls in ranked)


_CUES = st.lists(
    st.builds(
        Cue,
        st.just("sale"),
        st.sampled_from(["weed", "coke", "10€", "and"]),
        st.integers(0, 9),
        st.integers(0, 9),
        st.just("lexicon"),
        st.sampled_from([0.0, -0.5, 0.3, 0.3, 1.2, -0.0, 2.0]),
    ),
    max_size=8,
)
_LABEL_SCORES = st.lists(
    st.builds(
        LabelScore,
        st.sampled_from(LABELS),
        st.integers(0, 10_000).map(lambda k: k / 10_000),
        st.booleans(),
        _CUES.map(tuple),
    ),
    max_size=6,
)


@settings(max_examples=1000, deadline=None)
@given(_LABEL_SCORES)
def test_risk_equals_the_sorting_reference(labels: list[LabelScore]) -> None:
    assert risk_module.risk(tuple(labels)) == _risk_reference(tuple(labels))
    assert risk_module.risk(tuple(labels)) == _risk_reference(tuple(labels))  # remembered


@settings(max_examples=1000, deadline=None)
@given(_PATTERN_TEXTS | st.text(max_size=80) | _TRICKY | st.sampled_from(["te tue\ud800", "é jte"]))
def test_gate_bytes_automaton_opens_the_gates_of_every_marker_in_the_text(text: str) -> None:
    expected = 0
    for marker, gates in features._gate_keys().items():
        if marker in text:
            expected |= gates
    assert _gates_found(text) == expected


def _gates_found(text: str) -> int:
    """The gates _patterns opens for ``text`` (its automaton over the bytes it scans: the text
    in Latin-1, "?" for any character above U+00FF)."""
    gates = 0
    encoded = text.encode("latin-1", "replace")
    for index, _, _ in features._GATE_BYTES.find_matches_as_indexes(encoded, overlapping=True):
        gates |= features._GATE_VALUES[index]
    return gates
