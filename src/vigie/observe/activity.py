"""Activity: messages per channel and label per day/week/month, hour-of-day profile, first/last seen.

Hours are counted in local time (``tz``, Europe/Paris by default): opening hours "as seen" are
what a customer in that city would read, and the lake stores UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from vigie.link.views import create_analysis_views

BUCKETS: tuple[str, ...] = ("day", "week", "month")
UNLABELLED = "(unlabelled)"


@dataclass(frozen=True)
class ActivityFilter:
    channel: str | None = None  # channel id, platform:id key or name
    label: str | None = None
    since: str | None = None
    until: str | None = None
    place: str | None = None  # channels whose messages name this place most (INSEE, name, dept)
    tz: str = "Europe/Paris"


def create_scope(con: duckdb.DuckDBPyConnection, flt: ActivityFilter) -> list[Any]:
    """Temp view ``scoped``: messages in the filter, with ``labels`` (never empty) and ``local``.

    Returns nothing useful; raises duckdb errors for a bad time zone.
    """
    create_analysis_views(con)
    where, params = ["m.kind = 'message'"], []
    if flt.channel:
        where.append(
            "(m.channel_id = ? OR m.platform || ':' || m.channel_id = ? OR m.channel_name = ?)"
        )
        params += [flt.channel] * 3
    if flt.since:
        where.append("m.date >= CAST(? AS TIMESTAMPTZ)")
        params.append(flt.since)
    if flt.until:
        where.append("m.date < CAST(? AS TIMESTAMPTZ)")
        params.append(flt.until)
    if flt.place:
        where.append(
            """m.platform || ':' || m.channel_id IN (
                 SELECT channel FROM (
                   SELECT mm.platform || ':' || mm.channel_id AS channel, mode(e.value) AS place,
                          mode(json_extract_string(e.attrs, '$.name')) AS name,
                          mode(json_extract_string(e.attrs, '$.departement')) AS dept
                   FROM cur_entities e JOIN messages mm USING (msg_key)
                   WHERE e.type = 'place' GROUP BY 1)
                 WHERE place = ? OR lower(name) = lower(?) OR dept = ?)"""
        )
        params += [flt.place] * 3
    tz = flt.tz.replace("'", "")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE scoped AS
        SELECT m.msg_key, m.platform || ':' || m.channel_id AS channel,
               coalesce(any_value(m.channel_name), m.channel_id) AS channel_name, m.date,
               timezone('{tz}', m.date) AS local, any_value(m.text) AS text,
               coalesce(nullif(any_value(a.labels), []), ['{UNLABELLED}']) AS labels
        FROM messages m LEFT JOIN cur_analyses a USING (msg_key)
        WHERE {" AND ".join(where)}
        GROUP BY m.msg_key, m.platform, m.channel_id, m.date""",
        params,
    )
    if flt.label:
        con.execute("DELETE FROM scoped WHERE NOT list_contains(labels, ?)", [flt.label])
    return params


def activity_table(
    con: duckdb.DuckDBPyConnection,
    flt: ActivityFilter,
    bucket: str = "day",
    per_channel: bool = False,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Messages per period (local time) × label (× channel)."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}")
    create_scope(con, flt)
    channel_cols = "channel, channel_name, " if per_channel else ""
    label_filter = "WHERE label = ?" if flt.label else ""
    cursor = con.execute(
        f"""SELECT CAST(date_trunc('{bucket}', local) AS DATE) AS period, {channel_cols}
                   label, count(*) AS messages
            FROM (SELECT *, unnest(labels) AS label FROM scoped) {label_filter}
            GROUP BY ALL ORDER BY ALL""",
        [flt.label] if flt.label else [],
    )
    return [d[0] for d in cursor.description], cursor.fetchall()


def hour_profile(con: duckdb.DuckDBPyConnection, flt: ActivityFilter) -> list[int]:
    """Messages per local hour 0..23 (after ``create_scope`` filters)."""
    create_scope(con, flt)
    counts = dict(con.execute("SELECT hour(local), count(*) FROM scoped GROUP BY 1").fetchall())
    return [int(counts.get(h, 0)) for h in range(24)]


def channel_spans(con: duckdb.DuckDBPyConnection, flt: ActivityFilter) -> list[dict[str, Any]]:
    """Per channel: messages, active days, first and last seen, busiest local hour."""
    create_scope(con, flt)
    rows = con.execute(
        """SELECT channel, any_value(channel_name), count(*), count(DISTINCT CAST(local AS DATE)),
                  min(date), max(date), mode(hour(local))
           FROM scoped GROUP BY channel ORDER BY 3 DESC, 1"""
    ).fetchall()
    names = ("channel", "name", "messages", "active_days", "first_seen", "last_seen", "peak_hour")
    return [dict(zip(names, r, strict=True)) for r in rows]
