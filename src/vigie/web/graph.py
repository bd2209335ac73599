"""The link graph around channels, entities or a case, in Cytoscape.js's element format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import duckdb
import pyarrow as pa

from vigie.web.queries import fetch_dicts


def network(
    cur: duckdb.DuckDBPyConnection, seeds: Sequence[str], hops: int = 1, limit: int = 150
) -> dict[str, Any]:
    """The neighbourhood of ``seeds`` (node ids) in the link graph, in Cytoscape.js's format."""
    frontier = list(dict.fromkeys(seeds))
    seen = set(frontier)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _ in range(max(1, min(hops, 3))):
        if not frontier or len(seen) >= limit:
            break
        cur.register("_frontier", pa.table({"n": pa.array(frontier, pa.string())}))
        rows = fetch_dicts(
            cur,
            "SELECT source, target, kind, count FROM edges WHERE source IN (SELECT n FROM "
            "_frontier) OR target IN (SELECT n FROM _frontier) ORDER BY count DESC LIMIT ?",
            [limit * 4],
        )
        nxt: list[str] = []
        for row in rows:
            for end in (row["source"], row["target"]):
                if end not in seen and len(seen) < limit:
                    seen.add(end)
                    nxt.append(end)
            if row["source"] in seen and row["target"] in seen:
                edges[(row["source"], row["target"], row["kind"])] = row
        frontier = nxt
    cur.register("_nodes", pa.table({"n": pa.array(sorted(seen), pa.string())}))
    nodes = {
        row["node_id"]: row
        for row in fetch_dicts(
            cur,
            "SELECT node_id, kind, label, platform, messages FROM nodes "
            "WHERE node_id IN (SELECT n FROM _nodes)",
        )
    }
    elements: list[dict[str, Any]] = []
    for node_id in sorted(seen):
        row = nodes.get(node_id, {"kind": node_id.split(":", 1)[0], "label": node_id})
        elements.append(
            {
                "data": {
                    "id": node_id,
                    "label": row.get("label") or node_id,
                    "kind": row.get("kind"),
                    "messages": row.get("messages") or 0,
                    "seed": node_id in seeds,
                    "href": node_href(node_id),
                }
            }
        )
    for (source, target, kind), row in edges.items():
        elements.append(
            {
                "data": {
                    "id": f"{source}|{kind}|{target}",
                    "source": source,
                    "target": target,
                    "kind": kind,
                    "count": row["count"],
                }
            }
        )
    return {"seeds": list(seeds), "elements": elements, "nodes": len(seen), "edges": len(edges)}


def node_href(node_id: str) -> str:
    """The page of a graph node: a channel page, or the entity page of its value."""

    kind, _, rest = node_id.partition(":")
    if kind == "channel":
        return f"/channels/{quote(rest, safe='')}"
    if kind in ("account", "place"):
        return f"/search?q={quote(rest.partition(':')[2] or rest, safe='')}"
    return f"/entities/{quote(rest, safe='')}"


__all__ = ["network", "node_href"]
