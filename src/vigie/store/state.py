"""Workflow state: cases, watchlists, alerts and the audit log, in SQL (SQLAlchemy Core).

SQLite by default (``vigie.db`` in the workspace, WAL mode so the CLI and the web app can read
while one writes), PostgreSQL for a team server by URL (``state.url`` in ``vigie.toml`` or
``$VIGIE_STATE_URL``). The schema is managed by Alembic migrations shipped in
``vigie/store/migrations``; opening the state upgrades an older database and refuses a newer one.

Write with ``state.write()`` (SQLite: ``BEGIN IMMEDIATE``, so two writers queue instead of
failing half-way) and read with ``state.read()``.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from vigie.config import load_settings
from vigie.errors import VigieError

STATE_FILE = "vigie.db"
HEAD_REVISION = "0002"  # the newest migration in migrations/versions (a test keeps them equal)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StateError(VigieError):
    """The state database cannot be opened, is newer than this Vigie, or a record is missing."""

    code = "E160"


metadata = MetaData()

# Timestamps are ISO-8601 UTC strings: identical on SQLite and PostgreSQL, and hashable as is.
cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("closed_at", String(40), nullable=True),
)

case_items = Table(
    "case_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # message, channel, entity
    Column("ref", String(500), nullable=False),  # msg_key, channel key, entity value
    Column("note", Text, nullable=True),
    Column("added_at", String(40), nullable=False),
    Column("added_by", String(200), nullable=False),
    UniqueConstraint("case_id", "kind", "ref", name="uq_case_items"),
)

watchlists = Table(
    "watchlists",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=True),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(200), nullable=False),
)

watch_items = Table(
    "watch_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "watchlist_id", Integer, ForeignKey("watchlists.id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(16), nullable=False),  # term, regex, entity, channel
    Column("value", String(500), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("watchlist_id", "kind", "value", name="uq_watch_items"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("watchlist", String(200), nullable=False),  # copied: an alert outlives its item
    Column("kind", String(16), nullable=False),
    Column("value", String(500), nullable=False),
    Column("msg_key", String(500), nullable=False),
    Column("channel_key", String(500), nullable=True),
    Column("matched", Text, nullable=True),  # what matched (term, entity value, channel)
    Column("message_date", String(40), nullable=True),
    Column("source", String(16), nullable=False),  # ingest, analyse, check
    Column("run_id", String(100), nullable=True),
    Column("risk", Float, nullable=True),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("watchlist", "kind", "value", "msg_key", name="uq_alerts"),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("sink", String(200), primary_key=True),  # "stdout" or the webhook URL
    Column("delivered_at", String(40), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("error", Text, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON, hashed as stored
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)


# --- web app (migration 0002) --------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(16), nullable=False),  # admin, analyst, viewer
    Column("password_hash", String(200), nullable=False),  # Argon2id
    Column("created_at", String(40), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default="0"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column("user", String(200), ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the token
    Column("user", String(200), ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msg_key", String(500), nullable=False, index=True),
    Column("label", String(32), nullable=True),  # None: a decision on the whole message
    Column("decision", String(16), nullable=False),  # confirm, reject, escalate, skip
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=True),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Column("author", String(200), nullable=False),
)


def state_url(root: Path) -> str:
    """``$VIGIE_STATE_URL``, else ``state.url`` from ``vigie.toml``, else ``root/vigie.db``."""
    url = os.environ.get("VIGIE_STATE_URL") or load_settings(root)["state.url"]
    return str(url) if url else f"sqlite:///{root / STATE_FILE}"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("vigie_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class State:
    """An engine over the state database, migrated to :data:`HEAD_REVISION`."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StateError(f"cannot use state URL {url!r}: {exc}") from None
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self.migrate()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that holds the write lock until it commits."""
        with self.engine.connect() as conn:
            conn.execution_options(vigie_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def revision(self) -> str | None:
        with self.read() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Bring the schema to the head revision with Alembic (only when it is behind)."""
        try:
            current = self.revision()
        except SQLAlchemyError as exc:
            raise StateError(f"cannot open the state database {self.url}: {exc}") from None
        if current == HEAD_REVISION:
            return
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise StateError(
                f"the state database is at revision {current}, newer than this Vigie "
                "knows; upgrade Vigie"
            )
        with self.engine.connect() as conn:
            conn.execution_options(vigie_write=True)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()

    def close(self) -> None:
        self.engine.dispose()


_OPEN: OrderedDict[str, State] = OrderedDict()
_LOCK = threading.Lock()
_KEEP = 8  # engines kept open per process (a test run opens hundreds of workspaces)


def open_state(root: Path) -> State:
    """The state of the workspace at ``root`` (one engine per URL, the last few kept open)."""
    url = state_url(root)
    with _LOCK:
        state = _OPEN.get(url)
        if state is None:
            state = _OPEN[url] = State(url)
            while len(_OPEN) > _KEEP:
                _OPEN.popitem(last=False)[1].close()
        _OPEN.move_to_end(url)
        return state


def close_all() -> None:
    """Dispose every engine opened by :func:`open_state` (tests, forks)."""
    with _LOCK:
        for state in _OPEN.values():
            state.close()
        _OPEN.clear()


__all__ = [
    "HEAD_REVISION",
    "State",
    "StateError",
    "alert_deliveries",
    "alerts",
    "api_tokens",
    "audit_log",
    "case_items",
    "case_notes",
    "cases",
    "close_all",
    "decisions",
    "metadata",
    "open_state",
    "state_url",
    "users",
    "watch_items",
    "watchlists",
    "web_sessions",
]
