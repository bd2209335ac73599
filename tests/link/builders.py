"""Build small workspaces by writing lake tables directly (no parser, no analyser needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vigie.model import LABELS
from vigie.store.workspace import Workspace

VERSION = "test.v1"


@dataclass(frozen=True)
class Msg:
    channel: str
    id: str
    date: str  # ISO date-time, UTC
    text: str
    labels: tuple[str, ...] = ()
    entities: tuple[tuple[str, str, dict[str, object] | None], ...] = ()
    sender: str | None = None
    platform: str = "telegram"
    reply_to: str | None = None
    forwarded_from: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}:{self.id}"


def when(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def build_workspace(
    root: Path,
    messages: list[Msg],
    channels: dict[str, tuple[str, dict[str, object] | None]] | None = None,
    analysed: bool = True,
) -> Workspace:
    """A workspace whose lake holds ``messages`` (and their analysis when ``analysed``).

    ``channels`` maps channel_id -> (name, extra metadata).
    """
    ws = Workspace.init(root)
    channels = channels or {}
    txn = ws.lake.begin()
    txn.write_rows(
        "messages",
        [
            {
                "msg_key": m.key,
                "platform": m.platform,
                "channel_id": m.channel,
                "message_id": m.id,
                "date": when(m.date),
                "text": m.text,
                "sender": m.sender or channels.get(m.channel, (m.channel, None))[0],
                "sender_id": None,
                "kind": "message",
                "channel_name": channels.get(m.channel, (m.channel, None))[0],
                "reply_to": m.reply_to,
                "forwarded_from": m.forwarded_from,
                "source_location": f"messages[{m.id}]",
                "run_id": "test",
            }
            for m in messages
        ],
    )
    platforms = {m.channel: m.platform for m in messages}
    txn.write_rows(
        "channels",
        [
            {
                "channel_key": f"{platforms.get(cid, 'telegram')}:{cid}",
                "platform": platforms.get(cid, "telegram"),
                "channel_id": cid,
                "name": name,
                "type": "public_channel",
                "extra": json.dumps(extra) if extra else None,
                "run_id": "test",
            }
            for cid, (name, extra) in channels.items()
        ],
    )
    if analysed:
        rows = []
        for m in messages:
            row: dict[str, object] = {
                "msg_key": m.key,
                "version": VERSION,
                "labels": list(m.labels),
                "risk": 0.5 if m.labels else 0.0,
                "risk_reasons": [],
                "run_id": "test",
            }
            for label in LABELS:
                row[f"score_{label}"] = 0.9 if label in m.labels else 0.05
            rows.append(row)
        txn.write_rows("analyses", rows)
        txn.write_rows(
            "entities",
            [
                {
                    "msg_key": m.key,
                    "version": VERSION,
                    "type": etype,
                    "value": value,
                    "text": value,
                    "start": max(0, m.text.find(value)),
                    "end": max(0, m.text.find(value)) + len(value),
                    "attrs": json.dumps(attrs) if attrs else None,
                    "run_id": "test",
                }
                for m in messages
                for etype, value, attrs in m.entities
            ],
        )
        txn.write_rows(
            "analysis_runs",
            [
                {
                    "run_id": "test",
                    "started_at": datetime.now(UTC),
                    "finished_at": datetime.now(UTC),
                    "vigie_version": "test",
                    "version": VERSION,
                    "messages": len(messages),
                    "entities": 0,
                    "labelled": 0,
                }
            ],
        )
    txn.commit()
    return ws
