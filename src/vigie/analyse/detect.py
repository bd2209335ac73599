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
from typing import Any, cast

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
        if matrix.shape[0] == 0:
            return np.zeros((0, len(self.labels)), dtype=bool)
        columns = list(_NEGATION_INDICES)
        pulled = matrix[:, columns] @ self.weights[columns, :]
        z = matrix @ self.weights + self.bias - pulled
        without = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return np.greater_equal(without, self.thresholds) & np.less(pulled, 0.0)

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] for a (messages x features) matrix: one row per message."""
        if matrix.shape[0] == 0:
            return np.zeros((0, len(self.labels)))
        z = matrix @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


_FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}
_NEGATION_INDICES = tuple(i for i, name in enumerate(FEATURES) if name.startswith("negation:"))
_KIND = {name: "pattern" if name.startswith("pat:") else "lexicon" for name in FEATURES}
# feature name -> (column, cue kind), one lookup per span group
_SPAN_FEATURE = {name: (i, _KIND[name]) for i, name in enumerate(FEATURES)}
_CONJUNCTIONS = tuple(
    (i, name[4:].replace("_", "+")) for i, name in enumerate(FEATURES) if name.startswith("and:")
)
_CONJ_TERMS: dict[int, str] = dict(_CONJUNCTIONS)
_CONJ_INDICES = tuple(i for i, _ in _CONJUNCTIONS)
# one cache per label: rounded score -> the shared cue-less negative LabelScore
_NEGATIVE_CACHE: list[dict[float, LabelScore]] = [{} for _ in LABELS]
_CACHE_LIMIT = 10_001  # scores are rounded to 4 decimals: the cache stays bounded


def _plain(label_index: int, score: float) -> LabelScore:
    """A cue-less, negative LabelScore, shared: most labels of most messages are these."""
    cache = _NEGATIVE_CACHE[label_index]
    cached = cache.get(score)
    if cached is None:
        cached = LabelScore(LABELS[label_index], score, False)
        if len(cache) < _CACHE_LIMIT:
            cache[score] = cached
    return cached


def _cues(
    model: LinearModel,
    j: int,
    row: FeatureRow,
    norm: Normalised,
    column: Sequence[float] | None = None,
    rounded: Sequence[float] | None = None,
) -> tuple[Cue, ...]:
    """The strongest contributions to label ``j``: Cue objects only for the ones kept.

    ``column`` is label ``j``'s weights as plain floats and ``rounded`` the same rounded to 3
    decimals, as cues show them (``decide`` computes both once per batch).
    """
    if column is None:
        column = model.weights[:, j].tolist()
    if rounded is None:
        rounded = [round(weight, 3) for weight in column]
    values = row.values
    # (strength, start, end, term, kind, column): the weight is looked up when a Cue is made
    found: list[tuple[float, int, int, str, str, int]] = []
    seen: set[tuple[int, int, str]] = set()
    for name, spans in row.spans.items():
        known = _SPAN_FEATURE.get(name)
        if known is None:
            continue
        i, kind = known
        weight = column[i]
        if abs(weight * values[i]) < _MIN_CONTRIBUTION:
            continue
        strength = abs(weight)
        count = len(spans)
        for k in range(4 if count > 4 else count):  # the first four (no slice copied)
            span = spans[k]
            if span not in seen:  # one term can come from two lexicon files
                seen.add(span)
                start, end, term = span
                found.append((strength, start, end, term, kind, i))
    for i in _CONJ_INDICES:  # in column order
        value = values[i]
        if value:
            weight = column[i]
            if abs(weight * value) >= _MIN_CONTRIBUTION:
                found.append((abs(weight), -1, -1, _CONJ_TERMS[i], "feature", i))
    if len(found) > _MAX_CUES:
        found.sort(key=_strongest_first)
        del found[_MAX_CUES:]
    label = model.labels[j]
    plain = not norm.layers
    size = len(norm.text)
    # ordered by original span, ties in the order found (n): the tuples sort in C, no key calls
    placed: list[tuple[int, int, int, str, str, int]] = []
    for n, (_, start, end, term, kind, i) in enumerate(found):
        if start < 0:
            o_start = o_end = 0
        elif plain and start <= end <= size:
            o_start, o_end = start, end  # what Normalised.span gives without layers
        else:
            o_start, o_end = norm.span(start, end)
        placed.append((o_start, o_end, n, term, kind, i))
    if len(placed) > 1:
        placed.sort()  # (o_start, o_end, n) is unique: the rest is never compared
    return tuple(
        [Cue(label, term, start, end, kind, rounded[i]) for start, end, _, term, kind, i in placed]
    )


def _strongest_first(item: tuple[float, int, int, str, str, int]) -> float:
    return -item[0]


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
    flagged: list[bool] = np.any(decided_matrix | held, axis=1).tolist()
    decided: list[list[bool]] = decided_matrix.tolist()
    held_rows: list[list[bool]] = held.tolist()
    columns: list[list[float]] = model.weights.T.tolist()
    rounded: list[list[float]] = [[round(weight, 3) for weight in column] for column in columns]
    names = model.labels
    out: list[tuple[LabelScore, ...]] = []
    indices = range(len(names))
    caches = _NEGATIVE_CACHE
    cache_get = dict.get
    for m, message_scores in enumerate(np.round(scores, 4).tolist()):
        if not flagged[m]:
            shared: tuple[LabelScore | None, ...] = tuple(map(cache_get, caches, message_scores))
            if all(shared):  # all cached (the lookups run in C); LabelScores are always true
                out.append(cast("tuple[LabelScore, ...]", shared))
            else:
                out.append(tuple(map(_plain, indices, message_scores)))
            continue
        labels: list[LabelScore] = []
        decided_row = decided[m]
        held_row = held_rows[m]
        for j, score in enumerate(message_scores):
            if decided_row[j]:
                cues = _cues(model, j, rows[m], norms[m], columns[j], rounded[j])
                labels.append(LabelScore(names[j], score, True, cues))
            elif held_row[j]:  # context (news, prevention …) kept it below: show why
                cues = _cues(model, j, rows[m], norms[m], columns[j], rounded[j])
                labels.append(LabelScore(names[j], score, False, cues))
            else:
                cached = caches[j].get(score)
                labels.append(cached if cached is not None else _plain(j, score))
        out.append(tuple(labels))
    return out
