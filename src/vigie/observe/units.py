"""Quantities to base units (grams, units, millilitres), so prices compare per gram or per unit.

The trap this module exists for: in "50x RED DICE XTC 120mg" or "Codeine 15 mg (40 pills)"
the milligrams are a *dose*, not the quantity sold — dividing the price by 0.12 g would give a
price per gram off by orders of magnitude. A count ("50x", "x 5", "40 pills") wins over a
milligram dose; a count of grams ("3 x 1g") multiplies.
"""

from __future__ import annotations

import re

OUNCE = 28.349523125
POUND = 453.59237

GRAMS: dict[str, float] = {
    **dict.fromkeys(["g", "gr", "grs", "gram", "grams", "gramme", "grammes", "g's", "gs"], 1.0),
    **dict.fromkeys(["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme"], 1000.0),
    **dict.fromkeys(["mg", "mgs", "milligram", "milligrams", "milligramme"], 0.001),
    **dict.fromkeys(["ug", "µg", "mcg", "microgram", "micrograms"], 0.000001),
    **dict.fromkeys(["oz", "ozs", "ounce", "ounces", "once", "zip", "zips"], OUNCE),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds", "livre"], POUND),
    "qp": POUND / 4,
    "hp": POUND / 2,
    "eighth": OUNCE / 8,
    "8th": OUNCE / 8,
}
UNITS: frozenset[str] = frozenset(
    [
        "u",
        "unit",
        "units",
        "unité",
        "unités",
        "pill",
        "pills",
        "tab",
        "tabs",
        "tablet",
        "tablets",
        "cap",
        "caps",
        "capsule",
        "capsules",
        "comprimé",
        "comprimés",
        "comprime",
        "comprimes",
        "cachet",
        "cachets",
        "taz",
        "buvard",
        "buvards",
        "blotter",
        "blotters",
        "piece",
        "pieces",
        "pièce",
        "pièces",
        "pcs",
        "pc",
        "x",
        "bonbon",
        "bonbons",
        "gélule",
        "gélules",
        "sachet",
        "sachets",
        "pochon",
        "pochons",
        "barrette",
        "barrettes",
        "boulette",
        "boulettes",
        "plaquette",
        "plaquettes",
        "vape",
        "vapes",
        "cart",
        "carts",
        "cartouche",
        "cartouches",
    ]
)
MILLILITRES: dict[str, float] = {
    "ml": 1.0,
    "cl": 10.0,
    "l": 1000.0,
    "litre": 1000.0,
    "liter": 1000.0,
}
# products sold by the piece: a milligram figure alone is a dose, not the quantity
PER_UNIT_PRODUCTS: frozenset[str] = frozenset(
    {"cannabis_edible", "benzodiazepine", "opioid", "lsd", "nitrous_oxide"}
)
DOSE_UNITS: frozenset[str] = frozenset({"mg", "mgs", "ug", "µg", "mcg", "milligram", "milligrams"})

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_FRACTION = re.compile(r"\b(1|3)\s*/\s*(2|4|8)\s*(?:th\s*)?(oz|ounce|once|lb|pound)?\b", re.I)
_COUNT = re.compile(
    r"(?:\b(\d+)\s*x\b)|(?:\bx\s*(\d+)\b(?!\s*(?:mg|g\b)))"
    r"|\b(\d+)\s*(pills?|tabs?|tablets?|caps?|capsules?|comprim[ée]s?|cachets?|buvards?|blotters?"
    r"|pi[eè]ces?|pcs|units?|unit[ée]s?|taz|g[ée]lules?)\b",
    re.I,
)
_MASS = re.compile(
    _NUMBER + r"\s*(kgs?|kilos?|kilogrammes?|kilograms?|grammes?|grams?|g's|grs?|g|mgs?|milligrams?"
    r"|ug|µg|mcg|oz|ounces?|lbs?|pounds?|qp|hp|ml|cl)(?![a-z])",
    re.I,
)
_COUNT_TIMES_GRAMS = re.compile(
    r"\b(\d+)\s*x\s*\d+(?:[.,]\d+)?\s*(?:g|grs?|grams?|grammes?)\b", re.I
)
_WORD_MASS = re.compile(r"\b(half|demi)\s+(oz|ounce|once|pound|lb)\b|\b(eighth|8th|qp|hp)\b", re.I)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def to_base(
    quantity: float | None, unit: str | None, product: str | None = None
) -> tuple[float, str] | None:
    """``(amount, base)`` with base ``g``, ``unit`` or ``ml``; None when it cannot be told.

    ``to_base(0.25, "oz")`` -> ``(7.087…, "g")``; ``to_base(3, "pills")`` -> ``(3.0, "unit")``;
    ``to_base(200, "mg", "cannabis_edible")`` -> ``(1.0, "unit")`` (a dose, see module doc).
    """
    if quantity is None or quantity <= 0:
        return None
    key = (unit or "u").strip().lower().rstrip(".")
    if key in DOSE_UNITS and product in PER_UNIT_PRODUCTS:
        return 1.0, "unit"
    if key in GRAMS:
        return quantity * GRAMS[key], "g"
    if key in UNITS:
        return float(quantity), "unit"
    if key in MILLILITRES:
        return quantity * MILLILITRES[key], "ml"
    return None


def parse_quantity(text: str, product: str | None = None) -> tuple[float, str] | None:
    """The quantity a listing or menu line sells, in base units, or None.

    "0.5 GRAMS #4 AFGHAN HEROIN" -> (0.5, "g"); "1/4 oz" -> (7.087, "g"); "3 x 1g" -> (3, "g");
    "50x RED DICE XTC 120mg" -> (50, "unit"); "Codeine 15 mg (40 pills)" -> (40, "unit").
    """
    count_match = _COUNT.search(text)
    count = None
    if count_match:
        count = int(next(g for g in count_match.groups()[:3] if g))
    mass = _MASS.search(text)
    fraction = _FRACTION.search(text)
    if fraction and (mass is None or fraction.start() < mass.start()):
        unit = (fraction.group(3) or "oz").lower()
        grams = int(fraction.group(1)) / int(fraction.group(2)) * GRAMS.get(unit, OUNCE)
        return (grams * (count or 1), "g") if grams else None
    if mass:
        amount, unit = _number(mass.group(1)), mass.group(2).lower()
        if unit in DOSE_UNITS and count:
            return float(count), "unit"
        base = to_base(amount, unit, product)
        if base and base[1] == "g" and count:
            if _COUNT_TIMES_GRAMS.search(text):
                return base[0] * count, "g"  # "3 x 1g"
            return None  # "2x XTC & 0.5g": a bundle, no single price per gram
        return base
    if word := _WORD_MASS.search(text):
        if word.group(1):
            return GRAMS.get(word.group(2).lower(), OUNCE) / 2, "g"
        return GRAMS[word.group(3).lower()], "g"
    if count:
        return float(count), "unit"
    return None
