"""HTML pages. Every route needs a login session; writes need the analyst role and CSRF token."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from vigie.act import cases as case_ops
from vigie.act.review import decide, message_decisions, reviewed_keys
from vigie.model import LABELS
from vigie.store import state as st
from vigie.web import queries as q
from vigie.web.accounts import authenticate, create_session, end_session
from vigie.web.app import Web, web
from vigie.web.media import media_file
from vigie.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Identity,
    LoginRequired,
    check_csrf,
    identify,
    new_login_csrf,
    require_role,
)

router = APIRouter(include_in_schema=False)
MEDIA_COOKIE = "vigie_media"


def page_ident(request: Request) -> Identity:
    ident = identify(request, web(request).state)
    if ident is None or ident.via != "session":
        raise LoginRequired
    return ident


async def writer_ident(request: Request) -> Identity:
    """A logged-in analyst (or admin) whose form or header carries the CSRF token."""
    ident = page_ident(request)
    require_role(ident, "analyst")
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, ident, token if isinstance(token, str) else None)
    return ident


Ident = Annotated[Identity, Depends(page_ident)]
Writer = Annotated[Identity, Depends(writer_ident)]


def render(request: Request, template: str, ident: Identity | None, **context: Any) -> Response:
    app: Web = web(request)
    return app.templates.TemplateResponse(
        request,
        template,
        {
            "ident": ident,
            "index": app.index,
            "media_mode": request.cookies.get(MEDIA_COOKIE, "blurred"),
            **context,
        },
    )


def _safe_next(target: str | None) -> str:
    """Only a local path: never redirect a login to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- login -----------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None, error: str | None = None) -> Response:
    token = new_login_csrf()
    response = render(
        request, "login.html", None, csrf_token=token, next=_safe_next(next), error=error
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=web(request).secure_cookies,
        max_age=3600,
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    app = web(request)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or cookie != csrf_token:
        raise HTTPException(403, "login form expired or forged; reload the login page")
    keys = app.limiter.keys(username, _client(request))
    wait = app.limiter.retry_after(*keys)
    if wait:
        app.audit(username, "web.login_refused", _client(request), reason="rate limited")
        raise HTTPException(
            429,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(app.state, username, password)
    if user is None:
        app.limiter.failed(*keys)
        app.audit(username, "web.login_failed", _client(request))
        return login_form(request, next=next, error="Wrong user name or password.")
    app.limiter.succeeded(keys[0])
    token, _csrf = create_session(app.state, user)
    app.audit(user.name, "web.login", _client(request))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=app.secure_cookies,
        max_age=12 * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    ident = page_ident(request)
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, ident, token if isinstance(token, str) else None)
    app = web(request)
    end_session(app.state, request.cookies.get(SESSION_COOKIE, ""))
    app.audit(ident.user.name, "web.logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- dashboard, review -----------------------------------------------------------------------


@router.get("/")
def dashboard(request: Request, ident: Ident) -> Response:
    app = web(request)
    app.index.refresh()
    with app.index.cursor() as cur:
        data = q.dashboard(cur)
    with app.state.read() as conn:
        alerts = [
            dict(row._mapping)
            for row in conn.execute(
                st.alerts.select().order_by(st.alerts.c.id.desc()).limit(10)
            ).all()
        ]
    return render(request, "dashboard.html", ident, data=data, alerts=alerts)


def _queue(app: Web, ident: Identity, label: str | None, limit: int = 11) -> dict[str, Any]:
    with app.index.cursor() as cur:
        return q.review_queue(cur, reviewed_keys(app.state, ident.user.name), limit, label)


@router.get("/review")
def review(request: Request, ident: Ident, label: str | None = None) -> Response:
    app = web(request)
    app.index.refresh()
    queue = _queue(app, ident, label or None)
    item = queue["items"][0] if queue["items"] else None
    if item is not None:
        with app.index.cursor() as cur:
            full = q.message(cur, item["msg_key"])
        item = full or item
        app.audit(ident.user.name, "message.view", item["msg_key"], page="review")
    template = "review_card.html" if request.headers.get("hx-request") else "review.html"
    return render(
        request,
        template,
        ident,
        item=item,
        upcoming=queue["items"][1:],
        reviewed=queue["reviewed"],
        label=label or "",
        cases=[c for c in case_ops.list_cases(app.state) if c.is_open],
    )


@router.post("/review/{msg_key:path}")
async def review_decide(request: Request, msg_key: str, ident: Writer) -> Response:
    app = web(request)
    form = await request.form()
    labels = [str(v) for v in form.getlist("label")]
    rejected = {str(v) for v in form.getlist("rejected")}
    action = str(form.get("action") or "confirm")
    if action not in ("confirm", "escalate", "skip", "reject_all"):
        raise HTTPException(422, f"action {action!r}: use confirm, escalate, skip or reject_all")
    if action == "reject_all":
        rejected = set(labels)
    confirmed = [] if action == "skip" else [lab for lab in labels if lab not in rejected]
    decide(
        app.ws,
        msg_key,
        ident.user.name,
        confirmed=confirmed,
        rejected=[] if action == "skip" else sorted(rejected),
        action=action if action in ("escalate", "skip") else None,
        state=app.state,
    )
    label = str(form.get("queue_label") or "")
    if request.headers.get("hx-request"):
        return review(request, ident, label or None)
    return RedirectResponse("/review" + (f"?label={label}" if label else ""), status_code=303)


# --- search ----------------------------------------------------------------------------------


def search_query(
    q_: Annotated[str | None, Query(alias="q", max_length=500)] = None,
    regex: bool = False,
    label: str | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    channel: Annotated[str | None, Query(max_length=500)] = None,
    platform: Annotated[str | None, Query(max_length=50)] = None,
    since: date | None = None,
    until: date | None = None,
    product: Annotated[str | None, Query(max_length=100)] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    entity: Annotated[str | None, Query(max_length=500)] = None,
    sort: Annotated[str, Query(pattern="^(date|risk)$")] = "date",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> q.SearchQuery:
    if label and label not in LABELS:
        raise HTTPException(422, f"label {label!r}: use one of {', '.join(LABELS)}")
    return q.SearchQuery(
        q=q_ or None,
        regex=regex,
        label=label or None,
        min_score=min_score,
        channel=channel or None,
        platform=platform or None,
        since=since,
        until=until,
        product=product or None,
        place=place or None,
        entity=entity or None,
        sort=sort,
        page=page,
        per_page=per_page,
    )


Search = Annotated[q.SearchQuery, Depends(search_query)]


@router.get("/search")
def search(request: Request, ident: Ident, query: Search) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        result = q.search(cur, query)
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(request, "search.html", ident, query=query, result=result, params=params)


def csv_stream(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(q.CSV_COLUMNS)
    for n, row in enumerate(rows, 1):
        writer.writerow(["|".join(v) if isinstance(v, list) else v for v in row])
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_csv(app: Web, ident: Identity, query: q.SearchQuery, params: dict) -> Response:
    require_role(ident, "analyst")
    app.audit(ident.user.name, "export.search_csv", "search", query=params)

    def rows() -> Iterator[str]:
        with app.index.cursor() as cur:
            yield from csv_stream(q.search_rows(cur, query))

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vigie-search.csv"'},
    )


@router.get("/search.csv")
def search_csv(request: Request, ident: Ident, query: Search) -> Response:
    return export_csv(web(request), ident, query, dict(request.query_params))


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
    case: int | None = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
) -> Response:
    app = web(request)
    seeds = list(seed or [])
    if case is not None:
        seeds += case_seeds(app, case)
    if not seeds:
        raise HTTPException(422, "give a seed node (?seed=channel:…) or a case (?case=ID)")
    with app.index.cursor() as cur:
        graph = q.network(cur, seeds, hops=hops)
    return render(request, "network.html", ident, graph=graph, hops=hops, case=case)


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
        data = q.prices(cur, product or None, place or None, period)
        compare = q.before_after(cur, when, days, place or None) if when else None
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


# --- cases -----------------------------------------------------------------------------------


@router.get("/cases")
def cases_page(request: Request, ident: Ident) -> Response:
    return render(request, "cases.html", ident, cases=case_ops.list_cases(web(request).state))


@router.post("/cases")
async def create_case(request: Request, ident: Writer) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    description = str(form.get("description") or "").strip() or None
    if not name or len(name) > 200:
        raise HTTPException(422, "a case needs a name of 1 to 200 characters")
    case = case_ops.create_case(web(request).ws, name, description, actor=ident.user.name)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: int, ident: Ident) -> Response:
    app = web(request)
    case = case_ops.get_case(app.state, case_id)
    return render(request, "case.html", ident, case=case, notes=case_ops.notes(app.state, case.id))


@router.post("/cases/{case_id}/items")
async def case_add(request: Request, case_id: int, ident: Writer) -> Response:
    form = await request.form()
    ref = str(form.get("ref") or "").strip()
    kind = str(form.get("kind") or "") or None
    note = str(form.get("note") or "").strip() or None
    if not ref:
        raise HTTPException(422, "nothing to add: give a message key, channel or entity")
    case_ops.add_to_case(web(request).ws, case_id, ref, kind, note, actor=ident.user.name)
    back = _safe_next(str(form.get("back") or f"/cases/{case_id}"))
    if request.headers.get("hx-request"):
        return Response(f"Added to case {case_id}.", media_type="text/plain")
    return RedirectResponse(back, status_code=303)


@router.post("/cases/{case_id}/notes")
async def case_note(request: Request, case_id: int, ident: Writer) -> Response:
    form = await request.form()
    case_ops.add_note(web(request).ws, case_id, str(form.get("text") or ""), ident.user.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
async def case_status(request: Request, case_id: int, ident: Writer) -> Response:
    form = await request.form()
    case_ops.set_status(
        web(request).ws, case_id, str(form.get("status") or ""), actor=ident.user.name
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# --- settings --------------------------------------------------------------------------------


@router.get("/settings")
def settings_page(request: Request, ident: Ident) -> Response:
    return render(request, "settings.html", ident)


@router.post("/settings")
async def settings_save(request: Request) -> Response:
    ident = page_ident(request)
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, ident, token if isinstance(token, str) else None)
    mode = str(form.get("media") or "blurred")
    if mode not in ("blurred", "hidden"):
        raise HTTPException(422, "media: use blurred or hidden")
    response = RedirectResponse("/settings", status_code=303)
    response.set_cookie(MEDIA_COOKIE, mode, httponly=True, samesite="strict", max_age=365 * 86400)
    return response


__all__ = ["router"]
