"""Ingest throughput and peak memory on a large Telegram export.

Builds a single-chat Telegram Desktop export of N messages (default 1,000,000) by replicating the
real full-account export in ../shared/data/exports/telegram/ (message ids shifted per copy so
every message is new), then runs `vigie ingest --json` on it in a child process pinned to one
core, and prints JSON: messages, seconds, messages_per_s, peak_rss_mb, file_mb.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = (
    REPO.parent / "shared" / "data" / "exports" / "telegram" / "full_account_export_result.json"
)


def build_export(target: Path, n: int) -> int:
    """Write a Telegram-style pretty-printed export of ``n`` messages; returns the count."""
    data = json.loads(SOURCE.read_text(encoding="utf-8"))
    chat = data["chats"]["list"][0]
    messages = chat["messages"]
    step = 10 ** len(str(max(m["id"] for m in messages)))
    written = 0
    with target.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Bench channel",\n "type": "public_channel",\n "id": 1000001,\n')
        out.write(' "messages": [\n')
        copy = 0
        while written < n:
            for message in messages:
                if written >= n:
                    break
                shifted = dict(message, id=message["id"] + copy * step)
                if isinstance(shifted.get("reply_to_message_id"), int):
                    shifted["reply_to_message_id"] += copy * step
                text = json.dumps(shifted, ensure_ascii=False, indent=1)
                out.write(("  " if written == 0 else ",\n  ") + text.replace("\n", "\n  "))
                written += 1
            copy += 1
        out.write("\n ]\n}\n")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vigie-bench-ingest-"))
    try:
        export = tmp / "result.json"
        count = build_export(export, args.n)
        vigie = [sys.executable, "-m", "vigie.cli", "ingest", "--json", "-q", "-w", str(tmp / "ws")]
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        env = dict(os.environ, VIGIE_THREADS="1")
        start = time.perf_counter()
        proc = subprocess.run([*pin, *vigie, str(export)], capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"ingest failed: {proc.stderr.strip()}")
        counts = json.loads(proc.stdout)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            json.dumps(
                {
                    "bench": "ingest_telegram_json",
                    "messages": count,
                    "messages_added": counts["messages_added"],
                    "file_mb": round(export.stat().st_size / 1e6, 1),
                    "seconds": round(seconds, 2),
                    "messages_per_s": round(count / seconds),
                    "peak_rss_mb": round(peak_kb / 1024, 1),
                    "cores": 1 if pin else os.cpu_count(),
                }
            )
        )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
