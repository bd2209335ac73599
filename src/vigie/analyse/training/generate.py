"""Write the detection training set: messages composed from hand-written blocks, deterministically.

Run ``python -m vigie.analyse.training.generate`` to rewrite ``train.jsonl`` next to this file.
Every positive block is written the way French dealer channels and darknet listings are quoted in
press investigations and police reports (menus, police-watch posts, recruitment ads, reprisals,
side markets); every negative block is the hard case the detector must leave alone (press reports
on seizures, prevention, legitimate job ads, restaurant menus, second-hand sales, teen banter,
sports, politics). A message is a random mix of blocks and carries the union of their labels.
No row comes from the evaluation sets in ../shared/data/labelled/; phone numbers, handles and
links are invented (and use reserved or obviously fake values).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from vigie.analyse.training import blocks as b

OUT = Path(__file__).with_name("train.jsonl")
SEED = 20240601


def _fill(template: str, rng: random.Random) -> str:
    """Replace ``{slot}`` markers with a random value of that slot (see :mod:`blocks`)."""
    out = template
    for _ in range(12):
        start = out.find("{")
        if start < 0:
            break
        end = out.find("}", start)
        slot = out[start + 1 : end]
        out = out[:start] + b.slot(slot, rng) + out[end + 1 :]
    return out


def _menu(rng: random.Random) -> tuple[str, set[str], list[str]]:
    """A dealer menu: header, product lines, then optional promo/delivery/payment/contact lines."""
    labels = {"sale"}
    lines = [_fill(rng.choice(b.block("MENU_HEADERS")), rng)]
    products: list[str] = []
    for _ in range(rng.randint(1, 6)):
        product_id, name, emoji = rng.choice(b.PRODUCTS_FR)
        products.append(product_id)
        line = _fill(rng.choice(b.block("MENU_LINES")), rng)
        lines.append(line.replace("[P]", name).replace("[E]", emoji))
    for block, label, chance in (
        (b.block("PROMOTION_FR"), "promotion", 0.45),
        (b.block("LOGISTICS_FR"), "logistics", 0.55),
        (b.block("PAYMENT_FR"), "payment", 0.3),
        (b.block("CONTACT_FR"), None, 0.6),
        (b.block("MIGRATION_FR"), "channel_migration", 0.12),
    ):
        if rng.random() < chance:
            lines.append(_fill(rng.choice(block), rng))
            if label:
                labels.add(label)
    separator = "\n" if rng.random() < 0.85 else " "
    return separator.join(lines), labels, products


def _single(rng: random.Random, block: list[str], labels: set[str]) -> tuple[str, set[str]]:
    return _fill(rng.choice(block), rng), set(labels)


def _combo(rng: random.Random, parts: list[tuple[list[str], set[str]]]) -> tuple[str, set[str]]:
    texts: list[str] = []
    labels: set[str] = set()
    for block, block_labels in parts:
        texts.append(_fill(rng.choice(block), rng))
        labels |= block_labels
    return (" " if rng.random() < 0.5 else "\n").join(texts), labels


def _stylise(text: str, rng: random.Random) -> str:
    """Sometimes write a message the way channels do: capitals, stylised letters, leetspeak."""
    roll = rng.random()
    if roll < 0.08:
        return text.upper()
    if roll < 0.12:
        return b.stylise_bold(text)
    if roll < 0.16:
        return b.leet_keywords(text)
    return text


def rows(seed: int = SEED) -> list[dict[str, object]]:
    """Every training row, in a fixed order for a given seed."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []

    def add(text: str, labels: set[str], kind: str, products: list[str] | None = None) -> None:
        row: dict[str, object] = {
            "id": f"train:{len(out):05d}",
            "text": text,
            "labels": sorted(labels),
            "kind": kind,
        }
        if products:
            row["products"] = sorted(set(products))
        out.append(row)

    for _ in range(420):
        text, labels, products = _menu(rng)
        add(_stylise(text, rng), labels, "menu_fr", products)
    positives: list[tuple[str, list[str], set[str], int]] = [
        ("promotion_fr", b.block("PROMOTION_POSTS_FR"), {"sale", "promotion"}, 80),
        ("logistics_fr", b.block("LOGISTICS_POSTS_FR"), {"logistics"}, 90),
        ("police_watch_fr", b.block("POLICE_WATCH_FR"), {"police_watch"}, 130),
        ("police_closure_fr", b.block("POLICE_CLOSURE_FR"), {"police_watch", "logistics"}, 60),
        ("recruitment_fr", b.block("RECRUITMENT_FR"), {"recruitment"}, 150),
        ("recruitment_minors_fr", b.block("RECRUITMENT_MINORS_FR"), {"recruitment", "minors"}, 70),
        ("violence_fr", b.block("VIOLENCE_FR"), {"violence"}, 130),
        ("threat_teen_fr", b.block("THREATS_CHAT_FR"), {"violence"}, 120),
        ("weapons_fr", b.block("WEAPONS_FR"), {"weapons"}, 90),
        ("counterfeit_fr", b.block("COUNTERFEIT_FR"), {"counterfeit"}, 55),
        ("laundering_fr", b.block("LAUNDERING_FR"), {"laundering"}, 55),
        ("supplies_fr", b.block("SUPPLIES_FR"), {"supplies"}, 70),
        ("migration_fr", b.block("MIGRATION_POSTS_FR"), {"channel_migration"}, 80),
        ("testimonial_fr", b.block("TESTIMONIALS_FR"), {"testimonial"}, 80),
        ("payment_fr", b.block("PAYMENT_POSTS_FR"), {"payment"}, 70),
        ("sale_short_fr", b.block("SALE_SHORT_FR"), {"sale"}, 140),
        ("listing_en", b.block("LISTINGS_EN"), {"sale"}, 260),
        ("listing_unknown_en", b.block("LISTINGS_UNKNOWN_EN"), {"sale"}, 400),
        ("dealer_en", b.block("DEALER_POSTS_EN"), {"sale"}, 70),
        ("weapons_en", b.block("WEAPONS_EN"), {"weapons"}, 60),
        ("weapons_other", b.block("WEAPONS_OTHER"), {"weapons"}, 40),
        ("counterfeit_en", b.block("COUNTERFEIT_EN"), {"counterfeit"}, 35),
        ("supplies_en", b.block("SUPPLIES_EN"), {"supplies"}, 35),
        ("recruitment_en", b.block("RECRUITMENT_EN"), {"recruitment"}, 30),
        ("violence_en", b.block("VIOLENCE_EN"), {"violence"}, 25),
    ]
    for kind, block, labels, count in positives:
        for _ in range(count):
            text, got = _single(rng, block, labels)
            add(_stylise(text, rng), got, kind)
    for _ in range(60):
        text, labels = _combo(
            rng,
            [
                (b.block("RECRUITMENT_FR"), {"recruitment"}),
                (b.block("MIGRATION_FR"), {"channel_migration"}),
            ],
        )
        add(text, labels, "recruitment_migration_fr")
    for _ in range(40):
        text, labels = _combo(
            rng, [(b.block("VIOLENCE_FR"), {"violence"}), (b.block("WEAPONS_FR"), {"weapons"})]
        )
        add(text, labels, "violence_weapons_fr")
    negatives: list[tuple[str, list[str], int]] = [
        ("news_fr", b.block("NEWS_FR"), 260),
        ("prevention_fr", b.block("PREVENTION_FR"), 110),
        ("job_fr", b.block("JOBS_FR"), 160),
        ("restaurant_fr", b.block("RESTAURANTS_FR"), 150),
        ("shop_fr", b.block("SHOPS_FR"), 130),
        ("classified_fr", b.block("CLASSIFIEDS_FR"), 120),
        ("banter_fr", b.block("BANTER_FR"), 330),
        ("chat_fr", b.block("CHAT_FR"), 330),
        ("sports_politics_fr", b.block("SPORTS_POLITICS_FR"), 200),
        ("news_en", b.block("NEWS_EN"), 80),
        ("job_en", b.block("JOBS_EN"), 70),
        ("restaurant_en", b.block("RESTAURANTS_EN"), 50),
        ("listing_other_en", b.block("LISTINGS_OTHER_EN"), 230),
        ("chat_en", b.block("CHAT_EN"), 120),
        ("emoji_chat", b.block("EMOJI_CHAT"), 150),
        ("tweets_fr", b.block("TWEETS_FR"), 200),
        ("newsletter", b.block("NEWSLETTER"), 120),
        ("recipes", b.block("RECIPES"), 60),
        ("joke_threats", b.block("JOKE_THREATS"), 20),
        ("job_group_en", b.block("JOB_GROUP_EN"), 90),
        ("link_shares", b.block("LINK_SHARES"), 50),
    ]
    for kind, block, count in negatives:
        for _ in range(count):
            text, got = _single(rng, block, set())
            add(text, got, kind)
    seen: set[str] = set()
    unique = []
    for row in out:  # short templates repeat: keep each text once
        if row["text"] not in seen:
            seen.add(str(row["text"]))
            unique.append(row)
    out = unique
    rng.shuffle(out)
    for i, row in enumerate(out):
        row["id"] = f"train:{i:05d}"
    return out


def write(path: Path = OUT, seed: int = SEED) -> int:
    """Write the training rows as JSON Lines; returns the row count."""
    data = rows(seed)
    with path.open("w", encoding="utf-8") as handle:
        for row in data:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(data)


if __name__ == "__main__":
    print(write())
