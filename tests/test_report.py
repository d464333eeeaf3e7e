"""The built report, as a reader gets it: HTML in a real browser with the network blocked, the PDF
through poppler's pdftotext / pdffonts / pdfinfo."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from browser import visit
from conftest import DATA, ROOT, run_cli

CHAPTER_TITLES = ["How the protests spread, day by day", "Detentions, arrests and dismissals",
                  "Death tolls compared", "The source articles, claim by claim"]


def figure_metadata(out: Path) -> list[dict]:
    found = []
    for path in sorted((out / "chapters").glob("0*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found += [o["metadata"]["kzunrest"] for c in nb.cells for o in c.get("outputs", [])
                  if o.get("metadata", {}).get("kzunrest", {}).get("figure")]
    return found


@pytest.fixture(scope="module")
def pdf_text(built_report) -> str:
    return subprocess.run(["pdftotext", "-layout", str(built_report / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_html_draws_every_figure_offline_without_errors_or_requests(built_report):
    seen = visit(built_report / "report.html", script="""({
        figures: document.querySelectorAll('figure.kz-figure').length,
        drawn: document.querySelectorAll('.kz-chart[data-rendered=true] svg .mark-group').length
               ? Array.from(document.querySelectorAll('.kz-chart[data-rendered=true]'))
                   .filter(c => c.querySelector('svg .mark-group')).length : 0,
        scripts: Array.from(document.scripts).filter(s => s.src).map(s => s.src),
        code: document.querySelectorAll('.jp-InputArea, .highlight, .prompt').length,
    })""")
    assert seen.facts["figures"] == len(figure_metadata(built_report)) == 8
    assert seen.facts["drawn"] == seen.facts["figures"]
    assert seen.facts["scripts"] == []  # everything inline
    assert seen.facts["code"] == 0  # no code cells, no prompts
    assert seen.blocked == []
    assert [m for m in seen.console if m.startswith(("error", "pageerror", "warning"))] == []


def test_html_tooltips_are_interactive(built_report):
    seen = visit(built_report / "report.html", hover="#figure-1 .kz-chart svg path.mark-symbol, "
                                                    "#figure-1 .kz-chart svg .mark-symbol path",
                 script="""(() => { const t = document.getElementById('vg-tooltip-element');
                    return {visible: !!t && t.classList.contains('visible'),
                            text: t ? t.textContent : ''}; })()""")
    assert seen.facts["visible"], seen.facts
    assert "City" in seen.facts["text"] and "First reported" in seen.facts["text"]


def test_html_fits_a_phone(built_report):
    seen = visit(built_report / "report.html", width=390, script="""({
        overflow: document.documentElement.scrollWidth - window.innerWidth})""")
    assert seen.facts["overflow"] <= 1


def test_html_front_and_back_matter(built_report):
    html = (built_report / "report.html").read_text(encoding="utf-8")
    assert "<h1 class=\"report-title\">Bloody January</h1>" in html
    assert "Built</dt><dd>2023-11-14 22:13 UTC" in html  # SOURCE_DATE_EPOCH=1700000000
    for number, title in enumerate(CHAPTER_TITLES, start=1):
        assert f'<a href="#chapter-{number}">{number}. {title}</a>' in html
    assert 'id="sources"' in html and 'id="about"' in html
    for path in [*sorted(DATA.glob("*.csv")), DATA / "datapackage.json", ROOT / "report.yml"]:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in html, path.name
    assert html.count("vegaEmbed=") <= 1 and html.count("window.vegaEmbed") == 1  # bundle once


def test_pdf_has_chapters_captions_sources_and_page_numbers(built_report, pdf_text):
    text = squash(pdf_text)
    for title in CHAPTER_TITLES:
        assert title in text
    for figure in figure_metadata(built_report):
        assert squash(figure["caption"]) in text, figure["caption"]
    assert "Sources" in text and "About this build" in text
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(built_report / "report.pdf")], capture_output=True, text=True).stdout).group(1))
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_pdf_is_a4_with_embedded_fonts_and_cyrillic(built_report, pdf_text):
    info = subprocess.run(["pdfinfo", str(built_report / "report.pdf")], capture_output=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    fonts = subprocess.run(["pdffonts", str(built_report / "report.pdf")], capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded
    assert "Қанды Қаңтар" in pdf_text  # Kazakh letters survive
    assert "Ак Жайык" in pdf_text or "Мой ГОРОД" in pdf_text  # Russian names in Sources


def test_pdf_charts_are_vector_drawings_with_selectable_labels(pdf_text):
    text = squash(pdf_text)
    for label in ("Date (January 2022)", "Number with reported unrest", "Deaths reported",
                  "Date of the action", "Key events"):
        assert label in text, label


def test_every_page_of_the_pdf_has_content(built_report, tmp_path):
    """Every page, drawn at 30 dpi in grey, has ink: at least 0.25 % of its pixels darker than
    light grey. (A page number alone is a few dozen pixels, under 0.05 %; the sparsest page of the
    shipped report, the end of the Sources list, has about 0.7 %.)"""
    info = subprocess.run(["pdfinfo", str(built_report / "report.pdf")], capture_output=True,
                          text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    subprocess.run(["pdftoppm", "-gray", "-r", "30", str(built_report / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) == pages > 1
    blank = []
    for number, image in enumerate(images, start=1):
        magic, size, depth, pixels = image.read_bytes().split(b"\n", 3)
        width, height = map(int, size.split())
        assert (magic, depth, len(pixels)) == (b"P5", b"255", width * height)
        dark = len(pixels) - len(pixels.translate(None, bytes(range(200))))
        if dark < 0.0025 * len(pixels):
            blank.append(number)
    assert blank == [], f"pages without content: {blank}"


def test_same_inputs_and_source_date_epoch_give_byte_identical_html_and_pdf(built_report):
    again = built_report.parent / (built_report.name + "-again")
    result = run_cli("build", "--force", "--output-dir", str(again),
                     env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    assert (again / "report.html").read_bytes() == (built_report / "report.html").read_bytes()
    # Chromium stamps the print time into /CreationDate and /ModDate and numbers the structure
    # elements from its DOM node counter; the export normalises both, so the PDFs are identical.
    assert (again / "report.pdf").read_bytes() == (built_report / "report.pdf").read_bytes()
    assert b"/CreationDate (D:20231114221320+00'00')" in (again / "report.pdf").read_bytes()


def test_structure_ids_are_counted_from_the_lowest():
    from kzunrest.export import renumber_structure_ids

    first = b"<</ID (node00001296)>> <</ID (node00001300)>>"
    second = b"<</ID (node00001297)>> <</ID (node00001301)>>"
    assert renumber_structure_ids(first) == renumber_structure_ids(second) == \
        b"<</ID (node00000000)>> <</ID (node00000004)>>"
