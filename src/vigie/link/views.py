"""DuckDB views the link and observe stages read: the current analysis, the latest link run.

The lake is append-only: re-analysis adds rows under a new version and every link run adds its
own files. These helpers pick what is current — the version of the latest analysis run, the
latest link run — so readers never mix two versions.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from vigie.errors import QueryError
from vigie.store.lake import first_row

# labels that say a channel sells (used to tell a seller's channel from one that reports on them)
SELLER_LABELS: tuple[str, ...] = (
    "sale",
    "promotion",
    "logistics",
    "payment",
    "supplies",
    "recruitment",
    "channel_migration",
)
SELLER_SHARE = 0.2  # share of a channel's messages with a seller label
SELLER_MIN = 2  # and at least this many

CHANNEL_KEY_SQL = "platform || ':' || channel_id"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def analysis_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """Version of the latest analysis run (or the highest stored version), None if never run."""
    row = first_row(
        con, "SELECT version FROM analysis_runs ORDER BY finished_at DESC NULLS LAST LIMIT 1"
    )
    if row and row[0]:
        return str(row[0])
    row = first_row(con, "SELECT max(version) FROM analyses")
    return str(row[0]) if row and row[0] else None


def create_analysis_views(con: duckdb.DuckDBPyConnection) -> str | None:
    """Create ``cur_analyses`` and ``cur_entities`` (rows of the current version only)."""
    version = analysis_version(con)
    literal = _quote(version) if version else "NULL"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW cur_analyses AS SELECT * FROM analyses WHERE version = {literal}"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW cur_entities AS SELECT * FROM entities WHERE version = {literal}"
    )
    return version


def create_channel_stats(con: duckdb.DuckDBPyConnection, table: str = "channel_stats") -> None:
    """Temp table: per channel its node id, name, message count, first/last date, seller flag.

    ``seller`` is NULL when the workspace has no analysis (unknown), else whether enough of the
    channel's messages carry a seller label (sale, promotion, logistics …).
    """
    labels = ", ".join(_quote(label) for label in SELLER_LABELS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH msg AS (
            SELECT m.platform, m.channel_id, m.channel_name, m.date,
                   a.labels IS NOT NULL AS analysed,
                   coalesce(len(list_intersect(a.labels, [{labels}])) > 0, false) AS sells
            FROM messages m LEFT JOIN cur_analyses a USING (msg_key)
        ), agg AS (
            SELECT platform, channel_id, any_value(channel_name) AS mname, count(*) AS messages,
                   min(date) AS first_seen, max(date) AS last_seen,
                   count(*) FILTER (WHERE analysed) AS analysed, count(*) FILTER (WHERE sells) AS selling
            FROM msg GROUP BY 1, 2
        )
        SELECT 'channel:' || agg.platform || ':' || agg.channel_id AS node_id,
               agg.platform, agg.channel_id, coalesce(c.name, agg.mname, agg.channel_id) AS name,
               c.extra, agg.messages, agg.first_seen, agg.last_seen, agg.selling,
               CASE WHEN agg.analysed = 0 THEN NULL
                    ELSE agg.selling >= greatest({SELLER_MIN}, {SELLER_SHARE} * agg.analysed) END
                 AS seller
        FROM agg LEFT JOIN (
            SELECT channel_key, any_value(name) AS name, any_value(extra) AS extra
            FROM channels GROUP BY 1
        ) c ON c.channel_key = agg.platform || ':' || agg.channel_id
        """
    )


def latest_link_run(con: duckdb.DuckDBPyConnection) -> str | None:
    row = first_row(
        con, "SELECT run_id FROM link_runs ORDER BY finished_at DESC NULLS LAST LIMIT 1"
    )
    return str(row[0]) if row else None


def create_link_views(con: duckdb.DuckDBPyConnection, required: bool = True) -> str | None:
    """Create ``link_nodes``, ``link_edges``, ``link_clusters``, ``link_successors``.

    They hold the rows of the latest ``vigie link`` run. Raises QueryError when none ran and
    ``required``.
    """
    run_id = latest_link_run(con)
    if run_id is None and required:
        raise QueryError("no link run in this workspace yet; run `vigie link` first")
    literal = _quote(run_id) if run_id else "NULL"
    for view, table in (
        ("link_nodes", "graph_nodes"),
        ("link_edges", "graph_edges"),
        ("link_clusters", "ad_clusters"),
        ("link_successors", "successors"),
    ):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table} WHERE run_id = {literal}"
        )
    return run_id


def spill_to(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Let DuckDB spill large joins and aggregations to ``folder`` instead of failing."""
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = {_quote(str(folder))}")
