from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigie.errors import SourceError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import detect, telegram_html
from vigie.sources.base import ParseContext

CHAT = "Le Jardin du 13 (test)"


def records(path: Path) -> list[Record]:
    return list(telegram_html.parse(path, ParseContext()))


@pytest.fixture()
def html(test_data: Path) -> Path:
    return test_data / "telegram" / "html"


def by_id(path: Path) -> dict[str, Message]:
    return {r.message_id: r for r in records(path) if isinstance(r, Message)}


def test_channel_id_is_derived_from_the_header_name(html: Path) -> None:
    first, second = records(html / "messages.html")[0], records(html / "messages2.html")[0]
    assert first == second == Channel("telegram", telegram_html.channel_id_for(CHAT), CHAT)
    assert first.channel_id == "html-88626bcd481a"


def test_first_page_ids_senders_dates(html: Path) -> None:
    got = records(html / "messages.html")
    msgs = [r for r in got if isinstance(r, Message)]
    assert [(m.message_id, m.kind, m.sender) for m in msgs] == [
        ("1", "service", None),
        ("2", "message", CHAT),
        ("3", "message", CHAT),  # joined: no from_name, the sender carries over
        ("4", "message", CHAT),
        ("5", "message", CHAT),
        ("6", "message", CHAT),
        ("7", "message", CHAT),
        ("9", "message", "Client A"),
        ("10", "service", None),
        ("11", "message", CHAT),
    ]
    dates = {m.message_id: m.date for m in msgs}
    assert dates["2"] == datetime(2024, 3, 1, 11, 1, tzinfo=UTC)  # 12:01 UTC+01:00
    assert dates["9"] == datetime(2024, 3, 1, 11, 8, tzinfo=UTC)
    assert dates["11"] == datetime(2024, 3, 2, 8, 0, tzinfo=UTC)  # no offset: Europe/Paris
    # undated service messages borrow a neighbour's date, and say so
    assert dates["1"] == dates["2"] and json.loads(msgs[0].extra or "{}") == {
        "date_from": "next_message"
    }
    assert dates["10"] == dates["9"]
    assert all(m.source_location == f"div#message{m.message_id}" for m in msgs)
    assert not any(m.message_id.startswith("-") for m in msgs)  # date separators skipped
    quarantined = [r for r in got if isinstance(r, Quarantine)]
    assert [(q.code, q.location) for q in quarantined] == [("E122", "div#message8")]


def test_text_entities_and_links(html: Path) -> None:
    msgs = by_id(html / "messages.html")
    menu = msgs["2"]
    assert menu.text == (
        "MENU 🌿\nBeuh 10€/g & résine – commander\n☎ 06 12 34 56 78\n@jardin13_secours #livraison"
    )
    assert [(e.type, e.text, e.url) for e in menu.entities] == [
        ("bold", "MENU 🌿", None),
        ("text_link", "commander", "https://t.me/jardin13_bot?start=menu"),
        ("phone", "06 12 34 56 78", None),
        ("mention", "@jardin13_secours", "https://t.me/jardin13_secours"),
        ("hashtag", "#livraison", None),
    ]
    for m in msgs.values():
        for e in m.entities:
            assert m.text[e.offset : e.offset + e.length] == e.text
    assert json.loads(menu.extra or "{}") == {"via_bot": "@jardin13_bot", "author": "Admin J."}
    reply = msgs["9"]
    assert reply.reply_to == "2"
    assert [(e.type, e.text) for e in reply.entities] == [
        ("email", "client@example.org"),
        ("spoiler", "code 1234"),
    ]
    assert msgs["10"].reply_to == "2" and msgs["10"].text.endswith("pinned this message")


def test_forwarded_media_and_poll(html: Path) -> None:
    msgs = by_id(html / "messages.html")
    fwd = msgs["3"]
    assert fwd.forwarded_from == "Canal Secours (test)"
    assert fwd.text == "Nouveau canal: https://t.me/jardin13_new"
    assert [e.type for e in fwd.entities] == ["link"]
    assert json.loads(fwd.extra or "{}")["forwarded_date"] == "2024-02-28T08:00:00+00:00"
    media = {k: [(x.kind, x.path, x.name) for x in m.media] for k, m in msgs.items() if m.media}
    assert media == {
        "2": [("photo", "photos/photo_1@01-03-2024_12-01-00.jpg", None)],
        "4": [("sticker", "stickers/sticker.webp", None)],
        "5": [("voice", None, None)],  # not included in the export
        "7": [("file", "files/tarifs.pdf", "tarifs.pdf")],
    }
    assert json.loads(msgs["6"].extra or "{}")["poll"] == {
        "question": "Livraison ce soir ?",
        "answers": [{"text": "Oui", "votes": "3 votes"}, {"text": "Non", "votes": "1 vote"}],
    }


def test_second_page(html: Path) -> None:
    msgs = list(by_id(html / "messages2.html").values())
    assert [(m.message_id, m.sender, m.date) for m in msgs] == [
        ("12", "Deleted Account", datetime(2024, 3, 3, 4, 59, 30, tzinfo=UTC)),  # UTC-05:00
        ("13", "Deleted Account", datetime(2024, 3, 3, 5, 0, 10, tzinfo=UTC)),
    ]
    assert msgs[0].text == 'dispo "ce soir" ?'
    assert [(e.type, e.text) for e in msgs[1].entities] == [
        ("mention", "@vendeur_test"),
        ("code", "CODE42"),
    ]


def test_full_export_page_paths_are_relative_to_the_export(html: Path) -> None:
    got = records(html / "chats" / "chat_01" / "messages.html")
    assert got[0] == Channel("telegram", telegram_html.channel_id_for("Groupe Test"), "Groupe Test")
    service, photo = (r for r in got if isinstance(r, Message))
    assert service.kind == "service" and service.text == "Admin Test changed group photo"
    assert [x.path for x in service.media] == [
        "chats/chat_01/photos/photo_1@05-04-2024_10-00-00.jpg"
    ]
    assert [(x.kind, x.path) for x in photo.media] == [
        ("photo", "chats/chat_01/photos/photo_2@05-04-2024_10-05-00.jpg"),
        ("location", None),
    ]
    assert json.loads(photo.extra or "{}")["links"][0].startswith("https://maps.google.com/")


@pytest.mark.parametrize(
    ("name", "claimed"),
    [("messages.html", True), ("messages2.html", True), ("chats/chat_01/messages.html", True)],
)
def test_sniff_and_detect(html: Path, name: str, claimed: bool) -> None:
    path = html / name
    assert telegram_html.sniff(path, path.read_bytes()[:65536]) is claimed
    assert detect(path).FORMAT == "telegram_html"


def test_sniff_refuses_other_pages() -> None:
    summary = b"<!DOCTYPE html>\n<html>\n<head><title>Exported Data</title></head>\n<body>"
    summary += b'<div class="page_body"><div class="sections">'
    assert not telegram_html.sniff(Path("export_results.html"), summary)
    assert not telegram_html.sniff(Path("x.html"), b"<!DOCTYPE html><html><body>hi</body>")
    assert not telegram_html.sniff(Path("x.json"), b'{"messages": []}')


def test_not_utf8_page_is_refused(html: Path, tmp_path: Path) -> None:
    text = (html / "messages2.html").read_text(encoding="utf-8").replace("🌿", "")
    text = text.replace("dispo", "café dispo")
    path = tmp_path / "messages.html"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SourceError) as info:
        records(path)
    assert "not UTF-8" in info.value.reason
    assert f"byte {text.encode('latin-1').index(b'caf') + 3}" in info.value.location


def test_page_without_history_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "messages.html"
    path.write_text("<!DOCTYPE html><html><body><p>nothing</p></body></html>", encoding="utf-8")
    with pytest.raises(SourceError, match=r"div\.history"):
        records(path)


def test_folder_copy_keeps_ids(html: Path, tmp_path: Path) -> None:
    """The same page read from elsewhere gives the same records (nothing depends on the path)."""
    copy = tmp_path / "export" / "messages.html"
    copy.parent.mkdir()
    shutil.copy(html / "messages.html", copy)
    assert records(copy) == records(html / "messages.html")


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Exported Data</title></head><body>
<div class="page_wrap"><div class="page_header"><div class="content"><div class="text bold">
Test
</div></div></div><div class="page_body chat_page"><div class="history">
{body}
</div></div></div></body></html>
"""
WRAPPED = """<div class="message default clearfix" id="message{i}"><div class="body">
<div class="pull_right date details" title="01.03.2024 12:0{i}:00 UTC+01:00">12:0{i}</div>
<div class="from_name">{name}</div>{media}<div class="text">t{i}</div></div></div>"""
JOINED = """<div class="message default clearfix joined" id="message{i}"><div class="body">
<div class="pull_right date details" title="01.03.2024 12:0{i}:00 UTC+01:00">12:0{i}</div>
<div class="text">t{i}</div></div></div>"""
BAD_MEDIA = '<div class="media_wrap clearfix"><a class="photo_wrap" href="../x.jpg"></a></div>'


def test_sender_carries_over_a_quarantined_message(tmp_path: Path) -> None:
    body = WRAPPED.format(i=1, name="A", media="") + WRAPPED.format(i=2, name="B", media=BAD_MEDIA)
    body += JOINED.format(i=3)
    path = tmp_path / "messages.html"
    path.write_text(PAGE.format(body=body), encoding="utf-8")
    got = records(path)[1:]
    assert isinstance(got[1], Quarantine) and got[1].code == "E122"
    assert [(r.message_id, r.sender) for r in got if isinstance(r, Message)] == [
        ("1", "A"),
        ("3", "B"),
    ]


def test_undatable_records_are_quarantined(tmp_path: Path) -> None:
    body = '<div class="message service" id="message5"><div class="body details">X joined</div>'
    body += "</div>" + JOINED.format(i=6).replace(' title="01.03.2024 12:06:00 UTC+01:00"', "")
    path = tmp_path / "messages.html"
    path.write_text(PAGE.format(body=body), encoding="utf-8")
    got = records(path)[1:]
    assert [(q.code, q.location) for q in got if isinstance(q, Quarantine)] == [
        ("E201", "div#message5"),
        ("E201", "div#message6"),
    ]
