"""Check that a change to the analysis changes no output: compare with another commit.

Builds a fixed corpus (every text of ../shared/data, the fictional French dealer messages of
``web_workspace.py``, obfuscated copies of them, random Unicode and a few huge inputs), runs the
analyser of the working tree and of ``--ref`` (checked out in a temporary git worktree) over it,
and compares, per text, labels, scores, cues, risk, entities and feature values and spans.
Prints JSON (``{"texts": N, "differing": K, ...}``) and exits 1 when anything differs. Speed work
on ``vigie.analyse`` must keep ``differing`` at 0; a deliberate change shows what it moved.

    python bench/analysis_parity.py --ref main
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# run in a child process, with PYTHONPATH set to the source tree under test
DUMP = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from vigie.analyse.pipeline import Analyser, analysis_to_dict
texts = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
analyser = Analyser()
featurise = analyser.featurise
rows = []
def keep_rows(batch, **kwargs):
    out = featurise(batch, **kwargs)
    rows.append(out[1])
    return out
analyser.featurise = keep_rows
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for i in range(0, len(texts), 1000):
        batch = texts[i : i + 1000]
        rows.clear()
        for result, row in zip(analyser(batch), rows[0]):
            item = analysis_to_dict(result, analyser.version)
            item["features"] = {str(k): round(v, 9) for k, v in enumerate(row.values) if v}
            item["spans"] = {k: [list(s) for s in v] for k, v in sorted(row.spans.items())}
            out.write(json.dumps(item, ensure_ascii=True, sort_keys=True) + "\n")
"""


def corpus(n_dealer: int) -> list[str]:
    """The fixed texts (deterministic: same seeds, same shared data)."""
    sys.path.insert(0, str(REPO / "bench"))
    import numpy as np

    import web_workspace as ww

    pools = ww.real_pools()
    texts = [text for pool in pools.values() for text in pool]
    rng = np.random.default_rng(11)
    dealer = ww.Dealer(rng)
    cities = ["Marseille", "Paris 18", "Lyon", "Lille", "Grenoble", "Nîmes", "Saint-Denis 93"]
    zones = ["la Castellane", "Félix-Pyat", "Mas du Taureau", "Villeneuve", "Pissevin"]
    made = []
    for i in range(n_dealer):
        products = list(rng.choice(list(ww.PRODUCTS), int(rng.integers(1, 4)), replace=False))
        made.append(dealer.message(cities[i % len(cities)], zones[i % len(zones)], products))
    texts += made
    draw = random.Random(5)
    bold = {c: chr(0x1D41A + ord(c) - 97) for c in "abcdefghijklmnopqrstuvwxyz"}
    wide = {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyz0123456789"}
    small = dict(zip("acdehijklmnoprstuvwyz", "ᴀᴄᴅᴇʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", strict=True))
    cyrillic = dict(zip("aceopxyk", "асеорхук", strict=True))
    leet = dict(zip("aeiost", "4310$7", strict=True))
    for text in made[:6000] + pools["listings"][:1500] + pools["teen_fr"][:1500]:
        kind = draw.randrange(8)
        if kind < 5:
            table = (bold, wide, small, cyrillic, leet)[kind]
            texts.append("".join(table.get(c, c) if draw.random() < 0.7 else c for c in text))
        elif kind == 5:
            words = text.split(" ")
            k = draw.randrange(len(words))
            words[k] = draw.choice([".", " ", "🍫", "-"]).join(words[k])
            texts.append(" ".join(words))
        elif kind == 6:
            texts.append("".join(c + ("\u200b" if draw.random() < 0.2 else "") for c in text))
        else:
            texts.append(text.replace("o", "ooooo").upper() + " \u202e" + text[::-1])
    alphabet = (
        "abcdefghijklmnopqrstuvwxyz0123456789 .,:;-/€$£@#%+()\n'xXgG🍫❄️🌿💊🔌🇫🇷\u200d\u0301éèàç𝐂ｃᴄ"
    )
    for _ in range(4000):
        texts.append("".join(draw.choice(alphabet) for _ in range(draw.randrange(200))))
    menu = "\n".join(dealer.price_line(draw.choice(list(ww.PRODUCTS))) for _ in range(600))
    texts += [menu, "", " ", "🍫" * 3000, "\ud800abc\udfff", "1" * 5000, "10g " * 2000]
    return texts


def dump(src: Path, texts_path: Path, out: Path) -> None:
    """Analyse the corpus with the package under ``src`` (its compiled build if current)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    subprocess.run([sys.executable, "-c", DUMP, texts_path, out], check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="HEAD", help="commit to compare with (default HEAD)")
    parser.add_argument("--dealer", type=int, default=25_000, help="fictional dealer messages")
    parser.add_argument("--show", type=int, default=5, help="differing texts to print")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigie-parity-") as tmp:
        folder = Path(tmp)
        texts = corpus(args.dealer)
        texts_path = folder / "texts.jsonl"
        with texts_path.open("w", encoding="utf-8") as handle:
            for text in texts:
                handle.write(json.dumps(text) + "\n")
        print(
            f"analysing {len(texts):,} texts with {args.ref} and the working tree", file=sys.stderr
        )
        ref_tree = folder / "ref"
        git = ["git", "-C", str(REPO), "worktree"]
        subprocess.run([*git, "add", "--detach", "-q", str(ref_tree), args.ref], check=True)
        try:
            dump(ref_tree / "src", texts_path, folder / "ref.jsonl")
        finally:
            subprocess.run([*git, "remove", "--force", str(ref_tree)], check=True)
        dump(REPO / "src", texts_path, folder / "new.jsonl")
        differing = []
        with (
            (folder / "ref.jsonl").open(encoding="utf-8") as ref,
            (folder / "new.jsonl").open(encoding="utf-8") as new,
        ):
            for i, (a, b) in enumerate(zip(ref, new, strict=True)):
                if a != b:
                    differing.append(i)
    report: dict[str, object] = {"ref": args.ref, "texts": len(texts), "differing": len(differing)}
    if differing:
        report["examples"] = [texts[i][:200] for i in differing[: args.show]]
    print(json.dumps(report, ensure_ascii=False))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
