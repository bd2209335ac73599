"""Offers: every menu format of the brief with its exact price per unit."""

from __future__ import annotations

import json

import pytest

from vigie.analyse.extract import extract


def offers(text: str) -> list[dict[str, object]]:
    return [json.loads(e.attrs or "{}") for e in extract(text) if e.type == "offer"]


@pytest.mark.parametrize(
    ("text", "product", "quantity", "unit", "price", "currency", "per_unit"),
    [
        ("🍫 Jaune mousseux 10g = 80€", "cannabis_resin", 10, "g", 80, "EUR", 8.0),
        ("Coke 10G -> 70e", "cocaine", 10, "g", 70, "EUR", 7.0),
        ("la 25 à 150", None, 25, "g", 150, "EUR", 6.0),
        ("shit la 25 à 150", "cannabis_resin", 25, "g", 150, "EUR", 6.0),
        ("1 plaquette (100g) 350", "cannabis_resin", 100, "g", 350, "EUR", 3.5),
        ("100 balles les 10g de beuh", "cannabis_herb", 10, "g", 100, "EUR", 10.0),
        ("le pochon 20€", None, 1, "unit", 20, "EUR", 20.0),
        ("10€ la barrette de shit", "cannabis_resin", 1, "unit", 10, "EUR", 10.0),
        ("5g Amnesia Haze - $45", "cannabis_herb", 5, "g", 45, "USD", 9.0),
        ("1/8 oz OG Kush $40", "cannabis_herb", 3.544, "g", 40, "USD", 11.2877),
        ("1 QP Kush $900", "cannabis_herb", 113.398, "g", 900, "USD", 7.9366),
        ("half oz weed $120", "cannabis_herb", 14.175, "g", 120, "USD", 8.4658),
        ("1 oz Bolivian coke $1200", "cocaine", 28.35, "g", 1200, "USD", 42.3288),
        ("10 x 120mg MDMA pills $80", "mdma", 10, "pill", 80, "USD", 8.0),
        ("1 kilo coke 30000€", "cocaine", 1000, "g", 30000, "EUR", 30.0),
        ("Taz x2 20€", "mdma", 2, "unit", 20, "EUR", 10.0),
        ("Tramadol 50 mg x 100 $90", "opioid", 100, "pill", 90, "USD", 0.9),
        ("Lorazepam 2.5mg/tab - 100 tabs - $140", "benzodiazepine", 100, "pill", 140, "USD", 1.4),
        ("Coco 70 le g", "cocaine", 1, "g", 70, "EUR", 70.0),
        ("3 x 1g coke 180€", "cocaine", 3, "g", 180, "EUR", 60.0),
        ("1 LB Purple Kush - $2,099.99", "cannabis_herb", 453.592, "g", 2099.99, "USD", 4.6297),
        (
            "100 grams of SPEED PASTE 70%+ purity for only $336",
            "amphetamine",
            100,
            "g",
            336,
            "USD",
            3.36,
        ),
        ("Proto 2 bonbonnes 80€", "nitrous_oxide", 2, "unit", 80, "EUR", 40.0),
    ],
)
def test_menu_formats_give_exact_price_per_unit(
    text: str,
    product: str | None,
    quantity: float,
    unit: str,
    price: float,
    currency: str,
    per_unit: float,
) -> None:
    found = offers(text)
    assert len(found) == 1, found
    offer = found[0]
    assert offer["product"] == product
    assert offer["quantity"] == pytest.approx(quantity, abs=0.001)
    assert offer["unit"] == unit
    assert offer["price"] == pytest.approx(price)
    assert offer["currency"] == currency
    assert offer["price_per_unit"] == pytest.approx(per_unit, abs=0.001)


@pytest.mark.parametrize(
    ("text", "tiers"),
    [
        ("Amnesia 5g 50 / 10g 90 / 25g 200", [[5, 50], [10, 90], [25, 200]]),
        ("beuh 1g 70 2g 130 5g 300", [[1, 70], [2, 130], [5, 300]]),
        ("🍫 Jaune : 10g = 80€ | 25g = 180€ | 50g = 330€", [[10, 80], [25, 180], [50, 330]]),
    ],
)
def test_tiered_prices_stay_in_one_offer(text: str, tiers: list[list[int]]) -> None:
    (offer,) = offers(text)
    assert offer["tiers"] == tiers
    assert offer["price_per_unit"] == pytest.approx(tiers[0][1] / tiers[0][0])


def test_menu_header_names_the_product_of_the_lines_below() -> None:
    menu = "MENU 🔥\n🍫 Jaune mousseux\n10g 80\n25g 180\n\n🥦 Amnesia\n5g 50\n10g 90"
    found = offers(menu)
    assert [(o["product"], o["quantity"], o["price"]) for o in found] == [
        ("cannabis_resin", 10, 80),
        ("cannabis_resin", 25, 180),
        ("cannabis_herb", 5, 50),
        ("cannabis_herb", 10, 90),
    ]


def test_inline_menu_splits_offers_by_product() -> None:
    text = "🟡 Jaune mousseux : 10g = 80€ / 25g = 180€ 🥦 Amnesia Haze : 5g = 50€ / 10g = 90€"
    found = offers(text)
    assert [(o["product"], o["tiers"]) for o in found] == [
        ("cannabis_resin", [[10, 80], [25, 180]]),
        ("cannabis_herb", [[5, 50], [10, 90]]),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "appelle le 06 39 98 12 34",
        "ouvert de 18h à 2h le 12/05/2024",
        "THC 25% indica 2023",
        "livraison 13015 Marseille 13e",
        "Xanax 2mg",
        "rdv à 18h30, 10 minutes avant",
        "payé 150€/jour",
        "100-350€ par jour",
        "on est le 24/12",
        "j'ai 15 ans et 3 frères",
    ],
)
def test_numbers_that_are_not_offers(text: str) -> None:
    assert offers(text) == []


def test_offer_span_slices_the_original_text() -> None:
    text = "🍫 𝐉𝐀𝐔𝐍𝐄 10𝐠 = 80€"
    (entity,) = [e for e in extract(text) if e.type == "offer"]
    assert text[entity.start : entity.end] == entity.text
    assert json.loads(entity.attrs or "{}")["price_per_unit"] == 8.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3.257.248", 3257248.0),
        ("10.000.000", 10000000.0),
        ("1.234.567,89", 1234567.89),
        ("1,000,000", 1000000.0),
        ("1,000,000.50", 1000000.5),
        ("2,5", 2.5),
        ("2,000", 2000.0),
        ("2,099.99", 2099.99),
    ],
)
def test_numbers_with_thousands_groups(text: str, value: float) -> None:
    from vigie.analyse.extract.offers import _number

    assert _number(text) == value
