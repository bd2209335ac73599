"""Arrow schemas of the lake tables. One place, so writers and readers agree."""

from __future__ import annotations

import pyarrow as pa

from vigie.model import LABELS

UTC_TS = pa.timestamp("us", tz="UTC")

TEXT_ENTITY = pa.struct(
    [
        ("type", pa.string()),
        ("text", pa.string()),
        ("offset", pa.int32()),
        ("length", pa.int32()),
        ("url", pa.string()),
    ]
)
MEDIA = pa.struct(
    [
        ("kind", pa.string()),
        ("path", pa.string()),
        ("mime_type", pa.string()),
        ("name", pa.string()),
    ]
)

MESSAGES = pa.schema(
    [
        ("msg_key", pa.string()),
        ("platform", pa.string()),
        ("channel_id", pa.string()),
        ("message_id", pa.string()),
        ("date", UTC_TS),
        ("text", pa.string()),
        ("sender", pa.string()),
        ("sender_id", pa.string()),
        ("kind", pa.string()),
        ("channel_name", pa.string()),
        ("reply_to", pa.string()),
        ("forwarded_from", pa.string()),
        ("edited", UTC_TS),
        ("action", pa.string()),
        ("entities", pa.list_(TEXT_ENTITY)),
        ("media", pa.list_(MEDIA)),
        ("extra", pa.string()),
        ("source_location", pa.string()),
        ("evidence_sha256", pa.string()),
        ("run_id", pa.string()),
    ]
)

CHANNELS = pa.schema(
    [
        ("channel_key", pa.string()),
        ("platform", pa.string()),
        ("channel_id", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("extra", pa.string()),
        ("evidence_sha256", pa.string()),
        ("run_id", pa.string()),
    ]
)

EVIDENCE = pa.schema(
    [
        ("sha256", pa.string()),
        ("original_name", pa.string()),
        ("size", pa.int64()),
        ("format", pa.string()),
        ("parser_version", pa.int32()),
        ("ingested_at", UTC_TS),
        ("run_id", pa.string()),
    ]
)

INGEST_RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", UTC_TS),
        ("finished_at", UTC_TS),
        ("vigie_version", pa.string()),
        ("file", pa.string()),
        ("evidence_sha256", pa.string()),
        ("format", pa.string()),
        ("parser_version", pa.int32()),
        ("tz", pa.string()),
        ("messages_seen", pa.int64()),
        ("messages_added", pa.int64()),
        ("duplicates", pa.int64()),
        ("quarantined", pa.int64()),
        ("repairs", pa.int64()),
        ("notes", pa.string()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("run_id", pa.string()),
        ("evidence_sha256", pa.string()),
        ("file", pa.string()),
        ("location", pa.string()),
        ("code", pa.string()),
        ("reason", pa.string()),
        ("snippet", pa.string()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "messages": MESSAGES,
    "channels": CHANNELS,
    "evidence": EVIDENCE,
    "ingest_runs": INGEST_RUNS,
    "quarantine": QUARANTINE,
}

ANALYSES = pa.schema(
    [
        ("msg_key", pa.string()),
        ("version", pa.string()),
        ("labels", pa.list_(pa.string())),
        *[(f"score_{label}", pa.float32()) for label in LABELS],
        ("risk", pa.float32()),
        ("risk_reasons", pa.list_(pa.string())),
        ("cues", pa.string()),  # JSON: {label: [[term, start, end, kind, weight], ...]}
        ("run_id", pa.string()),
    ]
)

ENTITIES = pa.schema(
    [
        ("msg_key", pa.string()),
        ("version", pa.string()),
        ("type", pa.string()),
        ("value", pa.string()),
        ("text", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("attrs", pa.string()),
        ("run_id", pa.string()),
    ]
)

ANALYSIS_RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("started_at", UTC_TS),
        ("finished_at", UTC_TS),
        ("vigie_version", pa.string()),
        ("version", pa.string()),
        ("messages", pa.int64()),
        ("entities", pa.int64()),
        ("labelled", pa.int64()),
    ]
)

TABLES.update({"analyses": ANALYSES, "entities": ENTITIES, "analysis_runs": ANALYSIS_RUNS})
