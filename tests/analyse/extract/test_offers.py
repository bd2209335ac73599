"""Offers: every menu format of the brief with its exact price per unit."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import doc as doc_module
from vigie.analyse.extract import extract, places, recruitment, schedules
from vigie.analyse.extract import offers as offers_module
from vigie.analyse.extract.doc import Doc
from vigie.analyse.normalise import normalise


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


# ``offers._matches`` against the plain loop it replaces: ``_ATOMS`` tried at every digit,
# currency sign, "#", and at "+", "." or "x" before a digit (after at most one space)
_ALL_LEADS = re.compile(r"[0-9#€$£]|[+.x](?=\s?[^\W_a-zA-Z])")
_PIECES = st.sampled_from(
    [
        *"0123456789.,+#€$£x-/:%'\n aelgs",
        *("la ", "le ", "les ", "l'", "la", "la2", "le 5", " a ", "pour", "=", "->", "€", "eur"),
        *("g", "oz", "mg", "kg", "lb", "qp", "ml", "tabs", "pills", "h", "min", "ans", "eme"),
        *("/tab", " le g", " each", "per g", "1/8", "2024", "06 12 34 56 78", "$", "usd", "²"),
        *("\u00a0", "é", "①", "x "),
    ]
)


# the atom regex with its possessive quantifiers ("[0-9]++") made greedy again
_REFERENCE = re.compile(offers_module._ATOMS_PATTERN.replace("++", "+").replace("}+", "}"))


def _reference_matches(folded: str) -> list[re.Match[str]]:
    found = []
    covered = 0
    for candidate in _ALL_LEADS.finditer(folded):
        start = candidate.start()
        if start < covered:
            continue
        if candidate.group() in "+.x" and not folded[start + 1 : start + 3].strip()[:1].isdigit():
            continue
        m = _REFERENCE.match(folded, start)
        if m is None:
            continue
        covered = max(m.end(), start + 1)
        if m.lastgroup != "noise":
            found.append(m)
    return found


def _fast_matches(folded: str, runs: list[int]) -> list[re.Match[str]]:
    """``offers._matches`` from the leads of ``folded``."""
    return offers_module._matches(folded, offers_module._leads(folded), runs)


def _described(m: re.Match[str]) -> tuple[object, ...]:
    groups = {name: m.span(name) for name, text in m.groupdict().items() if text is not None}
    return m.lastgroup, m.span(), sorted(groups.items())


_NUMBERS = st.from_regex(r"[0-9]{1,4}(?:[.,:/ -]?[0-9]{1,4}){0,3}", fullmatch=True)
_TOKENS = st.lists(st.one_of(_NUMBERS, _PIECES), max_size=10).map("".join)


@settings(max_examples=1000)
@given(
    _TOKENS
    | st.lists(_PIECES, max_size=14).map("".join)
    | st.text(alphabet="0123456789 .,+#€$x-/:%'ale=g\n", max_size=20)
    | st.text(max_size=30)
)
@example("+00-00.0000")  # a phone number's "+": noise from there, so no price inside it
@example("tel +33 6 12 34 56 78 10g 80€")
def test_atom_matches_equal_the_plain_loop(text: str) -> None:
    for folded in (text, normalise(text).text):
        fast = [_described(m) for m in _fast_matches(folded, [])]
        assert fast == [_described(m) for m in _reference_matches(folded)]


def test_atom_matches_equal_the_plain_loop_on_every_short_string() -> None:
    alphabet = "09.,+#$€xael=g -"
    for size in range(1, 5):
        for prefix, chars in itertools.product(
            ("", "la"), itertools.product(alphabet, repeat=size)
        ):
            text = prefix + "".join(chars)
            fast = [_described(m) for m in _fast_matches(text, [])]
            assert fast == [_described(m) for m in _reference_matches(text)], text


def test_atom_matches_equal_the_plain_loop_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 2000):
                folded = normalise(json.loads(line)["text"]).text
                fast = [_described(m) for m in _fast_matches(folded, [])]
                assert fast == [_described(m) for m in _reference_matches(folded)], folded


def _reference_atoms(doc: Doc) -> list[list[offers_module._Atom]]:
    """Atoms of every line, as the extractor read them before it kept only lines with a price."""
    atoms = []
    for m in _reference_matches(doc.folded):
        start, kind = m.start(), m.lastgroup
        if kind == "imp":
            atoms.append(offers_module._Atom("q", start, start, float(m["imp_q"]), "g"))
            atoms.append(offers_module._Atom("weak", start, m.end(), float(m["imp_p"]), "EUR"))
        elif kind == "qty":
            atoms.append(
                offers_module._quantity(m["qty_n"], m["qty_u"], start, m.end(), bool(m["qty_per"]))
            )
        elif kind == "frac":
            grams = int(m["frac_a"]) / int(m["frac_b"])
            grams *= offers_module._MASS.get(m["frac_u"] or "oz", offers_module.OUNCE)
            count = int(m["frac_n"]) if m["frac_n"] else 1
            atoms.append(offers_module._Atom("q", start, m.end(), grams * count, "g"))
        elif kind == "count":
            value = float(m["count_a"] or m["count_b"])
            atoms.append(offers_module._Atom("count", start, m.end(), value))
        elif kind == "price":
            if m["weak_n"]:
                kind, number, currency = "weak", m["weak_n"], "EUR"
            else:
                number = m["price_a"] or m["price_b"]
                currency = offers_module._CURRENCY[m["cur_a"] or m["cur_b"] or m["cur_c"]]
            tail = m["per"] is not None or bool(m["each"])
            end = m.start("per") if m["per"] is not None else m.start("each") if tail else m.end()
            value = offers_module._number(number)
            atoms.append(offers_module._Atom(kind, start, end, value, currency))
            if tail:
                unit = "g" if (m["per_u"] or "").startswith("g") else "unit"
                atoms.append(offers_module._Atom("per", end, m.end(), 1.0, unit))
    for m in offers_module._WORD_QTY.finditer(doc.folded):
        grams = offers_module._FRACTION[m["f"]] * offers_module._MASS[m["u"]]
        atoms.append(offers_module._Atom("q", m.start(), m.end(), grams, "g"))
    for m in offers_module._PACK.finditer(doc.folded):
        unit = "pill" if m["u"] == "taz" else "unit"
        atoms.append(offers_module._Atom("q", m.start(), m.end(), 1.0, unit))
    atoms.sort(key=lambda atom: atom.start)
    lines: dict[int, list[offers_module._Atom]] = {}
    for atom in atoms:
        lines.setdefault(doc.line_of(atom.start), []).append(atom)
    return list(lines.values())


def _offer_pairs(lines: list[list[offers_module._Atom]]) -> list[object]:
    def fields(atom: offers_module._Atom) -> tuple[object, ...]:
        return atom.kind, atom.start, atom.end, atom.value, atom.unit, atom.dose

    found = []
    for atoms in lines:
        pairs = offers_module._pairs(offers_module._resolve_counts(atoms))
        found += [(fields(q), fields(p)) for q, p in pairs]
    return found


_MENU = st.sampled_from(
    [
        *("10€ ", "$20", " 50", "25", " a ", "la ", " = ", "\n", " ", "g ", "5g ", "x2 ", "3 x "),
        *("le pochon", "le\npochon", "la barrette", "une plaquette", "l'taz", "2 pochons", "taz"),
        *("half oz", "half\noz", "demi-kilo", "quarter lb", "$\n45", " each", "/g", " le g"),
        *("120mg ", "tabs ", "1/8", "1 oz ", "eur", "balles", "2024", "18h", "10%", "#2 ", "+"),
    ]
)
_LINES = st.lists(_MENU, max_size=10).map("".join) | _TOKENS


@settings(max_examples=1500)
@example("10€ le\npochon 20€")
@example("$\n45 each 10g 20€")
@given(_LINES)
def test_offer_pairs_equal_those_of_every_line(text: str) -> None:
    doc = Doc(text)
    assert _offer_pairs(offers_module._atoms(doc)) == _offer_pairs(_reference_atoms(doc))


def test_offer_pairs_equal_those_of_every_line_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 2000):
                doc = Doc(json.loads(line)["text"])
                assert _offer_pairs(offers_module._atoms(doc)) == _offer_pairs(
                    _reference_atoms(doc)
                )


# ``offers._at_number``: at a run of digits (a ``num`` lead), the variant of ``_AT_NUMBER`` it
# picks from the characters after the run matches as ``_AT_NUMBER`` itself does (the leads are
# checked against the lead regex in test_fast_paths_offers.py, which uses this helper too)
def _number_leads_agree(folded: str) -> None:
    leads = offers_module._leads(folded)
    for i in range(0, len(leads), 3):
        start, kind, end = leads[i : i + 3]
        if kind == offers_module._LEAD_NUM:
            pattern = offers_module._at_number(folded, start, end)
            fast = pattern.match(folded, start) if pattern is not None else None
            full = offers_module._AT_NUMBER.match(folded, start)
            assert (fast and _described(fast)) == (full and _described(full)), (folded, start)


_AFTER_CHARS = [
    *offers_module._LETTERS,
    *offers_module._SPACES,
    *offers_module._OTHERS,
    *"05\u00a0é²",
]
_RUNS = ["1", "10", "2024", "12345", "061234567"]
_TAILS = ["", "0", "5%", "s", "g", " x", "/8", "- 20g"]


def test_number_variants_match_as_the_whole_regex_after_every_character_pair() -> None:
    for run in _RUNS:
        for after in _AFTER_CHARS:
            folded = "".join(
                f"{run}{after}{then}{tail}  " for then in _AFTER_CHARS for tail in _TAILS
            )
            _number_leads_agree(folded)
            _number_leads_agree("la " + folded.replace("  ", " la "))


_NUMBER_CONTEXT = st.tuples(
    st.sampled_from(["", " ", "la ", "le ", "les ", "l'", "x", "a", "$", "(", "."]),
    st.sampled_from([*_RUNS, "3", "13", "120", "1950", "0612"])
    | st.from_regex(r"[0-9]{1,9}", fullmatch=True),
    st.lists(
        st.sampled_from([*_AFTER_CHARS, *_TAILS, "e", "mg", "eur", "min", "h"]) | _MENU, max_size=5
    ),
).map(lambda parts: parts[0] + parts[1] + "".join(parts[2]))


@settings(max_examples=2000)
@given(st.lists(_NUMBER_CONTEXT, min_size=1, max_size=4).map("".join) | _LINES)
def test_number_variants_match_as_the_whole_regex(text: str) -> None:
    _number_leads_agree(text)
    _number_leads_agree(normalise(text).text)


_DIGIT_LED = [places._NUMBER, recruitment._PAY, schedules._CLOCK]
# dates, hours, pay and postcodes (also the texts of the clock and pay tests of
# test_fast_paths_offers.py)
_DIGIT_TEXT = st.lists(
    st.one_of(
        _NUMBERS,
        st.sampled_from(
            [
                *"0123456789 h:/-.,aj\n\t\u00a0\x1c\u2003k€$e",
                *("2a", "13", "93", "24", "7", " 7j/7", "7 j / 7", "24/24", "24h/7", "18h30"),
                *(" a ", " et ", "/jour", " par jour", " la semaine", "€/j", "k€", " h ", "-"),
                *("de ", "jusqu'a ", " to ", "->", "ouvert ", "des ", "x", "/", ".", ","),
                *("k", "the ", "per ", "an ", "la", "le ", "balles", "euros", "mois", "sem", "h"),
                *("123456", "12345", "75011", "$", " € ", "eur ", "e/j", "a la ", "par", "p"),
                *("t", "b", "l"),
            ]
        ),
    ),
    max_size=14,
).map("".join)


@settings(max_examples=500)
@given(_DIGIT_TEXT | st.text(max_size=30))
def test_digit_led_regexes_match_at_run_starts_as_their_scans_do(text: str) -> None:
    doc = Doc(text)
    starts = doc_module.digit_run_starts(doc)
    assert starts == [m.start() for m in re.finditer("(?<![0-9])[0-9]", doc.folded)]
    runs: list[int] = []
    _fast_matches(doc.folded, runs)  # (find_offers keeps them for the others)
    assert runs == starts
    for pattern in _DIGIT_LED:
        fast = [m.span() for m in doc_module.finditer_at(pattern, doc.folded, starts)]
        assert fast == [m.span() for m in pattern.finditer(doc.folded)]


def test_digit_led_regexes_match_at_run_starts_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 2000):
                doc = Doc(json.loads(line)["text"])
                starts = doc_module.digit_run_starts(doc)
                for pattern in _DIGIT_LED:
                    fast = doc_module.finditer_at(pattern, doc.folded, starts)
                    assert [m.span() for m in fast] == [
                        m.span() for m in pattern.finditer(doc.folded)
                    ]


def _no_constants(name: str) -> float:
    raise AssertionError(f"{name} in offer attrs: not JSON")


@pytest.mark.parametrize(
    "text",
    [
        "1" * 400 + "mg tabs 20€",  # a dose of 400 digits reads as infinity
        "3 tabs 0." + "0" * 320 + "5g 20€",  # a subnormal quantity: an infinite price per gram
        "9" * 400 + "g 50€",
        "10g " + "9" * 400 + "€",
    ],
)
def test_numbers_beyond_floats_give_no_offer_and_no_error(text: str) -> None:
    found = extract(text)  # must not raise
    for entity in found:
        if entity.type == "offer":
            assert entity.attrs is not None
            json.loads(entity.attrs, parse_constant=_no_constants)
