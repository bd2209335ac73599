"""Fast paths of offers, pay, schedules and payments against the plain forms they replace."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import offers, recruitment, schedules
from vigie.analyse.extract.doc import Doc, compact_json
from vigie.analyse.normalise import normalise

from .test_offers import _DIGIT_TEXT, _NUMBERS, _described, _fast_matches, _number_leads_agree
from .test_schedules_recruitment import _DAY_TEXT

_FILLER = "x" * 170  # past schedules._GATE_FROM


def _clock_and_pay_agree(text: str) -> None:
    for folded_text in (text, _FILLER + " " + text):
        doc = Doc(folded_text)
        folded = doc.folded
        fast = [_described(m) for m in schedules._clock_matches(doc)]
        assert fast == [_described(m) for m in schedules._CLOCK.finditer(folded)]
        fast = [_described(m) for m in recruitment._pay_matches(doc)]
        assert fast == [_described(m) for m in recruitment._PAY.finditer(folded)]


@settings(max_examples=1500)
@given(_DIGIT_TEXT | st.text(max_size=30))
def test_clock_and_pay_are_tried_where_they_may_match(text: str) -> None:
    _clock_and_pay_agree(text)


def test_clock_and_pay_after_every_character_pair() -> None:
    chars = [*"0123456789 h:/-.,ajk€$e\n\t\u00a0\x1c\x85é", ""]
    for first, second, third in itertools.product(
        ("1", "2", "7", "24", "70", "a1", "/2"), chars, chars
    ):
        _clock_and_pay_agree(f"{first}{second}{third}0 h")


def test_clock_and_pay_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 1500):
                _clock_and_pay_agree(json.loads(line)["text"])


@settings(max_examples=800)
@given(_DAY_TEXT | st.text(max_size=20))
def test_day_gate_of_long_texts_is_the_plain_one(text: str) -> None:
    for padded in (text, _FILLER + text, text + " " + _FILLER, _FILLER + "\n" + text + _FILLER):
        doc = Doc(padded)
        expected = schedules._may_name_days(doc.folded, doc.has_digit)
        assert schedules._may_name_days_in(doc) == expected, padded


def _clean(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def _reference_attrs(offer: offers._Offer) -> str:
    quantity, price = offer.tiers[0]
    attrs: dict[str, object] = {
        "product": offer.product,
        "quantity": _clean(quantity),
        "unit": offer.unit,
        "price": _clean(price),
        "currency": offer.currency,
        "price_per_unit": round(price / quantity, 4),
    }
    if len(offer.tiers) > 1:
        attrs["tiers"] = [[_clean(q), _clean(p)] for q, p in offer.tiers]
    if offer.dose:
        attrs["dose_mg"] = _clean(offer.dose * 1000)
    return compact_json(attrs)


_AMOUNTS = (
    st.floats(min_value=5e-324, max_value=1e7)
    | st.integers(1, 10**6).map(float)
    | st.integers(1, 10**7).map(lambda n: n / 1000)
    | st.sampled_from([1e15, 1e15 - 1, 9.9995, 0.0005, 1e-4, 0.00005, 2.5, 1e7])
)


@settings(max_examples=1000)
@given(
    st.sampled_from([None, "cannabis_resin", "mdma", 'é"\\x', "\n"]),
    st.sampled_from(["g", "ml", "unit", "pill"]),
    st.sampled_from(["EUR", "USD", "GBP", "BTC"]),
    st.lists(st.tuples(_AMOUNTS, _AMOUNTS), min_size=1, max_size=3),
    st.none() | st.floats(min_value=0.0, max_value=1e3),
)
def test_offer_attrs_are_those_compact_json_writes(
    product: str | None,
    unit: str,
    currency: str,
    tiers: list[tuple[float, float]],
    dose: float | None,
) -> None:
    offer = offers._Offer(0, 4, product, unit, currency, tiers, dose)
    entity = offers._entity(Doc("10g 80€"), offer)
    assert entity.attrs == _reference_attrs(offer)


# the leads of ``offers._leads`` as one regex (one character class first, then which kind of
# lead each position is: see the comment above ``offers._AT_NUMBER``)
_LEAD = re.compile(
    r"[0-9.€$£+#x](?:"
    r"(?<![0-9a-z.,][0-9.])(?:(?<=[0-9])[0-9]*+(?P<num>)|(?<=\.)(?=[0-9])(?P<dot>))"
    r"|(?<=[ae][0-9])(?P<imp>)"
    r"|(?<=[€$£])(?P<cur>)"
    r"|(?:(?<=[+#])|(?<![0-9a-z]x)(?<=x))(?=\s?[0-9])"
    r"|(?<![0-9][0-9])(?<=[0-9])(?P<run>)"  # no atom: the start of a run for the others
    r")"
)


_KINDS = {
    "num": offers._LEAD_NUM,
    "dot": offers._LEAD_DOT,
    "imp": offers._LEAD_IMP,
    "cur": offers._LEAD_CUR,
    "run": offers._LEAD_RUN,
}


def _reference_leads(folded: str) -> list[int]:
    """``_LEAD.finditer`` as flat (start, kind, end) triples, less the currency signs
    where ``_AT_CURRENCY`` cannot match."""
    leads: list[int] = []
    for lead in _LEAD.finditer(folded):
        start, end = lead.span()
        kind = lead.lastgroup
        if kind == "cur" and offers._AT_CURRENCY.match(folded, start) is None:
            continue
        code = (
            _KINDS[kind] if kind else offers._LEAD_X if folded[start] == "x" else offers._LEAD_SIGN
        )
        leads += [start, code, end if kind == "num" else start + 1]
    return leads


_LEAD_PIECES = st.sampled_from(
    [
        *"0123456789.,+#€$£x-/:%'\n aelgs\t\u00a0\u2003\x1c\x85é²①",
        *("la ", "le 5", "€ .5", "$ 5", "£.5", "+ 3", "# 2", "x 3", "3x2", ".5", "a.5", "1.5"),
        *(" x5", "ax5", "€€5", "€ \u00a0 5", "\ud800", "1,000", "$.", "€ ", "x\n5"),
    ]
)


@settings(max_examples=2000)
@given(st.lists(_LEAD_PIECES | _NUMBERS, max_size=12).map("".join) | st.text(max_size=30))
def test_leads_from_the_runs_of_digits_are_those_of_the_lead_regex(text: str) -> None:
    for folded in (text, normalise(text).text):
        assert offers._leads(folded) == _reference_leads(folded), folded


def test_leads_on_every_short_string() -> None:
    alphabet = "09.,+#$€ \txae"
    for size in range(1, 6):
        for chars in itertools.product(alphabet, repeat=size):
            text = "".join(chars)
            assert offers._leads(text) == _reference_leads(text), text


def test_leads_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 3000):
                folded = normalise(json.loads(line)["text"]).text
                assert offers._leads(folded) == _reference_leads(folded), folded


_DECIMALS = st.lists(
    st.from_regex(r"[0-9]{1,6}(?:[.,][0-9]{1,4}){0,3}", fullmatch=True)
    | st.sampled_from(
        [*" .,-%/:#ex\n", " - ", " %", "g", " g", "mg", "e", " eur", " $", "€", "$", " le g"]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=3000)
@given(_DECIMALS)
def test_number_variants_after_a_decimal_separator(text: str) -> None:
    _number_leads_agree(text)


def test_number_variants_after_a_decimal_separator_by_shape() -> None:
    for run in ("1", "12", "123", "2024", "12345", "0612345678"):
        for sep, more in itertools.product(".,", ("0", "05", "050", "5000", "05.24", "05,24")):
            for tail in ("", " ", "%", " %", "-2%", "g", " g", "e", " eur", "$", ".", ",", "x"):
                _number_leads_agree(f"{run}{sep}{more}{tail}")
                _number_leads_agree(f"a {run}{sep}{more}{tail} b")


_PAY_GREEDY = re.compile(recruitment._PAY.pattern.replace("}+", "}"))


@settings(max_examples=1500)
@given(_DIGIT_TEXT | st.text(max_size=30))
def test_possessive_pay_matches_as_its_greedy_form(text: str) -> None:
    folded = Doc(text).folded
    fast = [_described(m) for m in recruitment._PAY.finditer(folded)]
    assert fast == [_described(m) for m in _PAY_GREEDY.finditer(folded)]
    assert _PAY_GREEDY.pattern != recruitment._PAY.pattern


def test_possessive_pay_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 1500):
                folded = Doc(json.loads(line)["text"]).folded
                fast = [_described(m) for m in recruitment._PAY.finditer(folded)]
                assert fast == [_described(m) for m in _PAY_GREEDY.finditer(folded)]


_WORD_PIECES = st.sampled_from(
    [
        *("half", "demi", "quarter", "eighth", "pochon", "pochette", "sachet", "taz", "ballon"),
        *("bonbonne", "buvard", "savonnette", "barrette", "plaquette", "boulette"),
        *("le ", "la ", "l'", "un ", "per ", " oz", " a ", "-", "lb", "kilo", "s", "\n", " ", "x"),
        *("10g ", "20€", "é", "\u00a0", "hal", "pochonpochette", "demidemi"),
    ]
)


@settings(max_examples=1500)
@given(st.lists(_WORD_PIECES, max_size=14).map("".join), st.integers(0, 200))
def test_word_led_gates_open_wherever_their_regexes_match(text: str, at: int) -> None:
    doc = Doc(text)
    folded = doc.folded
    if not folded:
        return
    fractions, packs = offers._word_led_starts(doc)
    everywhere = list(range(len(folded) + 1))

    def word_atoms(fractions: list[int], packs: list[int]) -> list[tuple[object, ...]]:
        atoms = [offers._Atom("q", at % len(folded), at % len(folded))]
        offers._word_atoms(folded, atoms, fractions, packs)
        return [(a.kind, a.start, a.end, a.value, a.unit) for a in atoms]

    assert word_atoms(fractions, packs) == word_atoms(everywhere, everywhere)


@settings(max_examples=2000)
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17)
    | st.integers(-(10**16), 10**16).map(float)
    | st.integers(-(10**9), 10**9).map(lambda n: n / 1000)
)
def test_clean_numbers_are_those_of_round(value: float) -> None:
    cleaned = offers._clean(value)
    assert type(cleaned) is type(_clean(value)) and cleaned == _clean(value)
    assert offers._round4(value) == round(value, 4)
    assert offers._json_number(value) == compact_json({"v": value})[5:-1]


def _price_gate_holds(text: str) -> None:
    doc = Doc(text)
    folded = doc.folded
    runs: list[int] = []
    matches = _fast_matches(folded, runs)
    if not offers._may_price(folded, offers._leads(folded)):
        assert all(m.lastgroup not in ("price", "imp") for m in matches), folded
    offers._atoms(doc)
    assert doc.digit_runs == runs


_PRICE_PIECES = st.sampled_from(
    [
        *("10", "5", "0.5", "1,000", "g", "mg", "gbp", "gb", "btc", "b", "balles", "boules", "u"),
        *("usd", "usdt", "dollar", "d", "x", "xmr", "e", "eur", "a", "p", "pour", "la ", "le "),
        *(" ", "\n", "€", "$", "£", ".", "+", "#", "-", "/", ":", "=", "%", "é", "l'", "oz", "z"),
    ]
)


@settings(max_examples=2000)
@example("la 25a 150g")
@example("le 5pour 40g")
@example("l'10a150")
@example("10gbp 20btc")
@example("5e 10eur")
@given(st.lists(_PRICE_PIECES | _NUMBERS, max_size=12).map("".join) | st.text(max_size=30))
def test_price_gate_is_open_wherever_a_price_or_imp_matches(text: str) -> None:
    _price_gate_holds(text)


def test_price_gate_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 3000):
                _price_gate_holds(json.loads(line)["text"])


def test_pay_after_each_character_that_may_follow_its_amount() -> None:
    for amount, tail in itertools.product(
        ("1", "15", "150", "1500", "15000", "150000"),
        (
            *("k par jour", "k€/j", " par jour", "€/jour", "e la journee", "eur par jour"),
            *("balles la semaine", "-200 par jour", "a 300 par jour", "et 300 par jour"),
            *("/200 par mois", "$ per day", "per day", "par jour", "la journee", "le jour"),
            *("a la journee", "an hour", "a day", "the day", "/h", "\u00a0par jour", "\tpar j"),
        ),
    ):
        _clock_and_pay_agree(f"payé {amount}{tail} ok")
