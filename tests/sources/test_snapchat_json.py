from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.errors import SourceError
from vigie.model import Channel, Message, Quarantine, Record
from vigie.sources import generic_csv, generic_jsonl, instagram_json, snapchat_json
from vigie.sources.base import ParseContext

CONV = "d1f4c2a0-0000-4000-8000-00000000c0de"


def records(path: Path) -> list[Record]:
    return list(snapchat_json.parse(path, ParseContext()))


def messages(path: Path) -> list[Message]:
    return [r for r in records(path) if isinstance(r, Message)]


@pytest.fixture()
def old(test_data: Path) -> Path:
    return test_data / "snapchat" / "chat_history_old.json"


@pytest.fixture()
def new(test_data: Path) -> Path:
    return test_data / "snapchat" / "chat_history_new.json"


def test_old_shape_received_and_sent(old: Path) -> None:
    got = {m.source_location: m for m in messages(old)}
    menu = got["Received Saved Chat History[0]"]
    assert (menu.platform, menu.channel_id, menu.sender) == (
        "snapchat",
        "snap_plug_fictif",
        "snap_plug_fictif",
    )
    assert menu.date == datetime(2021, 1, 1, 12, 0, tzinfo=UTC)
    assert menu.text == "Menu dispo : 🍫 10g 80€, livraison gratuite ce soir"
    sent = got["Sent Saved Chat History[0]"]
    assert sent.channel_id == "snap_plug_fictif"  # the conversation is the other person
    assert sent.sender is None
    assert json.loads(sent.extra or "{}") == {"is_sender": True, "to": "snap_plug_fictif"}
    assert got["Received Saved Chat History[2]"].text == "t'as vu le canal ?"  # &#39; decoded
    media = got["Received Saved Chat History[1]"]
    assert [m.kind for m in media.media] == ["media"]
    voice = got["Sent Saved Chat History[1]"]
    assert (voice.channel_id, [m.kind for m in voice.media]) == ("cousin_fictif", ["voice"])


def test_old_shape_channels_and_quarantine(old: Path) -> None:
    got = records(old)
    channels = [r for r in got if isinstance(r, Channel)]
    assert [(c.channel_id, c.type) for c in channels] == [
        ("snap_plug_fictif", "personal_chat"),
        ("cousin_fictif", "personal_chat"),
    ]
    bad = [r for r in got if isinstance(r, Quarantine)]
    assert [(q.code, q.location) for q in bad] == [("E201", "Received Saved Chat History[3]")]
    assert "message sans date" in bad[0].snippet


def test_new_shape_uses_the_milliseconds_field(new: Path) -> None:
    got = {m.source_location: m for m in messages(new)}
    first = got[f"{CONV}[0]"]
    # "Created(microseconds)" holds milliseconds: 1682935200123 -> .123 s, not 1970.
    assert first.date == datetime(2023, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert first.message_id.startswith("1682935200123-")
    assert (first.channel_id, first.sender, first.channel_name) == (CONV, "snap_plug_fictif", None)
    assert json.loads(first.extra or "{}") == {"is_sender": False, "is_saved": False}
    asked = got[f"{CONV}[1]"]
    assert asked.text == "Ça coûte combien le 5g ?"
    assert json.loads(asked.extra or "{}")["is_sender"] is True
    snap = got[f"{CONV}[2]"]
    assert [(m.kind, m.name) for m in snap.media] == [("media", "b~EiQSFTFictif0001")]
    assert snap.text == ""
    # Without the milliseconds field, "Created" is read.
    assert got[f"{CONV}[3]"].date == datetime(2023, 5, 1, 10, 4, tzinfo=UTC)


def test_new_shape_groups_duplicates_and_quarantine(new: Path) -> None:
    got = records(new)
    channels = {r.channel_id: r for r in got if isinstance(r, Channel)}
    assert channels["groupe_fictif_secteur"].name == "Équipe du matin"
    assert channels["groupe_fictif_secteur"].type == "private_group"
    assert channels[CONV].type == "personal_chat"
    keys = [r.msg_key for r in got if isinstance(r, Message)]
    assert len(keys) == len(set(keys)) == 6
    assert [(q.code, q.location) for q in got if isinstance(q, Quarantine)] == [
        ("E201", f"{CONV}[4]")
    ]
    assert keys == [r.msg_key for r in records(new) if isinstance(r, Message)]


@pytest.mark.parametrize("name", ["chat_history_old.json", "chat_history_new.json"])
def test_sniff_claims_only_snapchat(test_data: Path, name: str) -> None:
    path = test_data / "snapchat" / name
    head = path.read_bytes()[:65536]
    assert snapchat_json.sniff(path, head)
    for other in (instagram_json, generic_jsonl, generic_csv):
        assert not other.sniff(path, head)


def test_minified_file_and_odd_values(tmp_path: Path) -> None:
    path = tmp_path / "chat_history.json"
    data = {
        "ami": [
            {
                "From": "ami",
                "Media Type": "TEXT",
                "Created": "2023-01-01 00:00:00 UTC",
                "Content": "a",
            },
            "pas un objet",
        ],
        "Meta": {"version": 2},
    }
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    assert snapchat_json.sniff(path, path.read_bytes())
    got = records(path)
    assert [m.text for m in got if isinstance(m, Message)] == ["a"]
    assert [(q.code, q.location) for q in got if isinstance(q, Quarantine)] == [
        ("E203", "ami[1]"),
        ("E203", "Meta"),
    ]


def test_truncated_or_not_an_object_raises(new: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_bytes(new.read_bytes()[:700])
    with pytest.raises(SourceError) as info:
        records(cut)
    assert str(cut) in str(info.value)
    array = tmp_path / "array.json"
    array.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SourceError, match="not a JSON object"):
        records(array)


KEYS = [
    "From",
    "To",
    "Created",
    "Created(microseconds)",
    "Content",
    "Text",
    "Media Type",
    "IsSender",
]
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
        st.sampled_from(["Received Saved Chat History", "Sent Saved Chat History", "ami"]),
        values | st.lists(values, max_size=5),
        max_size=3,
    )
    | values
)
def test_arbitrary_json_never_raises_but_source_error(doc: object, tmp_path: Path) -> None:
    path = tmp_path / "chat_history.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        for record in snapchat_json.parse(path, ParseContext()):
            if isinstance(record, Message):
                assert record.date is not None and record.date.tzinfo is not None
                record.text.encode("utf-8")
    except SourceError:
        pass
