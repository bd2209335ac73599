"""Parser-only throughput and peak memory of ``telegram_json`` on a large export.

Builds a single-chat Telegram Desktop export of N messages (default 1,000,000) in a temporary
folder by replicating the real full-account export in ../shared/data/exports/telegram/ (ids
shifted per copy), laid out exactly as Telegram Desktop writes it (one space per level), then
parses it in this process and prints JSON: messages, seconds, messages_per_s, peak_rss_mb,
rss_before_mb, file_mb. ``--generic`` times the ijson fallback instead of the fast path.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_ingest import build_export  # the same replicated export as the ingest figure

REPO = Path(__file__).resolve().parents[1]
SOURCE = (
    REPO.parent / "shared" / "data" / "exports" / "telegram" / "full_account_export_result.json"
)


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--generic", action="store_true", help="time the ijson fallback")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    from vigie.model import Message
    from vigie.sources import json_repair, telegram_json
    from vigie.sources.base import ParseContext

    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-telegram-"))
    try:
        export = tmp / "result.json"
        expected = build_export(export, args.n)
        before = rss_mb()
        ctx = ParseContext()
        count = 0
        started = time.perf_counter()
        if args.generic:
            original = json_repair.iter_pretty

            def refuse(*_: object) -> object:
                raise json_repair.LayoutMismatch

            telegram_json.iter_pretty = refuse  # type: ignore[assignment]
        try:
            for record in telegram_json.parse(export, ctx):
                count += isinstance(record, Message)
        finally:
            if args.generic:
                telegram_json.iter_pretty = original
        seconds = time.perf_counter() - started
        result = {
            "messages": count,
            "expected": expected,
            "seconds": round(seconds, 3),
            "messages_per_s": round(count / seconds),
            "peak_rss_mb": round(rss_mb(), 1),
            "rss_before_mb": round(before, 1),
            "file_mb": round(export.stat().st_size / 2**20, 1),
            "path": "generic" if args.generic else "fast",
        }
        print(json.dumps(result))
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
