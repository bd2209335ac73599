from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vigie.errors import SourceError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import signal_txt, whatsapp_txt
from vigie.sources.base import ParseContext

SIGEXPORT = """\
[2024-03-01 18:02:11] Léa: salut, dispo ce soir ?
[2024-03-01 18:03:40] Sam: oui
menu en photo
![IMG_0001.jpg](./media/IMG_0001.jpg)
(- Léa: 👍, Tom: 🔥 -)
[2024-03-01 18:04:00] Sam: (This message was deleted)
[2024-03-01 18:05:00] Tom: [notes.pdf](./media/notes.pdf)  [../../etc/passwd](../../etc/passwd)
[2024-02-30 18:06:00] Tom: impossible date
[2024-03-01 18:06:30] Tom: fin
"""


def records(path: Path, tz: str = "Europe/Paris") -> list[Record]:
    return list(signal_txt.parse(path, ParseContext(tz=ZoneInfo(tz))))


def extra(m: Message) -> dict[str, object]:
    return json.loads(m.extra) if m.extra else {}


@pytest.fixture()
def chat_miner(shared_data: Path) -> Path:
    return shared_data / "exports" / "peer-fixtures" / "chat-miner" / "signal"


@pytest.mark.parametrize("tz", ["Europe/Paris", "UTC", "Asia/Tokyo"])
def test_chat_miner_fixture_matches_its_target(chat_miner: Path, tz: str) -> None:
    target = json.loads((chat_miner / "target.json").read_text(encoding="utf-8"))
    got = records(chat_miner / "test_export.txt", tz)
    channel = got[0]
    assert isinstance(channel, Channel) and channel.platform == "signal"
    msgs = [m for m in got if isinstance(m, Message)]
    zone = ZoneInfo(tz)
    assert [
        {
            "timestamp": m.date.astimezone(zone).replace(tzinfo=None).isoformat() if m.date else "",
            "author": m.sender,
            "message": m.text.replace("\n", " "),
        }
        for m in reversed(msgs)
    ] == target
    assert [m.source_location for m in msgs] == ["line 1", "line 2"]
    assert msgs[1].text == "Hello\nJane!"
    assert all(m.platform == "signal" and m.kind == "message" for m in msgs)


def test_sniff_tells_signal_from_whatsapp(chat_miner: Path, test_data: Path) -> None:
    path = chat_miner / "test_export.txt"
    assert signal_txt.sniff(path, path.read_bytes())
    assert not whatsapp_txt.sniff(path, path.read_bytes())
    for wa in (test_data / "whatsapp").glob("*.txt"):
        assert not signal_txt.sniff(wa, wa.read_bytes()), wa.name
    assert not signal_txt.sniff(Path("x.txt"), b'{"messages": []}')


def test_sigexport_markdown(tmp_path: Path) -> None:
    folder = tmp_path / "Léa"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "IMG_0001.jpg").write_bytes(b"jpeg")
    path = folder / "chat.md"
    path.write_text(SIGEXPORT, encoding="utf-8")
    assert signal_txt.sniff(path, path.read_bytes())
    assert not whatsapp_txt.sniff(path, path.read_bytes())
    got = records(path)
    channel = got[0]
    assert isinstance(channel, Channel) and channel.channel_id == "Léa"
    by = {r.location if isinstance(r, Quarantine) else r.source_location: r for r in got[1:]}
    first = by["line 1"]
    assert isinstance(first, Message)
    assert (first.sender, first.text) == ("Léa", "salut, dispo ce soir ?")
    assert first.date is not None and first.date.isoformat() == "2024-03-01T17:02:11+00:00"
    photo = by["line 2"]
    assert isinstance(photo, Message)
    assert photo.text == "oui\nmenu en photo"
    assert [(m.kind, m.path) for m in photo.media] == [("photo", "media/IMG_0001.jpg")]
    assert extra(photo) == {"reactions": [["Léa", "👍"], ["Tom", "🔥"]], "present": [True]}
    deleted = by["line 6"]
    assert isinstance(deleted, Message) and extra(deleted) == {"deleted": True}
    escape, impossible = by["line 7"], by["line 8"]
    assert isinstance(escape, Quarantine) and escape.code == "E122"
    assert isinstance(impossible, Quarantine) and impossible.code == "E201"
    last = by["line 9"]
    assert isinstance(last, Message) and last.text == "fin"
    ids = [m.message_id for m in got if isinstance(m, Message)]
    assert len(set(ids)) == len(ids) and ids[0].startswith("20240301T180211-")


def test_header_lines_are_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("Signal export\n[2024-03-01, 18:02] Léa: salut\n", encoding="utf-8")
    got = records(path)
    assert isinstance(got[1], Quarantine) and (got[1].code, got[1].location) == ("E206", "line 1")
    assert isinstance(got[2], Message) and got[2].source_location == "line 2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some words\n", "not a Signal text export"),
        (
            "[2024-03-01, 18:02] Léa: ok\n[2024-03-01, 18:03] Léa: é\n".encode("latin-1"),
            "not UTF-8 at line 1",
        ),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        records(path)
