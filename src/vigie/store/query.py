"""Read-side queries over the lake, shared by the CLI and (later) the web app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from vigie.errors import QueryError

MESSAGE_COLUMNS = (
    "msg_key",
    "platform",
    "channel_id",
    "channel_name",
    "message_id",
    "date",
    "sender",
    "kind",
    "text",
)


@dataclass
class MessageFilter:
    channel: str | None = None
    sender: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    grep: str | None = None
    platform: str | None = None
    limit: int | None = 100


def check_regex(pattern: str, name: str) -> None:
    """Raise QueryError naming the option ``name`` when ``pattern`` does not compile."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise QueryError(f"{name} {pattern!r} is not a valid regular expression: {exc}") from None


def message_rows(
    con: duckdb.DuckDBPyConnection, flt: MessageFilter
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Messages matching ``flt``, oldest first. ``channel`` matches id, key or name."""
    where: list[str] = []
    params: list[Any] = []
    if flt.channel:
        where.append("(channel_id = ? OR platform || ':' || channel_id = ? OR channel_name = ?)")
        params += [flt.channel] * 3
    if flt.sender:
        where.append("(sender = ? OR sender_id = ?)")
        params += [flt.sender] * 2
    if flt.platform:
        where.append("platform = ?")
        params.append(flt.platform)
    if flt.since:
        where.append("date >= ?")
        params.append(flt.since)
    if flt.until:
        where.append("date < ?")
        params.append(flt.until)
    if flt.grep:
        check_regex(flt.grep, "--grep")
        where.append("regexp_matches(text, ?)")
        params.append(flt.grep)
    sql = f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY date, msg_key"
    if flt.limit is not None:
        sql += f" LIMIT {int(flt.limit)}"
    try:
        rows = con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None
    return list(MESSAGE_COLUMNS), rows


def stats(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts per platform and channel, date range, quarantined records, evidence files."""
    total, first, last = con.execute(
        "SELECT count(*), min(date), max(date) FROM messages"
    ).fetchone()  # type: ignore[misc]
    per_platform = con.execute(
        "SELECT platform, count(*) FROM messages GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    per_channel = con.execute(
        """SELECT m.platform, m.channel_id, any_value(coalesce(c.name, m.channel_name)),
                  count(*), min(m.date), max(m.date)
           FROM messages m LEFT JOIN channels c ON c.channel_key = m.platform || ':' || m.channel_id
           GROUP BY 1, 2 ORDER BY 4 DESC"""
    ).fetchall()
    quarantine = con.execute(
        "SELECT code, reason, count(*) FROM quarantine GROUP BY 1, 2 ORDER BY 3 DESC"
    ).fetchall()
    evidence = con.execute("SELECT count(*), coalesce(sum(size), 0) FROM evidence").fetchone()
    runs = con.execute("SELECT count(*) FROM ingest_runs").fetchone()
    return {
        "messages": total,
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "platforms": {p: n for p, n in per_platform},
        "channels": [
            {
                "platform": p,
                "channel_id": c,
                "name": name,
                "messages": n,
                "first_date": f.isoformat() if f else None,
                "last_date": lst.isoformat() if lst else None,
            }
            for p, c, name, n, f, lst in per_channel
        ],
        "quarantined": sum(n for _, _, n in quarantine),
        "quarantine_reasons": [{"code": c, "reason": r, "count": n} for c, r, n in quarantine],
        "evidence_files": evidence[0] if evidence else 0,
        "evidence_bytes": evidence[1] if evidence else 0,
        "ingest_runs": runs[0] if runs else 0,
    }
