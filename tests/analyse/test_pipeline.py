"""The Analyser stage contract: pickles, empty batch, idempotent, pure, order-preserving."""

from __future__ import annotations

import copy
import json
import pickle
import re
from pathlib import Path

import pytest

from vigie.analyse.batch import entities_of
from vigie.analyse.extract import extract
from vigie.analyse.extract.message import extract_all
from vigie.analyse.normalise import normalise
from vigie.analyse.pipeline import Analyser
from vigie.analyse.risk import risk
from vigie.model import LABELS, Analysis, LabelScore

BATCH = [
    "🔥 MENU 🔥\n🍫 Jaune mousseux 10g = 70€\n❄️ Coco 1g = 70€\n📲 snap: demo.plug",
    "On recrute des guetteurs, mineurs acceptés, 100€ la journée",
    "je vais te tuer à la sortie",
    "Joyeux anniversaire 🎉",
    "",
    "Saisie de 300 kg de cannabis selon le parquet",
]


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


def test_one_result_per_text_in_order(analyser: Analyser) -> None:
    results = analyser(BATCH)
    assert len(results) == len(BATCH)
    assert all(isinstance(r, Analysis) for r in results)
    singles = [analyser([text])[0] for text in BATCH]
    assert results == singles
    assert results[::-1] == analyser(BATCH[::-1])


def test_empty_batch_gives_empty_result(analyser: Analyser) -> None:
    assert analyser([]) == []


def test_same_input_same_output(analyser: Analyser) -> None:
    assert analyser(BATCH) == analyser(BATCH)


def test_input_is_not_mutated(analyser: Analyser) -> None:
    batch = list(BATCH)
    before = copy.deepcopy(batch)
    analyser(batch)
    assert batch == before


def test_pickles_and_gives_the_same_results(analyser: Analyser) -> None:
    clone = pickle.loads(pickle.dumps(analyser))
    assert clone.version == analyser.version
    assert clone(BATCH) == analyser(BATCH)


def test_version_names_model_and_lexicon(analyser: Analyser) -> None:
    assert re.fullmatch(r"detect\.v\d+\+lex\.[0-9a-f]{8}(\+extract\.v\d+)?", analyser.version)
    assert re.fullmatch(r"detect\.v\d+\+lex\.[0-9a-f]{8}", Analyser(extract=False).version)


def test_analyse_text_is_json_able(analyser: Analyser) -> None:
    result = analyser.analyse_text(BATCH[0])
    text = json.dumps(result, ensure_ascii=False)
    assert json.loads(text) == result
    assert "sale" in result["labels"]
    assert set(result["scores"]) == set(LABELS)
    for cue in result["cues"]["sale"]:
        assert 0 <= cue["start"] <= cue["end"] <= len(BATCH[0])
    assert result["risk"] > 0 and result["risk_reasons"]


def test_non_text_input_is_treated_as_empty(analyser: Analyser) -> None:
    results = analyser([None, 42])  # type: ignore[list-item]
    assert [r.positive() for r in results] == [[], []]


def test_extraction_failure_costs_only_that_message() -> None:
    def broken(text: str, norm: object) -> list:
        raise ValueError("boom")

    analyser = Analyser(extract=broken)
    with pytest.warns(RuntimeWarning, match="E320"):
        results = analyser(["🍫 10g 70€", "hello"])
    assert len(results) == 2 and results[0].entities == ()


def test_batch_extraction_equals_message_by_message(shared_data: Path) -> None:
    texts = list(BATCH)
    for path in sorted((shared_data / "labelled").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()][:300]
    norms = [normalise(text) for text in texts]
    assert extract_all(texts, norms) == [
        extract(t, n) if t else [] for t, n in zip(texts, norms, strict=True)
    ]


def test_a_failing_batch_extraction_is_redone_message_by_message() -> None:
    texts = ["🍫 10g 70€", "hello"]
    norms = [normalise(texts[0])]  # one missing: the batch fails, then only message 1
    with pytest.warns(RuntimeWarning, match="E320"):
        found = entities_of(extract, texts, norms)
    assert found == [extract(texts[0]), []]


def test_works_without_extraction() -> None:
    analyser = Analyser(extract=False)
    assert analyser.extract is None
    assert "sale" in analyser([BATCH[0]])[0].positive()


def test_risk_ranks_violence_minors_weapons_then_recruitment_then_sale(
    analyser: Analyser,
) -> None:
    sale, recruit, violence = analyser(
        [BATCH[0], "On recrute des charbonneurs, 150€/jour", BATCH[2]]
    )
    assert violence.risk > recruit.risk > sale.risk > analyser([BATCH[3]])[0].risk
    assert violence.risk_reasons[0].startswith("violence")


def _scores(**decided: float) -> tuple[LabelScore, ...]:
    return tuple(LabelScore(label, decided.get(label, 0.1), label in decided) for label in LABELS)


def test_risk_tiers_hold_for_any_scores() -> None:
    low_violence, _ = risk(_scores(violence=0.31))
    high_recruitment, _ = risk(_scores(recruitment=1.0))
    high_sale, _ = risk(_scores(sale=1.0))
    high_other, _ = risk(_scores(payment=1.0))
    nothing, reasons = risk(_scores())
    assert low_violence > high_recruitment > high_sale > high_other > nothing
    assert reasons == ()
    both, reasons = risk(_scores(violence=0.9, minors=0.9))
    assert both > risk(_scores(violence=0.9))[0]
    assert [r.split()[0] for r in reasons] == ["violence", "minors"]
