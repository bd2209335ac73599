"""The hash-chained audit log catches every way of tampering with it or with the evidence."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import jsonl_rows, write_jsonl
from vigie.sources.ingest import ingest
from vigie.store.audit import (
    GENESIS,
    AuditFilter,
    entries,
    entry_hash,
    head,
    record,
    verify,
)
from vigie.store.state import close_all, open_state
from vigie.store.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    close_all()


def db(ws: Workspace) -> sqlite3.Connection:
    return sqlite3.connect(ws.root / "vigie.db")


def ingested(ws: Workspace, tmp_path: Path) -> str:
    src = write_jsonl(tmp_path / "export.jsonl", jsonl_rows(8))
    report = ingest(ws, [src], fmt="generic_jsonl")
    sha = report.results[0].sha256
    assert sha
    return sha


def test_entries_chain_from_genesis(ws: Workspace) -> None:
    first = record(ws, "case.create", "1", {"name": "x"}, actor="alice")
    second = record(ws, "case.add", "1", {"ref": "k"}, actor="bob")
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert second.hash == entry_hash(
        2, second.at, "bob", "case.add", "1", '{"ref":"k"}', first.hash
    )
    assert verify(ws).ok
    assert head(open_state(ws.root)) == second


def test_ingest_records_evidence_and_run(ws: Workspace, tmp_path: Path) -> None:
    sha = ingested(ws, tmp_path)
    actions = [(e.action, e.target) for e in entries(open_state(ws.root))]
    assert actions[0] == ("evidence.add", sha)
    assert actions[1][0] == "ingest.run"
    details = json.loads(entries(open_state(ws.root))[1].details)
    assert details["sha256"] == sha and details["messages_added"] == 8
    # the same file again: a new run, no second evidence.add
    ingest(ws, [tmp_path / "export.jsonl"], fmt="generic_jsonl")
    again = [e.action for e in entries(open_state(ws.root))]
    assert again.count("evidence.add") == 1 and again.count("ingest.run") == 2
    assert verify(ws).ok


@pytest.mark.parametrize(
    ("tamper", "kind", "where"),
    [
        ('UPDATE audit_log SET details = \'{"name":"y"}\' WHERE seq = 2', "edited_entry", "#2"),
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", "edited_entry", "#3"),
        ("DELETE FROM audit_log WHERE seq = 2", "deleted_entry", "#3"),
        ("DELETE FROM audit_log WHERE seq = 4", "truncated_log", "#4"),
        ("DELETE FROM audit_log WHERE seq = 1", "deleted_entry", "#2"),
    ],
)
def test_tampering_with_the_log_is_caught(
    ws: Workspace, tamper: str, kind: str, where: str
) -> None:
    for i in range(4):
        record(ws, "case.create", str(i), {"name": "x"})
    with db(ws) as raw:
        raw.execute(tamper)
    result = verify(ws)
    assert not result.ok
    assert result.problems[0].kind == kind
    assert where in result.problems[0].where


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(ws: Workspace) -> None:
    for i in range(3):
        record(ws, "case.create", str(i), {"name": "x"})
    entry = entries(open_state(ws.root), AuditFilter(limit=2))[1]
    forged = entry_hash(
        2, entry.at, entry.actor, entry.action, "forged", entry.details, entry.prev_hash
    )
    with db(ws) as raw:
        raw.execute("UPDATE audit_log SET target = 'forged', hash = ? WHERE seq = 2", [forged])
    result = verify(ws)
    assert [p.kind for p in result.problems] == ["broken_link"]
    assert result.problems[0].where == "entry #3"


def test_modified_evidence_file_is_caught(ws: Workspace, tmp_path: Path) -> None:
    sha = ingested(ws, tmp_path)
    path = ws.evidence_path(sha)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace(b"message", b"massage", 1))
    result = verify(ws)
    assert [(p.kind, p.where) for p in result.problems] == [("modified_evidence", sha)]


def test_deleted_evidence_file_is_caught_unless_the_deletion_is_logged(
    ws: Workspace, tmp_path: Path
) -> None:
    sha = ingested(ws, tmp_path)
    ws.evidence_path(sha).unlink()
    assert verify(ws).problems[0].kind == "missing_evidence"
    record(ws, "evidence.delete", sha, {"reason": "retention"})
    assert verify(ws).ok


def test_planted_evidence_file_is_caught(ws: Workspace, tmp_path: Path) -> None:
    ingested(ws, tmp_path)
    fake = "ab" + "0" * 62
    ws.evidence_path(fake).parent.mkdir(parents=True, exist_ok=True)
    ws.evidence_path(fake).write_bytes(b"planted")
    assert verify(ws).problems[0].kind == "unrecorded_evidence"


def test_concurrent_appenders_keep_one_chain(ws: Workspace) -> None:
    def append(name: str) -> None:
        for i in range(20):
            record(ws, "watch.add", name, {"i": i})

    threads = [threading.Thread(target=append, args=(f"t{k}",)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verify(ws)
    assert result.ok and result.entries == 60


def test_filters(ws: Workspace) -> None:
    record(ws, "case.create", "1", actor="alice")
    record(ws, "case.add", "1", actor="bob")
    record(ws, "notice.export", "n1", actor="alice")
    state = open_state(ws.root)
    assert [e.action for e in entries(state, AuditFilter(actor="alice"))] == [
        "case.create",
        "notice.export",
    ]
    assert [e.action for e in entries(state, AuditFilter(action="case."))] == [
        "case.create",
        "case.add",
    ]
