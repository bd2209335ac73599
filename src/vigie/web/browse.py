"""Pages to browse the intelligence: message, media, channel, entity, network, prices."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from vigie.act import cases as case_ops
from vigie.act.review import message_decisions
from vigie.web import graph, market
from vigie.web import queries as q
from vigie.web.app import Web, web
from vigie.web.media import media_file
from vigie.web.pagekit import (
    Ident,
    render,
)

router = APIRouter(include_in_schema=False)


# --- message, channel, entity, network, prices -------------------------------------------------


@router.get("/messages/{msg_key:path}")
def message_page(request: Request, msg_key: str, ident: Ident) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        item = q.message(cur, msg_key)
    if item is None:
        raise HTTPException(404, f"no message {msg_key!r} in this workspace")
    app.audit(ident.user.name, "message.view", msg_key, page="message")
    return render(
        request,
        "message.html",
        ident,
        item=item,
        decisions=message_decisions(app.state, msg_key),
        cases=[c for c in case_ops.list_cases(app.state) if c.is_open],
    )


@router.get("/media/{index}/{msg_key:path}")
def media(request: Request, index: int, msg_key: str, ident: Ident) -> Response:
    app = web(request)
    path = media_file(app.ws, app.index, msg_key, index)
    if path is None:
        raise HTTPException(404, "this media file is not available (not in the export folder)")
    app.audit(ident.user.name, "media.view", msg_key, index=index)
    return FileResponse(path, headers={"Content-Disposition": "inline"})


@router.get("/channels/{key:path}")
def channel_page(request: Request, key: str, ident: Ident) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        info = q.channel(cur, key)
    if info is None:
        raise HTTPException(404, f"no channel {key!r} in this workspace")
    return render(
        request,
        "channel.html",
        ident,
        ch=info,
        cases=[c for c in case_ops.list_cases(app.state) if c.is_open],
    )


@router.get("/entities/{value:path}")
def entity_page(request: Request, value: str, ident: Ident) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        info = q.entity(cur, value)
    if info is None:
        raise HTTPException(404, f"{value!r} was not extracted from any message")
    return render(
        request,
        "entity.html",
        ident,
        ent=info,
        cases=[c for c in case_ops.list_cases(app.state) if c.is_open],
    )


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


@router.get("/network")
def network_page(
    request: Request,
    ident: Ident,
    seed: Annotated[list[str] | None, Query(max_length=50)] = None,
    case: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
) -> Response:
    app = web(request)
    seeds = list(seed or [])
    if case is not None:
        seeds += case_seeds(app, case)
    if not seeds:
        raise HTTPException(422, "give a seed node (?seed=channel:…) or a case (?case=ID)")
    with app.index.cursor() as cur:
        elements = graph.network(cur, seeds, hops=hops)
    return render(request, "network.html", ident, graph=elements, hops=hops, case=case)


@router.get("/prices")
def prices_page(
    request: Request,
    ident: Ident,
    product: Annotated[str | None, Query(max_length=100)] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    period: Annotated[str, Query(pattern="^(week|month)$")] = "month",
    when: Annotated[date | None, Query(alias="date")] = None,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        data = market.prices(cur, product or None, place or None, period)
        compare = market.before_after(cur, when, days, place or None) if when else None
    return render(
        request,
        "prices.html",
        ident,
        data=data,
        product=product or "",
        place=place or "",
        when=when,
        days=days,
        compare=compare,
    )


__all__ = ["case_seeds", "router"]
