"""MISP event JSON built offline with PyMISP, using MISP's own object templates and taxonomies.

Objects come from the templates shipped inside the ``pymisp`` package (``telegram-account``,
``chat-message``, ``forensic-evidence``), created with ``strict=True`` so an attribute the
template does not define is an error here, not a surprise in MISP. Tags are machine tags of the
MISP taxonomies (``dark-web:topic="drugs-narcotics"``, ``tlp:amber``). Nothing is fetched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pymisp import MISPEvent, MISPObject

from vigie.act.export.collect import Intel

BASE_TAGS: tuple[str, ...] = ('dark-web:topic="drugs-narcotics"', "tlp:amber")
LABEL_TAGS: dict[str, str] = {
    "weapons": 'dark-web:topic="weapons"',
    "counterfeit": 'dark-web:topic="counterfeit-materials"',
    "violence": 'dark-web:topic="violence"',
    "laundering": 'dark-web:topic="finance"',
}
ATTRIBUTE_TYPES: dict[str, str] = {"phone": "phone-number", "url": "url", "email": "email"}
COINS: dict[str, str] = {"btc": "btc", "xmr": "xmr"}


def _telegram_account(channel_id: str | None, username: str | None, name: str | None) -> MISPObject:
    account = MISPObject("telegram-account", strict=True, standalone=False)
    if channel_id:
        account.add_attribute("id", value=channel_id)
    if username:
        account.add_attribute("username", value=username.lstrip("@"))
    if name:
        account.add_attribute("first_name", value=name)
    return account


def build_event(intel: Intel, case: str = "vigie", when: date | None = None) -> MISPEvent:
    """One MISP event for ``intel``: accounts, messages, evidence files, identifiers, tags."""
    event = MISPEvent()
    event.info = (
        f"Vigie: {len(intel.channels)} drug-trafficking channel(s), "
        f"{len(intel.successors)} successor link(s)"
    )
    event.distribution = 0  # this organisation only: the analyst widens it in MISP
    event.threat_level_id = 2
    event.analysis = 1
    event.set_date(when or datetime.now(UTC).date())
    for tag in BASE_TAGS:
        event.add_tag(tag)
    for label, tag in sorted(LABEL_TAGS.items()):
        if label in intel.labels:
            event.add_tag(tag)
    accounts: dict[str, MISPObject] = {}
    for channel in intel.channels.values():
        if channel.platform != "telegram":
            continue
        account = _telegram_account(channel.channel_id, channel.username, channel.name)
        account.comment = f"channel {channel.node_id}, {channel.messages} messages"
        accounts[channel.node_id] = event.add_object(account)
    evidence: dict[str, MISPObject] = {}
    for item in intel.evidence_files:
        obj = MISPObject("forensic-evidence", strict=True, standalone=False)
        obj.add_attribute("case-number", value=case)
        obj.add_attribute("evidence-number", value=item["sha256"])
        if item["name"]:
            obj.add_attribute("name", value=item["name"])
        obj.add_attribute("acquisition-method", value="Logical collection")
        obj.add_attribute("type", value="Cloud")
        obj.add_attribute(
            "additional-comments",
            value=f"{item['format']} export, SHA-256 {item['sha256']}, ingested {item['ingested_at']}",
        )
        evidence[item["sha256"]] = event.add_object(obj)
    for message in intel.messages.values():
        obj = MISPObject("chat-message", strict=True, standalone=False)
        obj.add_attribute("message-id", value=message["msg_key"])
        obj.add_attribute("timestamp", value=message["date"])
        obj.add_attribute("chat-id", value=f"{message['platform']}:{message['channel_id']}")
        obj.add_attribute("protocol", value=message["platform"])
        obj.add_attribute("content", value=message["text"] or "")
        if message["sender_id"] or message["sender"]:
            obj.add_attribute("user-account-id", value=message["sender_id"] or message["sender"])
        if message["forwarded_from"]:
            obj.add_attribute("forwarded-from-chat-id", value=message["forwarded_from"])
        if message["reply_to"]:
            obj.add_attribute("reply-to-message-id", value=message["reply_to"])
        added = event.add_object(obj)
        channel_node = f"channel:{message['platform']}:{message['channel_id']}"
        if channel_node in accounts:
            added.add_reference(accounts[channel_node].uuid, "posted-in")
        if message["evidence_sha256"] in evidence:
            added.add_reference(evidence[message["evidence_sha256"]].uuid, "extracted-from")
    for ident in intel.identifiers:
        comment = f"posted in {', '.join(ident.channels[:5])}; first message {ident.evidence[:1]}"
        if ident.kind in ATTRIBUTE_TYPES:
            event.add_attribute(
                ATTRIBUTE_TYPES[ident.kind], ident.value, comment=comment, to_ids=False
            )
        elif ident.kind == "crypto":
            coin, _, address = ident.value.partition(":")
            kind = COINS.get(coin)
            if kind:
                event.add_attribute(kind, address, comment=comment, to_ids=False)
            else:
                event.add_attribute("text", ident.value, comment=f"{coin} wallet; {comment}")
        elif ident.kind == "handle" and ident.value.startswith("telegram:"):
            account = _telegram_account(None, ident.value.partition(":")[2], None)
            account.comment = comment
            event.add_object(account)
        elif ident.kind == "handle":
            event.add_attribute("text", ident.value, comment=f"handle; {comment}", to_ids=False)
    for link in intel.successors:
        event.add_attribute(
            "text",
            f"{link['channel']} successor_of {link['successor_of']}",
            comment=f"confidence {link['confidence']}; rules {', '.join(link['rules'])}; "
            f"evidence {', '.join(link['evidence'])}",
            to_ids=False,
        )
    return event


def validate(text: str) -> MISPEvent:
    """Load a serialised event back with PyMISP (raises on malformed JSON or structure)."""
    event = MISPEvent()
    event.load(text)
    return event
