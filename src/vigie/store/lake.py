"""The lake: append-only Parquet tables, committed atomically through a manifest.

Each table is a folder of Parquet files (``lake/<table>/*.parquet``). A writer stages its files
under temporary names, renames them into place, then replaces ``lake/_manifest.json`` (also by
rename): that last rename is the commit. Readers build DuckDB views over the files the manifest
lists, so a writer killed at any point leaves nothing half-visible; the next writer removes the
files no manifest lists.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from vigie.store.schema import TABLES

MANIFEST = "_manifest.json"
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3}


SqlParams = Sequence[object] | Mapping[str, object] | None


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: SqlParams = None
) -> tuple[Any, ...] | None:
    """The first row of ``sql`` (or None), with the result fully consumed.

    DuckDB refuses new work on a connection while a result is half read, so never leave one.
    """
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: SqlParams = None) -> Any:
    """The first column of the first row of ``sql``, or None."""
    row = first_row(con, sql, params)
    return row[0] if row else None


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class Lake:
    """Parquet tables under ``root`` with an atomic manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # --- manifest ---------------------------------------------------------------------------

    def manifest(self) -> dict[str, list[str]]:
        path = self.root / MANIFEST
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        tables: dict[str, list[str]] = data.get("tables", {})
        return tables

    def files(self, table: str) -> list[Path]:
        return [self.root / rel for rel in self.manifest().get(table, [])]

    def _write_manifest(self, tables: dict[str, list[str]]) -> None:
        tmp = self.root / f"{MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        _fsync_write(tmp, json.dumps({"version": 1, "tables": tables}, indent=1).encode())
        os.replace(tmp, self.root / MANIFEST)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / MANIFEST).exists():
            self._write_manifest({})

    # --- writing ----------------------------------------------------------------------------

    def begin(self) -> Transaction:
        return Transaction(self)

    def collect_garbage(self) -> int:
        """Remove staged or uncommitted files (left by a killed writer). Call under the lock."""
        listed = {rel for rels in self.manifest().values() for rel in rels}
        removed = 0
        for table_dir in self.root.iterdir():
            if not table_dir.is_dir():
                if table_dir.name.endswith(".tmp"):
                    table_dir.unlink()
                    removed += 1
                continue
            for path in table_dir.iterdir():
                rel = f"{table_dir.name}/{path.name}"
                if rel not in listed and path.is_file():
                    path.unlink()
                    removed += 1
        return removed

    # --- reading ----------------------------------------------------------------------------

    def connect(self, memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one view per table over its committed files."""
        con = duckdb.connect(":memory:")
        con.execute(f"SET memory_limit='{memory_limit}'")
        con.execute("SET preserve_insertion_order=false")
        con.execute("SET TimeZone='UTC'")
        if threads := os.environ.get("VIGIE_THREADS"):
            con.execute(f"SET threads={int(threads)}")
        self.create_views(con)
        return con

    def create_views(self, con: duckdb.DuckDBPyConnection) -> None:
        manifest = self.manifest()
        for table, schema in TABLES.items():
            self._view(con, table, schema, manifest.get(table, []))
        for table, rels in manifest.items():
            if table not in TABLES and rels:
                self._view(con, table, None, rels)

    def _view(
        self, con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema | None, rels: list[str]
    ) -> None:
        if rels:
            paths = ", ".join("'" + str(self.root / rel).replace("'", "''") + "'" for rel in rels)
            con.execute(
                f"CREATE OR REPLACE VIEW {table} AS "
                f"SELECT * FROM read_parquet([{paths}], union_by_name=true)"
            )
        elif schema is not None:
            con.register(f"_empty_{table}", schema.empty_table())
            con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM _empty_{table}")


@dataclass
class Transaction:
    """Files staged for one commit. ``commit()`` makes them all visible at once."""

    lake: Lake
    staged: dict[str, list[Path]] = field(default_factory=dict)
    removed: dict[str, list[Path]] = field(default_factory=dict)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    paths_given: int = 0

    def path_for(self, table: str) -> Path:
        """A fresh temporary path for a new file of ``table``; register it with ``add``."""
        folder = self.lake.root / table
        folder.mkdir(parents=True, exist_ok=True)
        self.paths_given += 1
        return folder / f"{self.tag}-{self.paths_given:03d}.parquet.tmp"

    def add(self, table: str, tmp_path: Path) -> None:
        self.staged.setdefault(table, []).append(tmp_path)

    def write_table(self, table: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        path = self.path_for(table)
        pq.write_table(data, path, **PARQUET_OPTIONS)  # type: ignore[arg-type]
        self.add(table, path)

    def write_rows(self, table: str, rows: Iterable[Mapping[str, object]]) -> None:
        data = pa.Table.from_pylist(list(rows), schema=TABLES[table])
        self.write_table(table, data)

    def replace(self, table: str, old_files: Iterable[Path], new_table: pa.Table | None) -> None:
        """Stage ``new_table`` in place of ``old_files`` of ``table`` (retention, erasure).

        At commit the manifest drops the old files and lists the new one in the same rename;
        the old files are deleted after it. ``new_table`` may be None or empty (nothing kept).
        """
        self.removed.setdefault(table, []).extend(old_files)
        if new_table is not None:
            self.write_table(table, new_table)

    def commit(self) -> None:
        manifest = self.lake.manifest()
        for table, old in self.removed.items():
            gone = {f"{table}/{path.name}" for path in old}
            manifest[table] = [rel for rel in manifest.get(table, []) if rel not in gone]
        for table, paths in self.staged.items():
            for tmp in paths:
                final = tmp.with_name(tmp.name.removesuffix(".tmp"))
                with tmp.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, final)
                manifest.setdefault(table, []).append(f"{table}/{final.name}")
        self.lake._write_manifest(manifest)
        self.staged.clear()
        for old in self.removed.values():
            for path in old:
                path.unlink(missing_ok=True)
        self.removed.clear()

    def rollback(self) -> None:
        for paths in self.staged.values():
            for tmp in paths:
                tmp.unlink(missing_ok=True)
        self.staged.clear()
        self.removed.clear()
