"""``vigie export table|stix|misp``."""

from __future__ import annotations

from pathlib import Path

import click

from vigie.act.export import (
    TABLE_FORMATS,
    export_misp,
    export_stix,
    export_table,
    pseudonymiser_for,
)
from vigie.cli.common import open_workspace, workspace_option
from vigie.store.audit import record
from vigie.store.workspace import Workspace, file_sha256

output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True
)
pseudo_option = click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace accounts that are not channels or sellers with keyed hashes (research sharing).",
)


@click.group()
def export() -> None:
    """Export tables (CSV, Parquet) or intelligence (STIX 2.1, MISP)."""


@export.command("table")
@click.argument("table")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="csv", show_default=True)
@output_option
@pseudo_option
def export_table_command(
    table: str, workspace: Path | None, fmt: str, output: Path, pseudonymise: bool
) -> None:
    """Write TABLE (messages, entities, graph_edges …) as CSV or Parquet."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        pseudo = pseudonymiser_for(ws.root, con) if pseudonymise else None
        rows = export_table(con, table, fmt, output, pseudo)
    _audit(
        ws, f"export.{fmt}", output, {"table": table, "rows": rows, "pseudonymised": pseudonymise}
    )
    click.echo(f"wrote {rows:,} rows to {output}")


@export.command("stix")
@workspace_option
@output_option
@pseudo_option
def export_stix_command(workspace: Path | None, output: Path, pseudonymise: bool) -> None:
    """STIX 2.1 bundle of the latest graph (identities, indicators, successors), validated."""
    ws = open_workspace(workspace)
    n = export_stix(ws, output, pseudonymise)
    _audit(ws, "export.stix", output, {"objects": n, "pseudonymised": pseudonymise})
    click.echo(f"wrote {n} STIX objects to {output}")


@export.command("misp")
@workspace_option
@output_option
@click.option(
    "--case", default="vigie", show_default=True, help="Case number for evidence objects."
)
@pseudo_option
def export_misp_command(
    workspace: Path | None, output: Path, case: str, pseudonymise: bool
) -> None:
    """MISP event JSON (telegram-account, chat-message, forensic-evidence objects; tags)."""
    ws = open_workspace(workspace)
    n = export_misp(ws, output, case, pseudonymise)
    _audit(ws, "export.misp", output, {"objects": n, "case": case, "pseudonymised": pseudonymise})
    click.echo(f"wrote a MISP event with {n} objects to {output}")


def _audit(ws: Workspace, action: str, output: Path, details: dict[str, object]) -> None:
    """Every export goes to the audit log with the SHA-256 of the file written."""
    sha, size = file_sha256(output)
    record(ws, action, str(output), {**details, "sha256": sha, "size": size})


COMMANDS = [export]
