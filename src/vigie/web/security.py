"""Who is asking, may they, and is the request theirs: login, roles, CSRF, rate limiting.

- Pages use a session cookie (``vigie_session``: HttpOnly, SameSite=Strict, Secure over HTTPS).
  Every state-changing request carries the session's CSRF token, in the ``csrf_token`` form
  field or the ``X-CSRF-Token`` header (htmx sends it from ``hx-headers``).
- The API also takes ``Authorization: Bearer <token>`` (``vigie token create``); a bearer
  request carries no cookie, so it needs no CSRF token.
- Failed logins are limited per client address and per user name (:class:`LoginLimiter`).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from fastapi import HTTPException, Request

from vigie.store.state import State
from vigie.web.accounts import User, session_user, token_user

SESSION_COOKIE = "vigie_session"
LOGIN_CSRF_COOKIE = "vigie_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is logged in (the app redirects to /login)."""


@dataclass(frozen=True)
class Identity:
    user: User
    csrf: str | None  # None for bearer-token requests
    via: str  # session or token


def identify(request: Request, state: State) -> Identity | None:
    """The identity of the request (session cookie or bearer token), cached on the request."""
    if hasattr(request.state, "identity"):
        return request.state.identity
    ident: Identity | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = token_user(state, auth[7:].strip())
        ident = Identity(user, None, "token") if user else None
    elif cookie := request.cookies.get(SESSION_COOKIE):
        found = session_user(state, cookie)
        ident = Identity(found[0], found[1], "session") if found else None
    request.state.identity = ident
    return ident


def check_csrf(request: Request, ident: Identity, form_token: str | None = None) -> None:
    """Refuse a state-changing session request without the session's CSRF token."""
    if request.method in SAFE_METHODS or ident.via == "token":
        return
    sent = form_token or request.headers.get(CSRF_HEADER) or ""
    if not ident.csrf or not hmac.compare_digest(sent, ident.csrf):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page and try again")


def require_role(ident: Identity, role: str) -> None:
    if not ident.user.can(role):
        raise HTTPException(
            403, f"this needs the {role} role; {ident.user.name} is {ident.user.role}"
        )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


class LoginLimiter:
    """Failed logins allowed per ``window`` seconds: ``per_user`` per user name, ``per_address``
    per client address (higher: an office behind one address has several analysts)."""

    def __init__(self, per_user: int = 5, per_address: int = 20, window: float = 300.0) -> None:
        self.limits = {"user": per_user, "ip": per_address}
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(user: str, address: str) -> tuple[str, str]:
        return (f"user:{user}", f"ip:{address}")

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another try (0 when allowed)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.limits[key.split(":", 1)[0]]:
                    wait = max(wait, times[0] + self.window - now)
        return int(wait) + 1 if wait else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, user_key: str) -> None:
        """A good password clears that user's failures (not the address's)."""
        with self._lock:
            self._failures.pop(user_key, None)


__all__ = [
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "Identity",
    "LoginLimiter",
    "LoginRequired",
    "check_csrf",
    "identify",
    "new_login_csrf",
    "require_role",
]
