"""Product mentions: names, slang, varieties, packaging words and emoji codes -> product ids.

The terms live in ``lexicon/products.tsv`` (``term, product_id, kind, context``). Words are
matched on the word-spaced text of a :class:`~vigie.analyse.extract.doc.Doc` (whole words
only), emojis on the folded text. Ambiguous terms only count in a drug context:

- ``ctx`` terms ("shit", "herbe", "jaune", "ice", "og" …) need, within ``CONTEXT_WINDOW``
  characters, an unambiguous product term, a quantity or price ("10g", "50€", "$45") or a
  sale word ("dispo", "menu", "livraison" …): "holy shit" alone is no product;
- ``strict`` terms ("C", "H", "00") must be written with a capital letter (digits excepted)
  and sit on the same line as a quantity or price, a few characters away.

Then the most specific mention wins where they compete: an emoji code is dropped when a word
names a product on the same line (``💊 Xanax``), a packaging word ("pills", "tabs", "seeds")
when anything more specific is named in the message.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, NamedTuple

import ahocorasick_rs

from vigie.analyse.extract.contacts import PLATFORM_WORDS
from vigie.analyse.extract.doc import Doc, PaymentHit, RoleHit, compact_json, new_entity, spaced_key
from vigie.analyse.extract.payments import PAYMENTS
from vigie.analyse.lexicon import read_tsv
from vigie.analyse.matcher import overlapping_matches
from vigie.analyse.normalise import fold
from vigie.model import PRODUCTS, Entity

__all__ = [
    "ProductHit",
    "ProductLexicon",
    "find_products",
    "main_product",
    "product_lexicon",
    "scan_words",
]

CONTEXT_WINDOW: Final = 120
STRICT_WINDOW: Final = 20
# how specific a mention is: emoji < packaging word < name/slang/variety < form of cannabis
# that overrides herb/resin in the same message ("hash cookies", "weed wax")
_RANK: Final = {"emoji": 0, "unit": 1, "name": 2, "slang": 2, "variety": 2}
_FORMS: Final = frozenset({"cannabis_edible", "cannabis_concentrate"})
_KINDS: Final = frozenset(_RANK)
_CONTEXTS: Final = frozenset({"", "ctx", "strict"})

# starts with a bare character class so that the engine scans for it at C speed
_QUANTITY_OR_PRICE: Final = re.compile(
    r"[0-9€$£](?:(?<=[0-9])\s?(?:(?:g|gr|grs|gramme|grammes|gram|grams|kg|kilo|kilos|oz|mg|ml|x|u"
    r"|e|eur|euro|euros|balles|usd|pills|tabs)(?![a-z])|[€$£])|(?<=[€$£])\s?[0-9]"
    r"|(?<=[0-9])\s(?:le|la|les)\s(?:g|gr|gramme|pochon|barrette|plaquette)(?![a-z])"
    r"|(?<=[0-9])\s?(?:=|->|=>|a\s|pour\s)\s?[0-9])"
)
# (pattern, product, term, needles): every match holds a substring of each group of needles,
# a cheap test before the regex
_DOSES: Final = (
    (re.compile(r"[0-9]\s?(?:ug|mcg)(?![a-z])"), "lsd", "microgram dose", (("ug", "mcg"),)),
    (re.compile(r"[0-9]{3}\s?(?:\+\s?mg|mg\s?\+)"), "mdma", "mg+ pill", (("+",), ("mg",))),
    (
        re.compile(r"(?:#\s?|\bno\s?)[34](?![0-9a-z])"),
        "heroin",
        "#4 grade",
        (("3", "4"), ("#", "no")),
    ),
)
_DOSE_ATTRS: Final = {
    term: compact_json({"term": term, "kind": "unit"}) for _, _, term, _ in _DOSES
}
# words that make an ambiguous term a product nearby (matched in the same automaton pass)
_SALE_WORDS: Final = [
    "dispo",
    "disponible",
    "menu",
    "carte",
    "livraison",
    "livre",
    "livreur",
    "prix",
    "tarif",
    "tarifs",
    "commande",
    "commander",
    "commandez",
    "plug",
    "gramme",
    "grammes",
    "gram",
    "grams",
    "pochon",
    "vendor",
    "stealth",
    "escrow",
    "shipping",
    "qualite",
    "quality",
    "fumer",
    "fume",
    "smoke",
    "sniff",
    "taper",
    "trip",
    "perche",
    "defonce",
    "high",
    "thc",
    "cbd",
]


# what a key of the word automaton is besides a product term (flags): a sale word (a cue for
# ambiguous terms), a payment term (for find_payments), a contact platform word (for
# find_contacts), a place name or role term (for find_places and find_roles); one pass over
# the text serves the five extractors
_CUE: Final = 1
_PAYMENT: Final = 2
_PLATFORM: Final = 4
_PLACE: Final = 8
_NO_PAYMENT: Final = ("", "", False)
# shared empty results of the word scan (also left on Docs): read, never appended to
_NONE_FOUND: Final[list[int]] = []
_NO_PAYMENT_HITS: Final[list[PaymentHit]] = []
_NO_ROLE_HITS: Final[list[RoleHit]] = []
_NO_PLACE_HITS: Final[list[tuple[int, int, Any]]] = []


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    product: str
    kind: str
    context: str
    rank: int
    attrs: str  # the entity attrs, serialised once


class ProductHit(NamedTuple):
    """A kept product mention: folded span, product id, the term, its kind and attrs JSON."""

    start: int
    end: int
    product: str
    term: str
    kind: str
    rank: int
    attrs: str


# ProductHit(...) runs the namedtuple's __new__, Python code; this makes the same tuple in C
_NEW_TUPLE: Final = tuple.__new__


_DFA: Final = ahocorasick_rs.Implementation.DFA
_NFA: Final = ahocorasick_rs.Implementation.ContiguousNFA


class ProductLexicon:
    """The compiled product terms: one automaton for words, one for emojis.

    The word automaton also holds the sale words, the payment terms of
    :data:`~vigie.analyse.extract.payments.PAYMENTS` (spaced keys, as find_payments has them)
    and the contact platform words (plain substrings: on ``spaced`` they match where they
    match on the folded text, one position later, being made of ``[a-z]`` only).
    """

    def __init__(self, path: Path, places: Sequence[tuple[str, Any]] = ()) -> None:
        """``places``: the keys of :class:`~vigie.analyse.extract.places.PlaceIndex` and their
        (place or None, role or None), found in the same scan."""
        self.sources, rows = read_tsv(path)
        # per key of ``words`` (by index): (_Term or None, flags, payment (id, term, counts
        # alone), (place, role) or None); per key of ``emojis``: its _Term
        self.word_values: list[tuple[_Term | None, int, tuple[str, str, bool], Any]] = []
        self.emoji_values: list[_Term] = []
        emojis: dict[str, _Term] = {}
        self.terms: list[_Term] = []
        keys: dict[str, tuple[_Term | None, int, tuple[str, str, bool]]] = {}
        for number, cells in enumerate(rows, start=1):
            term = _parse_row(path.name, number, cells)
            self.terms.append(term)
            folded = fold(term.text).strip()
            if not folded:
                continue
            if any(ch.isalnum() and ch.isascii() for ch in folded):
                for key in _word_keys(folded):
                    keys[key] = (term, 0, _NO_PAYMENT)  # a later row replaces an earlier one
            else:
                emojis[folded] = term  # a later row replaces an earlier one
        for word in _SALE_WORDS:
            key = spaced_key(word)
            if key not in keys:  # a product term is a cue by itself
                keys[key] = (None, _CUE, _NO_PAYMENT)
        for payment, (strong, weak) in PAYMENTS.items():
            for terms, alone in ((strong, True), (weak, False)):
                for text in terms:
                    key = spaced_key(text)
                    known, flags, _ = keys.get(key, (None, 0, _NO_PAYMENT))
                    keys[key] = (known, flags | _PAYMENT, (payment, text, alone))
        for word in PLATFORM_WORDS:
            if word.isascii():  # "👻" is looked for by find_contacts itself
                known, flags, pay = keys.get(word, (None, 0, _NO_PAYMENT))
                keys[word] = (known, flags | _PLATFORM, pay)
        place_values = dict(places)
        for key, (known, flags, pay) in keys.items():
            place = place_values.pop(key, None)
            self.word_values.append((known, flags | _PLACE if place else flags, pay, place))
        for key, place in place_values.items():
            keys[key] = (None, _PLACE, _NO_PAYMENT)
            self.word_values.append((None, _PLACE, _NO_PAYMENT, place))
        # ahocorasick_rs (Rust) scans about twice as fast as pyahocorasick; overlapping search
        # reports every match in the order of its end offset, as pyahocorasick did. With the
        # 38,000 place keys, a contiguous NFA (4 MB; a DFA would take 60 MB and scan no
        # faster): one scan of it costs ~30 % less than the product DFA's and a places one
        self.words = ahocorasick_rs.BytesAhoCorasick(
            [key.encode("ascii") for key in keys], implementation=_NFA if places else _DFA
        )
        self.emojis = ahocorasick_rs.AhoCorasick(list(emojis), implementation=_DFA)
        self.emoji_values = list(emojis.values())


def _parse_row(name: str, number: int, cells: list[str]) -> _Term:
    cells = [cell.strip() for cell in cells] + ["", "", ""]
    term, product, kind, context = cells[:4]
    if product not in PRODUCTS or kind not in _KINDS or context not in _CONTEXTS:
        raise ValueError(
            f"E310 {name} row {number}: expected term, a product id of vigie.model.PRODUCTS, "
            f"a kind in {sorted(_KINDS)} and a context in {sorted(_CONTEXTS)}; got {cells[:4]!r}"
        )
    rank = _RANK[kind] + (1 if product in _FORMS and kind != "emoji" else 0)
    return _Term(term, product, kind, context, rank, compact_json({"term": term, "kind": kind}))


def _word_keys(folded: str) -> list[str]:
    key = spaced_key(folded)
    keys = [key]
    if len(key) >= 6 and key[-2] not in "sx" and " " not in key[1:-1]:
        keys.append(key[:-1] + "s ")  # plural: "pilons", "cookiess" never needed
    return keys


@lru_cache(maxsize=1)
def product_lexicon() -> ProductLexicon:
    """The shipped product lexicon, compiled once per process."""
    # (imported here: places imports this module)
    from vigie.analyse.extract.places import place_index

    path = Path(str(resources.files("vigie.analyse.lexicon"))) / "products.tsv"
    index = place_index()
    return ProductLexicon(path, list(zip(index.keys, index.values, strict=True)))


def _word_positions(cues: list[int], kept: list[tuple[int, int, _Term]]) -> list[int]:
    """Sorted starts of the words that make an ambiguous term a product nearby: sale words and
    unambiguous product words."""
    positions = list(cues)
    for start, _end, term in kept:
        if not term.context and term.kind != "emoji":
            positions.append(start)
    positions.sort()
    return positions


def _quantity_positions(doc: Doc) -> list[int]:
    """Starts of the quantities and prices of ``doc``, in order (the other kind of cue)."""
    positions: list[int] = []
    folded = doc.folded
    if doc.has_digit or "€" in folded or "$" in folded or "£" in folded:
        for match in _QUANTITY_OR_PRICE.finditer(folded):
            positions.append(match.start())
    return positions


def _near(positions: list[int], pos: int, window: int) -> bool:
    i = bisect_left(positions, pos - window)
    return i < len(positions) and positions[i] <= pos + window


def _strict_ok(doc: Doc, start: int, end: int) -> bool:
    o_start, o_end = doc.span(start, end)
    written = doc.text[o_start:o_end]
    if any(ch.isalpha() for ch in written) and not any(ch.isupper() for ch in written):
        return False
    if o_end < len(doc.text) and doc.text[o_end] in "'’":
        return False  # "C'est"
    folded = doc.folded
    lo = max(0, folded.rfind("\n", max(0, start - STRICT_WINDOW), start) + 1, start - STRICT_WINDOW)
    hi = folded.find("\n", end)
    hi = min(len(folded) if hi == -1 else hi, end + STRICT_WINDOW)
    return _QUANTITY_OR_PRICE.search(folded, lo, hi) is not None


def scan_words(doc: Doc) -> tuple[list[tuple[int, int, _Term]], list[int]]:
    """The one scan of ``doc``'s words: the product terms (folded start, minus folded end,
    term) and sale-word starts it returns, and the payment terms, platform words, place names
    and role terms it leaves on ``doc`` for find_payments, find_contacts, find_places and
    find_roles (which call it themselves when find_products has not run)."""
    lexicon = product_lexicon()
    raw: list[tuple[int, int, _Term]] = []
    cues: list[int] = _NONE_FOUND  # lists made on the first find (most messages have none)
    payments: list[PaymentHit] = _NO_PAYMENT_HITS
    platforms: list[int] = _NONE_FOUND
    places: list[tuple[int, int, Any]] = _NO_PLACE_HITS
    roles: list[RoleHit] = _NO_ROLE_HITS
    last: int  # typed, so that the offsets below are machine integers once compiled
    flags: int
    term: _Term | None
    word_values = lexicon.word_values
    for index, start, end in lexicon.words.find_matches_as_indexes(
        doc.spaced_bytes, overlapping=True
    ):
        term, flags, pay, extra = word_values[index]
        last = end - 1
        if term is not None:
            raw.append((start, 1 - last, term))
        if flags:
            if flags & _CUE:
                if cues is _NONE_FOUND:
                    cues = []
                cues.append(start)
            if flags & _PAYMENT:
                if payments is _NO_PAYMENT_HITS:
                    payments = []
                payments.append((start, last - 1, pay[0], pay[1], pay[2]))
            if flags & _PLATFORM:
                if platforms is _NONE_FOUND:
                    platforms = []
                platforms.append(start - 1)  # folded start (spaced has one more space)
            if flags & _PLACE:
                place, role = extra
                if place is not None:
                    if places is _NO_PLACE_HITS:
                        places = []
                    places.append((start, 2 - end, place))  # sorts by start, longest first
                if role is not None:
                    if roles is _NO_ROLE_HITS:
                        roles = []
                    roles.append((start, last - 1, role[0], role[1], role[2]))
    doc.payment_hits = payments
    doc.label_keys = platforms
    doc.place_hits = places
    doc.role_hits = roles
    return raw, cues


def find_products(doc: Doc) -> list[ProductHit]:
    """Product mentions of ``doc`` after the context and specificity rules, in text order."""
    raw, cues = scan_words(doc)
    if not doc.folded.isascii():
        lexicon = product_lexicon()
        emoji_values = lexicon.emoji_values
        for index, start, end in overlapping_matches(lexicon.emojis, doc.folded):
            raw.append((start, -end, emoji_values[index]))
    if not raw:
        return _dose_inference(doc)
    if len(raw) == 1:
        start, neg_end, term = raw[0]
        kept = [(start, -neg_end, term)]
    else:
        # by start, longest first: (start, -end) orders so, and no two items share a span (a
        # span is one key's text), so the tuples never compare their terms
        raw.sort()
        kept = []
        reach = -1
        for start, neg_end, term in raw:  # drop what overlaps a kept match
            if start >= reach:
                reach = -neg_end
                kept.append((start, reach, term))
        kept = _drop_modifiers(kept)
    # an ambiguous term needs a cue nearby: a word, else a quantity or price (the regex pass
    # for these runs only when some term has no word close enough)
    words: list[int] | None = None
    quantities: list[int] | None = None
    accepted: list[tuple[int, int, _Term]] = []
    for item in kept:
        start, end, term = item
        if term.context:
            if words is None:
                words = _word_positions(cues, kept)
            if not _near(words, start, CONTEXT_WINDOW):
                if quantities is None:
                    quantities = _quantity_positions(doc)
                if not _near(quantities, start, CONTEXT_WINDOW):
                    continue
            if term.context == "strict" and not _strict_ok(doc, start, end):
                continue
        accepted.append(item)
    hits: list[ProductHit] = []
    for start, end, term in _most_specific(doc, accepted):
        hit = (start, end, term.product, term.text, term.kind, term.rank, term.attrs)
        hits.append(_NEW_TUPLE(ProductHit, hit))
    return hits


def _holds_one_of_each(text: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    for group in groups:
        for needle in group:
            if needle in text:
                break
        else:
            return False
    return True


def _dose_inference(doc: Doc) -> list[ProductHit]:
    """With no product named: a microgram dose ("150ug") means LSD, the "220mg+" convention of
    ecstasy pill listings MDMA, and heroin's "#4"/"no 3" grades heroin (kind ``unit``, the
    least specific)."""
    if not doc.has_digit:
        return []
    folded = doc.folded
    for pattern, product, term, needles in _DOSES:
        if not _holds_one_of_each(folded, needles):
            continue
        match = pattern.search(folded)
        if match:
            attrs = _DOSE_ATTRS[term]
            return [ProductHit(match.start(), match.end(), product, term, "unit", 1, attrs)]
    return []


def _drop_modifiers(kept: list[tuple[int, int, _Term]]) -> list[tuple[int, int, _Term]]:
    """Drop an ambiguous word right before a name of another product: an adjective there
    ("Afghan heroin", "Crystal MDMA"; "Purple Kush" keeps both, one product)."""
    if len(kept) < 2:
        return kept
    out = []
    for i, item in enumerate(kept):
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        if (
            nxt is not None
            and item[2].context
            and not nxt[2].context
            and nxt[2].kind != "emoji"
            and nxt[2].product != item[2].product
            and nxt[0] - item[1] <= 12
        ):
            continue
        out.append(item)
    return out


def _most_specific(doc: Doc, found: list[tuple[int, int, _Term]]) -> list[tuple[int, int, _Term]]:
    if len(found) < 2:
        return found
    best = 0
    for _start, _end, term in found:
        best = max(best, term.rank)
    if best >= 2:
        found = [item for item in found if item[2].kind != "unit"]
    words = emojis = False
    for _start, _end, term in found:
        if term.kind == "emoji":
            emojis = True
        else:
            words = True
    if not (words and emojis):  # the rules below drop emoji codes, and only beside a word
        return found
    if "\n" not in doc.folded:  # one line: an emoji code goes when any word names a product
        return [item for item in found if item[2].kind != "emoji"]
    word_lines = {doc.line_of(item[0]) for item in found if item[2].kind != "emoji"}
    return [
        item for item in found if item[2].kind != "emoji" or doc.line_of(item[0]) not in word_lines
    ]


def product_entities(doc: Doc, hits: Sequence[ProductHit]) -> list[Entity]:
    """One ``product`` entity per kept mention (value: product id; attrs: term and kind)."""
    found = []
    text = doc.text
    for f_start, f_end, product, _term, _kind, _rank, attrs in hits:
        start, end = doc.span(f_start, f_end)
        found.append(new_entity("product", product, text[start:end], start, end, attrs))
    return found


def main_product(entities: Sequence[Entity]) -> str | None:
    """The product a text is mainly about: the first of its most specific product mentions.

    Specificity (from ``attrs.kind``): a cannabis edible or concentrate named in words beats any
    other name, a name beats a packaging word, which beats an emoji code.
    """
    best: tuple[int, int] | None = None
    product = None
    for entity in entities:
        if entity.type != "product":
            continue
        kind = "name"
        if entity.attrs and '"kind":"' in entity.attrs:
            kind = entity.attrs.split('"kind":"', 1)[1].split('"', 1)[0]
        rank = _RANK.get(kind, 2) + (1 if entity.value in _FORMS and kind != "emoji" else 0)
        key = (-rank, entity.start)
        if best is None or key < best:
            best, product = key, entity.value
    return product
