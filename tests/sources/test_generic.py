from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.errors import SourceError
from vigie.model import Message, Quarantine, Record
from vigie.sources import generic_csv, generic_jsonl, tabular
from vigie.sources.base import ParseContext
from vigie.sources.ingest import ingest
from vigie.store.workspace import Workspace

PARIS = ZoneInfo("Europe/Paris")


def records(module: ModuleType, path: Path) -> list[Record]:
    return list(module.parse(path, ParseContext(tz=PARIS)))


def messages(module: ModuleType, path: Path) -> list[Message]:
    return [r for r in records(module, path) if isinstance(r, Message)]


def quarantined(module: ModuleType, path: Path) -> list[tuple[str, str]]:
    return [(r.code, r.location) for r in records(module, path) if isinstance(r, Quarantine)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01T10:00:00+01:00", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-03-01T09:00:00Z", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-03-01 09:00:00 UTC", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("2024-07-01 12:00:00", datetime(2024, 7, 1, 10, 0, tzinfo=UTC)),  # naive: Paris, summer
        ("2024-01-15T12:00", datetime(2024, 1, 15, 11, 0, tzinfo=UTC)),  # naive: Paris, winter
        (1709283600, datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        (1709283600.5, datetime(2024, 3, 1, 9, 0, 0, 500000, tzinfo=UTC)),
        (1709283600123, datetime(2024, 3, 1, 9, 0, 0, 123000, tzinfo=UTC)),
        ("1709283600", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        ("1709283600000", datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),
        (1709283600000000, datetime(2024, 3, 1, 9, 0, tzinfo=UTC)),  # microseconds
        ("hier soir", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (10**30, None),
        ({"a": 1}, None),
    ],
)
def test_dates(value: object, expected: datetime | None) -> None:
    assert tabular.parse_date(value, PARIS) == expected


def test_jsonl_aliases(test_data: Path) -> None:
    got = messages(generic_jsonl, test_data / "generic" / "aliases.jsonl")
    assert [(m.message_id, m.channel_id, m.sender, m.text) for m in got[:3]] == [
        ("m1", "groupe-livraison", "vendeur_fictif", "🍫 Jaune mousseux 10g = 80€"),
        ("m2", "groupe-livraison", "client_fictif", "dispo ce soir ?"),
        ("m3", "groupe-livraison", "vendeur_fictif", "oui, livraison gratuite"),
    ]
    assert {m.date for m in got[:3]} == {
        datetime(2024, 3, 1, 8, 30, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 1, tzinfo=UTC),
    }
    assert [m.platform for m in got] == ["generic", "generic", "telegram", "generic"]
    assert json.loads(got[0].extra or "{}") == {"views": 120}
    last = got[3]
    assert last.message_id.startswith("h") and len(last.message_id) == 21
    assert (last.sender_id, last.reply_to, last.channel_name) == ("u42", "m3", "Groupe Livraison")
    assert last.date == datetime(2024, 3, 1, 9, 5, tzinfo=UTC)
    assert [m.source_location for m in got] == ["line 1", "line 2", "line 3", "line 4"]


def test_csv_aliases_semicolon_bom_and_multiline(test_data: Path) -> None:
    got = messages(generic_csv, test_data / "generic" / "aliases.csv")
    assert [(m.message_id, m.channel_id, m.sender) for m in got] == [
        ("1", "secteur-nord", "vendeur_fictif"),
        ("2", "secteur-nord", "client_fictif"),
        ("3", "secteur-nord", "vendeur_fictif"),
    ]
    assert got[0].text == "Menu :\n🍫 10g = 80€\n❄️ 1g = 70€"
    assert got[1].text == "dispo ; ce soir ?"
    assert got[2].date == datetime(2024, 3, 1, 9, 1, tzinfo=UTC)
    assert [m.source_location for m in got] == ["line 2", "line 5", "line 6"]
    assert json.loads(got[0].extra or "{}") == {"views": "120"}
    assert got[1].extra is None


def test_jsonl_bad_lines_are_quarantined(test_data: Path) -> None:
    path = test_data / "generic" / "bad_lines.jsonl"
    assert [m.text for m in messages(generic_jsonl, path)] == ["premier", "dernier"]
    assert quarantined(generic_jsonl, path) == [
        ("E202", "line 2"),
        ("E203", "line 4"),
        ("E201", "line 5"),
        ("E201", "line 6"),
    ]


def test_csv_bad_rows_are_quarantined(test_data: Path) -> None:
    path = test_data / "generic" / "bad_rows.csv"
    got = messages(generic_csv, path)
    assert [(m.text, m.source_location) for m in got] == [
        ("premier", "line 2"),
        ("sur\ndeux lignes", "line 5"),
        ("dernier", "line 8"),
    ]
    assert quarantined(generic_csv, path) == [
        ("E204", "line 3"),
        ("E201", "line 4"),
        ("E204", "line 7"),
    ]


def test_missing_text_column_is_refused(test_data: Path, tmp_path: Path) -> None:
    path = test_data / "generic" / "no_text.csv"
    with pytest.raises(SourceError) as info:
        records(generic_csv, path)
    assert f"{path}:line 1:" in str(info.value)
    assert "'id', 'date', 'channel', 'sender'" in str(info.value)
    jsonl = tmp_path / "no_text.jsonl"
    jsonl.write_text('{"id": 1, "date": 1709283600, "views": 3}\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"line 1: no text column; keys found: 'id', 'date'"):
        records(generic_jsonl, jsonl)


def test_csv_without_date_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,sender\nbonjour,a\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 1: no date column"):
        records(generic_csv, path)


@pytest.mark.parametrize("module", [generic_jsonl, generic_csv])
def test_invalid_utf8_names_the_line(module: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    if module is generic_jsonl:
        body = '{"date": 1709283600, "text": "ok"}\n{"date": 1709283600, "text": "caf\xe9"}\n'
    else:
        body = "date,text\n1709283600,ok\n1709283600,ok\n1709283600,caf\xe9\n"
    path.write_bytes(body.encode("latin-1"))
    line = 2 if module is generic_jsonl else 4
    with pytest.raises(SourceError, match=f"latin1.txt:line {line}: invalid UTF-8"):
        records(module, path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_bom_files_are_read(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("date\ttext\tchat\n1709283600\tça coûte 10€\tc1\n", encoding=encoding)
    assert generic_csv.sniff(path, path.read_bytes())
    got = messages(generic_csv, path)
    assert [(m.text, m.channel_id) for m in got] == [("ça coûte 10€", "c1")]
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text('{"date": 1709283600, "text": "ça"}\n', encoding=encoding)
    assert generic_jsonl.sniff(jsonl, jsonl.read_bytes())
    assert [m.text for m in messages(generic_jsonl, jsonl)] == ["ça"]


def test_defaults_channel_from_file_name_and_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "saisie_42.jsonl"
    path.write_text('{"date": 1709283600, "text": "a\\ud800b"}\n', encoding="utf-8")
    (got,) = messages(generic_jsonl, path)
    assert got.channel_id == "saisie_42"
    assert got.text == "a\ufffdb"


def test_huge_field_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    big = "x" * (tabular.TEXT_LIMIT + 10)
    path.write_text(f"date,text\n1709283600,{big}\n", encoding="utf-8")
    ctx = ParseContext()
    (got,) = [r for r in generic_csv.parse(path, ctx) if isinstance(r, Message)]
    assert len(got.text) == tabular.TEXT_LIMIT
    assert ctx.stats.notes == {"text_truncated": 1}


@pytest.mark.parametrize(
    ("first", "jsonl", "csv_"),
    [
        ('{"text": "a", "date": 1}', True, False),
        ('{"Message": "a"}', True, False),
        ('{"participants": []}', False, False),
        ("id;Date;Message", False, True),
        ("id\tdate\tbody", False, True),
        ("date,auteur,texte", False, False),
        ("juste du texte", False, False),
        ("12/16/19, 2:35 PM - Messages and calls are end-to-end encrypted.", False, False),
    ],
)
def test_sniff(first: str, jsonl: bool, csv_: bool, tmp_path: Path) -> None:
    head = (first + "\nmore\n").encode("utf-8")
    assert generic_jsonl.sniff(tmp_path, head) is jsonl
    assert generic_csv.sniff(tmp_path, head) is csv_


def test_csv_ingest_end_to_end(test_data: Path, tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    path = test_data / "generic" / "bad_rows.csv"
    first = ingest(ws, [path], fmt="generic_csv")
    assert (first.results[0].messages_added, first.results[0].quarantined) == (3, 3)
    again = ingest(ws, [path], fmt="generic_csv")
    assert (again.results[0].messages_added, again.results[0].duplicates) == (0, 3)


# --- properties ----------------------------------------------------------------------------

ids = st.text(min_size=1, max_size=30)
names = st.text(min_size=1, max_size=40)
dates = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
rows = st.lists(
    st.fixed_dictionaries(
        {"id": ids, "date": dates, "channel": names, "sender": names, "text": st.text(max_size=300)}
    ),
    max_size=20,
)
FIELDS = ("id", "date", "channel", "sender", "text")


def same_fields(got: list[Message], written: list[dict[str, object]]) -> None:
    assert [(m.message_id, m.date, m.channel_id, m.sender, m.text) for m in got] == [
        (r["id"], r["date"], r["channel"], r["sender"], r["text"]) for r in written
    ]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(written=rows)
def test_jsonl_round_trip(written: list[dict[str, object]], tmp_path: Path) -> None:
    path = tmp_path / "round.jsonl"
    lines = [json.dumps({**r, "date": r["date"].isoformat()}, ensure_ascii=False) for r in written]  # type: ignore[attr-defined]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    same_fields(messages(generic_jsonl, path), written)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(written=rows, delimiter=st.sampled_from([",", ";", "\t"]))
def test_csv_round_trip(written: list[dict[str, object]], delimiter: str, tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(FIELDS)
    for r in written:
        writer.writerow([r["id"], r["date"].isoformat(), r["channel"], r["sender"], r["text"]])  # type: ignore[attr-defined]
    path = tmp_path / "round.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    same_fields(messages(generic_csv, path), written)


def storable(record: Record) -> None:
    """Every string can be written as UTF-8 (Arrow) and dates are aware."""
    if isinstance(record, Message):
        for value in (
            record.text,
            record.channel_id,
            record.message_id,
            record.sender,
            record.extra,
        ):
            assert value is None or value.encode("utf-8") is not None
        assert record.date is None or record.date.tzinfo is not None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.text(max_size=80), max_size=15), head=st.sampled_from(["jsonl", "csv"]))
def test_arbitrary_lines_never_raise_but_source_error(
    lines: list[str], head: str, tmp_path: Path
) -> None:
    module = generic_jsonl if head == "jsonl" else generic_csv
    first = '{"text": "a", "date": 1}' if head == "jsonl" else "id,date,text"
    path = tmp_path / f"fuzz.{head}"
    path.write_text(first + "\n" + "\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        for record in module.parse(path, ParseContext()):
            storable(record)
    except SourceError:
        pass


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), head=st.sampled_from(["jsonl", "csv"]))
def test_arbitrary_bytes_never_raise_but_source_error(
    data: bytes, head: str, tmp_path: Path
) -> None:
    module = generic_jsonl if head == "jsonl" else generic_csv
    path = tmp_path / f"fuzz.{head}"
    path.write_bytes(data)
    try:
        for record in module.parse(path, ParseContext()):
            storable(record)
    except SourceError:
        pass
