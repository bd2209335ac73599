"""The workspace the web benchmark runs against: N messages through the real CLI (built once).

Not a benchmark itself (``make bench`` runs ``bench/bench_*.py`` only); ``bench_web.py`` imports
it, and it can be run alone to build or inspect the workspace:

    python bench/web_workspace.py [--n 1000000] [--workspace DIR] [--rebuild]

What it holds, spread over 300 channels on five platforms, dates over 2024, ~40k senders:

- real public text read by path from ../shared/data at build time (never copied into the
  repository): every message of the Telegram, WhatsApp, Instagram and Signal exports (parsed by
  Vigie's own parsers) and the ``text`` of the labelled JSON Lines sets, replicated;
- about 15 % fictional French dealer content written for this benchmark: menus with tiered
  prices, promotions, delivery and opening hours, police-watch posts, recruitment ads, backup
  channel announcements, reviews, payment instructions; assembled from the templates below with
  random products, quantities, prices, places and handles so no two channels read alike. The
  handles, phone numbers (the 06 39 98 range reserved for fiction) and places are invented.

The messages are written as generic JSON Lines (20 files of 50,000 at 1M), then ``vigie init``,
``vigie ingest -q``, ``vigie analyse`` and ``vigie link`` run as child processes. The workspace
is kept in ``/tmp/vigie-bench-web-<N>/`` (or ``--workspace``) with a stamp file; it is rebuilt
only when missing, when the stamp's ``VERSION`` differs, or with ``--rebuild``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
VERSION = "web-workspace.v1"  # bump to rebuild cached workspaces after a generator change
STAMP = "bench-web-workspace.json"
OWNER = ".bench-web-owner"  # written first: a folder with it may be deleted and rebuilt
FILE_SIZE = 50_000  # messages per JSONL file
YEAR_START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
YEAR_END = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
DAY = 86_400


def log(message: str) -> None:
    print(f"[web_workspace] {message}", file=sys.stderr, flush=True)


def default_root(n: int) -> Path:
    return Path(f"/tmp/vigie-bench-web-{n}")


# ---------------------------------------------------------------------------------------------
# Real text, read by path at build time


def real_pools() -> dict[str, list[str]]:
    """Texts of ../shared/data grouped by origin (the channel kinds draw from these)."""
    sys.path.insert(0, str(REPO / "src"))
    from vigie.model import Message
    from vigie.sources import detect
    from vigie.sources.base import ParseContext

    pools: dict[str, list[str]] = {
        "whatsapp_de": [],
        "whatsapp_en": [],
        "telegram": [],
        "chat_misc": [],
        "listings": [],
        "tweets_fr": [],
        "teen_fr": [],
    }
    exports = DATA / "exports"
    for path in sorted(exports.rglob("*")):
        if not path.is_file() or path.name == "target.json":
            continue
        module = detect(path)
        texts = [
            record.text
            for record in module.parse(path, ParseContext())
            if isinstance(record, Message) and record.kind == "message" and record.text.strip()
        ]
        if "ios_de" in path.name:
            pools["whatsapp_de"] += texts
        elif module.FORMAT == "whatsapp_txt":
            pools["whatsapp_en"] += texts
        elif module.FORMAT == "telegram_json":
            pools["telegram"] += texts
        else:
            pools["chat_misc"] += texts
    for name, pool in (
        ("listings_en", "listings"),
        ("listings_contacts_en", "listings"),
        ("tweets_fr", "tweets_fr"),
        ("teen_chat_fr", "teen_fr"),
    ):
        with (DATA / "labelled" / f"{name}.jsonl").open(encoding="utf-8") as handle:
            pools[pool] += [json.loads(line)["text"] for line in handle if line.strip()]
    pools["chat_misc"] += pools["teen_fr"][:200]  # the peer fixtures alone are a handful
    return pools


# ---------------------------------------------------------------------------------------------
# Fictional French dealer content (written for this benchmark)

PRODUCTS: dict[str, tuple[list[str], list[str], tuple[int, int]]] = {
    # id: (names, emojis, (min, max) price of one gram in EUR)
    "resin": (
        [
            "Jaune mousseux",
            "Filtré 120u",
            "Frozen",
            "Static",
            "Olive",
            "Charas",
            "Hash Ketama",
            "Plaquette marocaine",
            "Dry sift",
            "Mousseux premium",
            "Jaune",
            "Shit 3x filtré",
        ],
        ["🍫", "🟫", "🟡", "🧈"],
        (6, 12),
    ),
    "herb": (
        [
            "Amnesia",
            "Gelato 41",
            "Zkittlez",
            "Cali US",
            "Purple Haze",
            "Lemon Haze",
            "Cheese",
            "OG Kush",
            "Runtz",
            "Gorilla Glue",
            "Beuh hollandaise",
            "Weed Cali",
        ],
        ["🥦", "🌿", "🍀", "🍃", "🌱"],
        (7, 14),
    ),
    "coke": (
        ["Coco", "Cc péruvienne", "Blanche", "Neige", "C écaille de poisson", "Coke pure"],
        ["❄️", "⛄", "🤍", "🏔️"],
        (55, 90),
    ),
    "mdma": (["MD", "Taz", "Ecsta", "Cristaux MD"], ["💊", "💎", "🍬"], (25, 45)),
    "keta": (["Kéta", "Ké", "Ketamine"], ["🐴", "🦄"], (25, 40)),
    "proto": (["Proto", "Bonbonne 670g", "Bonbonne Fast Gas"], ["🎈", "🧯"], (25, 40)),
}
GRAMS = [1, 2, 3, 5, 10, 20, 25, 50, 100]
CITIES = [
    ("Marseille", ["13e", "14e", "15e", "3e", "1er"]), ("Lyon", ["7e", "8e", "9e", "3e"]),
    ("Paris", ["18e", "19e", "20e", "13e"]), ("Nîmes", ["Pissevin", "Valdegour", "centre"]),
    ("Grenoble", ["Villeneuve", "Mistral", "centre"]), ("Toulouse", ["Mirail", "Izards", "Bagatelle"]),
    ("Lille", ["Moulins", "Wazemmes", "Fives"]), ("Rennes", ["Maurepas", "Blosne", "Villejean"]),
    ("Nantes", ["Bellevue", "Dervallières", "Malakoff"]), ("Montpellier", ["Mosson", "Petit Bard"]),
    ("Dijon", ["Grésilles", "Fontaine d'Ouche"]), ("Besançon", ["Planoise", "Clairs-Soleils"]),
    ("Valence", ["Fontbarlettes", "Polygone"]), ("Avignon", ["Saint-Chamand", "Monclar"]),
]  # fmt: skip
HEADERS = [
    "🔥 MENU DU JOUR 🔥", "📋 LA CARTE {city} 📋", "✨ NOUVEAU MENU ✨ dispo H24", "⭐ {city} {zone} ⭐",
    "🚨 ARRIVAGE 🚨 tout est là", "🛒 Les tarifs de la semaine", "📢 RESTOCK, nouvelle carte 👇",
    "Salam la team, voici le menu 👇", "🏪 Le four est ouvert, carte ci-dessous", "💎 MENU PREMIUM 💎",
    "NEW MENU 🆕 que de la frappe", "⚡ DISPO MAINTENANT ⚡ {city}", "🌿 Carte du {day} 🌿",
]  # fmt: skip
PROMOS = [
    "🚚 Livraison gratuite {city} {zone} dès {price}€", "🎁 Carte fidélité : 10 achats = 1 pochon offert",
    "🎉 Jeu concours : une {prize} à gagner, tirage {day}", "💥 PROMO -{pct}% sur la {prod} jusqu'à {day}",
    "🎓 Menu étudiant : {g}g à {price}€", "🎁 Échantillon offert pour toute commande de +{price}€",
    "🔥 2 achetés = 1 offert ce week-end", "🚚 livraison gratuite {city} {zone}", "🆓 le 11e pochon offert",
    "📦 Menu petit budget : {g}g {price}€ seulement",
]  # fmt: skip
LOGISTICS = [
    "⏰ Ouvert de {h}h à {h2}h tous les jours", "🛵 Livraison {city} et alentours de {h}h à {h2}h",
    "📍 Retrait au {spot} uniquement", "⏰ Changement d'horaires : on ouvre à 7h avant les bleus",
    "🛵 Livreur dispo sur {city} {zone}, compter 30 min", "📍 Le point de deal bouge au {spot}",
    "🚗 Drive ouvert {day} de {h}h à {h2}h", "📲 Commande en privé uniquement, pas d'appel",
]  # fmt: skip
POLICE = [
    "⚠️ Les keufs sont au {spot}, on reprend dans 1h", "🚨 CRS en bas du {spot}, désolé pour le dérangement",
    "🚔 Contrôle au {spot}, évitez le coin ce soir", "⚠️ les bleus tournent au {spot} depuis ce matin",
    "🚨 Descente de police à {city} {zone}, fermé aujourd'hui", "👮 BAC en civil vers le {spot}, faites gaffe",
    "⚠️ Opération police au {spot}, livraison uniquement aujourd'hui",
]  # fmt: skip
RECRUIT = [
    "🔎 Cherche guetteur {pay}€/jour, {city} {zone}", "💼 RECRUTE charbonneur {pay}€ la journée, logé nourri",
    "📢 On recrute : livreur avec scooter, {pay}€/jour + essence", "🔎 Besoin d'une nourrice sérieuse sur {city}",
    "💼 Offre d'emploi 💼\n▪️ Poste : {role}\n▪️ Salaire : {pay}€/jour\n▪️ Transport remboursé\n▪️ Évolution rapide 📈",
    "🔎 cherche chouf motivé, {pay}€ par jour, contactez {handle}", "👷 Recrutement vendeur {city}, {pay}€/jour, débutants acceptés",
]  # fmt: skip
ROLES = ["guetteur", "charbonneur", "vendeur", "livreur", "nourrice", "ravitailleur", "chouf"]
MIGRATION = [
    "📢 Nouveau canal @{handle} , celui-ci va sauter", "🔁 Canal de secours 👉 t.me/{handle}",
    "⚠️ On déménage sur snap : {handle}", "📢 Abonnez-vous au canal backup @{handle} au cas où",
    "🆕 nouveau canal @{handle} rejoignez vite", "Ce canal ferme demain, tout le monde sur t.me/{handle}",
]  # fmt: skip
REVIEWS = [
    "Merci le S, frappe de ouf 🔥", "Livré en 20 min, top 👌", "Meilleur plug de {city} 💯",
    "La {prod} est incroyable, je recommande", "Service nickel, livreur discret 🙏",
    "Commande reçue, rien à dire ✅", "Le jaune est de la bombe 💣",
]  # fmt: skip
PAYMENT = [
    "💶 Paiement cash ou PCS", "💳 Transcash et Paysafecard acceptés", "💶 Paiement à la livraison uniquement",
    "🪙 Crypto acceptée (BTC, USDT)", "💳 Paylib / Lydia pour les habitués",
]  # fmt: skip
CUSTOMER = [
    "dispo ?", "t'as du {prod} ?", "tu livres sur {city} {zone} ?", "c'est combien les {g}g ?",
    "frère t'es ouvert ce soir ?", "je peux passer au {spot} ?", "il reste du {prod} ?",
]  # fmt: skip
SPOTS = ["bloc {n}", "bâtiment {letter}", "hall {n}", "parking de la tour {letter}", "city stade",
         "rond-point", "square", "arrêt de bus {n}", "kebab", "local poubelles du {n}"]  # fmt: skip
PRIZES = ["PS5", "iPhone 15", "trottinette électrique", "Xbox", "paire de Jordan"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "ce soir"]
HANDLE_PARTS = (
    ["lefour", "plug", "resto", "bureau", "drive", "boutik", "zone", "team", "kartel", "service"],
    ["13", "69", "75", "30", "38", "31", "59", "35", "44", "34", "sud", "nord", "vip", "off"],
)


class Dealer:
    """Fictional dealer text from templates; ``shop`` keeps a channel's own products and city."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, items: list[str]) -> str:
        return items[int(self.rng.integers(len(items)))]

    def handle(self) -> str:
        a, b = HANDLE_PARTS
        return f"{self.pick(a)}{self.pick(b)}_{int(self.rng.integers(1, 999))}"

    def phone(self) -> str:
        return f"06 39 98 {int(self.rng.integers(100)):02d} {int(self.rng.integers(100)):02d}"

    def spot(self) -> str:
        return self.pick(SPOTS).format(
            n=int(self.rng.integers(1, 30)), letter="ABCDEFGH"[int(self.rng.integers(8))]
        )

    def price_line(self, product: str) -> str:
        names, emojis, (low, high) = PRODUCTS[product]
        name, emoji = self.pick(names), self.pick(emojis)
        if product == "proto":  # sold by the cylinder, not by the gram
            one = int(self.rng.integers(low, high + 1))
            return f"{emoji} {name} : 1 = {one}€ / 3 = {one * 3 - 10}€"
        per_gram = float(self.rng.integers(low, high + 1))
        count = int(self.rng.integers(1, 4))
        grams = sorted(self.rng.choice(GRAMS[:7] if product != "coke" else GRAMS[:5], count, False))
        tiers = [
            (int(g), int(round(g * per_gram * (1 - 0.06 * i), -1) or 10))
            for i, g in enumerate(grams)
        ]
        style = int(self.rng.integers(6))
        if style == 0:
            return f"{emoji} {name} {tiers[0][0]}g = {tiers[0][1]}€"
        if style == 1:
            return f"{emoji} {name} " + " / ".join(f"{g}g {p}" for g, p in tiers)
        if style == 2:
            return f"{emoji} {name} : " + " | ".join(f"{g}g = {p}€" for g, p in tiers)
        if style == 3:
            return f"▪️ {name} {emoji} {int(per_gram)}€ le g"
        if style == 4:
            return f"- {name} ({tiers[0][0]}g) ➡️ {tiers[0][1]}€"
        return f"{emoji}{emoji} {name} dispo : " + ", ".join(f"{g}g {p}€" for g, p in tiers)

    def fill(self, template: str, city: str, zone: str, products: list[str]) -> str:
        product = self.pick(products)
        return template.format(
            city=city, zone=zone, spot=self.spot(), handle=self.handle(), prize=self.pick(PRIZES),
            day=self.pick(DAYS), pct=int(self.rng.choice([10, 15, 20, 30])),
            prod=self.pick(PRODUCTS[product][0]).lower(), g=int(self.rng.choice([2, 3, 5, 10])),
            price=int(self.rng.choice([20, 30, 40, 50, 80, 100])), h=int(self.rng.integers(7, 14)),
            h2=int(self.rng.integers(20, 24)), pay=int(self.rng.choice([100, 120, 150, 200, 250, 300, 350])),
            role=self.pick(ROLES),
        )  # fmt: skip

    def menu(self, city: str, zone: str, products: list[str]) -> str:
        lines = [self.fill(self.pick(HEADERS), city, zone, products)]
        for _ in range(int(self.rng.integers(2, 7))):
            lines.append(self.price_line(self.pick(products)))
        for pool in (PROMOS, LOGISTICS, PAYMENT):
            if self.rng.random() < 0.5:
                lines.append(self.fill(self.pick(pool), city, zone, products))
        if self.rng.random() < 0.5:
            lines.append(
                f"📲 {self.pick(['Snap', 'Tel', 'Signal', 'Telegram'])} : "
                + (self.phone() if self.rng.random() < 0.4 else "@" + self.handle())
            )
        return "\n".join(lines)

    def message(self, city: str, zone: str, products: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.40:
            return self.menu(city, zone, products)
        kinds = [
            (0.12, PROMOS), (0.12, LOGISTICS), (0.08, POLICE), (0.07, RECRUIT), (0.04, MIGRATION),
            (0.07, REVIEWS), (0.04, PAYMENT), (0.06, CUSTOMER),
        ]  # fmt: skip
        roll = (roll - 0.40) / 0.60 * sum(weight for weight, _ in kinds)
        for weight, pool in kinds:
            if roll < weight:
                return self.fill(self.pick(pool), city, zone, products)
            roll -= weight
        return self.fill(self.pick(CUSTOMER), city, zone, products)


# ---------------------------------------------------------------------------------------------
# Channels and messages

# kind: (channels, platforms, share of dealer content, real pools drawn from)
KINDS: dict[str, tuple[int, list[str], float, list[str]]] = {
    "shop": (60, ["telegram"], 0.62, ["telegram", "listings", "tweets_fr"]),
    "snap_shop": (20, ["snapchat", "instagram"], 0.55, ["teen_fr", "tweets_fr"]),
    "group": (80, ["whatsapp"], 0.04, ["whatsapp_de", "whatsapp_en"]),
    "public": (70, ["telegram"], 0.03, ["telegram", "listings", "tweets_fr"]),
    "chat": (70, ["instagram", "signal", "snapchat", "whatsapp"], 0.03, ["teen_fr", "tweets_fr", "chat_misc"]),
}  # fmt: skip
PSEUDO = (
    ["max", "lea", "sam", "nina", "yanis", "ines", "tom", "sarah", "adam", "lina", "noah", "jade",
     "enzo", "chloe", "rayan", "manon", "ilyes", "lucie", "hugo", "emma", "karim", "zoe"],
    ["", "_", ".", "x"],
)  # fmt: skip


def channels(rng: np.random.Generator) -> list[dict[str, Any]]:
    out = []
    for kind, (count, platforms, dealer, pools) in KINDS.items():
        for i in range(count):
            city, zones = CITIES[int(rng.integers(len(CITIES)))]
            zone = zones[int(rng.integers(len(zones)))]
            products = list(rng.choice(list(PRODUCTS), int(rng.integers(2, 5)), replace=False))
            if "resin" not in products and rng.random() < 0.7:
                products.append("resin")
            start = YEAR_START + int(rng.integers(0, 300)) * DAY
            length = int(rng.integers(60, 366)) * DAY
            out.append(
                {
                    "id": f"{kind}-{i:03d}",
                    "name": f"{kind.replace('_', ' ').title()} {city} {zone} #{i}",
                    "kind": kind,
                    "platform": platforms[i % len(platforms)],
                    "dealer": dealer,
                    "pools": pools,
                    "city": city,
                    "zone": zone,
                    "products": products,
                    "start": start,
                    "end": min(YEAR_END - 1, start + length),
                    "weight": float(rng.lognormal(0.0, 0.8)),
                }
            )
    return out


def sender_pool(rng: np.random.Generator, size: int) -> list[str]:
    first, seps = PSEUDO
    return [
        f"{first[int(rng.integers(len(first)))]}{seps[int(rng.integers(len(seps)))]}"
        f"{int(rng.integers(10, 99_999))}"
        for _ in range(size)
    ]


def generate(n: int, seed: int = 2024) -> Iterator[tuple[dict[str, Any], bool]]:
    """``n`` generic-JSONL rows (with True for dealer content), channel after channel."""
    rng = np.random.default_rng(seed)
    pools = real_pools()
    dealer = Dealer(rng)
    chans = channels(rng)
    weights = np.array([c["weight"] for c in chans])
    counts = rng.multinomial(n, weights / weights.sum())
    for chan, count in zip(chans, counts, strict=True):
        if count == 0:
            continue
        dates = np.sort(rng.integers(chan["start"], chan["end"], count))
        members = sender_pool(rng, max(3, min(2_000, count // 25)))
        admins = [f"{chan['name'].split(' #')[0]} admin", f"admin{chan['id']}"]
        pool_names = chan["pools"]
        for number, date in enumerate(dates, 1):
            is_dealer = bool(rng.random() < chan["dealer"])
            if is_dealer:
                text = dealer.message(chan["city"], chan["zone"], chan["products"])
                shop = chan["kind"] in ("shop", "snap_shop")
                sender = admins[number % 2] if shop else members[int(rng.integers(len(members)))]
            else:
                pool = pools[pool_names[int(rng.integers(len(pool_names)))]]
                text = pool[int(rng.integers(len(pool)))]
                sender = members[int(rng.integers(len(members)))]
            row = {
                "id": number,
                "date": int(date),
                "platform": chan["platform"],
                "channel": chan["id"],
                "channel_name": chan["name"],
                "sender": sender,
                "sender_id": f"u{zlib.crc32((chan['id'] + '/' + sender).encode()):08x}",
                "text": text,
            }
            yield row, is_dealer


# ---------------------------------------------------------------------------------------------
# Build through the real CLI


def vigie(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``vigie ARGS`` with this interpreter; stderr goes to ours (progress stays visible)."""
    return subprocess.run(
        [sys.executable, "-m", "vigie.cli", *args],
        input=stdin,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )


def read_stamp(root: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads((root / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def folder_mb(root: Path, skip: Callable[[Path], bool] = lambda _: False) -> float:
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not skip(p))
    return round(total / 1e6, 1)


def ensure(n: int, root: Path | None = None, rebuild: bool = False) -> dict[str, Any]:
    """The workspace of ``n`` messages (built now if needed); returns its stamp."""
    root = root or default_root(n)
    stamp = read_stamp(root)
    if stamp and stamp.get("version") == VERSION and stamp.get("n") == n and not rebuild:
        log(f"reusing {root} (built {stamp['built_at']}, {stamp['build_seconds']} s)")
        return stamp
    if root.exists():
        if not (root / OWNER).exists():
            sys.exit(f"{root} exists and was not made by this benchmark; pass another --workspace")
        log(f"removing the stale workspace {root}")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / OWNER).write_text(f"{VERSION}\n", encoding="utf-8")
    steps: dict[str, float] = {}
    started = time.perf_counter()
    inputs = root / "inputs"
    inputs.mkdir()
    files: list[Path] = []
    dealer = 0
    handle = None
    for i, (row, is_dealer) in enumerate(generate(n)):
        if i % FILE_SIZE == 0:
            if handle:
                handle.close()
            files.append(inputs / f"part-{len(files):03d}.jsonl")
            handle = files[-1].open("w", encoding="utf-8")
            if i:
                log(f"generated {i:,} / {n:,} messages")
        assert handle is not None
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        dealer += is_dealer
    if handle:
        handle.close()
    steps["generate_s"] = round(time.perf_counter() - started, 1)
    log(f"generated {n:,} messages in {len(files)} files ({steps['generate_s']} s)")
    ws = root / "ws"
    for step, args in (
        ("init_s", ["init", "-w", str(ws)]),
        ("ingest_s", ["ingest", "-w", str(ws), "-q", *map(str, files)]),
        ("analyse_s", ["analyse", "-w", str(ws)]),
        ("link_s", ["link", "-w", str(ws)]),
    ):
        log(f"vigie {args[0]} …")
        t0 = time.perf_counter()
        vigie(*args)
        steps[step] = round(time.perf_counter() - t0, 1)
        log(f"vigie {args[0]} done in {steps[step]} s")
    stamp = {
        "version": VERSION,
        "n": n,
        "workspace": str(ws),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 1),
        "steps": steps,
        "inputs_mb": folder_mb(inputs),
        "workspace_mb": folder_mb(ws, lambda p: "cache" in p.relative_to(ws).parts),
        "channels": sum(count for count, *_ in KINDS.values()),
        "dealer_share": round(dealer / n, 3),
    }
    (root / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    log(f"workspace ready in {stamp['build_seconds']} s: {ws}")
    return stamp


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="messages")
    parser.add_argument("--workspace", type=Path, help="folder (default /tmp/vigie-bench-web-N)")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    print(json.dumps(ensure(args.n, args.workspace, args.rebuild), ensure_ascii=False))


if __name__ == "__main__":
    main()
