"""Retention: delete the messages that no case holds once they are older than N days.

The age counts from ingestion (default) or from posting (``retention.age_from``). Every message
a case holds — open or closed — stays: see :func:`vigie.act.cases.create_held_messages`. What
goes goes from every table (analyses, entities, clusters, graph evidence lists …), in one atomic
lake commit; evidence files left with no message are deleted; the audit log records counts and
hashes, never content. ``dry_run`` computes the same plan and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from vigie.act.cases import create_held_messages, list_cases
from vigie.act.erase import Erasure, apply_erasure, erase_rows, remove_evidence_files
from vigie.config import load_settings
from vigie.errors import VigieError
from vigie.store.audit import record_many
from vigie.store.state import open_state
from vigie.store.workspace import Workspace


class RetentionError(VigieError):
    code = "E165"


@dataclass
class RetentionPlan:
    days: int
    age_from: str
    cutoff: datetime
    messages: int = 0
    held: int = 0  # old messages kept because a case holds them
    channels: int = 0
    first_date: datetime | None = None
    last_date: datetime | None = None
    evidence: list[str] = field(default_factory=list)  # files that go
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    alerts: int = 0
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        for key in ("cutoff", "first_date", "last_date"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        return data


def _old_messages_sql(age_from: str) -> str:
    if age_from == "posted":
        return "SELECT msg_key, evidence_sha256 FROM messages WHERE date < ?"
    return """SELECT m.msg_key, m.evidence_sha256 FROM messages m
              JOIN (SELECT run_id, min(finished_at) AS at FROM ingest_runs GROUP BY run_id) r
              ON r.run_id = m.run_id WHERE r.at < ?"""


def plan_retention(
    ws: Workspace, days: int | None = None, now: datetime | None = None
) -> tuple[RetentionPlan, Erasure]:
    """What retention would delete now; ``days`` overrides ``retention.days``."""
    settings = load_settings(ws.root)
    days = days if days is not None else settings["retention.days"]
    if days is None:
        raise RetentionError(
            "no retention period: set [retention] days = N in vigie.toml or pass --days N"
        )
    age_from = settings["retention.age_from"]
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    plan = RetentionPlan(days, age_from, cutoff)
    state = open_state(ws.root)
    with ws.lake.connect(memory_limit="1GB") as con:
        create_held_messages(con, list_cases(state), "held")
        con.execute(f"CREATE TEMP TABLE old AS {_old_messages_sql(age_from)}", [cutoff])
        plan.held = _count(con, "SELECT count(*) FROM old WHERE msg_key IN (SELECT * FROM held)")
        con.execute("CREATE TEMP TABLE doomed AS SELECT * FROM old ANTI JOIN held USING (msg_key)")
        keys = {row[0] for row in con.execute("SELECT msg_key FROM doomed").fetchall()}
        plan.messages = len(keys)
        summary = con.execute(
            """SELECT count(DISTINCT m.platform || ':' || m.channel_id), min(m.date), max(m.date)
               FROM messages m SEMI JOIN doomed d ON d.msg_key = m.msg_key"""
        ).fetchone()
        if summary:
            plan.channels, plan.first_date, plan.last_date = summary
        plan.evidence = sorted(
            row[0]
            for row in con.execute(
                """SELECT DISTINCT evidence_sha256 FROM doomed d
                   WHERE evidence_sha256 IS NOT NULL AND NOT EXISTS (
                       SELECT 1 FROM messages m WHERE m.evidence_sha256 = d.evidence_sha256
                       AND m.msg_key NOT IN (SELECT msg_key FROM doomed))"""
            ).fetchall()
        )
    erasure = Erasure(msg_keys=keys, evidence=set(plan.evidence))
    plan.tables = erase_rows(ws, erasure)
    return plan, erasure


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def apply_retention(
    ws: Workspace, days: int | None = None, dry_run: bool = False, now: datetime | None = None
) -> RetentionPlan:
    """Plan, then (unless ``dry_run``) rewrite the lake, delete orphaned evidence, log it all."""
    with ws.writer():
        plan, erasure = plan_retention(ws, days, now)
        if dry_run or not (plan.messages or plan.evidence):
            return plan
        state = open_state(ws.root)
        plan.tables, plan.alerts = apply_erasure(ws, erasure, state)
        plan.applied = True
        details = {k: v for k, v in plan.to_dict().items() if k != "evidence"}
        details["evidence_removed"] = plan.evidence
        # logged before the files go: a crash in between leaves a file the log says is gone
        # (re-run retention), never a deletion the log does not show
        record_many(
            ws,
            [
                ("retention.apply", f"{plan.days} days", details),
                *[("evidence.delete", sha, {"reason": "retention"}) for sha in plan.evidence],
            ],
            state=state,
        )
        remove_evidence_files(ws, plan.evidence)
    return plan


__all__ = ["RetentionError", "RetentionPlan", "apply_retention", "plan_retention"]
