"""``vigie case …``, ``vigie report`` and ``vigie notice``."""

from __future__ import annotations

from pathlib import Path

import click

from vigie.act import notice as notices
from vigie.act.cases import (
    KINDS,
    add_to_case,
    create_case,
    get_case,
    list_cases,
    remove_from_case,
    set_status,
)
from vigie.act.report import build_report, log_export
from vigie.act.report_render import FORMATS, write_report
from vigie.cli.common import dumps, open_workspace, print_table, workspace_option
from vigie.store.audit import record
from vigie.store.state import open_state


@click.group()
def case() -> None:
    """Cases: group messages, channels and entities for a report or a notice."""


@case.command("create")
@click.argument("name")
@click.option("--description", help="What the case is about.")
@workspace_option
def case_create(name: str, description: str | None, workspace: Path | None) -> None:
    """Open a case named NAME; prints its id."""
    created = create_case(open_workspace(workspace), name, description)
    click.echo(f"case {created.id} created: {created.name}")


@case.command("add")
@click.argument("case_id")
@click.argument("refs", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(KINDS), help="Force the kind (default: guessed).")
@click.option("--note", help="Why it belongs to the case.")
@workspace_option
def case_add(
    case_id: str, refs: tuple[str, ...], kind: str | None, note: str | None, workspace: Path | None
) -> None:
    """Add messages (MSG_KEY), channels (key, id or name) or entities (value) to CASE_ID."""
    ws = open_workspace(workspace)
    for ref in refs:
        item = add_to_case(ws, case_id, ref, kind, note)
        click.echo(f"added {item.kind} {item.ref}")


@case.command("remove")
@click.argument("case_id")
@click.argument("ref")
@workspace_option
def case_remove(case_id: str, ref: str, workspace: Path | None) -> None:
    """Remove REF from CASE_ID."""
    n = remove_from_case(open_workspace(workspace), case_id, ref)
    click.echo(f"removed {n} item(s)")


@case.command("close")
@click.argument("case_id")
@click.option("--reopen", is_flag=True, help="Reopen a closed case.")
@workspace_option
def case_close(case_id: str, reopen: bool, workspace: Path | None) -> None:
    """Close a case (its messages stay held from retention, not from erasure)."""
    done = set_status(open_workspace(workspace), case_id, "open" if reopen else "closed")
    click.echo(f"case {done.id} is {done.status}")


@case.command("list")
@click.option("--json", "as_json", is_flag=True)
@workspace_option
def case_list(as_json: bool, workspace: Path | None) -> None:
    """List cases with their item counts."""
    found = list_cases(open_state(open_workspace(workspace).root))
    if as_json:
        click.echo(dumps([c.to_dict() for c in found]))
        return
    print_table(
        ["id", "status", "created", "messages", "channels", "entities", "name"],
        [
            [c.id, c.status, c.created_at[:10], *[len(c.refs(k)) for k in KINDS], c.name]
            for c in found
        ],
    )


@case.command("show")
@click.argument("case_id")
@workspace_option
def case_show(case_id: str, workspace: Path | None) -> None:
    """Print a case and its items as JSON."""
    found = get_case(open_state(open_workspace(workspace).root), case_id)
    click.echo(dumps({**found.to_dict(), "items": [vars(i) for i in found.items]}))


@click.command()
@click.argument("case_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@workspace_option
def report(case_id: str, fmt: str, output: Path, workspace: Path | None) -> None:
    """Write the report of CASE_ID (HTML, or PDF printed from the same HTML)."""
    ws = open_workspace(workspace)
    data = build_report(ws, case_id)
    write_report(data, fmt, output)
    log_export(ws, data, fmt, str(output))
    click.echo(
        f"wrote {output} ({data.summary['messages']} messages, digest {data.annex['digest'][:16]}…)"
    )


@click.command()
@click.argument("target", required=False)
@click.option("--case", "case_id", help="Every labelled message the case holds (batch mode).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text", "eml"]), default="json", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File (one notice) or folder (one file per platform); default stdout.",
)
@workspace_option
def notice(
    target: str | None, case_id: str | None, fmt: str, output: Path | None, workspace: Path | None
) -> None:
    """Takedown notice (EU DSA, Article 16) for a message, a channel or a whole case.

    TARGET is a message key or a channel (key, id or name); --case CASE_ID covers every
    labelled message the case holds, one notice per platform.
    """
    ws = open_workspace(workspace)
    built = notices.build_notices(ws, notices.target_keys(ws, target, case_id))
    bodies: list[tuple[str, bytes]] = []
    for item in built:
        if fmt == "json":
            body = notices.render_json([item]).encode("utf-8")
        elif fmt == "text":
            body = notices.render_text(item).encode("utf-8")
        else:
            body = notices.render_eml(item)
        bodies.append((f"{item.notice_id}.{fmt}", body))
    if output is None:
        if fmt == "json" and len(built) > 1:
            click.echo(notices.render_json(built), nl=False)
        else:
            for _, body in bodies:
                click.echo(body.decode("utf-8"), nl=False)
    elif len(bodies) == 1 and not output.is_dir():
        output.write_bytes(bodies[0][1])
    else:
        output.mkdir(parents=True, exist_ok=True)
        for name, body in bodies:
            (output / name).write_bytes(body)
    for item in built:
        record(
            ws,
            "notice.export",
            item.notice_id,
            {
                "platform": item.platform,
                "format": fmt,
                "items": [i.msg_key for i in item.items],
                "recipient": item.recipient["dsa_contact"],
            },
        )
    if output is not None:
        click.echo(f"wrote {len(built)} notice(s), {sum(len(n.items) for n in built)} item(s)")


COMMANDS = [case, report, notice]


@click.group()
def decisions() -> None:
    """Review decisions taken in the web app (who, when, what)."""


@decisions.command("export")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
def decisions_export(output: Path, workspace: Path | None) -> None:
    """Write the reviewed messages as labelled JSONL (text, labels) for `vigie train`.

    A message's labels are those whose latest decision confirms them; a message whose labels
    were all rejected is written with no label (a negative example).
    """
    from vigie.act.review import latest_labels, training_rows, write_training

    ws = open_workspace(workspace)
    state = open_state(ws.root)
    with ws.lake.connect(memory_limit="1GB") as con:
        keys = list(latest_labels(state))
        texts: dict[str, str] = {}
        for start in range(0, len(keys), 10_000):
            chunk = keys[start : start + 10_000]
            for key, text in con.execute(
                "SELECT msg_key, any_value(text) FROM messages WHERE list_contains(?, msg_key) "
                "GROUP BY 1",
                [chunk],
            ).fetchall():
                texts[key] = text or ""
    n = write_training(output, training_rows(state, texts))
    record(ws, "export.decisions", str(output), {"rows": n}, state=state)
    click.echo(f"{n} reviewed message(s) written to {output}; train with `vigie train {output}`")
