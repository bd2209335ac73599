"""REST API under ``/api/``: the pages' data as JSON, for scripts and other tools.

Authenticate with ``Authorization: Bearer <token>`` (``vigie token create``) or a login session
(then state-changing requests need the ``X-CSRF-Token`` header). Errors: 401 without valid
credentials, 403 when the role does not allow the action, 404 for unknown ids, 422 for invalid
input, each with a one-line ``detail``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from vigie.act import cases as case_ops
from vigie.act.review import decide, message_decisions, reviewed_keys
from vigie.model import LABELS
from vigie.store import state as st
from vigie.web import market
from vigie.web import queries as q
from vigie.web import search as search_mod
from vigie.web.app import web
from vigie.web.lookups import channel_or_404, entity_or_404, message_or_404, network_of
from vigie.web.pages import Search, export_csv
from vigie.web.security import Identity, check_csrf, identify, require_role

UNAUTHORIZED = {"description": "No valid session or bearer token"}
FORBIDDEN = {"description": "The user's role does not allow this"}
NOT_FOUND = {"description": "No such item"}
RESPONSES: dict[int | str, dict[str, Any]] = {401: UNAUTHORIZED, 403: FORBIDDEN}


def api_ident(request: Request) -> Identity:
    ident = identify(request, web(request).state)
    if ident is None:
        raise HTTPException(
            401,
            "authentication required: send Authorization: Bearer <token> (vigie token create)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return ident


def api_writer(request: Request, ident: Annotated[Identity, Depends(api_ident)]) -> Identity:
    require_role(ident, "analyst")
    check_csrf(request, ident)
    return ident


Reader = Annotated[Identity, Depends(api_ident)]
Writer = Annotated[Identity, Depends(api_writer)]
router = APIRouter(prefix="/api", tags=["api"], responses=RESPONSES)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _ident: Reader) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/me", summary="The authenticated user and role")
def me(ident: Reader) -> dict[str, Any]:
    return {"name": ident.user.name, "role": ident.user.role, "via": ident.via}


@router.get("/dashboard", summary="Totals, labels per week, high-risk items, active channels")
def dashboard(request: Request, _ident: Reader) -> dict[str, Any]:
    app = web(request)
    app.index.refresh()
    with app.index.cursor() as cur:
        return q.dashboard(cur)


@router.get("/review", summary="The caller's review queue: unreviewed messages by risk")
def review(
    request: Request,
    ident: Reader,
    label: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    if label and label not in LABELS:
        raise HTTPException(422, f"label {label!r}: use one of {', '.join(LABELS)}")
    app = web(request)
    with app.index.cursor() as cur:
        return q.review_queue(cur, reviewed_keys(app.state, ident.user.name), limit, label)


class DecisionIn(BaseModel):
    confirmed: list[str] = Field(default_factory=list, max_length=len(LABELS))
    rejected: list[str] = Field(default_factory=list, max_length=len(LABELS))
    action: str | None = Field(default=None, pattern="^(escalate|skip)$")
    note: str | None = Field(default=None, max_length=2000)


@router.post(
    "/messages/{msg_key:path}/decisions",
    summary="Confirm or reject labels of a message, escalate or skip it",
    responses={404: NOT_FOUND},
)
def post_decision(
    request: Request,
    msg_key: Annotated[str, Path(max_length=500)],
    body: DecisionIn,
    ident: Writer,
) -> dict[str, Any]:
    app = web(request)
    with app.index.cursor() as cur:
        if cur.execute("SELECT 1 FROM items WHERE msg_key = ?", [msg_key]).fetchone() is None:
            raise HTTPException(404, f"no message {msg_key!r} in this workspace")
    rows = decide(
        app.ws,
        msg_key,
        ident.user.name,
        body.confirmed,
        body.rejected,
        body.action,
        body.note,
        state=app.state,
    )
    return {"recorded": [vars(r) for r in rows]}


@router.get("/search", summary="Search messages: text or regex, filters, facets, pages")
def search(request: Request, _ident: Reader, query: Search) -> dict[str, Any]:
    with web(request).index.cursor() as cur:
        return search_mod.search(cur, query)


@router.get(
    "/search.csv",
    summary="Every match of a search as CSV (analyst role)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def search_csv(request: Request, ident: Reader, query: Search) -> Response:
    return export_csv(web(request), ident, query, dict(request.query_params))


@router.get(
    "/messages/{msg_key:path}",
    summary="A message: analysis, cues, entities, neighbours, decisions",
    responses={404: NOT_FOUND},
)
def message(
    request: Request, msg_key: Annotated[str, Path(max_length=500)], ident: Reader
) -> dict[str, Any]:
    app = web(request)
    item = message_or_404(app, msg_key)
    app.audit(ident.user.name, "message.view", msg_key, page="api")
    item["decisions"] = [vars(d) for d in message_decisions(app.state, msg_key)]
    return item


@router.get(
    "/channels/{key:path}",
    summary="A channel: timeline, hours, prices, successors, siblings, latest messages",
    responses={404: NOT_FOUND},
)
def channel(
    request: Request, key: Annotated[str, Path(max_length=500)], _ident: Reader
) -> dict[str, Any]:
    return channel_or_404(web(request), key)


@router.get(
    "/entities/{value:path}",
    summary="A phone, handle, wallet …: its messages and channels",
    responses={404: NOT_FOUND},
)
def entity(
    request: Request, value: Annotated[str, Path(max_length=500)], _ident: Reader
) -> dict[str, Any]:
    return entity_or_404(web(request), value)


@router.get("/network", summary="Neighbourhood of nodes or of a case, as Cytoscape elements")
def network(
    request: Request,
    _ident: Reader,
    seed: Annotated[list[str] | None, Query(max_length=50)] = None,
    case: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
) -> dict[str, Any]:
    return network_of(web(request), seed, case, hops)


@router.get("/prices", summary="Median price per unit by product and period")
def prices(
    request: Request,
    _ident: Reader,
    product: Annotated[str | None, Query(max_length=100)] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    period: Annotated[str, Query(pattern="^(week|month)$")] = "month",
) -> dict[str, Any]:
    with web(request).index.cursor() as cur:
        return market.prices(cur, product, place, period)


@router.get("/prices/before-after", summary="Median prices before and after a date")
def before_after(
    request: Request,
    _ident: Reader,
    when: Annotated[date, Query(alias="date")],
    days: Annotated[int, Query(ge=1, le=365)] = 30,
    place: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    with web(request).index.cursor() as cur:
        return market.before_after(cur, when, days, place)


@router.get("/alerts", summary="Latest watchlist alerts")
def alerts(
    request: Request, _ident: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> list[dict[str, Any]]:
    with web(request).state.read() as conn:
        rows = conn.execute(st.alerts.select().order_by(st.alerts.c.id.desc()).limit(limit))
        return [dict(row._mapping) for row in rows]


# --- cases -----------------------------------------------------------------------------------


class CaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class CaseItemIn(BaseModel):
    ref: str = Field(min_length=1, max_length=500)
    kind: str | None = Field(default=None, pattern="^(message|channel|entity)$")
    note: str | None = Field(default=None, max_length=2000)


class StatusIn(BaseModel):
    status: str = Field(pattern="^(open|closed)$")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10000)


def _case(case: case_ops.Case, notes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data = case.to_dict()
    data["items"] = [vars(item) for item in case.items]
    if notes is not None:
        data["notes"] = notes
    return data


@router.get("/cases", summary="All cases")
def list_cases(request: Request, _ident: Reader) -> list[dict[str, Any]]:
    return [c.to_dict() for c in case_ops.list_cases(web(request).state)]


@router.post("/cases", status_code=201, summary="Create a case")
def create_case(request: Request, body: CaseIn, ident: Writer) -> dict[str, Any]:
    case = case_ops.create_case(web(request).ws, body.name, body.description, ident.user.name)
    return _case(case)


@router.get(
    "/cases/{case_id}", summary="A case with its items and notes", responses={404: NOT_FOUND}
)
def get_case(
    request: Request, case_id: Annotated[int, Path(ge=1, le=2**62)], _ident: Reader
) -> dict[str, Any]:
    app = web(request)
    case = case_ops.get_case(app.state, case_id)
    return _case(case, case_ops.notes(app.state, case.id))


@router.post(
    "/cases/{case_id}/items", summary="Add a message, channel or entity", responses={404: NOT_FOUND}
)
def add_item(
    request: Request,
    case_id: Annotated[int, Path(ge=1, le=2**62)],
    body: CaseItemIn,
    ident: Writer,
) -> dict[str, Any]:
    item = case_ops.add_to_case(
        web(request).ws, case_id, body.ref, body.kind, body.note, actor=ident.user.name
    )
    return vars(item)


@router.post("/cases/{case_id}/notes", summary="Add a note", responses={404: NOT_FOUND})
def add_note(
    request: Request,
    case_id: Annotated[int, Path(ge=1, le=2**62)],
    body: NoteIn,
    ident: Writer,
) -> dict[str, Any]:
    case_ops.add_note(web(request).ws, case_id, body.text, ident.user.name)
    return {"ok": True}


@router.post("/cases/{case_id}/status", summary="Close or reopen", responses={404: NOT_FOUND})
def set_status(
    request: Request,
    case_id: Annotated[int, Path(ge=1, le=2**62)],
    body: StatusIn,
    ident: Writer,
) -> dict[str, Any]:
    return _case(case_ops.set_status(web(request).ws, case_id, body.status, ident.user.name))


__all__ = ["router"]
