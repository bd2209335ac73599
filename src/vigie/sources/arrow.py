"""Turn streamed records into Arrow record batches for the lake (column by column, no dicts)."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from vigie.model import Message
from vigie.store.schema import MESSAGES


def messages_batch(
    batch: Sequence[Message], evidence_sha256: str, run_id: str
) -> pa.RecordBatch:
    """A ``messages`` record batch."""
    n = len(batch)
    entities: list[list[dict[str, object]] | None] = []
    media: list[list[dict[str, object]] | None] = []
    for m in batch:
        entities.append(
            [
                {
                    "type": e.type,
                    "text": e.text,
                    "offset": e.offset,
                    "length": e.length,
                    "url": e.url,
                }
                for e in m.entities
            ]
            if m.entities
            else None
        )
        media.append(
            [
                {"kind": x.kind, "path": x.path, "mime_type": x.mime_type, "name": x.name}
                for x in m.media
            ]
            if m.media
            else None
        )
    columns = [
        pa.array([m.msg_key for m in batch], pa.string()),
        pa.array([m.platform for m in batch], pa.string()),
        pa.array([m.channel_id for m in batch], pa.string()),
        pa.array([m.message_id for m in batch], pa.string()),
        pa.array([m.date for m in batch], MESSAGES.field("date").type),
        pa.array([m.text for m in batch], pa.string()),
        pa.array([m.sender for m in batch], pa.string()),
        pa.array([m.sender_id for m in batch], pa.string()),
        pa.array([m.kind for m in batch], pa.string()),
        pa.array([m.channel_name for m in batch], pa.string()),
        pa.array([m.reply_to for m in batch], pa.string()),
        pa.array([m.forwarded_from for m in batch], pa.string()),
        pa.array([m.edited for m in batch], MESSAGES.field("edited").type),
        pa.array([m.action for m in batch], pa.string()),
        pa.array(entities, MESSAGES.field("entities").type),
        pa.array(media, MESSAGES.field("media").type),
        pa.array([m.extra for m in batch], pa.string()),
        pa.array([m.source_location for m in batch], pa.string()),
        pa.array([evidence_sha256] * n, pa.string()),
        pa.array([run_id] * n, pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=MESSAGES)
