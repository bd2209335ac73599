"""The shipped lexicon files and the multi-pattern matcher compiled from them."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from vigie.analyse.lexicon import (
    TAG_FAMILIES,
    LexiconError,
    Term,
    default_folder,
    load_lexicon,
    read_tsv,
)
from vigie.analyse.matcher import Matcher
from vigie.analyse.normalise import fold, normalise

FOLDER = default_folder()
OWN_FILES = sorted(p for p in FOLDER.glob("*.tsv") if p.name != "products.tsv")


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_every_file_names_its_sources(path: Path) -> None:
    sources, rows = read_tsv(path)
    assert sources, f"{path.name} needs a '# source:' line"
    assert rows, f"{path.name} is empty"


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_every_row_has_term_known_tag_and_weight(path: Path) -> None:
    _, rows = read_tsv(path)
    for cells in rows:
        assert len(cells) == 3, cells
        term, tag, weight = cells
        assert term.strip() and fold(term).strip(), cells
        assert tag.split(":", 1)[0] in TAG_FAMILIES, cells
        assert 0.0 < float(weight) <= 1.0, cells


def test_loads_every_file_with_a_version() -> None:
    lexicon = load_lexicon()
    assert len(lexicon.terms) > 2000
    assert lexicon.version.startswith("lex.") and len(lexicon.version) == 12
    assert {"sale.tsv", "context.tsv", "violence.tsv"} <= set(lexicon.sources)
    families = {term.family for term in lexicon.terms}
    assert {"sale", "role", "pay", "negation", "payment", "product"} <= families


def test_terms_are_stored_folded() -> None:
    for term in load_lexicon().terms:
        assert fold(term.folded) == term.folded, term


@pytest.mark.parametrize(
    ("text", "term", "tag"),
    [
        ("🍫 jaune mousseux dispo", "jaune mousseux", "product:cannabis_resin"),
        ("on recrute des guetteurs", "guetteur", "role:guetteur"),
        ("les keufs sont là", "keuf", "police_watch"),
        ("paiement PCS ou Transcash", "transcash", "payment:coupon"),
        ("canal de secours : t.me/x", "canal de secours", "channel_migration"),
        ("le parquet a ouvert une enquête", "parquet", "negation:news"),
        ("🔌 ton plug", "🔌", "sale:offer"),
    ],
)
def test_matcher_finds_terms_in_folded_text(text: str, term: str, tag: str) -> None:
    matcher = Matcher(load_lexicon().terms)
    hits = matcher.find(normalise(text).text)
    assert any(hit.term.tag == tag and hit.term.folded == fold(term) for hit in hits), hits


def _matcher(*terms: tuple[str, str]) -> Matcher:
    return Matcher([Term(t, fold(t), tag, 1.0, "test") for t, tag in terms])


def test_matcher_respects_word_edges_and_plurals() -> None:
    matcher = _matcher(("arme", "weapons"), ("menu", "sale:menu"))
    assert [h.term.text for h in matcher.find("des armes et le menu")] == ["arme", "menu"]
    assert matcher.find("une larme") == []
    assert matcher.find("armement") == []
    hit = matcher.find("nos menus")[0]
    assert (hit.start, hit.end) == (4, 9)


def test_matcher_keeps_the_longest_of_nested_matches() -> None:
    matcher = _matcher(("recrute", "recruitment"), ("on recrute", "recruitment"))
    hits = matcher.find("on recrute ici")
    assert [h.term.text for h in hits] == ["on recrute"]


def test_matcher_finds_squeezed_repeats() -> None:
    matcher = _matcher(("coke", "product:cocaine"))
    assert matcher.find(normalise("cooooooke dispo").text)


def test_matcher_pickles() -> None:
    matcher = Matcher(load_lexicon().terms)
    clone = pickle.loads(pickle.dumps(matcher))
    text = normalise("livraison gratuite, menu dispo").text
    assert [(h.start, h.end, h.term) for h in clone.find(text)] == [
        (h.start, h.end, h.term) for h in matcher.find(text)
    ]


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "nosource.tsv").write_text("term\ttag\tweight\nx\tsale\t1\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="E300"):
        load_lexicon(tmp_path)
    (tmp_path / "nosource.tsv").write_text("# source: test\nx\tnope\t1\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="E303"):
        load_lexicon(tmp_path)
    (tmp_path / "nosource.tsv").write_text("# source: test\nx\tsale\t7\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="E302"):
        load_lexicon(tmp_path)


def test_products_file_weights_follow_its_context_column(tmp_path: Path) -> None:
    (tmp_path / "products.tsv").write_text(
        "# source: test\nterm\tproduct_id\tkind\tcontext\n"
        "cocaine\tcocaine\tname\t\nherbe\tcannabis_herb\tslang\tctx\nc\tcocaine\tslang\tstrict\n",
        encoding="utf-8",
    )
    weights = {t.folded: (t.tag, t.weight) for t in load_lexicon(tmp_path).terms}
    assert weights == {"cocaine": ("product:cocaine", 1.0), "herbe": ("product:cannabis_herb", 0.3)}


def test_product_tags_use_canonical_ids() -> None:
    from vigie.model import PRODUCTS

    ids = {t.tag.split(":", 1)[1] for t in load_lexicon().terms if t.tag.startswith("product:")}
    assert ids <= set(PRODUCTS), ids - set(PRODUCTS)
