"""vigie.observe: market prices, activity timelines, before/after comparisons, plots."""

from vigie.observe.activity import ActivityFilter, activity_table, channel_spans, hour_profile
from vigie.observe.compare import compare, rate_ratio
from vigie.observe.prices import PriceFilter, create_price_points, offer_points, price_table
from vigie.observe.units import parse_quantity, to_base

__all__ = [
    "ActivityFilter",
    "PriceFilter",
    "activity_table",
    "channel_spans",
    "compare",
    "create_price_points",
    "hour_profile",
    "offer_points",
    "parse_quantity",
    "price_table",
    "rate_ratio",
    "to_base",
]
