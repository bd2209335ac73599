"""Payment means named in a message: cash, prepaid coupons, transfer apps, crypto.

``payment`` entities: value is a payment id (``cash``, ``pcs``, ``transcash``, ``paysafecard``,
``neosurf``, ``crypto``, ``btc``, ``usdt``, ``eth``, ``xmr``, ``lydia``, ``paypal``, ``transfer``,
``western_union``, ``moneygram``, ``revolut``, ``card``, ``gift_card``, ``cashapp``). Words that
are ordinary in other senses ("liquide", "CB", "WU", "main propre") count only near a payment
word ("paiement", "payer", "accepté", "pay" …).
"""

from __future__ import annotations

import re
from typing import Final

from vigie.analyse.extract.doc import Doc, PaymentHit
from vigie.model import Entity

__all__ = ["PAYMENTS", "find_payments"]

# payment id -> (terms that always count, terms that need a payment word nearby)
PAYMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cash": (("especes", "espece", "cash", "cash only"), ("liquide", "main propre", "en main propre")),
    "pcs": (("pcs", "pcs mastercard", "recharge pcs", "coupon pcs"), ()),
    "transcash": (("transcash",), ()),
    "paysafecard": (("paysafecard", "paysafe", "psc"), ()),
    "neosurf": (("neosurf",), ()),
    "crypto": (("crypto", "cryptos", "cryptomonnaie", "cryptomonnaies", "cryptocurrency"), ()),
    "btc": (("bitcoin", "bitcoins", "btc"), ()),
    "usdt": (("usdt", "tether", "trc20"), ()),
    "eth": (("ethereum", "eth"), ()),
    "xmr": (("monero", "xmr"), ()),
    "lydia": (("lydia",), ()),
    "paypal": (("paypal",), ()),
    "transfer": (("virement", "virements", "virement bancaire", "bank transfer", "wire transfer"),
                 ("iban", "rib")),
    "western_union": (("western union",), ("wu",)),
    "moneygram": (("moneygram", "money gram"), ()),
    "revolut": (("revolut",), ()),
    "card": (("carte bancaire",), ("cb", "carte bleue", "card")),
    "gift_card": (("carte cadeau", "gift card", "amazon gift card", "ticket premium", "toneo"), ()),
    "cashapp": (("cashapp", "cash app", "venmo", "zelle"), ()),
}  # fmt: skip
_PAYMENT_WORDS: Final = re.compile(
    r"\b(?:paiement|paiements|payer|paye|payez|pay|payment|regle\w*|accept\w*|uniquement|only)\b"
)
_WINDOW: Final = 60


def find_payments(doc: Doc) -> list[Entity]:
    """``payment`` entities of ``doc``, longest term first where terms overlap."""
    doc.scan_words()
    hits = doc.payment_hits or []
    if not hits:
        return []
    raw: list[PaymentHit] = sorted(hits, key=lambda item: (item[0], item[0] - item[1]))
    found = []
    reach = -1
    for start, end, payment, term, strong in raw:
        if start < reach:
            continue
        if not strong:
            lo, hi = max(0, start - _WINDOW), min(len(doc.spaced), end + _WINDOW)
            if not _PAYMENT_WORDS.search(doc.spaced, lo, hi):
                continue
        reach = end
        found.append(doc.entity("payment", payment, start, end, {"term": term}))
    return found
