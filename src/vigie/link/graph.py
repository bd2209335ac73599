"""Reading the entity graph of the latest link run: neighbours with evidence, exports for Gephi.

``export_graph`` writes GEXF or GraphML through networkx (Gephi opens both; attributes are
flattened to strings and numbers, evidence lists to ``;``-joined message keys) or two CSV files
in Gephi's spreadsheet-import layout (``Id,Label,…`` and ``Source,Target,Type,Weight,…``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx

from vigie.errors import QueryError
from vigie.link.views import create_link_views

FORMATS: tuple[str, ...] = ("gexf", "graphml", "csv")


@dataclass(frozen=True)
class Neighbour:
    direction: str  # "out" (entity -> other) or "in"
    kind: str
    node_id: str
    label: str | None
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    evidence: list[dict[str, Any]]  # msg_key, date, channel, text (clipped); or an identifier


def resolve_node(con: duckdb.DuckDBPyConnection, entity: str) -> str:
    """The node id an analyst means by ``entity``: a node id, a label, a value or a channel name.

    Raises QueryError naming close matches when none or several nodes fit.
    """
    create_link_views(con)
    text = entity.strip()
    exact = con.execute("SELECT node_id FROM link_nodes WHERE node_id = ?", [text]).fetchall()
    if exact:
        return str(exact[0][0])
    rows = con.execute(
        """SELECT node_id FROM link_nodes
           WHERE lower(label) = lower(?) OR lower(substr(node_id, strpos(node_id, ':') + 1)) = lower(?)
              OR node_id LIKE '%:' || ? ORDER BY kind = 'channel' DESC, node_id LIMIT 10""",
        [text, text, text],
    ).fetchall()
    if len(rows) == 1 or (rows and rows[0][0].startswith("channel:")):
        return str(rows[0][0])
    if not rows:
        near = con.execute(
            "SELECT node_id FROM link_nodes WHERE node_id ILIKE '%' || ? || '%' LIMIT 5", [text]
        ).fetchall()
        hint = f"; close: {', '.join(r[0] for r in near)}" if near else ""
        raise QueryError(f"no entity {entity!r} in the graph{hint}")
    raise QueryError(f"{entity!r} is ambiguous: {', '.join(r[0] for r in rows)}; give a node id")


def neighbours(
    con: duckdb.DuckDBPyConnection, entity: str, evidence_limit: int = 3
) -> tuple[str, list[Neighbour]]:
    """Neighbours of ``entity`` in the latest graph, strongest first, each with evidence."""
    node = resolve_node(con, entity)
    rows = con.execute(
        """SELECT CASE WHEN e.source = ? THEN 'out' ELSE 'in' END AS direction, e.kind,
                  CASE WHEN e.source = ? THEN e.target ELSE e.source END AS other,
                  n.label, e.count, e.first_seen, e.last_seen, e.evidence
           FROM link_edges e LEFT JOIN link_nodes n
             ON n.node_id = CASE WHEN e.source = ? THEN e.target ELSE e.source END
           WHERE e.source = ? OR e.target = ?
           ORDER BY e.count DESC, e.kind, other""",
        [node] * 5,
    ).fetchall()
    keys = sorted({k for r in rows for k in (r[7] or [])[:evidence_limit]})
    messages: dict[str, dict[str, Any]] = {}
    if keys:
        for key, date, channel, text in con.execute(
            """SELECT msg_key, date, coalesce(channel_name, channel_id), text FROM messages
               WHERE list_contains(?, msg_key)""",
            [keys],
        ).fetchall():
            clipped = " ".join((text or "").split())
            messages[key] = {
                "msg_key": key,
                "date": date,
                "channel": channel,
                "text": clipped[:160] + ("…" if len(clipped) > 160 else ""),
            }
    result = [
        Neighbour(
            direction=r[0],
            kind=r[1],
            node_id=r[2],
            label=r[3],
            count=int(r[4]),
            first_seen=r[5],
            last_seen=r[6],
            evidence=[messages.get(k, {"identifier": k}) for k in (r[7] or [])[:evidence_limit]],
        )
        for r in rows
    ]
    return node, result


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def to_networkx(con: duckdb.DuckDBPyConnection) -> nx.MultiDiGraph:
    """The latest graph as a networkx multigraph (one edge per kind between two nodes)."""
    create_link_views(con)
    graph = nx.MultiDiGraph()
    for node_id, kind, label, platform, messages, first, last, community in con.execute(
        """SELECT node_id, kind, label, platform, messages, first_seen, last_seen, community
           FROM link_nodes ORDER BY node_id"""
    ).fetchall():
        graph.add_node(
            node_id,
            label=_plain(label) or node_id,
            kind=kind,
            platform=_plain(platform),
            messages=int(messages or 0),
            first_seen=_plain(first),
            last_seen=_plain(last),
            community=-1 if community is None else int(community),
        )
    for source, target, kind, count, first, last, evidence in con.execute(
        """SELECT source, target, kind, count, first_seen, last_seen, evidence
           FROM link_edges ORDER BY kind, source, target"""
    ).fetchall():
        graph.add_edge(
            source,
            target,
            key=kind,
            kind=kind,
            weight=int(count),
            first_seen=_plain(first),
            last_seen=_plain(last),
            evidence=_plain(evidence),
        )
    return graph


def export_graph(con: duckdb.DuckDBPyConnection, fmt: str, path: Path) -> list[Path]:
    """Write the latest graph to ``path``; returns the files written (two for CSV)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
    create_link_views(con)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        nodes_path = path.with_name(path.stem + ".nodes.csv")
        con.execute(
            f"""COPY (SELECT node_id AS Id, coalesce(label, node_id) AS Label, kind, platform,
                      messages, first_seen, last_seen, community
                      FROM link_nodes ORDER BY node_id) TO '{nodes_path}' (HEADER, DELIMITER ',')"""
        )
        con.execute(
            f"""COPY (SELECT source AS Source, target AS Target, 'Directed' AS Type,
                      count AS Weight, kind AS Label, first_seen, last_seen,
                      array_to_string(evidence, ';') AS evidence
                      FROM link_edges ORDER BY kind, source, target)
                TO '{path}' (HEADER, DELIMITER ',')"""
        )
        return [path, nodes_path]
    graph = to_networkx(con)
    if fmt == "gexf":
        nx.write_gexf(graph, path)
    else:
        nx.write_graphml(graph, path)
    return [path]
