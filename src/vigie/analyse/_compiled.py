"""Which analysis modules the build compiles with mypyc, and whether the compiled ones are used.

``setup.py`` compiles :data:`COMPILED` (one shared library, :data:`GROUP`) when mypyc is
available; their ``.py`` sources remain the reference. The compiled modules are used only when
every one of them is built and none is older than its source (``pip install -e .`` rebuilds
them): an edited module, a partial build or ``VIGIE_PURE_PYTHON=1`` at run time loads all of them
from their sources instead, so a stale binary never runs. Standard library only (``setup.py``
imports this module).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["COMPILED", "GROUP", "compiled_in_use", "install"]

GROUP = "vigie.analyse.speedups"
COMPILED: tuple[str, ...] = (
    "vigie.analyse.normalise",
    "vigie.analyse.matcher",
    "vigie.analyse.features",
    "vigie.analyse.detect",
    "vigie.analyse.risk",
    "vigie.analyse.batch",
    "vigie.analyse.extract.doc",
    "vigie.analyse.extract.contacts",
    "vigie.analyse.extract.crypto",
    "vigie.analyse.extract.products",
    "vigie.analyse.extract.offers",
    "vigie.analyse.extract.places",
    "vigie.analyse.extract.recruitment",
    "vigie.analyse.extract.schedules",
    "vigie.analyse.extract.payments",
    "vigie.analyse.extract.message",
)
_TOLERANCE_S = 2.0  # files of one install are written within this; an edit comes later

_in_use = False


def _binary(source: Path) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_name(source.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def _compiled_usable(root: Path) -> bool:
    """True when the group library and every module are built, none older than its source."""
    if _binary(root / (GROUP.split(".")[-1] + "__mypyc.py")) is None:
        return False
    for name in COMPILED:
        source = root / Path(*name.split(".")[2:]).with_suffix(".py")
        binary = _binary(source)
        if binary is None:
            return False
        if source.exists() and source.stat().st_mtime > binary.stat().st_mtime + _TOLERANCE_S:
            return False
    return True


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Loads the modules of ``COMPILED`` from their ``.py`` files, ignoring built binaries."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in COMPILED:
            return None
        source = self.root / Path(*fullname.split(".")[2:]).with_suffix(".py")
        return importlib.util.spec_from_file_location(fullname, source)


def install(root: Path) -> None:
    """Called by ``vigie/analyse/__init__.py``: route the compiled modules to their sources
    unless the compiled build is complete, current and wanted."""
    global _in_use
    built = _binary(root / "normalise.py") is not None
    if built and (os.environ.get("VIGIE_PURE_PYTHON") or not _compiled_usable(root)):
        if not any(isinstance(finder, _SourceFinder) for finder in sys.meta_path):
            sys.meta_path.insert(0, _SourceFinder(root))
        _in_use = False
    else:
        _in_use = built


def compiled_in_use() -> bool:
    """Whether the analysis runs the mypyc-compiled modules (for benchmarks and reports)."""
    return _in_use
