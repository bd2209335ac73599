"""Chain of custody through the CLI: every step logged, `vigie audit verify` exits 1 on tampering."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from tests.act.conftest import SHOP, Fixture, key, run
from tests.helpers import vigie


def test_decisions_and_exports_are_logged(analysed: Fixture, tmp_path: Path) -> None:
    ws = str(analysed.ws.root)
    (analysed.ws.root / "vigie.toml").write_text(
        '[notifier]\nname = "Cellule test"\nemail = "cellule@example.org"\n', encoding="utf-8"
    )
    env = {"VIGIE_USER": "enqueteur1"}
    assert run("case", "create", "Opération test", "-w", ws, env=env).exit_code == 0
    assert run("case", "add", "1", f"telegram:{SHOP}", key("7"), "-w", ws, env=env).exit_code == 0
    assert run("report", "1", "-o", str(tmp_path / "r.html"), "-w", ws, env=env).exit_code == 0
    assert run("notice", key("10"), "-w", ws, env=env).exit_code == 0
    out = run("audit", "log", "--format", "jsonl", "-w", ws).stdout
    logged = [json.loads(line) for line in out.splitlines()]
    actions = [e["action"] for e in logged]
    assert actions[:4] == ["evidence.add", "ingest.run", "evidence.add", "ingest.run"]
    assert actions[4:] == ["case.create", "case.add", "case.add", "report.export", "notice.export"]
    assert {e["actor"] for e in logged[4:]} == {"enqueteur1"}
    mine = run(
        "audit", "log", "--user", "enqueteur1", "--action", "case.", "--format", "jsonl", "-w", ws
    ).stdout.splitlines()
    assert len(mine) == 3
    assert run("audit", "verify", "-w", ws).exit_code == 0


def test_verify_exits_non_zero_at_the_first_broken_link(analysed: Fixture) -> None:
    ws = str(analysed.ws.root)
    assert "ok:" in run("audit", "verify", "-w", ws).stdout
    with sqlite3.connect(analysed.ws.root / "vigie.db") as raw:
        raw.execute("UPDATE audit_log SET details = '{}' WHERE seq = 2")
    proc = vigie("audit", "verify", "-w", ws)  # the real entry point: exit status 1
    assert proc.returncode == 1
    assert proc.stdout.startswith("BROKEN: edited_entry at entry #2")
    verdict = json.loads(run("audit", "verify", "--json", "-w", ws).stdout)
    assert verdict["ok"] is False and verdict["first_problem"].startswith("edited_entry")


def test_verify_reports_a_modified_evidence_file(analysed: Fixture) -> None:
    sha = next(p.name for p in (analysed.ws.root / "evidence").glob("??/*"))
    path = analysed.ws.evidence_path(sha)
    os.chmod(path, 0o644)
    with path.open("ab") as handle:
        handle.write(b"\n")
    result = run("audit", "verify", "-w", str(analysed.ws.root))
    assert result.exit_code == 1 and f"modified_evidence at {sha}" in result.stdout
