"""Ingest: export files -> evidence store + lake tables, one atomic commit per file.

For each file: detect its format, copy it into ``evidence/`` while hashing it, stream the parser's
records into a staging Parquet file, then (under the workspace writer lock) keep only messages
whose ``msg_key`` is new and commit messages, channels, quarantined records, the evidence row
and the run row together. A file that fails leaves the workspace exactly as it was.
"""

from __future__ import annotations

import gc
import json
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow.parquet as pq

import vigie
from vigie import sources
from vigie.errors import UnknownFormatError, VigieError
from vigie.model import Channel, Message, ParseStats, Quarantine
from vigie.sources.arrow import messages_batch
from vigie.sources.base import ParseContext
from vigie.store import hooks
from vigie.store.lake import PARQUET_OPTIONS, Transaction, scalar
from vigie.store.schema import MESSAGES
from vigie.store.workspace import Workspace

BATCH = 10_000
# Files inside an export folder that are never exports themselves (media, styles).
SKIP_SUFFIXES = frozenset(
    [
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".mp4",
        ".mov",
        ".webm",
        ".ogg",
        ".opus",
        ".mp3",
        ".m4a",
        ".pdf",
        ".css",
        ".js",
        ".tgs",
        ".heic",
        ".3gp",
        ".vcf",
        ".wav",
        ".aac",
        ".svg",
        ".ico",
    ]
)

Progress = Callable[[str, int], None]


@dataclass
class FileResult:
    file: str
    status: str  # "added" | "failed" | "skipped"
    format: str | None = None
    sha256: str | None = None
    messages_seen: int = 0
    messages_added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    repairs: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    def totals(self) -> dict[str, int]:
        done = [r for r in self.results if r.status == "added"]
        return {
            "files": len(done),
            "messages_added": sum(r.messages_added for r in done),
            "duplicates": sum(r.duplicates for r in done),
            "quarantined": sum(r.quarantined for r in done),
            "failed": len(self.failed),
        }

    def to_dict(self) -> dict[str, object]:
        return {**self.totals(), "results": [asdict(r) for r in self.results]}


def parse_tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise VigieError(
            f"--tz {name!r} is not a known time zone (e.g. Europe/Paris, UTC)"
        ) from None


def expand(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Files to ingest, with ``explicit`` False for files found inside a folder."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() not in SKIP_SUFFIXES and not child.name.startswith("."):
                    yield child, False
        else:
            yield path, True


def ingest(
    ws: Workspace,
    paths: Iterable[Path],
    fmt: str | None = None,
    tz: str = "Europe/Paris",
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders into ``ws``; failures are reported per file, never raised."""
    zone = parse_tz(tz)
    module = sources.get(fmt) if fmt else None
    report = IngestReport()
    with ws.writer():
        for path, explicit in expand(paths):
            if not path.exists():
                report.results.append(
                    FileResult(str(path), "failed", error=f"E120 {path}: no such file or folder")
                )
                continue
            try:
                chosen = module or sources.detect(path)
            except UnknownFormatError as exc:
                status = "failed" if explicit else "skipped"
                report.results.append(FileResult(str(path), status, error=str(exc)))
                continue
            except VigieError as exc:
                report.results.append(FileResult(str(path), "failed", error=str(exc)))
                continue
            report.results.append(_ingest_file(ws, path, chosen, zone, progress))
    return report


def _ingest_file(
    ws: Workspace, path: Path, module: ModuleType, zone: ZoneInfo, progress: Progress | None
) -> FileResult:
    result = FileResult(str(path), "failed", format=module.FORMAT)
    run_id = f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    started = datetime.now(UTC)
    txn = ws.lake.begin()
    # Staged inside lake/messages/ under a temporary name: when nothing in it is a duplicate
    # (the usual case) it is committed as it is, without a second write.
    staging = txn.path_for("messages")
    tmp_evidence: Path | None = None
    try:
        sha, size, tmp_evidence = ws.stage_evidence(path)
        result.sha256 = sha
        ctx = ParseContext(tz=zone, stats=ParseStats(), display_name=str(path))
        channels, quarantined, key_hashes = _stage(
            path, module, ctx, sha, run_id, staging, result, progress
        )
        result.repairs = ctx.stats.repairs
        known_evidence = _commit(
            ws, txn, staging, channels, quarantined, result, run_id, key_hashes
        )
        txn.write_rows(
            "ingest_runs",
            [
                {
                    "run_id": run_id,
                    "started_at": started,
                    "finished_at": datetime.now(UTC),
                    "vigie_version": vigie.__version__,
                    "file": str(path),
                    "evidence_sha256": sha,
                    "format": module.FORMAT,
                    "parser_version": module.PARSER_VERSION,
                    "tz": zone.key,
                    "messages_seen": result.messages_seen,
                    "messages_added": result.messages_added,
                    "duplicates": result.duplicates,
                    "quarantined": result.quarantined,
                    "repairs": result.repairs,
                    "notes": json.dumps(ctx.stats.notes) if ctx.stats.notes else None,
                }
            ],
        )
        if not known_evidence:
            txn.write_rows(
                "evidence",
                [
                    {
                        "sha256": sha,
                        "original_name": path.name,
                        "size": size,
                        "format": module.FORMAT,
                        "parser_version": module.PARSER_VERSION,
                        "ingested_at": started,
                        "run_id": run_id,
                    }
                ],
            )
        ws.keep_evidence(sha, tmp_evidence)
        tmp_evidence = None
        txn.commit()
        result.status = "added"
        hooks.committed(ws, "ingest", run_id, asdict(result))  # audit entry, watchlists
    except VigieError as exc:
        result.error = str(exc)
    except (UnicodeError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        result.error = (
            f"E199 {path}: could not parse as {module.FORMAT} "
            f"({type(exc).__name__}: {detail}); check --format or report this file"
        )
    finally:
        if result.status != "added":
            txn.rollback()
            result.messages_added = 0
        staging.unlink(missing_ok=True)
        if tmp_evidence is not None:
            tmp_evidence.unlink(missing_ok=True)
    return result


def _stage(
    path: Path,
    module: ModuleType,
    ctx: ParseContext,
    sha: str,
    run_id: str,
    staging: Path,
    result: FileResult,
    progress: Progress | None,
) -> tuple[dict[str, Channel], list[Quarantine], array[int]]:
    """Stream the parser into ``staging``.

    Returns the channels, the quarantined records and a 64-bit hash of every msg_key (8 bytes a
    message: enough to tell, without a second pass, that no message repeats inside the file).
    """
    key_hashes: array[int] = array("q")
    channels: dict[str, Channel] = {}
    quarantined: list[Quarantine] = []
    # The parser allocates millions of acyclic objects: the cyclic collector would walk them
    # again and again for nothing (about a tenth of the ingest time). Reference counting still
    # frees them batch by batch.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        seen = _write_staged(
            path, module, ctx, sha, run_id, staging, progress, channels, quarantined, key_hashes
        )
    finally:
        if gc_was_enabled:
            gc.enable()
    result.messages_seen = seen
    result.quarantined = len(quarantined)
    return channels, quarantined, key_hashes


def _write_staged(
    path: Path,
    module: ModuleType,
    ctx: ParseContext,
    sha: str,
    run_id: str,
    staging: Path,
    progress: Progress | None,
    channels: dict[str, Channel],
    quarantined: list[Quarantine],
    key_hashes: array[int],
) -> int:
    """The streaming loop of :func:`_stage`; returns the number of messages written."""
    buffer: list[Message] = []
    seen = 0
    last_tick = time.monotonic()
    with pq.ParquetWriter(staging, MESSAGES, **PARQUET_OPTIONS) as writer:  # type: ignore[arg-type]
        for record in module.parse(path, ctx):
            if isinstance(record, Message):
                if record.date is None:
                    quarantined.append(
                        Quarantine("E201", "message has no usable date", record.source_location)
                    )
                    continue
                buffer.append(record)
                key_hashes.append(hash(record.msg_key))
                if len(buffer) >= BATCH:
                    writer.write_batch(messages_batch(buffer, sha, run_id))
                    seen += len(buffer)
                    buffer.clear()
                    if progress and time.monotonic() - last_tick > 0.2:
                        progress(str(path), seen)
                        last_tick = time.monotonic()
            elif isinstance(record, Channel):
                key = f"{record.platform}:{record.channel_id}"
                if key not in channels or (record.name and not channels[key].name):
                    channels[key] = record
            else:
                quarantined.append(record)
        if buffer:
            writer.write_batch(messages_batch(buffer, sha, run_id))
            seen += len(buffer)
    if progress:
        progress(str(path), seen)
    return seen


def _commit(
    ws: Workspace,
    txn: Transaction,
    staging: Path,
    channels: dict[str, Channel],
    quarantined: list[Quarantine],
    result: FileResult,
    run_id: str,
    key_hashes: array[int],
) -> bool:
    """Stage the new messages (dedup by msg_key), new channels and quarantine rows in ``txn``.

    Returns whether the evidence table already lists this file's hash.
    """
    con = ws.lake.connect(memory_limit="128MB")
    try:
        con.execute(f"SET temp_directory='{ws.evidence_dir / '.tmp' / 'duckdb'}'")
        staged = f"read_parquet('{staging}', file_row_number=true)"
        has_existing = bool(ws.lake.files("messages"))
        overlap = (
            int(
                scalar(con, f"SELECT count(*) FROM {staged} s SEMI JOIN messages m USING (msg_key)")
            )
            if has_existing
            else 0
        )
        internal = 0
        if _may_repeat(key_hashes):  # a hash collision or a real repeat: count exactly
            internal = int(scalar(con, f"SELECT count(*) - count(DISTINCT msg_key) FROM {staged}"))
        if overlap == 0 and internal == 0:
            target = staging  # every message is new: commit the staged file as it is
        else:
            target = txn.path_for("messages")
            source = staged
            if has_existing:
                source = f"(SELECT s.* FROM {staged} s ANTI JOIN messages m USING (msg_key))"
            options = ", ".join(f"{k.upper()} {v}" for k, v in PARQUET_OPTIONS.items())
            con.execute(
                f"COPY (SELECT * EXCLUDE (file_row_number) FROM {source} QUALIFY row_number() "
                "OVER (PARTITION BY msg_key ORDER BY file_row_number) = 1 "
                f"ORDER BY file_row_number) TO '{target}' (FORMAT parquet, {options})"
            )
            staging.unlink()
        added = pq.ParquetFile(target).metadata.num_rows
        if added:
            txn.add("messages", target)
        else:
            target.unlink()
        result.messages_added = added
        result.duplicates = result.messages_seen - added

        known = {row[0] for row in con.execute("SELECT channel_key FROM channels").fetchall()}
        new_channels = [
            {
                "channel_key": key,
                "platform": ch.platform,
                "channel_id": ch.channel_id,
                "name": ch.name,
                "type": ch.type,
                "extra": ch.extra,
                "evidence_sha256": result.sha256,
                "run_id": run_id,
            }
            for key, ch in channels.items()
            if key not in known
        ]
        txn.write_rows("channels", new_channels)

        seen_locations = {
            row[0]
            for row in con.execute(
                "SELECT location FROM quarantine WHERE evidence_sha256 = ?", [result.sha256]
            ).fetchall()
        }
        rows = [
            {
                "run_id": run_id,
                "evidence_sha256": result.sha256,
                "file": result.file,
                "location": q.location,
                "code": q.code,
                "reason": q.reason,
                "snippet": q.snippet,
            }
            for q in quarantined
            if q.location not in seen_locations
        ]
        txn.write_rows("quarantine", rows)
        sha = [result.sha256]
        return bool(scalar(con, "SELECT count(*) FROM evidence WHERE sha256 = ?", sha))
    finally:
        con.close()


def _may_repeat(key_hashes: array[int]) -> bool:
    if len(key_hashes) < 2:
        return False
    ordered = np.sort(np.frombuffer(key_hashes, dtype=np.int64))
    return bool((ordered[1:] == ordered[:-1]).any())


__all__ = ["FileResult", "IngestReport", "expand", "ingest", "parse_tz"]
