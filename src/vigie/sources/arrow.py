"""Turn streamed records into Arrow record batches for the lake.

One pass pulls every field of every message into a tuple (``attrgetter`` runs in C), and
``zip(*rows)`` turns the rows into columns: about twice as fast as one list per column.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

import pyarrow as pa

from vigie.model import Message
from vigie.store.schema import MESSAGES

_FIELDS = (
    "msg_key",
    "platform",
    "channel_id",
    "message_id",
    "date",
    "text",
    "sender",
    "sender_id",
    "kind",
    "channel_name",
    "reply_to",
    "forwarded_from",
    "edited",
    "action",
    "entities",
    "media",
    "extra",
    "source_location",
)
_ROW = attrgetter(*_FIELDS)
_ENTITY = attrgetter("type", "text", "offset", "length", "url")
_MEDIA = attrgetter("kind", "path", "mime_type", "name")


def _nested(
    values: Sequence[tuple[object, ...]], getter: attrgetter[tuple[object, ...]], kind: pa.ListType
) -> pa.Array:
    """A list<struct> column built from flat child columns (far faster than from dicts)."""
    offsets = [0]
    rows: list[tuple[object, ...]] = []
    valid: list[bool] = []
    for items in values:
        if items:
            rows.extend(map(getter, items))
            valid.append(True)
        else:
            valid.append(False)
        offsets.append(len(rows))
    struct_type = kind.value_type
    children = (
        list(zip(*rows, strict=True)) if rows else [() for _ in range(struct_type.num_fields)]
    )
    struct = pa.StructArray.from_arrays(
        [pa.array(col, struct_type.field(i).type) for i, col in enumerate(children)],
        fields=list(struct_type),
    )
    mask = pa.array([not v for v in valid], pa.bool_())
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), struct, type=kind, mask=mask)


def messages_batch(batch: Sequence[Message], evidence_sha256: str, run_id: str) -> pa.RecordBatch:
    """A ``messages`` record batch."""
    n = len(batch)
    columns = dict(zip(_FIELDS, zip(*map(_ROW, batch), strict=True), strict=True)) if n else {}
    arrays = []
    for name in MESSAGES.names:
        kind = MESSAGES.field(name).type
        if name == "evidence_sha256":
            arrays.append(pa.array([evidence_sha256] * n, kind))
        elif name == "run_id":
            arrays.append(pa.array([run_id] * n, kind))
        elif name == "entities":
            arrays.append(_nested(columns.get(name, ()), _ENTITY, kind))
        elif name == "media":
            arrays.append(_nested(columns.get(name, ()), _MEDIA, kind))
        else:
            arrays.append(pa.array(columns.get(name, ()), kind))
    return pa.RecordBatch.from_arrays(arrays, schema=MESSAGES)
