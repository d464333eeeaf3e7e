"""The built report, as a reader gets it: HTML in a real browser with the network blocked, the PDF
through poppler's pdftotext / pdffonts / pdfinfo."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from browser import MAP_LABELS, check_map_labels, visit
from conftest import DATA, ROOT, page_scales, run_cli

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


@pytest.fixture(scope="module")
def page_texts(built_report) -> list[str]:
    """The text of each page of the PDF, page 1 first, as pdftotext -f N -l N extracts it."""
    pdf = str(built_report / "report.pdf")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), pdf, "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, count + 1)]


# The PDF's back matter, in its order: each starts a page and has a running header of its own.
APPENDIX = "Appendix: the data behind the figures"
BACK_MATTER = (APPENDIX, "Sources", "About this build")


def contents_entries(page_texts: list[str]) -> tuple[dict[str, int], set[int]]:
    """Every entry of the contents pages (from page 2, as long as pages hold entries): its label
    ('1. How the ...', 'Figure 4', 'Table 2', 'Sources') and the page number after its leader."""
    entry = re.compile(r"^\s*(\d+\. .+?|(?:Figure|Table) \d+\. .+?|Appendix: .+?|Sources|About this build)"
                       r"(?:\s{2,}|\s*\.{3,}\s*)(\d+)\s*$")
    entries, pages = {}, set()
    for number, text in enumerate(page_texts[1:], start=2):
        found = [m.groups() for m in map(entry.match, text.splitlines()) if m]
        if not found:
            break
        pages.add(number)
        for label, page in found:
            entries[re.sub(r"^((?:Figure|Table) \d+)\..*$", r"\1", label.strip())] = int(page)
    return entries, pages


def first_page_with(page_texts: list[str], needle: str, skip: set[int]) -> int | None:
    for number, text in enumerate(page_texts, start=1):
        if number not in skip and squash(needle) in squash(text):
            return number
    return None


def item_page(page_texts: list[str], built_report, kind: str, number: int, skip: set[int]) -> int | None:
    """Where an item starts, found from its own printed words, not from the contents: a chapter
    by its numbered heading, a figure by its chart's title (the first line of the figure; the
    figure is kept on one page, so its caption must be there too), a table by its caption."""
    if kind == "Chapter":
        return first_page_with(page_texts, f"{number} {CHAPTER_TITLES[number - 1]}", skip)
    if kind == "Figure":
        meta = figure_metadata(built_report)[number - 1]
        page = first_page_with(page_texts, meta["title"], skip)
        assert page and f"Figure {number}." in page_texts[page - 1], (number, page)
        return page
    return first_page_with(page_texts, f"Table {number}.", skip)


def test_html_draws_every_figure_offline_without_errors_or_requests(built_report):
    seen = visit(built_report / "report.html", script="""({
        figures: document.querySelectorAll('figure.kz-figure').length,
        drawn: document.querySelectorAll('.kz-chart[data-rendered=true] svg .mark-group').length
               ? Array.from(document.querySelectorAll('.kz-chart[data-rendered=true]'))
                   .filter(c => c.querySelector('svg .mark-group')).length : 0,
        scripts: Array.from(document.scripts).filter(s => s.src).map(s => s.src),
        code: document.querySelectorAll('.jp-InputArea, .highlight, .prompt').length,
    })""")
    assert seen.facts["figures"] == len(figure_metadata(built_report)) == 9  # 3 + 2 + 3 + 1 charts in chapters 1–4
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
        assert f'<a href="#chapter-{number}"><span class="toc-text">{number}. {title}</span></a>' in html
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
    # Each part of the PDF embeds its own subsets; different subsets must have different tags
    # (ISO 32000-1, 9.6.4): one name per font object.
    subsets = {line.split()[0] for line in fonts if re.match(r"[A-Z]{6}\+", line)}
    assert len(fonts) > 1 + len(CHAPTER_TITLES) and len(subsets) == len(fonts), fonts
    assert "Қанды Қаңтар" in pdf_text  # Kazakh letters survive
    assert "Ак Жайык" in pdf_text or "Мой ГОРОД" in pdf_text  # Russian names in Sources


def test_pdf_is_printed_at_full_size(built_report):
    """No page is shrunk to fit something too wide for the paper (Chromium would shrink them all:
    the twelve-column appendix table once set this PDF at 88 %)."""
    scales = page_scales((built_report / "report.pdf").read_bytes())
    assert len(scales) > 50 and set(scales) == {0.75}, sorted(set(scales))


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
    from pypdf import PdfReader

    assert PdfReader(str(again / "report.pdf")).metadata["/CreationDate"] == "D:20231114221320+00'00'"


def test_every_link_in_the_pdf_goes_to_a_place_in_it(built_report):
    """The PDF is printed in parts and joined (kzunrest.splice): a link from one part to another
    was printed as a kzpart: URI and must have become a link to the target's destination."""
    from pypdf import PdfReader

    reader = PdfReader(str(built_report / "report.pdf"))
    names = reader.named_destinations
    internal = external = 0
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                assert annotation["/Dest"] in names, annotation
                internal += 1
            else:
                assert annotation["/A"]["/URI"].startswith(("http://", "https://")), annotation
                external += 1
    assert internal > 1000 and external > 300  # contents, cross-references, source numbers; URLs
    # One part per chapter and back-matter section, each kept for the next build.
    parts = sorted((built_report / "cache" / "pdf-parts").glob("*.pdf"))
    assert len(parts) == 1 + len(CHAPTER_TITLES) + len(BACK_MATTER)


def test_a_rebuild_prints_again_only_the_parts_of_the_pdf_that_changed(built_report):
    """A new build date changes the title page (and nothing in the chapters): the chapters'
    and the appendix's prints are reused, and the PDF has the new date."""
    import shutil

    again = built_report.parent / (built_report.name + "-dated")
    shutil.copytree(built_report, again)
    result = run_cli("build", "--output-dir", str(again), env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert result.returncode == 0, result.stderr
    printed, reused = map(int, re.search(r"parts: (\d+) printed, (\d+) reused", result.stdout).groups())
    assert reused >= len(CHAPTER_TITLES) + 2 and printed >= 1, result.stdout
    assert printed + reused == 1 + len(CHAPTER_TITLES) + len(BACK_MATTER)
    first = subprocess.run(["pdftotext", "-l", "1", str(again / "report.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "2027-01-15" in first, first  # 1800000000 s after the epoch
    shutil.rmtree(again)


def test_structure_ids_are_numbered_by_rank():
    """Chromium's ids follow its DOM node counter, which a finding pass or an earlier part in the
    same tab moves on, and not evenly: the ids keep only their order."""
    from kzunrest.export import renumber_structure_ids

    first = b"<</ID (node00001296)>> <</ID (node00001300)>> [(node00001296)]"
    second = b"<</ID (node00001297)>> <</ID (node00001305)>> [(node00001297)]"
    assert renumber_structure_ids(first) == renumber_structure_ids(second) == \
        b"<</ID (node00000000)>> <</ID (node00000001)>> [(node00000000)]"


def test_pdf_contents_give_the_page_each_chapter_figure_and_table_starts_on(built_report, page_texts):
    entries, contents = contents_entries(page_texts)
    figures = figure_metadata(built_report)
    assert contents and min(contents) == 2, entries
    expected = [f"{n}. {title}" for n, title in enumerate(CHAPTER_TITLES, start=1)]
    expected += [f"Figure {n}" for n in range(1, len(figures) + 1)] + [*BACK_MATTER]
    assert set(expected) <= set(entries), sorted(set(expected) - set(entries))
    tables = [label for label in entries if label.startswith("Table ")]
    assert len(tables) >= 5, entries
    for label, page in entries.items():
        if label in BACK_MATTER:
            heading = first_page_with(page_texts, label, contents | set(range(1, min(entries.values()))))
            assert page_texts[page - 1].lstrip().startswith(label) or heading == page, (label, page)
            continue
        if label[0].isdigit():
            kind, number = "Chapter", int(label.split(".")[0])
        else:
            kind, number = label.split()[0], int(label.split()[1])
        assert item_page(page_texts, built_report, kind, number, contents) == page, (label, page)
    # The page numbers are the printed ones: the footer of page N says "Page N of ...".
    for page in set(entries.values()):
        assert f"Page {page} of {len(page_texts)}" in page_texts[page - 1]


def test_pdf_cross_references_name_the_page_and_are_links(built_report, page_texts):
    from pypdf import PdfReader

    _, contents = contents_entries(page_texts)
    reader = PdfReader(str(built_report / "report.pdf"))
    references = []
    for number, text in enumerate(page_texts, start=1):
        if number in contents:
            continue
        for kind, item, page in re.findall(r"(Figure|Table|Chapter) (\d+), page (\d+)", squash(text)):
            references.append((number, kind, int(item), int(page)))
            assert item_page(page_texts, built_report, kind, int(item), contents) == int(page), \
                (number, kind, item, page)
            links = [str(a.get_object().get("/Dest")) for a in reader.pages[number - 1].get("/Annots", [])]
            assert f"/{kind.lower()}-{item}" in links, (number, kind, item, links)
    kinds = {kind for _, kind, _, _ in references}
    assert len(references) >= 8 and kinds == {"Figure", "Table", "Chapter"}, references


def test_pdf_running_header_names_the_chapter_of_each_page(page_texts):
    entries, contents = contents_entries(page_texts)
    starts = sorted((page, label) for label, page in entries.items()
                    if label[0].isdigit() or label in BACK_MATTER)
    # The appendix of the figures' data has a header of its own, not the last chapter's.
    assert APPENDIX in [label for _, label in starts], starts
    for number, text in enumerate(page_texts, start=1):
        first_line = text.strip().splitlines()[0].strip()
        current = [label for page, label in starts if page <= number]
        if current:
            assert first_line == current[-1], (number, first_line, current[-1])
        elif number in contents:
            assert first_line == "Contents", (number, first_line)


def test_html_cross_references_are_links_without_page_numbers(built_report):
    html = (built_report / "report.html").read_text(encoding="utf-8")
    references = re.findall(r'<a class="kz-ref" href="#((figure|table|chapter)-(\d+))">([^<]*)</a>', html)
    assert len(references) >= 8
    for target, kind, number, text in references:
        assert text == f"{kind.capitalize()} {number}"
        assert f'id="{target}"' in html, target
    assert "data-for=" not in html and "kz-print" not in html  # no page slots on screen
    assert "](#figure:" not in html and "](#table:" not in html  # every reference was resolved


# Words in table cells and text in charts, measured in the browser: a word whose Range has client
# rectangles on more than one line was broken inside; a chart's text is measured at its rendered
# size (font size times the scale of the SVG on screen).
LAYOUT_FACTS = r"""(() => {
  const broken = [];
  const word = /[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;
  for (const cell of document.querySelectorAll('table td, table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(word)) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                                   .map(r => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  const sizes = Array.from(document.querySelectorAll('.kz-chart svg text'))
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => { const m = t.getScreenCTM();
                return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)]; });
  // The words about a figure (its description, caption and data toggle) stay in the text
  // column, as wide as a chapter's heading, even where the chart reaches out of it.
  const column = document.querySelector('h1.chapter').getBoundingClientRect();
  const words = Array.from(document.querySelectorAll(
    '.kz-figure .kz-description, .kz-figure figcaption, .kz-figure details.kz-data > summary'));
  const astray = words.map(e => [e.className || e.tagName, e.getBoundingClientRect()])
    .filter(([, r]) => r.left < column.left - 1 || r.right > column.right + 1)
    .map(([name, r]) => `${name} ${Math.round(r.left)}-${Math.round(r.right)}`);
  return {broken, cells: document.querySelectorAll('table td').length,
          words: words.length, astray, column: [column.left, column.right],
          small: sizes.filter(([, size]) => size < 9), texts: sizes.length,
          overflow: document.documentElement.scrollWidth - window.innerWidth};
})()"""


@pytest.mark.parametrize("width", [1280, 390])
def test_html_tables_keep_words_whole_and_chart_text_stays_legible(built_report, width):
    """Table words whole, chart text legible, and the words about each figure in the text
    column (on a wide screen a chart may reach out of it)."""
    seen = visit(built_report / "report.html", width=width, script=LAYOUT_FACTS)
    assert seen.facts["cells"] > 500 and seen.facts["texts"] > 100, seen.facts
    assert seen.facts["broken"] == [], seen.facts["broken"][:20]
    assert seen.facts["small"] == [], seen.facts["small"][:20]
    assert seen.facts["overflow"] <= 1
    assert seen.facts["words"] >= 27 and seen.facts["astray"] == [], seen.facts


def test_map_names_every_city_without_overlap(built_report):
    """Cities close together (Uralsk and Aksay, Semey and Ust-Kamenogorsk) are named on
    different sides of their dots, as drawn by the browser with the report's font."""
    check_map_labels(visit(built_report / "report.html", script=MAP_LABELS).facts)


def test_pdf_tables_keep_words_whole(built_report):
    """Every word of every table cell (letters only, two or more) is printed whole at least as
    often as the tables hold it: a word broken inside ('Sharipbaye' / 'v') is missing once."""
    from collections import Counter
    from html import unescape

    html = (built_report / "report.html").read_text(encoding="utf-8")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    letters = re.compile(r"[^\W\d_]{2,}")
    wanted = Counter(w for cell in cells for w in letters.findall(unescape(re.sub(r"<[^>]+>", "", cell))))
    printed = Counter(letters.findall(subprocess.run(
        ["pdftotext", "-layout", str(built_report / "report.pdf"), "-"], capture_output=True, text=True,
        check=True).stdout))
    assert sum(wanted.values()) > 5000
    short = {w: (n, printed[w]) for w, n in wanted.items() if printed[w] < n}
    assert short == {}, sorted(short.items())[:30]


def _alternative_texts(node, found: list[str]) -> list[str]:
    """Every /Alt in a tagged PDF's structure tree (read with pypdf, not the pikepdf that wrote it)."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            _alternative_texts(node["/K"], found)
    elif isinstance(node, list):
        for child in node:
            _alternative_texts(child, found)
    return found


def test_each_chart_is_one_figure_in_the_pdf_named_by_its_title(built_report):
    """In the tagged PDF a chart is an image with its title as alternative text; its marks, axes
    and legends add none of their own (Vega would label each mark with raw tooltip fields such
    as "Sources: undefined", about 1,500 of them)."""
    from pypdf import PdfReader

    root = PdfReader(str(built_report / "report.pdf")).trailer["/Root"]["/StructTreeRoot"]
    alts = _alternative_texts(root["/K"], [])
    titles = [f["title"] for f in figure_metadata(built_report)]
    assert all(title in alts for title in titles), (titles, alts)
    assert not [a for a in alts if re.search(r"\b(undefined|null|NaN)\b|^[XY]-axis|legend titled", a)]
    assert len(alts) < 3 * len(titles), alts
