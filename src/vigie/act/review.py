"""Review decisions: an analyst confirms or rejects a message's labels, escalates or skips it.

Each decision is a row (who, when, what) in the state database and an entry in the audit log.
A message is *reviewed* once it has any decision other than ``skip``; a ``skip`` hides it from
the queue of the analyst who skipped it only. Confirmed and rejected labels become training data:
:func:`training_rows` yields them in the format ``vigie train`` reads (``text``, ``labels``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vigie.model import LABELS
from vigie.store.audit import record
from vigie.store.state import State, StateError, decisions, open_state
from vigie.store.workspace import Workspace

DECISIONS: tuple[str, ...] = ("confirm", "reject", "escalate", "skip")


@dataclass(frozen=True)
class Decision:
    msg_key: str
    label: str | None
    decision: str
    actor: str
    at: str
    note: str | None = None


def decide(
    ws: Workspace,
    msg_key: str,
    actor: str,
    confirmed: Iterable[str] = (),
    rejected: Iterable[str] = (),
    action: str | None = None,
    note: str | None = None,
    state: State | None = None,
) -> list[Decision]:
    """Record per-label decisions and an optional message-level ``escalate`` or ``skip``."""
    state = state or open_state(ws.root)
    confirmed, rejected = sorted(set(confirmed)), sorted(set(rejected))
    for label in (*confirmed, *rejected):
        if label not in LABELS:
            raise StateError(f"unknown label {label!r}")
    if set(confirmed) & set(rejected):
        raise StateError("a label cannot be both confirmed and rejected")
    if action is not None and action not in ("escalate", "skip"):
        raise StateError(f"action {action!r}: use escalate or skip")
    if not (confirmed or rejected or action):
        raise StateError("nothing to record: confirm or reject a label, escalate or skip")
    at = datetime.now(UTC).isoformat()
    rows = [Decision(msg_key, label, "confirm", actor, at, note) for label in confirmed]
    rows += [Decision(msg_key, label, "reject", actor, at, note) for label in rejected]
    if action:
        rows.append(Decision(msg_key, None, action, actor, at, note))
    with state.write() as conn:
        conn.execute(decisions.insert(), [vars(row) for row in rows])
    record(
        ws,
        "review.decide",
        msg_key,
        {"confirmed": confirmed, "rejected": rejected, "action": action},
        actor=actor,
        state=state,
    )
    return rows


def reviewed_keys(state: State, actor: str | None = None) -> list[str]:
    """Messages out of the queue: decided by anyone, or skipped by ``actor``."""
    cond = decisions.c.decision != "skip"
    if actor is not None:
        cond = cond | (decisions.c.actor == actor)
    with state.read() as conn:
        return list(conn.execute(select(decisions.c.msg_key).where(cond).distinct()).scalars())


def message_decisions(state: State, msg_key: str) -> list[Decision]:
    with state.read() as conn:
        rows = conn.execute(
            select(
                decisions.c.msg_key,
                decisions.c.label,
                decisions.c.decision,
                decisions.c.actor,
                decisions.c.at,
                decisions.c.note,
            )
            .where(decisions.c.msg_key == msg_key)
            .order_by(decisions.c.id)
        ).all()
    return [Decision(*row) for row in rows]


def latest_labels(state: State) -> dict[str, dict[str, bool]]:
    """Per message, per label: True if the latest decision confirms it, False if it rejects."""
    out: dict[str, dict[str, bool]] = {}
    with state.read() as conn:
        rows = conn.execute(
            select(decisions.c.msg_key, decisions.c.label, decisions.c.decision)
            .where(decisions.c.label.is_not(None))
            .order_by(decisions.c.id)
        )
        for key, label, decision in rows:
            out.setdefault(key, {})[label] = decision == "confirm"
    return out


def training_rows(state: State, texts: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Labelled rows (``text``, ``labels``) for ``vigie train`` from the analysts' decisions.

    ``texts`` maps msg_key to text. A message's labels are the ones whose latest decision is a
    confirmation; a message whose labels were all rejected is a negative example.
    """
    for key, verdicts in latest_labels(state).items():
        if key in texts:
            labels = sorted(label for label, ok in verdicts.items() if ok)
            yield {"text": texts[key], "labels": labels, "msg_key": key}


def write_training(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


__all__ = [
    "DECISIONS",
    "Decision",
    "decide",
    "latest_labels",
    "message_decisions",
    "reviewed_keys",
    "training_rows",
    "write_training",
]
