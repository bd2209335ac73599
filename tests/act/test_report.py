"""Case reports: HTML content, and a PDF checked by rendering its pages (poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.act.conftest import SHOP, Fixture, key, run
from vigie.act.cases import add_to_case, create_case
from vigie.act.report import build_report
from vigie.act.report_render import highlight, render_html, write_report


@pytest.fixture
def case_id(analysed: Fixture) -> int:
    case = create_case(analysed.ws, "Opération Genêts", "Point de deal fictif")
    add_to_case(analysed.ws, case.id, f"telegram:{SHOP}")
    add_to_case(analysed.ws, case.id, key("7"))
    return case.id


def test_report_holds_every_section(analysed: Fixture, case_id: int) -> None:
    data = build_report(analysed.ws, case_id)
    assert data.summary["messages"] == 4 and data.summary["channels"] == 2
    assert data.summary["labels"]["sale"] == 1
    assert [row["messages"] for row in data.timeline] == [2, 2]
    assert {c["key"] for c in data.channels} == {f"telegram:{SHOP}", "telegram:555"}
    assert data.network["successors"][0]["successor_of"] == f"channel:telegram:{SHOP}"
    assert {(e["type"], e["value"]) for e in data.entities} >= {("phone", "+33639981234")}
    assert data.prices == [
        {
            "msg_key": key("10"),
            "date": "2024-03-01T17:10:05+00:00",
            "channel": "Les Genêts Bleus 30",
            "product": "cannabis_resin",
            "quantity": 10,
            "unit": "g",
            "price": 80,
            "currency": "EUR",
            "price_per_unit": 8.0,
        }
    ]
    files = {f["name"]: f for f in data.annex["evidence"]}
    assert set(files) == {"shop.jsonl", "group.jsonl"}
    assert {f["verified"] for f in files.values()} == {"hash matches"}
    assert len(data.annex["ingest_runs"]) == 2
    assert data.annex["analysis_runs"][0]["version"] == "detect.test+lex.0000"
    assert data.annex["audit_head"]["seq"] >= 7


def test_digest_is_reproducible(analysed: Fixture, case_id: int) -> None:
    first = build_report(analysed.ws, case_id)
    second = build_report(analysed.ws, case_id)
    assert first.annex["digest"] == second.annex["digest"]


def test_html_highlights_cues_and_shows_utc_and_local_times(
    analysed: Fixture, case_id: int
) -> None:
    html = render_html(build_report(analysed.ws, case_id))
    assert '<mark class="cue" title="sale: Jaune mousseux">Jaune mousseux</mark>' in html
    assert '<mark class="entity" title="phone: +33639981234">06 39 98 12 34</mark>' in html
    assert "2024-03-01 17:10:05 UTC" in html and "2024-03-01 18:10:05 CET" in html
    for heading in (
        "Summary",
        "Timeline",
        "Channels and network",
        "Messages",
        "Extracted entities",
        "Prices",
        "Evidence annex",
    ):
        assert heading in html
    assert "<svg" in html and "Genêts secours" in html


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("a <b>", [], "a &lt;b&gt;"),
        (
            "abcdef",
            [[0, 3, "x", "cue"], [2, 5, "y", "entity"]],
            '<mark class="cue" title="x">ab</mark><mark class="cue" title="x; y">c</mark>'
            '<mark class="entity" title="y">de</mark>f',
        ),
        ("abc", [[2, 9, "out of range", "cue"]], "abc"),
        ("a\nb", [], "a<br>b"),
    ],
)
def test_highlight(text: str, marks: list[list[object]], expected: str) -> None:
    assert str(highlight(text, marks)) == expected  # type: ignore[arg-type]


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _dark_fraction(pgm: Path) -> float:
    """Share of dark pixels of a binary PGM (P5) page image."""
    data = pgm.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5"
    pixels = parts[4]
    return sum(1 for value in pixels if value < 128) / len(pixels)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_pdf_pages_render_with_content_and_page_numbers(
    analysed: Fixture, case_id: int, tmp_path: Path
) -> None:
    pdf = tmp_path / "case.pdf"
    result = run(
        "report", str(case_id), "--format", "pdf", "-o", str(pdf), "-w", str(analysed.ws.root)
    )
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 2000 for p in pages)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "grey")],
        check=True,
    )
    grey = next(tmp_path.glob("grey-*.pgm"))
    assert 0.005 < _dark_fraction(grey) < 0.5  # text on a white page, not blank, not black
    n = len(pages)
    first = _page_text(pdf, 1)
    assert "Case report" in first and "Opération Genêts" in first and f"Page 1 of {n}" in first
    everything = "\n".join(_page_text(pdf, i) for i in range(1, n + 1))
    assert f"Page {n} of {n}" in everything
    assert "Jaune mousseux" in everything and "17:10:05 UTC" in everything
    data = build_report(analysed.ws, case_id)
    assert f"digest {data.annex['digest'][:16]}" in everything  # the running footer
    compact = re.sub(r"\s", "", everything)
    assert all(f["sha256"][:16] in compact for f in data.annex["evidence"])


def test_unknown_case_is_a_clear_error(analysed: Fixture, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="E160 no case 42"):
        write_report(build_report(analysed.ws, 42), "html", tmp_path / "x.html")
