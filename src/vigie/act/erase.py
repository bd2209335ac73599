"""Delete rows from the lake for retention and erasure: rewrite files, one atomic commit.

An :class:`Erasure` names what goes: messages (by ``msg_key``, in every table that has that
column, and inside the ``evidence`` lists of graph edges and successors), graph nodes (and the
edges and successor links that touch them), quarantined records of evidence files that go (their
snippets are raw content) and string columns to redact. Only files that hold something to delete
are rewritten, batch by batch (bounded memory), into new files staged in one ``Transaction``;
``Transaction.replace`` drops the old files from the manifest in the same commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import delete

from vigie.store.lake import PARQUET_OPTIONS, Transaction
from vigie.store.state import State, alerts
from vigie.store.workspace import Workspace

NODE_COLUMNS = ("node_id", "source", "target", "channel", "successor_of")
LIST_TABLES = ("graph_edges", "successors")  # their ``evidence`` column lists msg_keys
REDACTED = "[erased]"
_BATCH = 50_000


@dataclass
class Erasure:
    msg_keys: set[str] = field(default_factory=set)
    node_ids: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)  # sha256 of evidence files that go
    forms: tuple[str, ...] = ()  # lower-cased values redacted from snippets and file names
    redact: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> string columns

    def __post_init__(self) -> None:
        self._keys = pa.array(sorted(self.msg_keys), pa.string())
        self._nodes = pa.array(sorted(self.node_ids), pa.string())
        self._evidence = pa.array(sorted(self.evidence), pa.string())

    def keep_mask(self, table: str, batch: pa.RecordBatch) -> pa.Array:
        """True for the rows of ``batch`` that stay."""
        names = batch.schema.names
        gone: Any = pa.array([False] * batch.num_rows)
        if "msg_key" in names:
            gone = pc.or_(gone, pc.is_in(batch.column("msg_key"), value_set=self._keys))
        for column in NODE_COLUMNS:
            if column in names and len(self._nodes):
                gone = pc.or_(gone, pc.is_in(batch.column(column), value_set=self._nodes))
        if table == "quarantine":
            gone = pc.or_(gone, pc.is_in(batch.column("evidence_sha256"), value_set=self._evidence))
            for form in self.forms:
                snippet = pc.utf8_lower(batch.column("snippet"))
                gone = pc.or_(gone, pc.match_substring(snippet, form))
        return pc.invert(pc.fill_null(gone, False))

    def edit(self, table: str, batch: pa.RecordBatch) -> tuple[pa.RecordBatch, int]:
        """Remove erased msg_keys from evidence lists and redact columns; rows edited."""
        columns = dict(zip(batch.schema.names, batch.columns, strict=True))
        edited = 0
        if table in LIST_TABLES and "evidence" in columns and self.msg_keys:
            lists = columns["evidence"].to_pylist()
            kept = [[k for k in v if k not in self.msg_keys] if v else v for v in lists]
            edited += sum(1 for a, b in zip(lists, kept, strict=True) if a != b)
            columns["evidence"] = pa.array(kept, batch.schema.field("evidence").type)
        for column in self.redact.get(table, ()):
            if column in columns and self.forms:
                values = columns[column].to_pylist()
                hit = [v is not None and any(f in v.lower() for f in self.forms) for v in values]
                edited += sum(hit)
                columns[column] = pa.array(
                    [REDACTED if h else v for v, h in zip(values, hit, strict=True)],
                    batch.schema.field(column).type,
                )
        return pa.RecordBatch.from_arrays(list(columns.values()), schema=batch.schema), edited


def _scan(erasure: Erasure, table: str, path: Path) -> tuple[int, int]:
    """(rows removed, rows edited) if ``path`` were rewritten."""
    removed = edited = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=_BATCH):
        mask = erasure.keep_mask(table, batch)
        removed += batch.num_rows - pc.sum(mask).as_py() if batch.num_rows else 0
        edited += erasure.edit(table, batch.filter(mask))[1]
    return removed, edited


def _rewrite(erasure: Erasure, txn: Transaction, table: str, path: Path) -> None:
    source = pq.ParquetFile(path)
    target = txn.path_for(table)
    rows = 0
    with pq.ParquetWriter(target, source.schema_arrow, **PARQUET_OPTIONS) as writer:  # type: ignore[arg-type]
        for batch in source.iter_batches(batch_size=_BATCH):
            kept, _ = erasure.edit(table, batch.filter(erasure.keep_mask(table, batch)))
            if kept.num_rows:
                writer.write_batch(kept)
                rows += kept.num_rows
    if rows:
        txn.add(table, target)
    else:
        target.unlink()
    txn.replace(table, [path], None)


def erase_rows(
    ws: Workspace, erasure: Erasure, txn: Transaction | None = None
) -> dict[str, dict[str, int]]:
    """Per table, rows removed and edited; with ``txn``, the rewritten files are staged in it."""
    counts: dict[str, dict[str, int]] = {}
    for table, rels in sorted(ws.lake.manifest().items()):
        for rel in rels:
            path = ws.lake.root / rel
            removed, edited = _scan(erasure, table, path)
            if not (removed or edited):
                continue
            entry = counts.setdefault(table, {"removed": 0, "edited": 0, "files": 0})
            entry["removed"] += removed
            entry["edited"] += edited
            entry["files"] += 1
            if txn is not None:
                _rewrite(erasure, txn, table, path)
    return counts


def apply_erasure(
    ws: Workspace, erasure: Erasure, state: State
) -> tuple[dict[str, dict[str, int]], int]:
    """Rewrite the lake without the erased rows (one atomic commit), then drop their alerts.

    Returns the per-table counts of :func:`erase_rows` and the number of alerts deleted.
    """
    txn = ws.lake.begin()
    try:
        tables = erase_rows(ws, erasure, txn)
        txn.commit()
    except BaseException:
        txn.rollback()
        raise
    return tables, delete_alerts(state, erasure.msg_keys)


def remove_evidence_files(ws: Workspace, shas: Iterable[str]) -> list[str]:
    """Delete evidence copies; returns the sha256 of those that were there."""
    removed = []
    for sha in sorted(shas):
        path = ws.evidence_path(sha)
        if path.exists():
            path.unlink()
            removed.append(sha)
    return removed


def delete_alerts(state: State, msg_keys: set[str]) -> int:
    """Alerts of erased messages (they quote what matched)."""
    if not msg_keys:
        return 0
    total = 0
    keys = sorted(msg_keys)
    with state.write() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            total += conn.execute(delete(alerts).where(alerts.c.msg_key.in_(chunk))).rowcount
    return total


__all__ = ["Erasure", "delete_alerts", "erase_rows", "remove_evidence_files"]
