"""Read queries over the web index, shared by the HTML pages and the REST API.

Every function takes a DuckDB cursor on the index (see :mod:`vigie.web.index`) and returns
plain JSON-able data; the pages render it with templates, the API returns it as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from vigie.errors import QueryError
from vigie.model import LABELS
from vigie.web.index import fold

ITEM_COLUMNS = (
    "msg_key, platform, channel_key, channel_name, message_id, date, sender, text, labels, risk, "
    "risk_reasons, products, places, len(media) AS media"
)
HIGH_RISK = 0.7


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rows(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    try:
        result = cur.execute(sql, list(params))
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {str(exc).splitlines()[0]}") from None
    names = [d[0] for d in result.description]
    return [{k: _iso(v) for k, v in zip(names, row, strict=True)} for row in result.fetchall()]


def _one(cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> dict | None:
    rows = _rows(cur, sql, params)
    return rows[0] if rows else None


# --- dashboard -------------------------------------------------------------------------------


def dashboard(cur: duckdb.DuckDBPyConnection, weeks: int = 26) -> dict[str, Any]:
    """Totals, messages per label per week (last ``weeks`` weeks of data), newest high-risk
    items, most recently active channels."""
    totals = _one(
        cur,
        "SELECT (SELECT messages FROM meta) AS messages, "
        "(SELECT sum(n) FROM label_days) AS label_hits, (SELECT count(*) FROM chans) AS channels, "
        "(SELECT built_at FROM meta) AS index_built_at, "
        "(SELECT analysis_version FROM meta) AS analysis_version",
    )
    series_rows = _rows(
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
    high_risk = _rows(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE risk >= ? ORDER BY date DESC LIMIT 10",
        [HIGH_RISK],
    )
    channels = _rows(
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
        _check_label(label)
        where.append("list_contains(labels, ?)")
        params.append(label)
    if reviewed:
        cur.register("_reviewed", pa.table({"msg_key": pa.array(list(reviewed), pa.string())}))
        where.append("msg_key NOT IN (SELECT msg_key FROM _reviewed)")
    sql = (
        f"SELECT {ITEM_COLUMNS}, cues FROM items WHERE {' AND '.join(where)} "
        f"ORDER BY risk DESC, date DESC LIMIT {int(limit)}"
    )
    items = [_item(row) for row in _rows(cur, sql, params)]
    return {"items": items, "reviewed": len(reviewed)}


def _check_label(label: str) -> None:
    if label not in LABELS:
        raise QueryError(f"unknown label {label!r}; labels are: {', '.join(LABELS)}")


def _item(row: dict[str, Any]) -> dict[str, Any]:
    cues = row.pop("cues", None)
    if cues is not None:
        row["cues"] = json.loads(cues) if cues else {}
    return row


# --- search ----------------------------------------------------------------------------------


@dataclass
class SearchQuery:
    q: str | None = None
    regex: bool = False
    label: str | None = None
    min_score: float | None = None
    channel: str | None = None
    platform: str | None = None
    since: date | None = None
    until: date | None = None
    product: str | None = None
    place: str | None = None
    entity: str | None = None
    sort: str = "date"  # date (newest first) or risk
    page: int = 1
    per_page: int = 50
    extra: dict[str, Any] = field(default_factory=dict)

    def where(self) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if self.q:
            if self.regex:
                try:
                    re.compile(self.q)
                except re.error as exc:
                    raise QueryError(
                        f"q {self.q!r} is not a valid regular expression: {exc}"
                    ) from None
                where.append("regexp_matches(text, ?)")
                params.append(self.q)
            else:
                for word in _terms(self.q):
                    where.append("contains(folded, ?)")
                    params.append(fold(word))
        if self.label:
            _check_label(self.label)
            if self.min_score is not None:
                where.append(f"score_{self.label} >= ?")
                params.append(self.min_score)
            else:
                where.append("list_contains(labels, ?)")
                params.append(self.label)
        elif self.min_score is not None:
            where.append("risk >= ?")
            params.append(self.min_score)
        if self.channel:
            where.append("(channel_key = ? OR channel_id = ? OR channel_name = ?)")
            params += [self.channel.removeprefix("channel:")] + [self.channel] * 2
        if self.platform:
            where.append("platform = ?")
            params.append(self.platform)
        if self.since:
            where.append("date >= CAST(? AS TIMESTAMPTZ)")
            params.append(self.since.isoformat())
        if self.until:
            where.append("date < CAST(? AS TIMESTAMPTZ)")
            params.append(self.until.isoformat())
        if self.product:
            where.append("list_contains(products, ?)")
            params.append(self.product)
        if self.place:
            where.append("list_contains(places, ?)")
            params.append(self.place)
        if self.entity:
            where.append("msg_key IN (SELECT msg_key FROM ents WHERE value = ?)")
            params.append(self.entity)
        return (" AND ".join(where) or "true"), params

    def order(self) -> str:
        return "risk DESC, date DESC" if self.sort == "risk" else "date DESC, msg_key"


def _terms(q: str) -> list[str]:
    """Words of a plain search; a "quoted phrase" stays one term."""
    terms = [m.group(1) or m.group(2) for m in re.finditer(r'"([^"]+)"|(\S+)', q)]
    return [t for t in terms if t]


FACETS: tuple[tuple[str, str], ...] = (
    ("label", "unnest(labels)"),
    ("platform", "platform"),
    ("channel", "channel_key"),
    ("product", "unnest(products)"),
    ("place", "unnest(places)"),
)
FACET_SIZE = 10


def search(cur: duckdb.DuckDBPyConnection, query: SearchQuery) -> dict[str, Any]:
    """One page of matching messages, the total, and facet counts over all matches."""
    where, params = query.where()
    page = max(1, int(query.page))
    per_page = max(1, min(int(query.per_page), 500))
    items = _rows(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE {where} ORDER BY {query.order()} "
        f"LIMIT {per_page} OFFSET {(page - 1) * per_page}",
        params,
    )
    facet_sql = " UNION ALL ".join(
        f"(SELECT '{name}' AS facet, v, count(*) AS n FROM "
        f"(SELECT {expr} AS v FROM hits) WHERE v IS NOT NULL GROUP BY v "
        f"ORDER BY n DESC, v LIMIT {FACET_SIZE})"
        for name, expr in FACETS
    )
    facet_rows = _rows(
        cur,
        f"WITH hits AS MATERIALIZED (SELECT labels, platform, channel_key, products, places "
        f"FROM items WHERE {where}) "
        f"SELECT 'total' AS facet, NULL AS v, count(*) AS n FROM hits UNION ALL {facet_sql}",
        params,
    )
    total = 0
    facets: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in FACETS}
    for row in facet_rows:
        if row["facet"] == "total":
            total = int(row["n"])
        else:
            facets[row["facet"]].append({"value": row["v"], "count": int(row["n"])})
    for values in facets.values():
        values.sort(key=lambda f: (-f["count"], str(f["value"])))
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "items": items,
        "facets": facets,
    }


CSV_COLUMNS = (
    "msg_key",
    "date",
    "platform",
    "channel_key",
    "channel_name",
    "sender",
    "labels",
    "risk",
    "products",
    "places",
    "text",
)


def search_rows(
    cur: duckdb.DuckDBPyConnection, query: SearchQuery, batch: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """Every match (no paging), for CSV export, streamed in batches."""
    where, params = query.where()
    cols = ", ".join(CSV_COLUMNS)
    result = cur.execute(f"SELECT {cols} FROM items WHERE {where} ORDER BY {query.order()}", params)
    while rows := result.fetchmany(batch):
        yield from rows


# --- message, channel, entity ------------------------------------------------------------------


def message(cur: duckdb.DuckDBPyConnection, msg_key: str) -> dict[str, Any] | None:
    row = _one(
        cur,
        f"SELECT {ITEM_COLUMNS}, sender_id, kind, reply_to, forwarded_from, source_location, "
        "evidence_sha256, media AS media_list, cues, "
        + ", ".join(f"score_{label}" for label in LABELS)
        + " FROM items WHERE msg_key = ?",
        [msg_key],
    )
    if row is None:
        return None
    item = _item(row)
    item["scores"] = {label: round(float(item.pop(f"score_{label}") or 0.0), 3) for label in LABELS}
    item["entities"] = _rows(
        cur,
        'SELECT type, value, text, start, "end", attrs FROM ents WHERE msg_key = ? '
        "ORDER BY start, type",
        [msg_key],
    )
    for ent in item["entities"]:
        ent["attrs"] = json.loads(ent["attrs"]) if ent["attrs"] else {}
    item["neighbours"] = _rows(
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
    info = _one(cur, "SELECT * FROM chans WHERE node_id = ?", [node])
    if info is None:
        return None
    info["timeline"] = _rows(
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
    info["labels"] = _rows(
        cur,
        "SELECT label, count(*) AS n FROM (SELECT unnest(labels) AS label FROM items "
        "WHERE channel_key = ?) GROUP BY 1 ORDER BY 2 DESC",
        [key],
    )
    info["prices"] = _rows(
        cur,
        "SELECT product, unit, currency, count(*) AS n, "
        "round(median(price_per_unit), 2) AS median, round(min(price_per_unit), 2) AS min, "
        "round(max(price_per_unit), 2) AS max, max(date) AS last_seen "
        "FROM points WHERE channel = ? GROUP BY ALL ORDER BY n DESC",
        [key],
    )
    info["offers"] = _rows(
        cur,
        "SELECT p.msg_key, p.date, p.product, p.amount, p.unit, p.price, p.currency, "
        "round(p.price_per_unit, 2) AS price_per_unit FROM points p WHERE channel = ? "
        "ORDER BY date DESC LIMIT 20",
        [key],
    )
    info["successors"] = _rows(
        cur,
        "SELECT s.channel AS node_id, coalesce(n.label, s.channel) AS name, s.confidence, s.rules "
        "FROM succ s LEFT JOIN nodes n ON n.node_id = s.channel WHERE s.successor_of = ? "
        "ORDER BY s.confidence DESC",
        [node],
    )
    info["predecessors"] = _rows(
        cur,
        "SELECT s.successor_of AS node_id, coalesce(n.label, s.successor_of) AS name, "
        "s.confidence, s.rules FROM succ s LEFT JOIN nodes n ON n.node_id = s.successor_of "
        "WHERE s.channel = ? ORDER BY s.confidence DESC",
        [node],
    )
    info["siblings"] = _rows(
        cur,
        """SELECT c2.channel_key, any_value(ch.name) AS name, count(DISTINCT c2.cluster_id) AS shared
        FROM clusters c1 JOIN clusters c2 USING (cluster_id)
        LEFT JOIN chans ch ON ch.node_id = 'channel:' || c2.channel_key
        WHERE c1.channel_key = ? AND c2.channel_key <> ? GROUP BY 1 ORDER BY 3 DESC LIMIT 20""",
        [key, key],
    )
    info["latest"] = _rows(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE channel_key = ? ORDER BY date DESC LIMIT ?",
        [key, limit],
    )
    info["channel_key"] = key
    return info


def entity(cur: duckdb.DuckDBPyConnection, value: str, limit: int = 200) -> dict | None:
    """A phone, handle, wallet, URL …: every message and channel it appears in."""
    kinds = _rows(
        cur,
        "SELECT type, count(*) AS n FROM ents WHERE value = ? GROUP BY 1 ORDER BY 2 DESC",
        [value],
    )
    if not kinds:
        return None
    channels = _rows(
        cur,
        """SELECT i.channel_key, any_value(i.channel_name) AS name, count(*) AS n,
                  min(i.date) AS first_seen, max(i.date) AS last_seen
           FROM items i WHERE i.msg_key IN (SELECT msg_key FROM ents WHERE value = ?)
           GROUP BY 1 ORDER BY 3 DESC""",
        [value],
    )
    messages = _rows(
        cur,
        f"SELECT {ITEM_COLUMNS} FROM items WHERE msg_key IN "
        "(SELECT msg_key FROM ents WHERE value = ?) ORDER BY date DESC LIMIT ?",
        [value, limit],
    )
    nodes = _rows(
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


# --- network ---------------------------------------------------------------------------------


def network(
    cur: duckdb.DuckDBPyConnection, seeds: Sequence[str], hops: int = 1, limit: int = 150
) -> dict[str, Any]:
    """The neighbourhood of ``seeds`` (node ids) in the link graph, in Cytoscape.js's format."""
    frontier = list(dict.fromkeys(seeds))
    seen = set(frontier)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for _ in range(max(1, min(hops, 3))):
        if not frontier or len(seen) >= limit:
            break
        cur.register("_frontier", pa.table({"n": pa.array(frontier, pa.string())}))
        rows = _rows(
            cur,
            "SELECT source, target, kind, count FROM edges WHERE source IN (SELECT n FROM "
            "_frontier) OR target IN (SELECT n FROM _frontier) ORDER BY count DESC LIMIT ?",
            [limit * 4],
        )
        nxt: list[str] = []
        for row in rows:
            for end in (row["source"], row["target"]):
                if end not in seen and len(seen) < limit:
                    seen.add(end)
                    nxt.append(end)
            if row["source"] in seen and row["target"] in seen:
                edges[(row["source"], row["target"], row["kind"])] = row
        frontier = nxt
    cur.register("_nodes", pa.table({"n": pa.array(sorted(seen), pa.string())}))
    nodes = {
        row["node_id"]: row
        for row in _rows(
            cur,
            "SELECT node_id, kind, label, platform, messages FROM nodes "
            "WHERE node_id IN (SELECT n FROM _nodes)",
        )
    }
    elements: list[dict[str, Any]] = []
    for node_id in sorted(seen):
        row = nodes.get(node_id, {"kind": node_id.split(":", 1)[0], "label": node_id})
        elements.append(
            {
                "data": {
                    "id": node_id,
                    "label": row.get("label") or node_id,
                    "kind": row.get("kind"),
                    "messages": row.get("messages") or 0,
                    "seed": node_id in seeds,
                    "href": node_href(node_id),
                }
            }
        )
    for (source, target, kind), row in edges.items():
        elements.append(
            {
                "data": {
                    "id": f"{source}|{kind}|{target}",
                    "source": source,
                    "target": target,
                    "kind": kind,
                    "count": row["count"],
                }
            }
        )
    return {"seeds": list(seeds), "elements": elements, "nodes": len(seen), "edges": len(edges)}


def node_href(node_id: str) -> str:
    """The page of a graph node: a channel page, or the entity page of its value."""
    from urllib.parse import quote

    kind, _, rest = node_id.partition(":")
    if kind == "channel":
        return f"/channels/{quote(rest, safe='')}"
    if kind in ("account", "place"):
        return f"/search?q={quote(rest.partition(':')[2] or rest, safe='')}"
    return f"/entities/{quote(rest, safe='')}"


# --- prices ----------------------------------------------------------------------------------


def prices(
    cur: duckdb.DuckDBPyConnection,
    product: str | None = None,
    place: str | None = None,
    period: str = "month",
) -> dict[str, Any]:
    """Median price per unit by product (× place) and period, with counts."""
    if period not in ("week", "month"):
        raise QueryError("period must be week or month")
    where, params = ["price_per_unit > 0"], []
    if product:
        where.append("product = ?")
        params.append(product)
    if place:
        where.append("(place = ? OR lower(place_name) = lower(?) OR departement = ?)")
        params += [place] * 3
    rows = _rows(
        cur,
        f"""SELECT product, unit, currency,
                   CAST(date_trunc('{period}', date) AS DATE) AS period, count(*) AS n,
                   round(median(price_per_unit), 2) AS median,
                   round(quantile_cont(price_per_unit, 0.25), 2) AS q1,
                   round(quantile_cont(price_per_unit, 0.75), 2) AS q3
            FROM points WHERE {" AND ".join(where)}
            GROUP BY ALL ORDER BY product, period""",
        params,
    )
    options = _rows(
        cur,
        "SELECT product, count(*) AS n FROM points GROUP BY 1 ORDER BY 2 DESC",
    )
    places = _rows(
        cur,
        "SELECT place_name AS place, count(*) AS n FROM points WHERE place_name IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
    )
    return {"rows": rows, "products": options, "places": places, "period": period}


def before_after(
    cur: duckdb.DuckDBPyConnection, when: date, days: int = 30, place: str | None = None
) -> list[dict[str, Any]]:
    """Median price per product in the ``days`` before ``when`` and after it, and the change."""
    where, params = "", []
    if place:
        where = "AND (place = ? OR lower(place_name) = lower(?) OR departement = ?)"
        params = [place] * 3
    return _rows(
        cur,
        f"""WITH p AS (
              SELECT product, unit, price_per_unit,
                     date < CAST(? AS TIMESTAMPTZ) AS before
              FROM points
              WHERE date >= CAST(? AS TIMESTAMPTZ) - INTERVAL (?) DAY
                AND date < CAST(? AS TIMESTAMPTZ) + INTERVAL (?) DAY AND price_per_unit > 0
                {where})
            SELECT product, unit,
                   count(*) FILTER (WHERE before) AS n_before,
                   round(median(price_per_unit) FILTER (WHERE before), 2) AS before,
                   count(*) FILTER (WHERE NOT before) AS n_after,
                   round(median(price_per_unit) FILTER (WHERE NOT before), 2) AS after,
                   round(100 * (median(price_per_unit) FILTER (WHERE NOT before)
                     / median(price_per_unit) FILTER (WHERE before) - 1), 1) AS change_pct
            FROM p GROUP BY 1, 2 ORDER BY n_before + n_after DESC""",
        [when.isoformat(), when.isoformat(), days, when.isoformat(), days, *params],
    )


# --- highlighting ----------------------------------------------------------------------------


def highlight(
    text: str, cues: dict[str, list[list[Any]]] | None, entities: Sequence[dict] = ()
) -> list[tuple[str, str | None]]:
    """Split ``text`` into (segment, css class or None): cue spans by label, entity spans.

    Spans index the original text (the analyser maps offsets back from the normalised form).
    Overlaps keep the first-starting, longest span; the caller escapes every segment.
    """
    spans: list[tuple[int, int, str]] = []
    for label, items in (cues or {}).items():
        for cue in items:
            start, end = int(cue[1]), int(cue[2])
            if 0 <= start < end <= len(text) and (len(cue) < 5 or float(cue[4]) > 0):
                spans.append((start, end, f"cue cue-{label}"))
    for ent in entities:
        s, e = ent.get("start"), ent.get("end")
        if isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
            spans.append((s, e, f"ent ent-{ent['type']}"))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, css in spans:
        if start < pos:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], css))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


__all__ = [
    "CSV_COLUMNS",
    "SearchQuery",
    "before_after",
    "channel",
    "dashboard",
    "entity",
    "highlight",
    "message",
    "network",
    "node_href",
    "prices",
    "review_queue",
    "search",
    "search_rows",
]
