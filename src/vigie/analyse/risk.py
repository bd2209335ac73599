"""Risk score of a message for the review queue, with its reasons.

The queue must show violence, minors and weapons first, then recruitment, then sale, then the
rest. Each decided label maps its score into its tier's band, and the message takes the highest:

=======================================  ============
tier                                     risk band
=======================================  ============
violence, minors, weapons                0.70 – 1.00
recruitment                              0.55 – 0.70
sale                                     0.40 – 0.55
other trafficking labels                 0.20 – 0.40
nothing decided                          0.00 – 0.20 (0.2 x the highest score)
=======================================  ============

so any decided tier-1 label outranks any recruitment post, and so on. Two tier-1 labels together
(a minor in a violent video) add 0.05 per extra label, capped at 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from vigie.model import LabelScore

__all__ = ["TIERS", "risk", "undecided_risk"]

TIERS: dict[str, tuple[float, float]] = {
    "violence": (0.70, 1.00),
    "minors": (0.70, 1.00),
    "weapons": (0.70, 1.00),
    "recruitment": (0.55, 0.70),
    "sale": (0.40, 0.55),
}
_OTHER = (0.20, 0.40)
_PRIORITY = {label: i for i, label in enumerate(TIERS)}  # ties: violence, minors, weapons …
_NONE_SCALE = 0.20


def _reason(label_score: LabelScore) -> str:
    terms: list[str] = []
    for cue in sorted(label_score.cues, key=lambda c: -c.weight):
        if cue.weight > 0 and cue.term not in terms:
            terms.append(cue.term)
        if len(terms) == 3:
            break
    because = f": {', '.join(terms)}" if terms else ""
    return f"{label_score.label} {label_score.score:.2f}{because}"


def undecided_risk(top: float) -> float:
    """:func:`risk` of a message that has no decided label and ``top`` as its highest score."""
    return round(_NONE_SCALE * top, 4)


def risk(labels: Sequence[LabelScore]) -> tuple[float, tuple[str, ...]]:
    """The message's risk in [0, 1] and its reasons, highest tier first."""
    decided = [ls for ls in labels if ls.decision]
    if not decided:
        top = max((ls.score for ls in labels), default=0.0)
        return round(_NONE_SCALE * top, 4), ()
    ranked: list[tuple[float, LabelScore]] = []
    for ls in decided:
        low, high = TIERS.get(ls.label, _OTHER)
        ranked.append((low + (high - low) * ls.score, ls))
    ranked.sort(key=lambda item: (-item[0], _PRIORITY.get(item[1].label, len(_PRIORITY))))
    value = ranked[0][0]
    tier_one = sum(1 for ls in decided if TIERS.get(ls.label, _OTHER)[0] >= 0.70)
    if tier_one > 1:
        value += 0.05 * (tier_one - 1)
    return round(min(value, 1.0), 4), tuple(_reason(ls) for _, ls in ranked)
