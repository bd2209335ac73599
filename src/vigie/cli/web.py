"""``vigie serve``, ``vigie user …``, ``vigie token …``: the analyst web app and its accounts."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vigie.cli.common import dumps, open_workspace, print_table, workspace_option
from vigie.errors import VigieError
from vigie.store.audit import current_actor, record
from vigie.store.state import open_state
from vigie.web.accounts import (
    ROLES,
    add_user,
    create_token,
    list_users,
    revoke_tokens,
    set_disabled,
    set_password,
)


class UsageError(VigieError):
    code = "E170"


def _read_password(stdin: bool, confirm: bool = True) -> str:
    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin: no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password; use --password-stdin")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@click.command()
@workspace_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=False,
    help="Mark cookies Secure (behind an HTTPS reverse proxy).",
)
def serve(workspace: Path | None, host: str, port: int, secure_cookies: bool) -> None:
    """Start the analyst web app on the workspace (Ctrl-C stops it)."""
    import logging

    import uvicorn

    from vigie.web.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ws = open_workspace(workspace)
    if not list_users(open_state(ws.root)):
        click.echo(
            "No account yet: create one with `vigie user add NAME --role admin` first.", err=True
        )
    click.echo(
        "Preparing the read index (first start on a large workspace takes a while)…", err=True
    )
    app = create_app(ws.root, secure_cookies=secure_cookies)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"Listening on {host}: put an HTTPS reverse proxy in front and use --secure-cookies.",
            err=True,
        )
    click.echo(f"Vigie web app: http://{host}:{port}/  (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@click.group()
def user() -> None:
    """Web app accounts: add, list, passwd, disable, enable."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="analyst", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@workspace_option
def user_add(name: str, role: str, password_stdin: bool, workspace: Path | None) -> None:
    """Create the account NAME (asks for the password)."""
    ws = open_workspace(workspace)
    password = _read_password(password_stdin)
    state = open_state(ws.root)
    add_user(state, name, role, password)
    record(ws, "user.add", name, {"role": role}, actor=current_actor(), state=state)
    click.echo(f"user {name} created ({role})")


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@workspace_option
def user_list(as_json: bool, workspace: Path | None) -> None:
    """List the accounts."""
    rows = list_users(open_state(open_workspace(workspace).root))
    if as_json:
        click.echo(dumps(rows))
    else:
        print_table(
            ["name", "role", "created_at", "disabled"],
            [[r["name"], r["role"], r["created_at"], r["disabled"]] for r in rows],
        )


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@workspace_option
def user_passwd(name: str, password_stdin: bool, workspace: Path | None) -> None:
    """Set a new password for NAME (ends its sessions)."""
    ws = open_workspace(workspace)
    state = open_state(ws.root)
    set_password(state, name, _read_password(password_stdin))
    record(ws, "user.passwd", name, actor=current_actor(), state=state)
    click.echo(f"password of {name} changed")


@user.command("disable")
@click.argument("name")
@workspace_option
def user_disable(name: str, workspace: Path | None) -> None:
    """Disable NAME: no login, sessions ended, API tokens revoked."""
    ws = open_workspace(workspace)
    state = open_state(ws.root)
    set_disabled(state, name, True)
    revoked = revoke_tokens(state, name)
    record(
        ws, "user.disable", name, {"tokens_revoked": revoked}, actor=current_actor(), state=state
    )
    click.echo(f"user {name} disabled ({revoked} API token(s) revoked)")


@user.command("enable")
@click.argument("name")
@workspace_option
def user_enable(name: str, workspace: Path | None) -> None:
    """Enable NAME again."""
    ws = open_workspace(workspace)
    state = open_state(ws.root)
    set_disabled(state, name, False)
    record(ws, "user.enable", name, actor=current_actor(), state=state)
    click.echo(f"user {name} enabled")


@click.group()
def token() -> None:
    """API tokens for the REST API (send `Authorization: Bearer TOKEN`)."""


@token.command("create")
@click.option("--user", "user_name", required=True, help="The account the token acts as.")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@workspace_option
def token_create(user_name: str, name: str, workspace: Path | None) -> None:
    """Create a token for --user and print it (it is shown only once)."""
    ws = open_workspace(workspace)
    state = open_state(ws.root)
    value = create_token(state, user_name, name)
    record(ws, "token.create", user_name, {"name": name}, actor=current_actor(), state=state)
    click.echo(value)


@token.command("revoke")
@click.option("--user", "user_name", required=True)
@workspace_option
def token_revoke(user_name: str, workspace: Path | None) -> None:
    """Revoke every token of --user."""
    ws = open_workspace(workspace)
    state = open_state(ws.root)
    n = revoke_tokens(state, user_name)
    record(ws, "token.revoke", user_name, {"revoked": n}, actor=current_actor(), state=state)
    click.echo(f"{n} token(s) revoked")
