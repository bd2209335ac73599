"""Lookups shared by the pages and the API: each answers the item or raises the HTTP error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException

from vigie.act import cases as case_ops
from vigie.web import graph
from vigie.web import queries as q
from vigie.web.app import Web


def message_or_404(app: Web, msg_key: str) -> dict[str, Any]:
    with app.index.cursor() as cur:
        item = q.message(cur, msg_key)
    if item is None:
        raise HTTPException(404, f"no message {msg_key!r} in this workspace")
    return item


def channel_or_404(app: Web, key: str) -> dict[str, Any]:
    with app.index.cursor() as cur:
        info = q.channel(cur, key)
    if info is None:
        raise HTTPException(404, f"no channel {key!r} in this workspace")
    return info


def entity_or_404(app: Web, value: str) -> dict[str, Any]:
    with app.index.cursor() as cur:
        info = q.entity(cur, value)
    if info is None:
        raise HTTPException(404, f"{value!r} was not extracted from any message")
    return info


def case_seeds(app: Web, case_id: int) -> list[str]:
    case = case_ops.get_case(app.state, case_id)
    seeds = [f"channel:{ref}" for ref in case.refs("channel")]
    with app.index.cursor() as cur:
        for ref in case.refs("entity"):
            seeds += [
                r[0]
                for r in cur.execute(
                    "SELECT node_id FROM nodes WHERE label = ? OR node_id LIKE ?",
                    [ref, f"%:{ref}"],
                ).fetchall()
            ]
        keys = case.refs("message")
        if keys:
            seeds += [
                f"channel:{r[0]}"
                for r in cur.execute(
                    "SELECT DISTINCT channel_key FROM items WHERE list_contains(?, msg_key)",
                    [keys],
                ).fetchall()
            ]
    return list(dict.fromkeys(seeds))


def network_of(app: Web, seeds: Sequence[str] | None, case: int | None, hops: int) -> dict:
    """The graph around the seed nodes and the case's channels and entities (422 if none)."""
    nodes = list(seeds or [])
    if case is not None:
        nodes += case_seeds(app, case)
    if not nodes:
        raise HTTPException(422, "give a seed node (?seed=channel:…) or a case (?case=ID)")
    with app.index.cursor() as cur:
        return graph.network(cur, nodes, hops=hops)


__all__ = ["case_seeds", "channel_or_404", "entity_or_404", "message_or_404", "network_of"]
