"""Alert listing and delivery: a webhook (JSON POST, retried with backoff) or stdout for cron.

Deliveries are tracked per sink (``stdout`` or the webhook URL) in ``alert_deliveries``, so each
alert reaches each sink once: ``vigie alerts --new`` in a cron job prints only what the last
run did not, and a webhook that was down gets the backlog when it is back. A payload carries
the alert fields (watchlist, item, msg_key, channel, date, what matched), never message text.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, select

import vigie
from vigie.config import load_settings
from vigie.store.audit import record
from vigie.store.state import State, alert_deliveries, alerts, open_state
from vigie.store.workspace import Workspace

BATCH = 100
FIELDS = (
    "id",
    "watchlist",
    "kind",
    "value",
    "msg_key",
    "channel_key",
    "matched",
    "message_date",
    "source",
    "run_id",
    "created_at",
)


@dataclass
class AlertFilter:
    since: str | None = None  # ISO date-time (UTC) of creation
    watchlist: str | None = None
    pending_for: str | None = None  # only alerts not yet delivered to this sink
    limit: int | None = None


def list_alerts(state: State, flt: AlertFilter | None = None) -> list[dict[str, Any]]:
    """Alerts, oldest first, as plain dicts."""
    flt = flt or AlertFilter()
    query = select(*[alerts.c[name] for name in FIELDS]).order_by(alerts.c.id)
    if flt.since:
        query = query.where(alerts.c.created_at >= flt.since)
    if flt.watchlist:
        query = query.where(alerts.c.watchlist == flt.watchlist)
    if flt.pending_for:
        done = select(alert_deliveries.c.alert_id).where(
            and_(
                alert_deliveries.c.sink == flt.pending_for,
                alert_deliveries.c.delivered_at.is_not(None),
            )
        )
        query = query.where(alerts.c.id.not_in(done))
    if flt.limit is not None:
        query = query.limit(flt.limit)
    with state.read() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _mark(state: State, ids: list[int], sink: str, attempts: int, error: str | None) -> None:
    delivered = None if error else datetime.now(UTC).isoformat(timespec="seconds")
    with state.write() as conn:
        for alert_id in ids:
            key = and_(alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.sink == sink)
            row = conn.execute(select(alert_deliveries.c.attempts).where(key)).first()
            values = {"delivered_at": delivered, "error": error}
            if row is None:
                conn.execute(
                    alert_deliveries.insert().values(
                        alert_id=alert_id, sink=sink, attempts=attempts, **values
                    )
                )
            else:
                conn.execute(
                    alert_deliveries.update()
                    .where(key)
                    .values(attempts=row[0] + attempts, **values)
                )


def take_for_stdout(state: State, watchlist: str | None = None) -> list[dict[str, Any]]:
    """Alerts not yet printed for cron, marked as delivered to ``stdout``."""
    pending = list_alerts(state, AlertFilter(watchlist=watchlist, pending_for="stdout"))
    _mark(state, [a["id"] for a in pending], "stdout", 1, None)
    return pending


@dataclass
class Delivery:
    url: str
    sent: int = 0
    failed: int = 0
    attempts: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def post_json(url: str, payload: dict[str, Any], timeout: float) -> int:
    """POST ``payload``; the HTTP status (raises ``OSError`` when nothing answered)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"vigie/{vigie.__version__}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _send(
    url: str,
    payload: dict[str, Any],
    retries: int,
    timeout: float,
    backoff: float,
    sleep: Callable[[float], None],
) -> tuple[int, str | None]:
    """(attempts, error or None): retries network errors, 408, 429 and 5xx with backoff."""
    error: str | None = None
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            status = post_json(url, payload, timeout)
        except OSError as exc:  # refused, timed out, DNS …
            error = f"{type(exc).__name__}: {exc}"
            continue
        if 200 <= status < 300:
            return attempt + 1, None
        error = f"HTTP {status}"
        if status < 500 and status not in (408, 429):
            return attempt + 1, error  # the receiver refuses: retrying will not help
    return retries + 1, error


def deliver_webhook(
    ws: Workspace,
    url: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST every alert not yet delivered to ``url`` (default ``alerts.webhook_url``)."""
    settings = load_settings(ws.root)
    url = url or settings["alerts.webhook_url"]
    if not url:
        from vigie.config import ConfigError

        raise ConfigError("no webhook: set [alerts] webhook_url in vigie.toml or pass --webhook")
    state = open_state(ws.root)
    result = Delivery(url)
    pending = list_alerts(state, AlertFilter(pending_for=url))
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        payload = {"source": "vigie", "version": vigie.__version__, "alerts": batch}
        attempts, error = _send(
            url,
            payload,
            int(settings["alerts.webhook_retries"]),
            float(settings["alerts.webhook_timeout"]),
            float(settings["alerts.webhook_backoff"]),
            sleep,
        )
        result.attempts += attempts
        _mark(state, [a["id"] for a in batch], url, attempts, error)
        if error:
            result.failed += len(batch)
            result.errors.append(error)
        else:
            result.sent += len(batch)
    if pending:
        host = urlsplit(url).netloc  # the path or query may hold a token: not logged
        details = result.to_dict() | {"url": host, "errors": result.errors[:5]}
        record(ws, "alerts.deliver", host, details, state=state)
    return result


__all__ = [
    "AlertFilter",
    "Delivery",
    "deliver_webhook",
    "list_alerts",
    "post_json",
    "take_for_stdout",
]
