"""Message search over the web index: words or regex, filters, facets, pages, CSV rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from vigie.errors import QueryError
from vigie.store.query import check_regex
from vigie.web.index import fold
from vigie.web.queries import ITEM_COLUMNS, check_label, fetch_dicts


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

    def where(self) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if self.q:
            if self.regex:
                check_regex(self.q, "q")
                # cheap substring tests first: the regex runs on the candidates only
                for literal in required_literals(self.q)[:3]:
                    where.append("contains(text, ?)")
                    params.append(literal)
                where.append("regexp_matches(text, ?)")
                params.append(self.q)
            else:
                for word in _terms(self.q):
                    where.append("contains(folded, ?)")
                    params.append(fold(word))
        if self.label:
            check_label(self.label)
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

    def order(self, tie: str = "msg_key") -> str:
        """ORDER BY clause; ``tie`` breaks ties (the row id in the hits table)."""
        return f"risk DESC, date DESC, {tie}" if self.sort == "risk" else f"date DESC, {tie}"


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


def required_literals(pattern: str) -> list[str]:
    """Runs of characters that every match of ``pattern`` must contain, most selective first.

    Read from Python's parse of the pattern: literals in sequence at the top level (or inside
    groups that must match), broken by anything optional, repeated, a class or an alternation.
    Longer runs come first, then runs without letters (punctuation is rarer in text). A
    case-insensitive pattern gives none (the substring test would be case-sensitive).
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern)
    except Exception:  # the caller validated the pattern; no prefilter is always correct
        return []
    if parsed.state.flags & re.IGNORECASE:
        return []
    runs: list[str] = []
    current: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                current.append(chr(arg))
                continue
            if name == "SUBPATTERN" and not (arg[1] or 0) & re.IGNORECASE:
                walk(arg[3])
                continue
            runs.append("".join(current))
            current.clear()
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
                walk(arg[2])  # one occurrence is required, bounded by breaks on both sides
                runs.append("".join(current))
                current.clear()

    walk(parsed)
    runs.append("".join(current))
    unique = {run for run in runs if run}
    return sorted(unique, key=lambda run: (-len(run), any(c.isalpha() for c in run), run))


def _facet_rows(cur: duckdb.DuckDBPyConnection, source: str, params: list[Any]) -> list[dict]:
    """Total and the top values of each facet over ``source`` (a table or a subquery)."""
    facet_sql = " UNION ALL ".join(
        f"(SELECT '{name}' AS facet, v, count(*) AS n FROM "
        f"(SELECT {expr} AS v FROM hits) WHERE v IS NOT NULL GROUP BY v "
        f"ORDER BY n DESC, v LIMIT {FACET_SIZE})"
        for name, expr in FACETS
    )
    return fetch_dicts(
        cur,
        f"WITH hits AS MATERIALIZED ({source}) "
        f"SELECT 'total' AS facet, NULL AS v, count(*) AS n FROM hits UNION ALL {facet_sql}",
        params,
    )


def _page_by_text(
    cur: duckdb.DuckDBPyConnection, query: SearchQuery, where: str, params: list[Any], limit: str
) -> tuple[list[dict], list[dict]]:
    """Text and regex filters are the costly part: run them once into a temporary table of
    row ids and facet columns, read the page's row ids and the facets from it, then fetch the
    page's messages by row id."""
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE _hits AS SELECT rowid AS r, date, risk, "
            f"labels, platform, channel_key, products, places FROM items WHERE {where}",
            params,
        )
    except duckdb.Error as exc:
        raise QueryError(f"search failed: {str(exc).splitlines()[0]}") from None
    try:
        rowids = [
            row[0]
            for row in cur.execute(
                f"SELECT r FROM _hits ORDER BY {query.order('r')} {limit}"
            ).fetchall()
        ]
        rows = fetch_dicts(
            cur,
            f"SELECT rowid AS _r, {ITEM_COLUMNS} FROM items "
            "WHERE rowid IN (SELECT unnest(?::BIGINT[]))",
            [rowids],
        )
        position = {rowid: i for i, rowid in enumerate(rowids)}
        rows.sort(key=lambda row: position[row.pop("_r")])
        return rows, _facet_rows(cur, "SELECT * FROM _hits", [])
    finally:
        cur.execute("DROP TABLE IF EXISTS _hits")


def search(cur: duckdb.DuckDBPyConnection, query: SearchQuery) -> dict[str, Any]:
    """One page of matching messages, the total, and facet counts over all matches."""
    where, params = query.where()
    page = max(1, int(query.page))
    per_page = max(1, min(int(query.per_page), 500))
    limit = f"LIMIT {per_page} OFFSET {(page - 1) * per_page}"
    if query.q:
        rows, facet_rows = _page_by_text(cur, query, where, params, limit)
    else:  # column filters are cheap: two scans beat materialising the matches
        rows = fetch_dicts(
            cur,
            f"SELECT {ITEM_COLUMNS} FROM items WHERE {where} ORDER BY {query.order()} {limit}",
            params,
        )
        facet_rows = _facet_rows(
            cur,
            f"SELECT labels, platform, channel_key, products, places FROM items WHERE {where}",
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
        "items": rows,
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


__all__ = [
    "CSV_COLUMNS",
    "FACETS",
    "SearchQuery",
    "required_literals",
    "search",
    "search_rows",
]
