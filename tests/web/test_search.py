"""The regex prefilter: literals every match must contain (so the substring test is exact)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.web.search import required_literals

FRAGMENTS = [
    "a",
    "b",
    "ab",
    "=",
    r"\d+",
    r"\s*",
    "g",
    "(ab)?",
    "(?:c|d)",
    "x+",
    "[ab]",
    ".",
    "é",
    "(e)",
    "f{2}",
    "h*?",
    r"\b",
    "(?:ij)+",
]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\d+g\s*=\s*\d+", ["=", "g"]),
        ("livraison", ["livraison"]),
        ("a|b", []),
        ("(?i)abc", []),
        ("ab?c", ["a", "c"]),
        ("foo(bar)+baz", ["bar", "baz", "foo"]),
        (r"\bmenu\b.*prix", ["menu", "prix"]),
    ],
)
def test_required_literals(pattern: str, expected: list[str]) -> None:
    assert required_literals(pattern) == expected


@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6),
    st.text("abcdeghijx=é 0123f", max_size=30),
)
def test_every_match_contains_the_literals(parts: list[str], text: str) -> None:
    pattern = "".join(parts)
    match = re.search(pattern, text)
    if match:
        for literal in required_literals(pattern):
            assert literal in match.group(0), (pattern, text, literal)
