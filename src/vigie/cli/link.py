"""``vigie link``, ``vigie graph export|show``, ``vigie channels``, ``vigie clusters``."""

from __future__ import annotations

from pathlib import Path

import click

from vigie.cli.common import dumps, open_workspace, print_rows, print_table, workspace_option
from vigie.link import (
    FORMATS,
    LinkOptions,
    export_graph,
    link_workspace,
    list_channels,
    list_clusters,
    list_successors,
    neighbours,
)


@click.command()
@workspace_option
@click.option(
    "--threshold",
    default=LinkOptions.threshold,
    show_default=True,
    type=click.FloatRange(0.05, 0.95),
    help="Jaccard similarity above which two ad copies are one cluster.",
)
@click.option(
    "--num-perm", default=LinkOptions.num_perm, show_default=True, type=click.IntRange(8, 512)
)
@click.option("--no-clusters", is_flag=True, help="Skip near-duplicate ad clusters.")
@click.option("--no-communities", is_flag=True, help="Skip community detection.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def link(
    workspace: Path | None,
    threshold: float,
    num_perm: int,
    no_clusters: bool,
    no_communities: bool,
    as_json: bool,
) -> None:
    """Build the entity graph, ad-copy clusters, successor channels and communities.

    Uses the latest analysis (run `vigie analyse` first for identifiers and labels); each run
    is stored whole and the commands below read the latest one.
    """
    ws = open_workspace(workspace)
    options = LinkOptions(
        threshold=threshold,
        num_perm=num_perm,
        clusters=not no_clusters,
        communities=not no_communities,
    )
    counts = link_workspace(ws, options)
    if as_json:
        click.echo(dumps(counts.to_dict()))
        return
    click.echo(
        f"{counts.messages:,} messages -> {counts.nodes:,} nodes, {counts.edges:,} edges, "
        f"{counts.clusters:,} ad-copy clusters, {counts.successors:,} successor links, "
        f"{counts.communities:,} communities (run {counts.run_id})"
    )
    if counts.analysis_version is None:
        click.echo("note: the workspace is not analysed; identifiers and labels were not used")


@click.group()
def graph() -> None:
    """The entity graph of the latest `vigie link` run."""


@graph.command("export")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="gexf", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
def graph_export(workspace: Path | None, fmt: str, output: Path) -> None:
    """Write the graph for Gephi (GEXF, GraphML, or edges + nodes CSV)."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        written = export_graph(con, fmt, output)
    for path in written:
        click.echo(f"wrote {path}")


@graph.command("show")
@click.argument("entity")
@workspace_option
@click.option("--evidence", default=2, show_default=True, type=click.IntRange(0, 20))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def graph_show(workspace: Path | None, entity: str, evidence: int, as_json: bool) -> None:
    """Neighbours of ENTITY (node id, channel name, phone, handle …) with their evidence."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        node, rows = neighbours(con, entity, evidence_limit=evidence)
    if as_json:
        click.echo(dumps({"node": node, "neighbours": [r.__dict__ for r in rows]}))
        return
    click.echo(f"{node}: {len(rows)} neighbour(s)")
    for r in rows:
        arrow = "->" if r.direction == "out" else "<-"
        span = ""
        if r.first_seen:
            span = f" {r.first_seen:%Y-%m-%d}..{r.last_seen:%Y-%m-%d}" if r.last_seen else ""
        click.echo(f"  {arrow} {r.kind:<17} {r.node_id} ({r.label or ''}) x{r.count}{span}")
        for ev in r.evidence:
            if "msg_key" in ev:
                click.echo(f"       {ev['msg_key']} {ev['date']:%Y-%m-%d %H:%M} {ev['text']}")
            else:
                click.echo(f"       {ev['identifier']}")


@click.command()
@workspace_option
@click.option("--successors", is_flag=True, help="List successor links (backup-channel trail).")
@click.option("--min-confidence", default=0.0, type=click.FloatRange(0, 1), show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def channels(workspace: Path | None, successors: bool, min_confidence: float, fmt: str) -> None:
    """Channels of the latest link run; with --successors, which channel took over which."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        rows = list_successors(con, min_confidence) if successors else list_channels(con)
    if fmt == "json":
        if successors:
            keep = ("channel", "successor_of", "confidence", "evidence", "rules")
            rows = [{k: r[k] for k in keep} for r in rows]
        click.echo(dumps(rows))
        return
    if successors:
        columns = [
            "channel",
            "channel_name",
            "successor_of",
            "successor_of_name",
            "confidence",
            "rules",
            "evidence",
        ]
        data = [
            [*(r[c] for c in columns[:5]), ",".join(r["rules"]), " ".join(r["evidence"])]
            for r in rows
        ]
    else:
        columns = list(rows[0]) if rows else ["channel"]
        data = [list(r.values()) for r in rows]
    if fmt == "csv":
        print_rows(columns, data, "csv")
    else:
        print_table(columns, data)


@click.command()
@workspace_option
@click.option("--min-channels", default=2, show_default=True, type=click.IntRange(1))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def clusters(workspace: Path | None, min_channels: int, fmt: str) -> None:
    """Near-duplicate ad copy shared by several channels (same operator)."""
    ws = open_workspace(workspace)
    with ws.lake.connect() as con:
        rows = list_clusters(con, min_channels)
    if fmt == "json":
        click.echo(dumps(rows))
        return
    print_table(
        ["cluster", "channels", "messages", "first", "last", "channel keys"],
        [
            [
                r["cluster"],
                r["channels"],
                r["messages"],
                r["first_seen"],
                r["last_seen"],
                " ".join(r["channel_keys"]),
            ]
            for r in rows
        ],
    )


COMMANDS = [link, graph, channels, clusters]
