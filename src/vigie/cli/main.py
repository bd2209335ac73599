"""The ``vigie`` command: a thin layer over the library, one module per command group."""

from __future__ import annotations

import importlib
import sys

import click

from vigie import __version__
from vigie.cli.common import open_workspace, workspace_option
from vigie.errors import VigieError
from vigie.store.workspace import Workspace, default_path

# Command name -> "module:attribute". Modules are imported only when their command runs, so
# `vigie ingest` does not load the graph, plotting or report libraries (start-up time and
# memory: 120 MB -> 60 MB before any work).
LAZY_COMMANDS: dict[str, str] = {
    "ingest": "ingest:ingest",
    "messages": "query:messages",
    "stats": "query:stats",
    "analyse": "analyse:analyse",
    "eval": "analyse:evaluate",
    "train": "analyse:train",
    "link": "link:link",
    "graph": "link:graph",
    "channels": "link:channels",
    "clusters": "link:clusters",
    "prices": "observe:prices",
    "timeline": "observe:timeline",
    "compare": "observe:compare_command",
    "export": "export:export",
    "case": "case:case",
    "report": "case:report",
    "notice": "case:notice",
    "watch": "watch:watch",
    "alerts": "watch:alerts",
    "audit": "audit:audit",
    "retention": "audit:retention",
    "forget": "audit:forget",
    "config": "audit:config",
    "serve": "web:serve",
    "user": "web:user",
    "token": "web:token",
    "decisions": "case:decisions",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            module = importlib.import_module(f"vigie.cli.{module_name}")
            command: click.Command = getattr(module, attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
