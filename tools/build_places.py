"""Rebuild ``src/vigie/analyse/lexicon/places/communes.tsv.gz`` from the official Etalab data.

Usage (network to the npm registry needed once)::

    mkdir /tmp/etalab && cd /tmp/etalab && npm pack @etalab/decoupage-administratif \\
        && tar xzf etalab-decoupage-administratif-*.tgz
    python tools/build_places.py /tmp/etalab/package/data

Input: ``communes.json`` and ``departements.json`` of the npm package
``@etalab/decoupage-administratif`` (data under Licence Ouverte / Etalab 2.0, INSEE COG and the
La Poste postcode base). Output rows (tab-separated, gzip): ``kind code name departement
postcodes population common`` with kind ``c`` (commune), ``a`` (arrondissement municipal of
Paris, Lyon, Marseille) or ``d`` (département).

``common`` is 1 when a one-word name is also an ordinary French or English word ("Orange",
"Plan", "Sept", "Nice", "Tours"), decided with the Hunspell dictionaries of Debian's
``hunspell-fr-classical``/``hunspell-en-us`` (lower-case entries) and, when installed, the
``wordfreq`` package (English Zipf frequency >= 3.5); the extractor then asks for a capital
letter and a place preposition before accepting such a name. Both are build-time helpers only.
"""

from __future__ import annotations

import gzip
import json
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/vigie/analyse/lexicon/places/communes.tsv.gz"
HUNSPELL = ("/usr/share/hunspell/fr_FR.dic", "/usr/share/hunspell/en_US.dic")
# inflected forms the dictionaries list only under their lemma
EXTRA_COMMON = {
    "vienne", "grasse", "belle", "tours", "lens", "sens", "mars", "vire", "condom", "sete",
    "marine", "plaisance", "valence", "ars", "die", "bar", "pin", "rue", "mer", "ver", "bus",
    "job", "son", "ham", "pis", "ris", "vue", "sus", "don", "pia", "eu", "y", "sept", "orange",
    "plan", "nice", "fos", "lux", "apt", "gap", "bio", "our", "dry", "rom", "ore", "oz", "us",
}  # fmt: skip


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _dictionary_words() -> tuple[set[str], set[str]]:
    """Lower-case words and capitalised (proper) names of the Hunspell dictionaries."""
    words: set[str] = set()
    proper: set[str] = set()
    for path in HUNSPELL:
        try:
            lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            print(f"warning: {path} missing (apt-get install hunspell-fr-classical hunspell-en-us)")
            continue
        for line in lines[1:]:
            word = line.split("/", 1)[0].split("\t", 1)[0].strip()
            if word and word[0].islower():
                words.add(_plain(word))
            elif word and word[0].isupper():
                proper.add(_plain(word))
    return words, proper


def _is_common(name: str, lower_words: set[str], proper: set[str]) -> bool:
    plain = _plain(name)
    if not plain.isalpha():
        return False  # several words: "Saint-Denis", "La Chapelle"
    if plain in EXTRA_COMMON or plain in lower_words or len(plain) <= 2:
        return True
    if plain in proper:
        return False  # "Paris", "Lyon", "Bordeaux": a name first, whatever English says
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return False
    return zipf_frequency(plain, "en") >= 3.5


def build(data: Path, out: Path = OUT) -> int:
    """Write the derived file; returns the number of rows."""
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    departements = json.loads((data / "departements.json").read_text(encoding="utf-8"))
    lower_words, proper = _dictionary_words()
    rows: list[str] = []
    for dep in departements:
        common = int(_is_common(dep["nom"], lower_words, proper))
        rows.append(f"d\t{dep['code']}\t{dep['nom']}\t{dep['code']}\t\t0\t{common}")
    for commune in communes:
        kind = {"commune-actuelle": "c", "arrondissement-municipal": "a"}.get(commune["type"])
        if kind is None:
            continue
        postcodes = " ".join(sorted(set(commune.get("codesPostaux") or [])))
        population = int(commune.get("population") or 0)
        common = int(kind == "c" and _is_common(commune["nom"], lower_words, proper))
        rows.append(
            f"{kind}\t{commune['code']}\t{commune['nom']}\t{commune['departement']}\t"
            f"{postcodes}\t{population}\t{common}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    header = "kind\tcode\tname\tdepartement\tpostcodes\tpopulation\tcommon\n"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write(header + "\n".join(rows) + "\n")
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/build_places.py PATH/TO/package/data")
    count = build(Path(sys.argv[1]))
    print(f"wrote {count} rows to {OUT} ({OUT.stat().st_size} bytes)")
