"""``vigie ingest``."""

from __future__ import annotations

from pathlib import Path

import click

from vigie import sources
from vigie.cli.common import Progress, dumps, open_workspace, workspace_option
from vigie.sources.ingest import ingest as run_ingest


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@workspace_option
@click.option("--format", "fmt", type=click.Choice(sources.FORMATS), help="Force a format.")
@click.option(
    "--tz",
    default="Europe/Paris",
    show_default=True,
    help="Time zone of exports that carry local times only (WhatsApp, old Telegram).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def ingest(
    paths: tuple[Path, ...],
    workspace: Path | None,
    fmt: str | None,
    tz: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Load export files or folders into the workspace (created if missing).

    Each file is kept under its SHA-256 in evidence/; messages already stored (same
    platform:channel:message key) are counted as duplicates, not added again.
    """
    ws = open_workspace(workspace, create=True)
    progress = Progress(quiet or as_json)
    try:
        report = run_ingest(ws, paths, fmt=fmt, tz=tz, progress=progress)
    finally:
        progress.done()
    for result in report.results:
        if result.status == "failed":
            click.echo(f"vigie: {result.error}", err=True)
    totals = report.totals()
    if as_json:
        click.echo(
            dumps({k: totals[k] for k in ("files", "messages_added", "duplicates", "quarantined")})
        )
    else:
        for r in report.results:
            if r.status == "added":
                extra = f", {r.repairs} JSON repairs" if r.repairs else ""
                click.echo(
                    f"{r.file} [{r.format}]: {r.messages_added} added, {r.duplicates} duplicates, "
                    f"{r.quarantined} quarantined{extra}"
                )
        skipped = sum(1 for r in report.results if r.status == "skipped")
        click.echo(
            f"{totals['files']} file(s): {totals['messages_added']} messages added, "
            f"{totals['duplicates']} duplicates, {totals['quarantined']} quarantined"
            + (f", {skipped} file(s) of no known format skipped" if skipped else "")
            + (f", {totals['failed']} failed" if totals["failed"] else "")
        )
    if report.failed:
        raise SystemExit(1)
