"""Retention and erasure rewrite the lake atomically, keep what cases hold, log counts only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.act.conftest import GROUP, SHOP, Fixture, key, run
from tests.helpers import snapshot
from vigie.act.cases import add_to_case, create_case, set_status
from vigie.act.deliver import list_alerts
from vigie.act.forget import forget, subject_hash
from vigie.act.retention import RetentionError, apply_retention
from vigie.act.watch import add_item, check, create_watchlist
from vigie.store.audit import AuditFilter, entries, verify
from vigie.store.state import open_state
from vigie.store.workspace import Workspace

LATER = datetime(2100, 1, 1, tzinfo=UTC)


def keys(ws: Workspace, table: str) -> set[str]:
    with ws.lake.connect() as con:
        return {r[0] for r in con.execute(f"SELECT msg_key FROM {table}").fetchall()}


def edge_evidence(ws: Workspace) -> list[list[str]]:
    with ws.lake.connect() as con:
        rows = con.execute("SELECT evidence FROM graph_edges ORDER BY kind, source").fetchall()
    return [r[0] for r in rows]


def test_dry_run_changes_nothing(analysed: Fixture) -> None:
    before = snapshot(analysed.ws.root / "lake")
    plan = apply_retention(analysed.ws, days=30, dry_run=True, now=LATER)
    assert plan.messages == 6 and not plan.applied
    assert plan.tables["messages"]["removed"] == 6 and plan.tables["entities"]["removed"] == 5
    assert snapshot(analysed.ws.root / "lake") == before


def test_retention_keeps_case_messages_and_their_evidence(analysed: Fixture) -> None:
    ws = analysed.ws
    case = create_case(ws, "garde")
    add_to_case(ws, case.id, f"telegram:{SHOP}")
    set_status(ws, case.id, "closed")  # closed cases still hold against retention
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "merci")
    assert check(ws, "all") == 1
    group_sha = next(iter(_shas(ws, GROUP)))
    plan = apply_retention(ws, days=30, now=LATER)
    assert plan.applied and plan.messages == 3 and plan.held == 3
    kept = {key("10"), key("11"), key("12")}
    for table in ("messages", "analyses"):
        assert keys(ws, table) == kept
    assert keys(ws, "entities") == {key("10"), key("12")}
    # msg_keys gone from the graph's evidence lists too
    assert all(k in kept for ev in edge_evidence(ws) for k in ev)
    # the backup channel's and the group's files had only deleted messages: gone
    assert plan.evidence == [group_sha] == sorted(_shas_of(analysed, "group"))
    assert not ws.evidence_path(group_sha).exists()
    assert all(ws.evidence_path(s).exists() for s in _shas(ws, SHOP))
    assert list_alerts(open_state(ws.root)) == []
    logged = entries(open_state(ws.root), AuditFilter(action="retention.apply"))[0]
    details = json.loads(logged.details)
    assert details["messages"] == 3 and details["tables"]["messages"]["removed"] == 3
    assert "Merci" not in logged.details and "Karim" not in logged.details
    deletions = entries(open_state(ws.root), AuditFilter(action="evidence.delete"))
    assert [e.target for e in deletions] == [group_sha]
    assert verify(ws).ok, verify(ws).problems
    # the lake has no file that the manifest does not list
    listed = {rel for rels in ws.lake.manifest().values() for rel in rels}
    on_disk = {f"{p.parent.name}/{p.name}" for p in (ws.root / "lake").glob("*/*.parquet")}
    assert on_disk == listed


def _shas(ws: Workspace, channel: str) -> set[str]:
    with ws.lake.connect() as con:
        rows = con.execute(
            "SELECT DISTINCT evidence_sha256 FROM messages WHERE channel_id = ?", [channel]
        ).fetchall()
    return {r[0] for r in rows}


def _shas_of(analysed: Fixture, name: str) -> set[str]:
    import hashlib

    return {hashlib.sha256(analysed.exports[name].read_bytes()).hexdigest()}


def test_nothing_old_enough_changes_nothing(analysed: Fixture) -> None:
    plan = apply_retention(analysed.ws, days=3650)
    assert plan.messages == 0 and not plan.applied


def test_retention_needs_a_period(analysed: Fixture) -> None:
    with pytest.raises(RetentionError, match="E165 no retention period"):
        apply_retention(analysed.ws)


def test_retention_cli_reads_the_settings(analysed: Fixture) -> None:
    (analysed.ws.root / "vigie.toml").write_text(
        '[retention]\ndays = 1\nage_from = "posted"\n', encoding="utf-8"
    )
    result = run("retention", "apply", "--dry-run", "--json", "-w", str(analysed.ws.root))
    plan = json.loads(result.stdout)
    assert plan["messages"] == 6 and plan["age_from"] == "posted" and plan["applied"] is False


def test_forget_removes_a_person_everywhere(analysed: Fixture) -> None:
    ws = analysed.ws
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "livreur")
    check(ws, "all")
    plan = forget(ws, "06 39 98 55 55")  # the customer's phone, as written in the text
    assert plan.applied and plan.messages == 1 and plan.kept_messages == 0
    assert key("7") not in keys(ws, "messages") | keys(ws, "analyses") | keys(ws, "entities")
    with ws.lake.connect() as con:
        nodes = {r[0] for r in con.execute("SELECT node_id FROM graph_nodes").fetchall()}
        targets = {r[0] for r in con.execute("SELECT target FROM graph_edges").fetchall()}
    assert "phone:+33639985555" not in nodes | targets
    group_sha = next(iter(_shas_of(analysed, "group")))
    assert plan.evidence == [group_sha] and not ws.evidence_path(group_sha).exists()
    assert list_alerts(open_state(ws.root)) == []
    logged = entries(open_state(ws.root), AuditFilter(action="forget.apply"))[0]
    assert logged.target == subject_hash("06 39 98 55 55")
    assert "55 55" not in logged.details and "5555" not in logged.details
    assert verify(ws).ok


def test_forget_keeps_what_an_open_case_holds(analysed: Fixture) -> None:
    ws = analysed.ws
    case = create_case(ws, "enquête")
    add_to_case(ws, case.id, key("7"))
    plan = forget(ws, "Karim Testeur")  # the sender's name
    assert plan.kept_messages == 1 and plan.messages == 0
    assert plan.kept_evidence and plan.evidence == [] and plan.holding_cases == [case.id]
    assert key("7") in keys(ws, "messages")
    kept = entries(open_state(ws.root), AuditFilter(action="forget.keep"))
    assert [json.loads(e.details)["cases"] for e in kept] == [[case.id]]
    # once the case is closed, the same request erases
    set_status(ws, case.id, "closed")
    again = forget(ws, "Karim Testeur")
    assert again.messages == 1 and key("7") not in keys(ws, "messages")


def test_forget_cli_dry_run_and_confirmation(analysed: Fixture) -> None:
    root = str(analysed.ws.root)
    before = snapshot(analysed.ws.root / "lake")
    dry = json.loads(run("forget", "user4242", "--dry-run", "--json", "-w", root).stdout)
    assert dry["messages"] == 1 and dry["applied"] is False
    refused = run("forget", "user4242", "-w", root, env={})
    assert refused.exit_code == 1  # no confirmation on stdin: aborted
    assert snapshot(analysed.ws.root / "lake") == before
    done = run("forget", "user4242", "--yes", "-w", root)
    assert done.exit_code == 0 and done.stdout.startswith("deleted 1 message(s)")
