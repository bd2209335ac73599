from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import jsonl_rows, vigie, write_jsonl


def test_init_ingest_stats_messages(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert vigie("init", "-w", ws, check=True).returncode == 0
    src = write_jsonl(tmp_path / "export.jsonl", jsonl_rows(12))
    out = vigie("ingest", "-w", ws, "--json", str(src), check=True)
    assert json.loads(out.stdout) == {
        "files": 1,
        "messages_added": 12,
        "duplicates": 0,
        "quarantined": 0,
    }
    again = json.loads(vigie("ingest", "-w", ws, "--json", str(src), check=True).stdout)
    assert again["duplicates"] == 12 and again["messages_added"] == 0

    stats = json.loads(vigie("stats", "-w", ws, "--json", check=True).stdout)
    assert stats["messages"] == 12 and stats["platforms"] == {"generic": 12}
    assert stats["channels"][0]["channel_id"] == "canal-test"

    lines = vigie("messages", "-w", ws, "--grep", "numéro 1[01] ", "--format", "jsonl", check=True)
    texts = [json.loads(line)["text"] for line in lines.stdout.splitlines()]
    assert sorted(texts) == ["message numéro 10 🍫", "message numéro 11 🍫"]
    csv_out = vigie("messages", "-w", ws, "--sender", "user0", "--format", "csv", check=True)
    assert csv_out.stdout.splitlines()[0].startswith("msg_key,")
    assert len(csv_out.stdout.splitlines()) == 1 + 2  # user0 wrote messages 0 and 7
    table = vigie("messages", "-w", ws, "--limit", "3", check=True)
    assert len(table.stdout.splitlines()) == 2 + 3


def test_environment_variable_names_the_workspace(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    src = write_jsonl(tmp_path / "e.jsonl", jsonl_rows(2))
    env = dict(os.environ, VIGIE_WORKSPACE=str(tmp_path / "envws"))
    proc = subprocess.run(
        [sys.executable, "-m", "vigie.cli", "ingest", "-q", str(src)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "envws" / "vigie-workspace.txt").exists()


def test_errors_are_one_line_with_nonzero_exit(tmp_path: Path) -> None:
    missing = vigie("stats", "-w", str(tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert missing.stderr.count("\n") == 1 and "vigie init" in missing.stderr
    bad = tmp_path / "broken.json"
    bad.write_text('{"messages": [', encoding="utf-8")
    out = vigie("ingest", "-w", str(tmp_path / "ws"), str(bad))
    assert out.returncode == 1
    assert str(bad) in out.stderr and "Traceback" not in out.stderr
    regex = vigie("messages", "-w", str(tmp_path / "ws"), "--grep", "(")
    assert regex.returncode == 1 and "regular expression" in regex.stderr
    date = vigie("messages", "-w", str(tmp_path / "ws"), "--since", "hier")
    assert date.returncode == 1 and "--since" in date.stderr
