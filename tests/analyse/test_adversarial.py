"""Bad input: no crash, bounded time, linear in length (a quadratic pattern fails the test)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from vigie.analyse.normalise import normalise
from vigie.analyse.pipeline import Analyser


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    analyser = Analyser()
    analyser(["warm up 10g 70€ @handle t.me/x"])  # build lazy resources outside the timings
    return analyser


HOSTILE: dict[str, str] = {
    "empty": "",
    "emoji_megabyte": "😀👍🏽🇫🇷❄️" * 60_000,
    "zwj_sequences": "👨\u200d👩\u200d👧\u200d👦" * 20_000,
    "lone_surrogates": "\ud800abc\udfff" * 20_000,
    "rtl_and_zero_width": "\u202ec\u200bo\u200dk\u200ee\u2066 menu \u2069\ufeff" * 20_000,
    "menu_10000_lines": "🍫 Jaune mousseux 10g = 70€ / 20g = 130€ 🛵 livraison\n" * 10_000,
    "leet_run": "a1" * 200_000,
    "split_letters": "c." * 200_000,
    "spaced_letters": "a b " * 100_000,
    "repeated_letter": "o" * 500_000,
    "digits": "0" * 500_000,
    "spaced_numbers": "1 " * 200_000,
    "threat_prefixes": "je vais te " * 50_000,
    "at_signs": "@" * 300_000,
    "newlines": "\n" * 300_000,
    "control_chars": "\x00\x01\x1f\x7f" * 100_000,
    "combining_marks": "e" + "\u0301" * 300_000,
    "regional_indicators": "🇦" * 100_000,
    "thousand_separators": "3.257.248 joueurs, 10.000.000 vues, 1,234,567.89$ " * 10_000,
}


@pytest.mark.timeout(120)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # E320: an extractor failed, text kept
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_analysed_quickly(analyser: Analyser, name: str) -> None:
    text = HOSTILE[name]
    started = time.perf_counter()
    result = analyser([text])[0]
    elapsed = time.perf_counter() - started
    assert len(result.labels) == 14
    for entity in result.entities:
        assert 0 <= entity.start <= entity.end <= len(text)
    for label in result.labels:
        for cue in label.cues:
            assert 0 <= cue.start <= cue.end <= len(text)
    assert elapsed < 20, f"{name}: {elapsed:.1f}s"


def _seconds(function: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return best


GROWTH = {
    "leet_run": lambda n: "a1" * n,
    "split_letters": lambda n: "c." * n,
    "spaced_letters": lambda n: "a b " * (n // 2),
    "threat_prefixes": lambda n: "je vais te " * (n // 5),
    "menu_lines": lambda n: "🍫 Jaune 10g = 70€\n" * (n // 10),
    "spaced_numbers": lambda n: "1 " * n,
    "zero_width": lambda n: "c\u200bo\u200b" * (n // 2),
    "mixed": lambda n: "c0k3 c.o.k.e cooooke 🅲🅾🅺🅴 10g 70€ @x t.me/y " * (n // 40),
}


@pytest.fixture(scope="module")
def stages(analyser: Analyser) -> dict[str, Callable[[str], object]]:
    detector = Analyser(extract=False)
    return {
        "normalise": normalise,
        "detect": lambda text: detector([text]),  # normalise + lexicon + features + model
        "full": lambda text: analyser([text]),  # the above + extraction + risk
    }


@pytest.mark.timeout(180)
@pytest.mark.parametrize("stage", ["normalise", "detect", "full"])
@pytest.mark.parametrize("name", list(GROWTH))
def test_time_grows_linearly_with_length(
    stages: dict[str, Callable[[str], object]], stage: str, name: str
) -> None:
    make = GROWTH[name]
    small, large = make(20_000), make(160_000)
    function = stages[stage]
    t_small = max(_seconds(function, small), 1e-4)
    t_large = _seconds(function, large)
    # 8x the text: linear code takes ~8x; a quadratic pattern would take ~64x
    assert t_large < 24 * t_small + 0.05, f"{stage}/{name}: {t_small:.4f}s -> {t_large:.4f}s"
