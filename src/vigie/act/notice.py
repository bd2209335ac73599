"""Takedown notices with the elements of the Digital Services Act, Article 16(2).

Regulation (EU) 2022/2065, Art. 16(2) lists what a hosting service's notice mechanism must let a
notifier give; each field of a :class:`Notice` answers one of them:

- (a) a sufficiently substantiated explanation of why the content is illegal ->
  ``items[].explanation``: the labels Vigie found with their scores and the cues (matched terms
  and their spans), the offers they make, and the offence provisions of the jurisdiction;
- (b) the exact electronic location ->  ``items[].location``: the ``t.me`` URL with the message
  id when the channel's public username is known (else the ``t.me/c/…`` member link), and always
  the export reference (evidence SHA-256, position in the file, message key);
- (c) the notifier's name and e-mail -> ``notifier`` (from ``vigie.toml``);
- (d) a statement of good faith -> ``good_faith_statement``.

A notice never names a customer or any other sender and never quotes message text: the location
lets the platform see the content; the explanation quotes only the cues and offers.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

import vigie
from vigie.act.offences import LABEL_TEXT, offences_for
from vigie.config import ConfigError, Settings, load_settings
from vigie.errors import VigieError
from vigie.store.workspace import Workspace

LEGAL_BASIS = "Regulation (EU) 2022/2065 (Digital Services Act), Article 16"
GOOD_FAITH = (
    "I declare that I believe in good faith that the information and allegations in this "
    "notice are accurate and complete."
)
MAX_CUES = 8


class NoticeError(VigieError):
    code = "E167"


@dataclass
class NoticeItem:
    msg_key: str
    location: dict[str, Any]
    posted_at: str | None
    channel: str | None
    explanation: dict[str, Any]


@dataclass
class Notice:
    notice_id: str
    created_at: str
    legal_basis: str
    platform: str
    recipient: dict[str, Any]
    notifier: dict[str, Any]
    items: list[NoticeItem] = field(default_factory=list)
    good_faith_statement: str = GOOD_FAITH
    generated_by: str = f"Vigie {vigie.__version__}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def notifier_of(settings: Settings) -> dict[str, Any]:
    name, email = settings["notifier.name"], settings["notifier.email"]
    if not name or not email:
        raise ConfigError(
            "a DSA notice needs the notifier's name and e-mail (Art. 16(2)(c)): set "
            '[notifier] name = "…" and email = "…" in vigie.toml'
        )
    return {"name": name, "email": email, "organisation": settings["notifier.organisation"]}


def _username(extra: str | None) -> str | None:
    try:
        data = json.loads(extra) if extra else {}
    except ValueError:
        return None
    name = data.get("username") if isinstance(data, dict) else None
    return str(name).lstrip("@") if name else None


def message_url(
    platform: str, channel_id: str, message_id: str, username: str | None
) -> str | None:
    """The public link of a message, when the platform has one."""
    if platform != "telegram":
        return None
    if username:
        return f"https://t.me/{username}/{message_id}"
    digits = channel_id.removeprefix("-100").removeprefix("channel")
    return f"https://t.me/c/{digits}/{message_id}" if digits.isdigit() else None


_ROWS_SQL = """
WITH latest AS (
    SELECT a.* FROM analyses a LEFT JOIN analysis_runs r USING (run_id)
    QUALIFY row_number() OVER (PARTITION BY a.msg_key ORDER BY r.finished_at DESC NULLS LAST,
                                                       a.run_id DESC) = 1
)
SELECT m.msg_key, m.platform, m.channel_id, m.message_id, m.date,
       coalesce(c.name, m.channel_name), c.extra, m.evidence_sha256, m.source_location,
       e.original_name, l.labels, l.cues, l.version, l.risk, to_json(l)
FROM messages m JOIN latest l ON l.msg_key = m.msg_key
LEFT JOIN (SELECT channel_key, any_value(name) AS name, max(extra) AS extra FROM channels
           GROUP BY 1) c ON c.channel_key = m.platform || ':' || m.channel_id
LEFT JOIN (SELECT sha256, any_value(original_name) AS original_name FROM evidence GROUP BY 1) e
       ON e.sha256 = m.evidence_sha256
WHERE m.msg_key IN (SELECT msg_key FROM _targets) AND len(l.labels) > 0
ORDER BY m.date, m.msg_key
"""


def _offers(con: duckdb.DuckDBPyConnection, msg_key: str) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT DISTINCT value, attrs FROM entities WHERE msg_key = ? AND type IN ('offer', 'product')",
        [msg_key],
    ).fetchall()
    offers = []
    for value, attrs in rows:
        try:
            data = json.loads(attrs) if attrs else {}
        except ValueError:
            data = {}
        keep = {
            k: data[k] for k in ("product", "quantity", "unit", "price", "currency") if k in data
        }
        offers.append(keep or {"product": value})
    return offers


def _item(con: duckdb.DuckDBPyConnection, settings: Settings, row: tuple[Any, ...]) -> NoticeItem:
    (
        key,
        platform,
        channel_id,
        message_id,
        date,
        channel,
        extra,
        sha,
        where,
        name,
        labels,
        cues_json,
        version,
        _risk,
        analysis,
    ) = row
    scores = json.loads(analysis)
    cues = json.loads(cues_json) if cues_json else {}
    explained = []
    for label in labels:
        fired = [{"term": c[0], "start": c[1], "end": c[2]} for c in cues.get(label, [])][:MAX_CUES]
        explained.append(
            {
                "label": label,
                "meaning": LABEL_TEXT.get(label, label),
                "score": round(float(scores.get(f"score_{label}") or 0.0), 3),
                "cues": fired,
            }
        )
    offences = offences_for(settings, list(labels))
    summary = "The content " + "; it ".join(LABEL_TEXT.get(lbl, lbl) for lbl in labels) + "."
    if offences:
        summary += " This is illegal under: " + "; ".join(offences) + "."
    username = _username(extra)
    location = {
        "url": message_url(platform, channel_id, message_id, username),
        "channel_url": f"https://t.me/{username}" if platform == "telegram" and username else None,
        "message_id": message_id,
        "export_reference": {"evidence_sha256": sha, "file": name, "location": where},
    }
    return NoticeItem(
        msg_key=key,
        location=location,
        posted_at=date.isoformat() if date else None,
        channel=channel,
        explanation={
            "summary": summary,
            "labels": explained,
            "offers": _offers(con, key),
            "offences": offences,
            "jurisdiction": settings["jurisdiction.code"],
            "detection": f"automated analysis, Vigie {vigie.__version__}, model {version}",
        },
    )


def build_notices(ws: Workspace, msg_keys: list[str]) -> list[Notice]:
    """One notice per platform covering the labelled messages among ``msg_keys``."""
    import pyarrow as pa

    settings = load_settings(ws.root)
    notifier = notifier_of(settings)
    with ws.lake.connect(memory_limit="1GB") as con:
        con.register("_targets", pa.table({"msg_key": pa.array(msg_keys, pa.string())}))
        rows = con.execute(_ROWS_SQL).fetchall()
        if not rows:
            raise NoticeError(
                "none of these messages carries a label: there is nothing to substantiate a "
                "notice with (run `vigie analyse` first, or choose labelled messages)"
            )
        items = [(row[1], _item(con, settings, row)) for row in rows]
    notices: dict[str, Notice] = {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for platform, item in items:
        if platform not in notices:
            target = settings.platform(platform)
            notices[platform] = Notice(
                notice_id=f"vigie-notice-{uuid.uuid4().hex[:12]}",
                created_at=now,
                legal_basis=LEGAL_BASIS,
                platform=platform,
                recipient={
                    "name": target.name,
                    "dsa_contact": target.dsa_contact,
                    "notice_url": target.notice_url,
                },
                notifier=notifier,
            )
        notices[platform].items.append(item)
    return list(notices.values())


def target_keys(ws: Workspace, target: str | None, case: str | None = None) -> list[str]:
    """Message keys a notice covers: one message, a whole channel, or everything a case holds."""
    from vigie.act.cases import create_held_messages, get_case, resolve_ref
    from vigie.store.state import open_state

    with ws.lake.connect(memory_limit="1GB") as con:
        if case is not None:
            create_held_messages(con, [get_case(open_state(ws.root), case)], "_held")
            return [r[0] for r in con.execute("SELECT msg_key FROM _held ORDER BY 1").fetchall()]
        if not target:
            raise NoticeError("name a message key or a channel, or pass --case")
        kind, ref = resolve_ref(con, target)
        if kind == "message":
            return [ref]
        if kind == "channel":
            rows = con.execute(
                "SELECT msg_key FROM messages WHERE platform || ':' || channel_id = ? ORDER BY 1",
                [ref],
            ).fetchall()
            return [r[0] for r in rows]
    raise NoticeError(f"{target!r} is an entity: notices name messages or channels")


# --- rendering -----------------------------------------------------------------------------


def render_json(notices: list[Notice]) -> str:
    data: Any = notices[0].to_dict() if len(notices) == 1 else [n.to_dict() for n in notices]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_text(notice: Notice) -> str:
    """Plain text, in the order of Art. 16(2)."""
    lines = [
        f"Notice of illegal content — {notice.legal_basis}",
        f"Notice id: {notice.notice_id}    Date: {notice.created_at}",
        f"To: {notice.recipient['name']}"
        + (f" <{notice.recipient['dsa_contact']}>" if notice.recipient["dsa_contact"] else ""),
        "",
        f"{len(notice.items)} item(s) of information:",
    ]
    for n, item in enumerate(notice.items, 1):
        ref = item.location["export_reference"]
        lines += [
            "",
            f"{n}. Location (Art. 16(2)(b)): {item.location['url'] or '(no public URL)'}",
            f"   Channel: {item.channel or '-'}; message id {item.location['message_id']}; "
            f"posted {item.posted_at}",
            f"   Export reference: {ref['file'] or '-'} {ref['location'] or ''} "
            f"(SHA-256 {ref['evidence_sha256']}); key {item.msg_key}",
            f"   Why it is illegal (Art. 16(2)(a)): {item.explanation['summary']}",
        ]
        for label in item.explanation["labels"]:
            cues = ", ".join(f'"{c["term"]}"' for c in label["cues"]) or "-"
            lines.append(f"   - {label['label']} (score {label['score']}): cues {cues}")
        for offer in item.explanation["offers"]:
            lines.append("   - offer: " + ", ".join(f"{k} {v}" for k, v in offer.items()))
        lines.append(f"   Detection: {item.explanation['detection']}")
    notifier = notice.notifier
    org = f", {notifier['organisation']}" if notifier.get("organisation") else ""
    lines += [
        "",
        f"Notifier (Art. 16(2)(c)): {notifier['name']}{org} <{notifier['email']}>",
        f"Statement (Art. 16(2)(d)): {notice.good_faith_statement}",
        "",
    ]
    return "\n".join(lines)


def render_eml(notice: Notice) -> bytes:
    """An RFC 5322 message to the platform's DSA contact: text body, JSON attached."""
    from email.message import EmailMessage
    from email.utils import formataddr, make_msgid

    contact = notice.recipient["dsa_contact"]
    if not contact:
        raise ConfigError(
            f"no DSA contact for platform {notice.platform}: add [platforms.{notice.platform}] "
            'dsa_contact = "…" to vigie.toml (the platform\'s DSA notice address)'
        )
    message = EmailMessage()
    message["From"] = formataddr((notice.notifier["name"], notice.notifier["email"]))
    message["To"] = formataddr((notice.recipient["name"], contact))
    message["Subject"] = f"DSA Art. 16 notice of illegal content ({len(notice.items)} item(s))"
    message["Message-ID"] = make_msgid(domain=str(notice.notifier["email"]).split("@")[-1])
    message["X-Vigie-Notice-Id"] = notice.notice_id
    message.set_content(render_text(notice))
    message.add_attachment(
        render_json([notice]).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=f"{notice.notice_id}.json",
    )
    return bytes(message)


__all__ = [
    "GOOD_FAITH",
    "LEGAL_BASIS",
    "Notice",
    "NoticeError",
    "NoticeItem",
    "build_notices",
    "message_url",
    "render_eml",
    "render_json",
    "render_text",
    "target_keys",
]
