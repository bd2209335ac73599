"""The web app's read index: one DuckDB file built from the lake, rebuilt when the lake changes.

The lake is many Parquet files (one commit per ingested file) and the current analysis and link
run are picked by views; answering a page from them would re-read and re-join Parquet on every
click. The index joins them once into native DuckDB tables laid out for the pages:

- ``items``: one row per message with its current analysis (labels, scores, risk, cues), its
  products and places, and ``folded`` text (lower case, accents stripped) for search; stored by
  descending risk, so the review queue reads the first blocks only;
- ``ents``: the current analysis's entities; ``chans``: one row per channel with counts;
- ``label_days``: messages per label and day (dashboard); ``points``: price points (prices);
- ``sources``: the file each evidence was last ingested from (media beside it);
- ``nodes``, ``edges``, ``clusters``, ``succ``: the latest link run (network, channel pages);
- ``meta``: which lake manifest, analysis version and link run the index was built from.

It lives in ``cache/web.duckdb`` (outside ``lake/``, never evidence) and is written to a
temporary file then renamed, so a reader never sees half an index. It holds nothing that the
lake does not: deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from vigie.link.views import (
    create_analysis_views,
    create_channel_stats,
    create_link_views,
    spill_to,
)
from vigie.model import LABELS
from vigie.observe.prices import create_price_points
from vigie.store.lake import MANIFEST, scalar
from vigie.store.workspace import Workspace

INDEX_VERSION = "web-index.v3"  # bump when the layout changes: old indexes are rebuilt
INDEX_MEMORY = "1GB"  # DuckDB spills to tmp/web-index beyond this
log = logging.getLogger("vigie.web")


def manifest_digest(ws: Workspace) -> str:
    """SHA-256 of the lake manifest (plus the index layout version): what the index reflects."""
    path = ws.lake.root / MANIFEST
    data = path.read_bytes() if path.exists() else b""
    return hashlib.sha256(INDEX_VERSION.encode() + b"\0" + data).hexdigest()


def index_path(ws: Workspace) -> Path:
    return ws.root / "cache" / "web.duckdb"


def _fold_sql(column: str) -> str:
    return f"strip_accents(lower({column}))"


def fold(text: str) -> str:
    """Python side of :func:`_fold_sql` (lower case, accents stripped), for search terms."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def build_index(ws: Workspace, path: Path | None = None) -> Path:
    """Build the index of the workspace into ``path`` (atomically). Returns the path."""
    path = path or index_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = manifest_digest(ws)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    con = ws.lake.connect(memory_limit=INDEX_MEMORY)
    try:
        spill_to(con, ws.root / "tmp" / "web-index")
        version = create_analysis_views(con)
        link_run = create_link_views(con, required=False)
        con.execute(f"ATTACH '{tmp}' AS ix")
        scores = ", ".join(f"a.score_{label}" for label in LABELS)
        con.execute(
            """CREATE TABLE ix.ents AS
            SELECT msg_key, type, value, text, start, "end", attrs FROM cur_entities"""
        )
        con.execute(
            f"""CREATE TABLE ix.items AS
            WITH e AS (
                SELECT msg_key,
                       list_distinct(list(value) FILTER (WHERE type = 'product')) AS products,
                       list_distinct(list(coalesce(json_extract_string(attrs, '$.name'), value))
                                     FILTER (WHERE type = 'place')) AS places
                FROM ix.ents WHERE type IN ('product', 'place') GROUP BY 1)
            SELECT m.msg_key, m.platform, m.platform || ':' || m.channel_id AS channel_key,
                   m.channel_id, m.channel_name, m.message_id, m.date, m.sender, m.sender_id,
                   m.kind, m.text, {_fold_sql("m.text")} AS folded, m.media, m.reply_to,
                   m.forwarded_from, m.source_location, m.evidence_sha256,
                   coalesce(a.labels, []) AS labels, coalesce(a.risk, 0) AS risk,
                   a.risk_reasons, a.cues, {scores},
                   coalesce(e.products, []) AS products, coalesce(e.places, []) AS places
            FROM messages m
            LEFT JOIN cur_analyses a USING (msg_key)
            LEFT JOIN e USING (msg_key)
            ORDER BY risk DESC, m.date DESC"""
        )
        create_channel_stats(con)
        con.execute("CREATE TABLE ix.chans AS SELECT * FROM channel_stats ORDER BY last_seen DESC")
        con.execute(
            """CREATE TABLE ix.label_days AS
            SELECT CAST(date AS DATE) AS day, label, count(*) AS n
            FROM (SELECT date, unnest(labels) AS label FROM ix.items) GROUP BY 1, 2"""
        )
        con.execute(
            """CREATE TABLE ix.sources AS SELECT evidence_sha256, arg_max(file, finished_at) AS file
            FROM ingest_runs GROUP BY 1"""
        )
        create_price_points(con)
        con.execute("CREATE TABLE ix.points AS SELECT * FROM price_points")
        for target, view in (
            ("nodes", "link_nodes"),
            ("edges", "link_edges"),
            ("clusters", "link_clusters"),
            ("succ", "link_successors"),
        ):
            con.execute(f"CREATE TABLE ix.{target} AS SELECT * FROM {view}")
        # point lookups (message page, review card, media, entity page) by key or value
        con.execute("CREATE INDEX items_key ON ix.items (msg_key)")
        con.execute("CREATE INDEX ents_key ON ix.ents (msg_key)")
        con.execute("CREATE INDEX ents_value ON ix.ents (value)")
        messages = scalar(con, "SELECT count(*) FROM ix.items")
        con.execute(
            "CREATE TABLE ix.meta AS SELECT ? AS digest, ? AS built_at, ? AS analysis_version, "
            "? AS link_run, ? AS messages",
            [digest, datetime.now(UTC).isoformat(), version, link_run, messages],
        )
        con.execute("DETACH ix")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, path)
    log.info(
        "web index built: %s messages in %.1f s (%s)", messages, time.perf_counter() - started, path
    )
    return path


class Index:
    """A read-only connection to the current index, rebuilt in the background when stale.

    ``cursor()`` gives a per-request cursor. :meth:`refresh` checks the lake manifest (a stat
    per call, a hash only when its mtime moved) and, when the lake changed, rebuilds on a thread
    while requests keep reading the previous index.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.path = index_path(ws)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._digest: str | None = None
        self._mtime: float | None = None
        self._building = False
        self.error: str | None = None

    def _manifest_mtime(self) -> float:
        try:
            return (self.ws.lake.root / MANIFEST).stat().st_mtime
        except OSError:
            return 0.0

    def _open(self) -> None:
        con = duckdb.connect(str(self.path), read_only=True)
        con.execute("SET TimeZone='UTC'")
        if threads := os.environ.get("VIGIE_THREADS"):
            con.execute(f"SET threads={int(threads)}")
        digest = scalar(con, "SELECT digest FROM meta")
        old, self._con, self._digest = self._con, con, digest
        if old is not None:
            old.close()

    def ensure(self) -> None:
        """Open the index, building it first (in this thread) when missing or stale."""
        with self._lock:
            mtime = self._manifest_mtime()
            current = manifest_digest(self.ws)
            if self._con is None and self.path.exists():
                try:
                    self._open()
                except duckdb.Error:
                    self._con = None
            if self._con is None or self._digest != current:
                build_index(self.ws, self.path)
                self._open()
            self._mtime = mtime

    def refresh(self) -> None:
        """Start a background rebuild when the lake moved on since the index was built."""
        mtime = self._manifest_mtime()
        if mtime == self._mtime or self._building:
            return
        if manifest_digest(self.ws) == self._digest:
            self._mtime = mtime
            return
        self._building = True
        threading.Thread(target=self._rebuild, name="vigie-web-index", daemon=True).start()

    def _rebuild(self) -> None:
        try:
            mtime = self._manifest_mtime()
            tmp_path = self.path.with_name("web.next.duckdb")
            build_index(self.ws, tmp_path)
            with self._lock:
                if self._con is not None:
                    self._con.close()
                    self._con = None
                os.replace(tmp_path, self.path)
                self._open()
                self._mtime = mtime
            self.error = None
        except Exception as exc:  # keep serving the previous index, say why on the dashboard
            log.exception("web index rebuild failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._building = False

    @property
    def building(self) -> bool:
        return self._building

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._con is None:
            self.ensure()
        with self._lock:
            assert self._con is not None
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None


__all__ = ["INDEX_VERSION", "Index", "build_index", "fold", "index_path", "manifest_digest"]
