"""Arrow schemas of the lake tables. One place, so writers and readers agree."""

from __future__ import annotations

import pyarrow as pa

from vigie.model import LABELS

UTC_TS = pa.timestamp("us", tz="UTC")


def _schema(columns: list[tuple[str, pa.DataType]]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns])


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

MESSAGES = _schema(
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

CHANNELS = _schema(
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

EVIDENCE = _schema(
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

INGEST_RUNS = _schema(
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

QUARANTINE = _schema(
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

ANALYSES = _schema(
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

ENTITIES = _schema(
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

ANALYSIS_RUNS = _schema(
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

# --- link stage (vigie.link): entity graph, ad-copy clusters, successors, communities ------------

GRAPH_NODES = _schema(
    [
        ("node_id", pa.string()),  # kind:canonical value, e.g. channel:telegram:123, phone:+336…
        ("kind", pa.string()),  # channel, account, phone, handle, url, crypto, email, place
        ("label", pa.string()),
        ("platform", pa.string()),
        ("messages", pa.int64()),
        ("first_seen", UTC_TS),
        ("last_seen", UTC_TS),
        ("community", pa.int64()),
        ("run_id", pa.string()),
    ]
)

GRAPH_EDGES = _schema(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        # posted_in, mentions, forwarded_from, replied_to, shares_identifier, same_copy,
        # successor_of
        ("kind", pa.string()),
        ("count", pa.int64()),
        ("first_seen", UTC_TS),
        ("last_seen", UTC_TS),
        ("evidence", pa.list_(pa.string())),  # msg_keys (capped) or shared identifiers
        ("run_id", pa.string()),
    ]
)

AD_CLUSTERS = _schema(
    [
        ("cluster_id", pa.string()),
        ("msg_key", pa.string()),
        ("channel_key", pa.string()),
        ("date", UTC_TS),
        ("run_id", pa.string()),
    ]
)

SUCCESSORS = _schema(
    [
        ("channel", pa.string()),  # node id of the successor (a channel, or a handle/url not seen)
        ("successor_of", pa.string()),  # node id of the predecessor channel
        ("confidence", pa.float32()),
        ("rules", pa.list_(pa.string())),  # announced, identifier_reuse, copied_ads
        ("evidence", pa.list_(pa.string())),  # msg_keys
        ("run_id", pa.string()),
    ]
)

LINK_RUNS = _schema(
    [
        ("run_id", pa.string()),
        ("started_at", UTC_TS),
        ("finished_at", UTC_TS),
        ("vigie_version", pa.string()),
        ("version", pa.string()),
        ("analysis_version", pa.string()),
        ("options", pa.string()),  # JSON
        ("messages", pa.int64()),
        ("nodes", pa.int64()),
        ("edges", pa.int64()),
        ("clusters", pa.int64()),
        ("successors", pa.int64()),
        ("communities", pa.int64()),
    ]
)

TABLES.update(
    {
        "graph_nodes": GRAPH_NODES,
        "graph_edges": GRAPH_EDGES,
        "ad_clusters": AD_CLUSTERS,
        "successors": SUCCESSORS,
        "link_runs": LINK_RUNS,
    }
)
