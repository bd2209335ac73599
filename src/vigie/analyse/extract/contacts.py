"""Contacts: phone numbers, messaging handles and links, e-mail addresses and URLs.

Everything here runs on the *original* text (handles and invite hashes are case-sensitive) and
each extractor is skipped by a cheap test first (a run of 8 digits, an ``@``, a ``.``/``/``, a
platform keyword). Values:

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
from typing import Final

import phonenumbers

from vigie.analyse.extract.doc import Doc, SpanSet, finditer_at
from vigie.model import Entity

__all__ = ["PLATFORM_WORDS", "find_contacts", "phone_value"]

# literal-led alternatives (the engine scans for "+" and "0"); the lookbehind after the first
# character checks what precedes the number
_PHONE: Final = re.compile(
    r"(?:\+(?<![\w+/=]\+)|00(?<![\w+/=]00))[1-9][0-9]{0,2}[ .\-]?(?:\(0\)[ .\-]?)?[0-9]"
    r"(?:[ .\-]?[0-9]){5,12}(?![\w/])"
    r"|0(?<![\w+/=]0)[1-9](?:[ .\-]?[0-9]{2}){4}(?![\w/])"
)
# where _PHONE can start: its three alternatives begin with "+", "00" or "0" and the same test
# of the character before (literal-led, so found far faster than _PHONE's own {+, 0} class)
_PHONE_STARTS: Final = (
    ("+", re.compile(r"\+(?<![\w+/=]\+)")),
    ("0", re.compile(r"0(?<![\w+/=]0)")),
)
_DIGITS8: Final = re.compile(r"[0-9](?:[ .\-]?[0-9]){7}")
# _DIGITS8 on the text as bytes, one per code point: [0-9] -> "0", [ .-] -> ".", else "x"; the
# pattern then starts with a literal, which the engine finds far faster than a class
_DIGIT_TABLE: Final = bytes(
    48 if 48 <= ch <= 57 else 46 if ch in b" .-" else 120 for ch in range(256)
)
_DIGITS8_BYTES: Final = re.compile(rb"0(?:\.?0){7}")
_SCHEME_WWW: Final = re.compile(r"^(?:https?://)?(?:www\.)?", re.I)
_SPACES: Final = re.compile(r"\s+")
_URL_CHARS: Final = r"[^\s<>\"'`{}|\\^\[\]]"
_URL: Final = re.compile(rf"(?:https?://|www\.){_URL_CHARS}+", re.IGNORECASE)
# where _URL can start, found from literals (a scan for "://" or "." is far faster than trying
# _URL at every character): 4 or 5 characters before "://", 3 before the "." of "www."
_URL_SCHEME: Final = re.compile(r"://(?:(?<=(?i:https)://)|(?<=(?i:http)://))")
_URL_WWW: Final = re.compile(r"\.(?<=(?i:www)\.)")
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


# r"\b(?:sc|ig|tg|wa)\s?[:=]" found from its ":" or "=" (a literal, which the engine scans for
# far faster than a class); the label starts 2 characters before it, 3 with a space between
_SHORT_LABELS: Final = (
    (":", re.compile(r":(?:(?<=\b(?:sc|ig|tg|wa):)|(?<=\b(?:sc|ig|tg|wa)\s:))")),
    ("=", re.compile(r"=(?:(?<=\b(?:sc|ig|tg|wa)=)|(?<=\b(?:sc|ig|tg|wa)\s=))")),
)
# every bare host holds one of these: a cheap necessary test before the ten substring tests
_HOST_TAIL: Final = re.compile(r"\.(?:me|dog|com|im)/")


def _has_digits8(text: str) -> bool:
    """``_DIGITS8.search(text) is not None``, on bytes (non-ASCII characters become "?")."""
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


def _phone_starts(text: str) -> list[int]:
    """Every position where _PHONE can match, in order."""
    starts: list[int] = []
    signs = 0
    for sign, pattern in _PHONE_STARTS:
        if sign in text:
            signs += 1
            for match in pattern.finditer(text):
                starts.append(match.start())
    if signs == 2:  # both kinds: merge them in text order
        starts.sort()
    return starts


def _phones(doc: Doc, taken: SpanSet, matches: list[re.Match[str]]) -> list[Entity]:
    """Phone entities for the ``_PHONE`` matches outside ``taken``."""
    found = []
    for match in matches:
        if taken.overlaps(match.start(), match.end()):
            continue
        value = phone_value(match.group())
        if value:
            found.append(doc.raw_entity("phone", value, match.start(), match.end()))
    return found


def _clean_url(raw: str) -> str:
    return raw.rstrip(_TRAILING)


def _normalise_url(url: str) -> str:
    lowered = url.lower()
    if not lowered.startswith(("http://", "https://")):
        url = "https://" + url
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def _urls(text: str) -> list[re.Match[str]]:
    """``list(_URL.finditer(text))``: _URL tried only where it can start, in text order."""
    starts = [
        m.start() - (5 if text[m.start() - 1] in "sSſ" else 4) for m in _URL_SCHEME.finditer(text)
    ]
    if "." in text:
        starts.extend(m.start() - 3 for m in _URL_WWW.finditer(text))
        starts.sort()
    return finditer_at(_URL, text, starts)


def _link_entity(doc: Doc, start: int, url: str) -> Entity:
    end = start + len(url)
    bare = _SCHEME_WWW.sub("", url)
    if match := _WA_LINK.match(bare):
        return doc.raw_entity("handle", "whatsapp:+" + match.group(1), start, end, {"link": True})
    if match := _SIGNAL_LINK.match(bare):
        return doc.raw_entity("handle", "signal:" + match.group(1), start, end, {"link": True})
    for pattern, prefix in _LINK_HANDLE:
        match = pattern.match(bare)
        if match and match.group(1).lower() not in _NOT_NAMES:
            return doc.raw_entity("handle", prefix + match.group(1), start, end, {"link": True})
    return doc.raw_entity("url", _normalise_url(url), start, end)


def _label_positions(doc: Doc) -> list[int]:
    folded = doc.folded
    positions: list[int] = []
    keys = doc.label_keys  # the ASCII platform words, found by the word scan of products
    if keys is None:
        from vigie.analyse.extract.products import scan_words  # (products imports PLATFORM_WORDS)

        scan_words(doc)
        keys = doc.label_keys or []
    for start in keys:
        positions.append(doc.span(start, start + 1)[0])  # the start maps alone
    if not folded.isascii():
        at = folded.find("👻")
        while at != -1:
            positions.append(doc.span(at, at + 1)[0])
            at = folded.find("👻", at + 1)
    for sign, short_label in _SHORT_LABELS:
        if sign in folded:
            for match in short_label.finditer(folded):
                at = match.start()
                start = at - 2 if folded[at - 1] in "cga" else at - 3
                positions.append(doc.span(start, at + 1)[0])
    return sorted(set(positions)) if len(positions) > 1 else positions


def _labelled(doc: Doc, taken: SpanSet) -> list[Entity]:
    found = []
    text = doc.text
    for position in _label_positions(doc):
        match = _LABELLED.match(text, position)
        if match is None:
            continue
        start, end = match.span("name")
        if taken.overlaps(start, end):
            continue
        label = _SPACES.sub(" ", match.group("label").lower())
        platform = _PLATFORM.get(label) or ("wickr" if label.startswith("wickr") else None)
        name = match.group("name").rstrip(".-")
        end = start + len(name)
        if platform is None or not name:
            continue
        if name.lower() in _NOT_A_NAME:  # "par Signal au 06…", "sur snap de ouf"
            continue
        if name.lstrip("+")[0].isdigit():
            phone = phone_value(name)
            if phone is None or platform not in ("whatsapp", "signal", "telegram"):
                continue
            value = f"{platform}:{phone}"
        elif platform == "telegram":
            value = "telegram:@" + name.lstrip("@")
        else:
            value = f"{platform}:{name.lstrip('@')}"
        found.append(doc.raw_entity("handle", value, start, end, {"label": label}))
        if value[len(platform) + 1 :].startswith("+"):
            found.append(doc.raw_entity("phone", value[len(platform) + 1 :], start, end))
        taken.add(start, end)
    return found


def find_contacts(doc: Doc) -> list[Entity]:
    """Phones, handles, links, URLs and e-mail addresses of ``doc``, in text order."""
    text = doc.text
    found: list[Entity] = []
    taken = SpanSet()
    at_sign = "@" in text
    if at_sign:
        for match in _EMAIL_DOMAIN.finditer(text):
            start = match.start()
            while start > 0 and match.start() - start < 64 and text[start - 1] in _LOCAL_CHARS:
                start -= 1
            if start < match.start() and text[start] not in ".-":
                found.append(
                    doc.raw_entity("email", text[start : match.end()].lower(), start, match.end())
                )
                taken.add(start, match.end())
    if "/" in text or "www." in text:
        lowered = doc.folded if len(doc.folded) == len(text) else text.lower()
        matches = _urls(text)
        if _HOST_TAIL.search(lowered) and any(host in lowered for host in _BARE_HOSTS):
            matches += _BARE_LINK.finditer(text)
        for match in sorted(matches, key=lambda m: m.start()):
            url = _clean_url(match.group())
            if len(url) > 8 and not taken.overlaps(match.start(), match.start() + len(url)):
                found.append(_link_entity(doc, match.start(), url))
                taken.add(match.start(), match.start() + len(url))
    found.extend(_labelled(doc, taken))
    if at_sign:
        for match in _AT_HANDLE.finditer(text):
            if not taken.overlaps(match.start(), match.end()):
                value = "telegram:@" + match.group(1)
                found.append(doc.raw_entity("handle", value, *match.span(), {"inferred": True}))
                taken.add(*match.span())
    if doc.has_digit:
        # the 8-digit gate, dearer than finding the numbers, only when there is one
        # (_PHONE tried only where it can start)
        matches = finditer_at(_PHONE, text, _phone_starts(text))
        if matches and _has_digits8(text):
            found.extend(_phones(doc, taken, matches))
    if len(found) > 1:
        found.sort(key=lambda entity: entity.start)
    return found
