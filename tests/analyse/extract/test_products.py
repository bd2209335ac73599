"""Product mentions: names, slang, varieties, emoji codes, context for ambiguous terms."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import extract, main_product
from vigie.analyse.extract.doc import Doc, compact_json, new_entity
from vigie.analyse.extract.payments import find_payments
from vigie.analyse.extract.products import find_products, product_lexicon
from vigie.model import PRODUCTS, Entity


def products(text: str) -> list[tuple[str, str]]:
    return [(e.value, e.text) for e in extract(text) if e.type == "product"]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("🍫 Jaune mousseux dispo", "cannabis_resin"),
        ("de la teuch de qualité", "cannabis_resin"),
        ("Filtré 120u 10g 90€", "cannabis_resin"),
        ("Charas 5g 60", "cannabis_resin"),
        ("bonne beuh", "cannabis_herb"),
        ("Amnesia Haze 5g 50", "cannabis_herb"),
        ("OG Kush 7g", "cannabis_herb"),
        ("Zkittlez et Runtz dispo", "cannabis_herb"),
        ("Moonrocks 3.5g", "cannabis_herb"),
        ("𝐂𝐎𝐊𝐄 dispo", "cocaine"),
        ("c0c4ine pure", "cocaine"),
        ("❄️ 1g 70€", "cocaine"),
        ("Bolivian coke 1g", "cocaine"),
        ("caillou 20€", "crack"),
        ("héro brune 1g 40€", "heroin"),
        ("Dutch MDMA 84%", "mdma"),
        ("taz 10€", "mdma"),
        ("kéta 1g 40€", "ketamine"),
        ("3MMC 1g 30", "cathinone"),
        ("Mephedrone 5g", "cathinone"),
        ("Crystal meth 1g", "methamphetamine"),
        ("Speed paste 10g", "amphetamine"),
        ("Shrooms 3.5g", "psilocybin"),
        ("LSD blotter 100ug", "lsd"),
        ("DMT 1g", "dmt"),
        ("Mescaline HCl", "mescaline"),
        ("proto ballons 5€", "nitrous_oxide"),
        ("N2O bonbonne", "nitrous_oxide"),
        ("Xanax 2mg", "benzodiazepine"),
        ("Oxycodone 30mg", "opioid"),
        ("space cake maison", "cannabis_edible"),
        ("Wax 1g 25€", "cannabis_concentrate"),
        ("PTC vape 20€", "synthetic_cannabinoid"),
        ("buddha blue", "synthetic_cannabinoid"),
    ],
)
def test_terms_give_their_product(text: str, product: str) -> None:
    assert main_product(extract(text)) == product


@pytest.mark.parametrize(
    "text",
    [
        "holy shit",
        "C'est bien",
        "j'aime la neige",
        "l'herbe est verte",
        "il fait beau, on mange des cookies",
        "un jaune d'oeuf",
        "H&M soldes",
        "tu viens ce soir ?",
        "la glace ice cream",
        "speed dating",
    ],
)
def test_ambiguous_terms_need_a_drug_context(text: str) -> None:
    assert products(text) == []


def test_short_terms_need_a_capital_and_a_price_nearby() -> None:
    assert products("la C 60e le g") == [("cocaine", "C")]
    assert products("la c 60e le g") == []
    assert products("le H 40 le g") == [("heroin", "H")]


def test_emoji_yields_to_a_word_on_the_same_line() -> None:
    assert products("💊 Xanax 2mg 5€") == [("benzodiazepine", "Xanax")]


def test_edible_form_beats_the_cannabis_it_contains() -> None:
    assert main_product(extract("(HASH) COOKIES 10x $8 each")) == "cannabis_edible"


def test_every_lexicon_row_names_a_known_product_and_has_sources() -> None:
    lexicon = product_lexicon()
    assert lexicon.sources
    assert {term.product for term in lexicon.terms} <= set(PRODUCTS)


def test_product_spans_slice_the_original_text() -> None:
    text = "🔥 ᴄᴏᴋᴇ et 𝓫𝓮𝓾𝓱 dispo 10g 80€"
    for entity in extract(text):
        assert text[entity.start : entity.end] == entity.text
    assert [e.value for e in extract(text) if e.type == "product"] == ["cocaine", "cannabis_herb"]


# The shared word scan and the cheaper object construction against plain references.
_WORDS = st.lists(
    st.sampled_from(
        ["cash", "especes", "liquide", "paiement", "btc", "crypto", "western union", "wu", "cb",
         "carte bleue", "snap", "snapchat", "whatsapp", "telegram", "shit", "beuh", "dispo", "10g",
         "50€", "💊", "🍫", "Xanax", "C", "H", "le", "\n", " ", ":", "-", "é", "00", "220mg+", "#4"]
    ),
    max_size=20,
).map(" ".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_WORDS | st.text(max_size=60))
def test_payments_from_the_product_scan_equal_their_own_scan(text: str) -> None:
    alone, scanned = Doc(text), Doc(text)
    find_products(scanned)  # leaves payment_hits on the doc
    assert alone.payment_hits is None and scanned.payment_hits is not None
    assert find_payments(alone) == find_payments(scanned)
    assert alone.has_digit == (re.search(r"[0-9]", alone.folded) is not None)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=20),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.integers()),
)
def test_new_entity_and_compact_json_equal_the_plain_forms(
    text: str, start: int, end: int, attrs: dict[str, str | int] | None
) -> None:
    attrs_json = json.dumps(attrs, ensure_ascii=False, separators=(",", ":")) if attrs else None
    if attrs:
        assert compact_json(attrs) == attrs_json
    made = new_entity("url", text, text[::-1], start, end, attrs_json)
    plain = Entity("url", text, text[::-1], start, end, attrs_json)
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
