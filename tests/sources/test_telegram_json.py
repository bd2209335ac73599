from __future__ import annotations

import codecs
import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.errors import SourceError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import detect, telegram_json
from vigie.sources.base import ParseContext
from vigie.sources.json_repair import RepairingReader, repair_lines


def records(path: Path, ctx: ParseContext | None = None) -> list[Record]:
    return list(telegram_json.parse(path, ctx or ParseContext()))


def messages(path: Path) -> list[Message]:
    return [r for r in records(path) if isinstance(r, Message)]


def extra(m: Message) -> dict[str, Any]:
    return json.loads(m.extra) if m.extra else {}


@pytest.fixture()
def tg(test_data: Path) -> Path:
    return test_data / "telegram"


# --- the real exports in ../shared/data -----------------------------------------------------

# file, chat id, type, messages, service, distinct sender names, sha256 of sorted names,
# first and last date (UTC)
SHARED = [
    (
        "channel_zh_result.json",
        "1878264527",
        "public_channel",
        924,
        16,
        1,
        "25ca5d6fd60dff8a209714965f49ae27737d787100767894575d5b68db368038",
        "2023-07-17T16:23:39+00:00",
        "2025-02-28T12:29:46+00:00",
    ),
    (
        "full_account_export_result.json",
        "2482670091",
        "private_supergroup",
        1250,
        840,
        545,
        "8f68de4d2fbbd989ad89ffadc09060232f4621665357285f2c12ac0f6fa85347",
        "2024-09-21T12:16:03+00:00",
        "2026-03-29T20:49:33+00:00",
    ),
]


@pytest.mark.parametrize(
    ("name", "chat_id", "kind", "total", "service", "senders", "digest", "first", "last"), SHARED
)
def test_shared_exports(
    shared_data: Path,
    name: str,
    chat_id: str,
    kind: str,
    total: int,
    service: int,
    senders: int,
    digest: str,
    first: str,
    last: str,
) -> None:
    path = shared_data / "exports" / "telegram" / name
    assert telegram_json.sniff(path, path.read_bytes()[:65536])
    assert detect(path).FORMAT == "telegram_json"
    got = records(path)
    channels = [r for r in got if isinstance(r, Channel)]
    assert channels[0].channel_id == chat_id and channels[0].type == kind
    msgs = [r for r in got if isinstance(r, Message) and r.channel_id == chat_id]
    assert not [r for r in got if isinstance(r, Quarantine)]
    assert len(msgs) == total
    assert Counter(m.kind for m in msgs) == {"service": service, "message": total - service}
    names = sorted({m.sender for m in msgs if m.sender is not None})
    assert len(names) == senders
    assert hashlib.sha256("\n".join(names).encode()).hexdigest() == digest
    assert msgs[0].date is not None and msgs[0].date.isoformat() == first
    assert msgs[-1].date is not None and msgs[-1].date.isoformat() == last
    assert all(m.date is not None and m.date.tzinfo is UTC for m in msgs)
    assert all(m.platform == "telegram" and m.source_location for m in msgs)
    assert len({m.message_id for m in msgs}) == total


def test_channel_zh_text_and_entities(shared_data: Path) -> None:
    msgs = messages(shared_data / "exports" / "telegram" / "channel_zh_result.json")
    entities = [e for m in msgs for e in m.entities]
    assert len(entities) == 9862
    assert sum(len(m.text) for m in msgs) == 294395
    links = [e for e in entities if e.type == "text_link"]
    assert len(links) == 3337 and all(e.url for e in links)
    for m in msgs:
        for e in m.entities:
            assert m.text[e.offset : e.offset + e.length] == e.text
    assert sum("author" in extra(m) for m in msgs) == 513
    assert sum("poll" in extra(m) for m in msgs) == 1
    assert msgs[0].source_location == "messages[0]" and msgs[0].action == "create_channel"


def test_full_account_export(shared_data: Path) -> None:
    got = records(shared_data / "exports" / "telegram" / "full_account_export_result.json")
    channels = [r for r in got if isinstance(r, Channel)]
    assert [(c.channel_id, c.type) for c in channels] == [
        ("2482670091", "private_supergroup"),
        ("1879100230", "private_channel"),  # a left channel without messages
    ]
    msgs = [r for r in got if isinstance(r, Message)]
    assert msgs[0].source_location == "chats.list[0].messages[0]"
    assert msgs[-1].source_location == "chats.list[0].messages[1249]"
    assert sum("topic_id" in extra(m) for m in msgs) == 407
    assert sum(m.action == "topic_created" for m in msgs) == 18
    assert sum(bool(m.media) for m in msgs) == 149
    omitted = [x for m in msgs for x in m.media if x.path is None]
    assert len(omitted) == 1 and omitted[0].kind == "sticker"
    assert sum(m.reply_to is not None for m in msgs) == 407
    assert sum(m.edited is not None for m in msgs) == 342
    anonymous = [m for m in msgs if m.kind == "service" and m.sender is None]
    assert anonymous and all(m.sender_id for m in anonymous)


@pytest.mark.parametrize("name", ["test_single_export.json", "test_batch_export.json"])
def test_chat_miner_fixtures_match_their_target(shared_data: Path, name: str) -> None:
    folder = shared_data / "exports" / "peer-fixtures" / "chat-miner" / "telegram"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    got = messages(folder / name)
    # target.json: naive UTC timestamps; chat-miner joins text parts with a space where
    # Telegram's plain text is their concatenation ("Link:" + "https://…"), so spaces are
    # left out of the comparison.
    assert [
        {
            "timestamp": m.date.astimezone(UTC).replace(tzinfo=None).isoformat()
            if m.date
            else None,
            "author": m.sender,
            "message": m.text.replace(" ", ""),
        }
        for m in got
    ] == [{**t, "message": t["message"].replace(" ", "")} for t in target]
    assert got[0].text == "Minimal Message"
    assert got[1].text == "Link:https://telegram.org/"
    assert [e.type for e in got[1].entities] == ["bold", "link"]
    assert len({m.message_id for m in got}) == 2


# --- the flattener ---------------------------------------------------------------------------

_text = st.text(max_size=12)
_entity = st.fixed_dictionaries(
    {"type": st.sampled_from(["plain", "bold", "link", "text_link", "phone"]), "text": _text},
    optional={"href": st.text(max_size=5)},
)


@given(st.lists(st.one_of(_text, _entity), max_size=12))
def test_flatten_concatenates_and_offsets_slice_back(parts: list[Any]) -> None:
    text, entities = telegram_json.flatten(parts)
    assert text == "".join(p if isinstance(p, str) else p["text"] for p in parts)
    assert len(entities) == sum(isinstance(p, dict) and p["type"] != "plain" for p in parts)
    for e in entities:
        assert text[e.offset : e.offset + e.length] == e.text


_nested = st.recursive(
    st.one_of(st.none(), st.integers(), st.booleans(), _text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["type", "text", "href", "user_id"]), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(_nested)
def test_flatten_never_raises(value: Any) -> None:
    text, entities = telegram_json.flatten(value)
    for e in entities:
        assert text[e.offset : e.offset + e.length] == e.text


def test_flatten_hidden_urls_and_mentions() -> None:
    text, entities = telegram_json.flatten(
        [
            "Voir ",
            {"type": "text_link", "text": "ici", "href": "https://x.test/menu"},
            " ",
            {"type": "mention_name", "text": "Karim", "user_id": 42},
        ]
    )
    assert text == "Voir ici Karim"
    assert [(e.type, e.offset, e.length, e.url) for e in entities] == [
        ("text_link", 5, 3, "https://x.test/menu"),
        ("mention_name", 9, 5, "tg://user?id=42"),
    ]


# --- fixtures written for these tests --------------------------------------------------------


def test_shop_channel(tg: Path) -> None:
    got = records(tg / "shop_result.json")
    assert got[0] == Channel("telegram", "1000000001", "Le Jardin du 13 (test)", "public_channel")
    by_id = {r.message_id: r for r in got if isinstance(r, Message)}
    menu = by_id["2"]
    assert menu.text.startswith("MENU 🌿\nBeuh 10€/g – commander\n☎ 06 12 34 56 78")
    assert [(e.type, e.text, e.url) for e in menu.entities if e.url] == [
        ("text_link", "commander", "https://t.me/jardin13_bot?start=menu")
    ]
    assert {e.type for e in menu.entities} == {
        "bold", "text_link", "phone", "mention", "hashtag", "bank_card"
    }  # fmt: skip
    for e in menu.entities:
        assert menu.text[e.offset : e.offset + e.length] == e.text
    assert menu.edited == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    assert [(x.kind, x.path) for x in menu.media] == [
        ("photo", "photos/photo_1@01-03-2024_12-01-00.jpg")
    ]
    info = extra(menu)
    assert info["via_bot"] == "@jardin13_bot" and info["author"] == "Admin J."
    assert [b["text"] for row in info["inline_bot_buttons"] for b in row] == [
        "🛒 Commander",
        "📍 Zones",
    ]
    assert info["inline_bot_buttons"][0][0]["data"] == "https://t.me/jardin13_bot?start=order"
    assert info["reactions"] == [{"type": "emoji", "count": 3, "emoji": "🔥"}]
    assert menu.extra is not None and ": " not in menu.extra  # compact

    assert by_id["3"].forwarded_from == "Canal Secours (test)"
    assert extra(by_id["3"])["forwarded_from_id"] == "channel1000000002"
    assert [(x.kind, x.path) for x in by_id["4"].media] == [("sticker", "stickers/sticker.webp")]
    assert extra(by_id["4"]) == {"sticker_emoji": "🌿"}
    voice = by_id["5"].media[0]
    assert (voice.kind, voice.path, voice.mime_type) == ("voice", None, "audio/ogg")
    assert extra(by_id["6"])["poll"]["question"] == "Livraison ce soir ?"
    assert extra(by_id["7"])["contact_information"]["first_name"] == "Livreur"
    assert by_id["7"].media[0].path == "contacts/contact_1.vcf"
    assert extra(by_id["8"])["location_information"] == {
        "latitude": 43.296482,
        "longitude": 5.36978,
    }
    # "date" only, no "date_unixtime": read in ctx.tz (Europe/Paris, summer time)
    assert by_id["12"].date == datetime(2024, 7, 1, 10, 0, tzinfo=UTC)
    tagged = by_id["13"]
    assert tagged.reply_to == "2"
    assert [(e.type, e.text) for e in tagged.entities] == [
        ("mention_name", "Karim"),
        ("custom_emoji", "🌿"),
        ("spoiler", "code 1234"),
        ("blockquote", "livraison 24/7"),
        ("email", "jardin13@example.org"),
        ("pre", "x = 1"),
    ]
    pin = by_id["14"]
    assert (pin.kind, pin.action, extra(pin)) == ("service", "pin_message", {"message_id": 2})


def test_shop_quarantines(tg: Path) -> None:
    quarantined = [r for r in records(tg / "shop_result.json") if isinstance(r, Quarantine)]
    assert [(q.code, q.location) for q in quarantined] == [
        ("E122", "messages[8]"),  # photo "../../etc/passwd"
        ("E201", "messages[9]"),  # no date at all
        ("E201", "messages[10]"),  # {"id": 11, "type": "unsupported"}
    ]
    assert "escapes the export folder" in quarantined[0].reason
    assert '"date_unixtime":"1709291280"' in quarantined[0].snippet
    assert quarantined[2].snippet == '{"id":11,"type":"unsupported"}'


def test_account_export_locations_and_topics(tg: Path) -> None:
    got = records(tg / "account_result.json")
    channels = [r for r in got if isinstance(r, Channel)]
    assert [c.channel_id for c in channels] == [
        "2000000001", "2000000002", "2000000003", "2000000004"
    ]  # fmt: skip
    by_loc = {r.source_location: r for r in got if isinstance(r, Message)}
    assert by_loc["chats.list[0].messages[2]"].reply_to == "2"
    assert by_loc["left_chats.list[0].messages[0]"].text == "on déménage"
    topics = {m.message_id: extra(m).get("topic_id") for m in by_loc.values()}
    assert topics["101"] == 100 and topics["102"] == 100 and topics["103"] is None
    assert extra(by_loc["chats.list[1].messages[2]"])["topic"] == "Commandes"
    joined = by_loc["chats.list[1].messages[6]"]
    assert (joined.sender, joined.sender_id, extra(joined)) == (
        None,
        "user6",
        {"inviter": "Forum Test"},
    )


def test_repairs_of_telegram_desktop_invalid_json(tg: Path) -> None:
    ctx = ParseContext()
    got = [r for r in records(tg / "repairs_result.json", ctx) if isinstance(r, Message)]
    # 4 "\xNN" escapes, 2 unquoted document_id, 1 unquoted date, 2 unescaped quotes
    assert ctx.stats.repairs == 9
    assert [m.message_id for m in got] == ["1", "2", "3", "4", "5"]
    assert extra(got[0])["inline_bot_buttons"][0][0]["data"] == "1=412\x012=97180\x013=292430"
    assert got[1].text == "🌿 dispo"
    assert got[2].date == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    assert got[3].text == "Beuh\x0bpremium"
    assert got[4].text == 'Prix "spécial" demain'


@pytest.mark.parametrize(
    ("line", "fixed", "n"),
    [
        (b'  "data": "a\\x01b\\x1F"', b'  "data": "a\\u0001b\\u001F"', 2),
        (b'  "data": "a\\\\x01"', b'  "data": "a\\\\x01"', 0),  # an escaped backslash
        (b'  "document_id": files/a (2).webm,', b'  "document_id": "files/a (2).webm",', 1),
        (b'  "date": 2024-03-01T10:00:00', b'  "date": "2024-03-01T10:00:00"', 1),
        (b'  "text": "un "mot" ici",', b'  "text": "un \\"mot\\" ici",', 1),
        (b'  "id": 12,', b'  "id": 12,', 0),
        (b'  "a": "b", "c": d', b'  "a": "b", "c": d', 0),  # not a value: left alone
    ],
)
def test_repair_lines(line: bytes, fixed: bytes, n: int) -> None:
    assert repair_lines(line) == (fixed, n)


# --- broken files ----------------------------------------------------------------------------


def test_truncated_file_raises_after_the_good_records(tg: Path, tmp_path: Path) -> None:
    data = (tg / "shop_result.json").read_bytes()
    cut = data.index(b'"id": 6,')
    path = tmp_path / "result.json"
    path.write_bytes(data[:cut])
    seen: list[Record] = []
    with pytest.raises(SourceError) as info:
        seen.extend(telegram_json.parse(path, ParseContext(display_name="cut/result.json")))
    assert info.value.path == "cut/result.json"
    assert info.value.location.startswith("line ") and "byte" in info.value.location
    assert "truncated" in info.value.reason
    assert len(seen) >= 1  # the ingest discards the file anyway


def test_garbage_inside_a_message_names_its_line(tg: Path, tmp_path: Path) -> None:
    text = (tg / "shop_result.json").read_text(encoding="utf-8")
    broken = text.replace('   "text": "RDV ici",', '   "text": "RDV ici",\n   @@@ ###,')
    path = tmp_path / "result.json"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        records(path)
    line = broken[: broken.index("@@@")].count("\n") + 1
    assert info.value.location.startswith(f"line {line},")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_bom_files_are_read(tg: Path, tmp_path: Path, encoding: str) -> None:
    source = tg / "shop_result.json"
    text = source.read_text(encoding="utf-8")
    path = tmp_path / "result.json"
    bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""
    path.write_bytes(bom + text.encode(encoding))
    assert telegram_json.sniff(path, path.read_bytes()[:65536])
    assert records(path) == records(source)


def test_latin1_file_is_refused_with_the_offset(tmp_path: Path) -> None:
    text = (
        '{\n "name": "Café",\n "type": "personal_chat",\n "id": 5,\n "messages": [\n  {\n'
        '   "id": 1,\n   "type": "message",\n   "date_unixtime": "1700000000",\n'
        '   "from": "Léa",\n   "text": "ça coûte 10"\n  }\n ]\n}\n'
    )
    path = tmp_path / "result.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SourceError) as info:
        records(path)
    offset = text.encode("latin-1").index("é".encode("latin-1"))
    assert f"byte {offset}" in info.value.location
    assert "not UTF-8" in info.value.reason and "iconv" in info.value.reason


def test_minified_file_uses_the_generic_parser(tg: Path, tmp_path: Path) -> None:
    for name in ("shop_result.json", "account_result.json"):
        source = tg / name
        path = tmp_path / name
        path.write_text(json.dumps(json.loads(source.read_text("utf-8"))), encoding="utf-8")
        ctx = ParseContext()
        assert records(path, ctx) == records(source)
        assert ctx.stats.notes["telegram_json_generic_parser"] == 1


def test_layout_change_midway_yields_nothing_twice(tg: Path, tmp_path: Path) -> None:
    source = tg / "account_result.json"
    data = json.loads(source.read_text("utf-8"))
    text = json.dumps(data, ensure_ascii=False, indent=1)
    forum = json.dumps(data["chats"]["list"][1], ensure_ascii=False, indent=1)
    one_line = json.dumps(data["chats"]["list"][1], ensure_ascii=False)
    text = text.replace(forum.replace("\n", "\n   "), one_line)
    assert one_line in text
    path = tmp_path / "result.json"
    path.write_text(text, encoding="utf-8")
    ctx = ParseContext()
    assert records(path, ctx) == records(source)
    assert ctx.stats.notes["telegram_json_generic_parser"] == 1


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (
            b'{\n "name": "x",\n "type": "personal_chat",\n "id": 1,\n "messages": [\n  {\n'
            b'   "id": 1,\n   "type": "message",\n   "date": "2024-01-01T10:00:00",\n',
            True,
        ),
        (b'{\n "about": "Here is the data you requested.",\n "personal_information": {', True),
        (
            b'{\n "participants": [{"name": "a"}],\n "messages": [\n {"sender_name": "a",'
            b' "timestamp_ms": 1, "content": "x"}',
            False,
        ),
        (b'{"messages": [{"sender_name": "John", "timestamp_ms": 1, "content": "Hi"}]}', False),
        (b'{"date": "2024-01-01", "text": "x", "type": "message"}\n', False),
        (b"[1, 2, 3]", False),
    ],
)
def test_sniff(head: bytes, claimed: bool) -> None:
    assert telegram_json.sniff(Path("result.json"), head) is claimed


def test_odd_unixtimes_fall_back_to_date(tmp_path: Path) -> None:
    chat = {"name": "x", "type": "personal_chat", "id": 9, "messages": [
        {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "hidden",
         "text": "a", "text_entities": [{"type": "plain", "text": "a"}]},
        {"id": 2, "type": "message", "date_unixtime": "2024-01-01T10:00:00+02:00", "text": "b"},
        {"id": 3, "type": "message", "date_unixtime": "1704099600", "edited": "2024-01-01T12:00:00",
         "text": ["c", {"type": "bold", "text": "d"}]},
    ]}  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(chat, indent=1), encoding="utf-8")
    got = messages(path)
    assert [m.date for m in got] == [
        datetime(2024, 1, 1, 9, 0, tzinfo=UTC),  # "date" read in Europe/Paris
        datetime(2024, 1, 1, 8, 0, tzinfo=UTC),
        datetime(2024, 1, 1, 9, 0, tzinfo=UTC),
    ]
    assert got[0].text == "a" and got[2].text == "cd"
    assert got[2].edited == datetime(2024, 1, 1, 11, 0, tzinfo=UTC)
    assert [(e.type, e.offset) for e in got[2].entities] == [("bold", 1)]


def test_repairing_reader_on_one_long_line() -> None:
    text = ('{"a": "x\\x01y", "b": "é' + "é" * 40 + '\\x1F"}').encode()
    repairs: list[int] = []
    reader = RepairingReader(io.BytesIO(text), "f", repairs.append, limit=7)
    out = b"".join(iter(lambda: reader.read(1 << 16), b""))
    assert json.loads(out) == {"a": "x\x01y", "b": "é" * 41 + "\x1f"}
    assert sum(repairs) == 2


def test_latin1_minified_file_is_refused_too(tmp_path: Path) -> None:
    text = '{"name": "Café", "messages": [{"id": 1, "date_unixtime": "1", "text": "x"}]}'
    path = tmp_path / "result.json"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SourceError) as info:
        records(path)
    assert "not UTF-8" in info.value.reason
    assert f"byte {text.index('é')}" in info.value.location
