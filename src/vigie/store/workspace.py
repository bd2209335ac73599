"""A workspace folder: ``evidence/`` (content-addressed originals), ``lake/`` and ``vigie.db``."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vigie.errors import WorkspaceError
from vigie.store.lake import Lake

DEFAULT_WORKSPACE = "vigie-workspace"
MARKER = "vigie-workspace.txt"


def default_path() -> Path:
    return Path(os.environ.get("VIGIE_WORKSPACE") or DEFAULT_WORKSPACE)


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Workspace:
    """Open with ``Workspace.open(path)`` (must exist) or ``Workspace.init(path)``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.evidence_dir = root / "evidence"
        self.lake = Lake(root / "lake")

    @classmethod
    def init(cls, root: Path) -> Workspace:
        if root.exists() and not root.is_dir():
            raise WorkspaceError(f"{root} exists and is not a folder; choose another -w path")
        if root.is_dir() and any(root.iterdir()) and not (root / MARKER).exists():
            raise WorkspaceError(
                f"{root} is a non-empty folder that is not a Vigie workspace; choose another -w path"
            )
        ws = cls(root)
        (root / "evidence" / ".tmp").mkdir(parents=True, exist_ok=True)
        ws.lake.init()
        marker = root / MARKER
        if not marker.exists():
            marker.write_text(
                "This folder is a Vigie workspace: evidence/ holds original files named by their "
                "SHA-256 (never modified), lake/ the Parquet tables, vigie.db the workflow state.\n",
                encoding="utf-8",
            )
        return ws

    @classmethod
    def open(cls, root: Path, create: bool = False) -> Workspace:
        if not (root / MARKER).exists():
            if create:
                return cls.init(root)
            raise WorkspaceError(
                f"{root} is not a Vigie workspace; run `vigie init -w {root}` or pass -w/--workspace"
            )
        return cls(root)

    # --- writer lock ------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Exclusive lock for commands that write; cleans up what a killed writer left."""
        with (self.root / ".lock").open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkspaceError(
                    f"{self.root} is being written by another Vigie command; wait for it to finish"
                ) from None
            try:
                self.lake.collect_garbage()
                tmp = self.evidence_dir / ".tmp"
                if tmp.exists():
                    shutil.rmtree(tmp)
                tmp.mkdir(parents=True, exist_ok=True)
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- evidence ---------------------------------------------------------------------------

    def evidence_path(self, sha256: str) -> Path:
        return self.evidence_dir / sha256[:2] / sha256

    def stage_evidence(self, source: Path) -> tuple[str, int, Path]:
        """Copy ``source`` to a temporary file while hashing it; returns (sha256, size, tmp)."""
        tmp = self.evidence_dir / ".tmp" / uuid.uuid4().hex
        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, tmp.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        # no fsync here: the kernel writes the copy back while the parser runs, and
        # keep_evidence() syncs it before the commit makes it part of the workspace
        return digest.hexdigest(), size, tmp

    def keep_evidence(self, sha256: str, tmp: Path) -> bool:
        """Move a staged copy into place, read-only. False when the same content was there."""
        final = self.evidence_path(sha256)
        if final.exists():
            tmp.unlink(missing_ok=True)
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, final)
        return True
