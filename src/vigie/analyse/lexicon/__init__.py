"""The lexicon: term lists shipped as TSV files in this folder, loaded into :class:`Term` rows.

Every ``*.tsv`` file starts with ``#`` comment lines, at least one of them ``# source: …`` naming
where the list comes from, then a ``term<TAB>tag<TAB>weight`` header and one row per term. Tags
are ``<label>`` or ``<label>:<detail>`` (``sale:menu``, ``role:guetteur``, ``payment:pcs``,
``negation:news``); the weight in (0, 1] says how strongly the term alone points to its tag.

``products.tsv`` (written by the extraction stage) has rows ``term<TAB>product_id[<TAB>kind<TAB>
context]``; it is read as tag ``product:<id>``, so product names count as sale evidence too, with a
weight from its columns: 1.0 for a name or variety, 0.8 for slang, 0.4 for an emoji, 0.3 when the
term only means a drug in drug context (``ctx``); ``strict`` terms (``C``, ``H``: a capital right
next to a quantity) are left to the extraction stage. Terms are stored folded with
:func:`vigie.analyse.normalise.fold`, the same folding the text gets.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vigie.analyse.normalise import fold
from vigie.model import LABELS

__all__ = [
    "TAG_FAMILIES",
    "Lexicon",
    "LexiconError",
    "Term",
    "load_lexicon",
    "read_tsv",
]

PRODUCTS_FILE = "products.tsv"

# The first component of every tag must be one of these (labels, then non-label families).
TAG_FAMILIES: frozenset[str] = frozenset(
    {
        *LABELS,
        "role",
        "pay",
        "product",
        "negation",
    }
)


class LexiconError(ValueError):
    """A lexicon file is malformed (message says file, line and what to fix)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon row: the term as written, its folded form, tag, weight and file."""

    text: str
    folded: str
    tag: str
    weight: float
    file: str

    @property
    def family(self) -> str:
        """``role`` for ``role:guetteur``, ``sale`` for ``sale:menu``."""
        return self.tag.split(":", 1)[0]


@dataclass(frozen=True)
class Lexicon:
    """All terms, each file's ``# source:`` lines, and a version from the files' hash."""

    terms: tuple[Term, ...]
    sources: dict[str, tuple[str, ...]]
    version: str

    def tags(self) -> list[str]:
        """Every distinct tag, sorted."""
        return sorted({term.tag for term in self.terms})


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    """The ``# source:`` lines and the data rows (header row dropped) of one TSV file."""
    sources: list[str] = []
    rows: list[list[str]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                continue
            if line.startswith("#"):
                comment = line[1:].strip()
                if comment.lower().startswith("source:"):
                    sources.append(comment.split(":", 1)[1].strip())
                continue
            cells = line.split("\t")
            if not rows and cells[0].strip().lower() == "term":
                continue  # header row
            rows.append(cells)
    return sources, rows


def _parse_rows(name: str, rows: list[list[str]]) -> list[Term]:
    terms: list[Term] = []
    for number, cells in enumerate(rows, start=1):
        if name == PRODUCTS_FILE:
            if len(cells) < 2 or not cells[1].strip():
                raise LexiconError(f"E301 {name} row {number}: expected term<TAB>product_id")
            weight = _product_weight(cells)
            if weight == 0.0:
                continue
            tag = f"product:{cells[1].strip()}"
        else:
            if len(cells) != 3:
                raise LexiconError(
                    f"E301 {name} row {number}: expected term<TAB>tag<TAB>weight, got {cells!r}"
                )
            tag = cells[1].strip()
            try:
                weight = float(cells[2])
            except ValueError:
                raise LexiconError(
                    f"E302 {name} row {number}: weight {cells[2]!r} is not a number"
                ) from None
            if not 0.0 < weight <= 1.0:
                raise LexiconError(f"E302 {name} row {number}: weight must be in (0, 1]")
        if tag.split(":", 1)[0] not in TAG_FAMILIES:
            raise LexiconError(
                f"E303 {name} row {number}: unknown tag {tag!r}; "
                f"use one of {sorted(TAG_FAMILIES)} (optionally with ':detail')"
            )
        text = cells[0].strip()
        folded = fold(text).strip()
        if folded:
            terms.append(Term(text, folded, tag, weight, name))
    return terms


def _product_weight(cells: list[str]) -> float:
    """Evidence weight of a products.tsv row from its kind and context columns (0: skip)."""
    kind = cells[2].strip() if len(cells) > 2 else "name"
    context = cells[3].strip() if len(cells) > 3 else ""
    if context == "strict":
        return 0.0
    if context:
        return 0.3
    return {"name": 1.0, "variety": 1.0, "slang": 0.8, "emoji": 0.4}.get(kind, 0.6)


def _lexicon_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.tsv") if path.is_file())


def default_folder() -> Path:
    """The folder of the shipped lexicon (this package)."""
    return Path(str(resources.files(__name__)))


def load_lexicon(folder: Path | None = None, *, include_products: bool = True) -> Lexicon:
    """Read every TSV file of ``folder`` (default: the shipped lexicon) into a :class:`Lexicon`.

    Raises :class:`LexiconError` when a file lacks a ``# source:`` line or has a bad row.
    """
    folder = folder or default_folder()
    digest = hashlib.sha256()
    terms: list[Term] = []
    sources: dict[str, tuple[str, ...]] = {}
    for path in _lexicon_files(folder):
        if path.name == PRODUCTS_FILE and not include_products:
            continue
        file_sources, rows = read_tsv(path)
        if not file_sources and path.name != PRODUCTS_FILE:
            raise LexiconError(f"E300 {path.name}: add a '# source: …' comment line")
        sources[path.name] = tuple(file_sources)
        terms.extend(_parse_rows(path.name, rows))
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Lexicon(tuple(terms), sources, f"lex.{digest.hexdigest()[:8]}")
