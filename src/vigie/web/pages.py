"""Login, dashboard, review queue and search pages (login session; writes need the analyst
role and the CSRF token)."""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from vigie.act import cases as case_ops
from vigie.act.review import decide, reviewed_keys
from vigie.model import LABELS
from vigie.store import state as st
from vigie.web import queries as q
from vigie.web import search as search_mod
from vigie.web.accounts import authenticate, create_session, end_session
from vigie.web.app import Web, web
from vigie.web.pagekit import (
    Ident,
    Writer,
    client_address,
    page_ident,
    render,
    safe_next,
)
from vigie.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Identity,
    check_csrf,
    new_login_csrf,
    require_role,
)

router = APIRouter(include_in_schema=False)


# --- login -----------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None, error: str | None = None) -> Response:
    token = new_login_csrf()
    response = render(
        request, "login.html", None, csrf_token=token, next=safe_next(next), error=error
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
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        raise HTTPException(403, "login form expired or forged; reload the login page")
    keys = app.limiter.keys(username, client_address(request))
    wait = app.limiter.retry_after(*keys)
    if wait:
        app.audit(username, "web.login_refused", client_address(request), reason="rate limited")
        raise HTTPException(
            429,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(app.state, username, password)
    if user is None:
        app.limiter.failed(*keys)
        app.audit(username, "web.login_failed", client_address(request))
        return login_form(request, next=next, error="Wrong user name or password.")
    app.limiter.succeeded(keys[0])
    token, _csrf = create_session(app.state, user)
    app.audit(user.name, "web.login", client_address(request))
    response = RedirectResponse(safe_next(next), status_code=303)
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
        cases=case_ops.open_case_choices(app.state),
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
) -> search_mod.SearchQuery:
    if label and label not in LABELS:
        raise HTTPException(422, f"label {label!r}: use one of {', '.join(LABELS)}")
    return search_mod.SearchQuery(
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


Search = Annotated[search_mod.SearchQuery, Depends(search_query)]


@router.get("/search")
def search(request: Request, ident: Ident, query: Search) -> Response:
    app = web(request)
    with app.index.cursor() as cur:
        result = search_mod.search(cur, query)
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(request, "search.html", ident, query=query, result=result, params=params)


def csv_stream(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(search_mod.CSV_COLUMNS)
    for n, row in enumerate(rows, 1):
        writer.writerow(["|".join(v) if isinstance(v, list) else v for v in row])
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_csv(app: Web, ident: Identity, query: search_mod.SearchQuery, params: dict) -> Response:
    require_role(ident, "analyst")
    app.audit(ident.user.name, "export.search_csv", "search", query=params)

    def rows() -> Iterator[str]:
        with app.index.cursor() as cur:
            yield from csv_stream(search_mod.search_rows(cur, query))

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vigie-search.csv"'},
    )


@router.get("/search.csv")
def search_csv(request: Request, ident: Ident, query: Search) -> Response:
    return export_csv(web(request), ident, query, dict(request.query_params))


__all__ = ["Search", "csv_stream", "export_csv", "router"]
