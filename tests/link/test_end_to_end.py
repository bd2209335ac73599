"""Through the real analyser: analyse a constructed workspace, then link it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.link.builders import build_workspace
from tests.link.scenarios import CHANNELS, scenario
from vigie.link import link_workspace, list_successors


def test_link_after_the_real_analyser(tmp_path: Path) -> None:
    pipeline = pytest.importorskip("vigie.analyse.pipeline")
    from vigie.analyse.run import analyse_workspace

    ws = build_workspace(tmp_path / "ws", scenario(), CHANNELS, analysed=False)
    analyser = pipeline.Analyser()
    analysed = analyse_workspace(ws, analyser)
    assert analysed.messages == len(scenario())
    counts = link_workspace(ws)
    assert counts.analysis_version == analyser.version
    with ws.lake.connect() as con:
        kinds = dict(con.execute("SELECT kind, count(*) FROM graph_nodes GROUP BY 1").fetchall())
        successors = list_successors(con)
    assert kinds["channel"] == len(CHANNELS)
    if pipeline.default_extract() is not None:  # links and handles need the extractor
        pairs = {(s["channel"], s["successor_of"]) for s in successors}
        assert ("channel:telegram:1002", "channel:telegram:1001") in pairs
        assert not any("2001" in a or "2001" in b for a, b in pairs)
