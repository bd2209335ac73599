"""A small analysed workspace for the act tests, written directly into the lake.

Messages are ingested from a generic JSON Lines file (so evidence, runs and audit entries are
real); analyses, entities and link tables are written with ``Transaction.write_rows`` as the
analysis and link stages would, so these tests do not depend on the detector's weights.
All names, handles and numbers are fictional (phones in the range reserved for fiction).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import write_jsonl
from vigie.cli.main import cli
from vigie.model import LABELS
from vigie.sources.ingest import ingest
from vigie.store.state import close_all
from vigie.store.workspace import Workspace

SHOP = "1987654321"
BACKUP = "1987650000"
GROUP = "555"

MESSAGES: list[dict[str, object]] = [
    {
        "id": "10",
        "channel": SHOP,
        "channel_name": "Les Genêts Bleus 30",
        "sender": "Les Genêts Bleus 30",
        "date": "2024-03-01T17:10:05+00:00",
        "text": "🍫 Jaune mousseux 10g = 80€, livraison gratuite. Commande au 06 39 98 12 34",
    },
    {
        "id": "11",
        "channel": SHOP,
        "channel_name": "Les Genêts Bleus 30",
        "sender": "Les Genêts Bleus 30",
        "date": "2024-03-02T18:30:00+00:00",
        "text": "Les CRS sont là, fermé ce soir désolé pour la gêne",
    },
    {
        "id": "12",
        "channel": SHOP,
        "channel_name": "Les Genêts Bleus 30",
        "sender": "Les Genêts Bleus 30",
        "date": "2024-03-09T09:00:00+00:00",
        "text": "On recrute guetteur 150€/jour, mineur accepté. Canal de secours @genets_secours",
    },
    {
        "id": "3",
        "channel": BACKUP,
        "channel_name": "Genêts secours",
        "sender": "Genêts secours",
        "date": "2024-03-20T12:00:00+00:00",
        "text": "Nouveau canal, même menu ❄️ 1g 70",
    },
    {
        "id": "7",
        "channel": GROUP,
        "channel_name": "Clients 30",
        "sender": "Karim Testeur",
        "sender_id": "user4242",
        "date": "2024-03-05T20:00:00+00:00",
        "text": "Merci super beuh, livreur rapide, écrivez-moi au 06 39 98 55 55",
    },
    {
        "id": "8",
        "channel": GROUP,
        "channel_name": "Clients 30",
        "sender": "Lina Exemple",
        "sender_id": "user77",
        "date": "2024-03-06T08:00:00+00:00",
        "text": "quelqu'un a l'horaire ?",
    },
]

ANALYSED: dict[str, dict[str, list[str]]] = {  # msg id -> label -> cue terms (found in text)
    "10": {"sale": ["Jaune mousseux", "10g = 80€"], "promotion": ["livraison gratuite"]},
    "11": {"police_watch": ["Les CRS sont là"]},
    "12": {
        "recruitment": ["On recrute guetteur", "150€/jour"],
        "minors": ["mineur accepté"],
        "channel_migration": ["Canal de secours"],
    },
    "3": {"sale": ["❄️ 1g 70"], "channel_migration": ["Nouveau canal"]},
    "7": {"testimonial": ["Merci super beuh"]},
}

ENTITIES: list[tuple[str, str, str, str, dict[str, object] | None]] = [
    ("10", "phone", "+33639981234", "06 39 98 12 34", None),
    (
        "10",
        "offer",
        "cannabis_resin 10g 80EUR",
        "10g = 80€",
        {
            "product": "cannabis_resin",
            "quantity": 10,
            "unit": "g",
            "price": 80,
            "currency": "EUR",
            "price_per_unit": 8.0,
        },
    ),
    ("12", "handle", "telegram:@genets_secours", "@genets_secours", None),
    (
        "3",
        "offer",
        "cocaine 1g 70EUR",
        "1g 70",
        {
            "product": "cocaine",
            "quantity": 1,
            "unit": "g",
            "price": 70,
            "currency": "EUR",
            "price_per_unit": 70.0,
        },
    ),
    ("7", "phone", "+33639985555", "06 39 98 55 55", None),
]

VERSION = "detect.test+lex.0000"
RUN = "analyse-20240401T000000-fixture"


def key(message_id: str) -> str:
    channel = next(m["channel"] for m in MESSAGES if m["id"] == message_id)
    return f"telegram:{channel}:{message_id}"


def _span(text: str, term: str) -> tuple[int, int]:
    start = text.index(term)
    return start, start + len(term)


def write_analysis(ws: Workspace) -> None:
    texts = {str(m["id"]): str(m["text"]) for m in MESSAGES}
    analyses, entities = [], []
    for message_id, text in texts.items():
        found = ANALYSED.get(message_id, {})
        cues = {
            label: [[t, *_span(text, t), "lexicon", 1.0] for t in terms]
            for label, terms in found.items()
        }
        row: dict[str, object] = {
            f"score_{label}": 0.9 if label in found else 0.05 for label in LABELS
        }
        row.update(
            msg_key=key(message_id),
            version=VERSION,
            labels=list(found),
            risk=0.95 if "minors" in found else (0.6 if found else 0.01),
            risk_reasons=list(found),
            cues=json.dumps(cues, ensure_ascii=False) if cues else None,
            run_id=RUN,
        )
        analyses.append(row)
    for message_id, kind, value, span_text, attrs in ENTITIES:
        start, end = _span(texts[message_id], span_text)
        entities.append(
            {
                "msg_key": key(message_id),
                "version": VERSION,
                "type": kind,
                "value": value,
                "text": span_text,
                "start": start,
                "end": end,
                "attrs": json.dumps(attrs) if attrs else None,
                "run_id": RUN,
            }
        )
    now = datetime(2024, 4, 1, tzinfo=UTC)
    txn = ws.lake.begin()
    txn.write_rows("analyses", analyses)
    txn.write_rows("entities", entities)
    txn.write_rows(
        "analysis_runs",
        [
            {
                "run_id": RUN,
                "started_at": now,
                "finished_at": now,
                "vigie_version": "test",
                "version": VERSION,
                "messages": len(analyses),
                "entities": len(entities),
                "labelled": len(ANALYSED),
            }
        ],
    )
    txn.write_rows(
        "channels",
        [
            {
                "channel_key": f"telegram:{SHOP}",
                "platform": "telegram",
                "channel_id": SHOP,
                "name": "Les Genêts Bleus 30",
                "type": "public_channel",
                "extra": json.dumps({"username": "genets_bleus30"}),
                "evidence_sha256": None,
                "run_id": "fixture",
            }
        ],
    )
    shop, backup = f"channel:telegram:{SHOP}", f"channel:telegram:{BACKUP}"
    txn.write_rows(
        "graph_nodes",
        [
            {
                "node_id": shop,
                "kind": "channel",
                "label": "Les Genêts Bleus 30",
                "platform": "telegram",
                "messages": 3,
                "run_id": "link-fixture",
            },
            {
                "node_id": backup,
                "kind": "channel",
                "label": "Genêts secours",
                "platform": "telegram",
                "messages": 1,
                "run_id": "link-fixture",
            },
            {
                "node_id": "phone:+33639981234",
                "kind": "phone",
                "label": "+33639981234",
                "messages": 1,
                "run_id": "link-fixture",
            },
            {
                "node_id": "phone:+33639985555",
                "kind": "phone",
                "label": "+33639985555",
                "messages": 1,
                "run_id": "link-fixture",
            },
        ],
    )
    txn.write_rows(
        "graph_edges",
        [
            {
                "source": shop,
                "target": "phone:+33639981234",
                "kind": "mentions",
                "count": 1,
                "evidence": [key("10")],
                "run_id": "link-fixture",
            },
            {
                "source": backup,
                "target": shop,
                "kind": "successor_of",
                "count": 1,
                "evidence": [key("12"), key("3")],
                "run_id": "link-fixture",
            },
            {
                "source": f"channel:telegram:{GROUP}",
                "target": "phone:+33639985555",
                "kind": "mentions",
                "count": 1,
                "evidence": [key("7")],
                "run_id": "link-fixture",
            },
        ],
    )
    txn.write_rows(
        "successors",
        [
            {
                "channel": backup,
                "successor_of": shop,
                "confidence": 0.9,
                "rules": ["announced"],
                "evidence": [key("12")],
                "run_id": "link-fixture",
            }
        ],
    )
    txn.write_rows(
        "link_runs",
        [
            {
                "run_id": "link-fixture",
                "started_at": now,
                "finished_at": now,
                "vigie_version": "test",
                "version": "link.test",
                "analysis_version": VERSION,
                "messages": 6,
                "nodes": 4,
                "edges": 3,
            }
        ],
    )
    txn.commit()


@dataclass
class Fixture:
    ws: Workspace
    exports: dict[str, Path]


@pytest.fixture
def analysed(tmp_path: Path) -> Iterator[Fixture]:
    """Two exports (shop + backup channel, and a customers' group), analysed and linked."""
    ws = Workspace.init(tmp_path / "ws")
    rows = [{**m, "platform": "telegram"} for m in MESSAGES]
    shop = write_jsonl(tmp_path / "shop.jsonl", [r for r in rows if r["channel"] != GROUP])
    group = write_jsonl(tmp_path / "group.jsonl", [r for r in rows if r["channel"] == GROUP])
    report = ingest(ws, [shop, group], fmt="generic_jsonl")
    assert not report.failed, report.failed
    write_analysis(ws)
    yield Fixture(ws, {"shop": shop, "group": group})
    close_all()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process (the subprocess tests in tests/cli cover the real entry point)."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result
