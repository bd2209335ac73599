"""Evaluation metrics on small fixtures whose figures are known by hand."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from vigie.analyse.evaluate import count_labelled, evaluate_file, evaluate_rows, export_texts
from vigie.analyse.lexicon import Term
from vigie.analyse.matcher import Matcher
from vigie.analyse.normalise import fold
from vigie.model import LABELS, Analysis, Entity, LabelScore


class KeywordAnalyser:
    """A stand-in analyser: a label fires when its name appears in the text."""

    def __init__(self) -> None:
        self.matcher = Matcher([Term("coke", fold("coke"), "product:cocaine", 1.0, "test")])
        self.seen: list[str] = []

    def __call__(self, texts: Sequence[str]) -> list[Analysis]:
        self.seen.extend(texts)
        out = []
        for text in texts:
            labels = tuple(
                LabelScore(label, 1.0 if label in text else 0.0, label in text) for label in LABELS
            )
            entities: tuple[Entity, ...] = ()
            if "weed" in text:
                entities = (
                    Entity(
                        "product",
                        "cannabis_herb",
                        "weed",
                        text.index("weed"),
                        text.index("weed") + 4,
                    ),
                )
            out.append(Analysis(labels, 0.0, (), entities))
        return out


ROWS = [
    {"text": "sale", "labels": ["sale"]},  # TP sale
    {"text": "sale violence", "labels": ["sale"]},  # TP sale, FP violence
    {"text": "nothing", "labels": ["sale"]},  # FN sale
    {"text": "violence", "labels": ["violence"]},  # TP violence
    {"text": "plain", "labels": []},  # TN
    {"text": "weed 10g", "labels": [], "products": ["cannabis_herb"]},  # product right
    {"text": "coke coke weed", "labels": [], "products": ["cannabis_herb"]},  # product wrong
    {"text": "no drug named", "labels": [], "products": ["mdma"]},  # no product: wrong
]


def test_per_label_figures_match_hand_counts() -> None:
    result = evaluate_rows(ROWS, KeywordAnalyser())  # type: ignore[arg-type]
    sale, violence = result["labels"]["sale"], result["labels"]["violence"]
    assert sale == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3, "predicted": 2}
    assert violence == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1, "predicted": 2}
    assert result["n"] == 8
    assert result["micro_f1"] == round(2 * 3 / (4 + 4), 4)
    assert result["macro_f1"] == round((0.8 + 0.6667) / 2, 4)
    assert result["any_label_rate"] == round(3 / 8, 4)
    assert result["products"] == {"n": 3, "accuracy": round(1 / 3, 4)}
    assert set(result["labels"]) == set(LABELS)


def test_never_shows_gold_labels_to_the_analyser() -> None:
    analyser = KeywordAnalyser()
    evaluate_rows([{"text": "plain", "labels": ["sale"], "products": ["mdma"]}], analyser)  # type: ignore[arg-type]
    assert analyser.seen == ["plain"]


def test_evaluates_a_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in ROWS) + "\n\n", encoding="utf-8")
    result = evaluate_file(path, KeywordAnalyser())  # type: ignore[arg-type]
    assert result["labels"]["sale"]["support"] == 3
    json.dumps(result)


def test_no_products_key_without_product_rows() -> None:
    result = evaluate_rows([{"text": "sale", "labels": ["sale"]}], KeywordAnalyser())  # type: ignore[arg-type]
    assert "products" not in result


def test_counts_labelled_texts_in_batches() -> None:
    texts = (t for t in ["sale", "plain", "violence sale", "x"] * 5)
    result = count_labelled(texts, KeywordAnalyser(), batch_size=3)  # type: ignore[arg-type]
    assert result == {"n": 20, "labelled": 10, "rate": 0.5, "labels": {"sale": 10, "violence": 5}}


def test_reads_telegram_and_chat_exports(tmp_path: Path) -> None:
    telegram = tmp_path / "result.json"
    telegram.write_text(
        json.dumps(
            {
                "chats": {
                    "list": [
                        {
                            "messages": [
                                {"text": "hello"},
                                {"text": ["a ", {"type": "bold", "text": "b"}]},
                            ]
                        }
                    ]
                },
                "messages": [{"text": ""}, {"text": "top"}],
            }
        ),
        encoding="utf-8",
    )
    assert sorted(export_texts(telegram)) == ["a b", "hello", "top"]
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "12/31/19, 10:15 PM - Ana: bonjour\n[01.02.24, 14:04:46] Bo: salut\nplain line\n",
        encoding="utf-8",
    )
    assert list(export_texts(chat)) == ["bonjour", "salut", "plain line"]


@pytest.mark.slow
def test_real_analyser_on_a_tiny_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    rows = [
        {
            "text": "🍫 Jaune mousseux 10g = 70€, livraison gratuite",
            "labels": ["sale", "promotion", "logistics"],
            "products": ["cannabis_resin"],
        },
        {"text": "Joyeux anniversaire !", "labels": []},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = evaluate_file(path)
    assert result["labels"]["sale"]["recall"] == 1.0
    assert result["products"]["accuracy"] == 1.0
    assert result["any_label_rate"] == 0.5
