"""``vigie user``, ``vigie token`` and ``vigie serve`` through the real entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import vigie


def run_stdin(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_user_and_token_commands(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    vigie("init", "-w", ws, check=True)
    added = run_stdin(
        "user",
        "add",
        "alice",
        "--role",
        "analyst",
        "--password-stdin",
        "-w",
        ws,
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    again = run_stdin(
        "user", "add", "alice", "--password-stdin", "-w", ws, stdin="a long enough password\n"
    )
    assert again.returncode != 0 and "exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    short = run_stdin("user", "add", "bob", "--password-stdin", "-w", ws, stdin="short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr
    no_tty = run_stdin("user", "add", "carol", "-w", ws, stdin="")
    assert no_tty.returncode != 0 and "--password-stdin" in no_tty.stderr
    listed = vigie("user", "list", "-w", ws, "--json", check=True)
    assert '"alice"' in listed.stdout and "password" not in listed.stdout
    token = vigie("token", "create", "--user", "alice", "-w", ws, check=True).stdout.strip()
    assert token.startswith("vg_")
    missing = vigie("token", "create", "--user", "nobody", "-w", ws)
    assert missing.returncode != 0 and "no user" in missing.stderr
    revoked = vigie("token", "revoke", "--user", "alice", "-w", ws, check=True)
    assert "1 token" in revoked.stdout
    log = vigie("audit", "log", "-w", ws, "--format", "jsonl", check=True).stdout
    assert "user.add" in log and "token.create" in log and token not in log


def test_serve_refuses_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    proc = vigie("serve", "-w", str(tmp_path / "nothing"), "--port", "0")
    assert proc.returncode != 0 and "not a Vigie workspace" in proc.stderr
