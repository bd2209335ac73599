"""The analysis stage: normalise, match, extract, detect and score a batch of texts.

:class:`Analyser` holds the compiled lexicon matcher and the detection model, built once from the
package data; it pickles (the automaton is rebuilt on unpickling) so that process pools and Spark
can ship it. ``Analyser()(texts)`` is pure and order-preserving; ``analyse_text`` gives the
JSON-able dict the CLI prints.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from vigie.analyse.batch import (
    ExtractFn,
    analyses,
    entities_of,
    feature_rows,
    matrix_entries,
    normalise_all,
)
from vigie.analyse.detect import LinearModel, decide, default_model_path
from vigie.analyse.extract import extract
from vigie.analyse.features import FEATURES, FeatureRow, term_note
from vigie.analyse.lexicon import Lexicon, load_lexicon
from vigie.analyse.matcher import Matcher
from vigie.analyse.normalise import Normalised
from vigie.model import Analysis, Entity

__all__ = ["Analyser", "ExtractFn", "default_extract"]


def default_extract() -> ExtractFn:
    """The extraction stage's ``extract(text, norm)`` (the analyser runs it batch-wise)."""
    return extract


class Analyser:
    """Normalise -> lexicon match -> extract -> features -> linear model -> risk, per batch."""

    name = "analyse"

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        model: LinearModel | None = None,
        extract: ExtractFn | bool | None = True,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        if model is None:
            path = default_model_path()
            model = LinearModel.load(path) if path.exists() else LinearModel.zeros()
        self.model = model
        self.extract: ExtractFn | None
        if extract is True:
            self.extract = default_extract()
        elif extract is False or extract is None:
            self.extract = None
        else:
            self.extract = extract
        self.matcher = Matcher(self.lexicon.terms, term_note)

    @property
    def version(self) -> str:
        """Model, lexicon and extraction versions, stored with every result.

        ``detect.v1+lex.1a2b3c4d+extract.v1``; the last part is missing without extraction.
        """
        version = f"{self.model.version}+{self.lexicon.version}"
        extract_version = getattr(
            sys.modules.get(getattr(self.extract, "__module__", "")), "VERSION", None
        )
        return f"{version}+{extract_version}" if extract_version else version

    def __getstate__(self) -> dict[str, Any]:
        return {"lexicon": self.lexicon, "model": self.model, "extract": self.extract}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.lexicon = state["lexicon"]
        self.model = state["model"]
        self.extract = state["extract"]
        self.matcher = Matcher(self.lexicon.terms, term_note)

    def featurise(
        self, texts: Sequence[str], *, with_spans: bool = True
    ) -> tuple[np.ndarray, list[FeatureRow], list[Normalised], list[list[Entity]]]:
        """Feature matrix, rows (with spans), normalised texts and entities of a batch.

        Each stage runs over the whole batch before the next one (normalise, extract, match,
        features): the compiled automata of one stage stay in the CPU caches, which makes the
        batch markedly faster than running every stage message by message.
        """
        clean, norms = normalise_all(texts)
        entities = entities_of(self.extract, clean, norms)
        annotated = getattr(self.matcher, "annotate", None) is term_note
        rows = feature_rows(self.matcher, norms, entities, with_spans, annotated)
        width = len(FEATURES)
        matrix = np.zeros(len(rows) * width, dtype=np.float64)
        at, values = matrix_entries(rows, width)
        if at:
            matrix[np.array(at, dtype=np.intp)] = np.array(values, dtype=np.float64)
        return matrix.reshape(len(rows), width), rows, norms, entities

    def __call__(self, texts: Sequence[str]) -> list[Analysis]:
        """One :class:`~vigie.model.Analysis` per text, in order; an empty batch gives []."""
        if len(texts) == 0:
            return []
        # A batch allocates many short-lived, acyclic objects (hits, spans, entities): the
        # cyclic collector would rescan the large compiled resources again and again for
        # nothing, so it is paused for the batch (reference counting still frees everything).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._analyse(texts)
        finally:
            if was_enabled:
                gc.enable()

    def _analyse(self, texts: Sequence[str]) -> list[Analysis]:
        matrix, rows, norms, entities = self.featurise(texts)
        scores, held = self.model.scores_and_held(matrix)
        labels = decide(self.model, scores, rows, norms, held)
        # risk() of a message with no decided label is 0.2 x its top (rounded) score
        undecided: list[bool] = (~np.any(scores >= self.model.thresholds, axis=1)).tolist()
        tops: list[float] = np.round(scores, 4).max(axis=1).tolist()
        return analyses(labels, entities, undecided, tops)

    def analyse_text(self, text: str) -> dict[str, Any]:
        """Labels, scores, cues, risk and entities of one text, as a JSON-able dict."""
        analysis = self([text])[0]
        return analysis_to_dict(analysis, self.version)


def analysis_to_dict(analysis: Analysis, version: str) -> dict[str, Any]:
    """A JSON-able view of an :class:`~vigie.model.Analysis` (entities' attrs decoded)."""
    entities = []
    for entity in analysis.entities:
        item = asdict(entity)
        if entity.attrs:
            with contextlib.suppress(ValueError):
                item["attrs"] = json.loads(entity.attrs)
        entities.append(item)
    return {
        "version": version,
        "labels": analysis.positive(),
        "scores": {ls.label: ls.score for ls in analysis.labels},
        "cues": {
            ls.label: [
                {
                    "term": cue.term,
                    "start": cue.start,
                    "end": cue.end,
                    "kind": cue.kind,
                    "weight": cue.weight,
                }
                for cue in ls.cues
            ]
            for ls in analysis.labels
            if ls.cues
        },
        "risk": analysis.risk,
        "risk_reasons": list(analysis.risk_reasons),
        "entities": entities,
    }
