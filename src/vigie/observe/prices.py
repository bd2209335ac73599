"""Market prices: price per gram (or unit, or ml) by product × place × week or month.

Price points come from the ``offer`` entities of the current analysis: each offer — and each
tier of a tiered offer ("5g 50 / 10g 90") — is one point, recomputed here from quantity, unit
and price (``units.to_base``) rather than trusted from ``price_per_unit``. The place of a point
is the first place named in its message, else the place its channel names most often.

A channel that reposts the same menu every day would weigh seven times in a week: a point is
counted once per (channel, product, quantity, price) and period. Outliers are the points
outside Tukey's fences (1.5 × IQR) on log price within their group (when n ≥ 5); they are
counted and left out of the quartiles, never silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from vigie.link.views import create_analysis_views
from vigie.observe.units import to_base

PERIODS: tuple[str, ...] = ("week", "month")
FENCE = 1.5
MIN_FOR_FENCES = 5
POINT_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]
        pa.field("msg_key", pa.string()),
        pa.field("product", pa.string()),
        pa.field("amount", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("price", pa.float64()),
        pa.field("currency", pa.string()),
        pa.field("price_per_unit", pa.float64()),
    ]
)


@dataclass(frozen=True)
class PriceFilter:
    product: str | None = None
    place: str | None = None  # INSEE code, commune name or département code
    period: str = "month"
    since: str | None = None
    until: str | None = None


def offer_points(attrs: str | None, fallback_product: str | None) -> Iterator[dict[str, Any]]:
    """Price points of one offer entity (one per tier when tiered)."""
    try:
        data = json.loads(attrs) if attrs else {}
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    product = data.get("product") or fallback_product
    currency = str(data.get("currency") or "EUR").upper()
    tiers = data.get("tiers") or []
    items: list[tuple[Any, Any, Any]] = []
    for tier in tiers if isinstance(tiers, list) else []:
        if isinstance(tier, dict):
            items.append(
                (tier.get("quantity"), tier.get("unit", data.get("unit")), tier.get("price"))
            )
        elif isinstance(tier, list | tuple) and len(tier) >= 3:
            items.append((tier[0], tier[1], tier[2]))
        elif isinstance(tier, list | tuple) and len(tier) == 2:
            items.append((tier[0], data.get("unit"), tier[1]))
    if not items:
        items.append((data.get("quantity"), data.get("unit"), data.get("price")))
    for quantity, unit, price in items:
        try:
            qty, amount_price = float(quantity), float(price)
        except (TypeError, ValueError):
            continue
        base = to_base(qty, str(unit) if unit else None, product)
        if base is None or amount_price <= 0:
            continue
        amount, base_unit = base
        yield {
            "product": product or "other",
            "amount": amount,
            "unit": base_unit,
            "price": amount_price,
            "currency": currency,
            "price_per_unit": amount_price / amount,
        }


def create_price_points(con: duckdb.DuckDBPyConnection, batch_size: int = 50_000) -> int:
    """Temp table ``price_points`` (one row per offer or tier, with date, channel and place)."""
    create_analysis_views(con)
    reader = con.sql(
        "SELECT msg_key, value, attrs FROM cur_entities WHERE type = 'offer'"
    ).to_arrow_reader(batch_size)
    batches: list[pa.RecordBatch] = []
    for batch in reader:
        rows: list[dict[str, Any]] = []
        for key, value, attrs in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            for point in offer_points(attrs, value):
                rows.append({"msg_key": key, **point})
        if rows:
            batches.append(pa.RecordBatch.from_pylist(rows, schema=POINT_SCHEMA))
    con.register("_points", pa.Table.from_batches(batches, schema=POINT_SCHEMA))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE price_points AS
        WITH mp AS (
            SELECT msg_key, arg_min(value, start) AS place,
                   arg_min(json_extract_string(attrs, '$.name'), start) AS place_name,
                   arg_min(json_extract_string(attrs, '$.departement'), start) AS departement
            FROM cur_entities WHERE type = 'place' GROUP BY 1),
        cp AS (
            SELECT m.platform || ':' || m.channel_id AS channel, mode(mp.place) AS place
            FROM mp JOIN messages m USING (msg_key) GROUP BY 1),
        names AS (SELECT place, any_value(place_name) AS place_name,
                         any_value(departement) AS departement FROM mp GROUP BY 1)
        SELECT p.*, m.date, m.platform || ':' || m.channel_id AS channel,
               coalesce(mp.place, cp.place) AS place,
               coalesce(mp.place_name, n.place_name) AS place_name,
               coalesce(mp.departement, n.departement) AS departement
        FROM _points p JOIN messages m USING (msg_key)
        LEFT JOIN mp USING (msg_key)
        LEFT JOIN cp ON cp.channel = m.platform || ':' || m.channel_id
        LEFT JOIN names n ON n.place = cp.place"""
    )
    con.unregister("_points")
    total = con.execute("SELECT count(*) FROM price_points").fetchall()
    return int(total[0][0])


def price_table(
    con: duckdb.DuckDBPyConnection, flt: PriceFilter
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Median, quartiles, min/max, n and outliers per product × place × period × unit."""
    if flt.period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    create_price_points(con)
    where, params = ["true"], []
    if flt.product:
        where.append("product = ?")
        params.append(flt.product)
    if flt.place:
        where.append("(place = ? OR lower(place_name) = lower(?) OR departement = ?)")
        params += [flt.place] * 3
    if flt.since:
        where.append("date >= CAST(? AS TIMESTAMPTZ)")
        params.append(flt.since)
    if flt.until:
        where.append("date < CAST(? AS TIMESTAMPTZ)")
        params.append(flt.until)
    sql = f"""
    WITH p AS (
        SELECT DISTINCT product, coalesce(place_name, place, '(unknown)') AS place, unit, currency,
               CAST(date_trunc('{flt.period}', date) AS DATE) AS period, channel, amount, price,
               price_per_unit, ln(price_per_unit) AS lp
        FROM price_points WHERE {" AND ".join(where)}),
    f AS (
        SELECT product, place, period, unit, currency, count(*) AS n,
               quantile_cont(lp, 0.25) AS q1, quantile_cont(lp, 0.75) AS q3
        FROM p GROUP BY ALL),
    t AS (
        SELECT p.*, f.n < {MIN_FOR_FENCES} OR p.lp BETWEEN f.q1 - {FENCE} * (f.q3 - f.q1)
                                             AND f.q3 + {FENCE} * (f.q3 - f.q1) AS inlier
        FROM p JOIN f USING (product, place, period, unit, currency))
    SELECT product, place, period, unit, currency,
           count(*) FILTER (WHERE inlier) AS n, count(DISTINCT channel) AS channels,
           count(*) FILTER (WHERE NOT inlier) AS outliers,
           round(min(price_per_unit) FILTER (WHERE inlier), 2) AS min,
           round(quantile_cont(price_per_unit, 0.25) FILTER (WHERE inlier), 2) AS q1,
           round(quantile_cont(price_per_unit, 0.5) FILTER (WHERE inlier), 2) AS median,
           round(quantile_cont(price_per_unit, 0.75) FILTER (WHERE inlier), 2) AS q3,
           round(max(price_per_unit) FILTER (WHERE inlier), 2) AS max
    FROM t GROUP BY ALL ORDER BY product, place, period, unit, currency"""
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()
