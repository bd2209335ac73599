"""STIX 2.1 bundle of the latest graph, built with the ``stix2`` library and parsed back strictly.

- each channel (and each announced channel not collected) -> ``identity`` (class ``group``);
- each phone, handle, link, wallet, e-mail posted by a selling channel -> ``indicator`` (STIX
  pattern), the cyber-observable it names, ``observed-data`` (first/last seen, count), and
  ``related-to`` relationships from the indicator to the channels that posted it;
- each successor link -> ``derived-from`` relationship (successor -> predecessor) carrying its
  confidence (0-100) and the evidence message keys.

STIX 2.1 has no phone-number or wallet object: both are ``user-account`` objects with an
explicit ``account_type`` (``phone``, ``cryptocurrency-wallet:btc``), the open vocabulary's way.
Ids are UUIDv5 of the node id, so two exports of the same workspace agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from vigie.act.export.collect import Intel

NAMESPACE = uuid.UUID("6f1c7a2e-4b1d-5e8a-9c3f-2a7b8d9e0f11")
PRODUCER = "identity--" + str(uuid.uuid5(NAMESPACE, "vigie"))


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, kind + '|' + key)}"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def observable(kind: str, value: str) -> tuple[Any, str] | None:
    """(cyber-observable, STIX pattern) for an identifier node's kind and value."""
    if kind == "url":
        return stix2.URL(value=value), f"[url:value = {_quote(value)}]"
    if kind == "email":
        return stix2.EmailAddress(value=value), f"[email-addr:value = {_quote(value)}]"
    if kind == "phone":
        account = stix2.UserAccount(account_type="phone", user_id=value)
        pattern = (
            f"[user-account:account_type = 'phone' AND user-account:user_id = {_quote(value)}]"
        )
        return account, pattern
    if kind == "handle":
        platform, _, name = value.partition(":")
        name = name.lstrip("@")
        account = stix2.UserAccount(account_type=platform, account_login=name)
        pattern = (
            f"[user-account:account_type = {_quote(platform)} AND "
            f"user-account:account_login = {_quote(name)}]"
        )
        return account, pattern
    if kind == "crypto":
        coin, _, address = value.partition(":")
        account_type = f"cryptocurrency-wallet:{coin}"
        account = stix2.UserAccount(account_type=account_type, user_id=address)
        pattern = (
            f"[user-account:account_type = {_quote(account_type)} AND "
            f"user-account:user_id = {_quote(address)}]"
        )
        return account, pattern
    return None


def _when(value: datetime | None) -> datetime:
    return value if value is not None else datetime.now(UTC)


def build_bundle(intel: Intel, created: datetime | None = None) -> stix2.Bundle:
    """The STIX bundle for ``intel`` (see module doc); ``allow_custom=False`` throughout."""
    now = created or datetime.now(UTC)
    common: dict[str, Any] = {"created": now, "modified": now, "created_by_ref": PRODUCER}
    objects: list[Any] = [
        stix2.Identity(
            id=PRODUCER,
            name="Vigie",
            identity_class="system",
            description="Open-source triage of messaging-app content around drug trafficking",
            created=now,
            modified=now,
        )
    ]
    identities: dict[str, str] = {}

    def identity(node_id: str, name: str, description: str) -> str:
        if node_id not in identities:
            ident = stix2.Identity(
                id=_id("identity", node_id), name=name, identity_class="group",
                description=description, **common,
            )  # fmt: skip
            objects.append(ident)
            identities[node_id] = ident.id
        return identities[node_id]

    for channel in intel.channels.values():
        identity(
            channel.node_id,
            channel.name,
            f"{channel.platform} channel {channel.channel_id}: {channel.messages} messages "
            f"from {channel.first_seen:%Y-%m-%d} to {channel.last_seen:%Y-%m-%d}",
        )
    for ident in intel.identifiers:
        made = observable(ident.kind, ident.value)
        if made is None:
            continue
        sco, pattern = made
        first, last = _when(ident.first_seen), _when(ident.last_seen)
        indicator = stix2.Indicator(
            id=_id("indicator", ident.node_id),
            name=f"{ident.kind} {ident.value}",
            description=f"Posted in {len(ident.channels)} channel(s); evidence: "
            + ", ".join(ident.evidence[:3]),
            indicator_types=["attribution"],
            pattern=pattern,
            pattern_type="stix",
            valid_from=first,
            **common,
        )
        observed = stix2.ObservedData(
            id=_id("observed-data", ident.node_id),
            first_observed=first,
            last_observed=max(first, last),
            number_observed=max(1, ident.messages),
            object_refs=[sco.id],
            **common,
        )
        objects += [sco, indicator, observed]
        for channel_node in ident.channels:
            if channel_node in identities:
                objects.append(
                    stix2.Relationship(
                        id=_id("relationship", f"{ident.node_id}|{channel_node}"),
                        relationship_type="related-to",
                        source_ref=indicator.id,
                        target_ref=identities[channel_node],
                        description="identifier posted in this channel",
                        **common,
                    )
                )
    for link in intel.successors:
        succ = identity(
            link["channel"], link["channel_name"] or link["channel"], "announced channel"
        )
        pred = identity(
            link["successor_of"], link["successor_of_name"] or link["successor_of"], "channel"
        )
        objects.append(
            stix2.Relationship(
                id=_id("relationship", f"{link['channel']}|successor_of|{link['successor_of']}"),
                relationship_type="derived-from",
                source_ref=succ,
                target_ref=pred,
                confidence=round(100 * link["confidence"]),
                description=f"successor channel ({', '.join(link['rules'])}); evidence messages: "
                + ", ".join(link["evidence"]),
                **common,
            )
        )
    return stix2.Bundle(objects=objects, allow_custom=False)


def validate(text: str) -> stix2.Bundle:
    """Parse a serialised bundle back with the strict parser (raises on any deviation)."""
    return stix2.parse(text, allow_custom=False)
