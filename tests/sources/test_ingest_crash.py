"""A `kill -9` in the middle of an ingest leaves nothing half-visible; re-running completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import jsonl_rows, write_jsonl
from vigie.store.workspace import Workspace

N = 150_000


def visible(ws_root: Path) -> int:
    with Workspace.open(ws_root).lake.connect() as con:
        return con.execute("SELECT count(*) FROM messages").fetchone()[0]  # type: ignore[index]


@pytest.mark.slow
def test_kill_9_leaves_no_partial_table(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "big.jsonl", jsonl_rows(N))
    ws_root = tmp_path / "ws"
    Workspace.init(ws_root)
    command = [sys.executable, "-m", "vigie.cli", "ingest", "-q", "-w", str(ws_root), str(src)]
    killed = 0
    for delay in (0.4, 1.0, 1.8, 2.6, 3.5):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        assert visible(ws_root) in (0, N)
        if visible(ws_root) == N:
            break
    assert killed >= 1, "the ingest finished before any kill: make the file bigger"
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert visible(ws_root) == N
    # nothing staged is left behind once a writer has run again
    leftovers = [p for p in ws_root.rglob("*.tmp") if p.is_file()]
    assert leftovers == []
