"""The entity graph as DuckDB temp tables: identifier mentions, edges and nodes.

One node per channel, account (sender), phone, handle, link, wallet, e-mail and place; edges
``posted_in`` (account -> channel), ``mentions`` (channel -> identifier), ``forwarded_from``
(channel -> origin), ``replied_to`` (account -> account), ``shares_identifier`` (channel <->
channel, evidence = the shared identifiers) and ``same_copy`` (channel <-> channel, evidence =
messages of a shared ad-copy cluster). Each edge has a count, first/last dates and up to
``EVIDENCE_CAP`` message keys. Everything is a GROUP BY over the lake: memory stays flat.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from vigie.link.resolve import (
    CONTACT_TYPES,
    IDENTIFIER_TYPES,
    RESOLUTION_KEY_SQL,
    channel_resolution_keys,
    name_keys,
)

EVIDENCE_CAP = 5
# an identifier posted in more channels than this is common property (a news desk's number,
# a link shortener), not an operator's: it creates no shares_identifier edge
SHARED_MAX_CHANNELS = 25

ACCOUNT_SQL = "'account:' || m.platform || ':' || coalesce(m.sender_id, m.sender)"


def create_channel_keys(con: duckdb.DuckDBPyConnection) -> int:
    """Temp table ``channel_keys(rkey, node_id, strength)`` from ``channel_stats``.

    A key claimed by two channels is dropped: it cannot tell them apart.
    """
    rows = con.execute(
        "SELECT node_id, platform, channel_id, name, extra FROM channel_stats"
    ).fetchall()
    keys: dict[str, list[tuple[str, float]]] = {}
    for node_id, platform, channel_id, name, extra in rows:
        for key, strength in channel_resolution_keys(platform, channel_id, name, extra):
            keys.setdefault(key, []).append((node_id, strength))
        for key in name_keys(platform, name):
            keys.setdefault(key, []).append((node_id, 0.6))
    flat = [(k, v[0][0], v[0][1]) for k, v in keys.items() if len({n for n, _ in v}) == 1]
    con.register(
        "_channel_keys",
        pa.table(
            {
                "rkey": [r[0] for r in flat],
                "node_id": [r[1] for r in flat],
                "strength": pa.array([r[2] for r in flat], pa.float64()),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE channel_keys AS SELECT * FROM _channel_keys")
    con.unregister("_channel_keys")
    return len(flat)


def create_mentions(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``mentions(msg_key, channel, date, type, rkey, node_id, resolved)``.

    One row per identifier entity of the current analysis; ``node_id`` is the channel's node when
    the handle/link names a channel (by metadata key), else ``type:value``.
    """
    types = ", ".join(f"'{t}'" for t in IDENTIFIER_TYPES)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE mentions AS
        WITH e AS (
            SELECT DISTINCT msg_key, type, value, ({RESOLUTION_KEY_SQL}) AS rkey
            FROM cur_entities WHERE type IN ({types}) AND value IS NOT NULL AND value <> ''
        )
        SELECT e.msg_key, 'channel:' || m.platform || ':' || m.channel_id AS channel, m.date,
               e.type, e.rkey,
               coalesce(k.node_id,
                        CASE WHEN e.type = 'handle' AND e.rkey IS NOT NULL THEN 'handle:' || e.rkey
                             ELSE e.type || ':' || e.value END) AS node_id,
               k.node_id IS NOT NULL AS resolved
        FROM e JOIN messages m USING (msg_key)
        LEFT JOIN channel_keys k ON k.rkey = e.rkey
        """
    )


def create_edges(con: duckdb.DuckDBPyConnection, with_clusters: bool) -> None:
    """Temp table ``edges(source, target, kind, count, first_seen, last_seen, evidence)``."""
    cap = EVIDENCE_CAP
    contact = ", ".join(f"'{t}'" for t in CONTACT_TYPES)
    parts = [
        f"""SELECT {ACCOUNT_SQL} AS source, 'channel:' || m.platform || ':' || m.channel_id AS target,
               'posted_in' AS kind, count(*) AS count, min(m.date) AS first_seen,
               max(m.date) AS last_seen, min_by(m.msg_key, m.date, {cap}) AS evidence
           FROM messages m WHERE coalesce(m.sender_id, m.sender) IS NOT NULL GROUP BY 1, 2""",
        f"""SELECT channel, node_id, 'mentions', count(DISTINCT msg_key), min(date), max(date),
               min_by(msg_key, date, {cap})
           FROM mentions WHERE channel <> node_id GROUP BY 1, 2""",
        f"""SELECT 'channel:' || m.platform || ':' || m.channel_id,
               coalesce(any_value(c.node_id), 'account:' || m.platform || ':' || m.forwarded_from),
               'forwarded_from', count(*), min(m.date), max(m.date), min_by(m.msg_key, m.date, {cap})
           FROM messages m LEFT JOIN channel_stats c
             ON c.platform = m.platform AND (c.name = m.forwarded_from OR c.channel_id = m.forwarded_from)
           WHERE m.forwarded_from IS NOT NULL AND m.forwarded_from <> ''
           GROUP BY m.platform, m.channel_id, m.forwarded_from""",
        f"""SELECT {ACCOUNT_SQL},
               'account:' || p.platform || ':' || coalesce(p.sender_id, p.sender),
               'replied_to', count(*), min(m.date), max(m.date), min_by(m.msg_key, m.date, {cap})
           FROM messages m JOIN messages p
             ON p.platform = m.platform AND p.channel_id = m.channel_id AND p.message_id = m.reply_to
           WHERE m.reply_to IS NOT NULL AND coalesce(m.sender_id, m.sender) IS NOT NULL
             AND coalesce(p.sender_id, p.sender) IS NOT NULL
             AND coalesce(m.sender_id, m.sender) <> coalesce(p.sender_id, p.sender)
           GROUP BY 1, 2""",
        f"""WITH ci AS (
               SELECT channel, node_id, min(date) AS first_seen, max(date) AS last_seen
               FROM mentions WHERE type IN ({contact}) AND NOT resolved GROUP BY 1, 2),
             ok AS (SELECT node_id FROM ci GROUP BY 1
                    HAVING count(*) BETWEEN 2 AND {SHARED_MAX_CHANNELS})
           SELECT a.channel, b.channel, 'shares_identifier', count(*),
                  min(least(a.first_seen, b.first_seen)), max(greatest(a.last_seen, b.last_seen)),
                  list(a.node_id ORDER BY a.node_id)[1:{cap * 2}]
           FROM ci a JOIN ci b ON a.node_id = b.node_id AND a.channel < b.channel
           SEMI JOIN ok ON ok.node_id = a.node_id
           GROUP BY 1, 2""",
    ]
    if with_clusters:
        parts.append(
            f"""WITH cc AS (
                   SELECT cluster_id, 'channel:' || channel_key AS channel,
                          min(date) AS first_seen, max(date) AS last_seen,
                          min_by(msg_key, date) AS first_key
                   FROM clusters GROUP BY 1, 2),
                 ok AS (SELECT cluster_id FROM cc GROUP BY 1
                        HAVING count(*) BETWEEN 2 AND {SHARED_MAX_CHANNELS})
               SELECT a.channel, b.channel, 'same_copy', count(*),
                      min(least(a.first_seen, b.first_seen)), max(greatest(a.last_seen, b.last_seen)),
                      list(a.first_key || ' ' || b.first_key)[1:{cap}]
               FROM cc a JOIN cc b ON a.cluster_id = b.cluster_id AND a.channel < b.channel
               SEMI JOIN ok ON ok.cluster_id = a.cluster_id
               GROUP BY 1, 2"""
        )
    union = "\nUNION ALL\n".join(f"({p})" for p in parts)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE edges (source VARCHAR, target VARCHAR, kind VARCHAR, "
        "count BIGINT, first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, evidence VARCHAR[])"
    )
    con.execute(f"INSERT INTO edges {union}")
    # same_copy evidence holds "a b" pairs: flatten to message keys
    con.execute(
        """UPDATE edges SET evidence = flatten(list_transform(evidence, lambda x: string_split(x, ' ')))
           WHERE kind = 'same_copy'"""
    )


def add_successor_edges(con: duckdb.DuckDBPyConnection) -> None:
    """Append ``successor_of`` edges (successor -> predecessor) from temp table ``succ``."""
    con.execute(
        """INSERT INTO edges
           SELECT s.channel, s.successor_of, 'successor_of', len(s.evidence),
                  min(m.date), max(m.date), s.evidence[1:10]
           FROM succ s LEFT JOIN messages m ON list_contains(s.evidence, m.msg_key)
           GROUP BY s.channel, s.successor_of, s.evidence"""
    )


def create_nodes(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``nodes(node_id, kind, label, platform, messages, first_seen, last_seen)``."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE nodes AS
        WITH known AS (
            SELECT node_id, 'channel' AS kind, name AS label, platform, messages,
                   first_seen, last_seen FROM channel_stats
            UNION ALL
            SELECT {ACCOUNT_SQL}, 'account', any_value(m.sender), any_value(m.platform), count(*),
                   min(m.date), max(m.date)
            FROM messages m WHERE coalesce(m.sender_id, m.sender) IS NOT NULL GROUP BY 1
            UNION ALL
            SELECT node_id, any_value(type), NULL, NULL, count(DISTINCT msg_key), min(date),
                   max(date)
            FROM mentions WHERE NOT resolved GROUP BY 1
        ), ends AS (
            SELECT source AS node_id FROM edges UNION SELECT target FROM edges
        )
        SELECT node_id, kind, label, platform, messages, first_seen, last_seen FROM known
        UNION ALL
        SELECT e.node_id, split_part(e.node_id, ':', 1), substr(e.node_id, strpos(e.node_id, ':') + 1),
               NULL, 0, NULL, NULL
        FROM ends e ANTI JOIN known k ON k.node_id = e.node_id
        """
    )
    # identifier labels: the value after the kind prefix (the canonical identifier)
    con.execute(
        """UPDATE nodes SET label = substr(node_id, strpos(node_id, ':') + 1)
           WHERE kind IN ('phone', 'handle', 'url', 'crypto', 'email', 'place')"""
    )
    con.execute(
        """UPDATE nodes SET label = n.name FROM (
               SELECT 'place:' || value AS node_id,
                      any_value(json_extract_string(attrs, '$.name')) AS name
               FROM cur_entities WHERE type = 'place' AND attrs IS NOT NULL GROUP BY 1) n
           WHERE nodes.node_id = n.node_id AND n.name IS NOT NULL"""
    )
