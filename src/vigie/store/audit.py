"""Chain of custody: an append-only audit log whose entries are hash-chained.

Each entry stores the SHA-256 of the previous entry (``prev_hash``) and its own ``hash`` over
``[seq, at, actor, action, target, details, prev_hash]`` as canonical JSON, with ``details``
hashed exactly as stored. Editing an entry breaks its own hash; deleting one breaks the next
entry's ``prev_hash`` and leaves a gap in ``seq``; deleting the last entries is caught by the
head anchor (``audit-head.json`` in the workspace, rewritten after every append, and printed in
every case report so a paper copy anchors the chain too).

:func:`verify` also re-hashes every evidence file: a modified, missing or unrecorded original
is reported. Files deleted by retention or erasure are expected to be missing because their
deletion is itself in the log (``evidence.delete``).
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from vigie.store.state import State, audit_log, open_state
from vigie.store.workspace import Workspace, file_sha256

GENESIS = "0" * 64
ANCHOR = "audit-head.json"
LOCK = ".audit.lock"


def current_actor() -> str:
    """``$VIGIE_USER``, else the login name: who is recorded as doing an action."""
    if actor := os.environ.get("VIGIE_USER"):
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    seq: int, at: str, actor: str, action: str, target: str, details: str, prev_hash: str
) -> str:
    payload = json.dumps(
        [seq, at, actor, action, target, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    details: str
    prev_hash: str
    hash: str

    def expected_hash(self) -> str:
        return entry_hash(
            self.seq, self.at, self.actor, self.action, self.target, self.details, self.prev_hash
        )

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "details": json.loads(self.details)}


@contextmanager
def _append_lock(root: Path) -> Iterator[None]:
    """Serialises appenders of one workspace (the anchor must follow the chain in order)."""
    with (root / LOCK).open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_anchor(root: Path, entry: AuditEntry) -> None:
    tmp = root / f"{ANCHOR}.tmp"
    tmp.write_text(json.dumps({"seq": entry.seq, "hash": entry.hash}) + "\n", encoding="utf-8")
    os.replace(tmp, root / ANCHOR)


def read_anchor(root: Path) -> dict[str, Any] | None:
    path = root / ANCHOR
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {"seq": -1, "hash": "unreadable"}
    return data


def _append(conn: Connection, action: str, target: str, details: str, actor: str) -> AuditEntry:
    if conn.dialect.name == "postgresql":  # serialise appenders across hosts
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74696)")
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = now_iso()
    digest = entry_hash(seq, at, actor, action, target, details, prev)
    entry = AuditEntry(seq, at, actor, action, target, details, prev, digest)
    conn.execute(audit_log.insert().values(**vars(entry)))
    return entry


def record(
    ws: Workspace,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
    actor: str | None = None,
    state: State | None = None,
) -> AuditEntry:
    """Append one entry (``action`` like ``case.add``; ``details`` never holds message text)."""
    state = state or open_state(ws.root)
    with _append_lock(ws.root):
        with state.write() as conn:
            entry = _append(conn, action, target, canonical(details), actor or current_actor())
        _write_anchor(ws.root, entry)
    return entry


def record_many(
    ws: Workspace, items: list[tuple[str, str, dict[str, Any]]], state: State | None = None
) -> list[AuditEntry]:
    """Append several ``(action, target, details)`` entries in one transaction."""
    if not items:
        return []
    state = state or open_state(ws.root)
    actor = current_actor()
    with _append_lock(ws.root):
        with state.write() as conn:
            done = [_append(conn, a, t, canonical(d), actor) for a, t, d in items]
        _write_anchor(ws.root, done[-1])
    return done


@dataclass
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending with "." ("case.")
    target: str | None = None
    limit: int | None = None


def entries(state: State, flt: AuditFilter | None = None) -> list[AuditEntry]:
    """Entries in chain order, filtered."""
    flt = flt or AuditFilter()
    query = select(audit_log).order_by(audit_log.c.seq)
    if flt.since:
        query = query.where(audit_log.c.at >= flt.since.astimezone(UTC).isoformat())
    if flt.until:
        query = query.where(audit_log.c.at < flt.until.astimezone(UTC).isoformat())
    if flt.actor:
        query = query.where(audit_log.c.actor == flt.actor)
    if flt.action:
        column = audit_log.c.action
        cond = column.startswith(flt.action) if flt.action.endswith(".") else column == flt.action
        query = query.where(cond)
    if flt.target:
        query = query.where(audit_log.c.target == flt.target)
    if flt.limit is not None:
        query = query.limit(flt.limit)
    with state.read() as conn:
        return [AuditEntry(**row._mapping) for row in conn.execute(query)]


def head(state: State) -> AuditEntry | None:
    with state.read() as conn:
        row = conn.execute(
            select(audit_log).where(
                audit_log.c.seq == select(func.max(audit_log.c.seq)).scalar_subquery()
            )
        ).first()
    return AuditEntry(**row._mapping) if row else None


@dataclass
class Problem:
    kind: str  # edited_entry, deleted_entry, truncated_log, modified_evidence, missing_evidence …
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.where}: {self.message}"


@dataclass
class Verification:
    entries: int = 0
    evidence_files: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "evidence_files": self.evidence_files,
            "first_problem": str(self.problems[0]) if self.problems else None,
            "problems": [vars(p) for p in self.problems],
            "notes": self.notes,
        }


def verify_chain(state: State, root: Path, result: Verification) -> list[AuditEntry]:
    """Check every link; problems are appended in chain order."""
    chain = entries(state)
    result.entries = len(chain)
    prev_hash, prev_seq = GENESIS, 0
    for entry in chain:
        where = f"entry #{entry.seq}"
        if entry.seq != prev_seq + 1:
            missing = f"#{prev_seq + 1}" + (
                f"-#{entry.seq - 1}" if entry.seq - 1 > prev_seq + 1 else ""
            )
            result.problems.append(
                Problem("deleted_entry", where, f"entries {missing} are missing before it")
            )
        elif entry.prev_hash != prev_hash:
            result.problems.append(
                Problem(
                    "broken_link",
                    where,
                    f"prev_hash does not match entry #{prev_seq}: it or the one before was "
                    "edited or replaced",
                )
            )
        if entry.expected_hash() != entry.hash:
            result.problems.append(
                Problem("edited_entry", where, "its content does not match its hash")
            )
        prev_hash, prev_seq = entry.hash, entry.seq
    anchor = read_anchor(root)
    by_seq = {e.seq: e for e in chain}
    if anchor is None:
        if chain:
            result.notes.append(f"no {ANCHOR}: the end of the log is not anchored")
    elif anchor["seq"] not in by_seq:
        result.problems.append(
            Problem(
                "truncated_log",
                f"entry #{anchor['seq']}",
                f"the head anchor names entry #{anchor['seq']} but the log ends at #{prev_seq}",
            )
        )
    elif by_seq[anchor["seq"]].hash != anchor["hash"]:
        result.problems.append(
            Problem("edited_entry", f"entry #{anchor['seq']}", "differs from the head anchor")
        )
    elif anchor["seq"] < prev_seq:
        result.notes.append(f"entries after #{anchor['seq']} are not anchored yet")
    return chain


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file (see :func:`vigie.store.workspace.file_sha256`)."""
    return file_sha256(path)[0]


def verify_evidence(ws: Workspace, chain: list[AuditEntry], result: Verification) -> None:
    """Re-hash every evidence file against its name, the lake and the log."""
    recorded: set[str] = set()
    deleted: set[str] = set()
    for entry in chain:
        if entry.action == "evidence.add":  # in order: a file may be deleted, then re-ingested
            recorded.add(entry.target)
            deleted.discard(entry.target)
        elif entry.action == "evidence.delete":
            deleted.add(entry.target)
    with ws.lake.connect(memory_limit="256MB") as con:
        listed = {row[0] for row in con.execute("SELECT DISTINCT sha256 FROM evidence").fetchall()}
    on_disk = {
        p.name: p
        for p in ws.evidence_dir.glob("??/*")
        if p.is_file() and p.parent.name != ".tmp" and not p.name.startswith(".")
    }
    result.evidence_files = len(on_disk)
    for sha in sorted((listed | recorded) - deleted):
        path = on_disk.get(sha)
        if path is None:
            result.problems.append(
                Problem(
                    "missing_evidence", sha, "the evidence file is gone and no deletion is logged"
                )
            )
        elif sha256_file(path) != sha:
            result.problems.append(
                Problem("modified_evidence", sha, f"{path} no longer hashes to its name")
            )
    for sha in sorted(set(on_disk) - listed - recorded):
        result.problems.append(
            Problem("unrecorded_evidence", sha, "an evidence file that no ingest recorded")
        )
    for sha in sorted(listed - recorded - deleted):
        result.notes.append(f"evidence {sha[:12]}… predates the audit log")


def verify(ws: Workspace, state: State | None = None) -> Verification:
    """Re-hash the chain and the evidence store; ``result.problems[0]`` is the first break."""
    state = state or open_state(ws.root)
    result = Verification()
    chain = verify_chain(state, ws.root, result)
    verify_evidence(ws, chain, result)
    return result


__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditFilter",
    "Problem",
    "Verification",
    "current_actor",
    "entries",
    "entry_hash",
    "head",
    "record",
    "record_many",
    "sha256_file",
    "verify",
]
