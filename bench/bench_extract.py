"""Extraction figures on the labelled data: speed, product accuracy, prices per gram (JSON).

Usage: ``python bench/bench_extract.py [DATA_DIR]`` (default ``../shared/data/labelled``).

- ``speed``: microseconds per message of :func:`vigie.analyse.extract.extract` over every text
  of every ``*.jsonl`` file (normalisation included, as the analyser would pass it), best of 3;
- ``products``: on rows carrying ``products``, the share whose predicted main product is in the
  gold list — ``first_most_specific`` uses :func:`vigie.analyse.extract.main_product`,
  ``most_frequent`` the rule of ``vigie.analyse.evaluate`` (most mentioned, then first);
  ``opioid_family`` also accepts heroin for a gold ``opioid`` (the market files heroin under
  opioids, Vigie has a heroin id);
- ``price_per_gram``: median price per gram (all currencies together, listings are mostly USD)
  by product over offers in grams, with n.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from vigie.analyse.extract import extract, main_product, warm_up
from vigie.analyse.normalise import normalise


def _rows(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def _most_frequent(entities: list) -> str | None:  # type: ignore[type-arg]
    mentions = sorted((e.start, e.value) for e in entities if e.type == "product")
    if not mentions:
        return None
    counts = Counter(value for _, value in mentions)
    first: dict[str, int] = {}
    for start, value in mentions:
        first.setdefault(value, start)
    return min(counts, key=lambda value: (-counts[value], first[value]))


def main(folder: Path) -> dict[str, object]:
    rows = _rows(folder)
    texts = [str(row["text"]) for row in rows]
    warm_up()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            extract(text, normalise(text))
        best = min(best, time.perf_counter() - started)
    norm_only = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            normalise(text)
        norm_only = min(norm_only, time.perf_counter() - started)
    gold_rows = [row for row in rows if row.get("products")]
    correct = Counter()
    per_gram: dict[str, list[float]] = {}
    misses: Counter[str] = Counter()
    for row in gold_rows:
        entities = extract(str(row["text"]))
        gold = set(row["products"])  # type: ignore[arg-type]
        specific = main_product(entities)
        frequent = _most_frequent(entities)
        correct["first_most_specific"] += specific in gold
        correct["most_frequent"] += frequent in gold
        correct["opioid_family"] += specific in gold or (specific == "heroin" and "opioid" in gold)
        if specific not in gold:
            misses[f"{sorted(gold)[0]}->{specific}"] += 1
    for text in texts:
        for entity in extract(text):
            if entity.type != "offer" or not entity.attrs:
                continue
            attrs = json.loads(entity.attrs)
            if attrs["unit"] == "g" and attrs.get("product"):
                per_gram.setdefault(attrs["product"], []).append(attrs["price_per_unit"])
    total = len(gold_rows)
    return {
        "messages": len(texts),
        "speed_us_per_message": round(best / len(texts) * 1e6, 2),
        "normalise_us_per_message": round(norm_only / len(texts) * 1e6, 2),
        "extract_only_us_per_message": round((best - norm_only) / len(texts) * 1e6, 2),
        "products": {
            "n": total,
            **{key: round(value / total, 4) for key, value in sorted(correct.items())},
            "top_misses": misses.most_common(12),
        },
        "price_per_gram": {
            product: {"median": round(statistics.median(values), 2), "n": len(values)}
            for product, values in sorted(per_gram.items())
        },
    }


if __name__ == "__main__":
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/labelled")
    print(json.dumps(main(data), indent=2))
