"""REST API against the real server: every route refuses the anonymous (401), the wrong role
(403) and bad input (422, with a one-line message); the data matches the pages'."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.web.conftest import Server, free_port, login, start_server

SAMPLE_KEY = "telegram:1987654321:20"
SAMPLE_CHANNEL = "telegram:1987654321"


def bearer(server: Server, user: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {server.ws.tokens[user]}"},
        timeout=30,
    )


def openapi_routes(server: Server) -> list[tuple[str, str]]:
    spec = bearer(server, "victor").get("/api/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


def concrete(path: str) -> str:
    return (
        path.replace("{msg_key}", quote(SAMPLE_KEY, safe=""))
        .replace("{key}", quote(SAMPLE_CHANNEL, safe=""))
        .replace("{value}", "guetteur")
        .replace("{case_id}", "1")
    )


def test_openapi_lists_the_routes(server: Server) -> None:
    routes = openapi_routes(server)
    paths = {path for _, path in routes}
    for expected in (
        "/api/search",
        "/api/review",
        "/api/dashboard",
        "/api/cases",
        "/api/messages/{msg_key}",
        "/api/channels/{key}",
        "/api/network",
        "/api/prices",
        "/api/entities/{value}",
    ):
        assert expected in paths
    assert all(path.startswith("/api/") for path in paths)


def test_every_route_needs_authentication(server: Server) -> None:
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    assert anonymous.get("/api/openapi.json").status_code == 401
    for method, path in openapi_routes(server):
        response = anonymous.request(method, concrete(path), json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "authentication required" in response.json()["detail"]
    wrong = httpx.Client(
        base_url=server.url, headers={"Authorization": "Bearer vg_not-a-token"}, timeout=30
    )
    assert wrong.get("/api/me").status_code == 401


def test_pages_need_a_login(server: Server) -> None:
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    for page in (
        "/",
        "/review",
        "/search?q=x",
        "/cases",
        "/prices",
        "/settings",
        f"/messages/{SAMPLE_KEY}",
        f"/channels/{SAMPLE_CHANNEL}",
        "/search.csv",
    ):
        response = anonymous.get(page)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login?next=")
    # a bearer token is for the API, not the pages
    assert bearer(server, "alice").get("/").status_code == 303


WRITES = [
    ("POST", f"/api/messages/{SAMPLE_KEY}/decisions", {"confirmed": ["sale"]}),
    ("POST", "/api/cases", {"name": "viewer case"}),
    ("POST", "/api/cases/1/items", {"ref": SAMPLE_KEY}),
    ("POST", "/api/cases/1/notes", {"text": "a note"}),
    ("POST", "/api/cases/1/status", {"status": "closed"}),
    ("GET", "/api/search.csv?q=livraison", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_viewer_cannot_decide_or_export(server: Server, method: str, path: str, body: dict) -> None:
    response = bearer(server, "victor").request(method, path, json=body)
    assert response.status_code == 403, response.text
    assert "analyst role" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/api/search?min_score=2", "min_score"),
        ("/api/search?label=nope", "label"),
        ("/api/search?q=(&regex=true", "regular expression"),
        ("/api/search?since=yesterday", "since"),
        ("/api/search?page=0", "page"),
        ("/api/search?sort=name", "sort"),
        ("/api/review?limit=0", "limit"),
        ("/api/review?label=nope", "label"),
        ("/api/network", "seed"),
        ("/api/network?seed=channel:x&hops=9", "hops"),
        ("/api/prices?period=day", "period"),
        ("/api/prices/before-after", "date"),
        ("/api/alerts?limit=-1", "limit"),
        ("/api/cases/abc", "case_id"),
    ],
)
def test_bad_input_is_422_with_a_clear_message(server: Server, path: str, needle: str) -> None:
    response = bearer(server, "alice").get(path)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert needle in detail


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("/api/cases", {"name": ""}, "name"),
        ("/api/cases", {}, "name"),
        ("/api/cases/1/status", {"status": "lost"}, "status"),
        (f"/api/messages/{SAMPLE_KEY}/decisions", {"confirmed": ["not_a_label"]}, "label"),
        (f"/api/messages/{SAMPLE_KEY}/decisions", {}, "nothing to record"),
        (f"/api/messages/{SAMPLE_KEY}/decisions", {"action": "delete"}, "action"),
    ],
)
def test_bad_bodies_are_422(server: Server, path: str, body: dict, needle: str) -> None:
    response = bearer(server, "alice").post(path, json=body)
    assert response.status_code == 422, response.text
    assert needle in response.json()["detail"]


def test_unknown_items_are_404(server: Server) -> None:
    client = bearer(server, "alice")
    for path in (
        "/api/messages/telegram:0:0",
        "/api/channels/nowhere:0",
        "/api/entities/zzz",
        "/api/cases/999999",
    ):
        response = client.get(path)
        assert response.status_code == 404, (path, response.text)
    assert (
        client.post("/api/messages/nope:0:0/decisions", json={"confirmed": ["sale"]}).status_code
        == 404
    )


def test_search_filters_facets_and_pages(server: Server) -> None:
    client = bearer(server, "victor")
    everything = client.get("/api/search", params={"per_page": 5}).json()
    assert everything["total"] >= 130 and len(everything["items"]) == 5
    assert everything["pages"] == -(-everything["total"] // 5)
    page2 = client.get("/api/search", params={"per_page": 5, "page": 2}).json()
    assert {i["msg_key"] for i in page2["items"]}.isdisjoint(
        {i["msg_key"] for i in everything["items"]}
    )
    sale = client.get("/api/search", params={"q": "livraison", "label": "sale"}).json()
    assert sale["total"] > 0
    assert all("sale" in item["labels"] for item in sale["items"])
    assert all("livraison" in item["text"].lower() for item in sale["items"])
    facet = {f["value"]: f["count"] for f in sale["facets"]["label"]}
    assert facet["sale"] == sale["total"]
    # accents and case are folded in plain search
    assert client.get("/api/search", params={"q": "GENETS"}).json()["total"] > 0
    regex = client.get("/api/search", params={"q": r"\d+g\s*=\s*\d+", "regex": "true"}).json()
    assert regex["total"] > 0
    assert all(re.search(r"\d+g\s*=\s*\d+", i["text"]) for i in regex["items"])
    dated = client.get(
        "/api/search", params={"since": "2024-03-01", "until": "2024-03-08", "per_page": 500}
    ).json()
    assert dated["total"] > 0
    assert all("2024-03-01" <= i["date"][:10] < "2024-03-08" for i in dated["items"])
    product = client.get("/api/search", params={"product": "cannabis_resin"}).json()
    assert product["total"] > 0
    assert all("cannabis_resin" in i["products"] for i in product["items"])


def test_csv_export_is_every_match_and_audited(server: Server) -> None:
    client = bearer(server, "alice")
    total = client.get("/api/search", params={"q": "livraison"}).json()["total"]
    response = client.get("/api/search.csv", params={"q": "livraison"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "msg_key" and len(rows) - 1 == total
    log = subprocess.run(
        [
            sys.executable,
            "-m",
            "vigie.cli",
            "audit",
            "log",
            "-w",
            str(server.ws.root),
            "--format",
            "jsonl",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "export.search_csv" in log.stdout


def test_decisions_leave_the_queue_and_are_audited(server: Server) -> None:
    client = bearer(server, "admin")
    queue = client.get("/api/review", params={"limit": 3}).json()["items"]
    assert len(queue) == 3
    assert [i["risk"] for i in queue] == sorted((i["risk"] for i in queue), reverse=True)
    first = queue[0]
    response = client.post(
        f"/api/messages/{quote(first['msg_key'], safe='')}/decisions",
        json={
            "confirmed": first["labels"][:1],
            "rejected": first["labels"][1:2],
            "action": "escalate",
        },
    )
    assert response.status_code == 200, response.text
    after = client.get("/api/review", params={"limit": 3}).json()["items"]
    assert first["msg_key"] not in {i["msg_key"] for i in after}
    detail = client.get(f"/api/messages/{quote(first['msg_key'], safe='')}").json()
    decided = {(d["label"], d["decision"], d["actor"]) for d in detail["decisions"]}
    assert (first["labels"][0], "confirm", "admin") in decided
    assert (None, "escalate", "admin") in decided


def test_cases_through_the_api(server: Server) -> None:
    client = bearer(server, "alice")
    created = client.post("/api/cases", json={"name": "API case", "description": "test"})
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert client.post("/api/cases", json={"name": "API case"}).status_code == 422
    added = client.post(f"/api/cases/{case_id}/items", json={"ref": SAMPLE_KEY, "note": "menu"})
    assert added.status_code == 200 and added.json()["kind"] == "message"
    channel = client.post(f"/api/cases/{case_id}/items", json={"ref": SAMPLE_CHANNEL})
    assert channel.json()["kind"] == "channel"
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": "vu"}).status_code == 200
    case = client.get(f"/api/cases/{case_id}").json()
    assert {i["ref"] for i in case["items"]} == {SAMPLE_KEY, SAMPLE_CHANNEL}
    assert case["notes"][0]["text"] == "vu" and case["notes"][0]["author"] == "alice"
    graph = client.get("/api/network", params={"case": case_id}).json()
    assert f"channel:{SAMPLE_CHANNEL}" in graph["seeds"] and graph["nodes"] > 1
    closed = client.post(f"/api/cases/{case_id}/status", json={"status": "closed"})
    assert closed.json()["status"] == "closed"


def test_channel_entity_prices_network(server: Server) -> None:
    client = bearer(server, "victor")
    channel = client.get(f"/api/channels/{SAMPLE_CHANNEL}").json()
    assert channel["messages"] == 78 and len(channel["hours"]) == 24
    assert sum(channel["hours"]) == 78
    assert channel["prices"] and channel["timeline"]
    backup = client.get("/api/channels/telegram:2012345678").json()
    assert any(p["node_id"] == f"channel:{SAMPLE_CHANNEL}" for p in backup["predecessors"])
    entity = client.get("/api/entities/guetteur").json()
    assert entity["messages"] and entity["channels"]
    prices = client.get("/api/prices", params={"product": "cannabis_resin"}).json()
    assert prices["rows"] and all(r["product"] == "cannabis_resin" for r in prices["rows"])
    compare = client.get("/api/prices/before-after", params={"date": "2024-03-15"}).json()
    assert any(r["product"] == "cannabis_resin" for r in compare)
    graph = client.get("/api/network", params={"seed": f"channel:{SAMPLE_CHANNEL}"}).json()
    ids = {e["data"]["id"] for e in graph["elements"]}
    assert f"channel:{SAMPLE_CHANNEL}" in ids and graph["edges"] > 0


def test_session_requests_need_the_csrf_token(server: Server) -> None:
    client = login(server.url, "alice")
    good = client.post("/api/cases", json={"name": "CSRF ok"})
    assert good.status_code == 201
    del client.headers["X-CSRF-Token"]
    bad = client.post("/api/cases", json={"name": "CSRF missing"})
    assert bad.status_code == 403 and "CSRF" in bad.json()["detail"]
    form = client.post("/cases", data={"name": "form without token"})
    assert form.status_code == 403
    forged = client.post("/cases", data={"name": "forged", "csrf_token": "x" * 43})
    assert forged.status_code == 403


def test_cookies_and_headers(server: Server) -> None:
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    from tests.web.conftest import PASSWORD

    response = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if "vigie_session=" in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = client.get("/")
    csp = home.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert home.headers["x-frame-options"] == "DENY"
    # a login form without the matching cookie is refused (login CSRF)
    stranger = httpx.Client(base_url=server.url, timeout=30)
    refused = stranger.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 403


def test_login_redirects_only_to_local_pages(server: Server) -> None:
    client = httpx.Client(base_url=server.url, timeout=30)
    from tests.web.conftest import PASSWORD

    for target, expected in (
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/search?q=a", "/search?q=a"),
    ):
        page = client.get("/login", params={"next": target})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/login",
            data={"username": "alice", "password": PASSWORD, "csrf_token": token, "next": target},
        )
        assert response.headers["location"] == expected


def test_pages_escape_hostile_text(server: Server) -> None:
    client = login(server.url, "victor")
    html = client.get("/search", params={"channel": "canal-hostile"}).text
    assert "<script>window.__xss" not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert "<img src=x onerror" not in html and "&lt;img src=x onerror" in html
    assert 'href="javascript:' not in html
    assert "\u202e" not in html and "⟪U+202E⟫" in html
    assert "<b>vendeur</b>" not in html
    for item in client.get("/search", params={"channel": "canal-hostile"}).text.split(
        'href="/messages/'
    )[1:]:
        key = item.split('"', 1)[0]
        page = client.get(f"/messages/{key}").text
        assert "<script>window" not in page and 'onerror="window' not in page


def test_login_rate_limit(server: Server) -> None:
    client = httpx.Client(base_url=server.url, timeout=30)

    def attempt(password: str) -> httpx.Response:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        return client.post(
            "/login",
            data={"username": "ratelimited", "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": "ignored"},
        )

    statuses = [attempt("wrong password").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5  # the form again, with an error
    assert statuses[5] == 429


def test_schemathesis_finds_no_server_error(server: Server, tmp_path: Path) -> None:
    """Property-based run over the OpenAPI spec on a copy of the workspace (it writes)."""
    root = tmp_path / "ws"
    shutil.copytree(server.ws.root, root, ignore=shutil.ignore_patterns(".lock"))
    port = free_port()
    proc = start_server(root, port)
    try:
        token = server.ws.tokens["admin"]
        spec = httpx.get(
            f"http://127.0.0.1:{port}/api/openapi.json",
            headers={"Authorization": f"Bearer {token}"},
        )
        spec_file = tmp_path / "openapi.json"
        spec_file.write_text(spec.text, encoding="utf-8")
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                str(spec_file),
                "--url",
                f"http://127.0.0.1:{port}",
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "25",
                "--workers",
                "1",
                "--phases",
                "examples,coverage,fuzzing",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # schemathesis writes .schemathesis/ in its working folder
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_media_are_blurred_served_from_the_export_folder_or_hidden(server: Server) -> None:
    api = bearer(server, "victor")
    items = api.get("/api/search", params={"per_page": 500}).json()["items"]
    with_media = [i for i in items if i["media"] and i["platform"] == "telegram"]
    assert with_media, "the samples have photos"
    client = login(server.url, "victor")
    key = with_media[0]["msg_key"]
    page = client.get(f"/messages/{key}").text
    src = re.search(r'<img class="blurred" src="([^"]+)"', page)
    assert src, page
    image = client.get(src.group(1))
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert client.get(src.group(1).replace("/media/0/", "/media/7/")).status_code == 404
    assert httpx.get(server.url + src.group(1)).status_code == 303  # login first
    saved = client.post(
        "/settings", data={"media": "hidden", "csrf_token": client.headers["X-CSRF-Token"]}
    )
    assert saved.status_code == 303
    hidden = client.get(f"/messages/{key}").text
    assert "<img" not in hidden and "hidden (Settings)" in hidden


def test_external_links_are_never_fetched_and_open_without_referrer(server: Server) -> None:
    client = login(server.url, "victor")
    urls = [
        e["data"]["label"]
        for e in bearer(server, "victor")
        .get("/api/network", params={"seed": "channel:telegram:1987654321", "hops": 2})
        .json()["elements"]
        if e["data"].get("kind") == "url"
    ]
    page = client.get("/entities/" + quote("https://t.me/+GenetsSecours30fictif", safe="")).text
    link = re.search(r'<a href="https://t\.me/[^"]+"([^>]*)>', page)
    assert link, (urls, page[:2000])
    assert 'rel="noopener noreferrer nofollow"' in link.group(1)
    # nothing on a page makes the browser fetch a message's link: no img/src/iframe to it
    assert not re.search(r'(src|srcset|action)="https?://', page)


def test_empty_form_fields_mean_no_filter(server: Server) -> None:
    client = login(server.url, "victor")
    page = client.get("/search?q=livraison&min_score=&until=&since=&label=&regex=")
    assert page.status_code == 200, page.text
    assert client.get("/prices?product=&place=&period=month&date=&days=30").status_code == 200
