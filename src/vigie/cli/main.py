"""The ``vigie`` command: a thin layer over the library, one module per command group."""

from __future__ import annotations

import sys

import click

from vigie import __version__
from vigie.cli import analyse as analyse_commands
from vigie.cli import audit as audit_commands
from vigie.cli import case as case_commands
from vigie.cli import export as export_commands
from vigie.cli import ingest as ingest_commands
from vigie.cli import link as link_commands
from vigie.cli import observe as observe_commands
from vigie.cli import query as query_commands
from vigie.cli import watch as watch_commands
from vigie.cli.common import open_workspace, workspace_option
from vigie.errors import VigieError
from vigie.store.workspace import Workspace, default_path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vigie")
def cli() -> None:
    """Vigie: triage messaging-app content around drug trafficking into evidence.

    Start with `vigie init`, then `vigie ingest EXPORT...`, `vigie stats`, `vigie messages`.
    """


@cli.command()
@workspace_option
def init(workspace: click.Path | None) -> None:
    """Create a workspace folder (evidence store, lake, state)."""
    from pathlib import Path

    root = Path(str(workspace)) if workspace else default_path()
    Workspace.init(root)
    click.echo(f"Workspace ready at {root}")


cli.add_command(ingest_commands.ingest)
# One module per command group, in the order of the pipeline.
for module in (
    query_commands,
    analyse_commands,
    link_commands,
    observe_commands,
    export_commands,
    case_commands,
    watch_commands,
    audit_commands,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except VigieError as exc:
        click.echo(f"vigie: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("vigie: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("vigie: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


__all__ = ["cli", "main", "open_workspace", "workspace_option"]
