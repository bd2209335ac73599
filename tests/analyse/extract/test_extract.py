"""The extract() contract: spans, JSON attrs, never raising, linear time on hostile input."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.analyse.extract import extract
from vigie.analyse.normalise import normalise
from vigie.model import PRODUCTS

MENU_WORDS = st.sampled_from(
    ["🍫", "❄️", "Jaune", "coke", "10g", "=", "80€", "/", "5g", "la 25 à 150", "06 39 98 12 34",
     "snap:", "plug_13", "@menu13", "t.me/", "Marseille", "13015", "7h-23h", "𝐂𝐎𝐊𝐄", "x2", "\n",
     "1/8 oz", "$45", "guetteur", "150€/jour", "PCS", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", " "]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=300), st.lists(MENU_WORDS, max_size=40).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_spans_slice_the_original_text(text: str) -> None:
    for entity in extract(text):
        assert 0 <= entity.start <= entity.end <= len(text)
        assert text[entity.start : entity.end] == entity.text
        if entity.attrs is not None:
            assert isinstance(json.loads(entity.attrs), dict)
        if entity.type == "product":
            assert entity.value in PRODUCTS


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=500))
def test_never_raises_and_accepts_the_normalised_form(text: str) -> None:
    assert extract(text, normalise(text)) == extract(text)


def test_empty_text_gives_nothing_and_function_pickles() -> None:
    assert extract("") == []
    assert pickle.loads(pickle.dumps(extract))("coke 1g 70€")


def test_a_normalised_form_of_another_text_is_ignored() -> None:
    assert extract("coke 1g 70€", normalise("bonjour")) == extract("coke 1g 70€")


HOSTILE = {
    "menu_10000_lines": "'🍫 Jaune mousseux 10g = 80€ / 25g = 180€ 06 39 98 12 34\\n' * 10000",
    "emojis_1mb": "'🍫❄️💊🍄🔌' * 200_000",
    "digits_spaces_1mb": "'1 2 34 567 8 90 ' * 65_000",
    "digit_run_1mb": "'7' * 1_000_000",
    "dots_and_at_1mb": "'a.b@c.d/e:f ' * 80_000",
    "base58_1mb": "'1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN' * 30_000",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_finishes_in_bounded_time(name: str) -> None:
    # a subprocess with a hard limit: a catastrophic backtrack would hang, not fail
    code = textwrap.dedent(
        f"""
        import time
        from vigie.analyse.extract import extract, warm_up
        warm_up()
        text = {HOSTILE[name]}
        started = time.perf_counter()
        extract(text)
        print(time.perf_counter() - started)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert float(result.stdout.strip()) < 60


def _best_seconds(text: str) -> float:
    import time

    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        extract(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "c0k3 C 1g 70€ Marseille 13015 @plug_x t.me/y 06 39 98 12 34 x2 ",  # one endless line
        "🍫 Jaune 10g = 70€ / 25g = 150€ livraison Marseille\n",
        "la 25 à 150 guetteur 150€/jour ouvert 7h-23h PCS ",
    ],
)
def test_time_grows_linearly_with_length(unit: str) -> None:
    small, large = unit * 300, unit * 2400
    extract(small)
    t_small = max(_best_seconds(small), 1e-4)
    t_large = _best_seconds(large)
    assert t_large < 24 * t_small + 0.05, f"{t_small:.4f}s -> {t_large:.4f}s"
