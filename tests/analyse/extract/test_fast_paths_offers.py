"""Fast paths of offers, pay, schedules and payments against the plain forms they replace."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import offers, recruitment, schedules
from vigie.analyse.extract.doc import Doc, compact_json


def _described(m: re.Match[str]) -> tuple[object, ...]:
    groups = {name: m.span(name) for name, text in m.groupdict().items() if text is not None}
    return m.lastgroup, m.span(), sorted(groups.items())


_FILLER = "x" * 170  # past schedules._GATE_FROM
_NUMBERS = st.from_regex(r"[0-9]{1,4}(?:[.,:/ -]?[0-9]{1,4}){0,3}", fullmatch=True)
_DIGIT_TEXT = st.lists(
    st.one_of(
        _NUMBERS,
        st.sampled_from(
            [
                *"0123456789 h:/-.,aj\n\t\u00a0\x1c\u2003k€$e",
                *("2a", "13", "93", "24", "7", " 7j/7", "7 j / 7", "24/24", "24h/7", "18h30"),
                *(" a ", " et ", "/jour", " par jour", " la semaine", "€/j", "k€", " h ", "-"),
                *("de ", "jusqu'a ", " to ", "->", "ouvert ", "des ", "x", "/", ".", ","),
            ]
        ),
    ),
    max_size=14,
).map("".join)


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
    for first, second, third in itertools.product(("1", "2", "7", "24", "a1", "/2"), chars, chars):
        _clock_and_pay_agree(f"{first}{second}{third}0 h")


def test_clock_and_pay_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 1500):
                _clock_and_pay_agree(json.loads(line)["text"])


_DAY_TEXT = st.lists(
    st.sampled_from(
        [
            *("d", "i", " ", "-", "du ", "lundi", "dimanche", "ferme ", "closed ", "repos "),
            *("le ", "au ", "h24", "h-24", "tous les jours", "tous-les jours", "non stop"),
            *("non-stop", "non_stop", "samedi", "s", "lun", "mar", "manche", "didi", "h2", "é"),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=800)
@given(_DAY_TEXT | st.text(max_size=20))
def test_day_gate_of_long_texts_is_the_plain_one(text: str) -> None:
    for padded in (text, _FILLER + text, text + " " + _FILLER, _FILLER + "\n" + text + _FILLER):
        doc = Doc(padded)
        expected = schedules._may_name_days(doc.folded, doc.has_digit)
        assert schedules._may_name_days_in(doc) == expected, padded


def _reference_attrs(offer: offers._Offer) -> str:
    quantity, price = offer.tiers[0]
    attrs: dict[str, object] = {
        "product": offer.product,
        "quantity": offers._clean(quantity),
        "unit": offer.unit,
        "price": offers._clean(price),
        "currency": offer.currency,
        "price_per_unit": round(price / quantity, 4),
    }
    if len(offer.tiers) > 1:
        attrs["tiers"] = [[offers._clean(q), offers._clean(p)] for q, p in offer.tiers]
    if offer.dose:
        attrs["dose_mg"] = offers._clean(offer.dose * 1000)
    return compact_json(attrs)


_AMOUNTS = st.floats(min_value=5e-324, max_value=1e7) | st.integers(1, 10**6).map(float)


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
