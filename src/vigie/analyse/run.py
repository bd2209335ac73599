"""Analyse a workspace: every message not yet analysed by the current version, in batches.

Reads ``(msg_key, text)`` from the lake in Arrow batches, runs the analyser, streams the results
to staged Parquet files and commits ``analyses``, ``entities`` and ``analysis_runs`` together.
Re-analysis by a new version adds rows with the new version; nothing is overwritten.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq

import vigie
from vigie.model import LABELS, Analysis
from vigie.store import hooks
from vigie.store.lake import scalar
from vigie.store.schema import ANALYSES, ENTITIES
from vigie.store.workspace import Workspace

BATCH = 20_000


class AnalyserLike(Protocol):
    version: str

    def __call__(self, texts: Sequence[str]) -> list[Analysis]: ...


@dataclass
class AnalyseCounts:
    version: str
    messages: int = 0
    labelled: int = 0
    entities: int = 0
    already_done: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "messages_analysed": self.messages,
            "messages_labelled": self.labelled,
            "entities": self.entities,
            "already_analysed": self.already_done,
        }


def analyses_batch(
    keys: Sequence[str], results: Sequence[Analysis], version: str, run_id: str
) -> pa.RecordBatch:
    n = len(keys)
    scores: dict[str, list[float]] = {label: [0.0] * n for label in LABELS}
    labels: list[list[str]] = []
    cues: list[str | None] = []
    for i, analysis in enumerate(results):
        positive = []
        cue_map: dict[str, list[list[object]]] = {}
        for ls in analysis.labels:
            scores[ls.label][i] = ls.score
            if ls.decision:
                positive.append(ls.label)
            if ls.cues and ls.decision:
                cue_map[ls.label] = [
                    [c.term, c.start, c.end, c.kind, round(c.weight, 3)] for c in ls.cues
                ]
        labels.append(positive)
        cues.append(json.dumps(cue_map, ensure_ascii=False) if cue_map else None)
    columns = [
        pa.array(keys, pa.string()),
        pa.array([version] * n, pa.string()),
        pa.array(labels, pa.list_(pa.string())),
        *[pa.array(scores[label], pa.float32()) for label in LABELS],
        pa.array([a.risk for a in results], pa.float32()),
        pa.array([list(a.risk_reasons) for a in results], pa.list_(pa.string())),
        pa.array(cues, pa.string()),
        pa.array([run_id] * n, pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=ANALYSES)


def entities_batch(
    keys: Sequence[str], results: Sequence[Analysis], version: str, run_id: str
) -> pa.RecordBatch:
    rows: dict[str, list[object]] = {name: [] for name in ENTITIES.names}
    for key, analysis in zip(keys, results, strict=True):
        for e in analysis.entities:
            rows["msg_key"].append(key)
            rows["type"].append(e.type)
            rows["value"].append(e.value)
            rows["text"].append(e.text)
            rows["start"].append(e.start)
            rows["end"].append(e.end)
            rows["attrs"].append(e.attrs)
    n = len(rows["msg_key"])
    rows["version"] = [version] * n
    rows["run_id"] = [run_id] * n
    return pa.RecordBatch.from_pydict(rows, schema=ENTITIES)


def analyse_workspace(
    ws: Workspace,
    analyser: AnalyserLike,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH,
) -> AnalyseCounts:
    """Analyse the messages that the current analyser version has not seen; commit the results."""
    version = analyser.version
    counts = AnalyseCounts(version)
    run_id = f"analyse-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    started = datetime.now(UTC)
    with ws.writer():
        txn = ws.lake.begin()
        con = ws.lake.connect(memory_limit="512MB")
        try:
            todo_sql = (
                "SELECT m.msg_key, m.text FROM messages m ANTI JOIN "
                "(SELECT msg_key FROM analyses WHERE version = $version) a ON a.msg_key = m.msg_key"
            )
            params = {"version": version}
            total = int(scalar(con, f"SELECT count(*) FROM ({todo_sql})", params))
            counts.already_done = int(
                scalar(
                    con,
                    "SELECT count(DISTINCT msg_key) FROM analyses WHERE version = $version",
                    params,
                )
            )
            if total == 0:
                return counts
            analyses_path = txn.path_for("analyses")
            txn.add("analyses", analyses_path)
            entities_path = txn.path_for("entities")
            txn.add("entities", entities_path)
            reader = con.sql(todo_sql, params=params).to_arrow_reader(batch_size)
            with (
                pq.ParquetWriter(analyses_path, ANALYSES, compression="zstd") as a_out,
                pq.ParquetWriter(entities_path, ENTITIES, compression="zstd") as e_out,
            ):
                for batch in reader:
                    keys = batch.column(0).to_pylist()
                    texts = [t or "" for t in batch.column(1).to_pylist()]
                    results = analyser(texts)
                    a_out.write_batch(analyses_batch(keys, results, version, run_id))
                    ents = entities_batch(keys, results, version, run_id)
                    if ents.num_rows:
                        e_out.write_batch(ents)
                    counts.messages += len(keys)
                    counts.labelled += sum(1 for r in results if r.positive())
                    counts.entities += ents.num_rows
                    if progress:
                        progress(counts.messages, total)
            txn.write_rows(
                "analysis_runs",
                [
                    {
                        "run_id": run_id,
                        "started_at": started,
                        "finished_at": datetime.now(UTC),
                        "vigie_version": vigie.__version__,
                        "version": version,
                        "messages": counts.messages,
                        "entities": counts.entities,
                        "labelled": counts.labelled,
                    }
                ],
            )
            txn.commit()
            hooks.committed(ws, "analyse", run_id, counts.to_dict())  # audit entry, watchlists
        except BaseException:
            txn.rollback()
            raise
        finally:
            con.close()
    return counts
