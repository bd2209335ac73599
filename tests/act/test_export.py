"""Exports: STIX 2.1 parsed back strictly, MISP events loaded by PyMISP with MISP's own templates
and taxonomies, tables as CSV/Parquet, keyed pseudonyms."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import stix2
from pymisp import MISPEvent

from tests.helpers import vigie
from tests.link.builders import Msg, build_workspace
from tests.link.scenarios import CHANNELS, scenario
from vigie.act.export import export_misp, export_stix, export_table, pseudonymiser_for
from vigie.act.export.pseudonym import Pseudonymiser
from vigie.errors import QueryError
from vigie.link import link_workspace
from vigie.store.workspace import Workspace


def _with_customers() -> list[Msg]:
    msgs = scenario()
    msgs.append(
        Msg("1001", "500", "2024-01-15T12:00:00", "c'est possible ce soir ?", sender="Karim B.")
    )
    msgs.append(Msg("1001", "501", "2024-01-15T12:05:00", "oui 22h", ("logistics",),
                    sender="Menu 13", reply_to="500"))  # fmt: skip
    return msgs


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = build_workspace(tmp_path_factory.mktemp("act") / "ws", _with_customers(), CHANNELS)
    link_workspace(workspace)
    return workspace


def test_stix_bundle_parses_strictly(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    export_stix(ws, path)
    bundle = stix2.parse(path.read_text(), allow_custom=False)
    by_type: dict[str, list[object]] = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {"identity", "indicator", "observed-data", "relationship", "user-account"} <= set(
        by_type
    )
    patterns = {o.pattern for o in by_type["indicator"]}  # type: ignore[attr-defined]
    assert (
        "[user-account:account_type = 'phone' AND user-account:user_id = '+33612345678']"
        in patterns
    )
    derived = [r for r in by_type["relationship"] if r.relationship_type == "derived-from"]  # type: ignore[attr-defined]
    assert len(derived) == 3 and all(0 < r.confidence <= 100 for r in derived)  # type: ignore[attr-defined]


def test_stix_ids_are_stable_across_exports(ws: Workspace, tmp_path: Path) -> None:
    export_stix(ws, tmp_path / "a.json")
    export_stix(ws, tmp_path / "b.json")
    ids = [
        sorted(o["id"] for o in json.loads((tmp_path / n).read_text())["objects"])
        for n in ("a.json", "b.json")
    ]
    assert ids[0] == ids[1]


def test_journalist_phone_quote_is_not_an_indicator_source(ws: Workspace, tmp_path: Path) -> None:
    export_stix(ws, tmp_path / "s.json")
    objects = json.loads((tmp_path / "s.json").read_text())["objects"]
    journalist = next(o["id"] for o in objects if o.get("name") == "Actu Marseille")
    assert not [o for o in objects if o["type"] == "relationship" and o["target_ref"] == journalist]


def test_misp_event_loads_and_uses_misp_templates_and_taxonomies(
    ws: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "event.json"
    export_misp(ws, path, case="PV-2024-001")
    event = MISPEvent()
    event.load(path.read_text())
    names = {o.name for o in event.objects}
    assert {"telegram-account", "chat-message"} <= names
    tags = {t.name for t in event.tags}
    assert 'dark-web:topic="drugs-narcotics"' in tags
    taxonomies = pytest.importorskip("pytaxonomies").Taxonomies()
    for tag in tags:
        assert taxonomies.revert_machinetag(tag), tag
    message = next(o for o in event.objects if o.name == "chat-message")
    assert {a.object_relation for a in message.attributes} >= {
        "message-id",
        "timestamp",
        "chat-id",
        "content",
    }
    assert "+33612345678" in {a.value for a in event.attributes}


def test_pseudonymised_exports_hide_customers_keep_sellers(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    with ws.lake.connect() as con:
        export_table(con, "messages", "csv", path, pseudonymiser_for(ws.root, con))
    text = path.read_text()
    assert "Karim B." not in text
    assert "Menu 13" in text
    anon = next(line for line in text.splitlines() if "possible ce soir" in line)
    assert ",anon:" in anon
    edges = tmp_path / "edges.parquet"
    with ws.lake.connect() as con:
        export_table(con, "graph_edges", "parquet", edges, pseudonymiser_for(ws.root, con))
    sources = set(pq.read_table(edges).column("source").to_pylist())
    assert "account:telegram:Karim B." not in sources
    assert any(s.startswith("account:telegram:anon:") for s in sources)


def test_pseudonyms_are_keyed_and_stable() -> None:
    one = Pseudonymiser(b"k" * 32, frozenset({"Menu 13"}))
    other = Pseudonymiser(b"z" * 32, frozenset())
    assert one("Karim B.") == one("Karim B.") != other("Karim B.")
    assert one("Menu 13") == "Menu 13" and one(None) is None
    assert one.node("account:telegram:Karim B.") == "account:telegram:" + str(one("Karim B."))
    assert one.node("phone:+33612345678") == "phone:+33612345678"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_table_export_round_trips_row_count(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"entities.{fmt}"
    with ws.lake.connect() as con:
        n = export_table(con, "entities", fmt, path)
        expected = con.execute("SELECT count(*) FROM entities").fetchall()[0][0]
    assert n == expected
    if fmt == "parquet":
        assert pq.read_table(path).num_rows == expected
    else:
        assert len(path.read_text().splitlines()) >= expected + 1


def test_unknown_table_is_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    with ws.lake.connect() as con, pytest.raises(QueryError, match="no table"):
        export_table(con, "messages; DROP TABLE x", "csv", tmp_path / "x.csv")


def test_cli_exports(ws: Workspace, tmp_path: Path) -> None:
    root = str(ws.root)
    vigie("export", "stix", "-o", str(tmp_path / "b.json"), "-w", root, check=True)
    vigie(
        "export", "misp", "--pseudonymise", "-o", str(tmp_path / "m.json"), "-w", root, check=True
    )
    out = vigie(
        "export",
        "table",
        "graph_nodes",
        "--format",
        "parquet",
        "-o",
        str(tmp_path / "n.parquet"),
        "-w",
        root,
        check=True,
    )
    assert "rows" in out.stdout
    from vigie.store.audit import entries
    from vigie.store.state import open_state
    from vigie.store.workspace import file_sha256

    logged = {e.action: e for e in entries(open_state(ws.root)) if e.action.startswith("export.")}
    assert set(logged) == {"export.stix", "export.misp", "export.parquet"}
    assert file_sha256(tmp_path / "b.json")[0] in logged["export.stix"].details
    stix2.parse((tmp_path / "b.json").read_text(), allow_custom=False)
    assert "Karim B." not in (tmp_path / "m.json").read_text()
