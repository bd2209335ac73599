"""Watchlists raise alerts on ingest and analysis; delivery to a webhook and to stdout."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.act.conftest import GROUP, SHOP, Fixture, key, run, write_analysis
from tests.helpers import write_jsonl
from vigie.act.deliver import AlertFilter, deliver_webhook, list_alerts
from vigie.act.watch import add_item, check, create_watchlist, validate_item
from vigie.sources.ingest import ingest
from vigie.store.audit import AuditFilter, entries
from vigie.store.hooks import committed
from vigie.store.state import StateError, close_all, open_state
from vigie.store.workspace import Workspace


class Receiver:
    """A loopback HTTP server that answers with the next scripted status and keeps bodies."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.bodies: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                outer.bodies.append(json.loads(self.rfile.read(length)))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook?token=secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "ws")
    yield workspace
    close_all()


def _export(tmp_path: Path, name: str, texts: list[str], channel: str = "canal") -> Path:
    rows = [
        {
            "id": str(i),
            "date": f"2024-03-0{1 + i}T10:00:00+00:00",
            "channel": channel,
            "sender": "x",
            "text": text,
        }
        for i, text in enumerate(texts)
    ]
    return write_jsonl(tmp_path / name, rows)


def test_ingest_raises_alerts_for_each_kind(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "opération")
    add_item(ws, "opération", "term", "Livraison Gratuite")
    add_item(ws, "opération", "regex", r"\d+ ?g ?= ?\d+ ?€")
    add_item(ws, "opération", "entity", "+33639981234")
    add_item(ws, "opération", "entity", "telegram:@genets_secours")
    add_item(ws, "opération", "channel", "canal-b")
    src = _export(
        tmp_path,
        "a.jsonl",
        [
            "livraison gratuité ce soir",  # term, accents and case ignored
            "Jaune 10g = 80€",  # regex
            "appelez le 06.39.98.12.34",  # phone in national notation
            "rejoignez @genets_secours",  # handle before analysis
            "rien à signaler",
        ],
    )
    other = _export(tmp_path, "b.jsonl", ["bonjour"], channel="canal-b")
    ingest(ws, [src, other], fmt="generic_jsonl")
    found = {(a["kind"], a["msg_key"]) for a in list_alerts(open_state(ws.root))}
    assert found == {
        ("term", "generic:canal:0"),
        ("regex", "generic:canal:1"),
        ("entity", "generic:canal:2"),
        ("entity", "generic:canal:3"),
        ("channel", "generic:canal-b:0"),
    }
    regex_alert = next(a for a in list_alerts(open_state(ws.root)) if a["kind"] == "regex")
    assert regex_alert["matched"] == "10g = 80€" and regex_alert["source"] == "ingest"
    checks = entries(open_state(ws.root), AuditFilter(action="watch.check"))
    assert [json.loads(e.details)["alerts"] for e in checks] == [4, 1]


def test_analysis_run_raises_entity_alerts_once(analysed: Fixture) -> None:
    ws = analysed.ws
    create_watchlist(ws, "contacts")
    add_item(ws, "contacts", "entity", "06 39 98 55 55")
    assert list_alerts(open_state(ws.root)) == []
    committed(ws, "analyse", "analyse-20240401T000000-fixture", {"messages": 6})
    alerts = list_alerts(open_state(ws.root))
    assert [(a["msg_key"], a["matched"], a["source"]) for a in alerts] == [
        (key("7"), "+33639985555", "analyse")
    ]
    assert check(ws, "all") == 0  # already raised: stored once
    write_analysis(ws)  # a second analysis run with the same entities
    assert check(ws, "all") == 0


def test_watch_check_all_covers_existing_messages(analysed: Fixture) -> None:
    create_watchlist(analysed.ws, "canaux")
    add_item(analysed.ws, "canaux", "channel", "Les Genêts Bleus 30")
    result = run("watch", "check", "-w", str(analysed.ws.root))
    assert result.stdout.strip() == "3 new alert(s)"
    keys = {a["msg_key"] for a in list_alerts(open_state(analysed.ws.root))}
    assert keys == {key("10"), key("11"), key("12")}
    assert GROUP not in "".join(keys) and SHOP in "".join(keys)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [("regex", "(unclosed", "is not valid"), ("colour", "x", "choose one of"), ("term", "x", "2")],
)
def test_bad_items_are_refused(kind: str, value: str, message: str) -> None:
    with pytest.raises(StateError, match=message):
        validate_item(kind, value)


def test_webhook_retries_with_backoff_then_delivers(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "menu")
    ingest(ws, [_export(tmp_path, "a.jsonl", ["le menu", "nouveau menu"])], fmt="generic_jsonl")
    sleeps: list[float] = []
    with Receiver([503, 500]) as receiver:
        result = deliver_webhook(ws, receiver.url, sleep=sleeps.append)
        assert result.sent == 2 and result.failed == 0 and result.attempts == 3
        assert sleeps == [0.5, 1.0]
        assert len(receiver.bodies) == 3
        alerts = receiver.bodies[-1]["alerts"]
        assert [a["msg_key"] for a in alerts] == ["generic:canal:0", "generic:canal:1"]  # type: ignore[index]
        assert "text" not in alerts[0]  # type: ignore[index]
        again = deliver_webhook(ws, receiver.url, sleep=sleeps.append)
        assert again.sent == 0 and len(receiver.bodies) == 3  # delivered once
    logged = entries(open_state(ws.root), AuditFilter(action="alerts.deliver"))
    assert "secret" not in logged[0].details and logged[0].target.startswith("127.0.0.1:")


def test_webhook_gives_up_on_refusal_and_keeps_the_backlog(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "menu")
    ingest(ws, [_export(tmp_path, "a.jsonl", ["le menu"])], fmt="generic_jsonl")
    with Receiver([400]) as receiver:
        refused = deliver_webhook(ws, receiver.url, sleep=lambda s: None)
        assert refused.failed == 1 and refused.attempts == 1 and refused.errors == ["HTTP 400"]
        pending = list_alerts(open_state(ws.root), AlertFilter(pending_for=receiver.url))
        assert len(pending) == 1
        assert deliver_webhook(ws, receiver.url, sleep=lambda s: None).sent == 1


def test_unreachable_webhook_is_retried_then_reported(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "menu")
    ingest(ws, [_export(tmp_path, "a.jsonl", ["le menu"])], fmt="generic_jsonl")
    with Receiver([]) as receiver:
        url = receiver.url
    sleeps: list[float] = []
    result = deliver_webhook(ws, url, sleep=sleeps.append)
    assert result.failed == 1 and len(sleeps) == 4 and "Connection refused" in result.errors[0]


def test_ingest_delivers_to_the_configured_webhook(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "menu")
    with Receiver([]) as receiver:
        (ws.root / "vigie.toml").write_text(
            f'[alerts]\nwebhook_url = "{receiver.url}"\nwebhook_backoff = 0.01\n', encoding="utf-8"
        )
        ingest(ws, [_export(tmp_path, "a.jsonl", ["le menu"])], fmt="generic_jsonl")
        assert len(receiver.bodies) == 1
        assert receiver.bodies[0]["alerts"][0]["value"] == "menu"  # type: ignore[index]


def test_alerts_new_prints_each_alert_once_for_cron(ws: Workspace, tmp_path: Path) -> None:
    create_watchlist(ws, "w")
    add_item(ws, "w", "term", "menu")
    ingest(ws, [_export(tmp_path, "a.jsonl", ["le menu"])], fmt="generic_jsonl")
    first = run("alerts", "--new", "--format", "jsonl", "-w", str(ws.root))
    assert [json.loads(line)["msg_key"] for line in first.stdout.splitlines()] == [
        "generic:canal:0"
    ]
    assert run("alerts", "--new", "--format", "jsonl", "-w", str(ws.root)).stdout == ""
    listed = run("alerts", "--format", "jsonl", "-w", str(ws.root)).stdout.splitlines()
    assert len(listed) == 1
