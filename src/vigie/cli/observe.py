"""``vigie prices``, ``vigie timeline``, ``vigie compare``: the market observatory."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from vigie.cli.common import dumps, open_workspace, print_rows, print_table, workspace_option
from vigie.errors import QueryError
from vigie.observe import (
    ActivityFilter,
    PriceFilter,
    activity_table,
    channel_spans,
    compare,
    hour_profile,
    price_table,
)

FORMATS = click.Choice(["table", "csv", "json"])
plot_option = click.option(
    "--plot", type=click.Path(path_type=Path, dir_okay=False), help="Also draw a PNG chart here."
)


@click.command()
@workspace_option
@click.option("--product", help="Product id (cannabis_resin, cocaine …).")
@click.option("--place", help="INSEE code, commune name or département code.")
@click.option(
    "--by", "period", type=click.Choice(["week", "month"]), default="month", show_default=True
)
@click.option("--since", help="From this date (inclusive).")
@click.option("--until", help="Before this date.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@plot_option
def prices(
    workspace: Path | None,
    product: str | None,
    place: str | None,
    period: str,
    since: str | None,
    until: str | None,
    fmt: str,
    plot: Path | None,
) -> None:
    """Price per gram (or unit) by product × place × period: median, quartiles, n, outliers."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        columns, rows = price_table(con, PriceFilter(product, place, period, since, until))
    print_rows(columns, rows, fmt)
    if plot:
        from vigie.observe.plots import plot_prices

        click.echo(f"wrote {plot_prices(columns, rows, plot)}", err=True)


@click.command()
@workspace_option
@click.option("--channel", help="Channel id, platform:id key or name.")
@click.option("--label", help="Only messages with this label.")
@click.option("--place", help="Channels of this place (INSEE code, name or département).")
@click.option(
    "--by", "bucket", type=click.Choice(["day", "week", "month"]), default="day", show_default=True
)
@click.option("--per-channel", is_flag=True, help="One row per channel too.")
@click.option(
    "--channels", "spans", is_flag=True, help="First/last seen and peak hour per channel instead."
)
@click.option(
    "--tz", default="Europe/Paris", show_default=True, help="Time zone for days and hours."
)
@click.option("--since", help="From this date (inclusive).")
@click.option("--until", help="Before this date.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@plot_option
def timeline(
    workspace: Path | None,
    channel: str | None,
    label: str | None,
    place: str | None,
    bucket: str,
    per_channel: bool,
    spans: bool,
    tz: str,
    since: str | None,
    until: str | None,
    fmt: str,
    plot: Path | None,
) -> None:
    """Messages per day/week/month and label; hour-of-day profile; first/last seen."""
    ws = open_workspace(workspace)
    flt = ActivityFilter(channel=channel, label=label, since=since, until=until, place=place, tz=tz)
    with ws.lake.connect() as con:
        if spans:
            data = channel_spans(con, flt)
            print_rows(
                list(data[0]) if data else ["channel"], [list(d.values()) for d in data], fmt
            )
            return
        columns, rows = activity_table(con, flt, bucket, per_channel)
        hours = hour_profile(con, flt)
    if fmt == "json":
        click.echo(
            dumps({"rows": [dict(zip(columns, r, strict=True)) for r in rows], "hours": hours})
        )
    else:
        print_rows(columns, rows, fmt)
        if fmt == "table":
            click.echo("\nhour  " + " ".join(f"{h:>4}" for h in range(24)))
            click.echo("msgs  " + " ".join(f"{n:>4}" for n in hours))
    if plot:
        from vigie.observe.plots import plot_timeline

        click.echo(f"wrote {plot_timeline(columns, rows, hours, plot)}", err=True)


def _window(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([dw]?)", text.strip())
    if not match:
        raise QueryError(f"--window {text!r}: use a number of days like 14d or weeks like 2w")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


@click.command("compare")
@workspace_option
@click.option("--date", "when", required=True, help="The date to compare around (YYYY-MM-DD).")
@click.option("--window", default="14d", show_default=True, help="Length of each side (14d, 2w).")
@click.option("--place", help="Channels of this place (INSEE code, name or département).")
@click.option("--tz", default="Europe/Paris", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@plot_option
def compare_command(
    workspace: Path | None,
    when: str,
    window: str,
    place: str | None,
    tz: str,
    fmt: str,
    plot: Path | None,
) -> None:
    """Before/after a date: volume per label, channels, opening hours, delivery, prices."""
    try:
        day = date.fromisoformat(when)
    except ValueError:
        raise QueryError(f"--date {when!r} is not a date (YYYY-MM-DD)") from None
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        result = compare(con, day, _window(window), place, tz)
    if fmt == "json":
        click.echo(dumps(result))
    else:
        click.echo(
            f"before {result['before'][0]}..{result['before'][1]}  after {result['after'][0]}..{result['after'][1]}"
        )
        rows = [["(all messages)", *_rr(result["messages"])]]
        rows += [[label, *_rr(v)] for label, v in result["labels"].items()]
        print_table(["label", "before", "after", "ratio", "95% CI"], rows)
        ch = result["channels"]
        click.echo(
            f"\nchannels active: {ch['active_before']} -> {ch['active_after']}; "
            f"new: {len(ch['new'])}; gone: {len(ch['gone'])}"
        )
        for side, v in result["delivery_vs_pickup"].items():
            click.echo(
                f"{side}: delivery {v['delivery']}, pickup {v['pickup']}, delivery share {v['delivery_share']}"
            )
        for name, v in result["prices"].items():
            b, a = v["before"] or {}, v["after"] or {}
            click.echo(
                f"{name}: median {b.get('median')} (n={b.get('n', 0)}) -> {a.get('median')} (n={a.get('n', 0)})"
            )
    if plot:
        from vigie.observe.plots import plot_compare

        click.echo(f"wrote {plot_compare(result, plot)}", err=True)


def _rr(v: dict[str, object]) -> list[object]:
    ci = v["ci95"]
    return [v["before"], v["after"], v["ratio"], f"{ci[0]}–{ci[1]}"]  # type: ignore[index]


COMMANDS = [prices, timeline, compare_command]
