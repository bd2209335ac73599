from __future__ import annotations

import codecs
import hashlib
import json
import tempfile
import tracemalloc
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.errors import SourceError, UnsafeInputError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import whatsapp_io, whatsapp_locale, whatsapp_txt
from vigie.sources.base import ParseContext

PARIS = ZoneInfo("Europe/Paris")
LRM = "\u200e"


def records(path: Path, tz: str = "Europe/Paris") -> list[Record]:
    return list(whatsapp_txt.parse(path, ParseContext(tz=ZoneInfo(tz))))


def messages(path: Path) -> list[Message]:
    return [r for r in records(path) if isinstance(r, Message)]


def local(m: Message) -> str:
    assert m.date is not None
    return m.date.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


def extra(m: Message | Channel) -> dict[str, object]:
    return json.loads(m.extra) if m.extra else {}


def by_line(path: Path) -> dict[int, Message]:
    return {int(m.source_location.split()[1]): m for m in messages(path)}


@pytest.fixture()
def wa(test_data: Path) -> Path:
    return test_data / "whatsapp"


# --- the real exports in ../shared (real people: compared through counts and digests only) ----

SHARED = {
    "android_en_jobs_group.txt": {
        "records": 7614,
        "message": 6696,
        "service": 918,
        "senders": 265,
        "senders_sha256": "da0dbd45f87192cee9c8dc9fd54082291af88be254a0b263a9749f6b48936b55",
        "first": "2019-12-16 14:35:00",
        "last": "2021-08-11 20:07:00",
        "omitted": 1747,
        "attached": 8,
        "deleted": 214,
        "day_first": False,
    },
    "ios_de_chat.txt": {
        "records": 31579,
        "message": 31455,
        "service": 124,
        "senders": 44,
        "senders_sha256": "9658ef11d3f793660c34ab1b430070b9359762e5b0649b825529c45673c4c771",
        "first": "2023-09-27 09:18:41",
        "last": "2024-12-18 17:23:08",
        "omitted": 2871,
        "attached": 0,
        "deleted": 373,
        "day_first": True,
    },
}


@pytest.mark.parametrize("name", sorted(SHARED))
def test_shared_exports(shared_data: Path, name: str) -> None:
    want = SHARED[name]
    path = shared_data / "exports" / "whatsapp" / name
    got = records(path)
    channel = got[0]
    assert isinstance(channel, Channel) and channel.type == "private_group"
    assert extra(channel)["day_first"] is want["day_first"]
    msgs = [r for r in got if isinstance(r, Message)]
    assert not [r for r in got if isinstance(r, Quarantine)]
    assert len(msgs) == want["records"]
    kinds = Counter(m.kind for m in msgs)
    assert (kinds["message"], kinds["service"]) == (want["message"], want["service"])
    senders = sorted({m.sender for m in msgs if m.kind == "message" and m.sender})
    assert len(senders) == want["senders"]
    assert hashlib.sha256("\n".join(senders).encode()).hexdigest() == want["senders_sha256"]
    assert (local(msgs[0]), local(msgs[-1])) == (want["first"], want["last"])
    assert sum(1 for m in msgs if m.media and m.media[0].kind == "omitted") == want["omitted"]
    assert sum(1 for m in msgs if m.media and m.media[0].path) == want["attached"]
    assert sum(1 for m in msgs if extra(m).get("deleted")) == want["deleted"]
    assert len({m.message_id for m in msgs}) == len(msgs)
    assert all(m.sender is None for m in msgs if m.kind == "service")


def test_shared_ios_details(shared_data: Path) -> None:
    msgs = messages(shared_data / "exports" / "whatsapp" / "ios_de_chat.txt")
    flags = Counter(key for m in msgs for key in extra(m))
    assert (flags["edited"], flags["poll"], flags["location"]) == (370, 90, 4)
    assert flags["label"] == 124  # every iOS service event keeps who it was about
    actions = Counter(m.action for m in msgs if m.kind == "service")
    assert actions["create_group"] == 1 and actions["encryption_notice"] == 1
    assert actions[None] == 0
    assert not any(m.text.startswith(LRM) for m in msgs)


# --- peer fixtures (chat-miner): five date layouts, and the Signal one --------------------------


def _as_target(msgs: list[Message], tz: ZoneInfo) -> list[dict[str, str | None]]:
    """chat-miner's target: newest first, naive local times, lines joined with a space,
    without service events (and without its "<Disappearing Message>" line, a service here)."""
    return [
        {
            "timestamp": m.date.astimezone(tz).replace(tzinfo=None).isoformat() if m.date else "",
            "author": m.sender,
            "message": m.text.replace("\n", " "),
        }
        for m in reversed(msgs)
        if m.kind == "message"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "test_[mmddyy]_24hrs.txt",
        "test_ddmmyy_24hrs.txt",
        "test_mmddyy_24hrs.txt",
        "test_mmddyyyy_12hrs.txt",
        "test_yyyymmdd_24hrs.txt",
    ],
)
@pytest.mark.parametrize("tz", ["Europe/Paris", "UTC", "America/Sao_Paulo"])
def test_chat_miner_fixtures_match_their_target(shared_data: Path, name: str, tz: str) -> None:
    folder = shared_data / "exports" / "peer-fixtures" / "chat-miner" / "whatsapp"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    path = folder / name
    assert whatsapp_txt.sniff(path, path.read_bytes())
    got = records(path, tz)
    assert _as_target([m for m in got if isinstance(m, Message)], ZoneInfo(tz)) == target
    services = [m for m in got if isinstance(m, Message) and m.kind == "service"]
    assert [m.action for m in services] == [None, "create_group", "invite_members"]


# --- fixtures written for these tests ----------------------------------------------------------


def test_french_android_without_comma(wa: Path) -> None:
    path = wa / "WhatsApp Chat with Livraison Sud.txt"
    got = records(path)
    channel = got[0]
    assert isinstance(channel, Channel)
    assert (channel.channel_id, channel.name, channel.type) == (
        "Livraison Sud",
        "Livraison Sud",
        "private_group",
    )
    assert extra(channel)["date_order"] == "field>12"
    m = by_line(path)
    assert sorted(m) == [1, 2, 3, 4, 9, 10, 12, 13, 14, 15, 16, 17, 18]
    assert [m[n].action for n in (1, 2, 3, 12, 18)] == [
        "encryption_notice",
        "create_group",
        "invite_members",
        "join_group_by_link",
        "leave",
    ]
    assert all(m[n].kind == "service" and m[n].sender is None for n in (1, 2, 3, 12, 18))
    menu = m[4]
    assert menu.text == "🚚 MENU DU JOUR\n🍫 Jaune 10g = 80€\n❄️ 1g 70\n\nCommande ici en privé"
    assert (menu.sender, local(menu), menu.date.tzinfo is not None) == (
        "Nadia Livraison",
        "2025-03-14 10:02:00",
        True,
    )
    assert menu.date.utcoffset().total_seconds() == 0  # stored in UTC
    assert m[9].text == "" and m[9].media[0].kind == "omitted"
    assert extra(m[9]) == {"marker": "<Médias omis>"}
    photo = m[10]
    assert photo.text == "La carte du week-end"
    assert (photo.media[0].kind, photo.media[0].path) == ("photo", "IMG-20250314-WA0001.jpg")
    assert extra(photo) == {"marker": "fichier joint", "present": False}
    assert (m[13].sender, m[13].sender_id) == ("+33 6 39 98 12 34", "+33639981234")
    assert extra(m[16]) == {"deleted": True} and m[16].text == "Ce message a été supprimé"
    assert (m[17].text, extra(m[17])) == ("ok 👍", {"edited": True})
    ids = [x.message_id for x in m.values()]
    assert len(set(ids)) == len(ids)
    assert m[13].message_id.endswith("-0") and m[14].message_id.endswith("-1")
    assert (
        m[4].message_id
        == "20250314T100200-" + hashlib.sha1(b"Nadia Livraison").hexdigest()[:8] + "-0"
    )
    assert [x.message_id for x in messages(path)] == ids  # stable across re-ingests


def test_french_android_with_comma(wa: Path) -> None:
    path = wa / "Discussion WhatsApp avec Nord.txt"
    got = records(path)
    assert isinstance(got[0], Channel) and got[0].channel_id == "Nord"
    m = by_line(path)
    assert [(local(x), x.sender, x.text) for x in m.values()] == [
        ("2025-03-13 11:04:00", "Karim", "Salut"),
        ("2025-03-13 11:05:00", "Inès", ""),
        ("2025-03-13 11:06:00", "Karim", "Dispo demain\nà partir de 14h"),
        ("2025-03-14 09:00:00", "Inès", "Vous avez supprimé ce message"),
    ]
    assert extra(m[5]) == {"deleted": True}


def test_french_ios_markers(wa: Path) -> None:
    m = by_line(wa / "fr_ios_chat.txt")
    assert (m[1].kind, m[1].action, extra(m[1])) == (
        "service",
        "encryption_notice",
        {"label": "Equipe Nord"},
    )
    assert (m[2].kind, m[2].action) == ("service", "create_group")
    assert (m[3].kind, m[3].text, local(m[3])) == (
        "message",
        "Bonjour à tous",
        "2025-03-12 10:02:15",
    )
    assert extra(m[4]) == {"marker": "image absente"} and m[4].media[0].kind == "omitted"
    assert extra(m[5]) == {"marker": "‹Médias omis›"} and m[5].sender == "Inès"
    photo = m[6].media[0]
    assert (photo.kind, photo.path) == ("photo", "00000012-PHOTO-2025-03-13-18-30-12.jpg")
    assert extra(m[6]) == {"marker": "pièce jointe", "present": False}
    assert m[7].text == "Reçu\nmerci"
    assert (m[9].kind, m[9].action, m[9].sender) == ("service", "invite_members", None)
    assert (m[10].text, extra(m[10])) == ("Ce message a été supprimé.", {"deleted": True})


def test_spanish_twelve_hour_clock(wa: Path) -> None:
    m = by_line(wa / "es_android_12h.txt")
    assert [local(x) for x in m.values()] == [
        "2018-06-23 13:55:00",
        "2018-06-23 13:56:00",
        "2018-06-23 12:30:00",
        "2018-06-24 00:05:00",
        "2018-06-24 09:10:00",
        "2018-06-24 23:59:00",
        "2018-06-24 23:59:00",
    ]
    assert extra(m[2]) == {"marker": "<Multimedia omitido>"}
    assert extra(m[4]) == {"deleted": True}
    assert (m[5].media[0].kind, extra(m[5])["marker"]) == ("video", "archivo adjunto")
    assert m[6].text == "Nos vemos\nmañana"
    assert m[6].message_id[:-2] == m[8].message_id[:-2]
    assert (m[6].message_id[-1], m[8].message_id[-1]) == ("0", "1")


def test_german_twenty_four_hour_clock(wa: Path) -> None:
    m = by_line(wa / "de_android_24h.txt")
    assert (m[1].kind, m[1].action) == ("service", "create_group")
    assert (m[3].media[0].kind, extra(m[3])) == ("omitted", {"marker": "<Medien ausgeschlossen>"})
    assert (m[4].text, m[4].media[0].path, extra(m[4])["marker"]) == (
        "Preisliste",
        "IMG-20210117-WA0001.jpg",
        "Datei angehängt",
    )
    assert local(m[4]) == "2021-01-17 00:02:00"
    assert extra(m[6]) == {"deleted": True}
    assert (m[7].kind, m[7].action) == ("service", "invite_members")


def test_english_ios_invisible_marks(wa: Path) -> None:
    m = by_line(wa / "en_ios.txt")
    assert [x.kind for x in m.values()].count("service") == 3
    assert extra(m[1]) == {"label": "Test Group"}
    assert (m[3].media[0].kind, extra(m[3])) == ("omitted", {"marker": "image omitted"})
    photo, voice = m[4].media[0], m[5].media[0]
    assert (photo.kind, photo.path, photo.mime_type) == (
        "photo",
        "00000012-PHOTO-2023-12-27-09-21-00.jpg",
        "image/jpeg",
    )
    assert voice.kind == "voice"
    assert (local(m[6]), m[6].text) == ("2023-12-27 13:05:09", "hello\nsecond line")
    assert (m[9].text, extra(m[9])) == ("This message was deleted.", {"deleted": True})
    assert (m[10].text, extra(m[10])) == ("price is 50", {"edited": True})
    assert (m[11].action, extra(m[11])) == ("invite_members", {"label": "Test Group"})
    assert local(m[12]) == "2023-12-28 00:00:00"  # 12:00 AM is midnight
    assert extra(m[13]) == {"location": "43.836699,4.360054"}
    assert not any(LRM in (x.sender or "") or x.text.startswith(LRM) for x in m.values())


def test_ambiguous_order_is_decided_by_monotonic_time(wa: Path) -> None:
    got = records(wa / "ambiguous_monotonic.txt")
    assert isinstance(got[0], Channel)
    assert {k: extra(got[0])[k] for k in ("day_first", "date_order")} == {
        "day_first": False,
        "date_order": "monotonic",
    }
    assert [local(m) for m in got if isinstance(m, Message)] == [
        "2024-03-01 10:00:00",
        "2024-03-02 10:00:00",
        "2024-03-05 10:00:00",
        "2024-03-09 10:00:00",
        "2024-03-12 10:00:00",
        "2024-04-02 10:00:00",
    ]


def test_ambiguous_order_without_evidence_follows_the_locale(tmp_path: Path) -> None:
    fr = tmp_path / "fr.txt"
    fr.write_text("03/04/2024 10:00 - Ana: un\n", encoding="utf-8")
    us = tmp_path / "us.txt"
    us.write_text("3/4/24, 10:00 AM - Ana: one\n", encoding="utf-8")
    assert local(messages(fr)[0]) == "2024-04-03 10:00:00"
    assert local(messages(us)[0]) == "2024-03-04 10:00:00"


def test_order_is_decided_by_the_whole_file(tmp_path: Path) -> None:
    lines = [f"0{1 + i % 9}/0{1 + i % 9}/2024 10:00 - Ana: {i}" for i in range(3000)]
    lines.append("05/20/2024 10:00 - Ana: only the last line shows the month comes first")
    path = tmp_path / "late.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = records(path)
    assert isinstance(got[0], Channel) and extra(got[0])["day_first"] is False
    assert local(got[-1]) == "2024-05-20 10:00:00"  # type: ignore[arg-type]


def test_impossible_dates_and_header_lines_are_quarantined(wa: Path) -> None:
    got = records(wa / "invalid_lines.txt")
    quarantined = [(q.code, q.location) for q in got if isinstance(q, Quarantine)]
    assert quarantined == [
        ("E206", "line 1"),
        ("E206", "line 2"),
        ("E201", "line 5"),
        ("E201", "line 7"),
    ]
    assert [(m.source_location, m.text) for m in got if isinstance(m, Message)] == [
        ("line 4", "valid"),
        ("line 8", "valid again"),
    ]


def test_media_path_escaping_the_folder_is_quarantined(wa: Path) -> None:
    got = records(wa / "path_escape.txt")
    assert [(q.code, q.location) for q in got if isinstance(q, Quarantine)] == [
        ("E122", "line 1"),
        ("E122", "line 3"),
    ]
    assert [m.source_location for m in got if isinstance(m, Message)] == [
        "line 2",
        "line 4",
        "line 5",
    ]


# --- zip archives ------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_ios_zip_with_attachments(wa: Path, tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "WhatsApp Chat - Equipe Test.zip",
        {
            "_chat.txt": (wa / "en_ios.txt").read_bytes(),
            "00000012-PHOTO-2023-12-27-09-21-00.jpg": b"\xff\xd8\xff fake jpeg",
        },
    )
    assert whatsapp_txt.sniff(path, path.read_bytes()[:65536])
    got = records(path)
    channel = got[0]
    assert isinstance(channel, Channel) and channel.channel_id == "Equipe Test"
    assert extra(channel)["file"] == "_chat.txt"
    m = {x.source_location: x for x in got if isinstance(x, Message)}
    assert extra(m["line 4"])["present"] is True
    assert extra(m["line 5"])["present"] is False
    assert len(m) == len(messages(wa / "en_ios.txt"))


def test_android_zip_names_the_channel_after_the_txt(wa: Path, tmp_path: Path) -> None:
    name = "WhatsApp Chat with Livraison Sud.txt"
    path = _zip(
        tmp_path / "export.zip",
        {f"export/{name}": (wa / name).read_bytes(), "export/IMG-20250314-WA0001.jpg": b"jpeg"},
    )
    got = records(path)
    assert isinstance(got[0], Channel) and got[0].channel_id == "Livraison Sud"
    photo = next(m for m in got if isinstance(m, Message) and m.media and m.media[0].path)
    assert extra(photo)["present"] is True


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    text = b"1/15/24, 10:00 AM - Sam: hi\n" + b"0" * (8 << 20) + b"\n"
    path = _zip(tmp_path / "bomb.zip", {"_chat.txt": text})
    assert whatsapp_txt.sniff(path, path.read_bytes()[:65536])
    with pytest.raises(UnsafeInputError) as err:
        records(path)
    assert err.value.code == "E122" and "zip bomb" in str(err.value)


def test_zip_too_large_once_expanded_is_refused(
    wa: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _zip(tmp_path / "big.zip", {"_chat.txt": (wa / "en_ios.txt").read_bytes()})
    monkeypatch.setattr(whatsapp_io, "MAX_ZIP_TOTAL", 100)
    with pytest.raises(UnsafeInputError, match="over 2 GiB"):
        records(path)


def test_zip_member_escaping_the_folder_is_refused(wa: Path, tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "evil.zip",
        {"_chat.txt": (wa / "en_ios.txt").read_bytes(), "../../evil.sh": b"#!/bin/sh\n"},
    )
    with pytest.raises(UnsafeInputError) as err:
        records(path)
    assert err.value.code == "E122" and "escapes" in str(err.value)


def test_zip_without_a_chat_is_an_error(tmp_path: Path) -> None:
    path = _zip(tmp_path / "other.zip", {"notes.txt": b"hello\n", "a.jpg": b"x"})
    assert not whatsapp_txt.sniff(path, path.read_bytes()[:65536])
    with pytest.raises(SourceError, match="no WhatsApp chat"):
        records(path)


# --- encodings, limits, broken files -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_give_the_same_records(wa: Path, tmp_path: Path, encoding: str) -> None:
    name = "WhatsApp Chat with Livraison Sud.txt"
    text = (wa / name).read_text(encoding="utf-8")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path = tmp_path / name
    path.write_bytes(data)
    assert whatsapp_txt.sniff(path, data[:65536])
    assert records(path) == records(wa / name)


def test_latin1_file_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    lines = [
        "14/03/2025 10:00 - Ana: ok",
        "14/03/2025 10:01 - Ana: fine",
        "14/03/2025 10:02 - Léa: é",
    ]
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8 at line 3") as err:
        list(whatsapp_txt.parse(path, ParseContext()))
    assert err.value.location == "line 3"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\n\n", "empty"),
        (b"hello\nthis is not a chat\n", "not a WhatsApp export"),
        (b'{"messages": []}', "not a WhatsApp export"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        records(path)


def test_huge_line_is_truncated_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        out.write(b"14/03/2025 10:00 - Ana: ")
        for _ in range(24):
            out.write(b"x" * (1 << 20))
        out.write("é\n14/03/2025 10:01 - Ben: après\n".encode())
    tracemalloc.start()
    try:
        got = records(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    first, second = (m for m in got if isinstance(m, Message))
    assert extra(first) == {"truncated": True}
    assert len(first.text) <= whatsapp_txt.TEXT_LIMIT
    assert (second.text, second.source_location) == ("après", "line 2")


def test_many_continuation_lines_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    body = "\n".join("y" * 1000 for _ in range(1500))
    path.write_text(f"14/03/2025 10:00 - Ana: start\n{body}\n14/03/2025 10:01 - Ben: end\n")
    first, second = messages(path)
    assert extra(first) == {"truncated": True} and len(first.text) <= whatsapp_txt.TEXT_LIMIT
    assert second.source_location == "line 1502"


def test_dates_are_read_in_the_given_time_zone(wa: Path) -> None:
    path = wa / "de_android_24h.txt"
    paris = [m.date for m in messages(path)]
    utc = [m.date for r in records(path, "UTC") if isinstance(m := r, Message)]
    assert all(
        u is not None and p is not None and (u - p).total_seconds() == 3600
        for u, p in zip(utc, paris, strict=True)
    )


# --- sniffing and names ------------------------------------------------------------------------


def test_sniff(wa: Path, shared_data: Path) -> None:
    for path in wa.glob("*.txt"):
        if path.name != "invalid_lines.txt":
            assert whatsapp_txt.sniff(path, path.read_bytes()[:65536]), path.name
    signal = shared_data / "exports" / "peer-fixtures" / "chat-miner" / "signal" / "test_export.txt"
    assert not whatsapp_txt.sniff(signal, signal.read_bytes())
    for head in (b'{"messages": [', b"id,date,text\n1,2024-01-01,hi\n", b"plain words\n"):
        assert not whatsapp_txt.sniff(Path("x.txt"), head)
    assert not whatsapp_txt.sniff(Path("x.txt"), b"2024-03-01 10:00:00 server started\n")


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("WhatsApp Chat with Livraison 13", "Livraison 13"),
        ("WhatsApp Chat - Equipe Nord", "Equipe Nord"),
        ("Discussion WhatsApp avec Karim", "Karim"),
        ("WhatsApp-Chat mit Max", "Max"),
        ("Chat de WhatsApp con Lucía", "Lucía"),
        ("Chat WhatsApp con Marco", "Marco"),
        ("Conversa do WhatsApp com Ana", "Ana"),
        ("WhatsApp-chat met Daan", "Daan"),
        ("Чат WhatsApp с Иван", "Иван"),
        ("Ali ile WhatsApp Sohbeti", "Ali"),
        ("WhatsApp Chat with +33 6 39 98 12 34 (1)", "+33 6 39 98 12 34"),
        ("my export", "my export"),
    ],
)
def test_chat_name(stem: str, name: str) -> None:
    assert whatsapp_txt.chat_name(stem) == name


def test_chat_txt_outside_a_zip_takes_its_folder_name(wa: Path, tmp_path: Path) -> None:
    folder = tmp_path / "WhatsApp Chat - Equipe Test"
    folder.mkdir()
    path = folder / "_chat.txt"
    path.write_bytes((wa / "en_ios.txt").read_bytes())
    (folder / "00000012-PHOTO-2023-12-27-09-21-00.jpg").write_bytes(b"jpeg")
    got = records(path)
    assert isinstance(got[0], Channel) and got[0].channel_id == "Equipe Test"
    photo = next(m for m in got if isinstance(m, Message) and m.source_location == "line 4")
    assert extra(photo)["present"] is True


# --- properties --------------------------------------------------------------------------------


def _h12(d: datetime) -> int:
    return d.hour % 12 or 12


def _ampm(d: datetime, am: str, pm: str) -> str:
    return am if d.hour < 12 else pm


def _arabic(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


ES_AM, ES_PM = "a.\u00a0m.", "p.\u00a0m."
# name -> (format of the "<date time> <separator>" head, has seconds)
LOCALES: dict[str, tuple[Callable[[datetime], str], bool]] = {
    "en_US android": (lambda d: f"{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M}\u202f{_ampm(d, 'AM', 'PM')} - ", False),
    "en_GB android": (lambda d: f"{d:%d/%m/%Y}, {d:%H:%M} - ", False),
    "fr android": (lambda d: f"{d:%d/%m/%Y} {d:%H:%M} - ", False),
    "de android": (lambda d: f"{d:%d.%m.%y}, {d:%H:%M} - ", False),
    "es android": (lambda d: f"{d.day}/{d.month}/{d.year}, {_h12(d)}:{d:%M}\u202f{_ampm(d, ES_AM, ES_PM)} - ", False),
    "it android": (lambda d: f"{d:%d/%m/%y}, {d:%H:%M} - ", False),
    "pt android": (lambda d: f"{d:%d/%m/%Y} {d:%H:%M} - ", False),
    "nl android": (lambda d: f"{d:%d-%m-%Y} {d:%H:%M} - ", False),
    "ru android": (lambda d: f"{d:%d.%m.%Y}, {d:%H:%M} - ", False),
    "tr android": (lambda d: f"{d:%d.%m.%Y} {d:%H:%M} - ", False),
    "fi android": (lambda d: f"{d.day}.{d.month}.{d.year} klo {d:%H.%M} - ", False),
    "ko android": (lambda d: f"{d.year}. {d.month}. {d.day}. {_ampm(d, '오전', '오후')} {_h12(d)}:{d:%M} - ", False),
    "ar android": (lambda d: _arabic(f"{d:%d/%m/%Y}، {_h12(d)}:{d:%M} ") + _ampm(d, "ص", "م") + " - ", False),
    "iso android": (lambda d: f"{d:%Y-%m-%d}, {d:%H:%M} - ", False),
    "de ios": (lambda d: f"[{d:%d.%m.%y}, {d:%H:%M:%S}] ", True),
    "fr ios": (lambda d: f"\u200e[{d:%d/%m/%Y} {d:%H:%M:%S}] ", True),
    "en ios": (lambda d: f"[{d.month}/{d.day}/{d:%y}, {_h12(d)}:{d:%M:%S}\u202f{_ampm(d, 'AM', 'PM')}] ", True),
    "es ios": (lambda d: f"[{d.day}/{d.month}/{d:%y}, {_h12(d)}:{d:%M:%S}\u202f{_ampm(d, ES_AM, ES_PM)}] ", True),
    "sv ios": (lambda d: f"[{d:%Y-%m-%d} {d:%H:%M:%S}] ", True),
}  # fmt: skip

_SENDERS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-_'~+éçÜñЖ日😀",
    min_size=1,
    max_size=25,
).filter(lambda s: s == s.strip())
_TEXTS = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc", "Zl", "Zp"),
        exclude_characters="<>‹›()\u200e\u200f\ufeff",
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    locale=st.sampled_from(sorted(LOCALES)),
    when=st.datetimes(min_value=datetime(2009, 1, 1), max_value=datetime(2035, 12, 31)),
    sender=_SENDERS,
    text=_TEXTS,
)
def test_formatting_then_parsing_gives_the_fields_back(
    locale: str, when: datetime, sender: str, text: str
) -> None:
    head, seconds = LOCALES[locale]
    when = when.replace(microsecond=0) if seconds else when.replace(second=0, microsecond=0)
    anchor = head(datetime(2020, 1, 25, 10, 0)) + "Anchor: day 25 settles the order"
    line = head(when) + f"{sender}: {text}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.txt"
        path.write_text(f"{anchor}\n{line}\n", encoding="utf-8")
        got = records(path, "UTC")
    assert not [r for r in got if isinstance(r, Quarantine)]
    last = got[-1]
    assert isinstance(last, Message)
    assert last.date is not None and last.date.replace(tzinfo=None) == when
    assert (last.sender, last.text, last.source_location) == (sender, text, "line 2")


_DATE_LIKE = st.from_regex(
    r"\A\u200e?\[?\d{1,4}[./-]\d{1,4}[./-]\d{1,4},? \d{1,2}[:.]\d{1,2}(:\d\d)?( [ap]\. ?m\.| [AP]M)?\]?( -)? [^\n]{0,30}\Z"
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(st.text(max_size=80), _DATE_LIKE), max_size=25))
def test_parser_never_raises_on_arbitrary_lines(lines: list[str]) -> None:
    body = "\n".join(["14/03/2025 10:00 - Ana: start", *lines])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chat.txt"
        path.write_bytes(body.encode("utf-8", "surrogatepass"))
        try:
            got = records(path)
        except SourceError as exc:  # only a broken encoding may stop the file
            assert "not UTF-8" in str(exc)
            return
    assert isinstance(got[0], Channel)
    assert all(isinstance(r, Message | Quarantine) for r in got[1:])
    locations = [int(r.source_location.split()[1]) for r in got if isinstance(r, Message)]
    assert locations == sorted(locations)


@given(st.text(max_size=200))
def test_layout_detection_never_raises(text: str) -> None:
    layout = whatsapp_locale.detect_layout(text.split("\n"))
    if layout is not None:
        layout.regex.match(text)
    assert isinstance(whatsapp_txt.looks_like_chat(text.encode("utf-8", "surrogatepass")), bool)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Du hast diese Nachricht gelöscht", {"deleted": True}),
        ("Diese Nachricht wurde gelöscht", {"deleted": True}),
        ("This message was deleted", {"deleted": True}),
        ("Vous avez supprimé ce message", {"deleted": True}),
        ("Dit bericht is verwijderd", {"deleted": True}),
        ("Данное сообщение удалено", {"deleted": True}),
        ("Bu mesaj silindi", {"deleted": True}),
        ("<Media omitted>", {"marker": "<Media omitted>"}),
        ("<Media omessi>", {"marker": "<Media omessi>"}),
        ("<Mídia oculta>", {"marker": "<Mídia oculta>"}),
        ("<Media weggelaten>", {"marker": "<Media weggelaten>"}),
        ("<Без медиафайлов>", {"marker": "<Без медиафайлов>"}),
        ("<Medya dahil edilmedi>", {"marker": "<Medya dahil edilmedi>"}),
        ("image omitted", {"marker": "image omitted"}),
        ("POLL:\nQuestion?\nOPTION: yes (2 votes)", {"poll": True}),
        ("hello <This message was edited>", {"edited": True}),
        ("the image was omitted on purpose", {}),
        ("a deleted message", {}),
    ],
)
def test_markers_of_many_locales(tmp_path: Path, text: str, flag: dict[str, object]) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(f"14/03/2025 10:00 - Ana: {text}\n", encoding="utf-8")
    (m,) = messages(path)
    assert extra(m) == flag
    assert bool(m.media) == ("marker" in flag)
