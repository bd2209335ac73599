"""The analyst web app: ``create_app(workspace)`` returns a FastAPI application.

Pages (:mod:`vigie.web.pages`) are server-rendered Jinja2 templates with htmx for the review
queue; the REST API (:mod:`vigie.web.api`) under ``/api/`` returns the same data as JSON. Both
read through :mod:`vigie.web.queries` over the read index (:mod:`vigie.web.index`) and write
through the ``act`` stage (decisions, cases), which audits every change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

import vigie
from vigie.errors import QueryError, VigieError
from vigie.store.audit import record
from vigie.store.state import State, StateError, open_state
from vigie.store.workspace import Workspace
from vigie.web.index import Index
from vigie.web.security import LoginLimiter, LoginRequired

HERE = Path(__file__).resolve().parent
log = logging.getLogger("vigie.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


@dataclass
class Web:
    """What every request needs: the workspace, its state database, the read index."""

    ws: Workspace
    state: State
    index: Index
    templates: Jinja2Templates
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    secure_cookies: bool = False

    def audit(self, actor: str, action: str, target: str = "", **details: Any) -> None:
        record(self.ws, action, target, details or None, actor=actor, state=self.state)


def web(request: Request) -> Web:
    return request.app.state.web


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if (
            request.method in ("POST", "PUT", "PATCH")
            and _is_api(request)
            and int(request.headers.get("content-length") or 0) > 0
            and request.headers.get("content-type", "").split(";")[0].strip() != "application/json"
        ):
            return JSONResponse(
                {"detail": "send the request body as JSON (Content-Type: application/json)"},
                status_code=415,
            )
        response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cache-Control", "no-store")
        if request.url.path.startswith("/static/"):
            headers["Cache-Control"] = "public, max-age=3600"
        return response


class DropEmptyQueryFields:
    """A browser submits every field of a GET form, empty ones too (``min_score=&until=``):
    on pages, an empty field means "no filter", so it is dropped before validation."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/api/"):
            from urllib.parse import parse_qsl, urlencode

            query = scope.get("query_string", b"").decode("utf-8", "replace")
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(v == "" for _, v in pairs):
                kept = [(k, v) for k, v in pairs if v != ""]
                scope = dict(scope, query_string=urlencode(kept).encode("ascii"))
        await self.app(scope, receive, send)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    templates: Jinja2Templates = web(request).templates
    ident = getattr(request.state, "identity", None)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "ident": ident},
        status_code=status,
    )


def _bytes_text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid input: " + "; ".join(parts)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        message = _validation_message(exc)
        if _is_api(request):
            errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: _bytes_text})
            return JSONResponse({"detail": message, "errors": errors}, status_code=422)
        return _error_page(request, 422, message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if _is_api(request) or (exc.status_code in (401, 405) and not request.cookies):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(VigieError)
    async def _vigie(request: Request, exc: VigieError) -> Response:
        from vigie.act.cases import CaseNotFound

        status = 404 if isinstance(exc, CaseNotFound) else 422
        if not isinstance(exc, QueryError | StateError):
            log.error("request failed: %s", exc)
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return _error_page(request, status, str(exc))


def create_app(root: Path, secure_cookies: bool = False, build_index: bool = True) -> FastAPI:
    """The web app on the workspace at ``root`` (builds the read index first when stale)."""
    ws = Workspace.open(root)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    from vigie.web import render

    render.install(templates)
    index = Index(ws)
    if build_index:
        index.ensure()
    app = FastAPI(
        title="Vigie",
        version=vigie.__version__,
        description=(
            "Triage of messaging-app content around drug trafficking. Every route needs a "
            "login session or an API token (`vigie token create`): send "
            "`Authorization: Bearer <token>`."
        ),
        docs_url=None,  # Swagger UI loads from a CDN; the spec itself is /api/openapi.json
        redoc_url=None,
        openapi_url=None,  # served by vigie.web.api behind authentication
    )
    app.state.web = Web(ws, open_state(ws.root), index, templates, secure_cookies=secure_cookies)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(DropEmptyQueryFields)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    install_handlers(app)
    from vigie.web import api, browse, casework, pages

    app.include_router(api.router)
    for module in (pages, browse, casework):
        app.include_router(module.router)

    @app.on_event("shutdown")
    def _close() -> None:
        index.close()

    return app


__all__ = ["Web", "create_app", "web"]
