"""The read index: built from the lake, rebuilt in the background when the lake changes, and
the shared queries over it (review order, search filters, highlighting)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.act.conftest import Fixture, analysed, key  # noqa: F401  (fixture)
from tests.helpers import jsonl_rows, write_jsonl
from vigie.sources.ingest import ingest
from vigie.web import queries as q
from vigie.web import search as search_mod
from vigie.web.highlight import highlight
from vigie.web.index import Index, _fold_sql, fold, index_path
from vigie.web.render import defuse, highlighted


def test_index_mirrors_the_lake_and_follows_it(analysed: Fixture, tmp_path: Path) -> None:  # noqa: F811
    ws = analysed.ws
    index = Index(ws)
    index.ensure()
    assert index_path(ws).exists()
    with index.cursor() as cur:
        before = cur.execute("SELECT count(*) FROM items").fetchone()[0]
        lake = ws.lake.connect()
        assert before == lake.execute("SELECT count(*) FROM messages").fetchone()[0]
        queue = q.review_queue(cur, [])["items"]
    assert queue and [i["risk"] for i in queue] == sorted((i["risk"] for i in queue), reverse=True)
    index.refresh()  # nothing changed: no rebuild
    assert not index.building
    ingest(
        ws, [write_jsonl(tmp_path / "more.jsonl", jsonl_rows(5, "canal-neuf"))], fmt="generic_jsonl"
    )
    index.refresh()
    deadline = time.monotonic() + 60
    while index.building and time.monotonic() < deadline:
        time.sleep(0.05)
    assert index.error is None
    with index.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM items").fetchone()[0] == before + 5
    index.close()


def test_search_and_review_skip_reviewed(analysed: Fixture) -> None:  # noqa: F811
    index = Index(analysed.ws)
    index.ensure()
    with index.cursor() as cur:
        first = q.review_queue(cur, [])["items"][0]["msg_key"]
        rest = q.review_queue(cur, [first])["items"]
        assert first not in {i["msg_key"] for i in rest}
        hits = search_mod.search(cur, search_mod.SearchQuery(q="GENÊTS", per_page=2))
        assert hits["total"] >= 1 and len(hits["items"]) <= 2
        phrase = search_mod.search(cur, search_mod.SearchQuery(q='"livraison gratuite"'))
        assert all("livraison gratuite" in i["text"].lower() for i in phrase["items"])
        message = q.message(cur, key("10"))
        assert message is not None and message["entities"]
    index.close()


@pytest.mark.parametrize(
    "text", ["Genêts BLEUS à Marseille", "Ça GÈRE à Nîmes, où ?", "Éclair ñ ü ï ÿ", "coke 🍫 10g"]
)
def test_fold_matches_the_index_folding(text: str) -> None:
    """Search terms are folded in Python, the indexed text in DuckDB: both must agree."""
    in_sql = duckdb.connect().execute(f"SELECT {_fold_sql('?')}", [text]).fetchall()
    assert fold(text) == in_sql[0][0]
    assert fold("Genêts BLEUS à Marseille") == "genets bleus a marseille"


def test_highlighted_escapes_every_segment() -> None:
    text = "<script>x</script> 10g = 80€ <img onerror=y>"
    cues = {"sale": [["10g = 80€", 19, 28, "pattern", 1.0]]}
    html = str(highlighted(text, cues))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark class="cue cue-sale">10g = 80€</mark>' in html
    assert "<img" not in html


@given(
    st.text(max_size=60), st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6)
)
def test_highlight_keeps_the_text_whatever_the_spans(
    text: str, spans: list[tuple[int, int]]
) -> None:
    cues = {"sale": [["t", a, b, "lexicon", 1.0] for a, b in spans]}
    segments = highlight(text, cues)
    assert "".join(s for s, _ in segments) == text


def test_bidi_controls_are_shown_not_applied() -> None:
    assert defuse("a\u202eb\u2066c") == "a⟪U+202E⟫b⟪U+2066⟫c"
    assert defuse("plain") == "plain"
