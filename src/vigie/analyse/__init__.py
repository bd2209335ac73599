"""vigie.analyse."""

from pathlib import Path

from vigie.analyse import _compiled

_compiled.install(Path(__file__).resolve().parent)
