"""Entity resolution: which graph node an extracted identifier, a sender or a channel becomes.

Node ids are ``kind:canonical-value``: ``channel:telegram:1001``, ``account:telegram:user42``,
``phone:+33639980101``, ``handle:telegram:@menu13``, ``url:https://…``, ``crypto:btc:…``,
``email:…``, ``place:13055``. A handle or a Telegram/Snapchat/WhatsApp link that names a channel
present in the workspace resolves to that channel's node, so "@menu13_secours" and
"https://t.me/menu13_secours" and the channel itself are one node.

Resolution keys (``telegram:@name``, ``telegram:+invitehash``, ``snapchat:name``,
``whatsapp:+336…``) are computed twice, identically: in Python for the few channel records and
in SQL for the (many) entity rows; a parametrised test keeps the two in step.
"""

from __future__ import annotations

import json
import re
import unicodedata

# identifier types that become graph nodes; offers, products, schedules … stay in observe
IDENTIFIER_TYPES: tuple[str, ...] = ("phone", "handle", "url", "crypto", "email", "place")
# those that say who sells (reuse across channels is evidence of one operator); places are not
CONTACT_TYPES: tuple[str, ...] = ("phone", "handle", "url", "crypto", "email")

_TG_HOST = r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/"
_TG_INVITE = re.compile(_TG_HOST + r"(?:joinchat/|\+)([A-Za-z0-9_-]{6,})", re.IGNORECASE)
_TG_NAME = re.compile(_TG_HOST + r"(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})(?:[/?#]|$)", re.IGNORECASE)
_SNAP = re.compile(
    r"(?:https?://)?(?:www\.)?snapchat\.com/(?:add|t)/([A-Za-z0-9._-]{2,30})", re.IGNORECASE
)
_WA = re.compile(r"(?:https?://)?(?:api\.)?wa\.me/\+?([0-9]{6,15})", re.IGNORECASE)
_INSTA = re.compile(
    r"(?:https?://)?(?:www\.)?instagram\.com/([A-Za-z0-9._]{2,30})(?:[/?#]|$)", re.IGNORECASE
)
_HANDLE = re.compile(r"^([a-z]+):@?(.+)$", re.IGNORECASE)
_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")

# SQL twin of resolution_key() for entity rows (columns ``type`` and ``value``)
RESOLUTION_KEY_SQL = r"""
CASE
  WHEN type = 'handle' AND lower(value) LIKE 'telegram:%'
    THEN 'telegram:@' || lower(ltrim(substr(value, 10), '@'))
  WHEN type = 'handle' AND lower(value) LIKE 'whatsapp:%'
    THEN 'whatsapp:+' || ltrim(substr(value, 10), '+')
  WHEN type = 'handle' THEN lower(split_part(value, ':', 1)) || ':'
    || lower(ltrim(substr(value, length(split_part(value, ':', 1)) + 2), '@'))
  WHEN type = 'url' AND regexp_matches(value, '(?i)^(https?://)?(www\.)?(t\.me|telegram\.me|telegram\.dog)/(joinchat/|\+)[A-Za-z0-9_-]{6,}')
    THEN 'telegram:+' || regexp_extract(value, '(?i)(?:joinchat/|\+)([A-Za-z0-9_-]{6,})', 1)
  WHEN type = 'url' AND regexp_matches(value, '(?i)^(https?://)?(www\.)?(t\.me|telegram\.me|telegram\.dog)/(s/)?[A-Za-z][A-Za-z0-9_]{3,31}([/?#]|$)')
    THEN 'telegram:@' || lower(regexp_extract(value, '(?i)(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})', 1))
  WHEN type = 'url' AND regexp_matches(value, '(?i)^(https?://)?(www\.)?snapchat\.com/(add|t)/[A-Za-z0-9._-]{2,30}')
    THEN 'snapchat:' || lower(regexp_extract(value, '(?i)snapchat\.com/(?:add|t)/([A-Za-z0-9._-]{2,30})', 1))
  WHEN type = 'url' AND regexp_matches(value, '(?i)^(https?://)?(api\.)?wa\.me/\+?[0-9]{6,15}')
    THEN 'whatsapp:+' || regexp_extract(value, '(?i)wa\.me/\+?([0-9]{6,15})', 1)
  WHEN type = 'url' AND regexp_matches(value, '(?i)^(https?://)?(www\.)?instagram\.com/[A-Za-z0-9._]{2,30}([/?#]|$)')
    THEN 'instagram:' || lower(regexp_extract(value, '(?i)instagram\.com/([A-Za-z0-9._]{2,30})', 1))
  ELSE NULL
END
"""


def resolution_key(entity_type: str, value: str) -> str | None:
    """The key under which a handle or a platform link can name a channel, or None.

    ``('handle', 'telegram:@Menu13')`` and ``('url', 'https://t.me/menu13')`` both give
    ``telegram:@menu13``; invite links keep their case-sensitive hash (``telegram:+AbC…``).
    """
    if entity_type == "handle":
        match = _HANDLE.match(value)
        if not match:
            return None
        platform, name = match.group(1).lower(), match.group(2)
        if platform == "telegram":
            return "telegram:@" + name.lstrip("@").lower()
        if platform == "whatsapp":
            return "whatsapp:+" + name.lstrip("+")
        return f"{platform}:{name.lstrip('@').lower()}"
    if entity_type != "url":
        return None
    if m := _TG_INVITE.match(value):
        return "telegram:+" + m.group(1)
    if m := _TG_NAME.match(value):
        return "telegram:@" + m.group(1).lower()
    if m := _SNAP.match(value):
        return "snapchat:" + m.group(1).lower()
    if m := _WA.match(value):
        return "whatsapp:+" + m.group(1)
    if m := _INSTA.match(value):
        return "instagram:" + m.group(1).lower()
    return None


def name_slug(name: str) -> str:
    """Lower-case ASCII letters and digits only: "Menu 13 — Secours" -> "menu13secours"."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def channel_resolution_keys(
    platform: str, channel_id: str, name: str | None, extra: str | None
) -> list[tuple[str, float]]:
    """Keys under which a channel may be named elsewhere, each with a strength in (0, 1].

    From the export's metadata (``username``, ``link``, ``invite_link`` … in ``extra``): 1.0;
    a channel id that is a username (generic exports): 0.9. Channel *names* are not keys —
    a name quoted in text is not an identifier (see ``name_keys``).
    """
    keys: dict[str, float] = {}
    platform = (platform or "").lower()
    details: dict[str, object] = {}
    if extra:
        try:
            loaded = json.loads(extra)
            details = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            details = {}
    for field in ("username", "handle", "link", "invite_link", "url", "public_link"):
        raw = details.get(field)
        if not isinstance(raw, str) or not raw.strip():
            continue
        raw = raw.strip()
        key = resolution_key("url", raw)
        if key is None and _USERNAME.match(raw):
            key = resolution_key("handle", f"{platform or 'telegram'}:{raw}")
        if key:
            keys[key] = 1.0
    if channel_id and _USERNAME.match(channel_id) and not channel_id.isdigit():
        key = resolution_key("handle", f"{platform}:{channel_id}")
        if key:
            keys.setdefault(key, 0.9)
    return sorted(keys.items())


def name_keys(platform: str, name: str | None) -> list[str]:
    """Weak keys from a channel's display name: a handle whose slug equals the name's slug.

    Used only to resolve a handle already found in an announcement, never to find a name in text.
    """
    slug = name_slug(name or "")
    if len(slug) < 5:
        return []
    return [f"{(platform or 'telegram').lower()}:slug:{slug}"]


def handle_slug_key(key: str) -> str | None:
    """``telegram:@menu13_secours`` -> ``telegram:slug:menu13secours`` (to meet ``name_keys``)."""
    platform, _, rest = key.partition(":")
    if rest.startswith("+"):
        return None
    slug = name_slug(rest)
    return f"{platform}:slug:{slug}" if len(slug) >= 5 else None


def channel_node(platform: str, channel_id: str) -> str:
    return f"channel:{platform}:{channel_id}"


def node_kind(node_id: str) -> str:
    return node_id.split(":", 1)[0]
