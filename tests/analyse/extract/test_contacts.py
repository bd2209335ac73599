"""Contacts per platform, phones, e-mails and URLs (fictional values)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import contacts as contacts_module
from vigie.analyse.extract import extract
from vigie.analyse.extract.contacts import phone_value
from vigie.analyse.extract.doc import Doc, finditer_at
from vigie.analyse.extract.products import find_products


def contacts(text: str) -> list[tuple[str, str]]:
    kinds = {"phone", "handle", "email", "url"}
    return [(e.type, e.value) for e in extract(text) if e.type in kinds]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appelle 06 39 98 12 34", [("phone", "+33639981234")]),
        ("tel 06.39.98.12.34", [("phone", "+33639981234")]),
        ("+33 6 39 98 12 34", [("phone", "+33639981234")]),
        ("0033639981234", [("phone", "+33639981234")]),
        ("tg: @plug_paris75", [("handle", "telegram:@plug_paris75")]),
        ("rejoins t.me/menu13_secours", [("handle", "telegram:@menu13_secours")]),
        ("https://telegram.me/menu13bis", [("handle", "telegram:@menu13bis")]),
        ("lien t.me/+AbCdEf123456", [("url", "https://t.me/+AbCdEf123456")]),
        ("snap: menu13off", [("handle", "snapchat:menu13off")]),
        ("👻 plug_13", [("handle", "snapchat:plug_13")]),
        ("snapchat.com/add/plug.13", [("handle", "snapchat:plug.13")]),
        ("wa.me/33639981234", [("handle", "whatsapp:+33639981234")]),
        ("chat.whatsapp.com/AbCdEfGh12", [("url", "https://chat.whatsapp.com/AbCdEfGh12")]),
        (
            "whatsapp : 06 39 98 12 34",
            [("handle", "whatsapp:+33639981234"), ("phone", "+33639981234")],
        ),
        ("signal.me/#p/+33639981234", [("handle", "signal:+33639981234")]),
        ("potato.im/plugzz", [("handle", "potato:plugzz")]),
        ("instagram.com/plug.13/", [("handle", "instagram:plug.13")]),
        ("insta: leplug.13", [("handle", "instagram:leplug.13")]),
        ("Wickr: plugzz99", [("handle", "wickr:plugzz99")]),
        ("wickr me: plugzz99", [("handle", "wickr:plugzz99")]),
        ("Wickr ID: plugzz99", [("handle", "wickr:plugzz99")]),
        ("Email: Plug.Fictif@example.org", [("email", "plug.fictif@example.org")]),
        ("voir www.Example.com/Menu.", [("url", "https://www.example.com/Menu")]),
        ("contact @plug_fictif", [("handle", "telegram:@plug_fictif")]),
    ],
)
def test_contacts_per_platform(text: str, expected: list[tuple[str, str]]) -> None:
    assert contacts(text) == expected


@pytest.mark.parametrize(
    "text", ["10g 80€ le 12/05/2024", "commande n°123456", "1234 5678", "réf 2024-05-12"]
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert contacts(text) == []


def test_place_inside_a_handle_is_not_a_place() -> None:
    assert [e.type for e in extract("contact @plug_marseille")] == ["handle"]


@given(st.integers(min_value=0, max_value=9999), st.sampled_from(["", " ", ".", "-"]))
def test_generated_french_numbers_round_trip(suffix: int, sep: str) -> None:
    digits = f"063998{suffix:04d}"
    written = sep.join(digits[i : i + 2] for i in range(0, 10, 2))
    assert phone_value(written) == "+33" + digits[1:]
    assert [(e.type, e.value) for e in extract(f"appelle {written} vite")] == [
        ("phone", "+33" + digits[1:])
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Candidature par Signal au 06 39 98 12 34",
        "ajoute moi sur snap de ouf",
        "écris sur insta pour commander",
    ],
)
def test_function_words_after_a_platform_are_not_handles(text: str) -> None:
    from vigie.analyse.extract import extract

    handles = [e.value for e in extract(text) if e.type == "handle"]
    assert not any(value.split(":", 1)[1] in {"au", "de", "pour"} for value in handles)


# The fast paths of find_contacts against the plain regex passes they replace.
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
    assert [m.span() for m in contacts_module._urls(text)] == [
        m.span() for m in contacts_module._URL.finditer(text)
    ]
    assert contacts_module._has_digits8(text) == (contacts_module._DIGITS8.search(text) is not None)
    phones = finditer_at(contacts_module._PHONE, text, contacts_module._phone_starts(text))
    assert [m.span() for m in phones] == [m.span() for m in contacts_module._PHONE.finditer(text)]
    for folded in (text, text.lower()):
        starts = sorted(
            m.start() - (2 if folded[m.start() - 1] in "cga" else 3)
            for _, pattern in contacts_module._SHORT_LABELS
            for m in pattern.finditer(folded)
        )
        assert starts == [m.start() for m in _OLD_SHORT_LABEL.finditer(folded)]
        if any(host in folded for host in contacts_module._BARE_HOSTS):
            assert contacts_module._HOST_TAIL.search(folded)


@settings(max_examples=300, deadline=None)
@given(_CONTACT_TEXTS)
def test_platform_words_from_the_product_scan_equal_contacts_own_scan(text: str) -> None:
    alone, scanned = Doc(text), Doc(text)
    find_products(scanned)  # leaves label_keys on the doc
    assert alone.label_keys is None and scanned.label_keys is not None
    assert contacts_module._label_positions(alone) == contacts_module._label_positions(scanned)
    assert contacts_module.find_contacts(alone) == contacts_module.find_contacts(scanned)
