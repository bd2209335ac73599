"""Watchlists: terms, regular expressions, entities and channels that raise alerts.

Every ingest run checks its new messages, and every analysis run the entities it extracted
(:func:`on_commit`, called by ``vigie.store.hooks``); ``vigie watch check --all`` checks the
whole lake, e.g. after adding items. Matching runs in DuckDB over the lake:

- ``term``: case- and accent-insensitive substring of the text;
- ``regex``: RE2 syntax (DuckDB), validated when added; add ``(?i)`` for case-insensitive;
- ``entity``: an extracted entity with that canonical value (``+33…``, ``telegram:@name``,
  ``@name``, a wallet), or before analysis the value written in the text (phones also in
  national notation with separators);
- ``channel``: channel key (``telegram:123``), id or name.

An alert is stored once per (watchlist, item, message); it outlives the item that raised it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vigie.act.cases import entity_condition, entity_forms
from vigie.config import load_settings
from vigie.store.audit import current_actor, record
from vigie.store.hooks import Commit
from vigie.store.state import State, StateError, alerts, open_state, watch_items, watchlists
from vigie.store.workspace import Workspace

KINDS: tuple[str, ...] = ("term", "regex", "entity", "channel")
ALERT_COLUMNS = ("watchlist", "kind", "value", "msg_key", "channel_key", "matched", "message_date")


@dataclass(frozen=True)
class WatchItem:
    id: int
    watchlist: str
    kind: str
    value: str
    note: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _watchlist_id(conn: Connection, name: str) -> int:
    row = conn.execute(select(watchlists.c.id).where(watchlists.c.name == name)).first()
    if row is None:
        raise StateError(f"no watchlist {name!r}; create it with `vigie watch create {name}`")
    return int(row[0])


def create_watchlist(ws: Workspace, name: str, description: str | None = None) -> int:
    state = open_state(ws.root)
    with state.write() as conn:
        if conn.execute(select(watchlists.c.id).where(watchlists.c.name == name)).first():
            raise StateError(f"a watchlist named {name!r} exists")
        new_id = conn.execute(
            watchlists.insert().values(
                name=name, description=description, created_at=_now(), created_by=current_actor()
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    record(ws, "watch.create", name, state=state)
    return int(new_id)


def validate_item(kind: str, value: str) -> str:
    """The value to store, or a StateError saying what is wrong with it."""
    value = value.strip()
    if kind not in KINDS:
        raise StateError(f"watch item kind {kind!r}: choose one of {', '.join(KINDS)}")
    if not value or len(value) > 500:
        raise StateError(f"a {kind} must have 1 to 500 characters")
    if kind == "regex":
        try:
            re.compile(value)
            with duckdb.connect(":memory:") as con:
                con.execute("SELECT regexp_matches('', ?)", [value])
        except (re.error, duckdb.Error) as exc:
            message = str(exc).splitlines()[0]
            raise StateError(f"regex {value!r} is not valid: {message}") from None
    if kind == "term" and len(value) < 2:
        raise StateError("a term needs 2 characters or more")
    return value


def add_item(ws: Workspace, watchlist: str, kind: str, value: str, note: str | None = None) -> int:
    value = validate_item(kind, value)
    state = open_state(ws.root)
    with state.write() as conn:
        list_id = _watchlist_id(conn, watchlist)
        existing = conn.execute(
            select(watch_items.c.id).where(
                (watch_items.c.watchlist_id == list_id)
                & (watch_items.c.kind == kind)
                & (watch_items.c.value == value)
            )
        ).first()
        if existing:
            return int(existing[0])
        item_id = conn.execute(
            watch_items.insert().values(
                watchlist_id=list_id, kind=kind, value=value, note=note, created_at=_now()
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    record(ws, "watch.add", watchlist, {"kind": kind, "value": value}, state=state)
    return int(item_id)


def remove_item(ws: Workspace, watchlist: str, item_id: int) -> bool:
    state = open_state(ws.root)
    with state.write() as conn:
        list_id = _watchlist_id(conn, watchlist)
        removed = conn.execute(
            delete(watch_items).where(
                (watch_items.c.id == item_id) & (watch_items.c.watchlist_id == list_id)
            )
        ).rowcount
    if removed:
        record(ws, "watch.remove", watchlist, {"item": item_id}, state=state)
    return bool(removed)


def items(state: State, watchlist: str | None = None) -> list[WatchItem]:
    query = (
        select(watch_items, watchlists.c.name)
        .join(watchlists, watchlists.c.id == watch_items.c.watchlist_id)
        .where(watchlists.c.active.is_(True))
        .order_by(watchlists.c.name, watch_items.c.id)
    )
    if watchlist:
        query = query.where(watchlists.c.name == watchlist)
    with state.read() as conn:
        rows = conn.execute(query).all()
    return [WatchItem(r.id, r.name, r.kind, r.value, r.note) for r in rows]


# --- matching ------------------------------------------------------------------------------


def _phone_digits(forms: list[str]) -> list[str]:
    """National digits of a French-style E.164 form ("+33639…" -> "0639…") for text search."""
    return [f"0{f[3:]}" for f in forms if f.startswith("+33") and f[3:].isdigit()]


def _item_table(watch: list[WatchItem], region: str) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for item in watch:
        forms = [item.value.lower()]
        if item.kind == "entity":
            forms = entity_forms(item.value, region)
            forms += _phone_digits(forms)
            _, _, name = item.value.lower().rpartition(":")
            if name.startswith("@") and len(name) > 2:  # telegram:@menu13 is written @menu13
                forms.append(name)
        for form in forms:
            rows.append({"item": item.id, "kind": item.kind, "value": item.value, "form": form})
    fields: list[pa.Field[Any]] = [pa.field("item", pa.int64())]
    fields += [pa.field(name, pa.string()) for name in ("kind", "value", "form")]
    schema = pa.schema(fields)
    return pa.Table.from_pylist(rows, schema=schema)


def _match_sql(scope: str) -> str:
    """Matches of the items in ``_items`` against messages in ``scope`` (a SELECT of msg_key)."""
    msgs = f"(SELECT * FROM messages WHERE msg_key IN ({scope}))"
    entity = entity_condition("e.value", "i.form")
    return f"""
    SELECT i.item, m.msg_key, m.platform || ':' || m.channel_id AS channel_key,
           i.form AS matched, m.date, 1 AS rank FROM {msgs} m JOIN _items i
      ON i.kind = 'term' AND contains(strip_accents(lower(m.text)), strip_accents(i.form))
    UNION ALL
    SELECT i.item, m.msg_key, m.platform || ':' || m.channel_id, regexp_extract(m.text, i.value),
           m.date, 1 FROM {msgs} m JOIN _items i
      ON i.kind = 'regex' AND regexp_matches(m.text, i.value)
    UNION ALL
    SELECT i.item, m.msg_key, m.platform || ':' || m.channel_id,
           coalesce(m.channel_name, m.channel_id), m.date, 1 FROM {msgs} m JOIN _items i
      ON i.kind = 'channel' AND (m.platform || ':' || m.channel_id = i.value
         OR m.channel_id = i.value OR lower(m.channel_name) = i.form)
    UNION ALL
    SELECT i.item, m.msg_key, m.platform || ':' || m.channel_id, i.value, m.date, 1
      FROM {msgs} m JOIN _items i ON i.kind = 'entity' AND length(i.form) >= 4
      AND (contains(lower(m.text), i.form)
           OR contains(regexp_replace(m.text, '[\\s.\\-]', '', 'g'), i.form))
    UNION ALL
    SELECT i.item, m.msg_key, m.platform || ':' || m.channel_id, e.value, m.date, 0
      FROM {msgs} m JOIN entities e ON e.msg_key = m.msg_key
      JOIN _items i ON i.kind = 'entity' AND {entity}
    """


SCOPES = {
    "ingest": "SELECT msg_key FROM messages WHERE run_id = $run_id",
    "analyse": "SELECT msg_key FROM entities WHERE run_id = $run_id",
    "all": "SELECT msg_key FROM messages",
}


def check(ws: Workspace, scope: str = "all", run_id: str | None = None) -> int:
    """Match the active watch items against the messages of ``scope``; new alerts stored."""
    state = open_state(ws.root)
    watch = items(state)
    if not watch:
        return 0
    by_id = {item.id: item for item in watch}
    region = str(load_settings(ws.root)["jurisdiction.code"])
    with ws.lake.connect(memory_limit="1GB") as con:
        con.register("_items", _item_table(watch, region))
        params = {"run_id": run_id} if scope != "all" else {}
        rows = con.execute(
            "SELECT item, msg_key, any_value(channel_key), arg_min(matched, rank), any_value(date) "
            f"FROM ({_match_sql(SCOPES[scope])}) GROUP BY item, msg_key ORDER BY 5, 2",
            params,
        ).fetchall()
    now = _now()
    values = [
        {
            "watchlist": by_id[item].watchlist,
            "kind": by_id[item].kind,
            "value": by_id[item].value,
            "msg_key": key,
            "channel_key": channel,
            "matched": matched,
            "message_date": date.isoformat() if date else None,
            "source": {"all": "check"}.get(scope, scope),
            "run_id": run_id,
            "created_at": now,
        }
        for item, key, channel, matched, date in rows
    ]
    if not values:
        return 0
    insert = pg_insert if state.engine.dialect.name == "postgresql" else sqlite_insert
    with state.write() as conn:
        before = conn.execute(select(func.count()).select_from(alerts)).scalar() or 0
        for start in range(0, len(values), 1000):
            conn.execute(insert(alerts).on_conflict_do_nothing(), values[start : start + 1000])
        after = conn.execute(select(func.count()).select_from(alerts)).scalar() or 0
    return int(after - before)


def on_commit(ws: Workspace, event: Commit) -> None:
    """Hook listener: check what an ingest or analysis run committed; deliver new alerts."""
    if event.stage not in ("ingest", "analyse"):
        return
    state = open_state(ws.root)
    if not items(state):
        return
    raised = check(ws, event.stage, event.run_id)
    if not raised:
        return
    record(ws, "watch.check", event.run_id, {"stage": event.stage, "alerts": raised}, state=state)
    url = load_settings(ws.root)["alerts.webhook_url"]
    if url:
        from vigie.act.deliver import deliver_webhook

        deliver_webhook(ws, url)


__all__ = [
    "KINDS",
    "WatchItem",
    "add_item",
    "check",
    "create_watchlist",
    "items",
    "on_commit",
    "remove_item",
    "validate_item",
]
