"""The bundled demo samples (fictional, written for Vigie) load cleanly: `make demo` relies on it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO
from vigie.sources.ingest import ingest
from vigie.store.workspace import Workspace


def test_samples_ingest_without_quarantine(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    report = ingest(ws, [REPO / "samples" / "telegram", REPO / "samples" / "whatsapp"])
    assert not report.failed
    by_name = {Path(r.file).name: r for r in report.results if r.status == "added"}
    assert {n: (r.format, r.messages_added, r.quarantined) for n, r in by_name.items()} == {
        "result.json": ("telegram_json", 78, 0),
        "backup_result.json": ("telegram_json", 14, 0),
        "WhatsApp Chat with Livraison 13.txt": ("whatsapp_txt", 34, 0),
    }
    with ws.lake.connect() as con:
        channels = con.execute(
            "SELECT platform, count(*) FROM channels GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert channels == [("telegram", 2), ("whatsapp", 1)]
