"""Read queries over the web index, shared by the HTML pages and the REST API.

Search is in :mod:`vigie.web.search`, the network in :mod:`vigie.web.graph`, prices in
:mod:`vigie.web.market`.

Every function takes a DuckDB cursor on the index (see :mod:`vigie.web.index`) and returns
plain JSON-able data; the pages render it with templates, the API returns it as is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from vigie.errors import QueryError
from vigie.model import LABELS

ITEM_COLUMNS = (
    "msg_key, platform, channel_key, channel_name, message_id, date, sender, text, labels, risk, "
    "risk_reasons, products, places, len(media) AS media"
)
HIGH_RISK = 0.7


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def fetch_dicts(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    try:
        result = cur.execute(sql, list(params))
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None
    names = [d[0] for d in result.description]
    return [{k: _iso(v) for k, v in zip(names, row, strict=True)} for row in result.fetchall()]


def one(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dict | None:
    rows = fetch_dicts(cur, sql, params)
    return rows[0] if rows else None


# --- dashboard -------------------------------------------------------------------------------


def dashboard(cur: duckdb.DuckDBPyConnection, weeks: int = 26) -> dict[str, Any]:
    """Totals, messages per label per week (last ``weeks`` weeks of data), newest high-risk
    items, most recently active channels."""
    totals = one(
        cur,
        "SELECT (SELECT messages FROM meta) AS messages, "
        "(SELECT sum(n) FROM label_days) AS label_hits, (SELECT count(*) FROM chans) AS channels, "
        "(SELECT built_at FROM meta) AS index_built_at, "
        "(SELECT analysis_version FROM meta) AS analysis_version",
    )
    series_rows = fetch_dicts(
        cur,
        """WITH last AS (SELECT max(day) AS d FROM label_days)
        SELECT CAST(date_trunc('week', day) AS DATE) AS week, label, sum(n)::BIGINT AS n
        FROM label_days, last WHERE day > last.d - INTERVAL (? * 7) DAY
        GROUP BY 1, 2 ORDER BY 1""",
        [weeks],
    )
    weeks_seen = sorted({row["week"] for row in series_rows})
    series: dict[str, list[int]] = {}
    for row in series_rows:
        counts = series.setdefault(row["label"], [0] * len(weeks_seen))
        counts[weeks_seen.index(row["week"])] = int(row["n"])
    per_label = {label: sum(counts) for label, counts in series.items()}
    high_risk = fetch_dicts(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE risk >= ? ORDER BY date DESC LIMIT 10",
        [HIGH_RISK],
    )
    channels = fetch_dicts(
        cur,
        "SELECT node_id, platform, channel_id, name, messages, selling, seller, first_seen, "
        "last_seen FROM chans ORDER BY last_seen DESC LIMIT 10",
    )
    return {
        "totals": totals or {},
        "weeks": weeks_seen,
        "series": {label: series[label] for label in LABELS if label in series},
        "per_label": per_label,
        "high_risk": high_risk,
        "channels": channels,
    }


# --- review queue ----------------------------------------------------------------------------


def review_queue(
    cur: duckdb.DuckDBPyConnection,
    reviewed: Sequence[str],
    limit: int = 10,
    label: str | None = None,
) -> dict[str, Any]:
    """Unreviewed labelled messages by descending risk (then newest first)."""
    where = ["len(labels) > 0"]
    params: list[Any] = []
    if label:
        check_label(label)
        where.append("list_contains(labels, ?)")
        params.append(label)
    if reviewed:
        cur.register("_reviewed", pa.table({"msg_key": pa.array(list(reviewed), pa.string())}))
        where.append("msg_key NOT IN (SELECT msg_key FROM _reviewed)")
    sql = (
        f"SELECT {ITEM_COLUMNS}, cues FROM items WHERE {' AND '.join(where)} "
        f"ORDER BY risk DESC, date DESC LIMIT {int(limit)}"
    )
    items = [item_dict(row) for row in fetch_dicts(cur, sql, params)]
    return {"items": items, "reviewed": len(reviewed)}


def check_label(label: str) -> None:
    if label not in LABELS:
        raise QueryError(f"unknown label {label!r}; labels are: {', '.join(LABELS)}")


def item_dict(row: dict[str, Any]) -> dict[str, Any]:
    cues = row.pop("cues", None)
    if cues is not None:
        row["cues"] = json.loads(cues) if cues else {}
    return row


# --- message, channel, entity ------------------------------------------------------------------


def message(cur: duckdb.DuckDBPyConnection, msg_key: str) -> dict[str, Any] | None:
    row = one(
        cur,
        f"SELECT {ITEM_COLUMNS}, sender_id, kind, reply_to, forwarded_from, source_location, "
        "evidence_sha256, media AS media_list, cues, "
        + ", ".join(f"score_{label}" for label in LABELS)
        + " FROM items WHERE msg_key = ?",
        [msg_key],
    )
    if row is None:
        return None
    item = item_dict(row)
    item["scores"] = {label: round(float(item.pop(f"score_{label}") or 0.0), 3) for label in LABELS}
    item["entities"] = fetch_dicts(
        cur,
        'SELECT type, value, text, start, "end", attrs FROM ents WHERE msg_key = ? '
        "ORDER BY start, type",
        [msg_key],
    )
    for ent in item["entities"]:
        ent["attrs"] = json.loads(ent["attrs"]) if ent["attrs"] else {}
    item["neighbours"] = fetch_dicts(
        cur,
        f"""(SELECT {ITEM_COLUMNS} FROM items
              WHERE channel_key = ? AND date < CAST(? AS TIMESTAMPTZ) ORDER BY date DESC LIMIT 3)
            UNION ALL
            (SELECT {ITEM_COLUMNS} FROM items
              WHERE channel_key = ? AND date > CAST(? AS TIMESTAMPTZ) ORDER BY date LIMIT 3)
            ORDER BY date""",
        [item["channel_key"], item["date"]] * 2,
    )
    return item


def channel(cur: duckdb.DuckDBPyConnection, channel_key: str, limit: int = 50) -> dict | None:
    """A channel: counts, daily timeline, hour-of-day profile, offers, successors, siblings."""
    key = channel_key.removeprefix("channel:")
    node = f"channel:{key}"
    info = one(cur, "SELECT * FROM chans WHERE node_id = ?", [node])
    if info is None:
        return None
    info["timeline"] = fetch_dicts(
        cur,
        "SELECT CAST(date AS DATE) AS day, count(*) AS n, count(*) FILTER (WHERE len(labels) > 0)"
        " AS labelled FROM items WHERE channel_key = ? GROUP BY 1 ORDER BY 1",
        [key],
    )
    hours = dict(
        cur.execute(
            "SELECT hour(date), count(*) FROM items WHERE channel_key = ? GROUP BY 1", [key]
        ).fetchall()
    )
    info["hours"] = [int(hours.get(h, 0)) for h in range(24)]
    info["labels"] = fetch_dicts(
        cur,
        "SELECT label, count(*) AS n FROM (SELECT unnest(labels) AS label FROM items "
        "WHERE channel_key = ?) GROUP BY 1 ORDER BY 2 DESC",
        [key],
    )
    info["prices"] = fetch_dicts(
        cur,
        "SELECT product, unit, currency, count(*) AS n, "
        "round(median(price_per_unit), 2) AS median, round(min(price_per_unit), 2) AS min, "
        "round(max(price_per_unit), 2) AS max, max(date) AS last_seen "
        "FROM points WHERE channel = ? GROUP BY ALL ORDER BY n DESC",
        [key],
    )
    info["offers"] = fetch_dicts(
        cur,
        "SELECT p.msg_key, p.date, p.product, p.amount, p.unit, p.price, p.currency, "
        "round(p.price_per_unit, 2) AS price_per_unit FROM points p WHERE channel = ? "
        "ORDER BY date DESC LIMIT 20",
        [key],
    )
    info["successors"] = fetch_dicts(
        cur,
        "SELECT s.channel AS node_id, coalesce(n.label, s.channel) AS name, s.confidence, s.rules "
        "FROM succ s LEFT JOIN nodes n ON n.node_id = s.channel WHERE s.successor_of = ? "
        "ORDER BY s.confidence DESC",
        [node],
    )
    info["predecessors"] = fetch_dicts(
        cur,
        "SELECT s.successor_of AS node_id, coalesce(n.label, s.successor_of) AS name, "
        "s.confidence, s.rules FROM succ s LEFT JOIN nodes n ON n.node_id = s.successor_of "
        "WHERE s.channel = ? ORDER BY s.confidence DESC",
        [node],
    )
    info["siblings"] = fetch_dicts(
        cur,
        """SELECT c2.channel_key, any_value(ch.name) AS name, count(DISTINCT c2.cluster_id) AS shared
        FROM clusters c1 JOIN clusters c2 USING (cluster_id)
        LEFT JOIN chans ch ON ch.node_id = 'channel:' || c2.channel_key
        WHERE c1.channel_key = ? AND c2.channel_key <> ? GROUP BY 1 ORDER BY 3 DESC LIMIT 20""",
        [key, key],
    )
    info["latest"] = fetch_dicts(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE channel_key = ? ORDER BY date DESC LIMIT ?",
        [key, limit],
    )
    info["channel_key"] = key
    return info


def entity(cur: duckdb.DuckDBPyConnection, value: str, limit: int = 200) -> dict | None:
    """A phone, handle, wallet, URL …: every message and channel it appears in."""
    kinds = fetch_dicts(
        cur,
        "SELECT type, count(*) AS n FROM ents WHERE value = ? GROUP BY 1 ORDER BY 2 DESC",
        [value],
    )
    if not kinds:
        return None
    channels = fetch_dicts(
        cur,
        """SELECT i.channel_key, any_value(i.channel_name) AS name, count(*) AS n,
                  min(i.date) AS first_seen, max(i.date) AS last_seen
           FROM items i WHERE i.msg_key IN (SELECT msg_key FROM ents WHERE value = ?)
           GROUP BY 1 ORDER BY 3 DESC""",
        [value],
    )
    messages = fetch_dicts(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE msg_key IN "
        "(SELECT msg_key FROM ents WHERE value = ?) ORDER BY date DESC LIMIT ?",
        [value, limit],
    )
    nodes = fetch_dicts(
        cur,
        "SELECT node_id, kind FROM nodes WHERE label = ? OR node_id LIKE ?",
        [value, f"%:{value}"],
    )
    return {
        "value": value,
        "types": kinds,
        "channels": channels,
        "messages": messages,
        "nodes": [n["node_id"] for n in nodes],
    }


__all__ = [
    "HIGH_RISK",
    "ITEM_COLUMNS",
    "channel",
    "check_label",
    "dashboard",
    "entity",
    "fetch_dicts",
    "message",
    "review_queue",
]
