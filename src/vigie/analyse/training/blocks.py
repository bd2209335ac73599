"""Hand-written message blocks and slot values for the training set (see :mod:`generate`).

Positive blocks paraphrase the genre of messages quoted in French press investigations on
Telegram/Snapchat "menus", police-watch posts and recruitment ads, and of darknet listing titles;
negative blocks are ordinary French and English messages that share their vocabulary. Handles,
phone numbers and links are invented (phones use the 01 99 00 … range reserved for fiction).
"""

from __future__ import annotations

import random
from pathlib import Path

TEMPLATES_FILE = Path(__file__).with_name("templates.txt")

_BOLD = {chr(c): chr(0x1D400 + c - 0x41) for c in range(0x41, 0x5B)}
_BOLD.update({chr(c): chr(0x1D41A + c - 0x61) for c in range(0x61, 0x7B)})
_LEET = {"o": "0", "e": "3", "a": "4", "i": "1"}


def stylise_bold(text: str) -> str:
    """𝐌𝐄𝐍𝐔 style: mathematical bold letters."""
    return "".join(_BOLD.get(ch, ch) for ch in text)


def leet_keywords(text: str) -> str:
    """c0k3 style leetspeak on the inner letters of longer words."""
    words = []
    for word in text.split(" "):
        if len(word) >= 5 and word.isalpha():
            word = word[0] + "".join(_LEET.get(ch, ch) for ch in word[1:-1]) + word[-1]
        words.append(word)
    return " ".join(words)


def _load_templates(path: Path = TEMPLATES_FILE) -> dict[str, list[str]]:
    """Sections ``## NAME`` of one-line templates (``\\n`` stands for a line break)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.strip() and not line.startswith("#") and current is not None:
            current.append(line.strip().replace("\\n", "\n"))
    return sections


_TEMPLATES = _load_templates()
# (product id, name as written, emoji) used in menu lines
PRODUCTS_FR: list[tuple[str, str, str]] = [
    (pid, name, emoji)
    for pid, name, emoji in (line.split("|") for line in _TEMPLATES["menu_products"])
]


def slot(name: str, rng: random.Random) -> str:
    """A random value for ``{name}`` (section ``slot:<name>``; ``~`` stands for nothing)."""
    values = _TEMPLATES.get(f"slot:{name}")
    if not values:
        return name
    value = rng.choice(values)
    return "" if value == "~" else value


def block(name: str) -> list[str]:
    """The templates of section ``name``."""
    return _TEMPLATES[name]
