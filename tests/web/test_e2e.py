"""End-to-end tests in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

They go through the pages as an analyst would: log in with the form, review with the keyboard
(the card is replaced by htmx), search with filters and facets, open a channel and its network
(Cytoscape), create a case and add a message to it, check that hostile message text stays text,
that a viewer cannot decide, and that images are blurred until clicked. ``test_screenshots``
writes the PNGs of docs/screenshots/ from a copy of the test workspace.

No browser is downloaded: ``make test`` installs the Debian package ``chromium``.
"""

from __future__ import annotations

import re
import shutil
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Response,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.web.conftest import REPO, Server, free_port, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
SCREENSHOTS = REPO / "docs" / "screenshots"
PASSWORD = "correct horse battery staple"
MAIN_CHANNEL = "telegram:1987654321"  # "Les Genêts Bleus 30" in samples/telegram
RECRUITMENT = "telegram:1987654321:20"  # a recruitment ad with two labels
WAIT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the end-to-end tests drive Debian's Chromium. "
            "Run `make test` (it installs the Debian package `chromium`), "
            "or `sudo apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A page in its own browser context (own cookies), with what went wrong on it."""

    page: Page
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)
        assert not self.dialogs, f"a script opened dialogs: {self.dialogs}"


def _watch(tab: Tab) -> None:
    page = tab.page

    def on_console(msg: ConsoleMessage) -> None:
        # failed loads are reported (with their URL) by on_response
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            tab.problems.append(f"console error: {msg.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            tab.problems.append(f"HTTP {response.status} for {response.url}")

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    page.on("response", on_response)
    page.on("dialog", on_dialog)


OpenTab = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Browser) -> Iterator[OpenTab]:
    """``open_tab(base_url, user=None)``: a fresh context, logged in through the form if user."""
    contexts: list[BrowserContext] = []

    def make(base_url: str, user: str | None = None) -> Tab:
        context = browser.new_context(
            base_url=base_url,
            viewport=VIEWPORT,
            device_scale_factor=1,
            locale="en-GB",
            timezone_id="UTC",
            color_scheme="light",
            reduced_motion="reduce",
        )
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        tab = Tab(context.new_page())
        _watch(tab)
        if user:
            log_in(tab.page, user)
        return tab

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, user: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def api(server: Server, user: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {server.ws.tokens[user]}"},
        timeout=30,
    )


def decisions_of(server: Server, key: str, actor: str) -> set[tuple[str | None, str]]:
    detail = api(server, actor).get(f"/api/messages/{quote(key, safe='')}")
    assert detail.status_code == 200, detail.text
    return {(d["label"], d["decision"]) for d in detail.json()["decisions"] if d["actor"] == actor}


def shown_total(page: Page) -> int:
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")  # not an error page
    return int(page.locator(".facets p b").inner_text().replace(",", ""))


# --- screenshots (first: a copy of the workspace, before the other tests write to it) --------


@pytest.fixture(scope="module")
def pristine_server(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server on a copy of the test workspace: the screenshots do not depend on what
    the other end-to-end tests decide or create."""
    root = tmp_path_factory.mktemp("e2e") / "ws"
    shutil.copytree(server.ws.root, root, ignore=shutil.ignore_patterns(".lock"))
    port = free_port()
    proc = start_server(root, port)
    try:
        yield Server(f"http://127.0.0.1:{port}", server.ws, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except Exception:
            proc.kill()


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def shoot(page: Page, name: str) -> Path:
    page.wait_for_load_state("load")
    page.wait_for_function("() => [...document.images].every((img) => img.complete)")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


def test_screenshots(pristine_server: Server, open_tab: OpenTab) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_tab(pristine_server.url)
    page = tab.page
    written = []
    page.goto("/login")
    written.append(shoot(page, "login"))
    log_in(page, "alice")

    # a case with a message, a channel and a note, for the case page
    page.goto("/cases")
    page.get_by_label("Name").fill("Opération Mousseux")
    page.get_by_label("Description").fill("Menus du canal « Les Genêts Bleus 30 » et ses relais.")
    page.get_by_role("button", name="Create case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    for ref, note in ((RECRUITMENT, "recrutement de mineurs"), (MAIN_CHANNEL, "canal principal")):
        page.get_by_label("Message key, channel or entity").fill(ref)
        page.get_by_label("Note", exact=True).fill(note)
        page.locator("form.filters").get_by_role("button", name="Add").click()
        expect(page.get_by_role("cell", name=note)).to_be_visible()
    page.get_by_label("New note").fill("Même numéro de commande que le canal de secours.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".note")).to_have_count(1)
    case_url = page.url

    page.goto("/")
    expect(page.locator("#label-chart")).to_be_visible()
    written.append(shoot(page, "dashboard"))
    page.goto("/review")
    expect(page.locator("#review-card article.review")).to_be_visible()
    written.append(shoot(page, "review"))
    page.goto("/search?q=livraison&label=sale")
    expect(page.locator(".results article.item").first).to_be_visible()
    written.append(shoot(page, "search"))
    page.goto(f"/messages/{quote(MAIN_CHANNEL + ':4', safe='')}")
    written.append(shoot(page, "message"))
    page.goto(f"/channels/{quote(MAIN_CHANNEL, safe='')}")
    written.append(shoot(page, "channel"))
    page.goto(f"/network?seed={quote('channel:' + MAIN_CHANNEL, safe='')}")
    expect(page.locator("#network[data-ready]")).to_be_attached()
    written.append(shoot(page, "network"))
    page.goto("/prices")
    written.append(shoot(page, "prices"))
    page.goto(case_url)
    written.append(shoot(page, "case"))

    for path in written:
        width, height = png_size(path)
        assert width == VIEWPORT["width"] and height >= 300, (path, width, height)
    assert {p.name for p in SCREENSHOTS.glob("*.png")} >= {p.name for p in written}
    tab.assert_clean()


# --- scenarios --------------------------------------------------------------------------------


def test_login_through_the_form(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url)
    page = tab.page
    page.goto("/review")
    assert urlsplit(page.url).path == "/login"
    assert parse_qs(urlsplit(page.url).query) == {"next": ["/review"]}

    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    assert urlsplit(page.url).path == "/login"

    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/review")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.locator("header .who")).to_have_text("alice · analyst")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/")
    assert urlsplit(page.url).path == "/login"
    tab.assert_clean()


def test_review_three_items_with_the_keyboard(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "alice")
    page = tab.page
    page.goto("/review")
    card = page.locator("#review-card article.review")
    choices = page.locator("#decide li.label-choice")
    page.evaluate("window.__samePage = true")  # survives htmx swaps, not a page load

    def current() -> tuple[str, list[str]]:
        key = card.get_attribute("data-key")
        assert key
        return key, choices.evaluate_all("els => els.map((el) => el.dataset.label)")

    def next_card(previous: str) -> None:
        expect(card).not_to_have_attribute("data-key", previous)
        assert page.evaluate("window.__samePage") is True, "the page was reloaded, not swapped"

    shown = []
    expected: list[set[tuple[str | None, str]]]
    # 1: reject the first label with "1", toggle "2" on and off, save with Enter
    key, labels = current()
    assert len(labels) >= 2, f"the first item of the queue should have two labels: {labels}"
    page.keyboard.press("1")
    expect(choices.nth(0)).to_have_class(re.compile(r"\brejected\b"))
    expect(choices.nth(0).locator("input[data-reject]")).to_be_checked()
    page.keyboard.press("2")
    expect(choices.nth(1)).to_have_class(re.compile(r"\brejected\b"))
    page.keyboard.press("2")
    expect(choices.nth(1)).not_to_have_class(re.compile(r"\brejected\b"))
    page.keyboard.press("Enter")
    next_card(key)
    shown.append((key, labels))
    expected = [{(labels[0], "reject")} | {(lab, "confirm") for lab in labels[1:]}]

    # 2: escalate with "e" (its labels are confirmed with it)
    key, labels = current()
    page.keyboard.press("e")
    next_card(key)
    shown.append((key, labels))
    expected.append({(lab, "confirm") for lab in labels} | {(None, "escalate")})

    # 3: reject every label with "n"
    key, labels = current()
    page.keyboard.press("n")
    next_card(key)
    shown.append((key, labels))
    expected.append({(lab, "reject") for lab in labels})

    # 4: skip with "s"; then "y" on the fifth confirms its labels
    key, labels = current()
    page.keyboard.press("s")
    next_card(key)
    shown.append((key, labels))
    expected.append({(None, "skip")})
    key, labels = current()
    page.keyboard.press("y")
    next_card(key)
    shown.append((key, labels))
    expected.append({(lab, "confirm") for lab in labels})

    keys = [k for k, _ in shown]
    assert len(set(keys)) == len(keys), f"an item was shown twice: {keys}"
    for (key, _), want in zip(shown, expected, strict=True):
        assert decisions_of(server, key, "alice") == want, key

    # the decided items left alice's queue, and the message page lists the decisions
    page.reload()
    assert card.get_attribute("data-key") not in keys
    page.goto(f"/messages/{quote(keys[2], safe='')}")
    decisions = page.locator("section:has(h3:text('Decisions')) li")
    expect(decisions.filter(has_text="alice: reject")).to_have_count(len(shown[2][1]))
    tab.assert_clean()


def test_search_with_filters_and_facets(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "alice")
    page = tab.page
    page.goto("/search?q=livraison")
    unfiltered = shown_total(page)

    form = page.locator("form.filters.search")
    form.get_by_label("Text").fill("livraison")
    form.get_by_label("Label").select_option("sale")
    form.get_by_label("Platform").fill("telegram")
    form.get_by_label("From").fill("2024-03-01")
    form.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"label=sale"))
    params = parse_qs(urlsplit(page.url).query)
    assert params["q"] == ["livraison"] and params["platform"] == ["telegram"]
    assert params["since"] == ["2024-03-01"]

    total = shown_total(page)
    expected = api(server, "alice").get(
        "/api/search",
        params={"q": "livraison", "label": "sale", "platform": "telegram", "since": "2024-03-01"},
    )
    assert expected.status_code == 200, expected.text
    assert 0 < total == expected.json()["total"] < unfiltered
    items = page.locator(".results article.item")
    expect(items).to_have_count(min(total, 50))
    for item in items.all():
        expect(item.locator(".label-sale")).to_have_count(1)
        assert item.locator(".meta a").first.inner_text() >= "2024-03-01"
    expect(form.get_by_label("Label")).to_have_value("sale")

    # a facet link narrows the search to its value, with the count it announced
    facet = page.locator(".facets h3:text-is('channel') + ul li").first
    value = facet.locator("a").inner_text()
    count = int(facet.locator(".count").inner_text())
    facet.locator("a").click()
    page.wait_for_url(re.compile(r"channel="))
    assert parse_qs(urlsplit(page.url).query)["channel"] == [value]
    assert parse_qs(urlsplit(page.url).query)["label"] == ["sale"]
    assert shown_total(page) == count
    channel_links = page.locator(".results article.item .meta a[href^='/channels/']")
    expect(channel_links).to_have_count(min(count, 50))
    assert set(channel_links.evaluate_all("els => els.map((a) => a.getAttribute('href'))")) == {
        f"/channels/{quote(value, safe='')}"
    }
    tab.assert_clean()


def test_prices_filter_form(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "victor")
    page = tab.page
    page.goto("/prices")
    assert page.evaluate("Boolean(window.Chart.getChart('price-chart'))")
    form = page.locator("form.filters")
    form.get_by_label("Product").select_option("cocaine")
    form.get_by_label("Period").select_option("week")
    form.get_by_role("button", name="Show").click()  # the date field stays empty
    page.wait_for_url(re.compile(r"product=cocaine"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Prices")
    rows = page.locator("table tbody tr")
    assert rows.count() > 1
    assert set(rows.locator("td:first-child").all_inner_texts()) == {"cocaine"}
    periods = rows.locator("td:nth-child(2)").all_inner_texts()
    assert {date.fromisoformat(p).weekday() for p in periods} == {0}, periods  # weeks: Mondays

    # before/after a date
    form.get_by_label("Before/after date").fill("2024-03-15")
    form.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"date=2024-03-15"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text(
        "Before and after 2024-03-15"
    )
    tab.assert_clean()


def test_channel_page_and_its_network(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "victor")
    page = tab.page
    page.goto("/")
    page.locator(f'table a[href="/channels/{quote(MAIN_CHANNEL, safe="")}"]').click()
    page.wait_for_url(re.compile(r"/channels/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Les Genêts Bleus 30")
    expect(page.locator("main")).to_contain_text("seller channel")
    charts = page.evaluate(
        "['timeline-chart', 'hours-chart'].map((id) => Boolean(window.Chart.getChart(id)))"
    )
    assert charts == [True, True]
    assert page.locator("main article.item").count() > 10

    page.locator("#network-link").click()
    page.wait_for_url(re.compile(r"/network\?seed="))
    network = page.locator("#network[data-ready]")
    expect(network).to_be_attached()
    nodes = int(network.get_attribute("data-ready") or 0)
    assert nodes > 5
    expect(page.locator("main > p").first).to_contain_text(f"{nodes} nodes")
    assert page.locator("#network canvas").count() > 0  # Cytoscape drew into it
    listed = page.locator("details ul li a")
    expect(listed).to_have_count(nodes)

    # the node list opens an entity page and a successor channel's page
    page.get_by_text("Nodes as a list").click()
    page.locator("details ul li a[href^='/entities/']").first.click()
    page.wait_for_url(re.compile(r"/entities/"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("404")
    expect(page.locator("main article.item").first).to_be_visible()
    page.go_back()
    page.get_by_text("Nodes as a list").click()
    page.locator("details ul li a", has_text="SECOURS").first.click()
    page.wait_for_url(re.compile(r"/channels/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("SECOURS")

    # two hops reach further
    page.go_back()
    page.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"hops=2"))
    wider = page.locator("#network[data-ready]")
    expect(wider).to_be_attached()
    assert int(wider.get_attribute("data-ready") or 0) > nodes
    tab.assert_clean()


def test_create_a_case_and_add_a_message(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "alice")
    page = tab.page
    name = "E2E dossier livraisons"
    page.goto("/cases")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Description").fill("créé par le test de bout en bout")
    page.get_by_role("button", name="Create case").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_path = urlsplit(page.url).path
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.locator("tbody")).to_contain_text("Empty")

    message_path = f"/messages/{quote(RECRUITMENT, safe='')}"
    page.goto(message_path)
    form = page.locator("form[data-add-case]")
    form.get_by_label("Add to case").select_option(label=name)
    form.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"/messages/"))
    assert urlsplit(page.url).path in (message_path, f"/messages/{RECRUITMENT}")

    page.goto(case_path)
    row = page.locator("tbody tr", has_text=RECRUITMENT)
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("message")
    expect(row).to_contain_text("alice")
    row.get_by_role("link", name=RECRUITMENT).click()
    page.wait_for_url(re.compile(r"/messages/"))
    expect(page.locator(".evidence")).to_contain_text(RECRUITMENT)

    page.goto("/cases")
    listed = page.locator("tbody tr", has_text=name)
    expect(listed.locator("td").nth(3)).to_have_text("1")
    tab.assert_clean()


HOSTILE_CHECKS = """() => ({
  xss: window.__xss,
  onerror: document.querySelectorAll('img[onerror], [onerror], [onclick], [onload]').length,
  jsLinks: [...document.links].filter((a) => !/^https?:/.test(a.href)).map((a) => a.href),
  linksInText: document.querySelectorAll('.text a').length,
  bold: document.querySelectorAll('main b').length,
  inlineScripts: [...document.scripts].filter(
    (s) => !s.src && s.type !== 'application/json').length,
  rtl: document.body.innerText.includes('\\u202e'),
  text: document.body.innerText,
})"""


def check_hostile_page(page: Page) -> str:
    found = page.evaluate(HOSTILE_CHECKS)
    assert found["xss"] is None, "a message's script ran"
    assert found["onerror"] == 0, "an element from a message carries an event handler"
    assert found["jsLinks"] == [], found["jsLinks"]
    assert found["linksInText"] == 0, "a link was made from message text"
    assert found["inlineScripts"] == 0
    assert found["rtl"] is False, "the RTL override reached the page"
    return str(found["text"])


def test_hostile_messages_are_shown_as_text(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "victor")
    page = tab.page
    page.goto("/")
    page.keyboard.press("/")  # the quick-search shortcut
    expect(page.locator("#quick-search")).to_be_focused()
    page.keyboard.type("livraison")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=livraison"))
    text = check_hostile_page(page)
    assert "<script>window.__xss = 1</script> menu" in text
    expect(page.get_by_text("<script>window.__xss = 1</script>")).to_be_visible()

    page.goto("/search?channel=canal-hostile")
    assert shown_total(page) == 4
    text = check_hostile_page(page)
    for literal in (
        "<script>window.__xss = 1</script>",
        '<img src=x onerror="window.__xss=2">',
        '<a href="javascript:alert(1)">clic</a>',
        "⟪U+202E⟫etneV⟪U+202C⟫",
        "<b>vendeur</b>",
    ):
        assert literal in text, literal
    expect(page.get_by_text("⟪U+202E⟫etneV⟪U+202C⟫")).to_be_visible()
    assert page.locator("img").count() == 0

    # each message page renders the text through the highlighter: same result
    keys = page.locator(".results article.item").evaluate_all(
        "els => els.map((el) => el.dataset.key)"
    )
    assert len(keys) == 4
    for key in keys:
        page.goto(f"/messages/{quote(key, safe='')}")
        text = check_hostile_page(page)
        assert "<b>vendeur</b>" in text
        assert any(literal in text for literal in ("<script>", "<img src=x", "<a href=", "⟪U+"))
    assert page.evaluate("window.__xss") is None
    tab.assert_clean()


def test_viewer_cannot_decide(server: Server, open_tab: OpenTab) -> None:
    tab = open_tab(server.url, "victor")
    page = tab.page
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto("/review")
    card = page.locator("#review-card article.review")
    key = card.get_attribute("data-key")
    assert key
    expect(page.locator("button[data-action]")).to_have_count(0)
    expect(page.get_by_text("can read but not decide")).to_be_visible()
    expect(page.locator("form[data-add-case]")).to_have_count(0)

    # the decision keys do nothing for a viewer
    for shortcut in ("1", "y", "n", "e", "s"):
        page.keyboard.press(shortcut)
    page.wait_for_timeout(300)
    assert posts == []
    expect(card).to_have_attribute("data-key", key)

    # a forged request, with the session's valid CSRF token, is refused by the server
    csrf = page.locator("body").get_attribute("data-csrf")
    assert csrf
    direct = page.request.post(
        f"/review/{quote(key, safe='')}",
        form={"csrf_token": csrf, "label": "sale", "action": "confirm"},
        max_redirects=0,
    )
    assert direct.status == 403, direct.text()
    assert "analyst" in direct.text()
    fetched = page.evaluate(
        """async ([url, csrf]) => {
            const body = new FormData();
            body.append("label", "sale");
            body.append("action", "reject_all");
            const r = await fetch(url, {method: "POST", body, headers: {"X-CSRF-Token": csrf}});
            return r.status;
        }""",
        [f"/review/{quote(key, safe='')}", csrf],
    )
    assert fetched == 403
    case = page.request.post("/cases", form={"csrf_token": csrf, "name": "viewer case"})
    assert case.status == 403
    assert decisions_of(server, key, "victor") == set()


def image_message(server: Server) -> str | None:
    """The key of a message whose first media item is an image file, if any."""
    client = api(server, "victor")
    found = client.get("/api/search", params={"per_page": 500}).json()["items"]
    for item in found:
        if not item.get("media"):
            continue
        detail = client.get(f"/api/messages/{quote(item['msg_key'], safe='')}").json()
        media = detail.get("media_list") or []
        path = str(media[0].get("path") or "") if media else ""
        if path.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
            return str(item["msg_key"])
    return None


def test_images_are_blurred_until_clicked(server: Server, open_tab: OpenTab) -> None:
    key = image_message(server)
    if key is None:
        pytest.skip("no sample message has an image (samples/telegram/photos/ is missing)")
    tab = open_tab(server.url, "alice")
    page = tab.page
    page.goto(f"/messages/{quote(key, safe='')}")
    image = page.locator(".media button.reveal img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )

    def filtered() -> str:
        return str(image.evaluate("(img) => getComputedStyle(img).filter"))

    expect(image).to_have_class(re.compile(r"\bblurred\b"))
    assert "blur(" in filtered() and "grayscale(" in filtered()
    image.click()
    expect(image).not_to_have_class(re.compile(r"\bblurred\b"))
    assert filtered() == "none"
    image.click()
    expect(image).to_have_class(re.compile(r"\bblurred\b"))

    # the setting hides images altogether
    page.goto("/settings")
    page.get_by_label("always hidden").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/settings$"))
    page.goto(f"/messages/{quote(key, safe='')}")
    expect(page.locator(".media img")).to_have_count(0)
    expect(page.locator(".media")).to_contain_text("hidden (Settings)")
    tab.assert_clean()
