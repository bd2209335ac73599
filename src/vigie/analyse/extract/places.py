"""Places: French communes, arrondissements, départements, neighbourhoods and postcodes.

Names come from ``lexicon/places/communes.tsv.gz`` (official INSEE list via Etalab, see its
README) and ``neighbourhoods.tsv``; one Aho-Corasick automaton over their word-spaced folded
forms ("saint ouen", "st ouen") finds whole-word mentions. Context decides what counts:

- a name that is also an ordinary word ("Orange", "Plan", "Sept", "Nice", "Var") needs a capital
  letter and, unless the commune is a city of 100,000+, a place word right before it ("à",
  "sur", "dans", "livraison", "secteur", "quartier", "vers" …) or a postcode next to it;
- a commune of fewer than 20,000 inhabitants needs a capital letter or a place word;
- a neighbourhood needs a capital letter or a place word;
- a 5-digit postcode needs a place word before it or a commune name next to it; a
  département number needs "dans le 93", "sur le 13", "secteur 94", "(93)" …

Values are INSEE codes (``13055``; ``13215`` for "Marseille 15e" or "13015"); départements
their code (``93``). ``attrs``: name, kind (commune, arrondissement, departement,
neighbourhood, postcode), departement, context (``delivery`` when a delivery word precedes it on
its line, else ``mention``) and, for homonyms, how many other communes share the name.
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_left
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from pathlib import Path
from typing import Any

from vigie.analyse.extract.doc import (
    Doc,
    compact_json,
    digit_run_starts,
    finditer_at,
    new_entity,
    spaced_key,
)
from vigie.analyse.extract.recruitment import role_keys
from vigie.analyse.lexicon import read_tsv
from vigie.analyse.normalise import fold
from vigie.model import Entity

__all__ = ["Place", "PlaceIndex", "find_places", "place_index"]

BIG_CITY = 100_000
LOOKBACK = 80
TOWN = 20_000
_CUES = frozenset(
    [
        "a",
        "au",
        "aux",
        "sur",
        "dans",
        "vers",
        "de",
        "du",
        "en",
        "livraison",
        "livre",
        "livrons",
        "livrer",
        "livreur",
        "livraisons",
        "secteur",
        "secteurs",
        "quartier",
        "quartiers",
        "cite",
        "zone",
        "ville",
        "region",
        "depuis",
        "pres",
        "proche",
        "autour",
        "tout",
        "partout",
        "in",
        "near",
        "from",
        "to",
        "around",
        "centre",
        "center",
        "habite",
        "venu",
        "venez",
        "rdv",
        "meet",
        "delivery",
    ]
)
_DELIVERY = re.compile(
    r"\b(?:livr\w*|deplace\w*|secteur|zone|delivery|deliver\w*|ship\w*|rdv|recup\w*|meet\w*"
    r"|dispo\w*|drive|passe|passons)\b"
)
# digit-led patterns (the engine skips to digits); boundaries are checked after the first digit
_POSTCODE = re.compile(r"[0-9](?<![0-9][0-9])(?:[0-9]|a|b)[0-9]{3}(?![0-9])")
_DEPT = re.compile(
    r"[0-9](?<![0-9a-z][0-9])(?:[0-9]|a|b)?(?![0-9a-z])(?!\s(?:janvier|fevrier|mars|avril|mai|juin"
    r"|juillet|aout|septembre|octobre|novembre|decembre|h|heures?|min|minutes)\b)"
)
# both in one scan: at a digit at most one of them matches, and neither can start inside a
# match of the other (a postcode's digits follow a digit; a département number is at most two
# characters followed by neither a digit nor a letter), so the matches are those of each
_NUMBER = re.compile(
    "[0-9](?:"
    + _POSTCODE.pattern.removeprefix("[0-9]")
    + "(?P<postcode>)|"
    # (two characters: "5" is no code, and no match can start after it: it ends a number)
    + _DEPT.pattern.removeprefix("[0-9]").replace("(?:[0-9]|a|b)?", "(?:[0-9]|a|b)", 1)
    + "(?P<dept>))"
)
_SECOND = frozenset("0123456789ab")  # what a postcode or département number has second
_DEPT_CUES = frozenset(
    [
        "dans",
        "sur",
        "tout",
        "partout",
        "livraison",
        "livre",
        "secteur",
        "departement",
        "dep",
        "du",
        "from",
    ]
)
# any cue as a whole word of Doc.spaced (" cue "), in one search (overlapping cues share their
# spaces: a lookahead)
_DEPT_CUE_SEARCH = re.compile(" (?=(?:" + "|".join(sorted(_DEPT_CUES)) + ") )")
_ARRONDISSEMENT = re.compile(r"\s?(?P<n>[0-9]{1,2})\s?(?:e|eme|er|ieme)(?![a-z])")
_ARR_BASE = {"13055": 13200, "75056": 75100, "69123": 69380}
_ARR_MAX = {"13055": 16, "75056": 20, "69123": 9}
_START = attrgetter("start")


# what _accept asks of a mention of a place (Place.rule): nothing; a capital letter; a capital
# letter and a postcode after it or a place word right before it; a capital letter, a postcode
# or a place word among the two words before it
_ALWAYS = 0
_CAPITAL = 1
_COMMON = 2
_ANY = 3


class Place:
    """One place of the index, with what :func:`find_places` asks of it worked out once."""

    __slots__ = (
        "_delivery",
        "_mention",
        "code",
        "common",
        "departement",
        "homonyms",
        "kind",
        "name",
        "population",
        "rule",
    )

    def __init__(
        self,
        kind: str,  # commune, arrondissement, departement, neighbourhood
        code: str,
        name: str,
        departement: str,
        population: int,
        common: bool,
        homonyms: int = 0,
    ) -> None:
        self.kind = kind
        self.code = code
        self.name = name
        self.departement = departement
        self.population = population
        self.common = common
        self.homonyms = homonyms
        # the rules of the module docstring, as _accept applied them case by case
        if common:
            self.rule = _CAPITAL if population >= BIG_CITY else _COMMON
        elif kind == "commune" and population >= TOWN:
            self.rule = _ALWAYS  # (a town needs no context)
        elif kind == "neighbourhood":
            self.rule = _ALWAYS if " " in name else _ANY
        else:
            self.rule = _ANY if population < TOWN else _ALWAYS
        self._delivery: str | None = None  # the entity attrs, made on first use
        self._mention: str | None = None

    def attrs(self, delivery: bool) -> str:
        """The attrs JSON of an entity of this place in either context."""
        held = self._delivery if delivery else self._mention
        if held is None:
            held = compact_json(self.attrs_dict(self.kind, "delivery" if delivery else "mention"))
            if delivery:
                self._delivery = held
            else:
                self._mention = held
        return held

    def attrs_dict(self, kind: str, context: str) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "name": self.name,
            "kind": kind,
            "departement": self.departement,
            "context": context,
        }
        if self.homonyms:
            attrs["homonyms"] = self.homonyms
        return attrs


class PlaceIndex:
    """Communes, départements, neighbourhoods and postcodes, compiled once."""

    def __init__(self, folder: Path) -> None:
        best: dict[str, Place] = {}
        counts: dict[str, int] = {}
        self.by_code: dict[str, Place] = {}
        self.postcodes: dict[str, Place] = {}
        kinds = {"c": "commune", "a": "arrondissement", "d": "departement"}
        with gzip.open(folder / "communes.tsv.gz", "rt", encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                kind, code, name, dep, postcodes, population, common = line.rstrip("\n").split("\t")
                place = Place(kinds[kind], code, name, dep, int(population), common == "1")
                self.by_code.setdefault(code, place)
                for postcode in postcodes.split():
                    held = self.postcodes.get(postcode)
                    if (
                        held is None
                        or (kind == "a")
                        or (held.kind != "arrondissement" and place.population > held.population)
                    ):
                        self.postcodes[postcode] = place
                if kind == "a":
                    continue  # "Marseille 15e Arrondissement" is found as Marseille + "15e"
                for key in _keys(name, place):
                    counts[key] = counts.get(key, 0) + 1
                    held = best.get(key)
                    if held is None or place.population > held.population:
                        best[key] = place
        _, rows = read_tsv(folder / "neighbourhoods.tsv")
        for cells in rows:
            name, code = cells[0].strip(), cells[1].strip()
            commune = self.by_code.get(code)
            dep = commune.departement if commune else code[:2]
            place = Place("neighbourhood", code, name, dep, 0, False)
            for key in _keys(name, place):
                best[key] = place
                counts[key] = 1
        # per key, (place or None, role or None): the role terms of recruitment share the scan
        # (see recruitment.find_roles)
        values: dict[str, tuple[Place | None, tuple[str, str, bool] | None]] = {}
        for key, place in best.items():
            if counts[key] > 1 and place.kind == "commune":
                place = Place(*_fields(place), homonyms=counts[key] - 1)
            values[key] = (place, None)
        for key, role in role_keys():
            values[key] = (values.get(key, (None, None))[0], role)
        # (their automaton is the word automaton of find_products, which leaves the place and
        # role hits on the Doc for find_places and find_roles)
        self.keys = list(values)
        self.values = list(values.values())


def _fields(place: Place) -> tuple[str, str, str, str, int, bool]:
    return place.kind, place.code, place.name, place.departement, place.population, place.common


def _keys(name: str, place: Place) -> list[str]:
    key = spaced_key(fold(name))
    keys = [key]
    for long, short in ((" saint ", " st "), (" sainte ", " ste ")):
        if long in key:
            keys.append(key.replace(long, short))
    for joint in (" sur ", " en ", " les ", " le "):  # "Saint-Ouen" for Saint-Ouen-sur-Seine
        head = key.split(joint, 1)[0] + " "
        if head != key and head.count(" ") >= 3 and place.population >= 10_000:
            keys.append(head)
    return keys


@lru_cache(maxsize=1)
def place_index() -> PlaceIndex:
    """The shipped place index, built once per process (about 0.3 s)."""
    return PlaceIndex(Path(str(resources.files("vigie.analyse.lexicon"))) / "places")


def _previous_words(doc: Doc, start: int) -> list[str]:
    """The two words before folded offset ``start`` on its line (nearest last), at most 40
    characters back."""
    lo = start - 40 if start > 40 else 0
    newline = doc.folded.rfind("\n", lo, start)
    if newline >= 0:
        lo = newline + 1
    # (the last two words of a split are the last two of this split from the right)
    return doc.spaced[lo + 1 : start + 1].rsplit(None, 2)[-2:]


def _delivery_context(doc: Doc, start: int) -> bool:
    """Whether a delivery word precedes folded offset ``start`` on its line."""
    # look back on the line, at most LOOKBACK characters (a 1 MB line stays linear)
    line_start = doc.folded.rfind("\n", max(0, start - LOOKBACK), start) + 1
    line_start = max(line_start, start - LOOKBACK)
    return _DELIVERY.search(doc.folded, line_start, start) is not None


def _capital(doc: Doc, start: int, end: int) -> bool:
    o_start, o_end = doc.span(start, end)
    written = doc.text[o_start:o_end]
    return not written.islower() and any(ch.isupper() for ch in written)


def _postcode_after(doc: Doc, end: int) -> bool:
    """Whether a postcode starts one character after folded offset ``end``."""
    # (_POSTCODE starts with a digit: folded[end + 1] is spaced_bytes[end + 2], a digit there
    # if and only if in folded)
    if end + 1 >= len(doc.folded) or not 48 <= doc.spaced_bytes[end + 2] <= 57:
        return False
    return _POSTCODE.match(doc.folded, end + 1) is not None


def _accept(doc: Doc, place: Place, start: int, end: int) -> bool:
    rule = place.rule
    if rule == _ALWAYS:
        return True
    capital = _capital(doc, start, end)
    if rule == _CAPITAL:
        return capital
    if rule == _COMMON:
        # a capital letter first (the common case: "orange", "plan", "sept" in running text)
        if not capital:
            return False
        if _postcode_after(doc, end):
            return True
        words = _previous_words(doc, start)
        return bool(words) and words[-1] in _CUES
    if capital or _postcode_after(doc, end):
        return True
    words = _previous_words(doc, start)
    return bool(words) and (words[-1] in _CUES or (len(words) > 1 and words[0] in _CUES))


def _entity(doc: Doc, place: Place, start: int, end: int) -> Entity:
    o_start, o_end = doc.span(start, end)
    attrs = place.attrs(_delivery_context(doc, start))
    return new_entity("place", place.code, doc.text[o_start:o_end], o_start, o_end, attrs)


def find_places(doc: Doc) -> list[Entity]:
    """``place`` entities of ``doc`` (see the module docstring for the rules)."""
    index = place_index()
    doc.scan_words()
    raw = doc.place_hits or []  # (folded start, -folded end, place)
    found: list[Entity] = []
    if raw:
        reach = -1
        if len(raw) > 1:
            # by start, longest first; no two hits share a span (a span is one key's text),
            # so the tuples never compare their places
            raw.sort()
        for start, neg_end, place in raw:
            end = -neg_end
            if start < reach or not _accept(doc, place, start, end):
                continue
            reach = end
            if place.code in _ARR_BASE and (m := _ARRONDISSEMENT.match(doc.folded, end)):
                number = int(m["n"])
                if 1 <= number <= _ARR_MAX[place.code]:
                    arr = index.by_code.get(str(_ARR_BASE[place.code] + number))
                    if arr is not None:
                        place, end = arr, m.end()
            found.append(_entity(doc, place, start, end))
    if doc.has_digit:
        found.extend(_numbers(doc, index, found))
    if len(found) > 1:
        found.sort(key=_START)
    return found


def _within(values: list[int], at: int, distance: int) -> bool:
    """Whether sorted ``values`` hold one within ``distance`` of ``at``."""
    i = bisect_left(values, at - distance)
    return i < len(values) and values[i] <= at + distance


def _numbers(doc: Doc, index: PlaceIndex, named: list[Entity]) -> list[Entity]:
    found: list[Entity] = []
    folded = doc.folded
    depts: list[tuple[re.Match[str], Place]] = []
    # (every match starts at the first digit of a run, and goes on with a digit, "a" or "b")
    # (folded[at + 1] is spaced_bytes[at + 2]: the same digit or letter, else a space)
    spaced_bytes = doc.spaced_bytes
    starts: list[int] = []
    for at in digit_run_starts(doc):
        second = spaced_bytes[at + 2]
        if 48 <= second <= 57 or second == 97 or second == 98:  # [0-9ab], _SECOND
            starts.append(at)
    name_ends: list[int] | None = None
    name_starts: list[int] = []
    for match in finditer_at(_NUMBER, folded, starts):
        if match.lastgroup == "dept":
            dep = index.by_code.get(match.group().upper())
            if dep is not None and dep.kind == "departement":
                depts.append((match, dep))
            continue
        start, end = match.span()
        place = index.postcodes.get(match.group().upper())
        if place is None:
            continue
        words = _previous_words(doc, start)
        o_start, o_end = doc.span(start, end)
        if name_ends is None:  # sorted once: a long list of postcodes stays linear
            name_ends = sorted([e.end for e in named])
            name_starts = sorted([e.start for e in named])
        # a named place ending within 2 of the postcode's start, or starting within 2 of its end
        near_name = _within(name_ends, o_start, 2) or _within(name_starts, o_end, 2)
        line_start = max(
            doc.folded.rfind("\n", max(0, start - LOOKBACK), start) + 1, start - LOOKBACK
        )
        if (
            near_name
            or (words and (words[-1] in _CUES or words[-1] in ("cp", "postal")))
            or _DELIVERY.search(doc.folded, line_start, start)
        ):
            context = "delivery" if _delivery_context(doc, start) else "mention"
            attrs = place.attrs_dict("postcode", context)
            attrs["postcode"] = match.group()
            text = doc.text[o_start:o_end]
            found.append(new_entity("place", place.code, text, o_start, o_end, compact_json(attrs)))
    if "9-3" in folded:  # "le 9-3", Seine-Saint-Denis
        at = folded.find("9-3")
        found.append(_entity(doc, index.by_code["93"], at, at + 3))
    if not depts or ("(" not in folded and _DEPT_CUE_SEARCH.search(doc.spaced) is None):
        return found  # a département number needs a cue word or brackets
    for match, dep in depts:
        start, end = match.span()
        words = _previous_words(doc, start)
        bracketed = folded[start - 1 : start] == "(" and folded[end : end + 1] == ")"
        cue = len(words) == 2 and words[0] in _DEPT_CUES and words[1] in ("le", "l")
        if bracketed or cue or (words and words[-1] in _DEPT_CUES and words[-1] != "du"):
            found.append(_entity(doc, dep, start, end))
    return found
