"""Listings over the latest link run: channels with their trail, successor links, ad clusters."""

from __future__ import annotations

from typing import Any

import duckdb

from vigie.link.views import create_link_views


def list_successors(
    con: duckdb.DuckDBPyConnection, min_confidence: float = 0.0
) -> list[dict[str, Any]]:
    """Successor links, most confident first: ``{"channel", "successor_of", "confidence",
    "evidence", "rules", "channel_name", "successor_of_name"}``.

    ``channel`` and ``successor_of`` are node ids (``channel:telegram:1002``, or
    ``handle:telegram:@name`` for an announced channel that is not in the workspace).
    """
    create_link_views(con)
    rows = con.execute(
        """SELECT s.channel, s.successor_of, s.confidence, s.evidence, s.rules,
                  a.label, b.label
           FROM link_successors s
           LEFT JOIN link_nodes a ON a.node_id = s.channel
           LEFT JOIN link_nodes b ON b.node_id = s.successor_of
           WHERE s.confidence >= ?
           ORDER BY s.confidence DESC, s.channel, s.successor_of""",
        [min_confidence],
    ).fetchall()
    return [
        {
            "channel": r[0],
            "successor_of": r[1],
            "confidence": round(float(r[2]), 3),
            "evidence": list(r[3] or []),
            "rules": list(r[4] or []),
            "channel_name": r[5],
            "successor_of_name": r[6],
        }
        for r in rows
    ]


def list_channels(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Channels of the graph with activity, community and how many neighbours of each kind."""
    create_link_views(con)
    rows = con.execute(
        """SELECT n.node_id, n.label, n.messages, n.first_seen, n.last_seen, n.community,
                  count(*) FILTER (WHERE e.kind = 'mentions') AS identifiers,
                  count(*) FILTER (WHERE e.kind IN ('shares_identifier', 'same_copy')) AS related,
                  count(*) FILTER (WHERE e.kind = 'successor_of') AS successor_links
           FROM link_nodes n LEFT JOIN link_edges e ON n.node_id IN (e.source, e.target)
           WHERE n.kind = 'channel'
           GROUP BY ALL ORDER BY n.messages DESC, n.node_id"""
    ).fetchall()
    names = (
        "channel",
        "name",
        "messages",
        "first_seen",
        "last_seen",
        "community",
        "identifiers",
        "related_channels",
        "successor_links",
    )
    return [dict(zip(names, r, strict=True)) for r in rows]


def list_clusters(con: duckdb.DuckDBPyConnection, min_channels: int = 2) -> list[dict[str, Any]]:
    """Ad-copy clusters spanning at least ``min_channels`` channels, widest first."""
    create_link_views(con)
    rows = con.execute(
        """SELECT c.cluster_id, count(DISTINCT c.channel_key) AS channels, count(*) AS messages,
                  min(c.date), max(c.date), list(DISTINCT c.channel_key ORDER BY c.channel_key),
                  min_by(c.msg_key, c.date)
           FROM link_clusters c GROUP BY 1 HAVING count(DISTINCT c.channel_key) >= ?
           ORDER BY channels DESC, messages DESC, c.cluster_id""",
        [min_channels],
    ).fetchall()
    names = ("cluster", "channels", "messages", "first_seen", "last_seen", "channel_keys", "first")
    return [dict(zip(names, r, strict=True)) for r in rows]
