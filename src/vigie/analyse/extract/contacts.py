"""Contacts: phone numbers, messaging handles and links, e-mail addresses and URLs.

Everything here runs on the *original* text (handles and invite hashes are case-sensitive) and
each extractor is skipped by a cheap test first (a run of 8 digits, an ``@``, a ``.``/``/``, a
platform keyword); the patterns are tried only where they can start, those places found with
one-character str.find (memchr speed) rather than by a regex scan of the whole text. Values:

- ``phone``: E.164 (``+33639981234``), parsed with ``phonenumbers`` (French default region) and
  kept when valid, or when a well-formed French number (9 national digits, not 08);
- ``handle``: ``<platform>:<name>`` — ``telegram:@name`` (from ``@name``, ``t.me/name``,
  ``telegram: name``), ``snapchat:name`` (``snap: name``, ``👻 name``, snapchat.com/add/name),
  ``whatsapp:+336…`` (wa.me links, ``whatsapp: 06…``), ``signal:+336…`` or ``signal:name``,
  ``instagram:name``, ``wickr:name``, ``potato:name``;
- ``url``: other links, normalised (``https://`` added, host lower-cased, trailing punctuation
  dropped); Telegram invite links ``https://t.me/+hash`` and WhatsApp group links stay URLs;
- ``email``: lower-cased address.
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Final

import phonenumbers

from vigie.analyse.extract.doc import Doc, SpanSet, compact_json, finditer_at
from vigie.model import Entity

__all__ = ["PLATFORM_WORDS", "find_contacts", "phone_value"]

# literal-led alternatives (tried only at the "+" and "0" of _phone_starts); the lookbehind
# after the first character checks what precedes the number
_PHONE: Final = re.compile(
    r"(?:\+(?<![\w+/=]\+)|00(?<![\w+/=]00))[1-9][0-9]{0,2}[ .\-]?(?:\(0\)[ .\-]?)?[0-9]"
    r"(?:[ .\-]?[0-9]){5,12}(?![\w/])"
    r"|0(?<![\w+/=]0)[1-9](?:[ .\-]?[0-9]{2}){4}(?![\w/])"
)
# the ASCII characters of _PHONE's lookbehind class [\w+/=]
_PHONE_BLOCKER: Final = [
    chr(ch).isalnum() or chr(ch) in "_+/=" for ch in range(128)
]  # fmt: skip
# the phones' 8-digit gate r"[0-9](?:[ .\-]?[0-9]){7}" run on the text as bytes, one per code
# point: [0-9] -> "0", [ .-] -> ".", else "x"; the pattern then starts with a literal, which
# the engine finds far faster than a class
_DIGIT_TABLE: Final = bytes(
    48 if 48 <= ch <= 57 else 46 if ch in b" .-" else 120 for ch in range(256)
)
_DIGITS8_BYTES: Final = re.compile(rb"0(?:\.?0){7}")
_SCHEME_WWW: Final = re.compile(r"^(?:https?://)?(?:www\.)?", re.I)
_SPACES: Final = re.compile(r"\s+")
_URL_CHARS: Final = r"[^\s<>\"'`{}|\\^\[\]]"
_URL: Final = re.compile(rf"(?:https?://|www\.){_URL_CHARS}+", re.IGNORECASE)
# where _URL can start (see _urls, which finds their ":" and "." with str.find, and
# _www_starts): 4 or 5 characters before "://", 3 before the "." of "www."
_URL_SCHEME: Final = re.compile(r"://(?:(?<=(?i:https)://)|(?<=(?i:http)://))")
_BARE_HOSTS: Final = (
    "t.me/", "telegram.me/", "telegram.dog/", "wa.me/", "chat.whatsapp.com/", "snapchat.com/",
    "signal.me/", "potato.im/", "instagram.com/", "wickr.me/",
)  # fmt: skip
_BARE_LINK: Final = re.compile(
    r"(?<![\w.@/])(?:t\.me|telegram\.me|telegram\.dog|wa\.me|chat\.whatsapp\.com|snapchat\.com"
    rf"|signal\.me|potato\.im|instagram\.com|wickr\.me)/{_URL_CHARS}*",
    re.IGNORECASE,
)
_EMAIL_DOMAIN: Final = re.compile(r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b")
_LOCAL_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-"
)
_LABELLED: Final = re.compile(
    r"(?P<label>\b(?:snapchat|snap|sc|insta|instagram|ig|wickr\s?(?:me|id)?|telegram|tg|telegramme"
    r"|signal|whatsapp|whats\s?app|wa|potato)\b|👻)\s?(?:id\s?)?(?:[:=\-–>➡️👉]+\s?|\s)"
    r"(?P<name>@?[A-Za-z][\w.\-]{1,31}|\+?[0-9][0-9 .\-]{7,16}[0-9])",
    re.IGNORECASE,
)
# Words that follow a platform name in running text and are never the account itself.
_NOT_A_NAME: Final = frozenset(
    [
        "au",
        "aux",
        "a",
        "à",
        "de",
        "du",
        "des",
        "le",
        "la",
        "les",
        "un",
        "une",
        "et",
        "ou",
        "pour",
        "par",
        "sur",
        "avec",
        "en",
        "dans",
        "me",
        "moi",
        "nous",
        "vous",
        "on",
        "il",
        "elle",
        "ils",
        "ma",
        "mon",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "ce",
        "cet",
        "cette",
        "ici",
        "la-bas",
        "direct",
        "direkt",
        "pv",
        "mp",
        "dm",
        "the",
        "to",
        "me",
        "my",
        "or",
        "and",
        "is",
        "on",
        "in",
        "at",
        "for",
        "only",
        "pls",
        "please",
        "now",
        "here",
        "dm",
        "me",
    ]
)
_AT_HANDLE: Final = re.compile(r"@(?<![\w@.]@)([A-Za-z][A-Za-z0-9_]{4,31})\b(?!\.[A-Za-z])(?!@)")
_PLATFORM: Final = {
    "snapchat": "snapchat", "snap": "snapchat", "sc": "snapchat", "👻": "snapchat",
    "insta": "instagram", "instagram": "instagram", "ig": "instagram", "telegram": "telegram",
    "tg": "telegram", "telegramme": "telegram", "signal": "signal", "whatsapp": "whatsapp",
    "whats app": "whatsapp", "wa": "whatsapp", "potato": "potato", "wickr": "wickr",
}  # fmt: skip
_TRAILING: Final = ".,;:!?)]}>'\"»…"
_LINK_HANDLE: Final = (
    (re.compile(r"(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/?(?:[?#].*)?$", re.I), "telegram:@"),
    (re.compile(r"snapchat\.com/(?:add|t)/([A-Za-z0-9._-]{2,30})/?$", re.I), "snapchat:"),
    (re.compile(r"instagram\.com/([A-Za-z0-9._]{2,30})/?(?:\?.*)?$", re.I), "instagram:"),
    (re.compile(r"potato\.im/([A-Za-z0-9_]{3,32})/?$", re.I), "potato:"),
)  # fmt: skip
_WA_LINK: Final = re.compile(r"(?:api\.)?wa\.me/\+?([0-9]{6,15})", re.I)
_SIGNAL_LINK: Final = re.compile(r"signal\.me/#p/(\+[0-9]{6,15})", re.I)
_NOT_NAMES: Final = frozenset(
    {"joinchat", "share", "addstickers", "proxy", "socks", "c", "s", "iv"}
)
# where a labelled handle can start ("snap:", "insta ", "👻 "); the word scan of
# products.scan_words finds the ASCII ones (Doc.label_keys), _label_positions the emoji
PLATFORM_WORDS: Final = ("snap", "insta", "wickr", "telegram", "signal", "whats", "potato", "👻")


# r"\b(?:sc|ig|tg|wa)\s?[:=]" matched from its ":" or "=" (found with str.find by
# _short_labels); the label starts 2 characters before it, 3 with a space between
_SHORT_LABEL: Final = re.compile(r"[:=](?:(?<=\b(?:sc|ig|tg|wa)[:=])|(?<=\b(?:sc|ig|tg|wa)\s[:=]))")
# a "/" after the tail of a bare host (.me, .im, .dog, .com), which every _BARE_LINK match holds
_TAIL_SLASH: Final = re.compile(r"/(?:(?<=(?i:\.me|\.im)/)|(?<=(?i:\.dog|\.com)/))")


def _has_digits8(text: str) -> bool:
    r"""True when ``text`` holds 8 ASCII digits, each but the first after at most one of " ",
    "." or "-" (r"[0-9](?:[ .\-]?[0-9]){7}"), looked for on bytes (non-ASCII becomes "?")."""
    raw = text.encode("ascii", "replace").translate(_DIGIT_TABLE)
    return raw.count(b"0") >= 8 and _DIGITS8_BYTES.search(raw) is not None


def phone_value(raw: str, region: str = "FR") -> str | None:
    """E.164 form of a phone number as written, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        # French numbers outside the assigned ranges (the ARCEP fiction range 06 39 98 …,
        # ranges newer than the library's metadata) are still identifiers when well formed
        national = str(number.national_number)
        if number.country_code != 33 or len(national) != 9 or national[0] == "8":
            return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# phone_value of the numbers seen lately: parsing costs ~30 us (phonenumbers is pure Python)
# and a seller's number comes back in each of their listings; emptied when full
_PHONE_VALUES: Final[dict[str, str | None]] = {}
_PHONE_VALUES_MAX: Final = 4096


def _phone_value(raw: str) -> str | None:
    """``phone_value(raw)`` (French default region), remembered."""
    if raw in _PHONE_VALUES:
        return _PHONE_VALUES[raw]
    value = phone_value(raw)
    if len(_PHONE_VALUES) >= _PHONE_VALUES_MAX:
        _PHONE_VALUES.clear()
    _PHONE_VALUES[raw] = value
    return value


def _phone_starts(text: str) -> list[int]:
    """Offsets where _PHONE can match, in order (_NOTHING when none): every "+", and every
    "0" with an ASCII digit after it (``00`` and ``0[1-9]``) and no ASCII letter or digit, "_",
    "+", "/" or "=" before it (the lookbehind; any other character before it is left to
    _PHONE). A superset of its match starts, found with str.find (memchr) instead of two
    regex scans of the text."""
    starts = _positions(text, "+")
    signs = len(starts)
    last = len(text) - 1
    at = text.find("0")
    while at != -1:
        if at < last and 48 <= ord(text[at + 1]) <= 57:
            before = ord(text[at - 1]) if at > 0 else 32
            if before >= 128 or not _PHONE_BLOCKER[before]:
                if starts is _NOTHING:
                    starts = []
                starts.append(at)
        at = text.find("0", at + 1)
    if signs and len(starts) > signs:  # both kinds: merge them in text order
        starts.sort()
    return starts


def _phones(doc: Doc, taken: SpanSet, matches: list[re.Match[str]]) -> list[Entity]:
    """Phone entities for the ``_PHONE`` matches outside ``taken``."""
    found = []
    for match in matches:
        if taken.overlaps(match.start(), match.end()):
            continue
        value = _phone_value(match.group())
        if value:
            found.append(doc.raw_entity("phone", value, match.start(), match.end()))
    return found


# the attrs of contacts' entities as compact_json makes them, made once: the JSON encoder
# costs ~1.4 us a call, more than the rest of a handle
_LINK: Final = compact_json({"link": True})
_INFERRED: Final = compact_json({"inferred": True})
_LABEL_ATTRS: Final[dict[str, str]] = {}  # label -> compact_json({"label": label})


def _label_attrs(label: str) -> str:
    attrs = _LABEL_ATTRS.get(label)
    if attrs is None:
        attrs = compact_json({"label": label})
        if len(_LABEL_ATTRS) >= 256:  # a few dozen labels exist; never grows without bound
            _LABEL_ATTRS.clear()
        _LABEL_ATTRS[label] = attrs
    return attrs


def _clean_url(raw: str) -> str:
    return raw.rstrip(_TRAILING)


def _normalise_url(url: str) -> str:
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")):
        url = "https://" + url
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


# "no offset": returned instead of a new empty list (most texts have none), never mutated
_NOTHING: Final[list[int]] = []
_NO_MATCHES: Final[list[re.Match[str]]] = []


def _positions(text: str, char: str, first: int = 0) -> list[int]:
    """Every offset of the character ``char`` in ``text`` from ``first`` on, in order.

    A one-character str.find runs at memchr speed, a regex scan (or a longer str.find) at
    about a nanosecond a character: on a 1,000-character listing, finding the few ``@``,
    ``:`` or ``/`` this way and trying a pattern only there is several times cheaper."""
    at = text.find(char, first)
    if at == -1:
        return _NOTHING
    found = [at]
    at = text.find(char, at + 1)
    while at != -1:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _at_gate(text: str, at: int) -> bool:
    r"""Whether ``@(?:[A-Za-z0-9-]{1,63}\.|[A-Za-z][A-Za-z0-9_]{4})`` matches at the "@" at
    ``at`` (a dotted label or 5 characters of a handle after it), read by hand (a regex call
    costs more than the few characters of a tweet's "@user" it has to read): either a run of 1
    to 63 of [A-Za-z0-9-] then "." (which the run cannot hold), or a run of at least 5 of
    [A-Za-z0-9_] that starts with a letter."""
    size = len(text)
    end = at + 1  # end of the [A-Za-z0-9-] run
    while end < size:
        ch = ord(text[end])
        if not (48 <= ch <= 57 or 65 <= ch <= 90 or 97 <= ch <= 122 or ch == 45):
            break
        end += 1
    if at + 1 < end <= at + 64 and end < size and text[end] == ".":
        return True
    if at + 1 >= size:
        return False
    ch = ord(text[at + 1])
    if not (65 <= ch <= 90 or 97 <= ch <= 122):
        return False
    end = at + 2  # end of the [A-Za-z0-9_] run, needed 5 long
    while end < size and end < at + 6:
        ch = ord(text[end])
        if not (48 <= ch <= 57 or 65 <= ch <= 90 or 97 <= ch <= 122 or ch == 95):
            return False
        end += 1
    return end == at + 6


def _at_signs(text: str) -> list[int]:
    """Offsets of the "@" where _EMAIL_DOMAIN or _AT_HANDLE can match (both start with their
    "@"), from the first that passes _at_gate, which either match implies."""
    at = text.find("@")
    while at != -1 and not _at_gate(text, at):
        at = text.find("@", at + 1)
    return _NOTHING if at == -1 else _positions(text, "@", at)


def _www_starts(text: str) -> list[int]:
    """The offsets of the (?i)"www." of ``text`` (each "." after three w or W; (?i:w) matches
    no other character): from the "." found by str.find, far cheaper than a regex scan."""
    starts = _NOTHING
    at = text.find(".")
    while at != -1:
        # w or W: x | 32 == 119 for x = 119 and 87 only
        if (
            at >= 3
            and ord(text[at - 1]) | 32 == 119
            and ord(text[at - 2]) | 32 == 119
            and ord(text[at - 3]) | 32 == 119
        ):
            if starts is _NOTHING:
                starts = []
            starts.append(at - 3)
        at = text.find(".", at + 1)
    return starts


def _urls(text: str, www: list[int]) -> list[re.Match[str]]:
    """``list(_URL.finditer(text))``: _URL tried only where it can start, in text order;
    ``www`` is ``_www_starts(text)``."""
    # a scheme start: a "://" where _URL_SCHEME (its lookbehinds) matches, 4 or 5 characters
    # before it; each "://" has its own ":", and _URL_SCHEME matches nothing else
    size = len(text)
    starts = [
        at - (5 if text[at - 1] in "sSſ" else 4)
        for at in _positions(text, ":")
        if at + 2 < size
        and ord(text[at + 1]) == 47  # "//" after it
        and ord(text[at + 2]) == 47
        and _URL_SCHEME.match(text, at) is not None
    ]
    starts += www
    if len(starts) > 1:
        starts.sort()
    return finditer_at(_URL, text, starts)


def _slash_after_tail(text: str) -> bool:
    """True when a "/" of ``text`` follows ``.me``, ``.im``, ``.dog`` or ``.com`` in any case
    (as (?i) reads them: the character before it is e, m or g, in ASCII), which every
    _BARE_LINK match holds."""
    at = text.find("/")
    while at != -1:
        before = ord(text[at - 1]) | 32 if at >= 3 else 0  # lower-cased if a letter
        tail = before == 101 or before == 109 or before == 103  # e, m, g
        if tail and _TAIL_SLASH.match(text, at) is not None:
            return True
        at = text.find("/", at + 1)
    return False


# the ASCII letters that (?i) matches with a non-ASCII character as well (İ ı, ſ, K)
_FOLD_TRAPS: Final[tuple[str, ...]] = ("\u0130", "\u0131", "\u017f", "\u212a")
_BARE_HOST_BYTES: Final = tuple(host.encode("ascii") for host in _BARE_HOSTS)


def _bare_links(text: str) -> list[re.Match[str]]:
    """``list(_BARE_LINK.finditer(text))``: tried only where a host starts (the pattern has no
    literal prefix, so the engine otherwise tries the lookbehind and ten hosts at every
    character). Non-ASCII characters become "?" in ``lowered`` (ASCII, lower-cased), where
    every case-insensitive host is then found unless the text holds one of the four
    characters (?i) folds onto an ASCII letter; then the plain scan."""
    if not text.isascii() and any(trap in text for trap in _FOLD_TRAPS):
        return list(_BARE_LINK.finditer(text))
    lowered = text.encode("ascii", "replace").lower()
    starts: list[int] = []
    for host in _BARE_HOST_BYTES:
        at = lowered.find(host)
        while at != -1:
            starts.append(at)
            at = lowered.find(host, at + 1)
    if len(starts) > 1:
        starts = sorted(set(starts))
    return finditer_at(_BARE_LINK, text, starts)


def _link_entity(doc: Doc, start: int, url: str) -> Entity:
    end = start + len(url)
    bare = _SCHEME_WWW.sub("", url)
    if match := _WA_LINK.match(bare):
        return doc.raw_entity("handle", "whatsapp:+" + match.group(1), start, end, _LINK)
    if match := _SIGNAL_LINK.match(bare):
        return doc.raw_entity("handle", "signal:" + match.group(1), start, end, _LINK)
    for pattern, prefix in _LINK_HANDLE:
        match = pattern.match(bare)
        if match and match.group(1).lower() not in _NOT_NAMES:
            return doc.raw_entity("handle", prefix + match.group(1), start, end, _LINK)
    return doc.raw_entity("url", _normalise_url(url), start, end)


def _cga(ch: int) -> bool:
    """The code point is c, g or a (how sc, ig, tg and wa end)."""
    return ch == 99 or ch == 103 or ch == 97


def _short_labels(doc: Doc, sign: str, positions: list[int]) -> list[int]:
    """``positions`` plus the original starts of the short labels ("sc:", "wa =") before each
    ``sign`` (":" or "=") of the folded text where _SHORT_LABEL matches."""
    folded = doc.folded
    at = folded.find(sign)
    while at != -1:
        # sc/ig/tg/wa end right before the sign or one (space) character before it
        if (
            at >= 2
            and (_cga(ord(folded[at - 1])) or _cga(ord(folded[at - 2])))
            and _SHORT_LABEL.match(folded, at) is not None
        ):
            start = at - 2 if folded[at - 1] in "cga" else at - 3
            if positions is _NOTHING:
                positions = []
            positions.append(doc.span(start, at + 1)[0])
        at = folded.find(sign, at + 1)
    return positions


def _label_positions(doc: Doc) -> list[int]:
    """Sorted original offsets where a labelled handle can start (_NOTHING when none)."""
    folded = doc.folded
    positions = _NOTHING  # a list made on the first find (most messages have none)
    doc.scan_words()
    keys = doc.label_keys or []  # the ASCII platform words
    if keys:
        positions = [doc.span(start, start + 1)[0] for start in keys]  # the start maps alone
    if not folded.isascii():
        at = folded.find("👻")
        while at != -1:
            if positions is _NOTHING:
                positions = []
            positions.append(doc.span(at, at + 1)[0])
            at = folded.find("👻", at + 1)
    # the short labels from their ":" or "=", each found by a one-character str.find
    positions = _short_labels(doc, ":", positions)
    positions = _short_labels(doc, "=", positions)
    return sorted(set(positions)) if len(positions) > 1 else positions


def _labelled(doc: Doc, taken: SpanSet, positions: list[int]) -> list[Entity]:
    """The labelled handles ("snap: name") starting at ``positions`` (_label_positions)."""
    found = []
    text = doc.text
    for position in positions:
        match = _LABELLED.match(text, position)
        if match is None:
            continue
        start, end = match.span("name")
        if taken.overlaps(start, end):
            continue
        label = match.group("label").lower()
        if not label.isalpha():  # "wickr  me", "whats\tapp": one space (a sub is ~0.2 us)
            label = _SPACES.sub(" ", label)
        platform = _PLATFORM.get(label) or ("wickr" if label.startswith("wickr") else None)
        name = match.group("name").rstrip(".-")
        end = start + len(name)
        if platform is None or not name:
            continue
        if name.lower() in _NOT_A_NAME:  # "par Signal au 06…", "sur snap de ouf"
            continue
        if name.lstrip("+")[0].isdigit():
            phone = _phone_value(name)
            if phone is None or platform not in ("whatsapp", "signal", "telegram"):
                continue
            value = f"{platform}:{phone}"
        elif platform == "telegram":
            value = "telegram:@" + name.lstrip("@")
        else:
            value = f"{platform}:{name.lstrip('@')}"
        found.append(doc.raw_entity("handle", value, start, end, _label_attrs(label)))
        if value[len(platform) + 1 :].startswith("+"):
            found.append(doc.raw_entity("phone", value[len(platform) + 1 :], start, end))
        taken.add(start, end)
    return found


# the sort keys, as functions of the module: a lambda in find_contacts would make it build a
# closure environment object on every call once compiled
_START: Final = attrgetter("start")


def _match_start(match: re.Match[str]) -> int:
    return match.start()


def find_contacts(doc: Doc) -> list[Entity]:
    """Phones, handles, links, URLs and e-mail addresses of ``doc``, in text order."""
    text = doc.text
    # each family's cheap necessary test first; most messages pass none of them
    at_signs = _at_signs(text)
    # the links' block runs when the text holds a "/" or a "www." (lower-case: the reference
    # skips "WWW.X.COM" alone); "www." is looked for only after a (?i)www. start, found anyway
    www = _www_starts(text)
    slash = "/" in text
    links = slash or (www is not _NOTHING and "www." in text)
    positions = _label_positions(doc)
    # phones need a _PHONE match (tried only where it can start) and, the dearer test, 8
    # digits somewhere (_has_digits8)
    starts = _phone_starts(text) if doc.has_digit else _NOTHING
    phones = finditer_at(_PHONE, text, starts) if starts is not _NOTHING else _NO_MATCHES
    if phones and not _has_digits8(text):
        phones = _NO_MATCHES
    if at_signs is _NOTHING and not links and positions is _NOTHING and not phones:
        return []
    found: list[Entity] = []
    taken = SpanSet()
    if at_signs is not _NOTHING:
        for match in finditer_at(_EMAIL_DOMAIN, text, at_signs):
            start = match.start()
            while start > 0 and match.start() - start < 64 and text[start - 1] in _LOCAL_CHARS:
                start -= 1
            if start < match.start() and text[start] not in ".-":
                found.append(
                    doc.raw_entity("email", text[start : match.end()].lower(), start, match.end())
                )
                taken.add(start, match.end())
    if links:
        matches = _urls(text, www)
        # _BARE_LINK needs a "/" after a (?i) host tail in the text: without one the gate on
        # ``lowered`` (a text.lower() of a long non-ASCII text costs microseconds) is moot
        if slash and _slash_after_tail(text):
            lowered = doc.folded if len(doc.folded) == len(text) else text.lower()
            if any(host in lowered for host in _BARE_HOSTS):
                matches += _bare_links(text)
        for match in sorted(matches, key=_match_start):
            url = _clean_url(match.group())
            if len(url) > 8 and not taken.overlaps(match.start(), match.start() + len(url)):
                found.append(_link_entity(doc, match.start(), url))
                taken.add(match.start(), match.start() + len(url))
    if positions is not _NOTHING:
        found.extend(_labelled(doc, taken, positions))
    if at_signs is not _NOTHING:
        for match in finditer_at(_AT_HANDLE, text, at_signs):
            if not taken.overlaps(match.start(), match.end()):
                value = "telegram:@" + match.group(1)
                start, end = match.span()
                found.append(doc.raw_entity("handle", value, start, end, _INFERRED))
                taken.add(*match.span())
    if phones:
        found.extend(_phones(doc, taken, phones))
    if len(found) > 1:
        found.sort(key=_START)
    return found
