"""The per-message loops of :class:`~vigie.analyse.pipeline.Analyser`, compiled with the stages.

Each function runs one stage over a whole batch (normalise, extract, match + features, results),
so the compiled automata of a stage stay in the CPU caches; keeping the loops here, in a module
mypyc compiles, spares the interpreter one round trip per message and stage.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

from vigie.analyse.extract.message import extract as _extract
from vigie.analyse.extract.message import extract_all
from vigie.analyse.features import FeatureRow, message_features, scanned_features
from vigie.analyse.matcher import Matcher
from vigie.analyse.normalise import Normalised, normalise
from vigie.analyse.risk import risk, undecided_risk
from vigie.model import Analysis, Entity, LabelScore

__all__ = ["analyses", "entities_of", "feature_rows", "matrix_entries", "normalise_all"]

ExtractFn = Callable[[str, Normalised], list[Entity]]


def normalise_all(texts: Sequence[object]) -> tuple[list[str], list[Normalised]]:
    """The texts (anything but a string counts as empty) and their normalised forms."""
    clean: list[str] = []
    norms: list[Normalised] = []
    for text in texts:
        value = text if isinstance(text, str) else ""
        clean.append(value)
        norms.append(normalise(value))
    return clean, norms


def entities_of(
    extract: ExtractFn | None, texts: list[str], norms: list[Normalised]
) -> list[list[Entity]]:
    """Each text's entities; a failing extractor costs that text its entities, not the batch."""
    if extract is _extract:  # the default extractor: stage by stage over the batch
        try:
            return extract_all(texts, norms)
        except Exception:  # one message failed: redone message by message below, to isolate it
            pass
    out: list[list[Entity]] = []
    if extract is None:
        for _ in texts:
            out.append([])
        return out
    for m, text in enumerate(texts):
        if not text:
            out.append([])
            continue
        try:
            found = extract(text, norms[m])
            out.append(found if type(found) is list else list(found))
        except Exception as error:  # one bad message must not stop a batch
            warnings.warn(
                f"E320 extraction failed on one message ({type(error).__name__}: {error}); "
                "its entities are left out",
                RuntimeWarning,
                stacklevel=2,
            )
            out.append([])
    return out


def feature_rows(
    matcher: Matcher,
    norms: list[Normalised],
    entities: list[list[Entity]],
    with_spans: bool,
    annotated: bool,
) -> list[FeatureRow]:
    """Each text's feature row; ``annotated`` when the matcher's hits carry
    :func:`~vigie.analyse.features.term_note` notes (the analyser's own matcher)."""
    rows: list[FeatureRow] = []
    if annotated:
        scans = [matcher.scan(norm.text) for norm in norms]  # one stage, then the next
        for m, norm in enumerate(norms):
            rows.append(scanned_features(norm.text, scans[m], entities[m], with_spans=with_spans))
    else:  # a matcher set by hand
        hits = [matcher.find(norm.text) for norm in norms]
        for m, norm in enumerate(norms):
            rows.append(message_features(norm.text, hits[m], entities[m], with_spans=with_spans))
    return rows


def matrix_entries(rows: list[FeatureRow], width: int) -> tuple[list[int], list[float]]:
    """The non-zero values of the rows and where they go in a flat (rows x width) matrix.

    A row has a few non-zero values among its ~100 (5 on average over the bench mix): numpy
    then converts those alone, instead of every float of every row."""
    at: list[int] = []
    values: list[float] = []
    base = 0
    for row in rows:
        if len(row.values) != width:
            raise ValueError(f"a feature row has {len(row.values)} values, not {width}")
        i = base
        for value in row.values:
            if value != 0.0:
                at.append(i)
                values.append(value)
            i += 1
        base += width
    return at, values


def analyses(
    labels: list[tuple[LabelScore, ...]],
    entities: list[list[Entity]],
    undecided: list[bool],
    tops: list[float],
) -> list[Analysis]:
    """One :class:`~vigie.model.Analysis` per message, with its risk (a message with no
    decided label has 0.2 x its top rounded score, see :func:`~vigie.analyse.risk.risk`)."""
    results: list[Analysis] = []
    for m, label_scores in enumerate(labels):
        found = tuple(entities[m])
        if undecided[m]:
            results.append(Analysis(label_scores, undecided_risk(tops[m]), (), found))
        else:
            value, reasons = risk(label_scores)
            results.append(Analysis(label_scores, value, reasons, found))
    return results
