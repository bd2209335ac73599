"""Measure the analyser on labelled JSON Lines files (``vigie eval FILE.jsonl``).

Each row has ``text`` and ``labels`` (Vigie label names; ``[]`` means none applies) and may have
``products`` (canonical product ids). The analyser only ever sees ``text``. The result is::

    {"n": N, "labels": {"sale": {"precision": p, "recall": r, "f1": f, "support": s,
                                 "predicted": k}, ...},
     "micro_f1": x, "macro_f1": y, "any_label_rate": a,
     "products": {"n": n, "accuracy": acc}}

``macro_f1`` averages the labels that have support or predictions in the file (a label absent
from both would count as a perfect 1.0 or an undefined 0/0, so it is left out); ``labels`` still
lists every label.

**Product accuracy** is computed over the rows whose ``products`` is a non-empty list. The
predicted *main product* of a text is the product id with the highest mention score, where each
``product`` entity of the extraction stage counts 1 and each ``product:<id>`` hit of the detection
lexicon counts its lexicon weight (1 for a name, 0.2-0.3 for an ambiguous word); ties go to the
product mentioned first. A row is correct when its main product is one of the
gold ``products``, or is a more specific kind of a gold product (``heroin`` is an ``opioid``:
markets file heroin under "Opioids"); a row with no product found counts as wrong. When no
product is mentioned at all, a dose in micrograms (``150ug``, ``100 mcg``) means LSD, the only
common street drug dosed in micrograms.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from vigie.analyse.normalise import normalise
from vigie.analyse.pipeline import Analyser
from vigie.model import LABELS, Analysis

__all__ = [
    "count_labelled",
    "evaluate_file",
    "evaluate_rows",
    "export_texts",
    "main_product",
    "read_jsonl",
]

BATCH = 2_000
# a product id -> the more generic ids it also counts as
_GENERIC: dict[str, tuple[str, ...]] = {"heroin": ("opioid",)}
_MICROGRAMS = re.compile(r"\d ?(?:ug|mcg|µg)\b")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON Lines file (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main_product(analyser: Analyser, text: str, analysis: Analysis) -> str | None:
    """The product id a text is mostly about, or None (see the module docstring)."""
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for entity in analysis.entities:
        if entity.type == "product":
            score[entity.value] = score.get(entity.value, 0.0) + 1.0
            first.setdefault(entity.value, entity.start)
    norm = normalise(text)
    for hit in analyser.matcher.find(norm.text):
        if hit.term.tag.startswith("product:"):
            value = hit.term.tag.split(":", 1)[1]
            # ambiguous names ("ice", "cheese") weigh less
            score[value] = score.get(value, 0.0) + hit.term.weight
            first.setdefault(value, norm.span(hit.start, hit.end)[0])
    if not score:
        return "lsd" if _MICROGRAMS.search(norm.text) else None
    return min(score, key=lambda value: (-score[value], first[value]))


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def evaluate_rows(
    rows: Sequence[dict[str, Any]], analyser: Analyser | None = None
) -> dict[str, Any]:
    """Per-label precision/recall/F1, micro and macro F1, any-label rate, product accuracy."""
    analyser = analyser or Analyser()
    tp: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    support: Counter[str] = Counter()
    any_label = 0
    product_rows = product_correct = 0
    for offset in range(0, len(rows), BATCH):
        chunk = rows[offset : offset + BATCH]
        texts = [str(row.get("text") or "") for row in chunk]
        for row, text, analysis in zip(chunk, texts, analyser(texts), strict=True):
            gold = set(row.get("labels") or []) & set(LABELS)
            guess = set(analysis.positive())
            any_label += bool(guess)
            support.update(gold)
            predicted.update(guess)
            tp.update(gold & guess)
            gold_products = row.get("products")
            if isinstance(gold_products, list) and gold_products:
                product_rows += 1
                guess_product = main_product(analyser, text, analysis)
                accepted = {guess_product, *_GENERIC.get(guess_product or "", ())}
                product_correct += bool(accepted & set(gold_products))
    labels: dict[str, dict[str, float | int]] = {}
    f1s: list[float] = []
    for label in LABELS:
        precision = _ratio(tp[label], predicted[label])
        recall = _ratio(tp[label], support[label])
        f1 = _ratio(2 * tp[label], predicted[label] + support[label])
        labels[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support[label],
            "predicted": predicted[label],
        }
        if support[label] or predicted[label]:
            f1s.append(f1)
    total_tp, total_predicted = sum(tp.values()), sum(predicted.values())
    result: dict[str, Any] = {
        "n": len(rows),
        "labels": labels,
        "micro_f1": _ratio(2 * total_tp, total_predicted + sum(support.values())),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "any_label_rate": _ratio(any_label, len(rows)),
    }
    if product_rows:
        result["products"] = {"n": product_rows, "accuracy": _ratio(product_correct, product_rows)}
    return result


def evaluate_file(path: Path, analyser: Analyser | None = None) -> dict[str, Any]:
    """:func:`evaluate_rows` over a JSON Lines file."""
    return evaluate_rows(read_jsonl(path), analyser)


def count_labelled(
    texts: Iterable[str], analyser: Analyser | None = None, batch_size: int = BATCH
) -> dict[str, Any]:
    """How many texts get any label (for corpora with no trafficking: exports, tweets …).

    Streams ``texts`` in batches (memory flat); returns ``{"n", "labelled", "rate", "labels"}``
    with the count per label.
    """
    analyser = analyser or Analyser()
    n = labelled = 0
    per_label: Counter[str] = Counter()
    batch: list[str] = []

    def flush() -> None:
        nonlocal n, labelled
        for analysis in analyser(batch):
            positive = analysis.positive()
            labelled += bool(positive)
            per_label.update(positive)
        n += len(batch)
        batch.clear()

    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return {"n": n, "labelled": labelled, "rate": _ratio(labelled, n), "labels": dict(per_label)}


_WHATSAPP_PREFIX = re.compile(
    r"^\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}:\d{2}(?::\d{2})?(?:\s?[APap]\.?[Mm]\.?)?\]?"
    r"(?: -|:)? (?:[^:]{1,60}: )?"
)


def _telegram_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_telegram_text(part) for part in value)
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return ""


def _telegram_messages(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if isinstance(data.get("messages"), list):
            yield from (m for m in data["messages"] if isinstance(m, dict))
        for key in ("chats", "left_chats"):
            section = data.get(key)
            if isinstance(section, dict):
                for chat in section.get("list") or []:
                    yield from _telegram_messages(chat)


def export_texts(path: Path) -> Iterator[str]:
    """Message texts of a raw export, for quick any-label counts: Telegram JSON or chat text.

    A ``.json`` file is read as a Telegram Desktop export (single chat or full account), other
    files as one message per line with any WhatsApp-style ``date, time - sender:`` prefix cut.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        for message in _telegram_messages(data):
            text = _telegram_text(message.get("text"))
            if text.strip():
                yield text
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            text = _WHATSAPP_PREFIX.sub("", line.strip())
            if text:
                yield text


if __name__ == "__main__":
    import sys

    shared = Analyser()
    for argument in sys.argv[1:]:
        target = Path(argument)
        if target.suffix == ".jsonl":
            report = evaluate_file(target, shared)
        else:
            report = count_labelled(export_texts(target), shared)
        print(json.dumps({"file": target.name, **report}, ensure_ascii=False))
