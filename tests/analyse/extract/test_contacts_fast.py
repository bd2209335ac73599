"""The str.find-led fast paths of find_contacts against the plain regex passes they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import contacts as c
from vigie.analyse.extract.doc import Doc, compact_json, finditer_at
from vigie.analyse.extract.products import find_products

_PIECES = [
    "http://", "HTTPS://", "hTTpſ://", "www.", "WwW.", "ww.", "W.", "sc:", "ig =", "tg=", "wa :",
    "sc\u00a0:", "SC:", "xsc:", "a:", "+33 6 12 34 56 78", "06 39 98 12 34", "0033639981234",
    "+33 (0)6 39 98 12 34", "t.me/", "T.ME/", "wa.me/", "chat.whatsapp.com/", "ſignal.me/",
    "wicKr.me/", "İnstagram.com/", "potato.im/", ".dog/", ".com/", ".im/", "snap", "whatsapp",
    "insta", "@", "@user", "@url", "@plug_fictif", "a.b@example.org", "x@y", "@a-b.c", "@abcd", "@abcde", "@a_bcd", "@1abcd.", "@-.", "@" + "a" * 63 + ".",
    "@" + "b" * 64 + ".", "x",
    "0", "00", "10", "_0", "=0", "/0", "é0", "+", "/", " ", ".", ":", "=", "\n", "12345678",
    "1.2.3.4-5 6 7 8", "👻", "é",
]  # fmt: skip
_TEXTS = st.text(
    alphabet=st.sampled_from(
        [*"hHtTpPsSwW:/.=+0123456789 -()@_aciglnmoekKr\n", "ſ", "İ", "ı", "K", "\u00a0", "é", "👻"]
    ),
    max_size=60,
) | st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


# the regexes the fast paths read by hand (contacts uses none of them)
_DIGITS8 = re.compile(r"[0-9](?:[ .\-]?[0-9]){7}")  # the 8-digit gate: _has_digits8
_URL_WWW = re.compile(r"\.(?<=(?i:www)\.)")  # the "." of each _URL "www." start: _www_starts
_AT_GATE = re.compile(r"@(?:[A-Za-z0-9-]{1,63}\.|[A-Za-z][A-Za-z0-9_]{4})")  # _at_gate


def _spans(matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def _reference_label_positions(doc: Doc) -> list[int]:
    """_label_positions as it was: the short labels found by their regexes' own scans."""
    folded = doc.folded
    positions = [doc.span(start, start + 1)[0] for start in doc.label_keys or []]
    positions += [doc.span(m.start(), m.start() + 1)[0] for m in re.finditer("👻", folded)]
    for match in c._SHORT_LABEL.finditer(folded):
        at = match.start()
        start = at - 2 if folded[at - 1] in "cga" else at - 3
        positions.append(doc.span(start, at + 1)[0])
    return sorted(set(positions))


@settings(max_examples=600, deadline=None)
@given(_TEXTS)
def test_find_led_starts_equal_the_regex_scans(text: str) -> None:
    assert c._www_starts(text) == [m.start() - 3 for m in _URL_WWW.finditer(text)]
    assert _spans(c._urls(text, c._www_starts(text))) == _spans(list(c._URL.finditer(text)))
    assert _spans(c._bare_links(text)) == _spans(list(c._BARE_LINK.finditer(text)))
    assert c._slash_after_tail(text) == (c._TAIL_SLASH.search(text) is not None)
    if c._BARE_LINK.search(text):  # the necessary test before the gate on the lowered text
        assert c._slash_after_tail(text)
    for at in range(len(text)):
        if text[at] == "@":
            assert c._at_gate(text, at) == (_AT_GATE.match(text, at) is not None)
    at_signs = c._at_signs(text)
    assert _spans(finditer_at(c._EMAIL_DOMAIN, text, at_signs)) == _spans(
        list(c._EMAIL_DOMAIN.finditer(text))
    )
    assert _spans(finditer_at(c._AT_HANDLE, text, at_signs)) == _spans(
        list(c._AT_HANDLE.finditer(text))
    )
    starts = c._phone_starts(text)
    assert starts == sorted(starts)
    assert _spans(finditer_at(c._PHONE, text, starts)) == _spans(list(c._PHONE.finditer(text)))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_label_positions_equal_the_regex_scans(text: str) -> None:
    doc = Doc(text)
    find_products(doc)  # fills label_keys, as in extract()
    assert c._label_positions(doc) == _reference_label_positions(doc)


def test_nothing_is_a_shared_empty_list_never_filled() -> None:
    doc = Doc("rien à voir ici, 12 € le g")
    find_products(doc)
    assert c._label_positions(doc) is c._NOTHING
    assert c.find_contacts(doc) == []
    assert c._NOTHING == [] and c._NO_MATCHES == []


def test_attrs_made_once_are_those_of_compact_json() -> None:
    assert compact_json({"link": True}) == c._LINK
    assert compact_json({"inferred": True}) == c._INFERRED
    for label in ("wickr", "wickr id", "whats app", "👻", "i\u0307nsta"):
        assert c._label_attrs(label) == compact_json({"label": label})
        assert c._label_attrs(label) == compact_json({"label": label})  # the remembered one


def test_remembered_phone_values_are_phone_value() -> None:
    for raw in ("06 39 98 12 34", "+1 310 957 5815", "+1234567", "0033639981234", "08 12 34 56 78"):
        assert c._phone_value(raw) == c.phone_value(raw)
        assert c._phone_value(raw) == c.phone_value(raw)  # from the cache
    assert len(c._PHONE_VALUES) <= c._PHONE_VALUES_MAX


# The first fast-path tests, on their own texts.
_CONTACT_CHARS = st.text(
    alphabet=st.sampled_from(
        [*"hHtTpPsSwW:/.=+0123456789 -()@_aciglnmoe\n", "ſ", "İ", "\u00a0", "\u3000", "é", "👻"]
    ),
    max_size=60,
)
_CONTACT_TEXTS = _CONTACT_CHARS | st.lists(
    st.sampled_from(
        ["http://", "HTTPS://", "hTTpſ://", "www.", "WwW.", "sc:", "ig =", "tg=", "wa :", "sc\u00a0:",
         "+33 6 12 34 56 78", "06 39 98 12 34", "0033639981234", "+33 (0)6 39 98 12 34", "t.me/",
         "snap", "whatsapp", "insta", "x", "0", "+", "/", " ", "12345678", "1.2.3.4-5 6 7 8"]
    ),
    max_size=12,
).map("".join)  # fmt: skip
_OLD_SHORT_LABEL = re.compile(r"\b(?:sc|ig|tg|wa)\s?[:=]")


@settings(max_examples=400, deadline=None)
@given(_CONTACT_TEXTS)
def test_contact_fast_paths_equal_their_regexes(text: str) -> None:
    assert [m.span() for m in c._urls(text, c._www_starts(text))] == [
        m.span() for m in c._URL.finditer(text)
    ]
    assert c._has_digits8(text) == (_DIGITS8.search(text) is not None)
    phones = finditer_at(c._PHONE, text, c._phone_starts(text))
    assert [m.span() for m in phones] == [m.span() for m in c._PHONE.finditer(text)]
    for folded in (text, text.lower()):
        starts = sorted(
            m.start() - (2 if folded[m.start() - 1] in "cga" else 3)
            for m in c._SHORT_LABEL.finditer(folded)
        )
        assert starts == [m.start() for m in _OLD_SHORT_LABEL.finditer(folded)]


@settings(max_examples=300, deadline=None)
@given(_CONTACT_TEXTS)
def test_platform_words_from_the_product_scan_equal_contacts_own_scan(text: str) -> None:
    alone, scanned = Doc(text), Doc(text)
    find_products(scanned)  # leaves label_keys on the doc
    assert alone.label_keys is None and scanned.label_keys is not None
    assert c._label_positions(alone) == c._label_positions(scanned)
    assert c.find_contacts(alone) == c.find_contacts(scanned)
