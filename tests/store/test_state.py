"""Workflow state: Alembic-managed schema in SQLite (WAL), opened by URL."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from vigie.store.state import (
    HEAD_REVISION,
    MIGRATIONS,
    State,
    StateError,
    cases,
    metadata,
    open_state,
    state_url,
)
from vigie.store.workspace import Workspace


def test_head_revision_is_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_migrations_build_exactly_the_declared_schema(tmp_path: Path) -> None:
    state = State(f"sqlite:///{tmp_path / 'vigie.db'}")
    with state.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert state.revision() == HEAD_REVISION


def test_sqlite_state_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    State(f"sqlite:///{tmp_path / 'vigie.db'}")
    with sqlite3.connect(tmp_path / "vigie.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    state = State(f"sqlite:///{tmp_path / 'vigie.db'}")
    with state.read() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vigie.db"
    State(f"sqlite:///{path}")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StateError, match="newer than this Vigie"):
        State(f"sqlite:///{path}")


def test_url_comes_from_environment_then_settings_then_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.init(tmp_path / "ws")
    monkeypatch.delenv("VIGIE_STATE_URL", raising=False)
    assert state_url(ws.root) == f"sqlite:///{ws.root / 'vigie.db'}"
    other = tmp_path / "team.db"
    (ws.root / "vigie.toml").write_text(f'[state]\nurl = "sqlite:///{other}"\n')
    assert state_url(ws.root) == f"sqlite:///{other}"
    monkeypatch.setenv("VIGIE_STATE_URL", "sqlite:///elsewhere.db")
    assert state_url(ws.root) == "sqlite:///elsewhere.db"


def test_bad_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="E160"):
        State("nosuchdialect://x")


def test_concurrent_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: two writers read-then-insert without a lost update or a lock error."""
    path = tmp_path / "vigie.db"
    states = [State(f"sqlite:///{path}") for _ in range(2)]
    errors: list[BaseException] = []

    def write(state: State, prefix: str) -> None:
        try:
            for i in range(25):
                with state.write() as conn:
                    n = conn.execute(select(func.count()).select_from(cases)).scalar()
                    conn.execute(
                        cases.insert().values(
                            name=f"{prefix}{i}-{n}", created_at="now", created_by="t"
                        )
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, f"w{k}-")) for k, s in enumerate(states)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with states[0].read() as conn:
        names = [r[0] for r in conn.execute(select(cases.c.name))]
    counts = sorted(int(n.rsplit("-", 1)[1]) for n in names)
    assert counts == list(range(50))  # every writer saw every earlier commit


def test_open_state_reuses_engines(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    assert open_state(ws.root) is open_state(ws.root)
    assert (ws.root / "vigie.db").exists()
