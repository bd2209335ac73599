"""Communities over the entity graph: Leiden (modularity) from igraph.

Places are left out — a city links every dealer in it and says nothing about who works with
whom — and so are edges to them. Edge weights grow with the log of their counts so one chatty
group does not swallow its neighbours. Community 0 is the largest; ids are stable for a given
graph (fixed seed, nodes sorted).
"""

from __future__ import annotations

import math
import random

import duckdb
import pyarrow as pa

EXCLUDED_KINDS: tuple[str, ...] = ("place",)
SEED = 42


def detect_communities(con: duckdb.DuckDBPyConnection, resolution: float = 1.0) -> dict[str, int]:
    """Leiden communities of temp tables ``nodes``/``edges``; {node_id: community}."""
    excluded = ", ".join(f"'{k}'" for k in EXCLUDED_KINDS)
    rows = con.execute(
        f"""SELECT least(source, target) AS a, greatest(source, target) AS b, sum(count)
            FROM edges WHERE source <> target
              AND split_part(source, ':', 1) NOT IN ({excluded})
              AND split_part(target, ':', 1) NOT IN ({excluded})
            GROUP BY 1, 2 ORDER BY 1, 2"""
    ).fetchall()
    if not rows:
        return {}
    names = sorted({r[0] for r in rows} | {r[1] for r in rows})
    index = {name: i for i, name in enumerate(names)}
    import igraph as ig  # ~0.4 s to import: only when communities are computed

    graph = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, _ in rows])
    weights = [1.0 + math.log1p(float(w)) for _, _, w in rows]
    random.seed(SEED)
    ig.set_random_number_generator(random)
    partition = graph.community_leiden(
        objective_function="modularity",
        weights=weights,
        resolution=resolution,
        n_iterations=-1,
    )
    groups = sorted(partition, key=lambda members: (-len(members), min(members)))
    return {names[m]: cid for cid, members in enumerate(groups) for m in members}


def assign_communities(con: duckdb.DuckDBPyConnection, communities: dict[str, int]) -> None:
    """Add column ``community`` to temp table ``nodes``."""
    con.register(
        "_communities",
        pa.table(
            {
                "node_id": list(communities),
                "community": pa.array(list(communities.values()), pa.int64()),
            }
        ),
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE nodes AS
           SELECT n.*, c.community FROM nodes n LEFT JOIN _communities c USING (node_id)"""
    )
    con.unregister("_communities")
