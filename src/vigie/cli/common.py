"""Options and output helpers shared by every command group."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from vigie.store.workspace import Workspace, default_path

F = TypeVar("F", bound=Callable[..., Any])


def workspace_option(func: F) -> F:
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Workspace folder (default: $VIGIE_WORKSPACE, else ./vigie-workspace).",
    )(func)


def open_workspace(path: Path | None, create: bool = False) -> Workspace:
    return Workspace.open(path or default_path(), create=create)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_plain)


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> None:
    """Print rows as an aligned table, CSV or JSON Lines on stdout."""
    out = sys.stdout
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_plain(v) for v in row])
    elif fmt == "jsonl":
        for row in rows:
            out.write(dumps(dict(zip(columns, row, strict=True))) + "\n")
    elif fmt == "json":
        out.write(dumps([dict(zip(columns, row, strict=True)) for row in rows]) + "\n")
    else:
        print_table(columns, rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.3g}"
    return " ".join(str(value).split())


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    width = shutil.get_terminal_size((160, 20)).columns
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = min(max(widths[i], len(cell)), 40)
    # the last column takes what is left of the terminal
    used = sum(widths[:-1]) + 2 * (len(widths) - 1)
    widths[-1] = max(20, min(widths[-1], width - used)) if widths else 0

    def line(values: Sequence[str]) -> str:
        parts = []
        for value, w in zip(values, widths, strict=True):
            parts.append(value[: w - 1] + "…" if len(value) > w else value.ljust(w))
        return "  ".join(parts).rstrip()

    click.echo(line(list(columns)))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal and not ``--quiet``."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.active = False

    def __call__(self, name: str, count: int) -> None:
        if not self.enabled:
            return
        label = Path(name).name
        sys.stderr.write(f"\r\x1b[2K{label}: {count:,} messages read")
        sys.stderr.flush()
        self.active = True

    def done(self) -> None:
        if self.active:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self.active = False
