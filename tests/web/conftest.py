"""Fixtures for the web app: a workspace with hostile messages, accounts, a real server.

``web_ws`` is built once per session with the real CLI: the bundled samples plus messages
written for these tests (XSS payloads, a javascript: link, RTL override). ``server`` starts
``vigie serve`` as a child process on a free loopback port and stops it at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.helpers import vigie, write_jsonl

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
XSS_SCRIPT = "<script>window.__xss = 1</script> menu 🍫 10g = 80€ livraison"
XSS_IMG = '<img src=x onerror="window.__xss=2"> 5g 50 / 10g 90 livraison gratuite'
XSS_LINK = 'commande ici javascript:alert(1) <a href="javascript:alert(1)">clic</a> 🍫 25g 200€'
RTL = "\u202eetneV\u202c 🍫 jaune mousseux 10g = 70€ livraison"
HOSTILE = [XSS_SCRIPT, XSS_IMG, XSS_LINK, RTL]


@dataclass(frozen=True)
class WebWorkspace:
    root: Path
    tokens: dict[str, str]  # user name -> API token


def _add_user(root: Path, name: str, role: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigie.cli",
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            "-w",
            str(root),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="session")
def web_ws(tmp_path_factory: pytest.TempPathFactory) -> WebWorkspace:
    root = tmp_path_factory.mktemp("web") / "ws"
    hostile = write_jsonl(
        tmp_path_factory.mktemp("hostile") / "hostile.jsonl",
        [
            {
                "id": str(i),
                "date": f"2024-03-{10 + i:02d}T20:00:00+00:00",
                "channel": "canal-hostile",
                "sender": "<b>vendeur</b>",
                "text": text,
            }
            for i, text in enumerate(HOSTILE)
        ],
    )
    vigie("init", "-w", str(root), check=True)
    vigie(
        "ingest",
        "-q",
        "-w",
        str(root),
        str(REPO / "samples" / "telegram"),
        str(REPO / "samples" / "whatsapp"),
        str(hostile),
        check=True,
    )
    vigie("analyse", "-w", str(root), check=True)
    vigie("link", "-w", str(root), check=True)
    for name, role in (("admin", "admin"), ("alice", "analyst"), ("victor", "viewer")):
        _add_user(root, name, role)
    tokens = {}
    for name in ("admin", "alice", "victor"):
        proc = vigie("token", "create", "--user", name, "-w", str(root), check=True)
        tokens[name] = proc.stdout.strip()
    return WebWorkspace(root, tokens)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    ws: WebWorkspace
    process: subprocess.Popen[str]


def start_server(root: Path, port: int) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("VIGIE_WORKSPACE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigie.cli", "serve", "-w", str(root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=REPO,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"vigie serve exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("vigie serve did not answer within 120 s")


@pytest.fixture(scope="session")
def server(web_ws: WebWorkspace) -> Iterator[Server]:
    port = free_port()
    proc = start_server(web_ws.root, port)
    try:
        yield Server(f"http://127.0.0.1:{port}", web_ws, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def login(base_url: str, user: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client logged in through the real login form; ``client.csrf`` set."""
    import re

    client = httpx.Client(base_url=base_url, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/login", data={"username": user, "password": password, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    csrf = re.search(r'data-csrf="([^"]+)"', home.text)
    assert csrf, home.text
    client.headers["X-CSRF-Token"] = csrf.group(1)
    return client
