"""Pages to browse the intelligence: message, media, channel, entity, network, prices."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from vigie.act import cases as case_ops
from vigie.act.review import message_decisions
from vigie.web import market
from vigie.web.app import web
from vigie.web.lookups import channel_or_404, entity_or_404, message_or_404, network_of
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
    item = message_or_404(app, msg_key)
    app.audit(ident.user.name, "message.view", msg_key, page="message")
    return render(
        request,
        "message.html",
        ident,
        item=item,
        decisions=message_decisions(app.state, msg_key),
        cases=case_ops.open_case_choices(app.state),
    )


@router.get("/media/{index}/{msg_key:path}")
def media(request: Request, index: int, msg_key: str, ident: Ident) -> Response:
    app = web(request)
    path = media_file(app.index, msg_key, index)
    if path is None:
        raise HTTPException(404, "this media file is not available (not in the export folder)")
    app.audit(ident.user.name, "media.view", msg_key, index=index)
    return FileResponse(path, headers={"Content-Disposition": "inline"})


@router.get("/channels/{key:path}")
def channel_page(request: Request, key: str, ident: Ident) -> Response:
    app = web(request)
    info = channel_or_404(app, key)
    return render(
        request,
        "channel.html",
        ident,
        ch=info,
        cases=case_ops.open_case_choices(app.state),
    )


@router.get("/entities/{value:path}")
def entity_page(request: Request, value: str, ident: Ident) -> Response:
    app = web(request)
    info = entity_or_404(app, value)
    return render(
        request,
        "entity.html",
        ident,
        ent=info,
        cases=case_ops.open_case_choices(app.state),
    )


@router.get("/network")
def network_page(
    request: Request,
    ident: Ident,
    seed: Annotated[list[str] | None, Query(max_length=50)] = None,
    case: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
) -> Response:
    elements = network_of(web(request), seed, case, hops)
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


__all__ = ["router"]
