"""``link_workspace``: run the link stage over a workspace and commit its tables together.

Reads messages, channels and the current analysis; writes ``graph_nodes``, ``graph_edges``,
``ad_clusters``, ``successors`` and ``link_runs`` under one run id (one atomic commit). Each run
is complete on its own: readers use the latest run (see ``views.create_link_views``).
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import vigie
from vigie.link.clusters import cluster_ads
from vigie.link.communities import assign_communities, detect_communities
from vigie.link.entities import (
    add_successor_edges,
    create_channel_keys,
    create_edges,
    create_mentions,
    create_nodes,
)
from vigie.link.minhash import MinHasher
from vigie.link.successors import find_successors
from vigie.link.views import create_analysis_views, create_channel_stats, spill_to
from vigie.store.lake import Transaction, scalar
from vigie.store.schema import TABLES
from vigie.store.workspace import Workspace

VERSION = "link.v1"


@dataclass(frozen=True)
class LinkOptions:
    """Settings of a link run (stored as JSON with the run)."""

    threshold: float = 0.5  # Jaccard similarity of two ad copies to be one cluster
    num_perm: int = 64
    shingle: int = 3
    min_tokens: int = 8
    clusters: bool = True
    communities: bool = True
    resolution: float = 1.0


@dataclass
class LinkCounts:
    run_id: str
    analysis_version: str | None
    messages: int = 0
    nodes: int = 0
    edges: int = 0
    clusters: int = 0
    successors: int = 0
    communities: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _copy(con: duckdb.DuckDBPyConnection, txn: Transaction, table: str, select: str) -> None:
    """Write ``select`` (columns in the table's schema order) to a staged Parquet file."""
    schema = TABLES[table]
    path = txn.path_for(table)
    con.execute(
        f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
    )
    written = con.sql(f"SELECT * FROM read_parquet('{path}') LIMIT 0").to_arrow_table().schema
    if written.names != schema.names:
        raise AssertionError(f"{table}: columns {written.names} != {schema.names}")
    txn.add(table, path)


def build_link_tables(
    con: duckdb.DuckDBPyConnection,
    options: LinkOptions,
    scratch: Path,
    counts: LinkCounts,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Create the temp tables ``nodes``, ``edges``, ``clusters``, ``succ`` on ``con``."""

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        counts.seconds[name] = round(now - started, 3)
        if progress:
            progress(name)
        return now

    t = time.perf_counter()
    counts.analysis_version = create_analysis_views(con)
    create_channel_stats(con)
    create_channel_keys(con)
    create_mentions(con)
    counts.messages = int(scalar(con, "SELECT coalesce(sum(messages), 0) FROM channel_stats"))
    t = step("mentions", t)
    if options.clusters:
        hasher = MinHasher(
            num_perm=options.num_perm,
            threshold=options.threshold,
            shingle=options.shingle,
            min_tokens=options.min_tokens,
        )
        counts.clusters = cluster_ads(
            con, hasher, scratch / "minhash", analysed=counts.analysis_version is not None
        )
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE clusters (cluster_id VARCHAR, msg_key VARCHAR, "
            "channel_key VARCHAR, date TIMESTAMPTZ)"
        )
    t = step("clusters", t)
    create_edges(con, with_clusters=options.clusters)
    t = step("edges", t)
    counts.successors = len(find_successors(con, with_clusters=options.clusters))
    add_successor_edges(con)
    t = step("successors", t)
    create_nodes(con)
    communities = detect_communities(con, options.resolution) if options.communities else {}
    assign_communities(con, communities)
    counts.communities = len(set(communities.values()))
    t = step("communities", t)
    for name, table in (("nodes", "nodes"), ("edges", "edges")):
        setattr(counts, name, int(scalar(con, f"SELECT count(*) FROM {table}")))


def link_workspace(
    ws: Workspace,
    options: LinkOptions | None = None,
    progress: Callable[[str], None] | None = None,
    memory_limit: str = "2GB",
) -> LinkCounts:
    """Build the graph, clusters, successors and communities; commit them as one run."""
    options = options or LinkOptions()
    run_id = f"link-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    counts = LinkCounts(run_id=run_id, analysis_version=None)
    started = datetime.now(UTC)
    scratch = ws.root / "tmp" / run_id
    with ws.writer():
        txn = ws.lake.begin()
        con = ws.lake.connect(memory_limit=memory_limit)
        try:
            spill_to(con, scratch / "duckdb")
            build_link_tables(con, options, scratch, counts, progress)
            rid = f"'{run_id}'"
            _copy(
                con,
                txn,
                "graph_nodes",
                f"""SELECT node_id, kind, label, platform, messages::BIGINT AS messages,
                           first_seen, last_seen, community, {rid} AS run_id
                    FROM nodes ORDER BY kind, node_id""",
            )
            _copy(
                con,
                txn,
                "graph_edges",
                f"""SELECT source, target, kind, count, first_seen, last_seen, evidence,
                           {rid} AS run_id FROM edges ORDER BY kind, source, target""",
            )
            _copy(
                con,
                txn,
                "ad_clusters",
                f"""SELECT cluster_id, msg_key, channel_key, date, {rid} AS run_id
                    FROM clusters ORDER BY cluster_id, date""",
            )
            _copy(
                con,
                txn,
                "successors",
                f"""SELECT channel, successor_of, confidence, rules, evidence, {rid} AS run_id
                    FROM succ""",
            )
            txn.write_rows(
                "link_runs",
                [
                    {
                        "run_id": run_id,
                        "started_at": started,
                        "finished_at": datetime.now(UTC),
                        "vigie_version": vigie.__version__,
                        "version": VERSION,
                        "analysis_version": counts.analysis_version,
                        "options": json.dumps(asdict(options)),
                        "messages": counts.messages,
                        "nodes": counts.nodes,
                        "edges": counts.edges,
                        "clusters": counts.clusters,
                        "successors": counts.successors,
                        "communities": counts.communities,
                    }
                ],
            )
            txn.commit()
        except BaseException:
            txn.rollback()
            raise
        finally:
            con.close()
            shutil.rmtree(scratch, ignore_errors=True)
    return counts
