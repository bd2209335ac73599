"""``vigie messages`` and ``vigie stats``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from vigie.cli.common import dumps, open_workspace, print_rows, print_table, workspace_option
from vigie.errors import QueryError
from vigie.store.query import MessageFilter, message_rows
from vigie.store.query import stats as workspace_stats


def parse_when(value: str | None, option: str) -> datetime | None:
    """ISO date or date-time; naive values are UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(
            f"{option} {value!r} is not a date (use YYYY-MM-DD or an ISO date-time)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@click.command()
@workspace_option
@click.option("--channel", help="Channel id, platform:id key or name.")
@click.option("--sender", help="Sender name or id.")
@click.option("--platform", help="telegram, whatsapp, instagram, snapchat, signal, generic.")
@click.option("--since", help="From this date (UTC, inclusive).")
@click.option("--until", help="Before this date (UTC, exclusive).")
@click.option("--grep", help="Regular expression the text must match.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=0))
@click.option("--all", "no_limit", is_flag=True, help="No limit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "jsonl"]),
    default="table",
    show_default=True,
)
def messages(
    workspace: Path | None,
    channel: str | None,
    sender: str | None,
    platform: str | None,
    since: str | None,
    until: str | None,
    grep: str | None,
    limit: int,
    no_limit: bool,
    fmt: str,
) -> None:
    """List stored messages, oldest first."""
    ws = open_workspace(workspace)
    flt = MessageFilter(
        channel=channel,
        sender=sender,
        platform=platform,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
        grep=grep,
        limit=None if no_limit else limit,
    )
    with ws.lake.connect() as con:
        columns, rows = message_rows(con, flt)
    if fmt == "table":
        keep = ["date", "channel_name", "sender", "text"]
        idx = [columns.index(c) for c in keep]
        print_table(
            ["date (UTC)", "channel", "sender", "text"], [[r[i] for i in idx] for r in rows]
        )
    else:
        print_rows(columns, rows, fmt)


@click.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(workspace: Path | None, as_json: bool) -> None:
    """Counts per platform and channel, date range, quarantined records."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        data = workspace_stats(con)
    if as_json:
        click.echo(dumps(data))
        return
    click.echo(
        f"{data['messages']:,} messages from {data['first_date'] or '-'} to {data['last_date'] or '-'}; "
        f"{data['evidence_files']} evidence file(s), {data['ingest_runs']} ingest run(s), "
        f"{data['quarantined']} quarantined record(s)"
    )
    if data["platforms"]:
        click.echo("by platform: " + ", ".join(f"{p} {n:,}" for p, n in data["platforms"].items()))
    if data["channels"]:
        click.echo("")
        print_table(
            ["platform", "channel", "messages", "first", "last", "name"],
            [
                [
                    c["platform"],
                    c["channel_id"],
                    c["messages"],
                    c["first_date"][:10],
                    c["last_date"][:10],
                    c["name"],
                ]
                for c in data["channels"]
            ],
        )
    if data["quarantine_reasons"]:
        click.echo("\nquarantined:")
        for q in data["quarantine_reasons"]:
            click.echo(f"  {q['count']:>6}  {q['code']} {q['reason']}")


COMMANDS = [messages, stats]
