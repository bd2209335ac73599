"""Successor channels ("canal de secours"): the backup-channel trail, each link with evidence.

Channel B is ``successor_of`` A when:

- **announced**: A posts B's link or handle in a migration message ("canal de secours",
  "nouveau canal", "rejoignez" … or the ``channel_migration`` label). The later-starting channel
  is the successor; a handle or link of a channel not in the workspace becomes the successor node
  itself, so the trail leads somewhere even when B was never collected.
- **identifier_reuse**: B posts A's phones, handles, wallets or e-mails, and B starts when A stops.
- **copied_ads**: B's ad copy is a near-duplicate of A's (a shared MinHash cluster), and B starts
  when A stops.

Guards: a channel that does not sell (a news desk, a journalist quoting a channel) announces
nothing and inherits nothing; a channel's own signature handle is not its successor; two
channels both active long before and after a mention are cross-promotion, not succession. Plain
channel *names* in text are never matched: only links and handles are identifiers.
Confidences of several rules combine as independent evidence: ``1 - Π(1 - c)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from vigie.link.entities import SHARED_MAX_CHANNELS
from vigie.link.resolve import CONTACT_TYPES

MIGRATION_RE = re.compile(
    r"secours|back-?up|nouve(?:au|lle)s? (?:canal|groupe|compte|cha[iî]ne|snap|page|lien|num)"
    r"|new (?:channel|group|account|link)|rejoi(?:gn|n)|\bjoin|abonne|suiv(?:ez|re)|follow"
    r"|migr|d[ée]m[ée]nag|on bouge|en cas de (?:ban|fermeture|suppression|blocage)"
    r"|(?:canal|compte|groupe|channel) (?:ferm|supprim|bloqu|ban|saut|tomb)|seul (?:canal|compte)",
    re.IGNORECASE,
)
PREDECESSOR_RE = re.compile(r"ancien|\bold (?:channel|account)|pr[ée]c[ée]dent|previous", re.I)
CROSS_PROMOTION = timedelta(days=30)
OVERLAP = timedelta(days=7)  # B may start this long before A's last message
GAP = timedelta(days=60)  # and at most this long after it
SELF_SHARE = 0.5  # a handle in half of a channel's messages is its signature, not a successor
SELF_MIN = 5


@dataclass
class Link:
    channel: str
    successor_of: str
    confidence: float = 0.0
    rules: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)

    def add(self, rule: str, confidence: float, evidence: list[str]) -> None:
        self.confidence = 1 - (1 - self.confidence) * (1 - confidence)
        self.rules.add(rule)
        self.evidence.extend(k for k in evidence if k not in self.evidence)


@dataclass(frozen=True)
class ChannelTimes:
    first_seen: datetime
    last_seen: datetime
    seller: bool | None
    messages: int


def _channels(con: duckdb.DuckDBPyConnection) -> dict[str, ChannelTimes]:
    rows = con.execute(
        "SELECT node_id, first_seen, last_seen, seller, messages FROM channel_stats"
    ).fetchall()
    return {r[0]: ChannelTimes(r[1], r[2], r[3], r[4]) for r in rows}


def starts_when_stops(before: ChannelTimes, after: ChannelTimes) -> bool:
    """``after`` starts later than ``before`` and around the time ``before`` stops."""
    return (
        after.first_seen > before.first_seen
        and after.first_seen >= before.last_seen - OVERLAP
        and after.first_seen <= before.last_seen + GAP
    )


def _announcements(
    con: duckdb.DuckDBPyConnection,
    channels: dict[str, ChannelTimes],
    links: dict[tuple[str, str], Link],
) -> None:
    rows = con.execute(
        """WITH cand AS (
               SELECT mn.msg_key, mn.channel, mn.node_id, mn.resolved, mn.date
               FROM mentions mn
               WHERE mn.type IN ('handle', 'url') AND mn.rkey IS NOT NULL AND mn.node_id <> mn.channel),
           usage AS (SELECT channel, node_id, count(DISTINCT msg_key) AS n FROM cand GROUP BY 1, 2)
           SELECT c.msg_key, c.channel, c.node_id, c.resolved, c.date, m.text,
                  coalesce(list_contains(a.labels, 'channel_migration'), false), u.n
           FROM cand c JOIN messages m USING (msg_key)
           LEFT JOIN cur_analyses a USING (msg_key)
           JOIN usage u ON u.channel = c.channel AND u.node_id = c.node_id
           WHERE list_contains(a.labels, 'channel_migration') OR regexp_matches(m.text, ?)
           ORDER BY c.date, c.msg_key""",
        ["(?i)" + MIGRATION_RE.pattern],
    ).fetchall()
    for msg_key, channel, target, resolved, date, text, labelled, uses in rows:
        source = channels.get(channel)
        if source is None or source.seller is False:
            continue  # only a selling channel announces its backup
        if not labelled and not MIGRATION_RE.search(text or ""):
            continue
        if uses >= SELF_MIN and uses >= SELF_SHARE * source.messages:
            continue  # the channel's own signature
        confidence = 0.85 if labelled else 0.7
        if source.seller is None:
            confidence -= 0.1  # not analysed: we cannot tell a seller from a reporter
        if resolved:
            other = channels.get(target)
            if other is None or other.seller is False:
                continue
            if other.first_seen >= source.first_seen:
                successor, predecessor, succ_times = target, channel, other
            else:
                successor, predecessor, succ_times = channel, target, source
            pred_times = channels[predecessor]
            if (
                succ_times.first_seen < date - CROSS_PROMOTION
                and pred_times.last_seen > date + CROSS_PROMOTION
            ):
                continue  # both long active around the mention: cross-promotion
            if succ_times.first_seen >= date - timedelta(days=2):
                confidence += 0.1
        elif PREDECESSOR_RE.search(text or ""):
            successor, predecessor = channel, target
        else:
            successor, predecessor = target, channel
        link = links.setdefault((successor, predecessor), Link(successor, predecessor))
        link.add("announced", min(confidence, 0.97), [msg_key])


def _shared(
    con: duckdb.DuckDBPyConnection,
    channels: dict[str, ChannelTimes],
    links: dict[tuple[str, str], Link],
    sql: str,
    rule: str,
    base: float,
) -> None:
    """Pairs of channels sharing identifiers (or clusters) where one starts as the other stops."""
    for a, b, shared, a_last_key, b_first_key, b_last_key, a_first_key in con.execute(
        sql
    ).fetchall():
        ta, tb = channels.get(a), channels.get(b)
        if ta is None or tb is None or ta.seller is False or tb.seller is False:
            continue
        if starts_when_stops(ta, tb):
            pred, succ, evidence = a, b, [*a_last_key, *b_first_key]
        elif starts_when_stops(tb, ta):
            pred, succ, evidence = b, a, [*b_last_key, *a_first_key]
        else:
            continue
        confidence = base + 0.15 * min(int(shared), 3)
        link = links.setdefault((succ, pred), Link(succ, pred))
        link.add(rule, confidence, evidence[:10])


def _pair_sql(source: str, item: str) -> str:
    """Channel pairs sharing ``item`` in ``source``, with first/last evidence keys per side."""
    return f"""
        WITH ci AS (
            SELECT channel, {item} AS item, min_by(msg_key, date) AS first_key,
                   max_by(msg_key, date) AS last_key FROM {source} GROUP BY 1, 2),
        ok AS (SELECT item FROM ci GROUP BY 1 HAVING count(*) BETWEEN 2 AND {SHARED_MAX_CHANNELS})
        SELECT a.channel, b.channel, count(*),
               list(a.last_key)[1:3], list(b.first_key)[1:3],
               list(b.last_key)[1:3], list(a.first_key)[1:3]
        FROM ci a JOIN ci b ON a.item = b.item AND a.channel < b.channel
        SEMI JOIN ok ON ok.item = a.item
        GROUP BY 1, 2"""


def find_successors(con: duckdb.DuckDBPyConnection, with_clusters: bool) -> list[Link]:
    """Apply the three rules; returns the links and creates temp table ``succ``."""
    channels = _channels(con)
    links: dict[tuple[str, str], Link] = {}
    _announcements(con, channels, links)
    contact = ", ".join(f"'{t}'" for t in CONTACT_TYPES)
    ids = f"(SELECT * FROM mentions WHERE type IN ({contact}) AND NOT resolved)"
    _shared(con, channels, links, _pair_sql(ids, "node_id"), "identifier_reuse", 0.45)
    if with_clusters:
        clusters = "(SELECT 'channel:' || channel_key AS channel, * FROM clusters)"
        _shared(con, channels, links, _pair_sql(clusters, "cluster_id"), "copied_ads", 0.4)
    result = sorted(links.values(), key=lambda link: (-link.confidence, link.channel))
    con.register(
        "_succ",
        pa.table(
            {
                "channel": [x.channel for x in result],
                "successor_of": [x.successor_of for x in result],
                "confidence": pa.array([round(x.confidence, 3) for x in result], pa.float32()),
                "rules": pa.array([sorted(x.rules) for x in result], pa.list_(pa.string())),
                "evidence": pa.array([x.evidence for x in result], pa.list_(pa.string())),
            }
        ),
    )
    con.execute("CREATE OR REPLACE TEMP TABLE succ AS SELECT * FROM _succ")
    con.unregister("_succ")
    return result
