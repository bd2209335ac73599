"""Cases: named groups of messages, channels and entities that an investigation holds.

A case item is a message (``msg_key``), a channel (``platform:channel_id``) or an entity (its
canonical value: ``+33639981234``, ``telegram:@menu13``, a wallet …). The messages a case
*holds* are its messages, every message of its channels and every message in which one of its
entities was extracted (or, before analysis, appears literally): retention never deletes them,
and erasure keeps the evidence files of open cases. Every change is written to the audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import phonenumbers
import pyarrow as pa
from sqlalchemy import Connection, delete, func, select, update

from vigie.store.audit import current_actor, record
from vigie.store.state import State, StateError, case_items, case_notes, cases, open_state
from vigie.store.workspace import Workspace

KINDS: tuple[str, ...] = ("message", "channel", "entity")


class CaseNotFound(StateError):
    """No case with that id or name."""


@dataclass(frozen=True)
class CaseItem:
    kind: str
    ref: str
    note: str | None
    added_at: str
    added_by: str


@dataclass(frozen=True)
class Case:
    id: int
    name: str
    description: str | None
    status: str
    created_at: str
    created_by: str
    closed_at: str | None
    items: tuple[CaseItem, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def refs(self, kind: str) -> list[str]:
        return [item.ref for item in self.items if item.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "items"}
        counts = {kind: len(self.refs(kind)) for kind in KINDS}
        return {**data, "items": counts}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- entity values -------------------------------------------------------------------------


def entity_forms(value: str, region: str = "FR") -> list[str]:
    """Lower-cased forms an entity value may take: as typed, and E.164 when it is a phone."""
    forms = [value.strip().lower()]
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 6 and not any(ch.isalpha() for ch in value):
        try:
            number = phonenumbers.parse(value, region if len(region) == 2 else "FR")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            forms.append(e164.lower())
    return list(dict.fromkeys(forms))


ENTITY_MATCH_SQL = (
    "(lower({col}) = {form} OR ends_with(lower({col}), ':' || {form}) "
    "OR ends_with(lower({col}), ':@' || ltrim({form}, '@')))"
)


def entity_condition(col: str, form_col: str) -> str:
    """SQL: ``col`` (a canonical entity value) is the entity ``form_col`` (lower-cased)."""
    return ENTITY_MATCH_SQL.format(col=col, form=form_col)


# --- reading -------------------------------------------------------------------------------


def _case_from_row(conn: Connection, row: Any) -> Case:
    items = conn.execute(
        select(case_items).where(case_items.c.case_id == row.id).order_by(case_items.c.id)
    ).all()
    return Case(
        row.id,
        row.name,
        row.description,
        row.status,
        row.created_at,
        row.created_by,
        row.closed_at,
        tuple(CaseItem(i.kind, i.ref, i.note, i.added_at, i.added_by) for i in items),
    )


def get_case(state: State, ref: str | int) -> Case:
    """A case by id or name."""
    with state.read() as conn:
        query = select(cases)
        if isinstance(ref, int) or str(ref).isdigit():
            query = query.where(cases.c.id == int(ref))
        else:
            query = query.where(cases.c.name == str(ref))
        row = conn.execute(query).first()
        if row is None:
            raise CaseNotFound(f"no case {ref!r}; `vigie case list` shows the cases")
        return _case_from_row(conn, row)


def list_cases(state: State) -> list[Case]:
    with state.read() as conn:
        rows = conn.execute(select(cases).order_by(cases.c.id)).all()
        return [_case_from_row(conn, row) for row in rows]


def open_case_choices(state: State) -> list[dict[str, Any]]:
    """Id and name of every open case (for pick lists; no items loaded)."""
    with state.read() as conn:
        rows = conn.execute(
            select(cases.c.id, cases.c.name).where(cases.c.status == "open").order_by(cases.c.id)
        ).all()
    return [{"id": row.id, "name": row.name} for row in rows]


def resolve_ref(
    con: duckdb.DuckDBPyConnection, ref: str, kind: str | None = None
) -> tuple[str, str]:
    """``(kind, canonical ref)`` of a message key, channel (key, id or name) or entity value."""
    if kind not in (None, *KINDS):
        raise StateError(f"--kind {kind!r}: choose one of {', '.join(KINDS)}")
    found = con.execute("SELECT 1 FROM messages WHERE msg_key = ? LIMIT 1", [ref]).fetchone()
    if kind in (None, "message") and found:
        return "message", ref
    if kind in (None, "channel"):
        row = con.execute(
            """SELECT platform || ':' || channel_id FROM messages
               WHERE platform || ':' || channel_id = ? OR channel_id = ? OR channel_name = ?
               UNION SELECT channel_key FROM channels
               WHERE channel_key = ? OR channel_id = ? OR name = ? LIMIT 1""",
            [ref] * 6,
        ).fetchone()
        if row:
            return "channel", str(row[0])
    if kind in (None, "entity"):
        for form in entity_forms(ref):
            row = con.execute(
                f"SELECT value FROM entities WHERE {entity_condition('value', '?')} LIMIT 1",
                [form, form, form],
            ).fetchone()
            if row:
                return "entity", str(row[0])
    if kind == "entity":  # not extracted (yet): kept as typed, matched literally in texts
        return "entity", ref.strip()
    if kind == "message":
        raise StateError(f"{ref!r} is not a message key in this workspace (platform:channel:id)")
    raise StateError(
        f"{ref!r} is not a message key, channel or extracted entity in this workspace; "
        "check with `vigie messages`, or pass --kind entity to add it as typed"
    )


def create_held_messages(con: duckdb.DuckDBPyConnection, held: list[Case], table: str) -> int:
    """Temp table ``table(msg_key)`` of every message the cases ``held`` hold; returns its size."""
    refs = {kind: sorted({r for case in held for r in case.refs(kind)}) for kind in KINDS}
    forms = sorted({f for ref in refs["entity"] for f in entity_forms(ref)})
    for kind, values in (*refs.items(), ("form", forms)):
        con.register(f"_held_{kind}", pa.table({"ref": pa.array(values, pa.string())}))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT msg_key FROM messages WHERE msg_key IN (SELECT ref FROM _held_message)
        UNION SELECT msg_key FROM messages
              WHERE platform || ':' || channel_id IN (SELECT ref FROM _held_channel)
        UNION SELECT e.msg_key FROM entities e JOIN _held_form f
              ON {entity_condition("e.value", "f.ref")}
        UNION SELECT m.msg_key FROM messages m JOIN _held_form f
              ON length(f.ref) >= 4 AND contains(lower(m.text), f.ref)"""
    )
    count = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count[0]) if count else 0


# --- writing -------------------------------------------------------------------------------


def create_case(
    ws: Workspace, name: str, description: str | None = None, actor: str | None = None
) -> Case:
    actor = actor or current_actor()
    name = name.strip()
    if not name:
        raise StateError("a case needs a name")
    state = open_state(ws.root)
    with state.write() as conn:
        if conn.execute(select(cases.c.id).where(cases.c.name == name)).first():
            raise StateError(f"a case named {name!r} exists; choose another name")
        case_id = conn.execute(
            cases.insert().values(
                name=name,
                description=description,
                status="open",
                created_at=_now(),
                created_by=actor,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    record(ws, "case.create", str(case_id), {"name": name}, actor=actor, state=state)
    return get_case(state, case_id)


def add_to_case(
    ws: Workspace,
    case_ref: str | int,
    ref: str,
    kind: str | None = None,
    note: str | None = None,
    actor: str | None = None,
) -> CaseItem:
    """Add a message, channel or entity (kind guessed unless given); adding twice is a no-op."""
    actor = actor or current_actor()
    state = open_state(ws.root)
    case = get_case(state, case_ref)
    with ws.lake.connect(memory_limit="512MB") as con:
        kind, canonical = resolve_ref(con, ref, kind)
    with state.write() as conn:
        exists = conn.execute(
            select(func.count())
            .select_from(case_items)
            .where(
                (case_items.c.case_id == case.id)
                & (case_items.c.kind == kind)
                & (case_items.c.ref == canonical)
            )
        ).scalar()
        item = CaseItem(kind, canonical, note, _now(), actor)
        if not exists:
            conn.execute(case_items.insert().values(case_id=case.id, **vars(item)))
    if not exists:
        record(
            ws, "case.add", str(case.id), {"kind": kind, "ref": canonical}, actor=actor, state=state
        )
    return item


def remove_from_case(ws: Workspace, case_ref: str | int, ref: str, actor: str | None = None) -> int:
    state = open_state(ws.root)
    case = get_case(state, case_ref)
    with state.write() as conn:
        removed = conn.execute(
            delete(case_items).where((case_items.c.case_id == case.id) & (case_items.c.ref == ref))
        ).rowcount
    if removed:
        record(ws, "case.remove", str(case.id), {"ref": ref}, actor=actor, state=state)
    return int(removed)


def set_status(ws: Workspace, case_ref: str | int, status: str, actor: str | None = None) -> Case:
    """Close (``closed``) or reopen (``open``) a case."""
    if status not in ("open", "closed"):
        raise StateError(f"status {status!r}: use open or closed")
    state = open_state(ws.root)
    case = get_case(state, case_ref)
    with state.write() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.id == case.id)
            .values(status=status, closed_at=_now() if status == "closed" else None)
        )
    action = f"case.{'close' if status == 'closed' else 'reopen'}"
    record(ws, action, str(case.id), actor=actor, state=state)
    return get_case(state, case.id)


def add_note(ws: Workspace, case_ref: str | int, text: str, actor: str | None = None) -> None:
    """Append a note to a case (notes are never edited; the audit log keeps their hash)."""
    text = text.strip()
    if not text:
        raise StateError("a note needs some text")
    actor = actor or current_actor()
    state = open_state(ws.root)
    case = get_case(state, case_ref)
    with state.write() as conn:
        conn.execute(
            case_notes.insert().values(case_id=case.id, text=text, at=_now(), author=actor)
        )
    digest = hashlib.sha256(text.encode()).hexdigest()
    record(ws, "case.note", str(case.id), {"sha256": digest}, actor=actor, state=state)


def notes(state: State, case_id: int) -> list[dict[str, Any]]:
    with state.read() as conn:
        rows = conn.execute(
            select(case_notes.c.text, case_notes.c.at, case_notes.c.author)
            .where(case_notes.c.case_id == case_id)
            .order_by(case_notes.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


__all__ = [
    "KINDS",
    "Case",
    "CaseItem",
    "CaseNotFound",
    "add_note",
    "add_to_case",
    "create_case",
    "create_held_messages",
    "entity_condition",
    "entity_forms",
    "get_case",
    "list_cases",
    "notes",
    "open_case_choices",
    "remove_from_case",
    "resolve_ref",
    "set_status",
]
