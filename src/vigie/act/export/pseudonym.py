"""Keyed pseudonyms for research exports: customers and bystanders become ``anon:<hmac>``.

Channels and sellers stay readable (they are what the research is about); every other account
(a customer in a group, someone replied to, an origin of a forward) is replaced by an HMAC-SHA256
of its name under a secret kept in the workspace (``secret.key``, created on first use, mode
0600). The same account gets the same pseudonym in every export of the workspace, so shared
datasets still join, and nobody without the secret can reverse or test a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from vigie.link.views import SELLER_LABELS, create_analysis_views

SECRET_FILE = "secret.key"
PREFIX = "anon:"


def workspace_secret(root: Path) -> bytes:
    """The workspace's pseudonymisation key, created (32 random bytes) when missing."""
    path = root / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
    return path.read_bytes()


def keep_accounts(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Names and ids that stay readable: channels, and accounts that posted seller messages."""
    create_analysis_views(con)
    labels = ", ".join(f"'{label}'" for label in SELLER_LABELS)
    rows = con.execute(
        f"""SELECT channel_id FROM messages UNION SELECT channel_name FROM messages
            UNION SELECT name FROM channels UNION SELECT channel_id FROM channels
            UNION SELECT m.sender FROM messages m JOIN cur_analyses a USING (msg_key)
                  WHERE len(list_intersect(a.labels, [{labels}])) > 0
            UNION SELECT m.sender_id FROM messages m JOIN cur_analyses a USING (msg_key)
                  WHERE len(list_intersect(a.labels, [{labels}])) > 0"""
    ).fetchall()
    return frozenset(str(r[0]) for r in rows if r[0] is not None)


@dataclass(frozen=True)
class Pseudonymiser:
    secret: bytes
    keep: frozenset[str]

    def __call__(self, value: str | None) -> str | None:
        """``value`` itself when kept (channel, seller) or empty, else ``anon:`` + 16 hex."""
        if value is None or value == "" or value in self.keep:
            return value
        digest = hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest[:16]

    def node(self, node_id: str | None) -> str | None:
        """``account:telegram:Bob`` -> ``account:telegram:anon:…``; other nodes unchanged."""
        if node_id is None or not node_id.startswith("account:"):
            return node_id
        _, platform, name = node_id.split(":", 2)
        return f"account:{platform}:{self(name)}"

    def install(self, con: duckdb.DuckDBPyConnection) -> None:
        """Register SQL functions ``pseudo(VARCHAR)`` and ``pseudo_node(VARCHAR)`` on ``con``."""
        con.create_function(  # type: ignore[call-overload]
            "pseudo", self, ["VARCHAR"], "VARCHAR", null_handling="special"
        )
        con.create_function(  # type: ignore[call-overload]
            "pseudo_node", self.node, ["VARCHAR"], "VARCHAR", null_handling="special"
        )


def pseudonymiser_for(root: Path, con: duckdb.DuckDBPyConnection) -> Pseudonymiser:
    return Pseudonymiser(workspace_secret(root), keep_accounts(con))
