"""vigie.act.export: CSV/Parquet tables, STIX 2.1 bundles, MISP events; pseudonymised on request."""

from __future__ import annotations

from pathlib import Path

from vigie.act.export.collect import Intel, collect
from vigie.act.export.pseudonym import Pseudonymiser, pseudonymiser_for, workspace_secret
from vigie.act.export.tables import TABLE_FORMATS, export_table
from vigie.store.workspace import Workspace


def export_stix(ws: Workspace, path: Path, pseudonymise: bool = False) -> int:
    """Write the STIX bundle of the latest graph; returns the number of objects."""
    from vigie.act.export.stix import build_bundle, validate

    with ws.lake.connect() as con:
        pseudo = pseudonymiser_for(ws.root, con) if pseudonymise else None
        intel = collect(con, pseudo)
    text = build_bundle(intel).serialize(pretty=True)
    bundle = validate(text)
    path.write_text(text, encoding="utf-8")
    return len(bundle.objects)


def export_misp(ws: Workspace, path: Path, case: str = "vigie", pseudonymise: bool = False) -> int:
    """Write the MISP event JSON of the latest graph; returns the number of objects."""
    from vigie.act.export.misp import build_event, validate

    with ws.lake.connect() as con:
        pseudo = pseudonymiser_for(ws.root, con) if pseudonymise else None
        intel = collect(con, pseudo)
    text = build_event(intel, case).to_json(indent=1)
    event = validate(text)
    path.write_text(text, encoding="utf-8")
    return len(event.objects)


__all__ = [
    "TABLE_FORMATS",
    "Intel",
    "Pseudonymiser",
    "collect",
    "export_misp",
    "export_stix",
    "export_table",
    "pseudonymiser_for",
    "workspace_secret",
]
