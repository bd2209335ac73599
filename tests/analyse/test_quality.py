"""Quality floors on the real labelled data in ../shared/data (the issue's targets).

The detector is never fitted on these files, so they measure generalisation. A change that
drops a figure below its floor fails here, before anyone reads the README.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie import sources
from vigie.analyse.evaluate import count_labelled, evaluate_file
from vigie.analyse.pipeline import Analyser
from vigie.model import Message
from vigie.sources.base import ParseContext


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


def test_listings_sale_weapons_products(shared_data: Path, analyser: Analyser) -> None:
    result = evaluate_file(shared_data / "labelled" / "listings_en.jsonl", analyser)
    assert result["labels"]["sale"]["f1"] >= 0.95
    assert result["labels"]["weapons"]["f1"] >= 0.8
    assert result["products"]["accuracy"] >= 0.85


def test_listings_with_contacts_sale_recall(shared_data: Path, analyser: Analyser) -> None:
    result = evaluate_file(shared_data / "labelled" / "listings_contacts_en.jsonl", analyser)
    assert result["labels"]["sale"]["recall"] >= 0.95


def test_teen_chat_violence(shared_data: Path, analyser: Analyser) -> None:
    result = evaluate_file(shared_data / "labelled" / "teen_chat_fr.jsonl", analyser)
    assert result["labels"]["violence"]["f1"] >= 0.6


def test_tweets_rarely_labelled(shared_data: Path, analyser: Analyser) -> None:
    result = evaluate_file(shared_data / "labelled" / "tweets_fr.jsonl", analyser)
    assert result["any_label_rate"] <= 0.01


def _export_texts(root: Path) -> Iterator[str]:
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".json", ".txt"}):
        if path.name == "target.json":
            continue
        module = sources.detect(path)
        for record in module.parse(path, ParseContext()):
            if isinstance(record, Message) and record.kind == "message" and record.text.strip():
                yield record.text


def test_exports_rarely_labelled(shared_data: Path, analyser: Analyser) -> None:
    """None of the real exports is about drug trafficking: at most 1 % may get a label."""
    result = count_labelled(_export_texts(shared_data / "exports"), analyser)
    assert result["n"] > 30_000
    assert result["rate"] <= 0.01, result
