"""The shared pieces of extraction: compact_json against json.dumps."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vigie.analyse.extract.doc import compact_json

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6))
def test_compact_json_is_json_dumps_compact(attrs: dict[str, Any]) -> None:
    expected = json.dumps(attrs, ensure_ascii=False, separators=(",", ":"))
    assert compact_json(attrs) == expected


def test_compact_json_keeps_non_ascii_and_escapes_controls() -> None:
    assert compact_json({"term": "bédo 🍫", "n": 1.5, "x": None}) == (
        '{"term":"bédo 🍫","n":1.5,"x":null}'
    )
    assert compact_json({"t": 'a"\n\\'}) == '{"t":"a\\"\\n\\\\"}'
