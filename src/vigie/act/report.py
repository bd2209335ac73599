"""Case reports: everything a case holds, read once from the lake into a :class:`ReportData`.

Sections: summary, timeline, channels and their network picture (graph edges and successor
links of the latest link run), messages with their cues and entities highlighted and their
original timestamps (UTC and local), extracted entities, price table, and an evidence annex —
evidence files re-hashed now, ingest runs, analysis and link versions, the audit-log head and a
digest of the report data — so that another examiner can reproduce every figure from the same
evidence with the same versions. ``vigie.act.report_render`` turns it into HTML and PDF.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

import vigie
from vigie.act.cases import Case, create_held_messages, get_case
from vigie.config import load_settings
from vigie.store.audit import head, record, sha256_file
from vigie.store.state import open_state
from vigie.store.workspace import Workspace

MAX_MESSAGES = 1000
MAX_EDGES = 80

LATEST_SQL = """
CREATE OR REPLACE TEMP VIEW latest AS
SELECT a.* FROM analyses a LEFT JOIN analysis_runs r USING (run_id)
WHERE a.msg_key IN (SELECT msg_key FROM case_msgs)
QUALIFY row_number() OVER (PARTITION BY a.msg_key
                           ORDER BY r.finished_at DESC NULLS LAST, a.run_id DESC) = 1;
CREATE OR REPLACE TEMP VIEW latest_entities AS
SELECT e.* FROM entities e JOIN latest l ON l.msg_key = e.msg_key AND l.version = e.version;
"""


@dataclass
class ReportData:
    case: dict[str, Any]
    generated_at: str
    timezone: str
    summary: dict[str, Any] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    network: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    prices: list[dict[str, Any]] = field(default_factory=list)
    annex: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        """SHA-256 of the report's figures (everything but the generation time and digest)."""
        data = {k: v for k, v in vars(self).items() if k not in ("generated_at", "annex")}
        data["annex"] = {k: v for k, v in self.annex.items() if k not in ("digest", "audit_head")}
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in rows]


def _summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    total, channels, first, last = con.execute(
        """SELECT count(*), count(DISTINCT platform || ':' || channel_id), min(date), max(date)
           FROM messages WHERE msg_key IN (SELECT msg_key FROM case_msgs)"""
    ).fetchone() or (0, 0, None, None)
    labels = con.execute(
        "SELECT label, count(*) FROM (SELECT unnest(labels) AS label FROM latest) "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    analysed = con.execute("SELECT count(*) FROM latest").fetchone()
    return {
        "messages": total,
        "channels": channels,
        "first_date": _iso(first),
        "last_date": _iso(last),
        "analysed": analysed[0] if analysed else 0,
        "labels": {label: n for label, n in labels},
    }


def _timeline(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _plain(
        _rows(
            con,
            """SELECT date_trunc('week', m.date)::DATE AS week, count(*) AS messages,
                      count(*) FILTER (WHERE len(l.labels) > 0) AS labelled,
                      count(DISTINCT m.platform || ':' || m.channel_id) AS channels
               FROM messages m LEFT JOIN latest l USING (msg_key)
               WHERE m.msg_key IN (SELECT msg_key FROM case_msgs) GROUP BY 1 ORDER BY 1""",
        )
    )


def _channels(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = _rows(
        con,
        """SELECT m.platform || ':' || m.channel_id AS key, m.platform, m.channel_id,
                  any_value(coalesce(c.name, m.channel_name)) AS name, any_value(c.type) AS type,
                  count(*) AS messages, min(m.date) AS first, max(m.date) AS last,
                  count(*) FILTER (WHERE len(l.labels) > 0) AS labelled
           FROM messages m LEFT JOIN latest l USING (msg_key)
           LEFT JOIN (SELECT channel_key, any_value(name) AS name, any_value(type) AS type
                      FROM channels GROUP BY 1) c
                  ON c.channel_key = m.platform || ':' || m.channel_id
           WHERE m.msg_key IN (SELECT msg_key FROM case_msgs) GROUP BY 1, 2, 3 ORDER BY 6 DESC""",
    )
    return _plain(rows)


def _network(con: duckdb.DuckDBPyConnection, channels: list[dict[str, Any]]) -> dict[str, Any]:
    nodes = [f"channel:{c['platform']}:{c['channel_id']}" for c in channels]
    if not con.execute("SELECT count(*) FROM link_runs").fetchone()[0]:  # type: ignore[index]
        return {"nodes": [], "edges": [], "successors": [], "note": "no link run (`vigie link`)"}
    latest = "(SELECT run_id FROM link_runs ORDER BY finished_at DESC LIMIT 1)"
    edges = _rows(
        con,
        f"""SELECT source, target, kind, count FROM graph_edges
            WHERE run_id = {latest} AND kind <> 'posted_in'
              AND (list_contains(?, source) OR list_contains(?, target))
            ORDER BY count DESC, source, target LIMIT {MAX_EDGES}""",
        [nodes, nodes],
    )
    successors = _rows(
        con,
        f"""SELECT channel, successor_of, confidence, rules FROM successors
            WHERE run_id = {latest} AND (list_contains(?, channel) OR list_contains(?, successor_of))
            ORDER BY confidence DESC""",
        [nodes, nodes],
    )
    ids = sorted({e["source"] for e in edges} | {e["target"] for e in edges} | set(nodes))
    labels = dict(
        con.execute(
            f"SELECT node_id, any_value(label) FROM graph_nodes WHERE run_id = {latest} "
            "AND list_contains(?, node_id) GROUP BY 1",
            [ids],
        ).fetchall()
    )
    return {
        "nodes": [{"id": i, "label": labels.get(i) or i, "in_case": i in nodes} for i in ids],
        "edges": edges,
        "successors": [{**s, "confidence": round(float(s["confidence"]), 2)} for s in successors],
        "note": None,
    }


def _messages(
    con: duckdb.DuckDBPyConnection, zone: ZoneInfo, explicit: list[str]
) -> list[dict[str, Any]]:
    """The case's explicit messages, then the riskiest others, up to MAX_MESSAGES, by date."""
    rows = _rows(
        con,
        f"""SELECT m.msg_key, m.date, m.edited, coalesce(m.channel_name, m.channel_id) AS channel,
                   m.sender, m.text, m.source_location, m.evidence_sha256,
                   coalesce(l.labels, []) AS labels, l.risk, l.cues
            FROM messages m LEFT JOIN latest l USING (msg_key)
            WHERE m.msg_key IN (SELECT msg_key FROM case_msgs)
            ORDER BY list_contains(?, m.msg_key) DESC, coalesce(l.risk, 0) DESC, m.date
            LIMIT {MAX_MESSAGES}""",
        [explicit],
    )
    spans = con.execute(
        """SELECT msg_key, type, value, start, "end" FROM latest_entities
           WHERE msg_key IN (SELECT msg_key FROM case_msgs)"""
    ).fetchall()
    by_key: dict[str, list[list[Any]]] = {}
    for key, kind, value, start, end in spans:
        by_key.setdefault(key, []).append([start, end, f"{kind}: {value}", "entity"])
    for row in rows:
        cues = json.loads(row.pop("cues") or "{}")
        marks = [
            [c[1], c[2], f"{label}: {c[0]}", "cue"] for label, fired in cues.items() for c in fired
        ]
        row["marks"] = sorted(marks + by_key.get(row["msg_key"], []))
        date = row["date"]
        row["date_utc"] = date.strftime("%Y-%m-%d %H:%M:%S") if date else ""
        row["date_local"] = date.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if date else ""
        row["risk"] = round(float(row["risk"]), 3) if row["risk"] is not None else None
    rows.sort(key=lambda r: (r["date"] is None, r["date"], r["msg_key"]))
    return _plain(rows)


def _entities(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _plain(
        _rows(
            con,
            """SELECT e.type, e.value, count(DISTINCT e.msg_key) AS messages,
                      count(DISTINCT m.platform || ':' || m.channel_id) AS channels,
                      min(m.date) AS first, max(m.date) AS last
               FROM latest_entities e JOIN messages m USING (msg_key)
               WHERE e.type NOT IN ('offer', 'product') GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2""",
        )
    )


def _prices(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute(
        """SELECT e.msg_key, m.date, coalesce(m.channel_name, m.channel_id), e.value, e.attrs
           FROM latest_entities e JOIN messages m USING (msg_key)
           WHERE e.type = 'offer' ORDER BY m.date, e.msg_key, e.start"""
    ).fetchall()
    table = []
    for key, date, channel, value, attrs in rows:
        try:
            data = json.loads(attrs) if attrs else {}
        except ValueError:
            data = {}
        tiers = data.get("tiers") or [data]
        for tier in tiers if isinstance(tiers, list) else [data]:
            if not isinstance(tier, dict):
                continue
            table.append(
                {
                    "msg_key": key,
                    "date": _iso(date),
                    "channel": channel,
                    "product": tier.get("product") or data.get("product") or value,
                    "quantity": tier.get("quantity"),
                    "unit": tier.get("unit") or data.get("unit"),
                    "price": tier.get("price"),
                    "currency": tier.get("currency") or data.get("currency"),
                    "price_per_unit": tier.get("price_per_unit"),
                }
            )
    return table


def _annex(con: duckdb.DuckDBPyConnection, ws: Workspace) -> dict[str, Any]:
    files = _plain(
        _rows(
            con,
            """SELECT sha256, any_value(original_name) AS name, any_value(size) AS size,
                      any_value(format) AS format, any_value(parser_version) AS parser_version,
                      min(ingested_at) AS ingested_at FROM evidence
               WHERE sha256 IN (SELECT evidence_sha256 FROM messages
                                WHERE msg_key IN (SELECT msg_key FROM case_msgs))
               GROUP BY 1 ORDER BY 6""",
        )
    )
    for item in files:
        path = ws.evidence_path(item["sha256"])
        if path.exists():
            digest = sha256_file(path)
            item["verified"] = "hash matches" if digest == item["sha256"] else "MODIFIED"
        else:
            item["verified"] = "file deleted (see audit log)"
    runs = _plain(
        _rows(
            con,
            """SELECT run_id, finished_at, vigie_version, file, format, parser_version, tz,
                      messages_added FROM ingest_runs
               WHERE run_id IN (SELECT run_id FROM messages
                                WHERE msg_key IN (SELECT msg_key FROM case_msgs))
               ORDER BY finished_at""",
        )
    )
    analyses = _plain(
        _rows(
            con,
            """SELECT r.version, r.run_id, r.vigie_version, r.finished_at FROM analysis_runs r
               WHERE r.run_id IN (SELECT DISTINCT run_id FROM latest) ORDER BY r.finished_at""",
        )
    )
    links = _plain(
        _rows(
            con,
            "SELECT run_id, version, vigie_version, finished_at FROM link_runs "
            "ORDER BY finished_at DESC LIMIT 1",
        )
    )
    return {"evidence": files, "ingest_runs": runs, "analysis_runs": analyses, "link_runs": links}


def build_report(ws: Workspace, case_ref: str | int) -> ReportData:
    """Read a case's figures from the lake (no output written, nothing logged)."""
    settings = load_settings(ws.root)
    zone_name = str(settings["report.timezone"])
    state = open_state(ws.root)
    case: Case = get_case(state, case_ref)
    data = ReportData(
        case={**case.to_dict(), "refs": [vars(i) for i in case.items]},
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        timezone=zone_name,
    )
    with ws.lake.connect(memory_limit="1GB") as con:
        create_held_messages(con, [case], "case_msgs")
        con.execute(LATEST_SQL)
        data.summary = _summary(con)
        data.timeline = _timeline(con)
        data.channels = _channels(con)
        data.network = _network(con, data.channels)
        data.messages = _messages(con, ZoneInfo(zone_name), case.refs("message"))
        data.summary["shown_messages"] = len(data.messages)
        data.entities = _entities(con)
        data.prices = _prices(con)
        data.annex = _annex(con, ws)
    entry = head(state)
    data.annex["vigie_version"] = vigie.__version__
    data.annex["digest"] = data.digest()
    data.annex["audit_head"] = {"seq": entry.seq, "hash": entry.hash} if entry else None
    return data


def log_export(ws: Workspace, data: ReportData, fmt: str, output: str) -> None:
    record(
        ws,
        "report.export",
        str(data.case["id"]),
        {
            "format": fmt,
            "output": output,
            "digest": data.annex["digest"],
            "messages": data.summary.get("messages"),
        },
    )


__all__ = ["MAX_MESSAGES", "ReportData", "build_report", "log_export"]
