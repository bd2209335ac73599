"""Optional compiled build of the analysis hot path (everything else is in pyproject.toml).

When mypyc (part of mypy, a build requirement) is available, the modules of ``COMPILED`` are
compiled to C extensions next to their sources; the ``.py`` files stay the reference and the
fallback (see ``vigie/analyse/__init__.py``). ``VIGIE_PURE_PYTHON=1`` at install time skips the
compilation; a failing C compiler skips it too (the extensions are optional).
"""

from __future__ import annotations

import os
import runpy
import sys

from setuptools import setup

# the module list, read without importing the package (standard library only)
_LIST = runpy.run_path(os.path.join(os.path.dirname(__file__), "src/vigie/analyse/_compiled.py"))
COMPILED: tuple[str, ...] = _LIST["COMPILED"]
GROUP: str = _LIST["GROUP"]


def _ext_modules() -> list:
    if os.environ.get("VIGIE_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    paths = ["src/" + name.replace(".", "/") + ".py" for name in COMPILED]
    try:
        extensions = mypycify(paths, opt_level="3", group_name=GROUP)
    except BaseException as error:  # mypyc rejects the code or crashes: stay pure Python
        print(f"vigie: not compiling the analysis modules ({error!r})", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: pure Python
    return extensions


setup(ext_modules=_ext_modules())
