"""What STIX and MISP exports share: the latest graph's channels, identifiers, successors and
the evidence messages and files behind them, read once from the lake.

Identifiers are kept when a channel that is not known to be a non-seller (a news desk) posted
them: a reporter quoting a phone number does not make it an indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from vigie.act.export.pseudonym import Pseudonymiser
from vigie.link.listing import list_successors
from vigie.link.resolve import CONTACT_TYPES
from vigie.link.views import create_analysis_views, create_channel_stats, create_link_views


@dataclass(frozen=True)
class ChannelInfo:
    node_id: str
    platform: str
    channel_id: str
    name: str
    messages: int
    first_seen: datetime | None
    last_seen: datetime | None
    username: str | None  # telegram username when the metadata or a handle names it


@dataclass(frozen=True)
class IdentifierInfo:
    node_id: str
    kind: str  # phone, handle, url, crypto, email
    value: str
    messages: int
    first_seen: datetime | None
    last_seen: datetime | None
    channels: list[str]
    evidence: list[str]


@dataclass
class Intel:
    channels: dict[str, ChannelInfo] = field(default_factory=dict)
    identifiers: list[IdentifierInfo] = field(default_factory=list)
    successors: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    evidence_files: list[dict[str, Any]] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)


def collect(
    con: duckdb.DuckDBPyConnection,
    pseudonymiser: Pseudonymiser | None = None,
    max_messages: int = 500,
) -> Intel:
    """Read the latest link run and the evidence behind it (at most ``max_messages`` messages)."""
    create_link_views(con)
    create_analysis_views(con)
    create_channel_stats(con)
    intel = Intel()
    for node_id, platform, channel_id, name, messages, first, last, username in con.execute(
        """SELECT c.node_id, c.platform, c.channel_id, c.name, c.messages, c.first_seen,
                  c.last_seen, try(json_extract_string(c.extra, '$.username'))
           FROM channel_stats c ORDER BY c.node_id"""
    ).fetchall():
        intel.channels[node_id] = ChannelInfo(
            node_id, platform, channel_id, name, int(messages), first, last, username
        )
    contact = ", ".join(f"'{t}'" for t in CONTACT_TYPES)
    rows = con.execute(
        f"""SELECT n.node_id, n.kind, n.label, n.messages, n.first_seen, n.last_seen,
                   list(DISTINCT e.source ORDER BY e.source), flatten(list(e.evidence))[1:5]
            FROM link_nodes n JOIN link_edges e ON e.target = n.node_id AND e.kind = 'mentions'
            JOIN channel_stats c ON c.node_id = e.source
            WHERE n.kind IN ({contact}) AND coalesce(c.seller, true)
            GROUP BY ALL ORDER BY n.node_id"""
    ).fetchall()
    for node_id, kind, label, messages, first, last, channels, evidence in rows:
        intel.identifiers.append(
            IdentifierInfo(
                node_id, kind, label, int(messages or 0), first, last, channels, evidence
            )
        )
    intel.successors = list_successors(con)
    wanted: list[str] = []
    for s in intel.successors:
        wanted += s["evidence"]
    for ident in intel.identifiers:
        wanted += ident.evidence[:1]
    keys = list(dict.fromkeys(wanted))[:max_messages]
    if keys:
        for row in con.execute(
            """SELECT m.msg_key, m.platform, m.channel_id, m.message_id, m.date, m.text, m.sender,
                      m.sender_id, m.forwarded_from, m.reply_to, m.evidence_sha256, a.labels
               FROM messages m LEFT JOIN cur_analyses a USING (msg_key)
               WHERE list_contains(?, m.msg_key) ORDER BY m.date""",
            [keys],
        ).fetchall():
            names = ("msg_key", "platform", "channel_id", "message_id", "date", "text", "sender",
                     "sender_id", "forwarded_from", "reply_to", "evidence_sha256", "labels")  # fmt: skip
            message = dict(zip(names, row, strict=True))
            if pseudonymiser:
                for column in ("sender", "sender_id", "forwarded_from"):
                    message[column] = pseudonymiser(message[column])
            intel.messages[message["msg_key"]] = message
            intel.labels.update(message["labels"] or [])
    shas = sorted({m["evidence_sha256"] for m in intel.messages.values() if m["evidence_sha256"]})
    if shas:
        for sha, name, fmt, ingested in con.execute(
            """SELECT sha256, any_value(original_name), any_value(format), min(ingested_at)
               FROM evidence WHERE list_contains(?, sha256) GROUP BY 1 ORDER BY 1""",
            [shas],
        ).fetchall():
            intel.evidence_files.append(
                {"sha256": sha, "name": name, "format": fmt, "ingested_at": ingested}
            )
    label_rows = con.execute("SELECT DISTINCT unnest(labels) FROM cur_analyses").fetchall()
    intel.labels.update(r[0] for r in label_rows)
    return intel
