"""Observe: unit handling on real listing titles, prices on French menus, activity, compare, plots."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import vigie
from tests.link.builders import Msg, build_workspace
from tests.link.scenarios import CHANNELS, MARSEILLE, offer, scenario
from vigie.observe import (
    ActivityFilter,
    PriceFilter,
    activity_table,
    compare,
    hour_profile,
    offer_points,
    parse_quantity,
    price_table,
    rate_ratio,
    to_base,
)
from vigie.store.workspace import Workspace

OZ = 28.349523125

# real darknet listing titles (../shared/data, read at test time, not copied) -> what they sell
LISTINGS = {
    "agora:3920b2c36e93": (0.5, "g"),  # 0.5 GRAMS #4 AFGHAN HEROIN
    "agora:411c57d48b56": (OZ / 4, "g"),  # … (1/4 ounce)
    "agora:962ecaae681f": (OZ / 4, "g"),  # 1/4 oz dried Psilocybe cubensis shrooms
    "agora:eb3595561be4": (2 * OZ, "g"),  # 2oz of Exquisite Strains
    "agora:4f25a4cdfae2": (3.0, "g"),  # Custom coffeeshop sample listing 3 x 1g
    "agora:4d8e10fd3d0a": (50.0, "unit"),  # 50x RED DICE XTC 120mg MDMA (mg = dose)
    "agora:ab03b887b0a5": (40.0, "unit"),  # Codeine 15 mg (40 pills)
    "agora:3f86ac024c59": (10.0, "unit"),  # Roche Valuim 10 x 10mg
    "agora:b2c06bbff212": (5.0, "unit"),  # MS Contin 60MG X 5
    "agora:ebc9beb1fb8c": (200.0, "g"),  # 200 g's Speed Paste [Bulk]
    "agora:8d328eef9282": (0.1, "g"),  # 100mg DMT
    "agora:d37d0a26cc2f": (20.0, "g"),  # 20.0 GRAMS MDMA CRYSTALS
    "agora:6d75274093ec": (100.0, "unit"),  # Lormetazepam, 2mg/tab, 100 tabs
    "agora:e9aca7f3c979": None,  # 2x XTC & 0.5g Molly: a bundle, no price per gram
}


@pytest.fixture(scope="module")
def listings(shared_data: Path) -> dict[str, str]:
    rows = (json.loads(line) for line in (shared_data / "labelled" / "listings_en.jsonl").open())
    return {r["id"]: r["text"] for r in rows}


@pytest.mark.parametrize(("listing_id", "expected"), sorted(LISTINGS.items()))
def test_quantity_of_real_listing_titles(
    listings: dict[str, str], listing_id: str, expected: tuple[float, str] | None
) -> None:
    got = parse_quantity(listings[listing_id])
    if expected is None:
        assert got is None
    else:
        assert got is not None and got[1] == expected[1]
        assert got[0] == pytest.approx(expected[0], rel=1e-6)


def test_leading_gram_quantities_of_every_listing_are_exact(listings: dict[str, str]) -> None:
    """Across all real titles that start with "N g"/"N grams", never a factor-10 slip."""
    pattern = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:g|grams?|gr)\b(?!\s*x)", re.I)
    checked = 0
    for text in listings.values():
        match = pattern.match(text)
        if match and not re.search(r"\d\s*x\b|\bx\s*\d|pills|tabs", text, re.I):
            got = parse_quantity(text)
            assert got is not None and got[1] == "g", text
            assert got[0] == pytest.approx(float(match.group(1))), text
            checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    ("quantity", "unit", "product", "expected"),
    [
        (10, "g", "cannabis_resin", (10.0, "g")),
        (1, "kg", "cannabis_resin", (1000.0, "g")),
        (500, "mg", "cocaine", (0.5, "g")),
        (0.25, "oz", "cannabis_herb", (OZ / 4, "g")),
        (3, "pills", "mdma", (3.0, "unit")),
        (200, "mg", "cannabis_edible", (1.0, "unit")),
        (2, "cartouches", "nitrous_oxide", (2.0, "unit")),
        (0, "g", "cocaine", None),
        (5, "parsecs", "cocaine", None),
    ],
)
def test_to_base(
    quantity: float, unit: str, product: str, expected: tuple[float, str] | None
) -> None:
    got = to_base(quantity, unit, product)
    assert got == (pytest.approx(expected[0]), expected[1]) if expected else got is None


def test_tiered_offer_gives_one_point_per_tier() -> None:
    attrs = json.dumps({"product": "cannabis_resin", "currency": "EUR", "unit": "g",
                        "tiers": [{"quantity": 5, "price": 50}, [10, "g", 90], [25, 200]]})  # fmt: skip
    points = list(offer_points(attrs, None))
    assert [p["price_per_unit"] for p in points] == [10.0, 9.0, 8.0]
    assert list(offer_points("not json", "cocaine")) == []


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build_workspace(tmp_path_factory.mktemp("observe") / "ws", scenario(), CHANNELS)


def _prices(ws: Workspace, **kwargs: object) -> list[dict[str, object]]:
    with ws.lake.connect() as con:
        columns, rows = price_table(con, PriceFilter(**kwargs))  # type: ignore[arg-type]
    return [dict(zip(columns, r, strict=True)) for r in rows]


@pytest.mark.parametrize(
    ("product", "place", "median", "n"),
    [
        # Jan, Marseille resin: 8 (A 10g/80), 7.2 (A 25g/180), 8 (C 5g/40), 7 (D 10g/70), 9 (rival)
        ("cannabis_resin", "Marseille", 8.0, 5),
        ("cocaine", "Marseille", 70.0, 1),
        ("cannabis_resin", "Lyon", 6.5, 2),
    ],
)
def test_price_per_gram_of_french_menus(
    market: Workspace, product: str, place: str, median: float, n: int
) -> None:
    rows = _prices(market, product=product, place=place, period="month")
    january = next(r for r in rows if str(r["period"]) == "2024-01-01")
    assert (january["median"], january["n"], january["unit"]) == (median, n, "g")


def test_place_filter_accepts_insee_code_name_and_departement(market: Workspace) -> None:
    by_name = _prices(market, place="Marseille")
    assert by_name == _prices(market, place="13055") == _prices(market, place="13")
    assert {r["place"] for r in by_name} == {"Marseille"}


def test_outlier_is_counted_and_left_out(tmp_path: Path) -> None:
    msgs = [
        Msg(str(c), "1", f"2024-05-0{c}T12:00:00", "menu", ("sale",),
            (offer("cocaine", 1, 60 + c), MARSEILLE))
        for c in range(1, 8)
    ]  # fmt: skip
    # a gram read as a milligram: 70 € for "1 mg" -> 70,000 €/g
    msgs.append(Msg("9", "1", "2024-05-09T12:00:00", "menu", ("sale",),
                    (offer("cocaine", 1, 70, unit="mg"), MARSEILLE)))  # fmt: skip
    ws = build_workspace(tmp_path / "ws", msgs)
    (row,) = _prices(ws, product="cocaine")
    assert (row["n"], row["outliers"], row["median"], row["max"]) == (7, 1, 64.0, 67.0)


def test_timeline_counts_per_label_and_local_hours(market: Workspace) -> None:
    flt = ActivityFilter(channel="Menu 13")
    with market.lake.connect() as con:
        _, rows = activity_table(con, flt, "month")
        hours = hour_profile(con, flt)
    counts = {(str(r[0]), r[1]): r[2] for r in rows}
    assert counts[("2024-01-01", "sale")] == 31
    assert counts[("2024-01-01", "channel_migration")] == 1
    assert hours[11] == 31  # 10:00 UTC is 11:00 in Paris in January
    assert sum(hours) == 32


def test_compare_reports_counts_channels_and_prices(market: Workspace) -> None:
    with market.lake.connect() as con:
        result = compare(con, date(2024, 2, 1), 14, place="Marseille")
    assert result["channels"]["new"] == ["telegram:1002"]
    assert set(result["channels"]["gone"]) == {"telegram:1001", "telegram:1003", "telegram:1007"}
    sale = result["labels"]["sale"]
    assert (sale["before"], sale["after"]) == (41, 28)
    assert sale["ci95"][0] < sale["ratio"] < sale["ci95"][1]
    assert result["prices"]["cannabis_resin per g"]["after"]["n"] == 28


@pytest.mark.parametrize(
    ("before", "after", "changed"), [(100, 100, False), (200, 50, True), (3, 1, False)]
)
def test_rate_ratio_interval_says_whether_a_change_is_real(
    before: int, after: int, changed: bool
) -> None:
    rr = rate_ratio(before, after)
    low, high = rr["ci95"]
    assert (not low <= 1 <= high) is changed


@pytest.mark.parametrize(
    "args",
    [
        ["prices", "--by", "week", "--format", "csv"],
        ["timeline", "--by", "week"],
        ["compare", "--date", "2024-02-01", "--window", "2w"],
    ],
)
def test_cli_plots_are_png_files(market: Workspace, tmp_path: Path, args: list[str]) -> None:
    png = tmp_path / "plot.png"
    proc = vigie(*args, "--plot", str(png), "-w", str(market.root), check=True)
    assert proc.stdout.strip()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_cli_prices_json(market: Workspace) -> None:
    proc = vigie(
        "prices", "--product", "cocaine", "--format", "json", "-w", str(market.root), check=True
    )
    (row,) = json.loads(proc.stdout)
    assert (row["median"], row["unit"], row["currency"]) == (70.0, "g", "EUR")
