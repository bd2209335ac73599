"""Right to erasure: remove one person's data from the lake and every derived table.

The person is named by a value: a sender name or id, a phone (any notation), a handle, an
e-mail … Their data are the messages they sent, the messages in which the value was extracted
or appears literally, the graph nodes of that value, quarantined snippets and file names that
contain it, and the alerts on those messages. Messages an **open** case holds are kept (a legal
hold), and so are the evidence files such a case holds; every other evidence file that contains
the person's data is deleted. The log keeps the SHA-256 of the value, never the value, with
counts and file hashes, and says what was kept and for which case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from vigie.act.cases import Case, create_held_messages, entity_condition, entity_forms, list_cases
from vigie.act.erase import Erasure, apply_erasure, erase_rows, remove_evidence_files
from vigie.config import load_settings
from vigie.errors import VigieError
from vigie.store.audit import record_many
from vigie.store.state import open_state
from vigie.store.workspace import Workspace

MIN_TEXT_MATCH = 4  # shorter values are matched as sender or entity only, never in free text


class ForgetError(VigieError):
    code = "E166"


@dataclass
class ForgetPlan:
    subject_sha256: str
    messages: int = 0
    kept_messages: int = 0
    holding_cases: list[int] = field(default_factory=list)
    nodes: int = 0
    evidence: list[str] = field(default_factory=list)
    kept_evidence: list[str] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    alerts: int = 0
    applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def subject_hash(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()


def _holding_cases(
    con: duckdb.DuckDBPyConnection, open_cases: list[Case], kept_files: set[str]
) -> list[int]:
    """Ids of the open cases that hold one of the person's messages or files."""
    holding = []
    for case in open_cases:
        create_held_messages(con, [case], "held_one")
        row = con.execute(
            """SELECT count(*) FROM messages m SEMI JOIN held_one h ON h.msg_key = m.msg_key
               WHERE m.msg_key IN (SELECT msg_key FROM person)
               OR list_contains(?, m.evidence_sha256)""",
            [sorted(kept_files)],
        ).fetchone()
        if row and row[0]:
            holding.append(case.id)
    return holding


def plan_forget(ws: Workspace, value: str) -> tuple[ForgetPlan, Erasure]:
    """What erasing ``value`` would delete and keep."""
    if len(value.strip()) < 2:
        raise ForgetError(
            "give the person's identifier (name, phone, handle …), 2 characters or more"
        )
    region = str(load_settings(ws.root)["jurisdiction.code"])
    forms = entity_forms(value, region)
    plan = ForgetPlan(subject_hash(value))
    state = open_state(ws.root)
    open_cases = [case for case in list_cases(state) if case.is_open]
    with ws.lake.connect(memory_limit="1GB") as con:
        con.register("_forms", pa.table({"ref": pa.array(forms, pa.string())}))
        con.execute(
            f"""CREATE TEMP TABLE person AS
            SELECT m.msg_key, m.evidence_sha256 FROM messages m JOIN _forms f
              ON lower(m.sender) = f.ref OR lower(m.sender_id) = f.ref
              OR (length(f.ref) >= {MIN_TEXT_MATCH} AND contains(lower(m.text), f.ref))
            UNION SELECT m.msg_key, m.evidence_sha256 FROM messages m SEMI JOIN (
              SELECT e.msg_key FROM entities e JOIN _forms f
              ON {entity_condition("e.value", "f.ref")}) x ON x.msg_key = m.msg_key"""
        )
        create_held_messages(con, open_cases, "held")
        kept = con.execute(
            "SELECT msg_key FROM person WHERE msg_key IN (SELECT msg_key FROM held)"
        ).fetchall()
        plan.kept_messages = len(kept)
        keys = {
            row[0]
            for row in con.execute(
                "SELECT msg_key FROM person WHERE msg_key NOT IN (SELECT msg_key FROM held)"
            ).fetchall()
        }
        plan.messages = len(keys)
        held_files = {
            row[0]
            for row in con.execute(
                """SELECT DISTINCT m.evidence_sha256 FROM messages m
                   SEMI JOIN held h ON h.msg_key = m.msg_key"""
            ).fetchall()
        }
        person_files = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT evidence_sha256 FROM person WHERE evidence_sha256 IS NOT NULL"
            ).fetchall()
        }
        plan.evidence = sorted(person_files - held_files)
        plan.kept_evidence = sorted(person_files & held_files)
        nodes: set[str] = set()
        if not plan.kept_messages:  # a held message keeps the graph picture of its case
            nodes = {
                row[0]
                for row in con.execute(
                    f"""SELECT DISTINCT n.node_id FROM graph_nodes n JOIN _forms f
                        ON lower(n.label) = f.ref OR {entity_condition("n.node_id", "f.ref")}"""
                ).fetchall()
            }
        plan.nodes = len(nodes)
        if plan.kept_messages or plan.kept_evidence:
            plan.holding_cases = _holding_cases(con, open_cases, set(plan.kept_evidence))
    erasure = Erasure(
        msg_keys=keys,
        node_ids=nodes,
        evidence=set(plan.evidence),
        forms=tuple(f for f in forms if len(f) >= MIN_TEXT_MATCH),
        redact={"evidence": ("original_name",), "ingest_runs": ("file",)},
    )
    plan.tables = erase_rows(ws, erasure)
    return plan, erasure


def forget(ws: Workspace, value: str, dry_run: bool = False) -> ForgetPlan:
    """Erase ``value``'s data (see the module doc); every step goes to the audit log."""
    with ws.writer():
        plan, erasure = plan_forget(ws, value)
        if dry_run:
            return plan
        state = open_state(ws.root)
        plan.tables, plan.alerts = apply_erasure(ws, erasure, state)
        plan.applied = True
        subject = plan.subject_sha256
        details = {k: v for k, v in plan.to_dict().items() if k not in ("subject_sha256",)}
        items: list[tuple[str, str, dict[str, Any]]] = [("forget.apply", subject, details)]
        items += [
            (
                "forget.keep",
                sha,
                {"subject": subject, "reason": "held by an open case", "cases": plan.holding_cases},
            )
            for sha in plan.kept_evidence
        ]
        items += [
            ("evidence.delete", sha, {"reason": "erasure", "subject": subject})
            for sha in plan.evidence
        ]
        record_many(ws, items, state=state)
        remove_evidence_files(ws, plan.evidence)
    return plan


__all__ = ["ForgetError", "ForgetPlan", "forget", "plan_forget", "subject_hash"]
