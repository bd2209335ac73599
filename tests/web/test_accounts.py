"""Accounts, sessions, tokens and the login limiter, on a real SQLite state database."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.store.state import State, StateError, users
from vigie.web.accounts import (
    add_user,
    authenticate,
    create_session,
    create_token,
    end_session,
    list_users,
    revoke_tokens,
    session_user,
    set_disabled,
    set_password,
    token_user,
)
from vigie.web.security import LoginLimiter

PASSWORD = "a long enough password"


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State(f"sqlite:///{tmp_path / 'vigie.db'}")


def test_passwords_are_argon2_hashed_and_checked(state: State) -> None:
    add_user(state, "alice", "analyst", PASSWORD)
    with state.read() as conn:
        stored = conn.execute(users.select()).first()
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    user = authenticate(state, "alice", PASSWORD)
    assert user is not None and user.role == "analyst"
    assert authenticate(state, "alice", PASSWORD + "!") is None
    assert authenticate(state, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("bob", "analyst", "short", "at least 10"),
        ("bob smith", "analyst", PASSWORD, "user name"),
        ("bob", "god", PASSWORD, "role"),
    ],
)
def test_bad_accounts_are_refused(
    state: State, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(StateError, match=message):
        add_user(state, name, role, password)


def test_duplicate_names_are_refused(state: State) -> None:
    add_user(state, "alice", "viewer", PASSWORD)
    with pytest.raises(StateError, match="exists"):
        add_user(state, "alice", "admin", PASSWORD)


def test_roles_are_ordered(state: State) -> None:
    viewer = add_user(state, "v", "viewer", PASSWORD)
    admin = add_user(state, "a", "admin", PASSWORD)
    assert not viewer.can("analyst") and viewer.can("viewer")
    assert admin.can("analyst") and admin.can("admin")


def test_sessions_end_on_logout_password_change_and_disable(state: State) -> None:
    user = add_user(state, "alice", "analyst", PASSWORD)
    token, csrf = create_session(state, user)
    found = session_user(state, token)
    assert found is not None and found[0] == user and found[1] == csrf
    assert session_user(state, token + "x") is None
    end_session(state, token)
    assert session_user(state, token) is None
    token, _ = create_session(state, user)
    set_password(state, "alice", "another long password")
    assert session_user(state, token) is None
    assert authenticate(state, "alice", PASSWORD) is None
    token, _ = create_session(state, user)
    set_disabled(state, "alice", True)
    assert session_user(state, token) is None
    assert authenticate(state, "alice", "another long password") is None
    assert list_users(state)[0]["disabled"] is True


def test_tokens_are_stored_hashed_and_revocable(state: State) -> None:
    add_user(state, "alice", "analyst", PASSWORD)
    token = create_token(state, "alice", "script")
    assert token.startswith("vg_")
    db = Path(state.url.removeprefix("sqlite:///")).read_bytes()
    assert token.encode() not in db
    assert token_user(state, token) is not None
    assert revoke_tokens(state, "alice") == 1
    assert token_user(state, token) is None
    with pytest.raises(StateError, match="no user"):
        create_token(state, "nobody")


def test_limiter_blocks_a_user_after_five_failures_then_forgets() -> None:
    limiter = LoginLimiter(per_user=5, per_address=20, window=300)
    keys = limiter.keys("alice", "10.0.0.1")
    for _ in range(5):
        assert limiter.retry_after(*keys) == 0
        limiter.failed(*keys)
    wait = limiter.retry_after(*keys)
    assert 0 < wait <= 301
    # another user from the same address is still allowed (address limit is 20)
    assert limiter.retry_after(*limiter.keys("bob", "10.0.0.1")) == 0
    short = LoginLimiter(per_user=1, per_address=20, window=0.01)
    short.failed(*keys)
    import time

    time.sleep(0.02)
    assert short.retry_after(*keys) == 0


def test_limiter_blocks_an_address_spraying_users() -> None:
    limiter = LoginLimiter(per_user=5, per_address=3, window=300)
    for name in ("a", "b", "c"):
        limiter.failed(*limiter.keys(name, "10.0.0.9"))
    assert limiter.retry_after(*limiter.keys("d", "10.0.0.9")) > 0
    assert limiter.retry_after(*limiter.keys("d", "10.0.0.8")) == 0
