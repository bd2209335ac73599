"""``Transaction.replace``: rewritten files swap in with the manifest, old files go after it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from vigie.store.lake import Lake


def lake_with_rows(tmp_path: Path, n: int) -> Lake:
    lake = Lake(tmp_path / "lake")
    lake.init()
    txn = lake.begin()
    txn.write_table("things", pa.table({"msg_key": [f"k{i}" for i in range(n)]}))
    txn.commit()
    return lake


def count(lake: Lake) -> int:
    with lake.connect() as con:
        return int(con.execute("SELECT count(*) FROM things").fetchone()[0])  # type: ignore[index]


def test_replace_swaps_files_in_one_commit(tmp_path: Path) -> None:
    lake = lake_with_rows(tmp_path, 5)
    old = lake.files("things")
    txn = lake.begin()
    txn.replace("things", old, pa.table({"msg_key": ["k1", "k2"]}))
    assert count(lake) == 5 and old[0].exists()  # nothing visible before the commit
    txn.commit()
    assert count(lake) == 2 and not old[0].exists()
    assert [p.name for p in (tmp_path / "lake" / "things").iterdir()] == [
        lake.files("things")[0].name
    ]


def test_replace_with_nothing_empties_the_table(tmp_path: Path) -> None:
    lake = lake_with_rows(tmp_path, 3)
    txn = lake.begin()
    txn.replace("things", lake.files("things"), None)
    txn.commit()
    assert lake.manifest()["things"] == []


def test_rollback_keeps_the_old_files(tmp_path: Path) -> None:
    lake = lake_with_rows(tmp_path, 3)
    old = lake.files("things")
    txn = lake.begin()
    txn.replace("things", old, pa.table({"msg_key": ["k1"]}))
    txn.rollback()
    assert lake.files("things") == old and old[0].exists() and count(lake) == 3
