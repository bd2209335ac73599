from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from vigie.store.lake import Lake


def make_lake(tmp_path: Path) -> Lake:
    lake = Lake(tmp_path / "lake")
    lake.init()
    return lake


def table(n: int) -> pa.Table:
    return pa.table({"msg_key": [f"k{i}" for i in range(n)], "value": list(range(n))})


def test_nothing_is_visible_before_commit(tmp_path: Path) -> None:
    lake = make_lake(tmp_path)
    txn = lake.begin()
    txn.write_table("things", table(3))
    assert lake.files("things") == []
    txn.commit()
    with lake.connect() as con:
        assert con.execute("SELECT count(*) FROM things").fetchone() == (3,)


def test_garbage_from_a_killed_writer_is_removed(tmp_path: Path) -> None:
    lake = make_lake(tmp_path)
    txn = lake.begin()
    txn.write_table("things", table(3))
    txn.commit()
    crashed = lake.begin()
    crashed.write_table("things", table(5))
    # simulate a crash after the rename but before the manifest: an unlisted final file
    staged = crashed.staged["things"][0]
    staged.rename(staged.with_name(staged.name.removesuffix(".tmp")))
    assert lake.collect_garbage() == 1
    assert [p.name for p in (tmp_path / "lake" / "things").iterdir()] == [
        lake.files("things")[0].name
    ]


def test_empty_tables_have_typed_views(tmp_path: Path) -> None:
    lake = make_lake(tmp_path)
    with lake.connect() as con:
        assert con.execute("SELECT count(*), min(date) FROM messages").fetchone() == (0, None)
        cols = [r[0] for r in con.execute("DESCRIBE messages").fetchall()]
    assert "msg_key" in cols and "evidence_sha256" in cols
