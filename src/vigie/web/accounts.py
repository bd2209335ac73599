"""Users, roles, login sessions and API tokens, in the workspace's state database.

Passwords are hashed with Argon2id (argon2-cffi's defaults). Session cookies and API tokens are
random 256-bit values; only their SHA-256 is stored, so a copy of ``vigie.db`` lets nobody log in.

Roles: ``viewer`` reads; ``analyst`` also decides, exports and edits cases; ``admin`` also
manages users.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from vigie.store.state import State, StateError, api_tokens, users, web_sessions

ROLES: tuple[str, ...] = ("viewer", "analyst", "admin")
MIN_PASSWORD = 10
SESSION_HOURS = 12
NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

_hasher = PasswordHasher()
# verified against when the user does not exist, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user's role is ``role`` or above (viewer < analyst < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StateError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(state: State, name: str, role: str, password: str) -> User:
    """Create a user; raises StateError if the name is taken, invalid, or the password short."""
    if not NAME_RE.match(name):
        raise StateError(f"user name {name!r}: use 1-64 letters, digits or _ . @ - (no spaces)")
    if role not in ROLES:
        raise StateError(f"role {role!r}: use one of {', '.join(ROLES)}")
    check_password(password)
    with state.write() as conn:
        if conn.execute(select(users.c.name).where(users.c.name == name)).first():
            raise StateError(f"a user named {name!r} exists; use `vigie user passwd` to reset")
        conn.execute(
            users.insert().values(
                name=name,
                role=role,
                password_hash=_hasher.hash(password),
                created_at=_now().isoformat(),
                disabled=False,
            )
        )
    return User(name, role)


def set_password(state: State, name: str, password: str) -> None:
    check_password(password)
    with state.write() as conn:
        done = conn.execute(
            update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password))
        ).rowcount
        if not done:
            raise StateError(f"no user named {name!r}")
        conn.execute(web_sessions.delete().where(web_sessions.c.user == name))


def set_disabled(state: State, name: str, disabled: bool) -> None:
    with state.write() as conn:
        done = conn.execute(
            update(users).where(users.c.name == name).values(disabled=disabled)
        ).rowcount
        if not done:
            raise StateError(f"no user named {name!r}")
        if disabled:
            conn.execute(web_sessions.delete().where(web_sessions.c.user == name))


def list_users(state: State) -> list[dict[str, object]]:
    with state.read() as conn:
        rows = conn.execute(
            select(users.c.name, users.c.role, users.c.created_at, users.c.disabled).order_by(
                users.c.name
            )
        ).all()
    return [dict(row._mapping) for row in rows]


def authenticate(state: State, name: str, password: str) -> User | None:
    """The user if the password is right and the account enabled, else None (constant work)."""
    with state.read() as conn:
        row = conn.execute(
            select(users.c.role, users.c.password_hash, users.c.disabled).where(
                users.c.name == name
            )
        ).first()
    stored = row.password_hash if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if _hasher.check_needs_rehash(stored):
        with state.write() as conn:
            conn.execute(
                update(users)
                .where(users.c.name == name)
                .values(password_hash=_hasher.hash(password))
            )
    return User(name, row.role)


# --- sessions ---------------------------------------------------------------------------------


def create_session(state: State, user: User) -> tuple[str, str]:
    """A new login session: (cookie value, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with state.write() as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now.isoformat()))
        conn.execute(
            web_sessions.insert().values(
                token_hash=_digest(token),
                user=user.name,
                csrf=csrf,
                created_at=now.isoformat(),
                expires_at=(now + timedelta(hours=SESSION_HOURS)).isoformat(),
            )
        )
    return token, csrf


def session_user(state: State, token: str) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session cookie, else None."""
    with state.read() as conn:
        row = conn.execute(
            select(users.c.name, users.c.role, web_sessions.c.csrf)
            .join(users, users.c.name == web_sessions.c.user)
            .where(
                (web_sessions.c.token_hash == _digest(token))
                & (web_sessions.c.expires_at > _now().isoformat())
                & (users.c.disabled.is_(False))
            )
        ).first()
    return (User(row.name, row.role), row.csrf) if row else None


def end_session(state: State, token: str) -> None:
    with state.write() as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.token_hash == _digest(token)))


# --- API tokens -------------------------------------------------------------------------------


def create_token(state: State, user: str, name: str = "api") -> str:
    """A new API token for ``user`` (shown once; only its hash is stored)."""
    token = "vg_" + secrets.token_urlsafe(32)
    with state.write() as conn:
        if not conn.execute(select(users.c.name).where(users.c.name == user)).first():
            raise StateError(f"no user named {user!r}; create it with `vigie user add`")
        conn.execute(
            api_tokens.insert().values(
                token_hash=_digest(token), user=user, name=name, created_at=_now().isoformat()
            )
        )
    return token


def revoke_tokens(state: State, user: str) -> int:
    with state.write() as conn:
        return int(
            conn.execute(
                update(api_tokens)
                .where((api_tokens.c.user == user) & api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=_now().isoformat())
            ).rowcount
        )


def token_user(state: State, token: str) -> User | None:
    with state.read() as conn:
        row = conn.execute(
            select(users.c.name, users.c.role)
            .join(users, users.c.name == api_tokens.c.user)
            .where(
                (api_tokens.c.token_hash == _digest(token))
                & api_tokens.c.revoked_at.is_(None)
                & (users.c.disabled.is_(False))
            )
        ).first()
    return User(row.name, row.role) if row else None


__all__ = [
    "ROLES",
    "User",
    "add_user",
    "authenticate",
    "create_session",
    "create_token",
    "end_session",
    "list_users",
    "revoke_tokens",
    "session_user",
    "set_disabled",
    "set_password",
    "token_user",
]
