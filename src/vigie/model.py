"""Records that flow between stages: plain slotted dataclasses, Arrow-friendly.

Records built once per message (``Message``, ``LabelScore``, ``Cue``, ``Analysis``) are not
``frozen``: a frozen dataclass's ``__init__`` costs about 4x more, which is a third of the
ingest time at a million messages. Treat them as immutable all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TextEntity:
    """A span of a message's text that the platform marked (link, mention, phone, bold …).

    ``offset``/``length`` count Python characters (code points) in ``Message.text``;
    ``url`` holds the hidden target of a ``text_link``.
    """

    type: str
    text: str
    offset: int
    length: int
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """A media reference as the export wrote it: a path relative to the export folder."""

    kind: str  # photo, video, voice, sticker, file, omitted …
    path: str | None = None
    mime_type: str | None = None
    name: str | None = None


@dataclass(slots=True)
class Message:
    """One message (or service event) from any platform.

    ``date`` is timezone-aware UTC, or None when the source gives none (the ingest quarantines
    such records). ``source_location`` says where in the source file the record was found
    (``messages[12]``, ``line 345``) so that an examiner can find it again.
    """

    platform: str
    channel_id: str
    message_id: str
    date: datetime | None
    text: str
    sender: str | None = None
    sender_id: str | None = None
    kind: str = "message"  # "message" or "service"
    channel_name: str | None = None
    reply_to: str | None = None
    forwarded_from: str | None = None
    edited: datetime | None = None
    action: str | None = None
    entities: tuple[TextEntity, ...] = ()
    media: tuple[Media, ...] = ()
    extra: str | None = None  # JSON: reactions, poll, inline buttons, topic …
    source_location: str = ""

    @property
    def msg_key(self) -> str:
        return f"{self.platform}:{self.channel_id}:{self.message_id}"


@dataclass(frozen=True, slots=True)
class Channel:
    """A chat, group or channel as the export describes it."""

    platform: str
    channel_id: str
    name: str | None = None
    type: str | None = None  # public_channel, private_group, personal_chat …
    extra: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A record set aside: why, where, and a bounded raw snippet."""

    code: str
    reason: str
    location: str
    snippet: str = ""

    @staticmethod
    def clip(raw: str | bytes, limit: int = 500) -> str:
        if isinstance(raw, bytes):
            raw = raw[: limit * 4].decode("utf-8", "replace")
        return raw[:limit]


Record = Message | Channel | Quarantine


@dataclass(slots=True)
class ParseStats:
    """Counters a parser fills in while streaming (repairs of invalid JSON, skipped lines …)."""

    repairs: int = 0
    notes: dict[str, int] = field(default_factory=dict)

    def note(self, what: str, n: int = 1) -> None:
        self.notes[what] = self.notes.get(what, 0) + n


# --- analysis results -------------------------------------------------------------------------

LABELS: tuple[str, ...] = (
    "sale",
    "promotion",
    "logistics",
    "police_watch",
    "recruitment",
    "minors",
    "violence",
    "weapons",
    "counterfeit",
    "laundering",
    "supplies",
    "channel_migration",
    "testimonial",
    "payment",
)

PRODUCTS: tuple[str, ...] = (
    "cannabis_herb",
    "cannabis_resin",
    "cannabis_concentrate",
    "cannabis_edible",
    "synthetic_cannabinoid",
    "cocaine",
    "crack",
    "heroin",
    "opioid",
    "benzodiazepine",
    "mdma",
    "amphetamine",
    "methamphetamine",
    "cathinone",
    "ketamine",
    "ghb",
    "lsd",
    "psilocybin",
    "dmt",
    "mescaline",
    "nitrous_oxide",
    "other",
)


@dataclass(slots=True)
class Cue:
    """Why a label fired: a matched term or pattern, with its span in the ORIGINAL text."""

    label: str
    term: str
    start: int
    end: int
    kind: str = "lexicon"  # lexicon | pattern | feature | ngram
    weight: float = 0.0


@dataclass(slots=True)
class LabelScore:
    label: str
    score: float  # in [0, 1]
    decision: bool
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    """An extracted thing with its span in the original text.

    ``type``: offer, product, place, phone, handle, email, url, crypto, schedule, pay, role,
    payment. ``value`` is canonical (E.164 phone, ``telegram:@name``, INSEE code, product id …);
    ``attrs`` is compact JSON for structured details (offer: product, quantity, unit, price,
    currency, price_per_unit, tiers; place: kind, name, insee, departement …).
    """

    type: str
    value: str
    text: str
    start: int
    end: int
    attrs: str | None = None


@dataclass(slots=True)
class Analysis:
    labels: tuple[LabelScore, ...]
    risk: float
    risk_reasons: tuple[str, ...]
    entities: tuple[Entity, ...]

    def positive(self) -> list[str]:
        return [ls.label for ls in self.labels if ls.decision]
