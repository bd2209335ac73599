"""What every HTML page needs: who is logged in, the analyst-writer check, rendering."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response

from vigie.web.app import Web, web
from vigie.web.security import (
    Identity,
    LoginRequired,
    check_csrf,
    identify,
    require_role,
)

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


def safe_next(target: str | None) -> str:
    """Only a local path: never redirect a login to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


__all__ = [
    "MEDIA_COOKIE",
    "Ident",
    "Writer",
    "client_address",
    "page_ident",
    "render",
    "safe_next",
    "writer_ident",
]
