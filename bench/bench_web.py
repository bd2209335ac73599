"""Web app latency: dashboard, review queue and search pages on a workspace of N messages.

Builds (once, cached in /tmp; see ``bench/web_workspace.py``) a workspace of ``--n`` messages
(default 1,000,000: real public text from ../shared/data replicated, plus ~15 % fictional French
dealer content, over 300 channels and five platforms, through ``vigie ingest``, ``analyse`` and
``link``), creates an analyst with ``vigie user add``, deletes the web read index and starts
``vigie serve`` as a real child process on a free local port. The time from the start to the
first answer on ``/login`` is the index build (``cache/web.duckdb`` from the lake) plus the
server's start-up, reported as ``index_build_s`` (with the server's own figure from its log when
it prints one).

Then, logged in through the real form (CSRF token, session cookie) with one httpx client, it
requests each URL once to warm up, then ``--requests`` times per page type, sequentially and
interleaved: the dashboard ``/``, the review queue ``/review`` (whole, and per label), and
``/search`` with a mix of queries (common and rare words, a phrase, label/score, platform, date
range, product filters, a regex, pages 2 and 5, risk order; each at least 5 times). It prints
one JSON object: per page type n, median_ms, p95_ms, max_ms (and per review queue and search
query, with the match count), pass/fail against the target (median <= 300 ms and p95 <= 1 s
for every page type) and the cases that miss it alone, the server's peak RSS (VmHWM, index
build included) and its RSS while serving, the index build time, the workspace size and
message count, and what else kept the (shared) machine busy. Progress goes to stderr.

    python bench/bench_web.py [--n 1000000] [--requests 60] [--workspace DIR] [--keep-index]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import web_workspace  # bench/ is not a package: imported by path

TARGET_MEDIAN_MS = 300.0
TARGET_P95_MS = 1000.0
USER = "bench"
DASHBOARD = "/"
REVIEW_QUEUES: dict[str, str] = {  # the whole queue, and the per-label queues analysts pick
    "all": "/review",
    "recruitment": "/review?label=recruitment",
    "police_watch": "/review?label=police_watch",
    "sale": "/review?label=sale",
}
SEARCHES: dict[str, dict[str, str]] = {
    "word_livraison": {"q": "livraison"},
    "word_jaune": {"q": "jaune"},
    "word_guetteur": {"q": "guetteur"},
    "common_le": {"q": "le"},
    "common_pour": {"q": "pour"},
    "rare_valdegour": {"q": "Valdegour"},
    "no_match": {"q": "ornithorynque"},
    "phrase": {"q": "livraison gratuite"},
    "label_sale": {"label": "sale"},
    "label_recruitment_score": {"label": "recruitment", "min_score": "0.5"},
    "platform_telegram": {"platform": "telegram"},
    "date_range": {"since": "2024-03-01", "until": "2024-04-01"},
    "product_resin": {"product": "cannabis_resin"},
    "regex_price": {"q": r"\d+g\s*=\s*\d+", "regex": "1"},
    "page2_livraison": {"q": "livraison", "page": "2"},
    "page5_sale": {"label": "sale", "page": "5"},
    "combined": {
        "q": "menu",
        "label": "sale",
        "platform": "telegram",
        "since": "2024-06-01",
        "until": "2024-09-01",
    },
    "risk_order": {"q": "livraison", "sort": "risk"},
}
_CSRF = re.compile(r"<input[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")
_TOTAL = re.compile(r"<b>([\d,]+)</b> messages")
_INDEX_LOG = re.compile(r"web index built: (\d+) messages in ([\d.]+) s")


def log(message: str) -> None:
    print(f"[bench_web] {message}", file=sys.stderr, flush=True)


def vigie_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "vigie.cli", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_user(ws: Path) -> str:
    """Create the analyst ``bench`` (or reset its password) with a fresh random password."""
    password = secrets.token_urlsafe(24)
    add = subprocess.run(
        vigie_cmd("user", "add", USER, "--role", "analyst", "--password-stdin", "-w", str(ws)),
        input=password + "\n",
        capture_output=True,
        text=True,
    )
    if add.returncode != 0:
        if "exists" not in add.stderr:
            sys.exit(f"vigie user add failed: {add.stderr.strip()}")
        subprocess.run(
            vigie_cmd("user", "passwd", USER, "--password-stdin", "-w", str(ws)),
            input=password + "\n",
            capture_output=True,
            text=True,
            check=True,
        )
    return password


class PeakRSS:
    """Server memory: the kernel's peak (VmHWM: index build included) and RSS sampled while
    serving, summed over the server and its children."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.sampled = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _procs(self) -> list[psutil.Process]:
        try:
            return [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return []

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            total = 0
            for proc in self._procs():
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
            self.sampled = max(self.sampled, total)

    def hwm(self) -> int | None:
        """Sum of the kernel's peak RSS (VmHWM) over the server's processes, in bytes."""
        total = 0
        for proc in self._procs():
            try:
                with open(f"/proc/{proc.pid}/status", encoding="ascii") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                return None
        return total or None

    def stop(self) -> dict[str, float | None]:
        peak = self.hwm()
        self._stop.set()
        self._thread.join()
        return {
            "peak_rss_mb": round((peak or self.sampled) / 2**20, 1),
            "serving_peak_rss_mb": round(self.sampled / 2**20, 1),
        }


def start_server(ws: Path, port: int, log_path: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``vigie serve``; returns it and the seconds until ``/login`` answered."""
    out = log_path.open("wb")
    started = time.perf_counter()
    server = subprocess.Popen(
        vigie_cmd("serve", "-w", str(ws), "--host", "127.0.0.1", "--port", str(port)),
        stdout=out,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    url = f"http://127.0.0.1:{port}/login"
    next_note = started + 30
    while True:
        if server.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            sys.exit(f"vigie serve exited with {server.returncode}:\n{tail}")
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code in (200, 302, 303):
                return server, time.perf_counter() - started
        except httpx.TransportError:
            pass
        if time.perf_counter() > next_note:
            log(f"waiting for the server ({time.perf_counter() - started:.0f} s) …")
            next_note += 30
        time.sleep(0.2)


def stop_server(server: subprocess.Popen[bytes]) -> int | None:
    """Ctrl-C as a user would (uvicorn shuts down cleanly), then SIGTERM, then SIGKILL."""
    for stop in (lambda: server.send_signal(signal.SIGINT), server.terminate, server.kill):
        if server.poll() is not None:
            break
        stop()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    return server.returncode


def login(client: httpx.Client, password: str) -> None:
    form = client.get("/login")
    form.raise_for_status()
    tag = _CSRF.search(form.text)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None:
        sys.exit("GET /login: no csrf_token input in the form")
    response = client.post(
        "/login",
        data={"username": USER, "password": password, "csrf_token": value.group(1), "next": "/"},
    )
    if response.status_code != 303 or "vigie_session" not in client.cookies:
        sys.exit(f"POST /login answered {response.status_code} without a session cookie")


def summary(times: list[float]) -> dict[str, Any]:
    ms = np.array(times) * 1000
    return {
        "n": len(times),
        "median_ms": round(float(np.median(ms)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def plan(requests: int) -> list[tuple[str, str, str]]:
    """(page type, case, URL), interleaved; each page type ``requests`` times (the search at
    least 5 times per query)."""
    review = list(REVIEW_QUEUES.items())
    searches = [(name, "/search?" + urlencode(params)) for name, params in SEARCHES.items()]
    per_search = max(requests, 5 * len(searches))
    rows: list[tuple[str, str, str]] = []
    for i in range(max(requests, per_search)):
        if i < requests:
            rows.append(("dashboard", "dashboard", DASHBOARD))
            rows.append(("review", *review[i % len(review)]))
        if i < per_search:
            rows.append(("search", *searches[i % len(searches)]))
    return rows


def fetch(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url)
    response.read()
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}: {response.text[:300]}")
    return elapsed, response


def measure(base: str, password: str, requests: int) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client:
        login(client, password)
        rows = plan(requests)
        log("warm-up: every URL once")
        warm: dict[tuple[str, str], float] = {}
        for page, name, url in dict.fromkeys(rows):
            warm[page, name] = round(fetch(client, url)[0] * 1000, 1)
        log(f"measuring {len(rows)} requests")
        pages: dict[str, list[float]] = {}
        cases: dict[tuple[str, str], list[float]] = {}
        sizes: dict[tuple[str, str], int] = {}
        matches: dict[tuple[str, str], int | None] = {}
        for i, (page, name, url) in enumerate(rows, 1):
            elapsed, response = fetch(client, url)
            pages.setdefault(page, []).append(elapsed)
            cases.setdefault((page, name), []).append(elapsed)
            sizes[page, name] = len(response.content)
            total = _TOTAL.search(response.text) if page == "search" else None
            matches[page, name] = int(total.group(1).replace(",", "")) if total else None
            if i % 50 == 0:
                log(f"{i} / {len(rows)} requests")
    result = {page: summary(times) for page, times in pages.items()}
    urls = {(page, name): url for page, name, url in rows}

    def per_case(kind: str) -> dict[str, Any]:
        out = {}
        for (page, name), times in cases.items():
            if page == kind:
                out[name] = {**summary(times), "url": urls[page, name], "bytes": sizes[page, name]}
                if page == "search":
                    out[name]["matches"] = matches[page, name]
                out[name]["first_ms"] = warm[page, name]
        return out

    return {
        "pages": result,
        "search_queries": per_case("search"),
        "review_queues": per_case("review"),
        "dashboard_first_ms": warm["dashboard", "dashboard"],
    }


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "load_avg_1_5_15": [round(x, 2) for x in load]}


def command(proc: psutil.Process) -> str:
    """The first words of a command line, up to an option (whose value may be a secret)."""
    words = []
    for arg in proc.cmdline()[:4]:
        if (arg.startswith("-") and arg not in ("-m", "-c")) or "=" in arg:
            break
        words.append(Path(arg).name if "/" in arg else arg)
    return " ".join(words)[:80] or proc.name()


class OtherLoad:
    """What else used the CPU during the measurement (the machine is shared): the machine's
    busy share, the server's CPU time, and the other processes above a threshold."""

    def __init__(self, server: int) -> None:
        self.ours = {os.getpid(), server}
        self.server = psutil.Process(server)
        self.started = time.time()
        self.cpu = psutil.cpu_times()
        self.server_cpu = sum(self.server.cpu_times()[:2])
        self.procs = {proc.pid: proc for proc in psutil.process_iter()}
        for proc in self.procs.values():
            with contextlib.suppress(psutil.Error):
                proc.cpu_percent(None)

    def report(self, threshold: float = 10.0) -> dict[str, Any]:
        window = time.time() - self.started
        cpu = psutil.cpu_times()
        total = sum(cpu) - sum(self.cpu)
        busy = 1 - (cpu.idle + cpu.iowait - self.cpu.idle - self.cpu.iowait) / total
        others = []
        for proc in psutil.process_iter():
            if proc.pid in self.ours:
                continue
            with contextlib.suppress(psutil.Error):
                if proc.pid in self.procs:
                    share = self.procs[proc.pid].cpu_percent(None)
                else:  # started during the window: all of its CPU time is in it
                    share = 100 * sum(proc.cpu_times()[:2]) / window
                if share >= threshold:
                    others.append({"cpu_percent": round(share), "command": command(proc)})
        return {
            "window_s": round(window, 1),
            "machine_busy_percent": round(100 * busy, 1),
            "server_cpu_s": round(sum(self.server.cpu_times()[:2]) - self.server_cpu, 1),
            "other_busy_processes": sorted(others, key=lambda row: -row["cpu_percent"]),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="messages in the workspace")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page type")
    parser.add_argument("--workspace", type=Path, help="folder (default /tmp/vigie-bench-web-N)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the workspace")
    parser.add_argument(
        "--keep-index", action="store_true", help="keep cache/web.duckdb (no index build timing)"
    )
    args = parser.parse_args()
    build_started = time.perf_counter()
    stamp = web_workspace.ensure(args.n, args.workspace, args.rebuild)
    build_wall = time.perf_counter() - build_started
    ws = Path(stamp["workspace"])
    password = ensure_user(ws)
    index = ws / "cache" / "web.duckdb"
    if not args.keep_index:
        index.unlink(missing_ok=True)
    port = free_port()
    log_path = ws.parent / "serve.log"
    log(f"starting vigie serve on port {port} (log: {log_path})")
    load_before = machine()
    server, ready_s = start_server(ws, port, log_path)
    rss = PeakRSS(server.pid)
    log(f"server answered after {ready_s:.1f} s")
    others = OtherLoad(server.pid)
    try:
        figures = measure(f"http://127.0.0.1:{port}", password, args.requests)
        load = others.report()
    finally:
        memory = rss.stop()
        code = stop_server(server)
    server_log = log_path.read_text(encoding="utf-8", errors="replace")
    built = _INDEX_LOG.search(server_log)
    verdict = {
        page: row["median_ms"] <= TARGET_MEDIAN_MS and row["p95_ms"] <= TARGET_P95_MS
        for page, row in figures["pages"].items()
    }
    report: dict[str, Any] = {
        "bench": "web_latency",
        "messages": stamp["n"],
        "channels": stamp["channels"],
        "dealer_share": stamp["dealer_share"],
        "workspace_mb": stamp["workspace_mb"],
        "index_mb": round(index.stat().st_size / 1e6, 1) if index.exists() else None,
        "workspace_build_s": stamp["build_seconds"],
        "workspace_build_steps": stamp["steps"],
        "workspace_reused": build_wall < stamp["build_seconds"],
        "index_build_s": None if args.keep_index else round(ready_s, 1),
        "index_build_server_log_s": float(built.group(2)) if built else None,
        "server_ready_s": round(ready_s, 1),
        **figures,
        "target": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS},
        "pass": verdict,
        "all_pass": all(verdict.values()),
        "slow_cases": [
            f"{kind}:{name}"
            for kind in ("search_queries", "review_queues")
            for name, row in figures[kind].items()
            if row["median_ms"] > TARGET_MEDIAN_MS or row["p95_ms"] > TARGET_P95_MS
        ],
        "server": {**memory, "exit_code": code},
        "machine_before": load_before,
        "machine_after": machine(),
        "during_measurement": load,
    }
    shutil.copyfile(log_path, ws.parent / "serve.last.log")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
