"""Case pages (create, add items, notes, close) and the user's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from vigie.act import cases as case_ops
from vigie.web.app import web
from vigie.web.pagekit import (
    MEDIA_COOKIE,
    Ident,
    Writer,
    page_ident,
    render,
    safe_next,
)
from vigie.web.security import (
    check_csrf,
)

router = APIRouter(include_in_schema=False)
CaseId = Annotated[int, Path(ge=1, le=2**62)]  # beyond SQLite's integers: 422, not 500


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
def case_page(request: Request, case_id: CaseId, ident: Ident) -> Response:
    app = web(request)
    case = case_ops.get_case(app.state, case_id)
    return render(request, "case.html", ident, case=case, notes=case_ops.notes(app.state, case.id))


@router.post("/cases/{case_id}/items")
async def case_add(request: Request, case_id: CaseId, ident: Writer) -> Response:
    form = await request.form()
    ref = str(form.get("ref") or "").strip()
    kind = str(form.get("kind") or "") or None
    note = str(form.get("note") or "").strip() or None
    if not ref:
        raise HTTPException(422, "nothing to add: give a message key, channel or entity")
    case_ops.add_to_case(web(request).ws, case_id, ref, kind, note, actor=ident.user.name)
    back = safe_next(str(form.get("back") or f"/cases/{case_id}"))
    if request.headers.get("hx-request"):
        return Response(f"Added to case {case_id}.", media_type="text/plain")
    return RedirectResponse(back, status_code=303)


@router.post("/cases/{case_id}/notes")
async def case_note(request: Request, case_id: CaseId, ident: Writer) -> Response:
    form = await request.form()
    case_ops.add_note(web(request).ws, case_id, str(form.get("text") or ""), ident.user.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
async def case_status(request: Request, case_id: CaseId, ident: Writer) -> Response:
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
