"""Fit the detection model's weights: ``vigie train LABELLED.jsonl`` calls :func:`train_files`.

One L2-regularised logistic regression per label over the features of
:mod:`~vigie.analyse.features`, fitted by projected accelerated gradient descent (numpy only,
deterministic: no random initialisation, a fixed number of steps). Two kinds of prior knowledge
are kept as sign constraints, so that a small or skewed training set cannot unlearn them:

* a label's own lexicon and pattern features never count against it (``weapons`` hits cannot
  lower the ``weapons`` score);
* context cues (``negation:*``: news, prevention, legitimate jobs, restaurants, media) never
  raise any label, except that insults may go with threats.

The decision threshold of each label is the one that maximises F1 over 5-fold out-of-fold
predictions (folds by a hash of the row id), kept within [floor, 0.9] (``THRESHOLD_FLOOR``).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vigie.analyse.detect import MODEL_VERSION, LinearModel
from vigie.analyse.features import FEATURES
from vigie.model import LABELS

__all__ = ["TrainingSet", "default_training_files", "fit", "load_rows", "train_files"]

L2 = 0.002
# Lowest decision threshold per label. Sale needs a higher one: the training set is a third
# sales, real traffic far less, and one drug word in a conversation is not an offer.
THRESHOLD_FLOOR = {"sale": 0.5}
STEPS = 1500
FOLDS = 5

# label -> feature-name prefixes whose weight must stay >= 0 for that label
_OWN: dict[str, tuple[str, ...]] = {
    "sale": ("sale:", "product", "pat:price", "pat:quantity", "pat:dose", "pat:multiplier",
             "and:product", "and:quantity",
             "and:drug", "and:weakproduct", "struct:menu", "struct:products", "ent:offer",
             "ent:product"),
    "promotion": ("promotion", "pat:percent_off", "and:product_promotion"),
    "logistics": ("logistics", "pat:hours", "and:product_delivery", "ent:schedule"),
    "police_watch": ("police_watch", "and:police"),
    "recruitment": ("recruitment", "role", "pay", "pat:pay_per_day", "and:role", "and:recruit",
                    "ent:role", "ent:pay"),
    "minors": ("minors", "pat:age", "and:minors"),
    "violence": ("violence:", "pat:threat", "pat:you_will"),
    "weapons": ("weapons", "and:weapons"),
    "counterfeit": ("counterfeit", "and:counterfeit"),
    "laundering": ("laundering",),
    "supplies": ("supplies", "and:phone_supplies"),
    "channel_migration": ("channel_migration", "pat:telegram_link"),
    "testimonial": ("testimonial", "and:product_testimonial"),
    "payment": ("payment", "and:product_payment", "ent:payment"),
}  # fmt: skip


def default_training_files() -> list[Path]:
    """The training set shipped with the package (``training/*.jsonl``)."""
    folder = Path(__file__).with_name("training")
    return sorted(folder.glob("*.jsonl"))


@dataclass
class TrainingSet:
    ids: list[str]
    texts: list[str]
    targets: np.ndarray  # messages x labels, 0/1


def load_rows(paths: Iterable[Path]) -> TrainingSet:
    """Read JSON Lines rows with ``text`` and ``labels`` (unknown labels are ignored)."""
    ids: list[str] = []
    texts: list[str] = []
    targets: list[list[float]] = []
    index = {label: j for j, label in enumerate(LABELS)}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                target = [0.0] * len(LABELS)
                for label in row.get("labels") or []:
                    if label in index:
                        target[index[label]] = 1.0
                ids.append(str(row.get("id") or f"{Path(path).name}:{number}"))
                texts.append(str(row.get("text") or ""))
                targets.append(target)
    return TrainingSet(ids, texts, np.array(targets, dtype=np.float64).reshape(-1, len(LABELS)))


# label -> the only features it may use besides its own ones and the context cues. A small,
# synthetic training set would otherwise teach coincidences (quality claims -> testimonial).
_SHARED = ("negation:", "struct:length")
_ALLOWED: dict[str, tuple[str, ...] | None] = {
    "sale": (
        "pat:",
        "struct:",
        "ent:",
        "and:",
        "promotion",
        "logistics",
        "payment",
        "testimonial",
        "weapons",
        "counterfeit",
        "supplies",
        "recruitment",
        "role",
        "violence:",
        "laundering",
        "police_watch",
    ),
    "promotion": ("product", "sale:", "pat:price", "pat:quantity"),
    "logistics": ("product", "sale:", "police_watch:warning", "and:police_hours"),
    "police_watch": ("logistics:hours",),
    "recruitment": ("pat:price", "minors", "pat:age", "sale:offer", "product"),
    "minors": ("role", "recruitment", "pay", "pat:pay_per_day", "product", "sale:", "ent:role"),
    "violence": ("weapons:other", "police_watch", "pat:quantity", "pat:price"),
    "weapons": ("pat:price", "pat:quantity", "sale:offer", "sale:order", "product", "violence:"),
    "counterfeit": ("pat:price", "sale:offer", "sale:quality", "pat:quantity"),
    "laundering": ("payment", "pay", "pat:percent"),
    "supplies": ("pat:price", "sale:offer", "product", "pat:quantity"),
    "channel_migration": ("pat:link", "pat:handle", "pat:phone", "sale:order"),
    "testimonial": ("product", "sale:quality", "logistics"),
    "payment": ("pat:price", "sale:order"),
}


def _bounds(label: str) -> tuple[np.ndarray, np.ndarray]:
    lower = np.full(len(FEATURES), -np.inf)
    upper = np.full(len(FEATURES), np.inf)
    allowed = _ALLOWED[label]
    for i, name in enumerate(FEATURES):
        if allowed is not None and not name.startswith(_OWN[label] + allowed + _SHARED):
            lower[i] = upper[i] = 0.0
            continue
        if name.startswith(_OWN[label]):
            lower[i] = 0.0
        if name.startswith("negation:") and not (label == "violence" and name.endswith("insult")):
            upper[i] = 0.0
    return lower, upper


def _fit_one(
    matrix: np.ndarray, target: np.ndarray, label: str, l2: float = L2, steps: int = STEPS
) -> tuple[np.ndarray, float]:
    """Weights and bias of one label (balanced sample weights, projected FISTA)."""
    n, f = matrix.shape
    positives = float(target.sum())
    if positives == 0 or positives == n:
        return np.zeros(f), (-6.0 if positives == 0 else 6.0)
    sample = np.where(target > 0, min((n - positives) / positives, 3.0), 1.0)
    sample /= sample.sum()
    design = np.hstack([matrix, np.ones((n, 1))])
    lipschitz = 0.25 * float(np.linalg.norm(design * np.sqrt(sample)[:, None], 2)) ** 2 + l2
    step = 1.0 / lipschitz
    lower, upper = _bounds(label)
    lower, upper = np.append(lower, -np.inf), np.append(upper, np.inf)
    theta = np.zeros(f + 1)
    momentum = theta.copy()
    t = 1.0
    penalty = np.append(np.full(f, l2), 0.0)  # the bias is not regularised
    for _ in range(steps):
        z = design @ momentum
        prob = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        gradient = design.T @ (sample * (prob - target)) + penalty * momentum
        new = np.clip(momentum - step * gradient, lower, upper)
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t * t)) / 2.0
        momentum = new + ((t - 1.0) / t_next) * (new - theta)
        theta, t = new, t_next
    return theta[:f], float(theta[f])


def _fold(identifier: str) -> int:
    return zlib.crc32(identifier.encode("utf-8")) % FOLDS


def _best_threshold(scores: np.ndarray, target: np.ndarray, floor: float) -> float:
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(floor, 0.901, 0.01):
        predicted = scores >= threshold
        tp = float((predicted & (target > 0)).sum())
        f1 = 2 * tp / max(float(predicted.sum()) + float(target.sum()), 1.0)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(threshold), f1
    return round(best, 2)


def fit(matrix: np.ndarray, targets: np.ndarray, ids: Sequence[str]) -> LinearModel:
    """Fit every label on a feature matrix; thresholds from out-of-fold predictions."""
    model = LinearModel.zeros()
    folds = np.array([_fold(i) for i in ids])
    for j, label in enumerate(LABELS):
        target = targets[:, j]
        out_of_fold = np.zeros(len(target))
        for k in range(FOLDS):
            train, test = folds != k, folds == k
            if not test.any():
                continue
            weights, bias = _fit_one(matrix[train], target[train], label)
            out_of_fold[test] = 1.0 / (1.0 + np.exp(-(matrix[test] @ weights + bias)))
        weights, bias = _fit_one(matrix, target, label)
        model.weights[:, j] = weights
        model.bias[j] = bias
        floor = THRESHOLD_FLOOR.get(label, 0.3)
        model.thresholds[j] = _best_threshold(out_of_fold, target, floor) if target.any() else 0.99
    return model


def train_files(paths: Sequence[Path], output: Path | None = None) -> LinearModel:
    """Featurise the rows of ``paths``, fit, and write the weights (default: the shipped file)."""
    from vigie.analyse.detect import default_model_path
    from vigie.analyse.pipeline import Analyser

    data = load_rows(paths)
    if not data.texts:
        raise ValueError("E310 no training rows: give JSON Lines files with 'text' and 'labels'")
    analyser = Analyser(model=LinearModel.zeros())
    matrix, _, _, _ = analyser.featurise(data.texts, with_spans=False)
    model = fit(matrix, data.targets, data.ids)
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    model.version = MODEL_VERSION
    model.meta = {
        "rows": len(data.texts),
        "positives": {label: int(data.targets[:, j].sum()) for j, label in enumerate(LABELS)},
        "training_files": [Path(p).name for p in paths],
        "training_sha256": digest.hexdigest()[:16],
        "lexicon": analyser.lexicon.version,
        "extract": analyser.extract is not None,
        "l2": L2,
        "steps": STEPS,
    }
    model.save(output or default_model_path())
    return model


if __name__ == "__main__":
    import sys

    files = [Path(arg) for arg in sys.argv[1:]] or default_training_files()
    fitted = train_files(files)
    print(json.dumps(fitted.meta, indent=1))
