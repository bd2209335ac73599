"""Recruitment posts: trafficking roles and the pay offered for them.

``role`` entities: value is a role id (``guetteur``, ``vendeur``, ``nourrice``, ``livreur``,
``rabatteur``, ``gerant``, ``ravitailleur``, ``petite_main``, ``jobbeur``, ``transporteur``,
``runner``). Words only trafficking uses ("chouf", "charbonneur", "guetteur") always count;
ordinary job words ("vendeur", "livreur", "chauffeur", "nourrice", "mule") only in a message that
also recruits (pay per day/week, "recrute", "on cherche", "taf", "poste" …).

``pay`` entities: "150€/jour", "200 la journée", "300 par jour", "100-350€/j", "entre 100 et
300 € par jour", "1000€ la semaine", "1k par semaine" -> attrs ``amount_min``, ``amount_max``,
``per`` (hour, day, week, month), ``currency`` and ``eur_per_day`` (midpoint; a week counts 7
days, a month 30, an hour 8 per day); value ``"100-350 EUR/day"``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import ahocorasick

from vigie.analyse.extract.doc import Doc, digit_run_starts, spaced_key
from vigie.model import Entity

__all__ = ["find_pay", "find_roles"]

# role id -> (terms that always count, terms that need a recruiting message)
ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "guetteur": (("guetteur", "guetteurs", "guetteuse", "chouf", "choufs", "choufeur", "choufeurs",
                  "chouffeur", "chouffeurs", "choufeuse", "faire le guet"), ("guet", "lookout")),
    "vendeur": (("charbonneur", "charbonneurs", "charbonneuse", "vendeur terrain", "vendeurs terrain",
                 "charbonner"), ("vendeur", "vendeurs", "vendeuse", "seller", "dealer", "charbon")),
    "nourrice": (("nourrice de stup", "nourrice stup"), ("nourrice", "nourrices", "stockeur")),
    "livreur": (("livreur scooter", "livreurs scooter"), ("livreur", "livreurs", "livreuse",
                "chauffeur", "chauffeurs", "driver", "coursier")),
    "rabatteur": (("rabatteur", "rabatteurs", "rabatteuse"), ()),
    "gerant": (("gerant de point", "gerant de terrain", "gerant du point", "gerant de four"),
               ("gerant", "gerante", "manager", "chef de point", "chef d equipe")),
    "ravitailleur": (("ravitailleur", "ravitailleurs", "ravitailleuse"), ()),
    "petite_main": (("petite main", "petites mains"), ()),
    "jobbeur": (("jobbeur", "jobbeurs", "jobeur", "jobeurs"), ("jobber",)),
    "transporteur": (("go fast", "gofast", "convoyeur"), ("transporteur", "transporteurs", "mule",
                     "mules")),
    "runner": ((), ("runner", "runners")),
}  # fmt: skip
# words of a message that recruits (matched in the roles automaton pass)
_RECRUITING = [
    "recrute",
    "recrutons",
    "recrutement",
    "recrutements",
    "on",
    "cherche",
    "cherche",
    "cherchons",
    "embauche",
    "embauchons",
    "taf",
    "job",
    "jobs",
    "poste",
    "postes",
    "mission",
    "missions",
    "candidat",
    "candidats",
    "candidature",
    "travail",
    "bosser",
    "salaire",
    "paye",
    "payee",
    "payes",
    "paie",
    "remunere",
    "remuneree",
    "remuneration",
    "hiring",
    "profil",
]
_PER = {
    "jour": "day", "j": "day", "journee": "day", "day": "day", "jr": "day", "jours": "day",
    "semaine": "week", "sem": "week", "week": "week", "mois": "month", "month": "month",
    "heure": "hour", "h": "hour", "hour": "hour",
}  # fmt: skip
_DAYS = {"day": 1.0, "week": 7.0, "month": 30.0, "hour": 1 / 8}
# ("{1,4}+", "{2,5}+": possessive, as nothing after either run of digits reads a digit, giving
# digits back cannot help; tests/analyse/extract/test_fast_paths_offers.py checks the greedy form)
_PAY = re.compile(
    r"(?P<a>[0-9](?<![0-9a-z.,][0-9])[0-9]{1,4}+)(?P<ak>k)?\s?(?:€|e|eur|euros|balles)?\s?"
    r"(?:(?:-|a|et|/)\s?(?P<b>[0-9]{2,5}+)(?P<bk>k)?\s?)?(?P<cur>€|eur|euros|balles|e|\$)?\s?"
    r"(?:/|par|la|le|a la|per|an?|the)\s?(?P<per>journee|jours?|jr|j|day|semaine|sem|week|mois"
    r"|month|heure|hour|h)(?![a-z])"
)


def role_keys() -> list[tuple[str, tuple[str, str, bool]]]:
    """(automaton key, (role, term, specific)) of every role term."""
    return [
        (spaced_key(term), (role, term, specific))
        for role, (strong, weak) in ROLES.items()
        for terms, specific in ((strong, True), (weak, False))
        for term in terms
    ]


class _Roles:
    def __init__(self) -> None:
        # the recruiting words, scanned only when a message names an ordinary job word (the
        # role terms themselves are found by the word scan of products.scan_words)
        self.recruiting: Any = ahocorasick.Automaton()
        for word in _RECRUITING:
            key = spaced_key(word)
            self.recruiting.add_word(key, len(key))
        self.recruiting.make_automaton()


_ROLES = _Roles()


def find_pay(doc: Doc) -> list[Entity]:
    """``pay`` entities: amounts per hour, day, week or month."""
    if not doc.has_digit:
        return []
    found = []
    for match in _pay_matches(doc):
        low = int(match["a"]) * (1000 if match["ak"] else 1)
        high = int(match["b"]) * (1000 if match["bk"] else 1) if match["b"] else low
        if high < low or low <= 0:
            continue
        per = _PER[match["per"]]
        currency = "USD" if match["cur"] == "$" else "EUR"
        attrs: dict[str, Any] = {
            "amount_min": low,
            "amount_max": high,
            "per": per,
            "currency": currency,
        }
        if currency == "EUR":
            attrs["eur_per_day"] = round((low + high) / 2 / _DAYS[per], 2)
        value = f"{low}-{high} {currency}/{per}" if high != low else f"{low} {currency}/{per}"
        found.append(doc.entity("pay", value, match.start(), match.end(), attrs))
    return found


# what may follow the run of digits that opens a pay match (``_PAY`` after its ``a`` group):
# "k", whitespace, a currency ("€", "e", "eur", "balles", "$"), a range ("-", "a", "et", "/")
# or the period's marker ("/", "par", "per", "la", "le", "a la", "an", "the")
_AFTER_PAY_AMOUNT: Final = frozenset("k€eb-a/$plt")


def _pay_matches(doc: Doc) -> list[re.Match[str]]:
    """``list(_PAY.finditer(doc.folded))``: every match starts at the first digit of a run
    ("[0-9](?<![0-9a-z.,][0-9])": not after a letter, "." or ",") of two to five digits (its
    ``a`` group takes the whole run: nothing after it reads a digit) followed by a character of
    ``_AFTER_PAY_AMOUNT`` or whitespace, so ``_PAY`` is tried only at such starts (as
    ``finditer_at`` does)."""
    folded = doc.folded
    size = len(folded)
    found: list[re.Match[str]] = []
    covered = 0
    for start in digit_run_starts(doc):
        if start < covered:
            continue
        if start:
            before = ord(folded[start - 1])
            if 97 <= before <= 122 or before == 46 or before == 44:
                continue
        end = start + 1
        while end < size and 48 <= ord(folded[end]) <= 57:
            end += 1
        if end - start < 2 or end - start > 5 or end == size:
            continue
        after = folded[end]
        if after not in _AFTER_PAY_AMOUNT and not after.isspace():
            continue
        m = _PAY.match(folded, start)
        if m is not None:
            found.append(m)
            covered = m.end()
    return found


def find_roles(doc: Doc, recruiting: bool | None = None) -> list[Entity]:
    """``role`` entities; ordinary job words only when the message recruits (or has pay)."""
    # the role terms are found by the one word scan of the message (products.scan_words)
    doc.scan_words()
    held = doc.role_hits or []
    raw = list(held)
    if not raw:
        return []
    if recruiting is None and not all(item[4] for item in raw):
        recruiting = next(_ROLES.recruiting.iter(doc.spaced), None) is not None
    raw.sort(key=lambda item: (item[0], item[0] - item[1]))
    found = []
    reach = -1
    for start, end, role, term, strong in raw:
        if start < reach or not (strong or recruiting):
            continue
        reach = end
        found.append(doc.entity("role", role, start, end, {"term": term, "specific": strong}))
    return found
