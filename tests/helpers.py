"""Small helpers shared by tests (no fixtures here: see conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def jsonl_rows(n: int, channel: str = "canal-test", start: int = 0) -> list[dict[str, object]]:
    return [
        {
            "id": str(i),
            "date": f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
            "channel": channel,
            "sender": f"user{i % 7}",
            "text": f"message numéro {i} 🍫",
        }
        for i in range(start, start + n)
    ]


def vigie(
    *args: str, cwd: Path | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process."""
    env = dict(os.environ)
    env.pop("VIGIE_WORKSPACE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"vigie {' '.join(args)} failed: {proc.stderr}")
    return proc


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (except the lock file) with its content."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }
