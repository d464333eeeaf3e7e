"""The PDF print on its own (export.print_pdf), with the real Chromium, on a small page: page
numbers found by a pass and written into their slots, a rebuild's hint taken when right and
corrected when wrong, the running header laid over each page, and the same bytes either way."""

from __future__ import annotations

import io
import subprocess

import pytest
from conftest import page_scales

from kzunrest import export

# Three pages: the contents (a slot for each chapter), chapter 1, chapter 2; each chapter starts
# a page. The contents entries are what the running header and the page numbers are read from.
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 18mm 16mm; } section { break-before: page; }
</style></head><body>
<nav><p><a href="#chapter-1"><span class="toc-text">First chapter</span></a>
  <span class="kz-page" data-for="chapter-1"></span></p>
<p><a href="#chapter-2"><span class="toc-text">Second chapter</span></a>
  <span class="kz-page" data-for="chapter-2"></span></p></nav>
<section id="chapter-1"><h1>First chapter</h1><p>Words.</p></section>
<section id="chapter-2"><h1>Second chapter</h1><p>More words.</p></section>
</body></html>"""
LABELS = export.PrintLabels(footer="A small report", page_of="Page {page} of {total}",
                             contents="Contents")


@pytest.fixture()
def prints(monkeypatch) -> list[dict]:
    """Every print Chromium is asked for, with its options (the real print still happens)."""
    seen: list[dict] = []
    real = export._print

    async def counted(page, **options):
        seen.append(options)
        return await real(page, **options)

    monkeypatch.setattr(export, "_print", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return seen


def report_prints(seen: list[dict]) -> list[bool]:
    """Whether each print of the report itself (not the header page) was tagged."""
    return [options["tagged"] for options in seen if "tagged" in options]


def text(pdf: bytes) -> list[str]:
    """The text of each page, as poppler reads it."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    return out.split("\f")[:-1]


def test_a_cold_print_finds_the_pages_untagged_then_prints_them_tagged(prints):
    pdf, pages = export.print_pdf(PAGE, labels=LABELS)
    assert pages == {"chapter-1": 2, "chapter-2": 3}
    assert report_prints(prints) == [False, True]
    contents, first, second = text(pdf)
    assert [line.split() for line in contents.splitlines() if line.strip()][:-1] == [
        ["First", "chapter", "2"], ["Second", "chapter", "3"]]  # then the footer
    # The running header: nothing on the title page, the chapter's name on each chapter's page.
    assert "First chapter" in first.splitlines()[0] and "Second chapter" in second.splitlines()[0]
    from pypdf import PdfReader  # an independent reader: the document is still tagged

    assert "/StructTreeRoot" in PdfReader(io.BytesIO(pdf)).trailer["/Root"]


def test_every_page_has_its_footer_and_the_margins_are_pagination_artifacts():
    """The margins (running header, footer) are drawn over each page from a document of their
    own, marked as artifacts so that a screen reader skips them and the tags do not hold them."""
    import pikepdf

    pdf, _ = export.print_pdf(PAGE, labels=LABELS)
    pages = text(pdf)
    for number, page in enumerate(pages, start=1):
        footer = [line.split() for line in page.splitlines() if line.strip()][-1]
        assert footer == ["A", "small", "report", "Page", str(number), "of", str(len(pages))]
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            operators = [(str(op), operands) for operands, op in pikepdf.parse_content_stream(page)]
            drawn = [i for i, (op, operands) in enumerate(operators)
                     if op == "Do" and operands == [pikepdf.Name("/KzMargins")]]
            assert len(drawn) == 1
            opened = max(i for i, (op, _) in enumerate(operators[:drawn[0]]) if op == "BDC")
            assert operators[opened][1][0] == pikepdf.Name("/Artifact")
            assert "EMC" not in [op for op, _ in operators[opened + 1:drawn[0]]]
            assert operators[-1][0] == "EMC"  # closed after, and nothing drawn over it


def test_a_right_hint_needs_one_print_and_gives_the_same_bytes(prints):
    cold, pages = export.print_pdf(PAGE, labels=LABELS)
    prints.clear()
    hinted, again = export.print_pdf(PAGE, hint=pages, labels=LABELS)
    assert report_prints(prints) == [True]
    assert again == pages and hinted == cold


def test_a_wrong_hint_is_corrected(prints):
    pdf, pages = export.print_pdf(PAGE, hint={"chapter-1": 7, "chapter-2": 9}, labels=LABELS)
    assert pages == {"chapter-1": 2, "chapter-2": 3}
    assert report_prints(prints) == [True, True]  # printed with 7 and 9, found 2 and 3, printed again
    contents = text(pdf)[0]
    assert " 7" not in contents and " 9" not in contents


def test_a_hint_for_other_targets_is_ignored(prints):
    _, pages = export.print_pdf(PAGE, hint={"figure-1": 2}, labels=LABELS)
    assert pages == {"chapter-1": 2, "chapter-2": 3}
    assert report_prints(prints) == [False, True]


def test_warming_the_exporter_renders_the_template_without_failing():
    """The build warms nbconvert in a thread and ignores its errors (the export reports them): a
    template word missing from the empty report must not make the warm-up fail silently."""
    export.warm("/* vega */")


# A table of ten unbreakable words, wider than the page at 10pt, and a long narrow table flowing
# down two columns as the appendix lays them out, beside a paragraph at the tables' size.
TABLES = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 18mm 16mm; }} body {{ font: 10pt 'DejaVu Sans'; }}
table {{ font-size: 10pt; }} td {{ white-space: nowrap; padding: 2px; }}
.two {{ columns: 2; column-gap: 8mm; }} .two table {{ width: 100%; }}
</style></head><body><p>Reference</p>
<div><table><tr>{wide}</tr></table></div>
<div class="two"><table>{narrow}</table></div></body></html>""".format(
    wide="".join(f"<td>Unbreakable{n}wordinacell</td>" for n in range(10)),
    narrow="".join(f"<tr><td>Row{n}</td><td>Narrowcell{n}</td></tr>" for n in range(200)))


def word_heights(pdf: bytes) -> dict[str, float]:
    """Each word's height as poppler measures it (its font size times the font's line box)."""
    import re

    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    return {word: float(bottom) - float(top) for top, bottom, word in re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>', boxes)}


def test_a_table_too_wide_for_the_page_gets_smaller_type_and_nothing_else_shrinks():
    pdf, _ = export.print_pdf(TABLES, labels=LABELS)
    assert set(page_scales(pdf)) == {0.75}  # Chromium did not shrink the pages
    heights = word_heights(pdf)
    full = heights["Reference"]
    assert all(heights[f"Unbreakable{n}wordinacell"] < 0.9 * full for n in range(10))  # whole
    # The narrow table fits its column as it is: it keeps its size.
    assert {round(heights[f"Narrowcell{n}"], 2) for n in range(200)} == {round(full, 2)}


def test_the_pass_that_finds_pages_paints_only_link_targets_and_finds_the_same_pages(monkeypatch):
    """The first print of a cold build only finds pages: every box keeps its place but only the
    link targets are painted. Its pages are those of the full print it is followed by."""
    seen: list[tuple[dict, bytes]] = []
    real = export._print

    async def kept(page, **options):
        pdf = await real(page, **options)
        seen.append((options, pdf))
        return pdf

    monkeypatch.setattr(export, "_print", kept)
    _, pages = export.print_pdf(PAGE, labels=LABELS)
    finding, final = [pdf for options, pdf in seen if "tagged" in options]
    assert "More words." not in "".join(text(finding)) and "More words." in "".join(text(final))
    assert len(text(finding)) == len(text(final)) == 3  # every box in its place
    assert export.print_layout(finding) == export.print_layout(final)
    assert pages == {"chapter-1": 2, "chapter-2": 3}


# The same small report marked in parts as the static template marks it: the front (contents),
# each chapter. Links cross the parts both ways; each chapter's table gives its header cells
# structure ids (Chromium ties a cell to its header by id).
PARTS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Parts</title><style>
@page {{ size: A4; margin: 18mm 16mm; }} section {{ break-before: page; }}
</style></head><body><main><nav><h1>Contents</h1>
<p><a href="#chapter-1"><span class="toc-text">First chapter</span></a>
  <span class="kz-page" data-for="chapter-1"></span></p>
<p><a href="#chapter-2"><span class="toc-text">Second chapter</span></a>
  <span class="kz-page" data-for="chapter-2"></span></p></nav>{mark}
<section id="chapter-1"><h1>First chapter</h1><p>Words, and <a href="#note">a note</a>.</p>
<table><tr><th>Head</th></tr><tr><td>Cell</td></tr></table>
<p style="break-before: page">{first}</p></section>{mark}
<section id="chapter-2"><h1>Second chapter</h1><p id="note">A note, back to
<a href="#chapter-1">the first chapter</a>.</p>
<table><tr><th>Head</th></tr><tr><td>Cell</td></tr></table></section></main></body></html>"""


def parts_page(first: str = "A second page of the first chapter.", marked: bool = True) -> str:
    return PARTS.format(mark=export.PART_BREAK if marked else "", first=first)


def links(pdf: bytes) -> list[tuple[int, int]]:
    """Each internal link, as (page it is on, page it goes to), read with pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            assert "/A" not in annotation or "/URI" not in annotation["/A"], annotation
            destination = reader.named_destinations[annotation["/Dest"]]
            found.append((number, reader.get_destination_page_number(destination) + 1))
    return found


def test_the_report_is_cut_into_parts_where_the_template_marks_them():
    whole = parts_page()
    front, first, second = export.split_parts(whole)
    assert export.split_parts(parts_page(marked=False)) == [parts_page(marked=False)]
    assert all(part.startswith("<!DOCTYPE html>") and part.endswith("</main></body></html>")
               for part in (front, first, second))
    # A link to another part's anchor is written for splice.join; a link inside stays.
    assert 'href="kzpart:chapter-1"' in front and 'href="#chapter-1"' not in front.split("<div")[0]
    assert 'href="kzpart:note"' in first and 'href="kzpart:chapter-1"' in second
    # Each anchor some link targets gets a hidden link in its own part (Chromium writes a
    # destination only for an anchor linked in its document).
    assert 'aria-hidden="true"' in first and '<a href="#chapter-1"></a>' in first
    assert '<a href="#chapter-2"></a><a href="#note"></a>' in second
    assert 'aria-hidden="true"' not in front  # nothing links to the contents


def test_a_report_printed_in_parts_is_the_report_printed_whole(prints):
    """Same pages, same words on each, links to the same pages, one structure tree."""
    from pypdf import PdfReader

    joined, pages = export.print_pdf(parts_page(), labels=LABELS)
    whole, same = export.print_pdf(parts_page(marked=False), labels=LABELS)
    assert pages == same == {"chapter-1": 2, "chapter-2": 4}
    assert text(joined) == text(whole)
    assert links(joined) == links(whole) == [(1, 2), (1, 4), (2, 4), (4, 2)]
    reader = PdfReader(io.BytesIO(joined))
    assert [item.title for item in reader.outline] == [
        item.title for item in PdfReader(io.BytesIO(whole)).outline]
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    keys = root["/ParentTree"]["/Nums"][::2]
    page_keys = [page["/StructParents"] for page in reader.pages]
    assert len(set(keys)) == len(keys) == root["/ParentTreeNextKey"]
    assert set(page_keys) <= set(keys) and len(set(page_keys)) == 4
    ids = root["/IDTree"]["/Names"][::2]
    assert len(ids) == 2 and len(set(ids)) == len(ids) and ids == sorted(ids)
    assert root["/K"]["/S"] == "/Document"


def test_a_rebuild_prints_again_only_the_parts_that_changed(prints):
    store = export.PartStore()
    export.print_pdf(parts_page(), labels=LABELS, store=store)
    first = len(prints)
    edited = parts_page(first="Another second page, edited.")
    pdf, pages = export.print_pdf(edited, hint={"chapter-1": 2, "chapter-2": 4}, labels=LABELS,
                                  store=store)
    assert report_prints(prints[first:]) == [True]  # the first chapter alone
    cold, _ = export.print_pdf(edited, labels=LABELS)
    assert pdf == cold  # the same bytes as a print from nothing
    assert "Another second page, edited." in text(pdf)[2]
