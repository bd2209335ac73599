"""Review decisions: stored with who and when, audited, out of the queue, training rows."""

from __future__ import annotations

import json

import pytest

from tests.act.conftest import Fixture, key, run
from vigie.act.review import (
    decide,
    latest_labels,
    message_decisions,
    reviewed_keys,
    training_rows,
)
from vigie.store.audit import entries
from vigie.store.state import StateError, open_state


def test_decisions_are_stored_and_audited(analysed: Fixture) -> None:
    ws = analysed.ws
    rows = decide(ws, key("10"), "alice", confirmed=["sale"], rejected=["promotion"])
    assert {(r.label, r.decision) for r in rows} == {("sale", "confirm"), ("promotion", "reject")}
    stored = message_decisions(open_state(ws.root), key("10"))
    assert [(d.label, d.decision, d.actor) for d in stored] == [
        ("sale", "confirm", "alice"),
        ("promotion", "reject", "alice"),
    ]
    audit = [e for e in entries(open_state(ws.root)) if e.action == "review.decide"]
    assert audit and audit[-1].actor == "alice" and audit[-1].target == key("10")


def test_skip_hides_only_for_the_skipper(analysed: Fixture) -> None:
    state = open_state(analysed.ws.root)
    decide(analysed.ws, key("10"), "alice", action="skip")
    assert key("10") in reviewed_keys(state, "alice")
    assert key("10") not in reviewed_keys(state, "bob")
    decide(analysed.ws, key("10"), "bob", action="escalate")
    assert key("10") in reviewed_keys(state, "carol")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "nothing to record"),
        ({"confirmed": ["nope"]}, "unknown label"),
        ({"confirmed": ["sale"], "rejected": ["sale"]}, "both"),
        ({"action": "delete"}, "action"),
    ],
)
def test_bad_decisions_are_refused(analysed: Fixture, kwargs: dict, message: str) -> None:
    with pytest.raises(StateError, match=message):
        decide(analysed.ws, key("10"), "alice", **kwargs)


def test_latest_decision_wins_and_feeds_training(analysed: Fixture, tmp_path) -> None:
    ws = analysed.ws
    decide(ws, key("10"), "alice", confirmed=["sale", "promotion"])
    decide(ws, key("10"), "bob", rejected=["promotion"])
    decide(ws, key("11"), "bob", rejected=["sale"])
    state = open_state(ws.root)
    assert latest_labels(state)[key("10")] == {"sale": True, "promotion": False}
    rows = list(training_rows(state, {key("10"): "menu", key("11"): "article"}))
    assert {r["msg_key"]: r["labels"] for r in rows} == {key("10"): ["sale"], key("11"): []}
    out = tmp_path / "reviewed.jsonl"
    result = run("decisions", "export", str(out), "-w", str(ws.root))
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["msg_key"] for r in exported} == {key("10"), key("11")}
    assert all(r["text"] for r in exported)
