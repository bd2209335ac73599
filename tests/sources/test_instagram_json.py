from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.errors import SourceError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import generic_csv, generic_jsonl, instagram_json, snapchat_json
from vigie.sources.base import ParseContext

THREAD = "plugnord13_1234567890"


def records(path: Path) -> list[Record]:
    return list(instagram_json.parse(path, ParseContext()))


def messages(path: Path) -> list[Message]:
    return [r for r in records(path) if isinstance(r, Message)]


@pytest.fixture()
def thread(test_data: Path) -> Path:
    return test_data / "instagram" / "messages" / "inbox" / THREAD / "message_1.json"


def test_chat_miner_fixture_matches_its_target(shared_data: Path) -> None:
    folder = shared_data / "exports" / "peer-fixtures" / "chat-miner" / "instagram"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    got = messages(folder / "test_export.json")
    assert [
        {
            "timestamp": m.date.astimezone(UTC).replace(tzinfo=None).isoformat()
            if m.date
            else None,
            "author": m.sender,
            "message": m.text,
        }
        for m in got
    ] == target
    assert [m.source_location for m in got] == ["messages[0]", "messages[1]"]


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Ã§a coÃ»te", "ça coûte"),
        ("LÃ©a", "Léa"),
        ("\u00f0\u009f\u008d\u00ab", "🍫"),  # emoji written byte by byte
        ("â\u0082¬", "€"),
        ("déjà juste", "déjà juste"),  # already right: left alone
        ("plain ascii", "plain ascii"),
    ],
)
def test_mojibake_is_repaired(broken: str, fixed: str) -> None:
    assert instagram_json.repair(broken) == fixed


def test_thread_is_parsed_with_repaired_text_and_locations(thread: Path) -> None:
    got = records(thread)
    channel = got[0]
    assert isinstance(channel, Channel)
    assert (channel.platform, channel.channel_id, channel.name) == (
        "instagram",
        THREAD,
        "plug_nord_13",
    )
    assert channel.type == "personal_chat"
    assert json.loads(channel.extra or "{}")["participants"] == ["plug_nord_13", "Léa Martin"]
    by_location = {r.source_location: r for r in got if isinstance(r, Message)}
    menu = by_location["messages[9]"]
    assert (
        menu.text
        == "Menu du jour 🍫 Jaune mousseux 10g = 80€ / ❄️ 1g 70€, livraison offerte dès 50€"
    )
    assert menu.sender == "plug_nord_13"
    assert menu.date == datetime(2023, 11, 14, 22, 14, 20, tzinfo=UTC)
    assert menu.channel_name == "plug_nord_13"
    asked = by_location["messages[7]"]
    assert asked.text == "Ça coûte combien la livraison aux Hirondelles ?"
    assert asked.sender == "Léa Martin"
    assert json.loads(asked.extra or "{}")["reactions"] == [
        {"reaction": "👍", "actor": "plug_nord_13"}
    ]


def test_newest_first_file_order_is_kept(thread: Path) -> None:
    got = messages(thread)
    dates = [m.date for m in got if m.date]
    assert dates == sorted(dates, reverse=True)
    assert got[0].source_location == "messages[0]"
    assert got[0].kind == "service" and got[0].action == "subscribe"


def test_media_share_and_voice(thread: Path) -> None:
    by_location = {m.source_location: m for m in messages(thread)}
    photo = by_location["messages[8]"]
    assert [(m.kind, m.path) for m in photo.media] == [
        ("photo", f"messages/inbox/{THREAD}/photos/menu_1.jpg")
    ]
    assert [m.kind for m in by_location["messages[3]"].media] == ["voice"]
    share = json.loads(by_location["messages[6]"].extra or "{}")["share"]
    assert share["link"] == "https://t.me/exemple_canal_fictif"
    assert share["share_text"] == "Canal de secours — même menu"


def test_bad_entries_are_quarantined(thread: Path) -> None:
    bad = {r.location: r.code for r in records(thread) if isinstance(r, Quarantine)}
    assert bad == {"messages[1]": "E122", "messages[2]": "E201"}


def test_message_ids_are_unique_and_stable(thread: Path) -> None:
    first = [m.msg_key for m in messages(thread)]
    assert len(set(first)) == len(first)  # identical "dispo" twice in one ms stays two messages
    assert [m.msg_key for m in messages(thread)] == first


def test_channel_id_falls_back_to_the_thread_folder(thread: Path, tmp_path: Path) -> None:
    data = json.loads(thread.read_text(encoding="utf-8"))
    del data["thread_path"]
    target = tmp_path / "messages" / "inbox" / "autre_fil_42" / "message_1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(data), encoding="utf-8")
    assert {m.channel_id for m in messages(target)} == {"autre_fil_42"}


def test_participants_after_messages_are_read(thread: Path, tmp_path: Path) -> None:
    data = json.loads(thread.read_text(encoding="utf-8"))
    reordered = {"messages": data.pop("messages"), **data}
    target = tmp_path / "message_1.json"
    target.write_text(json.dumps(reordered, indent=2), encoding="utf-8")
    channel = records(target)[0]
    assert isinstance(channel, Channel) and channel.name == "plug_nord_13"


def test_sniff_claims_only_instagram(thread: Path, test_data: Path) -> None:
    head = thread.read_bytes()[:65536]
    assert instagram_json.sniff(thread, head)
    for other in (generic_jsonl, generic_csv, snapchat_json):
        assert not other.sniff(thread, head)
    for path in sorted((test_data / "snapchat").glob("*.json")):
        assert not instagram_json.sniff(path, path.read_bytes())


def test_truncated_file_raises_source_error(thread: Path, tmp_path: Path) -> None:
    target = tmp_path / "message_1.json"
    target.write_bytes(thread.read_bytes()[:1500])
    with pytest.raises(SourceError) as info:
        records(target)
    assert str(target) in str(info.value)


def test_file_without_messages_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "message_1.json"
    target.write_text('{"participants": [{"name": "a"}], "title": "a"}', encoding="utf-8")
    with pytest.raises(SourceError, match="no 'messages' array"):
        records(target)


def test_copied_fixture_gives_the_same_keys(thread: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    shutil.copy(thread, copy)
    assert [m.msg_key for m in messages(copy)] == [m.msg_key for m in messages(thread)]


KEYS = ["sender_name", "timestamp_ms", "content", "photos", "uri", "share", "reactions", "type"]
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    doc=st.dictionaries(
        st.sampled_from(["messages", "participants", "title", "thread_path"]),
        values | st.lists(values, max_size=5),
        max_size=4,
    )
)
def test_arbitrary_json_never_raises_but_source_error(
    doc: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "message_1.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        for record in instagram_json.parse(path, ParseContext()):
            if isinstance(record, Message):
                assert record.date is not None and record.date.tzinfo is not None
                record.text.encode("utf-8")
    except SourceError:
        pass
