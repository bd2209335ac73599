"""``vigie watch …`` (watchlists) and ``vigie alerts`` (list, deliver, cron output)."""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path

import click

from vigie.act.deliver import AlertFilter, deliver_webhook, list_alerts, take_for_stdout
from vigie.act.watch import add_item, check, create_watchlist, items, remove_item
from vigie.cli.common import dumps, open_workspace, print_rows, workspace_option
from vigie.cli.query import parse_when
from vigie.store.audit import record
from vigie.store.state import open_state


@click.group()
def watch() -> None:
    """Watchlists of terms, regexes, entities and channels that raise alerts on ingest."""


@watch.command("create")
@click.argument("name")
@click.option("--description")
@workspace_option
def watch_create(name: str, description: str | None, workspace: Path | None) -> None:
    """Create the watchlist NAME."""
    create_watchlist(open_workspace(workspace), name, description)
    click.echo(f"watchlist {name} created")


@watch.command("add")
@click.argument("name")
@click.option("--term", "terms", multiple=True, help="Word or phrase (case/accent-insensitive).")
@click.option("--regex", "regexes", multiple=True, help="Regular expression (RE2).")
@click.option("--entity", "entities", multiple=True, help="Phone, handle, wallet, link …")
@click.option("--channel", "channels", multiple=True, help="Channel key, id or name.")
@click.option("--note")
@workspace_option
def watch_add(
    name: str,
    terms: tuple[str, ...],
    regexes: tuple[str, ...],
    entities: tuple[str, ...],
    channels: tuple[str, ...],
    note: str | None,
    workspace: Path | None,
) -> None:
    """Add items to the watchlist NAME."""
    ws = open_workspace(workspace)
    given = [("term", terms), ("regex", regexes), ("entity", entities), ("channel", channels)]
    if not any(values for _, values in given):
        raise click.UsageError("give at least one --term, --regex, --entity or --channel")
    for kind, values in given:
        for value in values:
            item_id = add_item(ws, name, kind, value, note)
            click.echo(f"item {item_id}: {kind} {value}")


@watch.command("remove")
@click.argument("name")
@click.argument("item_id", type=int)
@workspace_option
def watch_remove(name: str, item_id: int, workspace: Path | None) -> None:
    """Remove item ITEM_ID from the watchlist NAME (its alerts stay)."""
    done = remove_item(open_workspace(workspace), name, item_id)
    click.echo("removed" if done else "no such item")


@watch.command("list")
@click.argument("name", required=False)
@workspace_option
def watch_list(name: str | None, workspace: Path | None) -> None:
    """List watch items."""
    found = items(open_state(open_workspace(workspace).root), name)
    print_rows(
        ["id", "watchlist", "kind", "value", "note"],
        [[i.id, i.watchlist, i.kind, i.value, i.note] for i in found],
        "table",
    )


@watch.command("check")
@workspace_option
def watch_check(workspace: Path | None) -> None:
    """Check every stored message against the watchlists (e.g. after adding items)."""
    ws = open_workspace(workspace)
    raised = check(ws, "all")
    if raised:
        record(ws, "watch.check", "all", {"stage": "check", "alerts": raised})
    click.echo(f"{raised} new alert(s)")


@click.command()
@click.option("--since", help="Raised from this date (UTC).")
@click.option("--watchlist", help="Only this watchlist.")
@click.option("--limit", type=click.IntRange(min=0), default=None)
@click.option(
    "--new", "new_only", is_flag=True, help="Only alerts not printed by a previous --new (cron)."
)
@click.option("--deliver", is_flag=True, help="POST pending alerts to the webhook.")
@click.option("--webhook", help="Webhook URL (default: alerts.webhook_url in vigie.toml).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "json", "csv"]),
    default="table",
    show_default=True,
)
@workspace_option
def alerts(
    since: str | None,
    watchlist: str | None,
    limit: int | None,
    new_only: bool,
    deliver: bool,
    webhook: str | None,
    fmt: str,
    workspace: Path | None,
) -> None:
    """List alerts raised by the watchlists; --new for cron, --deliver for the webhook."""
    ws = open_workspace(workspace)
    if deliver:
        result = deliver_webhook(ws, webhook)
        click.echo(dumps(result.to_dict()))
        if result.failed:
            sys.exit(1)
        return
    state = open_state(ws.root)
    if new_only:
        rows = take_for_stdout(state, watchlist)
    else:
        when = parse_when(since, "--since")
        flt = AlertFilter(
            since=when.astimezone(UTC).isoformat() if when else None,
            watchlist=watchlist,
            limit=limit,
        )
        rows = list_alerts(state, flt)
    columns = [
        "id",
        "created_at",
        "watchlist",
        "kind",
        "value",
        "matched",
        "msg_key",
        "message_date",
        "source",
    ]
    if fmt in ("jsonl", "json"):
        print_rows(list(rows[0]) if rows else columns, [list(r.values()) for r in rows], fmt)
    else:
        print_rows(columns, [[r[c] for c in columns] for r in rows], fmt)


COMMANDS = [watch, alerts]
