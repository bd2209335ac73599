"""Schedules: opening hours, delivery windows and open or closed days.

Fragments on one line merge into one ``schedule`` entity: "ouvert 7j/7 de 11h à 23h" ->
``{"open": "11:00", "close": "23:00", "days": "7/7"}``. Recognised: hour ranges ("7h-23h",
"de 10h à 2h", "18h30 - 02h", "10:00-22:00"; 24-hour forms only), opening times ("on ouvre à
7h", "ouverture 7h", "dès 10h"), round-the-clock ("24/24", "24h/24", "h24",
"7j/7", "7/7"), day ranges ("du lundi au samedi") and closed days ("fermé dimanche").
``value`` is a compact summary (``07:00-23:00 7/7``).
"""

from __future__ import annotations

import re
from typing import Any, Final

import ahocorasick_rs

from vigie.analyse.extract.doc import Doc, digit_run_starts
from vigie.model import Entity

__all__ = ["find_schedules"]

_DAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_TIME = r"(?P<{0}h>[0-9]{{1,2}})\s?(?:h|:)\s?(?P<{0}m>[0-5][0-9])?"
# digit-led (the engine skips straight to digits); the lookbehind after the first digit keeps
# "h24"/"2024" out
_CLOCK = re.compile(
    r"[0-9](?<![0-9a-z/][0-9])(?:"
    r"(?P<allday>(?<=2)4\s?h?\s?/\s?(?:24|7)(?![0-9]))"
    r"|(?P<allweek>(?<=7)\s?j?\s?/\s?7(?![0-9]))"
    r"|[0-9]?\s?(?:h|:)\s?(?:[0-5][0-9])?(?![0-9a-z])"
    r"(?:\s?(?:-|a|jusqu'a|jusqua|to|till|until|->|>)\s?" + _TIME.format("b") + r"(?![0-9a-z]))?"
    r")"
)
_START_TIME = re.compile(r"(?P<h>[0-9]{1,2})\s?(?:h|:)\s?(?P<m>[0-5][0-9])?")
_WORDS = re.compile(
    rf"(?P<days>\bdu\s(?P<d1>{_DAY})\s(?:au|jusqu'au)\s(?P<d2>{_DAY})\b)"
    rf"|(?P<closed>\b(?:ferme|fermes|fermee|closed|repos)\s(?:le\s|les\s)?(?P<dc>{_DAY})s?\b)"
    r"|(?P<allweek>\btous les jours\b|\bnon[ -]stop\b)|(?P<allday>\bh24\b)"
)
_OPENING = frozenset(["ouvre", "ouvert", "ouverte", "ouverture", "open", "opens", "des", "partir"])


def _clock(hours: str, minutes: str | None) -> str:
    return f"{int(hours) % 24:02d}:{minutes or '00'}"


# every day name holds "di": what comes before it in each ("dimanche": "manche" after it)
_BEFORE_DI = ("lun", "mar", "mercre", "jeu", "vendre", "same")


def _names_a_day(folded: str) -> bool:
    """``any(day in folded for day in _DAY_NAMES)``, in one scan for "di" instead of seven
    (long texts hold "di" a few times, day names rarely)."""
    at = folded.find("di")
    while at != -1:
        if folded.startswith("manche", at + 2) or folded.endswith(_BEFORE_DI, 0, at):
            return True
        at = folded.find("di", at + 1)
    return False


def _may_name_days(folded: str, has_digit: bool = True) -> bool:
    """False when ``_WORDS`` cannot match: each alternative needs "h24" (so a digit), "tous
    les jours", "non stop", "non-stop", or a day name with "du", "ferme", "closed" or "repos"
    (a few substring searches, the cheapest and rarest first)."""
    if (
        "di" in folded
        and _names_a_day(folded)
        and ("du" in folded or "ferme" in folded or "closed" in folded or "repos" in folded)
    ):
        return True
    if (has_digit and "h24" in folded) or "tous les jours" in folded:
        return True
    return "non" in folded and ("non stop" in folded or "non-stop" in folded)


# What each condition of ``_may_name_days`` needs (a day name, "h24", "tous les jours", "non
# stop" or "non-stop"), in one automaton over ``Doc.spaced_bytes``: these are made of [0-9a-z ]
# ("-" reads as a space there), so each occurs there wherever it occurs in the folded text. On
# long texts one pass of it costs less than the substring searches (a text finding none skips
# them); leftmost-first, which reports a match whenever any key occurs, scans fastest.
_GATE: Final = ahocorasick_rs.BytesAhoCorasick(
    [key.encode("ascii") for key in (*_DAY_NAMES, "h24", "tous les jours", "non stop")],
    matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
    implementation=ahocorasick_rs.Implementation.DFA,
)
_GATE_FROM: Final = 80  # characters: below, the substring searches alone cost less


def _may_name_days_in(doc: Doc) -> bool:
    """``_may_name_days`` of ``doc``, after ``_GATE`` on long texts."""
    folded = doc.folded
    if len(folded) >= _GATE_FROM and not _GATE.find_matches_as_indexes(doc.spaced_bytes):
        return False
    return _may_name_days(folded, doc.has_digit)


def _maybe_space(code: int) -> bool:
    """True for every ``\\s`` character (all are up to " " or past "~"), and for some others."""
    return code <= 32 or code >= 127


def _may_start_clock(folded: str, start: int) -> bool:
    """False where ``_CLOCK`` cannot match at the first digit of a run at ``start``: after it,
    "allday" reads "4" (after "2"), "allweek" whitespace, "j" or "/" (after "7"), and the
    clock a digit, whitespace, "h" or ":" (after one digit more, or whitespace: "h" or ":").
    ("(?<![0-9a-z/][0-9])": no match starts after a letter or "/" either.)"""
    size = len(folded)
    if start + 1 >= size:
        return False
    if start:
        before = ord(folded[start - 1])
        if 97 <= before <= 122 or before == 47:
            return False
    first = ord(folded[start])
    after = ord(folded[start + 1])
    then = ord(folded[start + 2]) if start + 2 < size else 0
    if after == 104 or after == 58:  # "18h", "18:30"
        return True
    if 48 <= after <= 57:  # "24/24", "18 h", "18h", "18:30"
        return (first == 50 and after == 52) or then == 104 or then == 58 or _maybe_space(then)
    if after == 106 or after == 47:  # "7j/7", "7/7"
        return first == 55
    if _maybe_space(after):  # "18 h", "18 :30", "7 j/7", "7 /7"
        return then == 104 or then == 58 or (first == 55 and (then == 106 or then == 47))
    return False


def _clock_matches(doc: Doc) -> list[re.Match[str]]:
    """``list(_CLOCK.finditer(doc.folded))``: every match starts at the first digit of a run
    ("[0-9](?<![0-9a-z/][0-9])"), so ``_CLOCK`` is tried only there (as ``finditer_at`` does),
    and only where :func:`_may_start_clock`."""
    folded = doc.folded
    found: list[re.Match[str]] = []
    covered = 0
    for start in digit_run_starts(doc):
        if start >= covered and _may_start_clock(folded, start):
            m = _CLOCK.match(folded, start)
            if m is not None:
                found.append(m)
                covered = m.end()
    return found


def _fragments(doc: Doc) -> list[tuple[int, int, dict[str, Any]]]:
    folded = doc.folded
    out: list[tuple[int, int, dict[str, Any]]] = []
    if doc.has_digit:
        for match in _clock_matches(doc):
            start, end = match.span()
            if match["allday"]:
                out.append((start, end, {"hours": "24/24"}))
            elif match["allweek"]:
                out.append((start, end, {"days": "7/7"}))
            elif match["bh"] is not None:
                first = _START_TIME.match(folded, start)
                if first is None or int(first["h"]) > 24 or int(match["bh"]) > 24:
                    continue
                hours = {
                    "open": _clock(first["h"], first["m"]),
                    "close": _clock(match["bh"], match["bm"]),
                }
                if hours["open"] != hours["close"]:
                    out.append((start, end, hours))
            else:
                words = doc.spaced[max(0, start - 30) : start + 1].split()[-3:]
                first = _START_TIME.match(folded, start)
                if first is not None and int(first["h"]) <= 24 and _OPENING.intersection(words):
                    out.append((start, end, {"open": _clock(first["h"], first["m"])}))
    if _may_name_days_in(doc):
        for match in _WORDS.finditer(folded):
            kind = match.lastgroup
            if match["days"]:
                attrs: dict[str, Any] = {"days": f"{match['d1']}-{match['d2']}"}
            elif match["closed"]:
                attrs = {"closed": match["dc"]}
            elif kind == "allday":
                attrs = {"hours": "24/24"}
            else:
                attrs = {"days": "7/7"}
            out.append((match.start(), match.end(), attrs))
        out.sort(key=lambda item: item[0])
    return out


def find_schedules(doc: Doc) -> list[Entity]:
    """``schedule`` entities of ``doc``, one per line that names hours or days."""
    merged: dict[int, tuple[int, int, dict[str, Any]]] = {}
    for start, end, attrs in _fragments(doc):
        line = doc.line_of(start)
        if line in merged:
            first, last, held = merged[line]
            for key, value in attrs.items():
                held.setdefault(key, value)
            merged[line] = (first, max(last, end), held)
        else:
            merged[line] = (start, end, attrs)
    found = []
    for start, end, attrs in merged.values():
        summary = " ".join(
            str(part)
            for part in (
                f"{attrs['open']}-{attrs.get('close', '')}".rstrip("-")
                if "open" in attrs
                else None,
                attrs.get("hours"),
                attrs.get("days"),
                f"closed:{attrs['closed']}" if "closed" in attrs else None,
            )
            if part
        )
        found.append(doc.entity("schedule", summary, start, end, attrs))
    return found
