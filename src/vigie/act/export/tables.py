"""CSV and Parquet exports of any lake table, optionally pseudonymised (see ``pseudonym``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from vigie.act.export.pseudonym import Pseudonymiser
from vigie.errors import QueryError
from vigie.store.schema import TABLES

TABLE_FORMATS: tuple[str, ...] = ("csv", "parquet")
# columns holding account names, per table; node-id columns hold ``account:platform:name``
ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "messages": ("sender", "sender_id", "forwarded_from"),
}
NODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "graph_nodes": ("node_id",),
    "graph_edges": ("source", "target"),
    "successors": ("channel", "successor_of"),
}


def available_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    views = {
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    return sorted(views | set(TABLES))


def export_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    fmt: str,
    path: Path,
    pseudonymiser: Pseudonymiser | None = None,
) -> int:
    """Write ``table`` to ``path`` as CSV or Parquet; returns the number of rows."""
    if table not in available_tables(con):
        raise QueryError(f"no table {table!r}; tables: {', '.join(available_tables(con))}")
    if fmt not in TABLE_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use csv or parquet")
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    select = []
    for column in columns:
        quoted = f'"{column}"'
        if pseudonymiser and column in ACCOUNT_COLUMNS.get(table, ()):
            select.append(f"pseudo({quoted}) AS {quoted}")
        elif pseudonymiser and column in NODE_COLUMNS.get(table, ()):
            select.append(f"pseudo_node({quoted}) AS {quoted}")
        elif pseudonymiser and table == "graph_nodes" and column == "label":
            select.append(
                f"CASE WHEN kind = 'account' THEN pseudo(label) ELSE label END AS {quoted}"
            )
        else:
            select.append(quoted)
    if pseudonymiser:
        pseudonymiser.install(con)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "HEADER, DELIMITER ','"
    escaped = str(tmp).replace("'", "''")
    con.execute(f"COPY (SELECT {', '.join(select)} FROM {table}) TO '{escaped}' ({options})")
    tmp.replace(path)
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(rows[0][0])
