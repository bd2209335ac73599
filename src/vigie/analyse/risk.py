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
    """``label score: up to three terms``, the terms of the heaviest positive cues first."""
    # the cues of positive weight, heaviest first, ties in cue order: what sorting all the cues
    # by -weight (stable) and skipping the others gives (cue weights are model weights: finite)
    positive: list[tuple[float, int, str]] = []
    for n, cue in enumerate(label_score.cues):
        weight = cue.weight
        if weight > 0:
            positive.append((-weight, n, cue.term))
    terms: list[str] = []
    if positive:
        if len(positive) > 1:
            positive.sort()  # (-weight, n) is unique: the terms are never compared
        for _, _, term in positive:
            if term not in terms:
                terms.append(term)
                if len(terms) == 3:
                    break
    score = label_score.score
    shown = _SCORE_TEXT.get(score)
    if shown is None:
        shown = f"{score:.2f}"
        if len(_SCORE_TEXT) < 20_000:  # scores are rounded to 4 decimals: few distinct
            _SCORE_TEXT[score] = shown
    if terms:
        return f"{label_score.label} {shown}: {', '.join(terms)}"
    return f"{label_score.label} {shown}"


_SCORE_TEXT: dict[float, str] = {}


def undecided_risk(top: float) -> float:
    """:func:`risk` of a message that has no decided label and ``top`` as its highest score."""
    return _round4(_NONE_SCALE * top)


def _round4(value: float) -> float:
    """``round(value, 4)``, remembered: Python rounds a float to 4 decimals through a decimal
    string (~150 ns), and the values here are few (scores have 4 decimals, tiers are fixed).
    Only positive values are kept: 0.0 and -0.0 are one dict key, not one result."""
    if value > 0.0:
        known = _ROUNDED.get(value)
        if known is not None:
            return known
        rounded = round(value, 4)
        if len(_ROUNDED) < 100_000:
            _ROUNDED[value] = rounded
        return rounded
    return round(value, 4)


_ROUNDED: dict[float, float] = {}


def risk(labels: Sequence[LabelScore]) -> tuple[float, tuple[str, ...]]:
    """The message's risk in [0, 1] and its reasons, highest tier first."""
    decided = [ls for ls in labels if ls.decision]
    if not decided:
        top = max((ls.score for ls in labels), default=0.0)
        return _round4(_NONE_SCALE * top), ()
    if len(decided) == 1:  # most flagged messages: nothing to rank, one tier-1 label at most
        only = decided[0]
        low, high = TIERS.get(only.label, _OTHER)
        return _round4(min(low + (high - low) * only.score, 1.0)), (_reason(only),)
    # (-value, priority, n): what the stable sort by (-value, priority) gives, in C
    ranked: list[tuple[float, int, int]] = []
    values: list[float] = []
    tier_one = 0
    for n, ls in enumerate(decided):
        low, high = TIERS.get(ls.label, _OTHER)
        value = low + (high - low) * ls.score
        values.append(value)
        ranked.append((-value, _PRIORITY.get(ls.label, len(_PRIORITY)), n))
        if low >= 0.70:
            tier_one += 1
    ranked.sort()
    value = values[ranked[0][2]]
    if tier_one > 1:
        value += 0.05 * (tier_one - 1)
    return _round4(min(value, 1.0)), tuple([_reason(decided[n]) for _, _, n in ranked])
