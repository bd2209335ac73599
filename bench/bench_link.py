"""Benchmark of the link stage (graph build, MinHash clustering, successors, communities).

Builds workspaces of 250k, 500k and 1M messages — real public text from ../shared/data
(listing titles and descriptions, French tweets and chats), replicated, mixed with French menus
written for Vigie whose prices and lines vary — with an analysis written directly (labels,
phones, handles, places), then times ``link_workspace`` in a fresh process and reports its peak
memory. Prints one JSON object; ``per_message_us`` staying flat across sizes means linear cost.

    python bench/bench_link.py [--sizes 250000,500000,1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "labelled"
CHANNEL_SIZE = 2_000  # messages per channel
MENU = [
    "🍫 MENU DU JOUR 🍫", "🟡 Jaune mousseux {a}g = {p}€", "🥦 Amnesia {b}g = {q}€", "❄️ Coco 1g = {c}€",
    "🚚 Livraison gratuite {city} dès 50€", "🎁 Carte fidélité : 10 achats = 1 pochon offert",
    "⏰ Ouvert de {h}h à minuit", "📲 Commande par message privé", "💶 Paiement cash ou PCS",
    "🔥 Frappe du moment, quantité limitée", "🛵 Livreur dispo sur {city} et alentours",
]  # fmt: skip
STRAINS = [
    "amnesia",
    "gelato",
    "zkittlez",
    "purple",
    "haze",
    "lemon",
    "cheese",
    "kush",
    "widow",
    "critical",
    "skunk",
    "charas",
    "filtre",
    "pollen",
    "mousseux",
    "jaune",
    "plaquette",
    "olive",
    "cali",
    "runtz",
    "gorilla",
    "glue",
    "zoulou",
    "bleue",
    "mango",
    "tropical",
    "diesel",
    "orange",
    "sherbet",
    "caramel",
]
WORDS = [
    "frappe",
    "qualite",
    "garantie",
    "livraison",
    "rapide",
    "discret",
    "fiable",
    "equipe",
    "dispo",
    "nuit",
    "jour",
    "week-end",
    "quartier",
    "centre",
    "gare",
    "nord",
    "sud",
    "arrivage",
    "frais",
    "premium",
    "top",
    "exclusif",
    "promo",
    "bonus",
    "cadeau",
    "fidele",
    "client",
    "serieux",
    "efficace",
]
CITIES = ["Marseille", "Lyon", "Nîmes", "Grenoble", "Toulouse", "Lille", "Rennes", "Nantes"]
INSEE = ["13055", "69123", "30189", "38185", "31555", "59350", "35238", "44109"]


def real_texts() -> list[str]:
    texts = []
    for name in (
        "listings_en.jsonl",
        "listings_contacts_en.jsonl",
        "tweets_fr.jsonl",
        "teen_chat_fr.jsonl",
    ):
        with (SHARED / name).open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle]
    return texts


def menu(rng: np.random.Generator, operator: int) -> str:
    local = np.random.default_rng(operator)  # an operator keeps its own menu layout
    lines = [MENU[i] for i in sorted(local.choice(len(MENU), size=7, replace=False))]
    lines += [" ".join(local.choice(STRAINS, size=3)) + " {p}€" for _ in range(3)]
    lines += [" ".join(local.choice(WORDS, size=8))]
    local.shuffle(lines)
    lines = [ln for ln in lines if rng.random() > 0.1]  # a line dropped now and then
    city = CITIES[operator % len(CITIES)]
    values = {"a": int(rng.integers(5, 30)), "p": int(rng.integers(40, 250)), "b": int(rng.integers(3, 20)),
              "q": int(rng.integers(30, 200)), "c": int(rng.integers(50, 90)), "city": city,
              "h": int(rng.integers(7, 14))}  # fmt: skip
    return f"op{operator} " + "\n".join(lines).format(**values)


def build(root: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from vigie.model import LABELS
    from vigie.store.schema import ANALYSES, ENTITIES, MESSAGES
    from vigie.store.workspace import Workspace

    rng = np.random.default_rng(7)
    pool = real_texts()
    ws = Workspace.init(root)
    channels = max(2, n // CHANNEL_SIZE)
    txn = ws.lake.begin()
    start = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        idx = np.arange(lo, hi)
        channel = idx % channels
        is_menu = rng.random(hi - lo) < 0.4
        texts = [
            menu(rng, int(c) // 2) if m else pool[int(rng.integers(len(pool)))]
            for c, m in zip(channel, is_menu, strict=True)
        ]
        # channel c is active during its own slice of the year: successors appear naturally
        offset = (channel % 50) * 6 * 86400 + rng.integers(0, 20 * 86400, hi - lo)
        dates = [datetime.fromtimestamp(start + float(o), UTC) for o in offset]
        keys = [f"telegram:{c}:{i}" for c, i in zip(channel, idx, strict=True)]
        cols = {name: pa.nulls(hi - lo, MESSAGES.field(name).type) for name in MESSAGES.names}
        cols.update(
            msg_key=pa.array(keys), platform=pa.array(["telegram"] * (hi - lo)),
            channel_id=pa.array([str(c) for c in channel]), message_id=pa.array([str(i) for i in idx]),
            date=pa.array(dates, MESSAGES.field("date").type), text=pa.array(texts),
            sender=pa.array([f"canal {c}" if m else f"user{int(rng.integers(50_000))}"
                             for c, m in zip(channel, is_menu, strict=True)]),
            kind=pa.array(["message"] * (hi - lo)), channel_name=pa.array([f"canal {c}" for c in channel]),
        )  # fmt: skip
        txn.write_table("messages", pa.table(cols, schema=MESSAGES))
        acols: dict[str, pa.Array] = {
            "msg_key": pa.array(keys), "version": pa.array(["bench"] * (hi - lo)),
            "labels": pa.array([["sale", "logistics"] if m else [] for m in is_menu], pa.list_(pa.string())),
            "risk": pa.array(np.where(is_menu, 0.6, 0.0), pa.float32()),
            "risk_reasons": pa.array([[]] * (hi - lo), pa.list_(pa.string())),
            "cues": pa.nulls(hi - lo, pa.string()), "run_id": pa.array(["bench"] * (hi - lo)),
        }  # fmt: skip
        for label in LABELS:
            acols[f"score_{label}"] = pa.array(np.where(is_menu, 0.9, 0.01), pa.float32())
        txn.write_table(
            "analyses", pa.table({k: acols[k] for k in ANALYSES.names}, schema=ANALYSES)
        )
        ent_keys, types, values = [], [], []
        for key, c, m in zip(keys, channel, is_menu, strict=True):
            if not m:
                continue
            op = int(c) // 2  # two channels per operator share a phone and a handle
            ent_keys += [key, key, key]
            types += ["phone", "handle", "place"]
            values += [f"+3361{op:07d}", f"snapchat:plug{op}", INSEE[op % len(INSEE)]]
        m = len(ent_keys)
        ecols = {name: pa.nulls(m, ENTITIES.field(name).type) for name in ENTITIES.names}
        ecols.update(msg_key=pa.array(ent_keys), version=pa.array(["bench"] * m), type=pa.array(types),
                     value=pa.array(values), text=pa.array(values))  # fmt: skip
        txn.write_table("entities", pa.table(ecols, schema=ENTITIES))
    now = datetime.now(UTC)
    txn.write_rows("analysis_runs", [{"run_id": "bench", "started_at": now, "finished_at": now,
                                      "version": "bench", "messages": n}])  # fmt: skip
    txn.commit()


def link(root: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "src"))
    from vigie.link import link_workspace
    from vigie.store.workspace import Workspace

    started = time.perf_counter()
    counts = link_workspace(Workspace.open(root))
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **counts.to_dict(),
        "total_seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_kib / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250000,500000,1000000")
    parser.add_argument("--step", choices=["build", "link"], help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":
        build(Path(args.root), args.n)
        return
    if args.step == "link":
        print(json.dumps(link(Path(args.root)), default=str))
        return
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            t = time.perf_counter()
            run = [sys.executable, __file__, "--root", str(root), "--n", str(n)]
            subprocess.run([*run, "--step", "build"], check=True)
            built = time.perf_counter() - t
            out = subprocess.run(
                [*run, "--step", "link"], check=True, capture_output=True, text=True
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result.update(n=n, build_seconds=round(built, 1),
                          per_message_us=round(1e6 * float(result["total_seconds"]) / n, 2))  # fmt: skip
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
    print(json.dumps({"benchmark": "link", "results": results}, indent=1))


if __name__ == "__main__":
    main()
