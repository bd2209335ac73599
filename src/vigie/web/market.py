"""Prices over the web index: median price per unit by product and period, before/after a date."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from vigie.errors import QueryError
from vigie.web.queries import fetch_dicts


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
    rows = fetch_dicts(
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
    options = fetch_dicts(
        cur,
        "SELECT product, count(*) AS n FROM points GROUP BY 1 ORDER BY 2 DESC",
    )
    places = fetch_dicts(
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
    return fetch_dicts(
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


__all__ = ["before_after", "prices"]
