"""Extraction: offers, products, places, contacts, crypto addresses, schedules, roles, pay and
payment means, each an :class:`~vigie.model.Entity` with its span in the original text.

:func:`extract` prepares the message once (:class:`~vigie.analyse.extract.doc.Doc`: folded and
word-spaced texts) and runs each extractor behind a cheap gate (digits for offers, pay and
postcodes; ``@``, ``/`` or a platform word for contacts; a 26-character token for crypto), so a
plain chat line costs a few automaton passes. Compiled resources (automata, the 35,000
communes) are built on first use, once per process.
"""

from __future__ import annotations

from vigie.analyse.extract.message import VERSION, extract
from vigie.analyse.extract.places import place_index
from vigie.analyse.extract.products import main_product, product_lexicon

__all__ = ["VERSION", "extract", "main_product", "warm_up"]


def warm_up() -> None:
    """Build the compiled resources now (product automaton, place index) rather than lazily."""
    product_lexicon()
    place_index()
