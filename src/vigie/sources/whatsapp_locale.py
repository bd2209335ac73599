"""WhatsApp line layouts across locales: detection, one compiled regex per layout, dates.

A message line starts with a date and a time, written in the phone's locale::

    12/16/19, 2:35 PM - Name: text            Android, en_US
    05/03/2024 18:02 - Name: text             Android, fr_FR (no comma)
    [27.09.23, 09:18:41] Name: text           iOS, de_DE
    ‎[3/6/18 1:55:00 p. m.] Name: text         iOS, es (U+200E first, "p. m." with NBSP)
    2021-12-30, 22:01 - Name: text            year first
    13.6.2018 klo 21.25.15 - Name: text       fi (a word before the time, dotted time)
    ١٢/٣/٢٠٢٠، ٢:٣٥ م - Name: text            ar (Arabic-Indic digits, Arabic comma, U+200F)

``GENERIC`` recognises all of them; ``detect_layout`` picks the layout most lines of a file's head
use (brackets or not, date separator, what follows the time, whether a word precedes the time or
an AM/PM marker follows it) and ``Layout.regex`` is then compiled for exactly that layout, so a
continuation line that merely starts with another kind of date stays text.

Dates carry no time zone. Which of the two non-year fields is the day is decided for the whole
file by ``OrderVote``: a value above 12 decides; otherwise the order under which the timestamps
are most nearly non-decreasing wins; a tie falls back on the layout's usual order (month first
for ``/`` with a plain ``AM``/``PM``, as in en_US; day first otherwise; month first after a
leading year).
Two-digit years are 20xx, Buddhist-era years (> 2400) lose 543.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_M = "[\u200e\u200f]*"
_SPACE = "[ \u00a0\u202f]"

# AM/PM markers, canonical (lower-case letters only) -> is PM.
AMPM: dict[str, bool] = {}
for _words, _pm in (
    (
        "am vorm ص πμ قظ de sa fm ap dop öö pg vm fh 上午 午前 오전 дп проб damanhã delamañana",
        False,
    ),
    ("pm nachm م μμ بظ du ch em ip odp ös ptg nm eh 下午 午後 오후 пп слоб datarde danoite", True),
    ("delatarde delanoche", True),
):
    for _word in _words.split():
        AMPM[_word] = _pm
_STRIP_AMPM = str.maketrans("", "", ". \u00a0\u202f\u05f4\"'")


def _word_pattern(word: str) -> str:
    joiner = "[.\u05f4\"']?" + _SPACE + "?"
    return joiner.join(re.escape(ch) for ch in word) + r"\.?"


_AMPM_RE = "(?i:" + "|".join(_word_pattern(w) for w in sorted(AMPM, key=len, reverse=True)) + ")"
_DATE = (
    rf"(\d{{1,4}}){_M}(?P<sep>[./-]){_M}{_SPACE}?{_M}(\d{{1,2}}){_M}(?P=sep){_M}{_SPACE}?{_M}"
    rf"(\d{{1,4}})\.?{_M}[,،]?{_M}{_SPACE}{_M}"
)
_PRE = rf"(?:([^\d\s\[\]]{{1,8}}?){_SPACE}?)?"
_TIME = r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
_AMPM_GROUP = rf"(?:{_SPACE}?({_AMPM_RE}))?"
GENERIC = re.compile(
    rf"^[{MARKS}]*(\[)?{_M}{_DATE}{_PRE}{_TIME}{_AMPM_GROUP}{_M}"
    r"(?:(\])\s?|\s?(-|–)\s|(:)\s|(\s))(.*)$",
    re.DOTALL,
)
# GENERIC groups: 1 "[", 2 a, 3 sep, 4 b, 5 c, 6 pre, 7 hour, 8 minute, 9 second, 10 ampm,
# 11 "]", 12 dash, 13 colon, 14 bare space, 15 rest.
_TERMS = {"]": r"\]\s?", "-": r"\s?[-–]\s", ":": r":\s", " ": r"\s"}
SIGNAL_LIKE = re.compile(r"^\[\d{4}-\d{2}-\d{2},? \d{2}:\d{2}\] ")


@dataclass(frozen=True)
class Layout:
    """One line layout. ``regex`` groups: 1 the date and time up to the minutes (a cache key),
    2 a, 3 b, 4 c (the date fields in written order), 5 word before the time, 6 hour, 7 minute,
    8 second, 9 AM/PM marker, 10 the rest of the line (``Name: text``)."""

    bracket: bool
    sep: str
    term: str  # "]", "-", ":" or " "
    pre: bool  # a word may precede the time (klo, kl., 오후 …)
    ampm: bool  # an AM/PM marker may follow the time
    year_first: bool
    regex: re.Pattern[str]
    us_clock: bool = False  # "/" dates with a plain AM/PM: en_US, month first by default

    def describe(self) -> str:
        """A human description such as ``[d.m.y, H:M:S] `` or ``m/d/y, H:M AM - ``."""
        date = self.sep.join(("y", "?", "?") if self.year_first else ("?", "?", "y"))
        time = ("word " if self.pre else "") + "H:M[:S]" + (" AM/PM" if self.ampm else "")
        body = f"{date}, {time}"
        if self.bracket:
            return f"[{body}] "
        return body + {"-": " - ", ":": ": ", " ": " "}.get(self.term, " ")


def compile_layout(
    bracket: bool,
    sep: str,
    term: str,
    pre: bool,
    ampm: bool,
    year_first: bool,
    us_clock: bool = False,
) -> Layout:
    """The ``Layout`` for these choices, with its compiled regex."""
    date = _DATE.replace("(?P<sep>[./-])", re.escape(sep)).replace("(?P=sep)", re.escape(sep))
    pattern = (
        rf"^[{MARKS}]*"
        + (r"\[" if bracket else "")
        + _M
        + "("
        + date
        + (_PRE if pre else "()")
        + _TIME.replace(r"(?:[:.](\d{2}))?", ")" + r"(?:[:.](\d{2}))?")
        + (_AMPM_GROUP if ampm else "()")
        + _M
        + _TERMS["]" if bracket else term]
        + "(.*)$"
    )
    regex = re.compile(pattern, re.DOTALL)
    return Layout(bracket, sep, term, pre, ampm, year_first, regex, us_clock)


def detect_layout(lines: list[str]) -> Layout | None:
    """The layout most of ``lines`` (a file's head) start with, or None when none does."""
    votes: Counter[tuple[bool, str, str]] = Counter()
    matches = []
    for line in lines:
        m = GENERIC.match(line)
        if m is None:
            continue
        term = "]" if m.group(11) else "-" if m.group(12) else ":" if m.group(13) else " "
        if bool(m.group(1)) != (term == "]"):
            continue
        key = (term == "]", m.group(3), term)
        votes[key] += 1
        matches.append((key, m))
    if not votes:
        return None
    best = votes.most_common(1)[0][0]
    chosen = [m for key, m in matches if key == best]
    pre = any(m.group(6) for m in chosen)
    ampm = any(m.group(10) for m in chosen) or any(
        m.group(6) and ampm_is_pm(m.group(6)) is not None for m in chosen
    )
    long_first = sum(len(m.group(2)) >= 3 for m in chosen)
    long_last = sum(len(m.group(5)) >= 3 for m in chosen)
    year_first = long_first > long_last or (
        long_first == long_last == 0
        and sum(int(m.group(2)) > 31 for m in chosen) > len(chosen) // 2
    )
    markers = {m.group(10).strip(" \u00a0\u202f") for m in chosen if m.group(10)}
    us_clock = best[1] == "/" and bool(markers) and markers <= {"AM", "PM"}
    return compile_layout(best[0], best[1], best[2], pre, ampm, year_first, us_clock)


_AMPM_CACHE: dict[str, bool | None] = {}


def ampm_is_pm(token: str) -> bool | None:
    """True for a PM marker, False for AM, None when ``token`` is no AM/PM marker."""
    known = _AMPM_CACHE.get(token, 0)
    if known != 0:
        return known  # type: ignore[return-value]
    value = AMPM.get(token.translate(_STRIP_AMPM).casefold())
    if len(_AMPM_CACHE) < 1024:
        _AMPM_CACHE[token] = value
    return value


def hour24(hour: int, pre: str | None, ampm: str | None) -> int:
    """``hour`` on a 24-hour clock given the AM/PM marker after (or the word before) the time."""
    marker = ampm or pre
    if not marker or hour > 12:
        return hour
    pm = ampm_is_pm(marker)
    if pm is None:
        return hour
    if pm:
        return hour if hour == 12 else hour + 12
    return 0 if hour == 12 else hour


def full_year(year: int) -> int:
    """Two-digit years are 20xx; Buddhist-era years (Thai locale) are converted."""
    if year < 100:
        return 2000 + year
    if year > 2400:
        return year - 543
    return year


class OrderVote:
    """Counters (constant memory) that decide whether the day comes before the month.

    ``p`` and ``q`` are the two non-year fields in written order; "day first" means ``p`` is
    the day.
    """

    __slots__ = ("decreases", "over12", "previous", "year_first")

    def __init__(self, year_first: bool) -> None:
        self.year_first = year_first
        self.over12 = [0, 0]  # lines where p > 12, where q > 12
        self.decreases = [0, 0]  # timestamps going back if p is the day, if p is the month
        self.previous: list[tuple[int, ...] | None] = [None, None]

    def add(self, a: str, b: str, c: str, hour: int, minute: int, second: int) -> None:
        """Count one message line (date fields as written, time on a 24-hour clock)."""
        if self.year_first:
            y, p, q = int(a), int(b), int(c)
        else:
            p, q, y = int(a), int(b), int(c)
        if p > 12:
            self.over12[0] += 1
        if q > 12:
            self.over12[1] += 1
        for i, stamp in enumerate(
            ((y, q, p, hour, minute, second), (y, p, q, hour, minute, second))
        ):
            before = self.previous[i]
            if before is not None and stamp < before:
                self.decreases[i] += 1
            self.previous[i] = stamp

    def decisive(self) -> bool:
        """True when exactly one field ever exceeds 12 (the head alone then decides)."""
        return (self.over12[0] > 0) != (self.over12[1] > 0)

    def decide(self, layout: Layout) -> tuple[bool, str]:
        """(day first?, how it was decided: ``field>12``, ``monotonic`` or ``default``)."""
        p_over, q_over = self.over12
        if p_over != q_over:
            return p_over > q_over, "field>12"
        if self.decreases[0] != self.decreases[1]:
            return self.decreases[0] < self.decreases[1], "monotonic"
        if layout.year_first:
            return False, "default"
        return not layout.us_clock, "default"


def order_fields(a: str, b: str, c: str, year_first: bool, day_first: bool) -> tuple[int, int, int]:
    """(year, month, day) from the three date fields as written."""
    if year_first:
        y, p, q = int(a), int(b), int(c)
    else:
        p, q, y = int(a), int(b), int(c)
    return (full_year(y), q, p) if day_first else (full_year(y), p, q)
