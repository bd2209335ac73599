"""Features of one message for the detection model: lexicon hits, structure, context.

A message becomes a short dense vector (named features, :data:`FEATURES`): the summed weight of
lexicon hits per tag group (a repeated term counts once; ambiguous product words such as "base"
or "blanche" feed ``product:weak``), counts of structural patterns found on the folded text
(prices, quantities, doses, price per gram, menu lines, pay per day, opening hours, links,
phones, first-person threats), counts of the entities the extraction stage found, and a few
conjunctions a linear model cannot form by itself (a product *and* a price; a role *and* pay;
emojis or many lines *and* a price — emojis alone are not evidence). Every non-zero feature keeps
the spans that produced it, so that a decision can show its cues. The regexes are linear: no
nested quantifiers over overlapping classes, bounded repeats, cheap substring gates first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import ahocorasick_rs

from vigie.analyse.lexicon import Term
from vigie.analyse.matcher import Hit
from vigie.analyse.normalise import DIGIT_MARKS
from vigie.model import Entity

__all__ = [
    "FEATURES",
    "PATTERNS",
    "FeatureRow",
    "feature_name",
    "message_features",
    "scanned_features",
    "term_note",
]


_THREAT_VERB_WORDS = (  # noqa: SIM905 - one readable block
    "tuer|tue|bute|buter|fum|plant|niqu|nik|ntm|defonc|demont|defigur|eclat|explos|cass|"
    "bris|pet|dechir|brul|cram|crev|saign|frapp|tabass|marav|allum|rafal|plomb|fracass|"
    "demoli|soulev|balay|enterr|egorg|retrouv|attrap|baise|encul|louvr|ecras|massacr|bais|"
    "bols|detrui|viol|finir|faire la peau|faire payer|fais payer|fais gout|faire gout|"
    "fais regrett|faire regrett|fais mal|faire mal|rend visite|degag|faire la guerre|bot|"
    "envoyer une equipe|envoyer des gars|kill|hurt"
).split("|")
_THREAT_VERBS = "(?:" + "|".join(_THREAT_VERB_WORDS) + ")"  # plain words: no regex syntax
_THREAT_PRONOUNS = ("te", "t'", "vous", "vs", "you", "l'")
_UNIT_WORDS = (
    r"g|gr|grs|grammes?|gramm?s?|kg|kilos?|mg|mcg|ug|µg|ml|cl|oz|ounces?|lbs?|pounds?|tabs?|"
    r"pills?|caps?|capsules?|blotters?|pcs|pieces?|hits|drops|qp|hp|zips?|pochons?|barrettes?|"
    r"plaquettes?|ballons?|bonbonnes?"
)
_PER_UNIT = (
    r"g|gr|gramme|gram|pochon|barrette|plaquette|ballon|pilule|cachet|cap|tab|pill|unite|"
    r"piece|plaque|kilo|kg|oz"
)
_PER_DAY = r"j|jour|jours|journee|jrs?|day|days|semaine|sem|week|nuit|night|shift"
_DOSE_UNITS: Final = frozenset({"mg", "mcg", "ug", "µg"})
_NUMBER: Final = re.compile(
    r"\d\d{0,5}(?:[.,]\d{1,3})?"
)  # \d{1,6}: a leading class is searched faster


def _spelled(alternatives: str) -> tuple[str, ...]:
    """The words of a regex alternation of plain words where a letter may be optional
    ("grammes?|gramm?s?" -> grammes, gramme, gramms, gramm, grams, gram)."""
    words: list[str] = []
    for alternative in alternatives.split("|"):
        spelled = [""]
        for k, char in enumerate(alternative):
            if char == "?":
                continue
            assert char.isalnum(), alternative  # plain words, "?" after a letter
            optional = alternative[k + 1 : k + 2] == "?"
            spelled = [w + char for w in spelled] + (spelled if optional else [])
        words.extend(spelled)
    return tuple(words)


# What follows a number: a currency, "per <unit>" or "per <day>", a unit, an hour, an age, "%".
# _after_number below reads it without the regex engine: it does what _AFTER_NUMBER.match does,
# the regex that tests/analyse/test_fast_paths.py keeps as its reference (built from _UNIT_WORDS,
# _PER_UNIT and _PER_DAY above). Every word of the regex ends in a word character and is followed by \b (or (?!\w)), so that it matches
# at q exactly when the run of word characters starting at q *is* that word: which of a set of
# words matches no longer depends on the order of the alternatives, only on that run.
_CURRENCY_WORDS: Final = frozenset(_spelled("eur|euros?|e|balles|usd|gbp|dollars?|boules?"))
_ARTICLES: Final = ("le", "la", "les", "/", "par", "per", "a", "the", "each", "an")
_ARTICLES_BY_FIRST: Final = {
    first: tuple(article for article in _ARTICLES if article[0] == first)
    for first in dict.fromkeys(article[0] for article in _ARTICLES)
}
_PER_UNIT_WORDS: Final = frozenset(_spelled(_PER_UNIT))
_PER_DAY_WORDS: Final = frozenset(_spelled(_PER_DAY))
_UNIT_SET: Final = frozenset(_spelled(_UNIT_WORDS))
_FRACTION_WORDS: Final = frozenset(("oz", "ounce", "once", "lb"))
_LONGEST_WORD: Final = max(
    map(len, _CURRENCY_WORDS | _PER_UNIT_WORDS | _PER_DAY_WORDS | _UNIT_SET | _FRACTION_WORDS)
)
# what _after_number found after the number: the _AFTER_NUMBER group that matched, besides
# "currency" (AFTER_CURRENCY, a bit of its own); _AFTER_DOSE is a "unit" in _DOSE_UNITS
_AFTER_PER_UNIT: Final = 2
_AFTER_PER_DAY: Final = 4
_AFTER_UNIT: Final = 6
_AFTER_DOSE: Final = 8
_AFTER_FRACTION: Final = 10
_AFTER_TIMES: Final = 12
_AFTER_HOUR: Final = 14
_AFTER_AGE: Final = 16
_AFTER_PERCENT: Final = 18
_AFTER_CURRENCY: Final = 1
_AFTER_KINDS: Final = 32  # code = stop * _AFTER_KINDS + kind (| _AFTER_CURRENCY)


def _word_end(text: str, q: int, size: int) -> int:
    r"""The end of the run of word characters (regex \w: alphanumeric or "_") starting at
    ``q``, or -1 when the run is longer than every word _after_number looks for."""
    stop = q + _LONGEST_WORD + 1 if q + _LONGEST_WORD + 1 < size else size
    k = q
    while k < stop:
        char = text[k]
        if not (char.isalnum() or char == "_"):
            return k
        k += 1
    return k if k < q + _LONGEST_WORD + 1 else -1


def _is_word_char(text: str, q: int, size: int) -> bool:
    if q >= size:
        return False
    char = text[q]
    return char.isalnum() or char == "_"


def _after_number(text: str, pos: int, size: int) -> int:
    """``_AFTER_NUMBER.match(text, pos)`` as a code: its end times _AFTER_KINDS, plus the
    _AFTER_* kind of the group that matched after the currency (0: none), plus
    _AFTER_CURRENCY when the currency group matched. The regex never backtracks into its
    optional space and currency (what follows them is optional: their first choice always
    leads to a match), and its alternatives are tried here in the regex's order."""
    if pos < size and text[pos] == " ":
        pos += 1
    currency = 0
    k = -2  # the end of the word at pos, when known
    word = ""
    if pos < size:
        if text[pos] in "€$£":
            currency = _AFTER_CURRENCY
            pos += 1
        else:
            k = _word_end(text, pos, size)
            if k > pos:
                word = text[pos:k]
                if word in _CURRENCY_WORDS:
                    currency = _AFTER_CURRENCY
                    pos = k
                    k = -2
        if currency and pos < size and text[pos] == " ":
            pos += 1
    if pos >= size:
        return pos * _AFTER_KINDS + currency
    if k == -2:
        k = _word_end(text, pos, size)
        word = text[pos:k] if k > pos else ""
    first = text[pos]
    # (le|la|les|/|par|per|a|the|each|an) ?(per_unit|per_day)\b, the articles that start with
    # the first character in the regex's order; after a space, the word cannot start at the
    # space (the path without it fails)
    for article in _ARTICLES_BY_FIRST.get(first, ()):
        if text[pos : pos + len(article)] == article:
            q = pos + len(article)
            if q < size and text[q] == " ":
                q += 1
            after = _word_end(text, q, size)
            if after > q:
                unit = text[q:after]
                if unit in _PER_UNIT_WORDS:
                    return after * _AFTER_KINDS + _AFTER_PER_UNIT + currency
                if unit in _PER_DAY_WORDS:
                    return after * _AFTER_KINDS + _AFTER_PER_DAY + currency
    if k > pos:
        if word in _UNIT_SET:  # (units)(?!\w)
            kind = _AFTER_DOSE if word in _DOSE_UNITS else _AFTER_UNIT
            return k * _AFTER_KINDS + kind + currency
        if first == "h":  # h(?:[0-5]\d)?\b
            if (
                pos + 2 < size
                and text[pos + 1] in "012345"
                and text[pos + 2].isdecimal()
                and not _is_word_char(text, pos + 3, size)
            ):
                return (pos + 3) * _AFTER_KINDS + _AFTER_HOUR + currency
            if k == pos + 1:
                return k * _AFTER_KINDS + _AFTER_HOUR + currency
        if word == "ans":
            return k * _AFTER_KINDS + _AFTER_AGE + currency
    if first == "%":
        return (pos + 1) * _AFTER_KINDS + _AFTER_PERCENT + currency
    if first == "/" and pos + 1 < size and text[pos + 1].isdecimal():
        # /\d{1,2} ?(oz|ounce|once|lb)\b: two digits, then one; a space, then none
        digits = 2 if pos + 2 < size and text[pos + 2].isdecimal() else 1
        while digits:
            r = pos + 1 + digits
            if r < size and text[r] == " ":
                k = _word_end(text, r + 1, size)
                if k > r + 1 and text[r + 1 : k] in _FRACTION_WORDS:
                    return k * _AFTER_KINDS + _AFTER_FRACTION + currency
            k = _word_end(text, r, size)
            if k > r and text[r:k] in _FRACTION_WORDS:
                return k * _AFTER_KINDS + _AFTER_FRACTION + currency
            digits -= 1
    if first == "x" and not _is_word_char(text, pos + 1, size):
        return (pos + 1) * _AFTER_KINDS + _AFTER_TIMES + currency
    return pos * _AFTER_KINDS + currency


# The characters a non-empty _AFTER_NUMBER match can start with (its optional space, then the
# first characters of its words and signs; tests/analyse/test_fast_paths.py derives this set
# from the regex). After any other character the match is empty and every group is None; after
# " " followed by a character outside _AFTER_SPACE it is the space alone, with no group.
_AFTER_FIRST: Final = " $%/abcdeghklmopqtuxz£µ€"
_AFTER_SPACE: Final = _AFTER_FIRST[1:]
# Each alternative starts with a literal character, so that the search skips to the characters
# that can start a match: "0(?<!\w0)" is "\b0" and "t(?<!\wt)" is "\bt" (0 and t are word
# characters), "@(?<![\w.]@)" is "(?<![\w.])@", "(?:\+|00)X" is "\+X|00X".
_PHONE: Final = re.compile(
    r"\+\d{1,3}[ .-]?\d(?:[ .-]?\d\d){4}|00\d{1,3}[ .-]?\d(?:[ .-]?\d\d){4}"
    r"|0(?<!\w0)[1-9](?:[ .-]?\d\d){4}\b"
)
_LINK: Final = re.compile(
    r"https?://|www\.|t(?<!\wt)\.me/|telegram\.me/|wa\.me/|snapchat\.com/|\.onion\b"
)
_TELEGRAM: Final = re.compile(r"t(?<!\wt)\.me/|telegram\.me/|joinchat")
_HANDLE: Final = re.compile(r"@(?<![\w.]@)[a-z0-9_]{3,32}\b")
_THREAT: Final = re.compile(rf"(?:{'|'.join(_THREAT_PRONOUNS)})'? ?{_THREAT_VERBS}")
# the pronoun glued to the subject or verb: "jte baise", "jvais tencule"
_THREAT_GLUED: Final = re.compile(
    rf"j(?:te|t'|vous|vs) ?{_THREAT_VERBS}|j'?(?:vais|vai|v) t'?(?:encul|nik|niqu|tu|bute|crev)"
)
_THREAT_SUBJECT: Final = re.compile(
    r"(?:^|[^a-z])(?:je|j'|j|jv|jvai|jvais|on|nous|ils|elles|i|we|i'll|we'll)"
    r" ?'?(?:vais|vai|va|vas|v|allons|vont|compte|veux|will|gonna|going to)? ?$"
)
_YOU_WILL: Final = re.compile(
    r"\b(?:tu|vous|il|elle|ils|elles) (?:vas|va|allez|vai|vont)(?: \w{1,8})? (?:voir|le payer|"
    r"payer|regrett|comprendre|morfl|crev|mourir|souffrir|prendre cher|finir|disparaitre|"
    r"pleurer|avoir ce que)"
    r"|\bt'?es (?:mort|morte|fini|finie)\b|\b(?:fais|fait|faites) gaffe\b"
    r"|\bregl\w{0,5} (?:ton|son|votre|leur) compte|\bje sais ou (?:t'?habite|tu (?:vis|habite))"
)
# cheap substring gates: a regex only runs when its words can be there
# (every _YOU_WILL match contains one; few distinct first characters keep the automaton fast)
_YOU_WILL_MARKERS = (
    " vas ", " va ", " vai ", " vont ", " allez ", "tes mort", "t'es mort", "tes fini",
    "t'es fini", " gaffe", " compte", " sais ou",
)  # fmt: skip
_GLUED_MARKERS = ("jte", "jt'", "jvai", "jv ", "j'vai", "jvous", "jvs")
_LINK_MARKERS = ("http", "www.", "t.me", "telegram.me", "wa.me", "snapchat.com", ".onion")
# Emojis (struct:emoji) are the characters U+2600-U+27BF and U+1F000-U+1FAFF, counted in UTF-8:
# U+1F000-U+1FAFF are F0 9F 80 80 to F0 9F AB BF, U+2600-U+27BF E2 98 80 to E2 9E BF. F0 and E2
# only ever start a character, so each match of these two is one emoji; their literal first
# bytes are searched much faster than a character class.
_EMOJI_UTF8_4: Final = re.compile(rb"\xf0\x9f[\x80-\xab]")
_EMOJI_UTF8_3: Final = re.compile(rb"\xe2[\x98-\x9e]")


# Every _THREAT match starts with one of these literal strings (pronoun, optional "'", optional
# space, verb): the gate is exact, and _THREAT only runs on the few texts that have one.
_THREAT_MARKERS = tuple(
    pronoun + quote + space + verb
    for pronoun in _THREAT_PRONOUNS
    for quote in ("", "'")
    for space in ("", " ")
    for verb in _THREAT_VERB_WORDS
)


def _gate_keys() -> dict[str, int]:
    """The marker lists above, each marker with the bit set of the gates it opens."""
    opens: dict[str, int] = {}
    for gate, markers in (
        (_GATE_LINK, _LINK_MARKERS),
        (_GATE_GLUED, _GLUED_MARKERS),
        (_GATE_YOU, _YOU_WILL_MARKERS),
        (_GATE_THREAT, _THREAT_MARKERS),
    ):
        for marker in markers:
            opens[marker] = opens.get(marker, 0) | gate
    return opens


_GATE_LINK: Final = 1
_GATE_GLUED: Final = 2
_GATE_YOU: Final = 4
_GATE_THREAT: Final = 8
_GATE_KEYS: Final = _gate_keys()
_GATE_VALUES: Final = list(_GATE_KEYS.values())  # by key index
# The marker lists above in one automaton: one pass tells which gates are open (a marker's value,
# by its index, is the bit set of the gates it opens). It scans the bytes _patterns has anyway
# (the text in Latin-1, "?" for any character above U+00FF): every marker is ASCII without "?",
# so a marker occurs in those bytes exactly where it occurs in the text
assert all(marker.isascii() and "?" not in marker for marker in _GATE_KEYS)
_GATE_BYTES: Final = ahocorasick_rs.BytesAhoCorasick(
    [marker.encode("ascii") for marker in _GATE_KEYS],
    implementation=ahocorasick_rs.Implementation.DFA,
)

PATTERNS: tuple[str, ...] = (
    "pat:price",
    "pat:quantity",
    "pat:dose",
    "pat:multiplier",
    "pat:price_per_unit",
    "pat:pay_per_day",
    "pat:percent_off",
    "pat:percent",
    "pat:hours",
    "pat:age",
    "pat:phone",
    "pat:link",
    "pat:telegram_link",
    "pat:handle",
    "pat:threat",
    "pat:you_will",
)
_CAPS: Final = {"pat:price": 3.0, "pat:quantity": 3.0, "pat:hours": 3.0}

_LEX_GROUPS = (  # noqa: SIM905 - one readable block
    "sale:offer sale:menu sale:order sale:unit sale:quality sale:market sale:drug promotion "
    "logistics logistics:place logistics:hours police_watch police_watch:weak "
    "police_watch:warning recruitment recruitment:weak role pay minors minors:weak "
    "violence:threat violence:snitch violence:act weapons weapons:ammo weapons:other "
    "counterfeit counterfeit:weak laundering laundering:weak supplies supplies:phone "
    "supplies:vehicle supplies:vehicle_weak channel_migration testimonial payment:means "
    "payment:instruction product product:weak negation:news negation:prevention negation:job "
    "negation:restaurant negation:insult negation:media"
).split()

_CONJUNCTIONS: dict[str, tuple[str, str]] = {
    "and:product_price": ("product", "pat:price"),
    "and:product_quantity": ("product", "pat:quantity"),
    "and:quantity_price": ("pat:quantity", "pat:price"),
    "and:role_pay": ("role", "pay"),
    "and:role_payday": ("role", "pat:pay_per_day"),
    "and:recruit_pay": ("recruitment", "pay"),
    "and:recruit_role": ("recruitment", "role"),
    "and:minors_role": ("minors", "role"),
    "and:minors_recruit": ("minors", "recruitment"),
    "and:minorsweak_role": ("minors:weak", "role"),
    "and:minors_product": ("minors", "product"),
    "and:weapons_price": ("weapons", "pat:price"),
    "and:weapons_ammo": ("weapons", "weapons:ammo"),
    "and:police_warning": ("police_watch", "police_watch:warning"),
    "and:policeweak_warning": ("police_watch:weak", "police_watch:warning"),
    "and:police_hours": ("police_watch", "logistics:hours"),
    "and:product_delivery": ("product", "logistics"),
    "and:product_promotion": ("product", "promotion"),
    "and:product_testimonial": ("product", "testimonial"),
    "and:product_payment": ("product", "payment:means"),
    "and:drug_quantity": ("sale:drug", "pat:quantity"),
    "and:weakproduct_quantity": ("product:weak", "pat:quantity"),
    "and:weakproduct_price": ("product:weak", "pat:price"),
    "and:counterfeit_price": ("counterfeit:weak", "pat:price"),
    "and:phone_supplies": ("supplies:phone", "pat:price"),
    "and:emoji_price": ("struct:emoji", "pat:price"),
    "and:emoji_product": ("struct:emoji", "product"),
    "and:lines_price": ("struct:lines", "pat:price"),
    "and:lines_product": ("struct:lines", "product"),
}

# struct:emoji and struct:lines only feed conjunctions (emojis alone are not evidence)
_DERIVED = ("struct:menu_lines", "struct:length", "struct:products_distinct")
_HELPERS = ("struct:emoji", "struct:lines")
_ENTITY = (
    "ent:offer", "ent:contact", "ent:product", "ent:schedule", "ent:pay", "ent:role", "ent:payment",
)  # fmt: skip
# extracted entity type -> feature (each counts 1, capped at 3)
_ENTITY_FEATURE = {
    "offer": "ent:offer", "product": "ent:product", "schedule": "ent:schedule", "pay": "ent:pay",
    "role": "ent:role", "payment": "ent:payment", "phone": "ent:contact", "handle": "ent:contact",
    "email": "ent:contact", "url": "ent:contact", "crypto": "ent:contact",
}  # fmt: skip

FEATURES: tuple[str, ...] = (
    *_LEX_GROUPS,
    *PATTERNS,
    *_DERIVED,
    *_ENTITY,
    *_CONJUNCTIONS,
)
_INDEX: Final = {name: i for i, name in enumerate(FEATURES + _HELPERS)}
_LEX_CAP: Final = 2.0
_STRONG_PRODUCT = 0.6


def feature_name(tag: str) -> str:
    """The feature a lexicon tag feeds (``role:guetteur`` -> ``role``)."""
    known = _FEATURE_OF_TAG.get(tag)
    if known is not None:
        return known
    name = _feature_name(tag)
    if len(_FEATURE_OF_TAG) < 10_000:
        _FEATURE_OF_TAG[tag] = name
    return name


def _feature_name(tag: str) -> str:
    family = tag.split(":", 1)[0]
    if family in ("role", "product"):
        return family
    if family == "payment":
        return "payment:instruction" if tag == "payment:instruction" else "payment:means"
    return tag


@dataclass(slots=True, init=False)
class FeatureRow:
    """One message's feature values and, per feature, the folded spans that produced them."""

    values: list[float]
    spans: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)

    def __init__(
        self, values: list[float], spans: dict[str, list[tuple[int, int, str]]] | None = None
    ) -> None:
        # (not the __init__ dataclass writes, which runs as interpreted Python: mypyc compiles
        # this one into plain stores)
        self.values = values
        self.spans = {} if spans is None else spans


def _add(
    name: str,
    values: list[float],
    spans: dict[str, list[tuple[int, int, str]]] | None,
    start: int,
    end: int,
    text: str,
) -> None:
    i = _INDEX[name]
    if values[i] < _CAPS.get(name, 2.0):
        values[i] += 1.0
    if spans is not None:
        found = spans.get(name)
        if found is None:
            spans[name] = [(start, end, text[start:end])]
        else:
            found.append((start, end, text[start:end]))


def _ascii_number_end(raw: bytes, marks: bytes, start: int) -> int:
    """``_NUMBER.match(text, start).end()`` on ASCII text, read off ``raw`` (the ASCII text as bytes)
    and ``marks`` (the same through DIGIT_MARKS), ``start`` on a digit, without a Match
    object: 1 to 6 digits, then "." or "," and 1 to 3 digits when a digit follows the sign."""
    size = len(marks)
    end = start + 1
    stop = start + 6 if start + 6 < size else size
    while end < stop and marks[end] == 48:
        end += 1
    if end + 1 < size and marks[end + 1] == 48 and (raw[end] == 46 or raw[end] == 44):
        stop = end + 4 if end + 4 < size else size
        end += 2
        while end < stop and marks[end] == 48:
            end += 1
    return end


def _patterns(
    text: str, values: list[float], spans: dict[str, list[tuple[int, int, str]]] | None
) -> None:
    """Structural patterns, each behind a cheap test so that plain chat costs little, and
    struct:menu_lines (lines that carry both a quantity or product unit and a price: menu or
    tier lines, among the first 400 lines, each under 160 characters) from the same scan of the
    numbers: neither a number nor an _AFTER_NUMBER match can contain a newline, so matching on
    the whole text gives what matching on each line would."""
    size = len(text)
    # the longest run of numbers separated by at most one character: a phone number needs 10
    # digits in such a run (every digit is inside a number match), so _PHONE runs only then
    run = longest_run = 0
    run_end = -2
    # the line of the current number: its end, whether it counts, what it has shown so far
    multiline = "\n" in text
    menu = line_no = counted_to = 0
    line_end = -1
    line_ok = line_price = line_quantity = False
    # the numbers of _NUMBER.finditer(text), one after the other, found in ``marks`` when the
    # only digits (\d: Unicode decimals) are 0-9: always in ASCII and Latin-1 (one byte per
    # character, "?" for the characters above U+00FF; the only decimals of Latin-1 are 0-9)
    wide = False  # characters above U+00FF
    scan_bytes = True
    if text.isascii():
        raw = text.encode("ascii")
    else:
        raw = text.encode("latin-1", "replace")
        wide = raw.count(63) > text.count("?")
        if wide:  # a "?" of raw that is no "?" of the text: a decimal there needs the regex
            at = raw.find(63)
            while at >= 0:
                if text[at].isdecimal():
                    scan_bytes = False
                    break
                at = raw.find(63, at + 1)
    marks = raw.translate(DIGIT_MARKS) if scan_bytes else b""
    search = 0
    while True:
        if scan_bytes:
            start = marks.find(48, search)
            if start < 0:
                break
            end = _ascii_number_end(raw, marks, start)
        else:
            match = _NUMBER.search(text, search)
            if match is None:
                break
            start, end = match.span()
        search = end
        run = run + end - start if start - run_end <= 1 else end - start
        run_end = end
        if run > longest_run:
            longest_run = run
        if multiline and start > line_end:  # a new line
            if line_ok and line_price and line_quantity:
                menu += 1
            line_no += text.count("\n", counted_to, start)
            counted_to = start
            line_end = text.find("\n", start)
            if line_end < 0:
                line_end = size
            line_ok = line_no < 400 and line_end - text.rfind("\n", 0, start) - 1 < 160
            line_price = line_quantity = False
        for_menu = line_ok and not (line_price and line_quantity)
        previous = text[start - 1] if start else "\n"  # "\n": none of the signs tested below
        inside = previous.isalnum() or previous in ".,"  # inside a token: "mp3", "h24"
        if inside and not for_menu:
            continue
        # _AFTER_NUMBER.match(text, end) (as _after_number's code), run only when it can
        # match more than a space
        code = 0
        stop = end
        if end < size:
            following = text[end]
            if following == " ":
                stop = end + 1
                if end + 1 < size and text[end + 1] in _AFTER_SPACE:
                    code = _after_number(text, end, size)
                    stop = code // _AFTER_KINDS
            elif following in _AFTER_FIRST:
                code = _after_number(text, end, size)
                stop = code // _AFTER_KINDS
        currency = code & _AFTER_CURRENCY
        kind = code % _AFTER_KINDS - currency
        if for_menu:
            if currency or previous in "€$£":
                line_price = True
            if kind in (_AFTER_UNIT, _AFTER_DOSE, _AFTER_PER_UNIT):
                line_quantity = True
        if inside:
            continue
        if previous in "€$£" or (start > 1 and text[start - 2] in "€$£"):
            _add("pat:price", values, spans, start - 1, stop, text)
        if currency:
            _add("pat:price", values, spans, start, stop, text)
        if kind == 0:  # no other group matched
            continue
        if kind == _AFTER_PER_UNIT:
            _add("pat:price_per_unit", values, spans, start, stop, text)
        elif kind == _AFTER_PER_DAY:
            _add("pat:pay_per_day", values, spans, start, stop, text)
        elif kind in (_AFTER_UNIT, _AFTER_FRACTION):
            _add("pat:quantity", values, spans, start, stop, text)
        elif kind == _AFTER_DOSE:
            _add("pat:quantity", values, spans, start, stop, text)
            _add("pat:dose", values, spans, start, stop, text)
        elif kind == _AFTER_TIMES:
            _add("pat:multiplier", values, spans, start, stop, text)
        elif kind == _AFTER_HOUR:
            number = text[start:end]
            if "." not in number and "," not in number and int(number) <= 24:
                _add("pat:hours", values, spans, start, stop, text)
        elif kind == _AFTER_AGE:
            if 10 <= float(text[start:end].replace(",", ".")) <= 17:
                _add("pat:age", values, spans, start, stop, text)
        elif kind == _AFTER_PERCENT:
            if previous == "-" or (start > 1 and text[start - 2] == "-"):
                _add("pat:percent_off", values, spans, start - 1, stop, text)
            else:
                _add("pat:percent", values, spans, start, stop, text)
    if multiline:
        if line_ok and line_price and line_quantity:
            menu += 1
        values[_MENU_LINES] = min(menu, 6) / 2.0
    if longest_run >= 10:
        for match in _PHONE.finditer(text):
            _add("pat:phone", values, spans, match.start(), match.end(), text)
    gates = 0
    # (raw, not UTF-8: every marker is ASCII and has no "?", so that it occurs in raw exactly
    # where it occurs in the text)
    for index, _, _ in _GATE_BYTES.find_matches_as_indexes(raw, overlapping=True):
        gates |= _GATE_VALUES[index]
    if gates & _GATE_LINK:
        for match in _LINK.finditer(text):
            _add("pat:link", values, spans, match.start(), match.end(), text)
        for match in _TELEGRAM.finditer(text):
            _add("pat:telegram_link", values, spans, match.start(), match.end(), text)
    if "@" in text:
        for match in _HANDLE.finditer(text):
            _add("pat:handle", values, spans, match.start(), match.end(), text)
    if gates & _GATE_GLUED:
        for match in _THREAT_GLUED.finditer(text):
            if match.start() == 0 or not text[match.start() - 1].isalnum():
                _add("pat:threat", values, spans, match.start(), match.end(), text)
    if gates & _GATE_THREAT:
        for match in _THREAT.finditer(text):
            start = match.start()
            if start and text[start - 1].isalnum():
                continue
            if _THREAT_SUBJECT.search(text, max(0, start - 14), start):
                _add("pat:threat", values, spans, max(0, start - 14), match.end(), text)
    if gates & _GATE_YOU:
        for match in _YOU_WILL.finditer(text):
            _add("pat:you_will", values, spans, match.start(), match.end(), text)
    if wide:  # (Latin-1 has no emoji)
        encoded = text.encode("utf-8", "surrogatepass")
        emojis = len(_EMOJI_UTF8_4.findall(encoded)) + len(_EMOJI_UTF8_3.findall(encoded))
        if emojis:
            values[_EMOJI_COLUMN] = min(emojis, 12) / 4.0


TermNote = tuple[str, int, float, "str | None", str, str]


def term_note(term: Term) -> TermNote:
    """What a hit of ``term`` adds to a row, computed once per term (see
    :meth:`~vigie.analyse.matcher.Matcher.scan`): feature name and column, weight, the product
    tag when it is a strong product name, the key that counts a repeated term once, and the
    cue text."""
    name = _FEATURE_OF_TAG.get(term.tag) or feature_name(term.tag)
    product: str | None = None
    if name == "product":
        if term.weight >= _STRONG_PRODUCT:
            product = term.tag
        else:  # "base", "blanche", "pot": a drug only in drug context
            name = "product:weak"
    # the key: feature name and folded term in one string (its hash is kept, unlike a tuple's;
    # no feature name has a NUL, so that the two parts are known from the key)
    return (name, _INDEX[name], term.weight, product, f"{name}\0{term.folded}", term.text)


def message_features(
    text: str, hits: Sequence[Hit], entities: Sequence[Entity] = (), *, with_spans: bool = True
) -> FeatureRow:
    """The feature row of folded ``text`` given its lexicon ``hits`` and extracted entities."""
    scanned = [(start, end, (term_note(term),)) for start, end, term in hits]
    return scanned_features(text, scanned, entities, with_spans=with_spans)


def scanned_features(
    text: str,
    scanned: Sequence[tuple[int, int, tuple[TermNote, ...]]],
    entities: Sequence[Entity] = (),
    *,
    with_spans: bool = True,
) -> FeatureRow:
    """:func:`message_features` from :meth:`~vigie.analyse.matcher.Matcher.scan` matches
    annotated with :func:`term_note` (the analyser's path: no per-hit lookups)."""
    values = [0.0] * _ROW_SIZE
    spans: dict[str, list[tuple[int, int, str]]] = {}
    if scanned:
        products: set[str] = set()
        counted: set[str] = set()
        # positions typed Any: the compiled loop passes them on as they are instead of
        # unboxing and boxing them again; a list (what scan gives) is read by index
        hits: list[tuple[Any, Any, tuple[TermNote, ...]]] = (
            scanned if isinstance(scanned, list) else list(scanned)
        )
        for start, end, notes in hits:
            for name, i, weight, product, key, cue in notes:
                if product is not None:
                    products.add(product)
                seen = len(counted)
                counted.add(key)
                if len(counted) > seen:  # a new term (a repeated term is not more evidence)
                    value = values[i] + weight
                    values[i] = value if value < _LEX_CAP else _LEX_CAP
                if with_spans:
                    found = spans.get(name)
                    if found is None:
                        spans[name] = [(start, end, cue)]
                    else:
                        found.append((start, end, cue))
        if products:
            values[_PRODUCTS_DISTINCT] = float(min(len(products), 3))
    _patterns(text, values, spans if with_spans else None)
    if "\n" in text:  # (struct:menu_lines is set by _patterns)
        values[_LINES] = min(text.count("\n"), 20) / 10.0
    values[_LENGTH] = min(len(text), 2000) / 1000.0
    for entity in entities if isinstance(entities, list) else list(entities):
        column = _ENTITY_COLUMN.get(entity.type)
        if column is not None:
            value = values[column] + 1.0
            values[column] = value if value < 3.0 else 3.0
    if scanned or spans or entities:
        for left, pairs in _CONJUNCTIONS_BY_LEFT:
            a = values[left]
            if a:
                for i, right in pairs:
                    b = values[right]
                    if b:  # min(a, b, 1.0) (no NaN here)
                        value = b if b < a else a
                        values[i] = value if value < 1.0 else 1.0
    del values[_N_FEATURES:]
    return FeatureRow(values, spans)


_FEATURE_OF_TAG: Final[dict[str, str]] = {}
_N_FEATURES: Final = len(FEATURES)
_ROW_SIZE: Final = len(FEATURES) + len(_HELPERS)
_MENU_LINES: Final = _INDEX["struct:menu_lines"]
_LINES: Final = _INDEX["struct:lines"]
_LENGTH: Final = _INDEX["struct:length"]
_PRODUCTS_DISTINCT: Final = _INDEX["struct:products_distinct"]
_EMOJI_COLUMN: Final = _INDEX["struct:emoji"]
_ENTITY_COLUMN: Final = {kind: _INDEX[feature] for kind, feature in _ENTITY_FEATURE.items()}
_CONJUNCTION_INDEX = tuple(
    (_INDEX[name], _INDEX[left], _INDEX[right]) for name, (left, right) in _CONJUNCTIONS.items()
)
# grouped by left operand: most rows have few non-zero operands, so most groups stop at once
# (no conjunction is an operand of another, so the order of evaluation does not matter)
_CONJUNCTIONS_BY_LEFT: Final[tuple[tuple[int, tuple[tuple[int, int], ...]], ...]] = tuple(
    (left, tuple((i, right) for i, l2, right in _CONJUNCTION_INDEX if l2 == left))
    for left in dict.fromkeys(left for _, left, _ in _CONJUNCTION_INDEX)
)
