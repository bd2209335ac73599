"""Schedules, roles and pay in recruitment posts, payment means."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import extract, places, recruitment, schedules
from vigie.analyse.extract.doc import Doc


def attrs_of(text: str, kind: str) -> list[dict[str, object]]:
    return [json.loads(e.attrs or "{}") for e in extract(text) if e.type == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ouvert 7h-23h", {"open": "07:00", "close": "23:00"}),
        ("de 10h à 2h", {"open": "10:00", "close": "02:00"}),
        ("18h30 - 02h", {"open": "18:30", "close": "02:00"}),
        ("7j/7", {"days": "7/7"}),
        ("24/24", {"hours": "24/24"}),
        ("dispo h24", {"hours": "24/24"}),
        ("on ouvre à 7h", {"open": "07:00"}),
        ("fermé dimanche", {"closed": "dimanche"}),
        ("Ouvert 7j/7 de 11h à 23h", {"days": "7/7", "open": "11:00", "close": "23:00"}),
        (
            "du lundi au samedi 10:00-22:00",
            {"days": "lundi-samedi", "open": "10:00", "close": "22:00"},
        ),
    ],
)
def test_schedules(text: str, expected: dict[str, object]) -> None:
    assert attrs_of(text, "schedule") == [expected]


@pytest.mark.parametrize("text", ["rdv 18h", "le 12/05/2024", "10g 80€", "en 2024/2025"])
def test_not_schedules(text: str) -> None:
    assert attrs_of(text, "schedule") == []


@pytest.mark.parametrize(
    ("text", "amount_min", "amount_max", "per", "eur_per_day"),
    [
        ("guetteur 150€/jour", 150, 150, "day", 150.0),
        ("charbonneur 200 la journée", 200, 200, "day", 200.0),
        ("vendeur terrain 300 par jour", 300, 300, "day", 300.0),
        ("chouf 100-350€/j", 100, 350, "day", 225.0),
        ("livreur 1000€ la semaine", 1000, 1000, "week", 142.86),
        ("nourrice entre 100 et 300 € par jour", 100, 300, "day", 200.0),
    ],
)
def test_pay(text: str, amount_min: int, amount_max: int, per: str, eur_per_day: float) -> None:
    (pay,) = attrs_of(text, "pay")
    assert (pay["amount_min"], pay["amount_max"], pay["per"]) == (amount_min, amount_max, per)
    assert pay["eur_per_day"] == pytest.approx(eur_per_day)


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("On recrute guetteurs et charbonneurs", ["guetteur", "vendeur"]),
        ("cherche chouf motivé", ["guetteur"]),
        ("besoin d'une nourrice, 100€/jour", ["nourrice"]),
        ("livreur scooter dispo", ["livreur"]),
        ("recrute gérant de point", ["gerant"]),
        ("petite main recherchée, taf payé", ["petite_main"]),
        ("on recrute ravitailleur et rabatteur", ["ravitailleur", "rabatteur"]),
        ("jobbeurs bienvenus", ["jobbeur"]),
        ("go fast Espagne, mule payée 2000€", ["transporteur", "transporteur"]),
    ],
)
def test_roles(text: str, roles: list[str]) -> None:
    assert [e.value for e in extract(text) if e.type == "role"] == roles


@pytest.mark.parametrize(
    "text", ["je suis vendeur chez Zara", "ma nourrice est gentille", "le livreur Amazon"]
)
def test_ordinary_jobs_are_not_roles(text: str) -> None:
    assert [e for e in extract(text) if e.type == "role"] == []


@pytest.mark.parametrize(
    ("text", "payments"),
    [
        ("paiement espèces ou PCS", ["cash", "pcs"]),
        ("Transcash, Paysafecard, Neosurf acceptés", ["transcash", "paysafecard", "neosurf"]),
        ("BTC ou USDT uniquement", ["btc", "usdt"]),
        ("Lydia / PayPal / virement", ["lydia", "paypal", "transfer"]),
        ("Western Union accepté", ["western_union"]),
        ("paiement en liquide", ["cash"]),
    ],
)
def test_payments(text: str, payments: list[str]) -> None:
    assert [e.value for e in extract(text) if e.type == "payment"] == payments


def test_liquid_is_not_cash_without_a_payment_word() -> None:
    assert [e for e in extract("un savon liquide") if e.type == "payment"] == []


# texts near the day words (also those of the day gate test of test_fast_paths_offers.py)
_DAY_TEXT = st.lists(
    st.sampled_from(
        [
            *("d", "i", " ", "-", "du ", "lundi", "dimanche", "ferme ", "closed ", "repos "),
            *("le ", "au ", "h24", "h-24", "tous les jours", "tous-les jours", "non stop"),
            *("non-stop", "non_stop", "samedi", "s", "lun", "mar", "mercre", "jeu", "vendre"),
            *("same", "manche", "didi", "h2", "é"),
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=500)
@given(_DAY_TEXT)
def test_day_words_are_searched_whenever_they_may_match(text: str) -> None:
    has_digit = any(ch.isdigit() for ch in text)
    assert schedules._may_name_days(text, has_digit) or schedules._WORDS.search(text) is None
    assert schedules._names_a_day(text) == any(day in text for day in schedules._DAY_NAMES)


def _roles_alone_and_after_places(text: str) -> tuple[object, object]:
    alone = [recruitment.find_roles(Doc(text), recruiting) for recruiting in (None, True)]
    doc = Doc(text)
    places.find_places(doc)  # keeps the role terms its scan found for find_roles
    shared = [recruitment.find_roles(doc, recruiting) for recruiting in (None, True)]
    return alone, shared


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [
                *(" ", "-", "\n", "on", "recrute", "guetteur", "chouf", "vendeur", "mule"),
                *("paris", "marseille", "saint", "ouen", "livreur", "scooter", "go fast", "Nice"),
            ]
        ),
        max_size=10,
    ).map(" ".join)
)
def test_roles_from_the_places_scan_are_those_of_their_own_scan(text: str) -> None:
    alone, shared = _roles_alone_and_after_places(text)
    assert alone == shared


def test_roles_from_the_places_scan_on_labelled_texts(shared_data: Path) -> None:
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in itertools.islice(handle, 1500):
                alone, shared = _roles_alone_and_after_places(json.loads(line)["text"])
                assert alone == shared
