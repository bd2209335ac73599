"""After a batch stage commits to the lake: record it in the audit log, then run the listeners.

Stages call :func:`committed` right after ``txn.commit()``. The lake commit is already durable
then, so nothing here may undo or fail it: an error is logged as a warning (``vigie`` logger,
stderr) and the run goes on. Listeners are named ``module:function`` and imported when first
needed, so the writers do not import the later stages that react to them (the watchlist check
of ``vigie.act.watch`` is the built-in one); :func:`register` adds more.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vigie.store.audit import AuditFilter, entries, record_many
from vigie.store.state import open_state
from vigie.store.workspace import Workspace

log = logging.getLogger("vigie")


@dataclass(frozen=True)
class Commit:
    """One committed run: ``stage`` is ingest, analyse or link; ``details`` its counters."""

    stage: str
    run_id: str
    details: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Workspace, Commit], None]
LISTENERS: list[str] = ["vigie.act.watch:on_commit"]


def register(name: str) -> None:
    """Add a ``module:function`` listener called after every commit."""
    if name not in LISTENERS:
        LISTENERS.append(name)


def _load(name: str) -> Listener:
    module, _, function = name.partition(":")
    listener: Listener = getattr(importlib.import_module(module), function)
    return listener


def audit_items(ws: Workspace, event: Commit) -> list[tuple[str, str, dict[str, Any]]]:
    """The audit entries a commit makes: the run, and any evidence file seen for the first time."""
    details = {k: v for k, v in event.details.items() if k not in ("status", "error")}
    items: list[tuple[str, str, dict[str, Any]]] = []
    if event.stage == "ingest" and (sha := event.details.get("sha256")):
        state = open_state(ws.root)
        known = entries(state, AuditFilter(action="evidence.add", target=sha, limit=1))
        if not known:
            path = ws.evidence_path(sha)
            size = path.stat().st_size if path.exists() else None
            items.append(
                (
                    "evidence.add",
                    sha,
                    {"file": event.details.get("file"), "size": size, "run_id": event.run_id},
                )
            )
    action = {"analyse": "analysis.run"}.get(event.stage, f"{event.stage}.run")
    items.append((action, event.run_id, details))
    return items


def committed(ws: Workspace, stage: str, run_id: str, details: dict[str, Any]) -> None:
    """Audit the run, then call every listener; never raises."""
    event = Commit(stage, run_id, dict(details))
    try:
        record_many(ws, audit_items(ws, event))
    except Exception as exc:  # the commit is done: warn loudly, never undo it
        log.warning("vigie: could not record %s run %s in the audit log: %s", stage, run_id, exc)
    for name in list(LISTENERS):
        try:
            _load(name)(ws, event)
        except Exception as exc:
            log.warning("vigie: %s failed after %s run %s: %s", name, stage, run_id, exc)


__all__ = ["LISTENERS", "Commit", "committed", "register"]
