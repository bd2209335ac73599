"""``vigie analyse``, ``vigie eval`` and ``vigie train``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from vigie.cli.common import dumps, open_workspace, print_table, workspace_option
from vigie.errors import AnalysisError

MODEL_OPTION = click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Weights file written by `vigie train -o` (default: the shipped model).",
)


def make_analyser(model_path: Path | None) -> Any:
    from vigie.analyse.detect import LinearModel
    from vigie.analyse.pipeline import Analyser

    if model_path is None:
        return Analyser()
    try:
        return Analyser(model=LinearModel.load(model_path))
    except (OSError, ValueError, KeyError) as exc:
        raise AnalysisError(f"{model_path}: not a Vigie weights file ({exc})") from None


@click.command()
@workspace_option
@click.option("--text", help="Analyse this one text instead of the workspace.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@MODEL_OPTION
def analyse(
    workspace: Path | None, text: str | None, as_json: bool, quiet: bool, model_path: Path | None
) -> None:
    """Label, extract and score every message not yet analysed by the current version.

    With --text, analyse one message and print its labels, scores, cues and entities.
    """
    analyser = make_analyser(model_path)
    if text is not None:
        result = analyser.analyse_text(text)
        if as_json:
            click.echo(dumps(result))
        else:
            _print_one(result)
        return
    from vigie.analyse.run import analyse_workspace

    ws = open_workspace(workspace)
    show = not quiet and not as_json and sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            sys.stderr.write(f"\r\x1b[2Kanalysed {done:,}/{total:,} messages")
            sys.stderr.flush()

    counts = analyse_workspace(ws, analyser, progress=progress)
    if show:
        sys.stderr.write("\r\x1b[2K")
    data = counts.to_dict()
    if as_json:
        click.echo(dumps(data))
    else:
        click.echo(
            f"{data['messages_analysed']:,} message(s) analysed by {data['version']}: "
            f"{data['messages_labelled']:,} labelled, {data['entities']:,} entities "
            f"({data['already_analysed']:,} already analysed by this version)"
        )


def _print_one(result: dict[str, Any]) -> None:
    click.echo(f"risk {result.get('risk', 0):.2f}  ({result.get('version')})")
    scores: dict[str, float] = result.get("scores", {})
    cues: dict[str, list[dict[str, Any]]] = result.get("cues", {})
    for label in result.get("labels", []):
        terms = ", ".join(str(c.get("term")) for c in cues.get(label, [])[:8])
        click.echo(f"  {label:<18} {scores.get(label, 0):.2f}  {terms}")
    if not result.get("labels"):
        click.echo("  no label")
    for entity in result.get("entities", []):
        click.echo(f"  [{entity['type']}] {entity['value']}  «{entity['text']}»")


@click.command(name="eval")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@MODEL_OPTION
def evaluate(path: Path, as_json: bool, model_path: Path | None) -> None:
    """Precision, recall and F1 per label on a labelled JSON Lines file.

    Each line: {"text": ..., "labels": [...], "products": [...] (optional)}. Predictions use
    the text only; the gold labels are read for scoring.
    """
    from vigie.analyse.evaluate import evaluate_rows

    rows = _read_labelled(path)
    result = evaluate_rows(rows, make_analyser(model_path))
    if as_json:
        click.echo(dumps(result))
        return
    lines = [
        [label, m["precision"], m["recall"], m["f1"], m["support"], m["predicted"]]
        for label, m in result["labels"].items()
        if m["support"] or m["predicted"]
    ]
    click.echo(f"{path}: {result['n']} rows")
    print_table(["label", "precision", "recall", "f1", "support", "predicted"], lines)
    click.echo(f"micro F1 {result['micro_f1']:.3f}  macro F1 {result['macro_f1']:.3f}")
    if "products" in result:
        p = result["products"]
        click.echo(f"product accuracy {p['accuracy']:.3f} on {p['n']} rows")


def _read_labelled(path: Path) -> list[dict[str, Any]]:
    import json

    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise AnalysisError(f"{path}:line {number}: not JSON ({exc.args[0]})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise AnalysisError(
                    f'{path}:line {number}: expected an object with a "text" string'
                )
            rows.append(row)
    if not rows:
        raise AnalysisError(f"{path}: no rows to evaluate")
    return rows


@click.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the weights (default: replace the shipped model).",
)
def train(paths: tuple[Path, ...], output: Path | None) -> None:
    """Refit the detection weights on labelled JSON Lines files (text, labels)."""
    from vigie.analyse.train import train_files

    for path in paths:
        _read_labelled(path)  # clear errors before the long part
    try:
        model = train_files(list(paths), output)
    except ValueError as exc:
        raise AnalysisError(str(exc)) from None
    click.echo(dumps(getattr(model, "meta", {})))


COMMANDS = [analyse, evaluate, train]
