"""Contacts per platform, phones, e-mails and URLs (fictional values)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.analyse.extract import extract
from vigie.analyse.extract.contacts import phone_value


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
