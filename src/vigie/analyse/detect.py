"""Detection: a linear model per label over :mod:`~vigie.analyse.features`, with its cues.

``score = sigmoid(bias + Σ weight·feature)``; the decision is ``score >= threshold``. Weights,
biases and thresholds ship in ``model/weights.json`` (written by :mod:`~vigie.analyse.train`),
keyed by feature name so that a lexicon or feature change never silently shifts columns. A
decided label lists its cues: every lexicon hit and pattern match whose feature pushed the score,
with its span mapped back to the original text, and the context cues (news, prevention …) that
pulled it down, with a negative weight. A label that context held below its threshold keeps its
cues too (decision False), so that an analyst sees why a seizure report is not an offer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np

from vigie.analyse.features import FEATURES, FeatureRow
from vigie.analyse.normalise import Normalised
from vigie.model import LABELS, Cue, LabelScore

__all__ = ["MODEL_VERSION", "LinearModel", "decide", "default_model_path"]

MODEL_VERSION = "detect.v1"
_MAX_CUES = 12
_MIN_CONTRIBUTION = 0.05


def default_model_path() -> Path:
    """The shipped weights file."""
    return Path(str(resources.files("vigie.analyse") / "model" / "weights.json"))


@dataclass
class LinearModel:
    """Per-label logistic regression: ``weights`` (features x labels), ``bias``, ``thresholds``."""

    weights: np.ndarray
    bias: np.ndarray
    thresholds: np.ndarray
    features: tuple[str, ...] = FEATURES
    labels: tuple[str, ...] = LABELS
    version: str = MODEL_VERSION
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def zeros(cls) -> LinearModel:
        """An untrained model (every score 0.5, threshold above it: nothing fires)."""
        n_labels = len(LABELS)
        return cls(
            np.zeros((len(FEATURES), n_labels), np.float64),
            np.zeros(n_labels, np.float64),
            np.full(n_labels, 0.99, np.float64),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> LinearModel:
        """Read a weights file; features or labels it does not know get weight 0."""
        path = path or default_model_path()
        data = json.loads(path.read_text(encoding="utf-8"))
        model = cls.zeros()
        index = {name: i for i, name in enumerate(FEATURES)}
        for j, label in enumerate(LABELS):
            entry = data["labels"].get(label)
            if entry is None:
                continue
            model.bias[j] = float(entry["bias"])
            model.thresholds[j] = float(entry["threshold"])
            for name, weight in entry["weights"].items():
                if name in index:
                    model.weights[index[name], j] = float(weight)
        model.version = str(data.get("version", MODEL_VERSION))
        model.meta = dict(data.get("meta", {}))
        return model

    def to_json(self) -> dict[str, Any]:
        """The weights file content: per label, bias, threshold and non-zero weights."""
        labels: dict[str, Any] = {}
        for j, label in enumerate(self.labels):
            weights = {
                name: round(float(self.weights[i, j]), 4)
                for i, name in enumerate(self.features)
                if abs(self.weights[i, j]) >= 1e-4
            }
            labels[label] = {
                "bias": round(float(self.bias[j]), 4),
                "threshold": round(float(self.thresholds[j]), 4),
                "weights": weights,
            }
        return {"version": self.version, "meta": self.meta, "labels": labels}

    def save(self, path: Path) -> None:
        """Write the weights file (stable key order, so diffs stay readable)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")

    def held_down(self, matrix: np.ndarray) -> np.ndarray:
        """Which labels context cues (``negation:*``) pushed below their threshold."""
        return self.scores_and_held(matrix)[1]

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] for a (messages x features) matrix: one row per message."""
        if matrix.shape[0] == 0:
            return np.zeros((0, len(self.labels)))
        return _sigmoid(matrix @ self.weights + self.bias)

    def scores_and_held(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`scores` and :meth:`held_down` together, the linear part computed once."""
        if matrix.shape[0] == 0:
            return np.zeros((0, len(self.labels))), np.zeros((0, len(self.labels)), dtype=bool)
        z = matrix @ self.weights + self.bias
        columns = list(_NEGATION_INDICES)
        pulled = matrix[:, columns] @ self.weights[columns, :]
        without = _sigmoid(z - pulled)
        held = np.greater_equal(without, self.thresholds) & np.less(pulled, 0.0)
        return _sigmoid(z), held


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


_NEGATION_INDICES = tuple(i for i, name in enumerate(FEATURES) if name.startswith("negation:"))
_KIND = {name: "pattern" if name.startswith("pat:") else "lexicon" for name in FEATURES}
# feature name -> (column, cue kind), one lookup per span group
_SPAN_FEATURE = {name: (i, _KIND[name]) for i, name in enumerate(FEATURES)}
_CONJUNCTIONS = tuple(
    (i, name[4:].replace("_", "+")) for i, name in enumerate(FEATURES) if name.startswith("and:")
)
_CONJ_TERMS: dict[int, str] = dict(_CONJUNCTIONS)
_CONJ_INDICES = tuple(i for i, _ in _CONJUNCTIONS)


# What a label's cues need of one feature with a non-zero weight: its column, cue kind (or
# term, for a conjunction), |weight| (the rank of its cues), the weight as cues show it (3
# decimals) and the weight itself
_Weighed = tuple[int, str, float, float, float]


class _CuePlan:
    """Label ``j``'s non-zero weights, looked up by span feature name and listed for the
    conjunctions (feature values are finite: a zero weight's contribution, 0, never reaches
    _MIN_CONTRIBUTION), computed once per batch by :func:`decide`."""

    __slots__ = ("conjunctions", "label", "spanned")

    def __init__(self, model: LinearModel, j: int) -> None:
        column: list[float] = model.weights[:, j].tolist()
        self.label: str = model.labels[j]
        self.spanned: dict[str, _Weighed] = {}
        for name, (i, kind) in _SPAN_FEATURE.items():
            weight = column[i]
            if weight != 0.0:
                self.spanned[name] = (i, kind, abs(weight), round(weight, 3), weight)
        self.conjunctions: tuple[_Weighed, ...] = tuple(
            [
                (i, _CONJ_TERMS[i], abs(column[i]), round(column[i], 3), column[i])
                for i in _CONJ_INDICES
                if column[i] != 0.0
            ]
        )


def _cues(
    model: LinearModel,
    j: int,
    row: FeatureRow,
    norm: Normalised,
    plan: _CuePlan | None = None,
) -> tuple[Cue, ...]:
    """The strongest contributions to label ``j``: Cue objects only for the ones kept
    (``plan``, label ``j``'s :class:`_CuePlan`, is computed when not given)."""
    if plan is None:
        plan = _CuePlan(model, j)
    spanned = plan.spanned
    values = row.values
    plain = not norm.layers
    size = len(norm.text)
    # (original start, original end, n, term, kind, shown weight, strength), n in the order
    # found; the original span is mapped at once (cheap, pure) so that one tuple serves both
    # sorts
    found: list[tuple[int, int, int, str, str, float, float]] = []
    seen: set[tuple[int, int, str]] = set()
    for name, spans in row.spans.items():
        known = spanned.get(name)
        if known is None:
            continue
        i, kind, strength, shown, weight = known
        if abs(weight * values[i]) < _MIN_CONTRIBUTION:
            continue
        count = len(spans)
        for k in range(4 if count > 4 else count):  # the first four (no slice copied)
            span = spans[k]
            if span not in seen:  # one term can come from two lexicon files
                seen.add(span)
                start, end, term = span
                if start < 0:
                    o_start = o_end = 0
                elif plain and start <= end <= size:
                    o_start, o_end = start, end  # what Normalised.span gives without layers
                else:
                    o_start, o_end = norm.span(start, end)
                found.append((o_start, o_end, len(found), term, kind, shown, strength))
    for i, term, strength, shown, weight in plan.conjunctions:  # in column order
        value = values[i]
        if value and abs(weight * value) >= _MIN_CONTRIBUTION:
            found.append((0, 0, len(found), term, "feature", shown, strength))
    if len(found) > _MAX_CUES:
        found.sort(key=_strongest_first)  # stable: ties stay in the order found
        # n: the rank in that order, as the tie-break of the sort by original span
        found = [
            (o_start, o_end, n, term, kind, shown, strength)
            for n, (o_start, o_end, _, term, kind, shown, strength) in enumerate(found[:_MAX_CUES])
        ]
    if len(found) > 1:
        found.sort()  # (o_start, o_end, n) is unique: the rest is never compared
    label = plan.label
    return tuple(
        [Cue(label, term, start, end, kind, shown) for start, end, _, term, kind, shown, _ in found]
    )


def _strongest_first(item: tuple[int, int, int, str, str, float, float]) -> float:
    return -item[6]


def decide(
    model: LinearModel,
    scores: np.ndarray,
    rows: Sequence[FeatureRow],
    norms: Sequence[Normalised],
    held: np.ndarray | None = None,
) -> list[tuple[LabelScore, ...]]:
    """Turn a (messages x labels) score matrix into LabelScores, with cues on decided labels.

    ``held`` (from :meth:`LinearModel.held_down`) marks labels that only context cues kept
    below their threshold; they get their cues too, with decision False.
    """
    decided_matrix: np.ndarray = np.greater_equal(scores, model.thresholds)
    if held is None:
        held = np.zeros(scores.shape, dtype=bool)
    rounded_scores: np.ndarray = np.round(scores, 4)
    if (
        scores.ndim != 2
        or scores.shape[1] != len(LABELS)
        or not ((rounded_scores >= 0.0) & (rounded_scores <= 1.0)).all()  # (False for NaN)
    ):
        raise ValueError(
            f"decide() takes scores of LinearModel.scores: (messages x {len(LABELS)}) values "
            f"in [0, 1]; got shape {scores.shape} with values outside [0, 1] or missing"
        )
    # The cue-less negative LabelScores, shared, gathered in numpy: a score rounded to 4
    # decimals is k / 10^4 with k = rint(score x 10^4) exactly (|error| << 0.5), so k indexes
    # the label's slot of the table.
    keys: np.ndarray = np.rint(rounded_scores * 10_000.0).astype(np.intp) + _TABLE_OFFSETS
    _fill_table(keys, rounded_scores)
    shared_rows: list[list[LabelScore]] = _TABLE[keys].tolist()
    # then the labels with cues, message by message (np.nonzero goes in row order)
    with_cues: np.ndarray = decided_matrix | held
    if with_cues.any():
        at_m, at_j = np.nonzero(with_cues)
        messages: list[int] = at_m.tolist()
        labels: list[int] = at_j.tolist()
        decisions: list[bool] = decided_matrix[at_m, at_j].tolist()
        label_scores: list[Any] = rounded_scores[at_m, at_j].tolist()  # boxed floats, kept so
        plans: dict[int, _CuePlan] = {}
        names = model.labels
        for p in range(len(messages)):
            m = messages[p]
            j = labels[p]
            plan = plans.get(j)
            if plan is None:
                plan = plans[j] = _CuePlan(model, j)
            cues = _cues(model, j, rows[m], norms[m], plan)
            shared_rows[m][j] = LabelScore(names[j], label_scores[p], decisions[p], cues)
    return [tuple(labels_of_message) for labels_of_message in shared_rows]


_TABLE_SIZE: Final = 10_001  # scores in [0, 1], rounded to 4 decimals
_TABLE_OFFSETS = np.arange(len(LABELS), dtype=np.intp) * _TABLE_SIZE
# label j, score k / 10^4 -> its cue-less negative LabelScore, shared (most labels of most
# messages are these), filled as scores come (_FILLED says which)
_TABLE = np.empty(len(LABELS) * _TABLE_SIZE, dtype=object)
_FILLED = np.zeros(len(LABELS) * _TABLE_SIZE, dtype=bool)


def _fill_table(keys: np.ndarray, rounded_scores: np.ndarray) -> None:
    """Put the LabelScores the ``keys`` need and the table lacks into it."""
    missing: np.ndarray = ~_FILLED[keys]
    if not missing.any():
        return
    at: list[int] = keys[missing].tolist()
    values: list[float] = rounded_scores[missing].tolist()
    for n in range(len(at)):
        key = at[n]
        if not _FILLED[key]:
            _TABLE[key] = LabelScore(LABELS[key // _TABLE_SIZE], values[n], False)
            _FILLED[key] = True
