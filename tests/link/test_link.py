"""Link stage on constructed channels: one case per successor rule, the journalist guard,
entity resolution, ad-copy clusters, the graph exports and the CLI."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from tests.helpers import vigie
from tests.link.builders import Msg, build_workspace
from tests.link.scenarios import CHANNELS, MENU_B, menu_a, menu_e, menu_e_copy, scenario
from vigie.errors import QueryError
from vigie.link import (
    LinkOptions,
    MinHasher,
    export_graph,
    link_workspace,
    list_successors,
    neighbours,
    normalise_copy,
    resolution_key,
)
from vigie.link.clusters import connected_components
from vigie.link.minhash import jaccard_estimate, optimal_bands
from vigie.link.resolve import RESOLUTION_KEY_SQL, channel_resolution_keys
from vigie.store.workspace import Workspace


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = build_workspace(tmp_path_factory.mktemp("link") / "ws", scenario(), CHANNELS)
    link_workspace(ws)
    return ws


def successors_of(ws: Workspace) -> dict[tuple[str, str], dict[str, object]]:
    with ws.lake.connect() as con:
        return {(s["channel"], s["successor_of"]): s for s in list_successors(con)}


@pytest.mark.parametrize(
    ("successor", "predecessor", "rule", "evidence"),
    [
        ("1002", "1001", "announced", ["telegram:1001:100"]),
        ("1004", "1003", "identifier_reuse", ["telegram:1003:19", "telegram:1004:0"]),
        ("1006", "1005", "copied_ads", ["telegram:1005:14", "telegram:1006:0"]),
    ],
)
def test_successor_found_by_each_rule(
    linked: Workspace, successor: str, predecessor: str, rule: str, evidence: list[str]
) -> None:
    found = successors_of(linked)
    link = found[(f"channel:telegram:{successor}", f"channel:telegram:{predecessor}")]
    assert link["rules"] == [rule]
    assert link["evidence"] == evidence
    assert 0.5 <= float(link["confidence"]) <= 0.99  # type: ignore[arg-type]


def test_only_the_constructed_successors_are_found(linked: Workspace) -> None:
    assert set(successors_of(linked)) == {
        ("channel:telegram:1002", "channel:telegram:1001"),
        ("channel:telegram:1004", "channel:telegram:1003"),
        ("channel:telegram:1006", "channel:telegram:1005"),
    }


def test_journalist_quoting_channels_creates_no_successor(linked: Workspace) -> None:
    involved = {node for pair in successors_of(linked) for node in pair}
    assert "channel:telegram:2001" not in involved
    # the journalist's mention still resolves to the channel in the graph (it is a fact)
    with linked.lake.connect() as con:
        node, rows = neighbours(con, "Actu Marseille")
    assert node == "channel:telegram:2001"
    assert ("mentions", "channel:telegram:1002") in {(r.kind, r.node_id) for r in rows}


def test_concurrent_channels_sharing_a_phone_are_related_not_successors(linked: Workspace) -> None:
    with linked.lake.connect() as con:
        _, rows = neighbours(con, "channel:telegram:1007")
    shared = [
        r for r in rows if r.kind == "shares_identifier" and r.node_id == "channel:telegram:1001"
    ]
    assert shared and shared[0].evidence == [{"identifier": "phone:+33612345678"}]
    assert ("channel:telegram:1007", "channel:telegram:1001") not in successors_of(linked)


def test_announced_channel_not_collected_becomes_a_handle_successor(tmp_path: Path) -> None:
    msgs = [
        Msg("1", str(i), f"2024-03-{i + 1:02d}T10:00:00", menu_a(i), ("sale",)) for i in range(5)
    ]
    msgs.append(
        Msg("1", "50", "2024-03-06T10:00:00", "Nouveau canal de secours ➡️ @plug_backup13 ⬅️",
            ("channel_migration",), (("handle", "telegram:@Plug_Backup13", None),))
    )  # fmt: skip
    ws = build_workspace(tmp_path / "ws", msgs, {"1": ("Plug", None)})
    link_workspace(ws)
    assert list(successors_of(ws)) == [("handle:telegram:@plug_backup13", "channel:telegram:1")]


@pytest.mark.parametrize(
    ("etype", "value", "key"),
    [
        ("url", "https://t.me/menu13_secours", "telegram:@menu13_secours"),
        ("url", "t.me/Menu13_Secours/45", "telegram:@menu13_secours"),
        ("url", "https://t.me/+AbCdEf123456", "telegram:+AbCdEf123456"),
        ("url", "https://t.me/joinchat/AbCdEf123456", "telegram:+AbCdEf123456"),
        ("url", "https://www.snapchat.com/add/Plug.13", "snapchat:plug.13"),
        ("url", "https://wa.me/33612345678", "whatsapp:+33612345678"),
        ("url", "https://example.org/menu", None),
        ("handle", "telegram:@Menu13", "telegram:@menu13"),
        ("handle", "snapchat:Plug13", "snapchat:plug13"),
        ("handle", "whatsapp:+33612345678", "whatsapp:+33612345678"),
        ("phone", "+33612345678", None),
    ],
)
def test_resolution_key_python_and_sql_agree(etype: str, value: str, key: str | None) -> None:
    import duckdb

    assert resolution_key(etype, value) == key
    with duckdb.connect() as con:
        sql = f"SELECT {RESOLUTION_KEY_SQL} FROM (SELECT ? AS type, ? AS value)"
        assert con.execute(sql, [etype, value]).fetchall() == [(key,)]


def test_channel_keys_come_from_metadata_not_names() -> None:
    keys = channel_resolution_keys(
        "telegram", "1002", "Menu13 Secours", '{"username": "menu13_secours"}'
    )
    assert keys == [("telegram:@menu13_secours", 1.0)]
    assert channel_resolution_keys("telegram", "12345", "Menu 13", None) == []


@pytest.mark.parametrize(
    ("left", "right", "similar"),
    [
        (menu_e(60), menu_e_copy(70), True),  # copied menu, prices changed, a line dropped
        (menu_a(1), menu_a(2), True),
        (menu_a(1), MENU_B, False),
        (menu_e(60), MENU_B, False),
    ],
)
def test_minhash_estimates_similarity_of_ad_copy(left: str, right: str, similar: bool) -> None:
    hasher = MinHasher(num_perm=128)
    sig = hasher.signatures([normalise_copy(left), normalise_copy(right)])
    estimate = float(jaccard_estimate(sig[:1], sig[1:])[0])
    assert (estimate >= LinkOptions.threshold) is similar


def test_minhash_is_deterministic_and_picklable() -> None:
    hasher = MinHasher()
    docs = [normalise_copy(menu_a(3)), normalise_copy(MENU_B)]
    clone = pickle.loads(pickle.dumps(hasher))
    assert np.array_equal(hasher.signatures(docs), clone.signatures(docs))
    assert hasher.signatures([]).shape == (0, hasher.num_perm)


def test_stylised_unicode_and_numbers_are_normalised() -> None:
    assert normalise_copy("𝐌𝐄𝐍𝐔 Amnésia 10g = 80€") == normalise_copy("menu AMNESIA 25g = 190€")


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_optimal_bands_put_the_s_curve_near_the_threshold(threshold: float) -> None:
    bands, rows = optimal_bands(threshold, 64)
    assert bands * rows <= 64
    assert abs((1 / bands) ** (1 / rows) - threshold) < 0.15


def test_connected_components_take_the_smallest_node_as_root() -> None:
    left = np.array([5, 7, 20, 30], np.uint64)
    right = np.array([7, 9, 21, 20], np.uint64)
    nodes, roots = connected_components(left, right)
    assert dict(zip(nodes.tolist(), roots.tolist(), strict=True)) == {
        5: 5, 7: 5, 9: 5, 20: 20, 21: 20, 30: 20,
    }  # fmt: skip


def test_copied_menu_links_two_channels_in_one_cluster(linked: Workspace) -> None:
    with linked.lake.connect() as con:
        rows = con.execute(
            """SELECT cluster_id, list(DISTINCT channel_key ORDER BY channel_key) FROM ad_clusters
               GROUP BY 1 HAVING count(DISTINCT channel_key) > 1"""
        ).fetchall()
    assert [r[1] for r in rows] == [["telegram:1005", "telegram:1006"]]


def test_handle_and_link_to_a_channel_resolve_to_the_channel_node(linked: Workspace) -> None:
    with linked.lake.connect() as con:
        kinds = dict(con.execute("SELECT node_id, kind FROM graph_nodes").fetchall())
    assert "handle:telegram:@menu13_secours" not in kinds
    assert "url:https://t.me/menu13_secours" not in kinds
    assert kinds["phone:+33612345678"] == "phone"
    assert kinds["place:13055"] == "place"


def test_communities_group_an_operator_and_leave_places_out(linked: Workspace) -> None:
    with linked.lake.connect() as con:
        community = dict(con.execute("SELECT node_id, community FROM graph_nodes").fetchall())
    assert community["channel:telegram:1003"] == community["channel:telegram:1004"]
    assert community["place:13055"] is None


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_graph_export_opens_as_a_graph(linked: Workspace, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"g.{fmt}"
    with linked.lake.connect() as con:
        export_graph(con, fmt, path)
        n_nodes = con.execute("SELECT count(*) FROM graph_nodes").fetchall()[0][0]
    graph = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert graph.number_of_nodes() == n_nodes
    assert graph.nodes["channel:telegram:1001"]["label"] == "Menu 13"


def test_graph_export_csv_writes_gephi_tables(linked: Workspace, tmp_path: Path) -> None:
    with linked.lake.connect() as con:
        written = export_graph(con, "csv", tmp_path / "edges.csv")
    assert [p.name for p in written] == ["edges.csv", "edges.nodes.csv"]
    assert written[0].read_text().startswith("Source,Target,Type,Weight,Label")
    assert written[1].read_text().startswith("Id,Label,kind")


def test_graph_show_unknown_entity_is_a_clear_error(linked: Workspace) -> None:
    with linked.lake.connect() as con, pytest.raises(QueryError, match="no entity"):
        neighbours(con, "nobody-here")


def test_reading_before_any_link_run_says_what_to_do(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path / "ws", scenario()[:3], CHANNELS)
    with ws.lake.connect() as con, pytest.raises(QueryError, match="vigie link"):
        list_successors(con)


def test_empty_workspace_links_to_an_empty_graph(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    counts = link_workspace(ws)
    assert (counts.nodes, counts.edges, counts.successors) == (0, 0, 0)


def test_cli_channels_successors_json(linked: Workspace) -> None:
    proc = vigie("channels", "--successors", "--format", "json", "-w", str(linked.root), check=True)
    data = json.loads(proc.stdout)
    assert data[0] == {
        "channel": "channel:telegram:1002",
        "successor_of": "channel:telegram:1001",
        "confidence": 0.95,
        "evidence": ["telegram:1001:100"],
        "rules": ["announced"],
    }


def test_cli_link_graph_show_and_export(tmp_path: Path) -> None:
    ws = build_workspace(tmp_path / "ws", scenario(), CHANNELS)
    out = vigie("link", "-w", str(ws.root), "--json", check=True)
    assert json.loads(out.stdout)["successors"] == 3
    shown = vigie("graph", "show", "Menu 13", "-w", str(ws.root), check=True)
    assert "successor_of" in shown.stdout and "Canal de secours" in shown.stdout
    vigie(
        "graph",
        "export",
        "--format",
        "gexf",
        "-o",
        str(tmp_path / "g.gexf"),
        "-w",
        str(ws.root),
        check=True,
    )
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_edges() > 0
