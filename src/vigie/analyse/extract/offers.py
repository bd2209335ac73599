"""Offers: product × quantity × price, tiered menus, and the price per gram (or unit, or ml).

One linear regex cuts the folded text into *atoms* — quantities ("10g", "1/8 oz", "half oz",
"1 qp", "2 pochons"), doses ("120mg"), counts ("x2", "10 x"), prices ("80€", "$45",
"100 balles"), bare numbers, "per gram" markers ("70 le g") and noise that must never become a
quantity or a price (phone numbers, times, dates, percentages, ordinals, durations). Then, line
by line, quantities pair with the price after them (a bare number or "70e" only counts there;
"50€ les 5g" pairs backwards only with a currency-marked price), consecutive pairs for one
product merge into one offer with ``tiers``, and each offer takes the product named nearest
before it on its line, else the menu header above, else the message's only product.

Masses are converted to grams and volumes to millilitres, so ``price_per_unit`` is a price per
gram (or ml, or unit): "10g 80€" -> 8.0; "la 25 à 150" -> 6.0; "1/8 oz $40" -> 11.29.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import ahocorasick_rs

from vigie.analyse.extract.doc import Doc, new_entity
from vigie.analyse.extract.products import ProductHit
from vigie.analyse.normalise import DIGIT_MARKS
from vigie.model import Entity

__all__ = ["find_offers"]

OUNCE = 28.349523125
POUND = 453.59237
_MASS = {
    **dict.fromkeys(
        ["kg", "kgs", "kilo", "kilos", "kilogramme", "kilogrammes", "kilogram", "kilograms"], 1000.0
    ),
    **dict.fromkeys(["g", "gr", "grs", "gramme", "grammes", "gram", "grams", "gs"], 1.0),
    **dict.fromkeys(["oz", "ozs", "ounce", "ounces", "once", "onces", "zip", "zips"], OUNCE),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds", "livre", "livres"], POUND),
    "qp": POUND / 4,
    "hp": POUND / 2,
}
_VOLUME = {"ml": 1.0, "cl": 10.0, "l": 1000.0, "litre": 1000.0, "litres": 1000.0, "liter": 1000.0}
_DOSE = {"mg": 0.001, "mgs": 0.001, "ug": 0.000001, "mcg": 0.000001}
# packaging and count words: the quantity is a number of units
_COUNT_UNITS = [
    "pills?",
    "tabs?",
    "tablets?",
    "caps?",
    "capsules?",
    "comprimes?",
    "cachets?",
    "buvards?",
    "blotters?",
    "hits?",
    "dots?",
    "pieces?",
    "pcs",
    "units?",
    "unites?",
    "taz",
    "gelules?",
    "bars?",
    "strips?",
    "joints?",
    "carts?",
    "cartouches?",
    "ballons?",
    "bonbonnes?",
    "sachets?",
    "pochons?",
    "pochettes?",
    "barrettes?",
    "plaquettes?",
    "boulettes?",
    "savonnettes?",
    "bags?",
    "doses?",
    "vapes?",
]
_PILL_WORDS = ("pill", "tab", "comprime", "cachet", "gelule", "cap", "taz", "blotter", "buvard")
_PER_UNIT = frozenset({"cannabis_edible", "benzodiazepine", "opioid", "lsd", "nitrous_oxide"})
_PILL_LINE = re.compile(r"\b(?:tabs?|tablets?|pills?|caps?|capsules?|comprimes?|gelules?)\b")
_FRACTION = {"half": 0.5, "demi": 0.5, "quarter": 0.25, "eighth": 0.125}

# "++" and "}+" (possessive: no giving back, so no retries) only where giving back digits cannot
# help: what follows such a run in every pattern below rejects a digit, or accepts the longest
# run first. (tests/analyse/extract/test_offers.py checks ``_ATOMS_PATTERN`` against its greedy
# form.)
_NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]++(?:[.,][0-9]++)?|\.[0-9]++)"
_B = r"(?<![0-9a-z.,])"  # a number starts here
_E = r"(?![0-9a-z])"  # a word ends here
_PER_TAIL = (
    r"(?P<per>\s?(?:/|le\s|la\s|l'|per\s|the\s|par\s|a\s)\s?(?P<per_u>g|gr|grs|gramme|gram|tab|pill"
    r"|unite|piece|u)(?![0-9a-z])|\s?(?P<each>each|chacun|chaque|l'unite|la piece)(?![a-z]))?"
)
# noise first: phone numbers, dates, times, percentages, ordinals, durations, postcodes; one
# alternative a line (see ``_NOISE_AFTER`` below for what may follow the number in each)
_NOISE_WORDS = (
    "eme|er|ere|th|st|nd|rd|min|mins|minutes?|mn|heures?|hours?|ans|years?|jours?|days?"
    "|semaines?|weeks?|mois|months?|km|m|k|u|mm|cm"
)
_NOISE_ALTERNATIVES = [
    rf"{_B}(?:\+|00)?[0-9](?:[ .-]?[0-9]){{7,}}{_E}",
    # ranges of purity or doses ("95-97%", "68-70%"), analogue names ("4-MEC", "5-APDB"),
    # ratios and odd fractions ("1:1", "1/5oz"), grades ("3#"), bundles ("+ 3 pills")
    rf"{_B}{_NUM}\s?-\s?{_NUM}\s?%",
    rf"{_B}[0-9]++-[a-z]",
    rf"{_B}[0-9]++\s?#",
    rf"{_B}[0-9]++:[0-9]+",
    rf"{_B}[0-9]+/[0-9]+(?<![13]/[248])",
    rf"\+\s?[0-9]{{1,3}}{_E}",
    rf"{_B}[0-9]{{1,2}}/[0-9]{{1,2}}(?:/[0-9]{{2,4}})?(?![0-9a-z%])(?!\s?(?:oz|ounce|lb|th))",
    rf"{_B}[0-9]{{1,2}}[.-][0-9]{{1,2}}[.-][0-9]{{2,4}}{_E}",
    rf"{_B}[0-9]{{1,2}}\s?(?:h|:)\s?[0-9]{{2}}{_E}",
    rf"{_B}[0-9]{{1,2}}\s?h{_E}",
    rf"{_B}{_NUM}\s?(?:%|percent|pourcent)",
    rf"{_B}[0-9]++\s?(?:{_NOISE_WORDS}){_E}",
    rf"{_B}(?:19[5-9][0-9]|20[0-4][0-9]){_E}(?!\s?(?:€|eur|euros?|balles|\$|usd|g{_E}))",
    rf"{_B}[0-9]{{5,}}+{_E}(?!\s?(?:€|eur|euros|balles|\$|usd))",
    r"#\s?[0-9]+",
]
_NOISE = "(?P<noise>" + "|".join(_NOISE_ALTERNATIVES) + ")"
_IMP = (
    rf"(?P<imp>(?:(?<=\bla )|(?<=\ble )|(?<=\bles )|(?<=\bla)|(?<=\ble)|(?<=l'))"
    rf"(?P<imp_q>[0-9]{{1,4}}+)\s?(?:a|pour|=|:|->|=>)\s?"
    rf"(?P<imp_p>[0-9]{{1,5}})(?:\s?(?:€|e|eur|euros|balles){_E})?)"
)
_FRAC = (
    rf"(?P<frac>{_B}(?:(?P<frac_n>[0-9]++)\s?x\s?)?(?P<frac_a>[13])\s?/\s?(?P<frac_b>[248])\s?(?:th\s?)?"
    rf"(?:of\s(?:an?\s)?)?(?P<frac_u>oz|ounce|once|lb|pound)?{_E})"
)
_UNITS = (
    "kgs?|kilos?|kilogrammes?|kilograms?|grammes?|grams?|gr|grs|g|gs|ozs?|ounces?|onces?|once"
    "|zips?|lbs?|pounds?|livres?|qp|hp|ml|cl|l|litres?|liter|mgs?|ug|mcg|" + "|".join(_COUNT_UNITS)
)
_QTY = (
    rf"(?P<qty>{_B}(?P<qty_n>{_NUM})(?:\s?-\s?{_NUM})?\s?(?P<qty_u>{_UNITS}){_E}"
    rf"(?P<qty_per>\s?/\s?(?:tab|pill|unit|cap|piece))?)"
)
_COUNT = rf"(?P<count>{_B}(?P<count_a>[0-9]{{1,4}}+)\s?x{_E}|(?<![0-9a-z])x\s?(?P<count_b>[0-9]{{1,4}}){_E})"
_CURRENCY_WORDS = "euros?|eur|balles|boules|usdt|usd|dollars?|gbp|btc|xmr"
_PRICE = (
    rf"(?P<price>(?:(?P<cur_a>[€$£])\s?(?P<price_a>{_NUM})|{_B}(?P<price_b>{_NUM})\s?"
    rf"(?:(?P<cur_b>€|\$|£)(?!\s?[0-9])|(?P<cur_c>{_CURRENCY_WORDS}){_E})"
    rf"|{_B}(?P<weak_n>{_NUM})(?:\s?e)?{_E}){_PER_TAIL})"
)
# the first alternative that matches decides (noise before imp, frac, qty, count and price)
_ATOMS_PATTERN = "(?:" + "|".join([_NOISE, _IMP, _FRAC, _QTY, _COUNT, _PRICE]) + ")"
# Every atom starts with a digit, ".", a currency sign, "x", "#" or "+", and most alternatives
# of ``_ATOMS_PATTERN`` open with ``_B``. :func:`_leads` finds the positions where an atom may
# start and which regex to try there (tests/analyse/extract/test_fast_paths_offers.py writes
# them as one regex, ``_LEAD``, and checks that the two agree):
# - ``num``, a digit where ``_B`` holds: the lead runs to the end of its run of digits, and
#   :func:`_at_number` picks the regex to try from the characters after the run;
# - ``dot``, a "." before a digit where ``_B`` holds: ``_AT_NUMBER``, the atoms with every
#   ``_B`` dropped (each one opens an alternative: true wherever it is tried);
# - ``imp``, a digit right after "a" or "e" ("la25 a 150"), where ``_B`` fails: only ``_IMP``,
#   whose own lookbehinds accept such a position, can match;
# - ``cur``, a currency sign: only ``_PRICE`` can;
# - "+" or "#" before a digit (after at most one space): only the noise alternatives that open
#   with them (``_AT_SIGN``); "x" before one where "x" is not inside a word: only ``_COUNT``
#   (every other alternative needs a digit, ".", a currency sign, "+" or "#" first).
# Any other position (a digit or "." after a digit, a letter, "." or ","; "x" inside a word; a
# "." not before a digit) starts no atom: each alternative needs ``_B``, an ``_IMP`` lookbehind,
# a digit or "\s?[0-9]" after its sign there. (``run``: the first digit of a run of digits that
# starts no atom, kept for :func:`digit_run_starts`: ``num``, ``imp`` and ``run`` digits are the
# first digits of every run. No lead starts inside a run: ``num`` may take the rest of it.)
_AT_NUMBER = re.compile(_ATOMS_PATTERN.replace(_B, ""))
_AT_IMP = re.compile(_IMP)
_AT_CURRENCY = re.compile(_PRICE)
# at a "+" or "#": the noise alternatives led by one, and the phone number one, whose leading
# "+" is optional ("+33 6 12 34 56 78" is noise from its "+", as _ATOMS_PATTERN reads it)
_AT_SIGN = re.compile(
    "(?P<noise>"
    + "|".join(a for a in _NOISE_ALTERNATIVES if a.startswith(("\\+", "#")) or "(?:\\+|00)?" in a)
    + ")"
)
_AT_X = re.compile(_COUNT)

# At a ``num`` lead, the regex engine tries the alternatives of ``_AT_NUMBER`` one by one, and
# most cannot match there: what follows the run of digits rules them out. Each alternative
# that can match at a digit is listed with the characters that may come right after the run
# (``after``), and those that may come after one whitespace after it (``after_space``): "!"
# stands for any character outside [0-9a-z] or the end, "*" for any. The sets assume what
# :func:`_at_number` checks first: a letter follows the run, or the run has at most 4 digits
# and the character after the next one is not a digit. Then a number read from the start is
# the whole run (a decimal or thousands separator needs a digit after it, and "[0-9]{1,2}" or
# "{1,4}+" stopping inside the run leave a digit next, which nothing after them accepts), so
# each set holds the first characters of what its alternative reads after its number; and the
# noise alternatives below marked None cannot match (the seventh and the last open with "+"
# and "#", the others need 5 digits or more, or a digit right after their separator).
_NOISE_AFTER: list[tuple[str, str] | None] = [
    None,  # "06 12 34 56 78": 8 digits or more
    ("-", "-"),  # "95-97%", "95 - 97 %"
    ("-", ""),  # "4-mec"
    ("#", "#"),  # "3#", "3 #"
    None,  # "1:1"
    None,  # "1/5"
    None,  # "+ 3"
    None,  # "12/05"
    None,  # "12.05.24"
    ("h:", "h:"),  # "18h30", "18:30", "18 h 30"
    ("h", "h"),  # "18h", "18 h"
    ("%p", "%p"),  # "70%", "70 percent"
    ("".join(sorted({w[0] for w in _NOISE_WORDS.split("|")})),) * 2,  # "13e", "10 min"
    ("!", "*"),  # "2024", "2024 "
    None,  # "75011": 5 digits or more
    None,  # "#2"
]
_UNIT_LETTERS = "".join(sorted({w[0] for w in _UNITS.split("|")}))
_CURRENCY_LETTERS = "".join(sorted({w[0] for w in _CURRENCY_WORDS.split("|")}))
_AFTER: list[tuple[str, str, str]] = [  # (alternative, after, after_space)
    *[(a, *after) for a, after in zip(_NOISE_ALTERNATIVES, _NOISE_AFTER, strict=True) if after],
    (_IMP, "ap=:-", "ap=:-"),  # "la 25 a 150", "le 5 pour 40", "l'10 = 80", "la 25->150"
    (_FRAC, "x/", "x/"),  # "2x 1/8", "1/8", "1 / 8"
    (_QTY, "-" + _UNIT_LETTERS, "-" + _UNIT_LETTERS),  # "10-20g", "10g", "10 g"
    (_COUNT, "x", "x"),  # "3x", "3 x"
    (_PRICE, "!€$£e" + _CURRENCY_LETTERS, "*"),  # "10€", "10 eur", "10e", "10", "10 "
]


def _takes(allowed: str, char: str) -> bool:
    """Whether ``char`` ("" for the end) is in a set of ``_AFTER``."""
    if "*" in allowed:
        return True
    if "!" in allowed and not ("0" <= char <= "9" or "a" <= char <= "z"):
        return True
    return char != "" and char in allowed


def _starting_with(char: str, words: str) -> str:
    """The alternatives of ``words`` that start with ``char``, in order (a regex that never
    matches if none)."""
    return "|".join([word for word in words.split("|") if word[:1] == char]) or "(?!)"


# a number read at the lead: where a variant is tried (see ``_at_number``), it is the run of
# digits itself (the thousands-group and decimal forms need a digit after the run's first
# character past it, which that test rules out), so it reads as "[0-9]++" there: sre then
# skips trying the thousands form "[0-9]{1,3}(?:,[0-9]{3})+" first (~25 % of a match)
_LEADING_NUM = re.compile(re.escape(_B) + r"((?:\(\?P<[a-z_]+>)?)" + re.escape(_NUM))


def _variants(column: int, chars: list[str]) -> dict[str, re.Pattern[str] | None]:
    """For each of ``chars``, ``_AT_NUMBER`` with only the alternatives that ``char`` may follow
    in their order there (``column`` 1: right after the run, 2: after one whitespace after
    it), or None if none may. After a letter, their lists of words (units, currencies, noise
    words) are tried only where that letter is: each keeps only the words that start with it
    (not after "-": "10 - 20g"). The number they read first is a run of digits."""
    compiled: dict[str, re.Pattern[str] | None] = {}
    table: dict[str, re.Pattern[str] | None] = {}
    for char in chars:
        kept = [
            _LEADING_NUM.sub(lambda m: _B + m[1] + "[0-9]++", row[0])
            for row in _AFTER
            if _takes(row[column], char)
        ]
        if "a" <= char <= "z":
            for words in (_NOISE_WORDS, _UNITS, _CURRENCY_WORDS):
                kept = [a.replace(words, _starting_with(char, words)) for a in kept]
        noise = [a for a in kept if a.startswith(_B) and "(?P<" not in a]
        rest = [a for a in kept if a not in noise]
        parts = (["(?P<noise>" + "|".join(noise) + ")"] if noise else []) + rest
        pattern = ("(?:" + "|".join(parts) + ")").replace(_B, "")
        if pattern not in compiled:
            compiled[pattern] = re.compile(pattern) if parts else None
        table[char] = compiled[pattern]
    return table


_LETTERS = list("abcdefghijklmnopqrstuvwxyz")
_SPACES = list(" \t\n\r\x0b\x0c")  # (all of them ``\s``)
_OTHERS = ["", *"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~€£"]
_AFTER_LETTER = _variants(1, _LETTERS)
_AFTER_OTHER = _variants(1, _OTHERS)
_AFTER_SPACE = _variants(2, _LETTERS + _SPACES + _OTHERS)
_BY_LETTER: Final = [_AFTER_LETTER[letter] for letter in _LETTERS]  # by code - 97


# ``_AT_NUMBER`` with the alternatives that may match at a run of digits followed by "." or ","
# and a digit: the noise of phone numbers ("06.12.34.56.78"), ranges, dates ("12.05.24"),
# percentages ("2,5%"), years and long numbers ("2024.", "75011,": ``_E`` holds before "."
# and ","), quantities and prices (their number reads on: "0.5g", "1,000 $"). The others need
# a letter or another sign right after the run, or after at most one more digit.
_AFTER_DECIMAL: Final = re.compile(
    (
        "(?:(?P<noise>"
        + "|".join(_NOISE_ALTERNATIVES[i] for i in (0, 1, 8, 11, 13, 14))
        + ")|"
        + "|".join([_QTY, _PRICE])
        + ")"
    ).replace(_B, "")
)


def _at_number(folded: str, start: int, end: int) -> re.Pattern[str] | None:
    """The regex to try at the ``num`` lead ``folded[start:end]`` (a run of digits): one of
    ``_AT_NUMBER``'s variants above when the characters after the run allow, else itself."""
    size = len(folded)
    after = ord(folded[end]) if end < size else -1
    if 97 <= after <= 122:  # a-z
        return _BY_LETTER[after - 97]
    then = ord(folded[end + 1]) if end + 1 < size else -1
    if 48 <= then <= 57:
        if after == 46 or after == 44:
            return _AFTER_DECIMAL  # "0.5g", "2,5 g", "1,000", "12.05.24"
        return _AT_NUMBER
    if end - start > 4:
        return _AT_NUMBER
    if after == 32 or 9 <= after <= 13:  # (_SPACES)
        return _AFTER_SPACE.get(folded[end + 1] if then != -1 else "", _AT_NUMBER)
    return _AFTER_OTHER.get(folded[end] if after != -1 else "", _AT_NUMBER)


_WORD_QTY = re.compile(
    r"\b(?P<f>half|demi|quarter|eighth)(?:\s(?:an?\s)?|-)?(?P<u>oz|ounce|once|pound|lb|kilo|kg"
    r"|livre)(?![0-9a-z])"
)
_PACK_WORDS = (
    "pochon", "pochette", "barrette", "plaquette", "boulette", "savonnette", "sachet", "ballon",
    "bonbonne", "buvard", "taz",
)  # fmt: skip
# The words that open a word-led quantity (``_WORD_QTY``'s fractions, ``_PACK``'s packaging
# words), found in one leftmost-first pass over ``Doc.spaced_bytes`` (made of [a-z], they occur
# there where they occur in the folded text, one byte later), for the lines that start a price
_FRACTION_WORDS = ("half", "demi", "quarter", "eighth")
_WORD_LED: Final = ahocorasick_rs.BytesAhoCorasick(
    [word.encode("ascii") for word in (*_FRACTION_WORDS, *_PACK_WORDS)],
    matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
    implementation=ahocorasick_rs.Implementation.DFA,
)
_PACK = re.compile(
    r"\b(?:le|la|l'|un|une|per|par)\s?(?P<u>pochon|pochette|barrette|plaquette|boulette|savonnette"
    r"|sachet|ballon|bonbonne|buvard|taz)s?(?![0-9a-z])"
)
_CURRENCY = {
    "€": "EUR", "e": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "balles": "EUR",
    "boules": "EUR", "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "£": "GBP",
    "gbp": "GBP", "btc": "BTC", "xmr": "XMR", "usdt": "USDT",
}  # fmt: skip
_MAX_GAP = 60


def _number(text: str) -> float:
    """A number as written in French or English: 2,5 · 2.5 · 2,000 · 2,099.99 · 10.000.000."""
    if text.isdigit():  # (the common case: digits only, never other than [0-9] here)
        return float(text)
    if text.count(".") > 1:  # 10.000.000 · 1.234.567,89 · 1.000.5
        whole, _, last = text.rpartition(".")
        if "," in last or len(last) == 3:
            return float(text.replace(".", "").replace(",", "."))
        return float(whole.replace(".", "") + "." + last)
    if text.count(",") > 1:  # 1,000,000 · 1,000,000.50
        return float(text.replace(",", ""))
    if "," in text and "." in text:
        return float(text.replace(",", ""))  # 2,099.99
    if text.count(",") == 1 and len(text.split(",")[1]) == 3 and len(text) > 4:
        return float(text.replace(",", ""))  # 2,000
    return float(text.replace(",", "."))


# (an explicit __init__: the one dataclass writes runs as interpreted Python, ~200 ns an atom;
# mypyc compiles this one into plain stores)
@dataclass(slots=True, init=False)
class _Atom:
    kind: str  # q, dose, count, price, weak, per
    start: int
    end: int
    value: float = 0.0
    unit: str = ""  # g, ml, unit, pill; dose: g per unit; price: currency
    dose: float | None = None

    def __init__(
        self,
        kind: str,
        start: int,
        end: int,
        value: float = 0.0,
        unit: str = "",
        dose: float | None = None,
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.unit = unit
        self.dose = dose


@dataclass(slots=True, init=False)
class _Offer:
    start: int
    end: int
    product: str | None
    unit: str
    currency: str
    tiers: list[tuple[float, float]]
    dose: float | None

    def __init__(  # (compiled into plain stores, as _Atom's)
        self,
        start: int,
        end: int,
        product: str | None,
        unit: str,
        currency: str,
        tiers: list[tuple[float, float]],
        dose: float | None,
    ) -> None:
        self.start = start
        self.end = end
        self.product = product
        self.unit = unit
        self.currency = currency
        self.tiers = tiers
        self.dose = dose


# lead kinds, as named above (``_LEAD_SIGN``: "+" or "#"; ``_LEAD_X``: "x")
_LEAD_NUM: Final = 0
_LEAD_DOT: Final = 1
_LEAD_IMP: Final = 2
_LEAD_CUR: Final = 3
_LEAD_SIGN: Final = 4
_LEAD_X: Final = 5
_LEAD_RUN: Final = 6


def _is_word(code: int) -> bool:
    """``[0-9a-z]``."""
    return 48 <= code <= 57 or 97 <= code <= 122


def _is_currency(code: int) -> bool:
    """``[€$£]``."""
    return code == 36 or code == 163 or code == 8364


def _add(leads: list[int], start: int, kind: int, end: int) -> None:
    """Append the lead (start, kind, end) to ``leads``."""
    leads.append(start)
    leads.append(kind)
    leads.append(end)


def _leads(folded: str) -> list[int]:
    """The leads of ``folded`` (see ``_ATOMS_PATTERN``) as flat (start, kind, end) triples,
    found from the runs of digits: an sre scan for their first characters costs ~7 ns a
    character, bytes.find (memchr) next to nothing. Every lead lies at most three characters
    before a run of digits, or starts one: a run's first digit is a ``num`` (not after
    ``[0-9a-z.,]``; it ends with the run), an ``imp`` (after "a" or "e") or a ``run`` lead;
    before it, a "." right before it (not after ``[0-9a-z.,]``) is a ``dot``, "+", "#" and "x"
    (not after ``[0-9a-z]``) before it or before a whitespace before it are signs, and a
    currency sign before it, before a whitespace or a "." before it, or before a whitespace and
    a "." before it, is a ``cur``.
    (The tests' ``_LEAD`` also finds the currency signs that no digit follows there:
    ``_AT_CURRENCY`` matches at none of them, so they are left out.)"""
    # (as a str: mypyc calls str.find directly, bytes.find through its argument parsing)
    marks = folded.encode("ascii", "replace").translate(DIGIT_MARKS).decode("ascii")
    size = len(marks)
    leads: list[int] = []
    start = marks.find("0")
    while start != -1:
        end = marks.find(" ", start)
        if end == -1:
            end = size
        if start:
            c1 = ord(folded[start - 1])
            c2 = ord(folded[start - 2]) if start > 1 else 32
            before_dot = c1 == 46 and start > 2 and folded[start - 2].isspace()
            if before_dot and _is_currency(ord(folded[start - 3])):  # "€ .5"
                _add(leads, start - 3, _LEAD_CUR, start - 2)
            if start > 1 and (c2 == 43 or c2 == 35 or c2 == 120 or _is_currency(c2)):
                space1 = folded[start - 1].isspace()
                if _is_currency(c2) and (space1 or c1 == 46):  # "€ 5", "€.5"
                    _add(leads, start - 2, _LEAD_CUR, start - 1)
                elif space1 and (c2 == 43 or c2 == 35):  # "+ 5", "# 5"
                    _add(leads, start - 2, _LEAD_SIGN, start - 1)
                elif space1 and c2 == 120 and (start < 3 or not _is_word(ord(folded[start - 3]))):
                    _add(leads, start - 2, _LEAD_X, start - 1)  # "x 5"
            if c1 == 46:
                if not (_is_word(c2) or c2 == 46 or c2 == 44):
                    _add(leads, start - 1, _LEAD_DOT, start)  # ".5"
            elif _is_currency(c1):
                _add(leads, start - 1, _LEAD_CUR, start)
            elif c1 == 43 or c1 == 35:
                _add(leads, start - 1, _LEAD_SIGN, start)
            elif c1 == 120 and not _is_word(c2):
                _add(leads, start - 1, _LEAD_X, start)  # "x5"
            if c1 == 97 or c1 == 101:
                _add(leads, start, _LEAD_IMP, start + 1)
            elif _is_word(c1) or c1 == 46 or c1 == 44:
                _add(leads, start, _LEAD_RUN, start + 1)
            else:
                _add(leads, start, _LEAD_NUM, end)
        else:
            _add(leads, start, _LEAD_NUM, end)
        start = marks.find("0", end)
    return leads


# after a run of digits, the letters that may open a price or an ``imp`` in its variant:
# "a" and "p" (``_IMP``: "la 25 a 150", "le 5 pour 40"), "e" ("10e", "10 eur") and the
# currency words' initials, each with the words it may open (``cur_c``: "10gbp"; "euros?"
# and "dollars?" as "euro" and "dollar"), taken from ``_CURRENCY_WORDS`` so that none is missed
_PRICE_WORDS = [word.removesuffix("s?") for word in _CURRENCY_WORDS.split("|")]
_PRICE_LETTERS: Final = {
    word[0]: tuple([other for other in _PRICE_WORDS if other[0] == word[0]])
    for word in _PRICE_WORDS
}


def _may_price(folded: str, leads: list[int]) -> bool:
    """False when no lead of ``leads`` may start a ``price`` or ``imp`` match: then no line has
    a price and none of the matches is wanted (only the runs of digits are). ``dot``, ``imp``
    and ``cur`` leads may; signs and ``run`` leads start no such match; a ``num`` lead may,
    unless a letter follows its run (its variant is then tried), other than "a", "p" and "e",
    or the initial of a currency word that does not follow there."""
    size = len(folded)
    for i in range(0, len(leads), 3):
        how = leads[i + 1]
        if how in (_LEAD_DOT, _LEAD_IMP, _LEAD_CUR):
            return True
        if how == _LEAD_NUM:
            end = leads[i + 2]
            if end >= size:
                return True
            code = ord(folded[end])
            if not 97 <= code <= 122 or code == 97 or code == 112 or code == 101:  # a, p, e
                return True
            words = _PRICE_LETTERS.get(folded[end])
            if words is not None and folded.startswith(words, end):
                return True
    return False


def _matches(folded: str, leads: list[int], runs: list[int]) -> list[re.Match[str]]:
    """The atom matches of ``folded``, in order, noise left out: ``_ATOMS_PATTERN`` tried at
    each position a match may start from (its ``leads``, from :func:`_leads`), the first one
    after the end of the previous match. Adds to ``runs`` the offset of the first digit of each run
    of digits."""
    found: list[re.Match[str]] = []
    covered = 0
    for i in range(0, len(leads), 3):
        start = leads[i]
        how = leads[i + 1]
        if how in (_LEAD_NUM, _LEAD_RUN, _LEAD_IMP):
            runs.append(start)
            if how == _LEAD_RUN:
                continue
        if start < covered:
            continue
        pattern: re.Pattern[str] | None
        if how == _LEAD_NUM:
            pattern = _at_number(folded, start, leads[i + 2])
            if pattern is None:
                continue
        elif how == _LEAD_DOT:
            pattern = _AT_NUMBER
        elif how == _LEAD_CUR:
            pattern = _AT_CURRENCY
        elif how == _LEAD_IMP:
            pattern = _AT_IMP
        elif how == _LEAD_X:
            pattern = _AT_X
        else:
            pattern = _AT_SIGN
        m = pattern.match(folded, start)
        if m is None:
            continue
        end = m.end()
        covered = end if end > start else start + 1
        if m.lastgroup != "noise":
            found.append(m)
    return found


def _atoms(doc: Doc) -> list[list[_Atom]]:
    """Atoms of each line that starts a price, in order (other lines are left out: an offer
    pairs atoms of one line, one of them an ``imp`` or ``price`` match, and a line without
    offers only names a header, which :func:`find_offers` reads from the product hits)."""
    folded = doc.folded
    runs: list[int] = []
    leads = _leads(folded)
    if not _may_price(folded, leads):  # (most listings: "50g MXE", "100mg DMT")
        for i in range(0, len(leads), 3):
            if leads[i + 1] in (_LEAD_NUM, _LEAD_RUN, _LEAD_IMP):
                runs.append(leads[i])
        doc.digit_runs = runs
        return []
    matches = _matches(folded, leads, runs)
    doc.digit_runs = runs
    # the matches of each priced line, and where the line ends (its "\n", or the text's end):
    # matches come in order, so a line ends where the first match past its end starts another
    lines: list[tuple[int, list[re.Match[str]]]] = []
    line: list[re.Match[str]] = []
    line_end = -1
    priced = False
    for m in matches:
        start = m.start()
        if start > line_end:
            if priced:
                lines.append((line_end, line))
            line = []
            priced = False
            line_end = folded.find("\n", start)
            if line_end == -1:
                line_end = len(folded)
        line.append(m)
        if not priced:
            kind = m.lastgroup
            priced = kind == "price" or kind == "imp"
    if priced:
        lines.append((line_end, line))
    if not lines:
        return []
    fractions, packs = _word_led_starts(doc)
    return [_line_atoms(folded, line, line_end, fractions, packs) for line_end, line in lines]


def _word_led_starts(doc: Doc) -> tuple[list[int], list[int]]:
    """Folded starts of the leftmost-first matches of ``_WORD_LED``: fractions, packs."""
    fractions: list[int] = []
    packs: list[int] = []
    for index, start, _end in _WORD_LED.find_matches_as_indexes(doc.spaced_bytes):
        if index < len(_FRACTION_WORDS):
            fractions.append(start - 1)
        else:
            packs.append(start - 1)
    return fractions, packs


def _line_atoms(
    folded: str,
    matches: list[re.Match[str]],
    line_end: int,
    fractions: list[int],
    packs: list[int],
) -> list[_Atom]:
    """The atoms of one line: its matches, then :func:`_word_atoms`."""
    atoms: list[_Atom] = []
    for m in matches:
        start = m.start()
        kind = m.lastgroup
        if kind == "imp":
            atoms.append(_Atom("q", start, start, float(m["imp_q"]), "g"))
            atoms.append(_Atom("weak", start, m.end(), float(m["imp_p"]), "EUR"))
        elif kind == "qty":
            atoms.append(_quantity(m["qty_n"], m["qty_u"], start, m.end(), bool(m["qty_per"])))
        elif kind == "frac":
            grams = int(m["frac_a"]) / int(m["frac_b"]) * _MASS.get(m["frac_u"] or "oz", OUNCE)
            count = int(m["frac_n"]) if m["frac_n"] else 1
            atoms.append(_Atom("q", start, m.end(), grams * count, "g"))
        elif kind == "count":
            atoms.append(_Atom("count", start, m.end(), float(m["count_a"] or m["count_b"])))
        elif kind == "price":
            weak = m["weak_n"]
            if not weak:
                kind = "price"
                number = m["price_a"] or m["price_b"]
                currency = _CURRENCY[m["cur_a"] or m["cur_b"] or m["cur_c"]]
            else:
                kind, number, currency = "weak", weak, "EUR"
            # (each group looked up once: a lookup is a method call and a dict search)
            per = m["per"]
            each = m["each"]
            end = m.start("per") if per is not None else m.start("each") if each else m.end()
            atoms.append(_Atom(kind, start, end, _number(number), currency))
            if per is not None or each:
                unit = "g" if (m["per_u"] or "").startswith("g") else "unit"
                # ("$\n45 each": a "per" opening a line has no price before it: it pairs nothing)
                if end <= line_end:
                    atoms.append(_Atom("per", end, m.end(), 1.0, unit))
    _word_atoms(folded, atoms, fractions, packs)
    return atoms


def _word_atoms(folded: str, atoms: list[_Atom], fractions: list[int], packs: list[int]) -> None:
    """Add to the atoms of one line the word-led quantities ("half oz", "le pochon") that start
    on it: both regexes are searched from the line start to just past its end (a match may run
    onto the next line: "le\npochon"; none is longer than 16 characters, nor can two overlap),
    each only if one of its words starts there (``fractions``, ``packs``: the starts of the
    leftmost-first matches of ``_WORD_LED``; a word inside the range starts one of them
    inside it, as none holds the line's "\n", nor can match across it)."""
    first = folded.rfind("\n", 0, atoms[0].start) + 1
    last = folded.find("\n", first)
    if last == -1:
        last = len(folded)
    stop = min(len(folded), last + 32)
    n_matched = len(atoms)
    if _starts_between(fractions, first, stop):
        for m in _WORD_QTY.finditer(folded, first, stop):
            if m.start() < last:
                grams = _FRACTION[m["f"]] * _MASS[m["u"]]
                atoms.append(_Atom("q", m.start(), m.end(), grams, "g"))
    if _starts_between(packs, first, stop):
        for m in _PACK.finditer(folded, first, stop):
            if m.start() < last:
                unit = "pill" if m["u"] == "taz" else "unit"
                atoms.append(_Atom("q", m.start(), m.end(), 1.0, unit))
    if len(atoms) > n_matched:  # word atoms start with a letter: never where a match does
        atoms.sort(key=lambda atom: atom.start)


def _starts_between(starts: list[int], lo: int, hi: int) -> bool:
    """Whether a value of ``starts`` (sorted) lies in ``[lo, hi)``."""
    i = bisect_left(starts, lo)
    return i < len(starts) and starts[i] < hi


def _quantity(number: str, unit: str, start: int, end: int, per_unit: bool) -> _Atom:
    amount = _number(number)
    if unit in _DOSE or per_unit:
        return _Atom("dose", start, end, 1.0, "pill", dose=amount * _DOSE.get(unit, 0.001))
    if unit in _MASS:
        return _Atom("q", start, end, amount * _MASS[unit], "g")
    if unit in _VOLUME:
        return _Atom("q", start, end, amount * _VOLUME[unit], "ml")
    is_pill = unit.startswith(_PILL_WORDS)
    return _Atom("q", start, end, amount, "pill" if is_pill else "unit")


def _resolve_counts(atoms: list[_Atom]) -> list[_Atom]:
    """Apply counts ("3 x 1g", "10 x 120mg", "50 mg x 100", "x2") and drop doses under counts."""
    out: list[_Atom] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        nxt = atoms[i + 1] if i + 1 < len(atoms) else None
        if atom.kind == "count":
            previous = out[-1] if out else None
            if nxt is not None and nxt.kind in ("q", "dose") and nxt.start - atom.end <= 40:
                if nxt.kind == "q" and nxt.unit == "g":
                    out.append(_Atom("q", atom.start, nxt.end, nxt.value * atom.value, "g"))
                else:
                    dose = nxt.dose
                    out.append(_Atom("q", atom.start, nxt.end, atom.value, "pill", dose=dose))
                i += 2
                continue
            if (
                previous is not None
                and previous.kind in ("q", "dose")
                and atom.start - previous.end <= 3
            ):
                if previous.kind == "q":
                    previous.value *= atom.value
                else:
                    previous.kind, previous.value = "q", atom.value
                previous.end = atom.end
                i += 1
                continue
            out.append(_Atom("q", atom.start, atom.end, atom.value, "unit"))
        elif (
            atom.kind == "q"
            and atom.unit in ("unit", "pill")
            and nxt is not None
            and nxt.kind == "q"
            and nxt.unit in ("g", "ml")
            and nxt.start - atom.end <= 3
        ):
            out.append(_Atom("q", atom.start, nxt.end, nxt.value, nxt.unit))  # "1 plaquette (100g)"
            i += 2
            continue
        else:
            out.append(atom)
        i += 1
    if any(a.kind == "q" and a.unit == "pill" for a in out):
        doses = [a.dose for a in out if a.kind == "dose"]
        out = [a for a in out if a.kind != "dose"]
        for a in out:
            if a.unit == "pill" and a.dose is None and doses:
                a.dose = doses[0]
    return out


def _pairs(atoms: list[_Atom]) -> list[tuple[_Atom, _Atom]]:
    """(quantity-or-dose, price) pairs of one line, in order."""
    pairs: list[tuple[_Atom, _Atom]] = []
    used: set[int] = set()
    for i, atom in enumerate(atoms):
        if atom.kind in ("q", "dose"):
            nxt = atoms[i + 1] if i + 1 < len(atoms) else None
            per_unit_price = i + 2 < len(atoms) and atoms[i + 2].kind == "per"  # "$13/tab"
            if (
                nxt is not None
                and nxt.kind in ("price", "weak")
                and nxt.start - atom.end <= _MAX_GAP
                and not (per_unit_price and atoms[i + 2].start - nxt.end <= 2)
            ):
                pairs.append((atom, nxt))
                used.add(i + 1)
                continue
            prev = atoms[i - 1] if i else None
            if (
                prev is not None
                and prev.kind == "price"
                and i - 1 not in used
                and atom.start - prev.end <= _MAX_GAP + 20
            ):
                pairs.append((atom, prev))
                used.add(i - 1)
        elif (
            atom.kind == "per"
            and i
            and atoms[i - 1].kind in ("price", "weak")
            and i - 1 not in used
            and atom.start - atoms[i - 1].end <= 2
        ):
            price = atoms[i - 1]  # "70 le g", "$10 each"
            pairs.append((_Atom("q", price.start, atom.end, 1.0, atom.unit), price))
            used.add(i - 1)
    return pairs


def _line_products(doc: Doc, hits: Sequence[ProductHit]) -> dict[int, list[ProductHit]]:
    by_line: dict[int, list[ProductHit]] = {}
    for hit in hits:
        by_line.setdefault(doc.line_of(hit.start), []).append(hit)
    return by_line


def _product_for(
    pair_start: int, line_hits: list[ProductHit], header: str | None, only: str | None
) -> str | None:
    """The word product named last before the pair on its line (else an emoji, else the first
    product after it on the line, else the header's, else the message's only product)."""
    # (bisect_left(line_hits, pair_start, key=start), without a key function called per step)
    i = 0
    hi = len(line_hits)
    while i < hi:
        mid = (i + hi) // 2
        if line_hits[mid].start < pair_start:
            i = mid + 1
        else:
            hi = mid
    fallback = None
    for hit in reversed(line_hits[max(0, i - 8) : i]):  # bounded: linear on a 1 MB line
        if hit.rank > 0:
            return hit.product
        fallback = fallback or hit.product
    if fallback:
        return fallback
    if line_hits:
        return line_hits[0].product
    return header or only


def _first_currency(lines: list[list[_Atom]]) -> str:
    """The currency of the message's first price ("EUR" if none)."""
    for atoms in lines:
        for atom in atoms:
            if atom.kind == "price":
                return atom.unit
    return "EUR"


def find_offers(doc: Doc, hits: Sequence[ProductHit]) -> list[Entity]:
    """``offer`` entities of ``doc`` given its kept product mentions (see module docstring)."""
    lines = _atoms(doc)
    if not lines:
        return []
    by_line = _line_products(doc, hits) if hits else {}
    distinct = {hit.product for hit in hits}
    only = next(iter(distinct)) if len(distinct) == 1 else None
    default_currency = _first_currency(lines)
    offers: list[_Offer] = []
    header: str | None = None
    last_line = -1
    for atoms in lines:
        line = doc.line_of(atoms[0].start)
        for skipped in range(last_line + 1, line):  # header lines: a product, no price
            if skipped in by_line:
                header = by_line[skipped][-1].product
        last_line = line
        line_hits = by_line.get(line, [])
        current: _Offer | None = None
        for quantity, price in _pairs(_resolve_counts(atoms)):
            start = min(quantity.start, price.start)
            end = max(quantity.end, price.end)
            product = _product_for(start, line_hits, header, only)
            currency = price.unit if price.kind == "price" else default_currency
            if quantity.kind == "dose":
                per_unit = (
                    product in _PER_UNIT
                    or (quantity.dose or 0) < 0.0005
                    or _PILL_LINE.search(doc.folded, quantity.start, quantity.end + 40) is not None
                )
                unit, amount = ("pill", 1.0) if per_unit else ("g", quantity.dose or 0.0)
            else:
                unit, amount = quantity.unit, quantity.value
            if amount <= 0 or price.value <= 0 or amount > 1e6 or price.value > 1e7:
                continue
            if (
                current is not None
                and current.product == product
                and current.unit == unit
                and current.currency == currency
            ):
                current.tiers.append((amount, price.value))
                current.end = max(current.end, end)
                continue
            tiers = [(amount, price.value)]
            current = _Offer(start, end, product, unit, currency, tiers, quantity.dose)
            offers.append(current)
        if line_hits:
            header = line_hits[-1].product
    return [_entity(doc, offer) for offer in offers if _finite(offer)]


def _finite(offer: _Offer) -> bool:
    """Whether every number of ``offer`` is finite: 400 digits read as infinity, and a price
    over 0.000…5 g as an infinite price per gram. Such an offer is no offer (and JSON, the
    form of its attrs, has no infinity)."""
    for quantity, price in offer.tiers:
        if not (math.isfinite(quantity) and math.isfinite(price)):
            return False
    quantity, price = offer.tiers[0]
    dose = offer.dose
    return (
        quantity != 0
        and math.isfinite(price / quantity)
        and (not dose or math.isfinite(dose * 1000))
    )


def _entity(doc: Doc, offer: _Offer) -> Entity:
    """The offer's entity; its attrs are written here as ``compact_json`` writes the dict
    ``{"product", "quantity", "unit", "price", "currency", "price_per_unit"[, "tiers"]
    [, "dose_mg"]}`` (the encoder costs ~2 us a call, as Python code)."""
    quantity, price = offer.tiers[0]
    parts = [
        '{"product":',
        _json_text(offer.product),
        ',"quantity":',
        _json_number(_clean(quantity)),
        ',"unit":',
        _json_text(offer.unit),
        ',"price":',
        _json_number(_clean(price)),
        ',"currency":',
        _json_text(offer.currency),
        ',"price_per_unit":',
        _json_number(_round4(price / quantity)),
    ]
    if len(offer.tiers) > 1:
        tiers = [f"[{_json_number(_clean(q))},{_json_number(_clean(p))}]" for q, p in offer.tiers]
        parts.append(',"tiers":[' + ",".join(tiers) + "]")
    if offer.dose:
        parts.append(',"dose_mg":' + _json_number(_clean(offer.dose * 1000)))
    parts.append("}")
    o_start, o_end = doc.span(offer.start, offer.end)
    text = doc.text[o_start:o_end]
    return new_entity("offer", offer.product or "other", text, o_start, o_end, "".join(parts))


_JSON_TEXTS: dict[str, str] = {}  # product ids, units, currencies: a few dozen strings


def _json_text(text: str | None) -> str:
    """``text`` as JSON writes it (``compact_json``: non-ASCII kept)."""
    if text is None:
        return "null"
    held = _JSON_TEXTS.get(text)
    if held is None:
        held = json.dumps(text, ensure_ascii=False)
        if len(_JSON_TEXTS) < 512:
            _JSON_TEXTS[text] = held
    return held


def _round4(value: float) -> float:
    """``round(value, 4)``, a whole number as itself (no decimal conversion)."""
    if -1e15 < value < 1e15 and float(int(value)) == value:
        return value
    return round(value, 4)


def _json_number(value: float | int) -> str:
    """A number as JSON writes it: ``int.__repr__``, ``float.__repr__`` when finite (which
    writes a whole number under 1e16 as its digits and ".0")."""
    if isinstance(value, int):
        return str(value)
    if 0 < value < 1e15 and float(int(value)) == value:
        return str(int(value)) + ".0"
    if math.isfinite(value):
        return repr(value)
    return "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"


def _clean(value: float) -> float | int:
    if -1e15 < value < 1e15:  # (round(value, 3) of a whole number is itself: skip its dtoa)
        whole = int(value)
        if float(whole) == value:
            return whole
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded
