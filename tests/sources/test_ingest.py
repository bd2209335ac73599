from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.helpers import jsonl_rows, snapshot, write_jsonl
from vigie.sources.ingest import ingest
from vigie.store.workspace import Workspace


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def count(ws: Workspace, table: str = "messages") -> int:
    with ws.lake.connect() as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]


def test_ingest_adds_messages_and_keeps_evidence(ws: Workspace, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "export.jsonl", jsonl_rows(50))
    report = ingest(ws, [src])
    assert report.totals() == {
        "files": 1,
        "messages_added": 50,
        "duplicates": 0,
        "quarantined": 0,
        "failed": 0,
    }
    sha = report.results[0].sha256
    assert sha is not None
    kept = ws.evidence_path(sha)
    assert kept.read_bytes() == src.read_bytes()
    assert not kept.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    with ws.lake.connect() as con:
        row = con.execute(
            "SELECT original_name, size, format, parser_version FROM evidence"
        ).fetchone()
        assert row == ("export.jsonl", src.stat().st_size, "generic_jsonl", row[3])
        keys = con.execute("SELECT msg_key FROM messages ORDER BY date LIMIT 1").fetchone()
        assert keys is not None and keys[0].startswith("generic:canal-test:")


def test_same_file_twice_adds_nothing(ws: Workspace, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "export.jsonl", jsonl_rows(30))
    ingest(ws, [src])
    second = ingest(ws, [src])
    assert second.totals()["messages_added"] == 0
    assert second.totals()["duplicates"] == 30
    assert count(ws) == 30
    assert count(ws, "evidence") == 1
    assert count(ws, "ingest_runs") == 2


def test_overlapping_exports_add_each_message_once(ws: Workspace, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", jsonl_rows(40))
    b = write_jsonl(tmp_path / "b.jsonl", jsonl_rows(40, start=25))
    report = ingest(ws, [a, b])
    assert [r.messages_added for r in report.results] == [40, 25]
    assert report.results[1].duplicates == 15
    assert count(ws) == 65


def test_duplicates_inside_one_file_are_counted(ws: Workspace, tmp_path: Path) -> None:
    rows = jsonl_rows(10)
    src = write_jsonl(tmp_path / "dup.jsonl", rows + rows[:3])
    report = ingest(ws, [src])
    assert report.results[0].messages_added == 10
    assert report.results[0].duplicates == 3


def test_bad_records_are_quarantined_with_location(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "mixed.jsonl"
    good = jsonl_rows(3)
    src.write_text(
        json.dumps(good[0])
        + "\n{not json\n"
        + json.dumps(good[1])
        + "\n"
        + json.dumps({"id": "9", "channel": "c", "text": "pas de date"})
        + "\n"
        + json.dumps(good[2])
        + "\n",
        encoding="utf-8",
    )
    report = ingest(ws, [src])
    result = report.results[0]
    assert (result.status, result.messages_added, result.quarantined) == ("added", 3, 2)
    with ws.lake.connect() as con:
        locations = {r[0] for r in con.execute("SELECT location FROM quarantine").fetchall()}
    assert locations == {"line 2", "line 4"}
    again = ingest(ws, [src])
    assert again.results[0].quarantined == 2
    assert count(ws, "quarantine") == 2  # the same bad records are not stored twice


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.json", b"", "empty"),
        ("binary.bin", bytes(range(256)) * 40, "binary"),
        ("notes.txt", b"juste du texte\nrien d'autre\n", "not a known export format"),
    ],
)
def test_unreadable_files_fail_cleanly(
    ws: Workspace, tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    write_jsonl(tmp_path / "ok.jsonl", jsonl_rows(5))
    ingest(ws, [tmp_path / "ok.jsonl"])
    before = snapshot(ws.root)
    bad = tmp_path / name
    bad.write_bytes(content)
    report = ingest(ws, [bad])
    failure = report.results[0]
    assert failure.status == "failed"
    assert failure.error and str(bad) in failure.error and fragment in failure.error
    assert "\n" not in failure.error
    assert snapshot(ws.root) == before


def test_truncated_json_leaves_workspace_unchanged(ws: Workspace, tmp_path: Path) -> None:
    before = snapshot(ws.root)
    bad = tmp_path / "result.json"
    bad.write_text(
        '{\n "name": "Canal",\n "type": "public_channel",\n "id": 42,\n "messages": [\n  {\n'
        '   "id": 1,\n   "type": "message",\n   "date": "2024-01-01T10:00:00",\n'
        '   "date_unixtime": "1704099600",\n   "from": "A",\n   "from_id": "user1",\n'
        '   "text": "salut",\n   "text_entities": []\n  },\n  {\n   "id": 2,\n   "type": "mess',
        encoding="utf-8",
    )
    report = ingest(ws, [bad])
    assert report.results[0].status == "failed"
    assert str(bad) in (report.results[0].error or "")
    assert snapshot(ws.root) == before


def test_folder_ingest_skips_media_and_unknown_files(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    write_jsonl(folder / "messages.jsonl", jsonl_rows(4))
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (folder / "readme.txt").write_text("rien\n", encoding="utf-8")
    report = ingest(ws, [folder])
    assert report.totals()["messages_added"] == 4
    assert not report.failed
