"""Same-operator clusters: near-duplicate ad copy across channels and time (MinHash LSH).

Streaming, in four passes with bounded memory:

1. DuckDB picks the ad messages (labelled sale/promotion/recruitment … when the workspace is
   analysed, else every message of 40+ characters) and groups exact copies under a text key.
2. Each distinct text, in Arrow batches, gets a MinHash signature and LSH band keys, streamed to
   a scratch Parquet file.
3. DuckDB finds the buckets shared by two texts; each candidate pair is checked against its
   estimated Jaccard similarity (so the threshold is a real threshold, not only the S-curve).
4. Connected components over the kept pairs (numpy, pointer jumping) give the clusters; every
   message takes its text's cluster. A cluster is kept when it holds two messages or more.

A copied menu whose prices changed still clusters: numbers are masked before shingling.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vigie.link.minhash import MinHasher, jaccard_estimate, normalise_copy
from vigie.store.lake import scalar

AD_LABELS: tuple[str, ...] = (
    "sale",
    "promotion",
    "recruitment",
    "supplies",
    "weapons",
    "counterfeit",
    "laundering",
)
MIN_CHARS = 40
TEXT_BATCH = 2_000


def create_ad_messages(con: duckdb.DuckDBPyConnection, analysed: bool) -> int:
    """Temp table ``ad_msgs(msg_key, channel_key, date, tkey)``; returns its row count.

    ``tkey`` groups copies that differ only in case, spacing and numbers.
    """
    label_filter = ""
    join = ""
    if analysed:
        labels = ", ".join(f"'{label}'" for label in AD_LABELS)
        join = "JOIN cur_analyses a USING (msg_key)"
        label_filter = f"AND len(list_intersect(a.labels, [{labels}])) > 0"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE ad_msgs AS
        SELECT m.msg_key, m.platform || ':' || m.channel_id AS channel_key, m.date,
               hash(regexp_replace(lower(m.text), '[0-9]+|\\s+', ' ', 'g')) AS tkey
        FROM messages m {join}
        WHERE m.kind = 'message' AND length(m.text) >= {MIN_CHARS} {label_filter}
        """
    )
    return int(scalar(con, "SELECT count(*) FROM ad_msgs"))


def _signature_files(
    con: duckdb.DuckDBPyConnection,
    hasher: MinHasher,
    scratch: Path,
    progress: Callable[[int], None] | None,
) -> tuple[Path, Path]:
    """Pass 2: stream distinct texts, write (tkey, band, bucket) and (tkey, sig) files."""
    bands_path, sigs_path = scratch / "bands.parquet", scratch / "sigs.parquet"
    n_bands, _ = hasher.bands()
    bands_schema = pa.schema(
        [
            pa.field("tkey", pa.uint64()),
            pa.field("band", pa.int16()),
            pa.field("bucket", pa.uint64()),
        ]
    )
    sig_type = pa.binary(hasher.num_perm * 4)
    sigs_schema = pa.schema([pa.field("tkey", pa.uint64()), pa.field("sig", sig_type)])  # type: ignore[arg-type]
    reader = con.sql(
        """SELECT d.tkey, m.text FROM (SELECT tkey, min(msg_key) AS msg_key FROM ad_msgs GROUP BY 1) d
           JOIN messages m USING (msg_key)"""
    ).to_arrow_reader(TEXT_BATCH)
    done = 0
    with (
        pq.ParquetWriter(bands_path, bands_schema) as bands_out,
        pq.ParquetWriter(sigs_path, sigs_schema) as sigs_out,
    ):
        for batch in reader:
            keys = batch.column(0).to_numpy(zero_copy_only=False).astype(np.uint64)
            docs = [normalise_copy(t or "") for t in batch.column(1).to_pylist()]
            keep = np.array([hasher.usable(d) for d in docs], dtype=bool)
            if keep.any():
                kept_docs = [d for d, k in zip(docs, keep, strict=True) if k]
                sig = hasher.signatures(kept_docs)
                bucket = hasher.band_keys(sig)
                kept_keys = keys[keep]
                bands_out.write_table(
                    pa.table(
                        {
                            "tkey": np.repeat(kept_keys, n_bands),
                            "band": np.tile(np.arange(n_bands, dtype=np.int16), len(kept_keys)),
                            "bucket": bucket.reshape(-1),
                        },
                        schema=bands_schema,
                    )
                )
                blobs = pa.array([row.tobytes() for row in sig], type=sig_type)
                sigs_out.write_table(
                    pa.table({"tkey": kept_keys, "sig": blobs}, schema=sigs_schema)
                )
            done += len(docs)
            if progress:
                progress(done)
    return bands_path, sigs_path


def _verified_pairs(
    con: duckdb.DuckDBPyConnection, bands: Path, sigs: Path, hasher: MinHasher
) -> tuple[np.ndarray, np.ndarray]:
    """Pass 3: candidate pairs (text, bucket representative) whose similarity passes."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cand AS
        WITH b AS (SELECT * FROM read_parquet('{bands}')),
        rep AS (SELECT band, bucket, min(tkey) AS rep FROM b GROUP BY 1, 2 HAVING count(*) > 1)
        SELECT DISTINCT b.tkey, rep.rep FROM b JOIN rep USING (band, bucket) WHERE b.tkey <> rep.rep
        """
    )
    reader = con.sql(
        f"""SELECT c.tkey, c.rep, s1.sig AS s1, s2.sig AS s2 FROM cand c
            JOIN read_parquet('{sigs}') s1 ON s1.tkey = c.tkey
            JOIN read_parquet('{sigs}') s2 ON s2.tkey = c.rep"""
    ).to_arrow_reader(50_000)
    left_keys: list[np.ndarray] = []
    right_keys: list[np.ndarray] = []
    width = hasher.num_perm
    for batch in reader:
        if batch.num_rows == 0:
            continue
        s1 = np.frombuffer(b"".join(batch.column(2).to_pylist()), dtype=np.uint32)
        s2 = np.frombuffer(b"".join(batch.column(3).to_pylist()), dtype=np.uint32)
        sim = jaccard_estimate(s1.reshape(-1, width), s2.reshape(-1, width))
        ok = sim >= hasher.threshold
        left_keys.append(batch.column(0).to_numpy(zero_copy_only=False).astype(np.uint64)[ok])
        right_keys.append(batch.column(1).to_numpy(zero_copy_only=False).astype(np.uint64)[ok])
    con.execute("DROP TABLE cand")
    if not left_keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    return np.concatenate(left_keys), np.concatenate(right_keys)


def connected_components(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(node, root) for every node of the edge list; root = smallest node of its component."""
    if left.size == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    nodes, inverse = np.unique(np.concatenate([left, right]), return_inverse=True)
    u, v = inverse[: left.size], inverse[left.size :]
    label = np.arange(nodes.size)
    while True:
        low = np.minimum(label[u], label[v])
        before = label.copy()
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        label = label[label]  # pointer jumping: halves the remaining depth each round
        if np.array_equal(label, before):
            break
    return nodes, nodes[label]


def cluster_ads(
    con: duckdb.DuckDBPyConnection,
    hasher: MinHasher,
    scratch: Path,
    analysed: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Build temp table ``clusters(cluster_id, msg_key, channel_key, date)``; returns #clusters.

    ``scratch`` is a folder for intermediate files (removed by the caller).
    """
    scratch.mkdir(parents=True, exist_ok=True)
    create_ad_messages(con, analysed)
    bands, sigs = _signature_files(con, hasher, scratch, progress)
    left, right = _verified_pairs(con, bands, sigs, hasher)
    nodes, roots = connected_components(left, right)
    con.register("_roots", pa.table({"tkey": nodes, "root": roots}))
    con.execute(
        """CREATE OR REPLACE TEMP TABLE clusters AS
        WITH c AS (SELECT a.msg_key, a.channel_key, a.date, coalesce(r.root, a.tkey) AS root
                   FROM ad_msgs a LEFT JOIN _roots r USING (tkey)),
        big AS (SELECT root FROM c GROUP BY root HAVING count(*) >= 2)
        SELECT 'ad-' || lpad(lower(to_hex(root)), 16, '0') AS cluster_id, msg_key, channel_key, date
        FROM c SEMI JOIN big USING (root)"""
    )
    con.unregister("_roots")
    con.execute("DROP TABLE ad_msgs")
    return int(scalar(con, "SELECT count(DISTINCT cluster_id) FROM clusters"))
