"""``vigie audit log|verify``, ``vigie retention show|apply``, ``vigie forget``, ``vigie config``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vigie.act.forget import forget as forget_entity
from vigie.act.retention import apply_retention
from vigie.cli.common import dumps, open_workspace, print_rows, workspace_option
from vigie.cli.query import parse_when
from vigie.config import SETTINGS, SETTINGS_FILE, TEMPLATE, load_settings
from vigie.store.audit import AuditFilter, entries, verify
from vigie.store.state import open_state


@click.group()
def audit() -> None:
    """The hash-chained audit log: list it, verify it and the evidence store."""


@audit.command("log")
@click.option("--since", help="From this date (UTC).")
@click.option("--until", help="Before this date (UTC).")
@click.option("--user", help="Only this actor.")
@click.option("--action", help="Action, or a prefix ending with '.' (case.).")
@click.option("--limit", type=click.IntRange(min=0), default=None)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv"]),
    default="table",
    show_default=True,
)
@workspace_option
def audit_log(
    since: str | None,
    until: str | None,
    user: str | None,
    action: str | None,
    limit: int | None,
    fmt: str,
    workspace: Path | None,
) -> None:
    """List audit entries in chain order."""
    state = open_state(open_workspace(workspace).root)
    flt = AuditFilter(
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
        actor=user,
        action=action,
        limit=limit,
    )
    found = entries(state, flt)
    if fmt == "table":
        print_rows(
            ["seq", "at", "user", "action", "target", "details"],
            [[e.seq, e.at[:19], e.actor, e.action, e.target, e.details] for e in found],
            "table",
        )
    else:
        columns = ["seq", "at", "actor", "action", "target", "details", "prev_hash", "hash"]
        print_rows(columns, [[getattr(e, c) for c in columns] for e in found], fmt)


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
@workspace_option
def audit_verify(as_json: bool, workspace: Path | None) -> None:
    """Re-hash the evidence store and the chain; exit 1 at the first broken link."""
    result = verify(open_workspace(workspace))
    if as_json:
        click.echo(dumps(result.to_dict()))
    elif result.ok:
        click.echo(
            f"ok: {result.entries} entries chained, {result.evidence_files} evidence file(s) "
            "match their hashes"
        )
    else:
        click.echo(f"BROKEN: {result.problems[0]}")
        for problem in result.problems[1:]:
            click.echo(f"  also: {problem}")
    for note in result.notes if not as_json else []:
        click.echo(f"note: {note}", err=True)
    if not result.ok:
        sys.exit(1)


@click.group()
def retention() -> None:
    """Delete messages that no case holds after the retention period."""


@retention.command("apply")
@click.option("--days", type=click.IntRange(min=0), help="Override retention.days.")
@click.option("--dry-run", is_flag=True, help="Show what would go; change nothing.")
@click.option("--json", "as_json", is_flag=True)
@workspace_option
def retention_apply(days: int | None, dry_run: bool, as_json: bool, workspace: Path | None) -> None:
    """Apply the retention policy (rewrites the lake, deletes orphaned evidence, logs it)."""
    plan = apply_retention(open_workspace(workspace), days, dry_run)
    if as_json:
        click.echo(dumps(plan.to_dict()))
        return
    verb = "would delete" if not plan.applied else "deleted"
    click.echo(
        f"{verb} {plan.messages} message(s) older than {plan.days} days "
        f"({plan.age_from}, before {plan.cutoff:%Y-%m-%d}) from {plan.channels} channel(s); "
        f"kept {plan.held} held by cases; {len(plan.evidence)} evidence file(s)"
    )
    for table, counts in plan.tables.items():
        click.echo(f"  {table}: {counts['removed']} row(s) removed, {counts['edited']} edited")


@click.command()
@click.argument("entity")
@click.option("--dry-run", is_flag=True, help="Show what would go; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True)
@workspace_option
def forget(entity: str, dry_run: bool, yes: bool, as_json: bool, workspace: Path | None) -> None:
    """Erase a person's data (right to erasure): messages, derived rows, evidence files."""
    ws = open_workspace(workspace)
    if not dry_run and not yes:
        preview = forget_entity(ws, entity, dry_run=True)
        click.echo(
            f"{preview.messages} message(s), {preview.nodes} graph node(s) and "
            f"{len(preview.evidence)} evidence file(s) will be deleted; "
            f"{preview.kept_messages} message(s) kept for open case(s) {preview.holding_cases}"
        )
        click.confirm("Erase?", abort=True)
    plan = forget_entity(ws, entity, dry_run=dry_run)
    if as_json:
        click.echo(dumps(plan.to_dict()))
        return
    verb = "deleted" if plan.applied else "would delete"
    click.echo(
        f"{verb} {plan.messages} message(s), {plan.nodes} graph node(s), "
        f"{len(plan.evidence)} evidence file(s), {plan.alerts} alert(s); kept "
        f"{plan.kept_messages} message(s) and {len(plan.kept_evidence)} file(s) held by open "
        f"case(s) {plan.holding_cases or '-'} (logged as subject {plan.subject_sha256[:16]}…)"
    )


@click.group()
def config() -> None:
    """Workspace settings (vigie.toml)."""


@config.command("show")
@click.option("--help-keys", is_flag=True, help="List the settings with their help.")
@workspace_option
def config_show(help_keys: bool, workspace: Path | None) -> None:
    """Print the settings in force (validated)."""
    if help_keys:
        for setting in SETTINGS:
            click.echo(f"{setting.name:24} {setting.default!s:14} {setting.help}")
        return
    click.echo(dumps(load_settings(open_workspace(workspace).root).to_dict()))


@config.command("init")
@workspace_option
def config_init(workspace: Path | None) -> None:
    """Write a commented vigie.toml into the workspace (never overwrites)."""
    path = open_workspace(workspace).root / SETTINGS_FILE
    if path.exists():
        raise click.UsageError(f"{path} exists; edit it")
    path.write_text(TEMPLATE, encoding="utf-8")
    click.echo(f"wrote {path}")


COMMANDS = [audit, retention, forget, config]
