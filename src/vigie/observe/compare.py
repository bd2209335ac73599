"""Before/after a date (a police operation, a closure): what changed, with the counts behind it.

Two windows of the same length, ``[date - window, date)`` and ``[date, date + window)``. Each
change comes with both counts, and volume changes with a rate ratio and its approximate 95%
confidence interval (log method, +0.5 when a count is zero), so a reader can tell a real shift
from noise: an interval that contains 1 is not a change.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from vigie.observe.activity import ActivityFilter, create_scope
from vigie.observe.prices import create_price_points

DELIVERY_RE = re.compile(
    r"livr|livreur|delivery|deliver|on se d[ée]place|d[ée]pose|en bas de chez|\bdrive\b|ship", re.I
)
PICKUP_RE = re.compile(
    r"r[ée]cup|sur place|pick-?up|point de vente|\bretrait|viens? (?:chercher|prendre)|au four|\bplan\b",
    re.I,
)


def rate_ratio(before: int, after: int) -> dict[str, Any]:
    """after/before with a 95% interval; the windows have equal length."""
    b, a = (before or 0.5), (after or 0.5)
    ratio = a / b
    half = 1.96 * math.sqrt(1 / a + 1 / b)
    return {
        "before": before,
        "after": after,
        "ratio": round(ratio, 3),
        "ci95": [
            round(math.exp(math.log(ratio) - half), 3),
            round(math.exp(math.log(ratio) + half), 3),
        ],
    }


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def compare(
    con: duckdb.DuckDBPyConnection,
    when: date,
    window_days: int = 14,
    place: str | None = None,
    tz: str = "Europe/Paris",
) -> dict[str, Any]:
    """Volume per label, channels (active, new, gone), hour profile, delivery share, prices."""
    start = datetime(when.year, when.month, when.day) - timedelta(days=window_days)
    middle = start + timedelta(days=window_days)
    end = middle + timedelta(days=window_days)
    flt = ActivityFilter(place=place, tz=tz)
    create_scope(con, flt)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE windows AS
        SELECT *, CASE WHEN local < ? THEN 'before' ELSE 'after' END AS side
        FROM scoped WHERE local >= ? AND local < ?""",
        [middle, start, end],
    )
    result: dict[str, Any] = {
        "date": when.isoformat(),
        "window_days": window_days,
        "place": place,
        "before": [start.date().isoformat(), middle.date().isoformat()],
        "after": [middle.date().isoformat(), end.date().isoformat()],
        "timezone": tz,
    }
    totals = dict(con.execute("SELECT side, count(*) FROM windows GROUP BY 1").fetchall())
    result["messages"] = rate_ratio(totals.get("before", 0), totals.get("after", 0))
    per_label: dict[str, dict[str, int]] = {}
    for side, label, n in con.execute(
        "SELECT side, unnest(labels) AS label, count(*) FROM windows GROUP BY 1, 2"
    ).fetchall():
        per_label.setdefault(label, {"before": 0, "after": 0})[side] = n
    result["labels"] = {
        label: rate_ratio(v["before"], v["after"]) for label, v in sorted(per_label.items())
    }
    sides = dict(
        con.execute("SELECT side, list(DISTINCT channel) FROM windows GROUP BY 1").fetchall()
    )
    before_ch, after_ch = set(sides.get("before") or []), set(sides.get("after") or [])
    spans = {
        c: (f, last)
        for c, f, last in con.execute(
            "SELECT channel, min(local), max(local) FROM scoped GROUP BY 1"
        ).fetchall()
    }
    result["channels"] = {
        "active_before": len(before_ch),
        "active_after": len(after_ch),
        "new": sorted(c for c in after_ch if spans[c][0] >= middle),
        "gone": sorted(c for c in before_ch if spans[c][1] < middle),
    }
    hours: dict[str, list[int]] = {"before": [0] * 24, "after": [0] * 24}
    for side, hour, n in con.execute(
        "SELECT side, hour(local), count(*) FROM windows GROUP BY 1, 2"
    ).fetchall():
        hours[side][hour] = n
    result["hours"] = hours
    logistics: dict[str, dict[str, Any]] = {}
    for side in ("before", "after"):
        texts = [
            t
            for (t,) in con.execute(
                """SELECT text FROM windows WHERE side = ? AND (list_contains(labels, 'logistics')
                   OR list_contains(labels, '(unlabelled)'))""",
                [side],
            ).fetchall()
        ]
        delivery = sum(1 for t in texts if DELIVERY_RE.search(t or ""))
        pickup = sum(1 for t in texts if PICKUP_RE.search(t or ""))
        logistics[side] = {
            "delivery": delivery,
            "pickup": pickup,
            "delivery_share": _share(delivery, delivery + pickup),
        }
    result["delivery_vs_pickup"] = logistics
    create_price_points(con)
    prices: dict[str, dict[str, Any]] = {}
    for product, unit, side, n, median in con.execute(
        """SELECT p.product, p.unit, w.side, count(*), round(median(p.price_per_unit), 2)
           FROM price_points p JOIN windows w USING (msg_key) GROUP BY 1, 2, 3 ORDER BY 1, 2"""
    ).fetchall():
        entry = prices.setdefault(f"{product} per {unit}", {"before": None, "after": None})
        entry[side] = {"n": n, "median": median}
    result["prices"] = prices
    return result
