"""Plots for people who would rather look than read (matplotlib, Agg backend, PNG files)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: files only, safe in servers and CI
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_prices(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path) -> Path:
    """Median price per unit over time, one line per product × place, quartile band shaded."""
    idx = {c: i for i, c in enumerate(columns)}
    series: dict[str, list[tuple[Any, float, float, float]]] = defaultdict(list)
    units: set[str] = set()
    for r in rows:
        if r[idx["median"]] is None:
            continue
        name = (
            f"{r[idx['product']]} — {r[idx['place']]} (per {r[idx['unit']]}, {r[idx['currency']]})"
        )
        units.add(f"{r[idx['currency']]}/{r[idx['unit']]}")
        series[name].append((r[idx["period"]], r[idx["q1"]], r[idx["median"]], r[idx["q3"]]))
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for name, points in sorted(series.items()):
        points.sort()
        xs = [p[0] for p in points]
        line = ax.plot(xs, [p[2] for p in points], marker="o", label=name)[0]
        ax.fill_between(
            xs, [p[1] for p in points], [p[3] for p in points], alpha=0.15, color=line.get_color()
        )
    ax.set_title("Street prices: median with interquartile range")
    ax.set_xlabel("period")
    ax.set_ylabel(
        "price per unit (" + ", ".join(sorted(units)) + ")" if units else "price per unit"
    )
    ax.grid(alpha=0.3)
    if series:
        ax.legend(fontsize=8, loc="best")
    else:
        ax.text(0.5, 0.5, "no priced offers", ha="center", va="center", transform=ax.transAxes)
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_timeline(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], hours: Sequence[int], path: Path
) -> Path:
    """Messages per period by label (top) and the hour-of-day profile (bottom)."""
    idx = {c: i for i, c in enumerate(columns)}
    per_label: dict[str, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        per_label[r[idx["label"]]][r[idx["period"]]] += int(r[idx["messages"]])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), gridspec_kw={"height_ratios": [2, 1]})
    for label, counts in sorted(per_label.items()):
        xs = sorted(counts)
        top.plot(xs, [counts[x] for x in xs], marker=".", label=label)
    top.set_title("Activity: messages per period and label")
    top.set_xlabel("period (local time)")
    top.set_ylabel("messages")
    top.grid(alpha=0.3)
    if per_label:
        top.legend(fontsize=8, ncol=2)
    bottom.bar(range(24), hours, color="#4c72b0")
    bottom.set_title("Hour-of-day profile (opening hours as seen)")
    bottom.set_xlabel("hour (local time)")
    bottom.set_ylabel("messages")
    bottom.set_xticks(range(0, 24, 2))
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_compare(result: dict[str, Any], path: Path) -> Path:
    """Before/after bars per label with counts, and the two hour profiles."""
    labels = list(result["labels"])
    before = [result["labels"][x]["before"] for x in labels]
    after = [result["labels"][x]["after"] for x in labels]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    xs = range(len(labels))
    width = 0.4
    bars_b = top.bar(
        [x - width / 2 for x in xs], before, width, label=f"before {result['before'][0]}"
    )
    bars_a = top.bar([x + width / 2 for x in xs], after, width, label=f"after {result['after'][0]}")
    top.bar_label(bars_b, fontsize=7)
    top.bar_label(bars_a, fontsize=7)
    top.set_xticks(list(xs), labels, rotation=30, ha="right")
    top.set_ylabel("messages")
    where = f" — {result['place']}" if result.get("place") else ""
    top.set_title(f"Before/after {result['date']} ({result['window_days']} days each){where}")
    top.legend()
    bottom.plot(range(24), result["hours"]["before"], marker="o", label="before")
    bottom.plot(range(24), result["hours"]["after"], marker="o", label="after")
    bottom.set_xticks(range(0, 24, 2))
    bottom.set_xlabel(f"hour ({result['timezone']})")
    bottom.set_ylabel("messages")
    bottom.set_title("Hour-of-day profile")
    bottom.legend()
    bottom.grid(alpha=0.3)
    return _save(fig, path)
