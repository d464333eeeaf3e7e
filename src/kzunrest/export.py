"""Export the assembled report with nbconvert: interactive HTML and an A4 PDF.

Both use the ``kzreport`` template shipped in this package. The HTML embeds the Vega JavaScript
once (from vl-convert, no CDN) and draws every chart from its Vega spec. The PDF is the same
template in static mode — each chart as the SVG vl-convert rendered at execution time — printed by
Debian's Chromium through Playwright, as nbconvert's WebPDF exporter does (Playwright cannot
download its own browser here).

Size: Chromium shrinks every page of a print when anything is wider than the paper, so before
printing, a table too wide for the page is given smaller type on its own (``FIT_TABLES``).

Parts: the report is printed in parts, each chapter and each back-matter section a document of
its own (the front matter is the first), two at a time, and the tagged PDFs are joined
(:mod:`kzunrest.splice`). Each part's final print is kept by what it depends on, so a rebuild
prints again only the parts that changed (in the build: cache.PrintedParts).

Page numbers: Chromium has no CSS ``target-counter()``, so the PDF is printed in passes. The
assembled report carries an empty slot (``<span class="kz-page" data-for="figure-4">``) in each
contents entry and cross-reference; a print shows on which page every link target starts (the
named destinations Chromium writes, read with pikepdf, plus the pages of the parts before); the
numbers are written into the slots and the parts with slots printed again, until no number moves.
The passes that only find pages are printed without tags and with only the link targets painted
(a fifth of the time); the kept print is tagged. A rebuild starts from the last build's pages,
so after a small edit one print is usually enough. The margins are then laid over each page: a
running header with the chapter's name and a footer with the page number, in a second document
printed by the same Chromium, one page per report page, merged in as page artifacts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import html as html_lib
import io
import json
import os
import re
import shutil
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters import DataTypeFilter

from . import __version__
from .errors import ExportError
from .splice import (PART_LINK, PartStore, PrintedPart, join, renumber_structure_ids,
                     retag_font_subsets)

TEMPLATE_DIR = Path(str(resources.files("kzunrest") / "templates"))
CHROMIUM_ENV = "KZUNREST_CHROMIUM"
# The flags a headless Chromium needs in a closed-network container (no sandbox as root, and no
# background calls home that would fail or be logged as requests).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def kz_json(value: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it or start markup."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def kz_vega(spec: dict) -> str:
    """A chart's Vega spec for the report page, labelled with the Vega version embedded there
    (the notebook output says v5 for JupyterLab's renderer)."""
    import vl_convert

    major = vl_convert.get_vega_version().split(".")[0]
    return kz_json({**spec, "$schema": f"https://vega.github.io/schema/vega/v{major}.json"})


def _exporter(kind: type[HTMLExporter], static: bool) -> HTMLExporter:
    # Traits go to the constructor: the template environment is built from them at init.
    # The PDF has no use for the headings' own "¶" links, and each would become a named
    # destination called after the heading: in Kazakh or Russian, percent-encoded, longer than
    # the 127 bytes a PDF name may have (poppler warns on every page).
    return kind(extra_template_basedirs=[str(TEMPLATE_DIR)], template_name="kzreport",
                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                exclude_anchor_links=static, filters={"kz_json": kz_json, "kz_vega": kz_vega})


def _resources(front: dict, static: bool, vega_js: str | None) -> dict:
    css = "\n".join((TEMPLATE_DIR / "kzreport" / name).read_text(encoding="utf-8")
                    for name in ("report.css", "figures.css"))
    kz = {"front": front, "static": static, "css": css, "version": __version__,
          "part_break": PART_BREAK}
    if not static:
        if vega_js is None:
            import vl_convert

            vega_js = vl_convert.javascript_bundle()
        kz["vega_js"] = vega_js
    return {"kz": kz}


# Where the static template starts a part of the report that is printed on its own (see
# split_parts): each chapter and each back-matter section.
PART_BREAK = "<!--kz-part-->"
# The page-number slots the assembly leaves (see assemble.page_slot), and the print-only words
# around a cross-reference's slot.
PAGE_SLOT = re.compile(r'(<span class="kz-page" data-for="([^"]+)">)[^<]*(</span>)')
PRINT_ONLY = re.compile(r'<span class="kz-print">[^<]*<span class="kz-page" data-for="[^"]*">'
                        r"[^<]*</span>[^<]*</span>")
# Where the running header changes: chapters and back matter, as their contents entries name them.
SECTION = re.compile(r'<a href="#((?:chapter-\d+)|appendix-data|sources|about)">'
                     r'<span class="toc-text">([^<]*)</span>')
MAX_PRINTS = 4
# For a pass that only finds pages: everything hidden but the elements with an id (a link's
# target, where Chromium writes its named destination). Hidden boxes keep their place, so the
# pages are those of the full print, and Chromium paints little (measured: 1.7 s -> 0.8 s for
# the English report, the same destinations).
PAINT_TARGETS_ONLY = """only => {
  const style = document.getElementById("kz-paint-targets-only");
  if (only && !style) {
    document.head.insertAdjacentHTML("beforeend", '<style id="kz-paint-targets-only">'
      + "body * { visibility: hidden !important; } [id] { visibility: visible !important; }"
      + "</style>");
  } else if (!only && style) {
    style.remove();
  } }"""
# The text block of an A4 page with report.css's side margins (210 mm - 2 x 16 mm = 178 mm =
# 672.8 CSS px), rounded down.
PAGE_TEXT_WIDTH_PX = 672
# Chromium prints a page with anything wider than the paper at a smaller scale, *all* of it: one
# wide table (the appendix's twelve columns of death tolls, a header that may not wrap) set the
# whole PDF at 88 % in English and 73 % in Russian. Instead, a table wider than its box gets
# smaller type, on its own, until it fits (padding does not shrink with it, hence a few rounds);
# words stay whole. A table's width is read from its first row: a table that flows down two
# columns (appendix, narrow tables) is one box spanning both. Every round measures all tables
# before changing any, so a round costs one layout of the page, not one per table.
FIT_TABLES = """() => {
  const width = table => (table.rows[0] || table).getBoundingClientRect().width;
  const tables = Array.from(document.querySelectorAll("table"), table => {
    const box = table.parentElement, style = getComputedStyle(box);
    const columns = parseInt(style.columnCount) || 1, gap = parseFloat(style.columnGap) || 0;
    return {table, room: (box.clientWidth - gap * (columns - 1)) / columns};
  });
  for (let round = 0; round < 6; round++) {
    const wide = tables.map(t => [t, width(t.table)]).filter(([t, w]) => w > t.room)
      .map(([t, w]) => [t, w, parseFloat(getComputedStyle(t.table).fontSize)]);
    if (!wide.length) break;
    for (const [t, w, size] of wide) t.table.style.fontSize = (size * 0.99 * t.room / w) + "px";
  } }"""


def to_html(report: nbformat.NotebookNode, front: dict, static: bool = False,
            vega_js: str | None = None) -> str:
    """The report as one HTML page: interactive (Vega embedded once: ``vega_js``, vl-convert's
    bundle, made here when not given; see cache.vega_bundle), or ``static`` for the print."""
    exporter = _exporter(HTMLExporter, static)
    # HTMLExporter.from_notebook_node ends by parsing its whole output again with BeautifulSoup,
    # to give <img> without alt a placeholder and JupyterLab's cell wrappers a tabindex. This
    # template has neither (figures are inline SVG or Vega with their own descriptions; tests
    # check that no <img> lacks alt), and that pass was half the render time. The template
    # exporter underneath renders the same page.
    exporter.register_filter("filter_data_type", DataTypeFilter(parent=exporter))
    html, _ = TemplateExporter.from_notebook_node(exporter, report,
                                                  resources=_resources(front, static, vega_js))
    if not static:  # the screen has links, not page numbers
        html = PAGE_SLOT.sub("", PRINT_ONLY.sub("", html))
    return html


# Writes each target's page into its slots in the loaded page ('00' until a print says where):
# between passes only the numbers change, so the page is not loaded again (a second of parsing
# and layout saved per pass).
FILL_SLOTS = """pages => document.querySelectorAll("span.kz-page[data-for]").forEach(slot => {
    slot.textContent = String(pages[slot.dataset.for] ?? "00"); })"""


def slot_targets(html: str) -> set[str]:
    return {m.group(2) for m in PAGE_SLOT.finditer(html)}


def running_headers(html: str, pages: dict[str, int], count: int, contents: str) -> list[str]:
    """The header of each page: the chapter (or back-matter section) it belongs to; ``contents``
    between the title page and the first chapter; nothing on the title page."""
    starts = sorted((pages[target], html_lib.unescape(text)) for target, text in SECTION.findall(html)
                    if target in pages)
    headers = []
    for page in range(1, count + 1):
        current = [text for start, text in starts if start <= page]
        headers.append(current[-1] if current else (contents if page > 1 else ""))
    return headers


def warm(vega_js: str | None = None) -> None:
    """Import nbconvert and compile the report template (a few seconds in a fresh process): the
    build does it in a thread while the chapters execute. Renders an empty report, with every
    word the template asks for empty."""
    empty = dict.fromkeys(("title", "subtitle", "built", "data_version", "toc_html",
                           "sources_html", "about_html", "data_appendix_html"), "")
    to_html(nbformat.v4.new_notebook(), {**empty, "language": "en", "words": defaultdict(str)},
            vega_js=vega_js)


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ExportError("Chromium not found: the PDF is printed by Debian's chromium package. "
                          "Run `make system-deps` (or `apt-get install chromium`), or set "
                          f"{CHROMIUM_ENV} to a Chromium binary")
    return found


# One page of margins per report page, laid over it: the running header in the top margin
# (@page margin: 18mm) and the footer in the bottom one (20mm). Drawn here rather than by
# Chromium's footer template, which lays out a document of its own for every page (0.5 s of the
# English report's tagged print).
MARGINS_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
                "@page { size: A4; margin: 0; } body { margin: 0; }"
                ".page { break-before: page; height: 296mm; position: relative; overflow: hidden;"
                " font-family: 'DejaVu Sans', sans-serif; color: #666; }"
                ".page:first-child { break-before: auto; }"
                ".header { margin: 9mm 16mm 0; font-size: 7.5pt; border-bottom: 0.5pt solid #bbb;"
                " padding-bottom: 1.2mm; min-height: 1em; white-space: nowrap; overflow: hidden;"
                " text-overflow: ellipsis; }"
                ".header:empty { border: 0; }"
                ".footer { position: absolute; left: 16mm; right: 16mm; bottom: 4.2mm;"
                " font-size: 8px; display: flex; justify-content: space-between; }"
                "</style></head><body>{pages}</body></html>")


def margins_page(headers: list[str], labels: PrintLabels) -> str:
    """The margins of every page: ``headers[i]`` over page i + 1, and the footer."""
    total = len(headers)
    return MARGINS_PAGE.replace("{pages}", "".join(
        f'<div class="page"><div class="header">{html_lib.escape(text)}</div>'
        f'<div class="footer"><span>{html_lib.escape(labels.footer)}</span>'
        f"<span>{html_lib.escape(labels.page_of.format(page=number, total=total))}</span>"
        "</div></div>" for number, text in enumerate(headers, start=1)))


async def _load(page, html: str) -> None:
    # Print media first: the page is then laid out once, for print, not for the screen and again
    # for print (0.7 s of each print of the English report).
    await page.emulate_media(media="print")
    await page.set_content(html, wait_until="load")


async def _print(page, **options) -> bytes:
    return await page.pdf(format="A4", print_background=True, prefer_css_page_size=True, **options)


@dataclass(frozen=True)
class PrintLabels:
    """The words the print adds, in the report's language. Taken before printing starts, so
    several languages can print at once (the catalogs switch language for the whole process)."""
    footer: str  # the report's name, at the foot of every page
    page_of: str  # "Page {page} of {total}"
    contents: str

    @classmethod
    def current(cls) -> PrintLabels:
        from .i18n import _

        return cls(_("Kazakhstan, January 2022 · kzunrest"), _("Page {page} of {total}"),
                   _("Contents"))


class Chromium:
    """Debian's Chromium driven by Playwright on an event loop of its own (a thread), launched in
    the background as soon as this is made: the build makes it while the chapters execute, so a
    print does not wait for the launch. Prints may come from any thread, each on a page of its
    own. Use as a context manager, or call :meth:`close`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chromium",
                                        daemon=True)
        self._thread.start()
        self._playwright = None
        # A launch failure (no Chromium) is raised by the first print, which needs the browser.
        self._browser = self._submit(self._launch())

    def _submit(self, coroutine) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _launch(self):
        from playwright.async_api import async_playwright

        executable = chromium_path()
        self._playwright = await async_playwright().start()
        return await self._playwright.chromium.launch(executable_path=executable,
                                                      args=[*CHROMIUM_ARGS, "--no-sandbox"])

    def print_report(self, html: str, hint: dict[str, int], labels: PrintLabels,
                     store: PartStore) -> tuple[bytes, dict[str, int]]:
        """See :func:`print_pdf`."""
        browser = self._browser.result()
        return self._submit(_print_report(browser, html, labels, hint, store)).result()

    def close(self) -> None:
        async def stop() -> None:
            if self._browser.done() and not self._browser.exception():
                await self._browser.result().close()
            if self._playwright is not None:
                await self._playwright.stop()

        try:
            concurrent.futures.wait([self._browser])
            self._submit(stop()).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *_) -> None:
        self.close()


async def _new_page(browser):
    # As wide as the printed page's text block, so what the page measures before printing
    # (see FIT_TABLES) is what the print lays out.
    page = await browser.new_page(viewport={"width": PAGE_TEXT_WIDTH_PX, "height": 1000})
    # Nothing in the static report needs the network; refuse anything that tries.
    await page.route("**/*", lambda route: route.continue_()
                     if route.request.url.startswith(("file:", "data:", "about:"))
                     else route.abort())
    return page


_LINK = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r' id="([^"]+)"')
# How many parts print at once (each in a renderer process of its own, about one core busy).
PART_TABS = 2


def split_parts(html: str) -> list[str]:
    """The static report as one document per part (the template marks where each starts, each
    on a new page): the report's head and that part of its ``<main>``. A link to another part's
    anchor is written as a ``kzpart:`` link (splice.join points it at that anchor), and every
    anchor of the part that any link targets gets a hidden link of its own, so that Chromium,
    which writes a named destination only for an anchor its document links to, writes one.
    A page without marks is one part."""
    if PART_BREAK not in html:
        return [html]
    head, _, body = html.partition("<main>")
    body, _, tail = body.rpartition("</main>")
    targets = set(_LINK.findall(html))
    documents = []
    for chunk in body.split(PART_BREAK):
        ids = set(_ID.findall(chunk))
        chunk = _LINK.sub(lambda m: m.group(0) if m.group(1) in ids
                          else f'href="{PART_LINK}{m.group(1)}"', chunk)
        anchors = "".join(f'<a href="#{target}"></a>' for target in sorted(ids & targets))
        if anchors:
            chunk += ('<div aria-hidden="true" style="position: absolute; top: 0; left: 0; '
                      f'width: 0; height: 0; overflow: hidden">{anchors}</div>')
        documents.append(f"{head}<main>{chunk}</main>{tail}")
    return documents


def print_layout(pdf: bytes) -> tuple[int, dict[str, int]]:
    """A print's page count and the page of each named destination (one per link target)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        index = {page.obj.objgen: number for number, page in enumerate(document.pages, start=1)}
        dests = document.Root.get("/Dests", {})
        return len(index), {str(name).lstrip("/"): index[dests[name][0].objgen]
                            for name in dests.keys()}


def part_key(document: str, numbers: dict[str, int], browser_version: str) -> str:
    """What a part's final print depends on: its page, the numbers in its slots and the browser
    (the PDF's date is stamped after the parts are joined; see stamp_dates)."""
    import hashlib

    return hashlib.sha256(json.dumps(
        [document, numbers, browser_version], sort_keys=True).encode()).hexdigest()


@dataclass
class _Tab:
    page: object = None  # a Playwright page
    loaded: str | None = None  # the part it holds


class _Tabs:
    """At most ``count`` pages of one browser, lent out one part at a time."""

    def __init__(self, browser, count: int) -> None:
        self._browser, self._count = browser, count
        self._made: list[_Tab] = []
        self._free: list[_Tab] = []
        self._returned = asyncio.Condition()

    async def borrow(self, document: str) -> _Tab:
        async with self._returned:
            while not self._free and len(self._made) >= self._count:
                await self._returned.wait()
            if self._free:
                # The tab that holds this part already, if any: no second load.
                tab = next((t for t in self._free if t.loaded is document), self._free[0])
                self._free.remove(tab)
                return tab
            tab = _Tab()
            self._made.append(tab)
        tab.page = await _new_page(self._browser)
        return tab

    async def give_back(self, tab: _Tab) -> None:
        async with self._returned:
            self._free.append(tab)
            self._returned.notify()

    async def close(self) -> None:
        made, self._made, self._free = self._made, [], []
        for tab in made:
            if tab.page is not None:
                await tab.page.close()


async def _print_part(tabs: _Tabs, document: str, pages: dict[str, int], store: PartStore,
                      version: str) -> PrintedPart:
    """One part, printed as :func:`_print_report` says (reused from ``store`` when its final
    print is there)."""
    slots = slot_targets(document)
    final = bool(pages) or not slots
    numbers = {target: pages[target] for target in sorted(slots)} if final and slots else {}
    key = part_key(document, numbers, version)
    if final and (kept := store.get(key)) is not None:
        return kept
    tab = await tabs.borrow(document)
    try:
        if tab.loaded is not document:
            tab.loaded = None
            await _load(tab.page, document)
            await tab.page.evaluate(FIT_TABLES)
            tab.loaded = document
        await tab.page.evaluate(FILL_SLOTS, numbers)
        await tab.page.evaluate(PAINT_TARGETS_ONLY, not final)
        pdf = await _print(tab.page, tagged=final, outline=final)
    finally:
        await tabs.give_back(tab)
    if final:
        # Normalised while the bytes are still Chromium's (qpdf packs them into object streams).
        pdf = renumber_structure_ids(pdf)
    printed = PrintedPart(key, pdf, *await asyncio.to_thread(print_layout, pdf), final=final)
    if final:
        store.put(printed)
    return printed


async def _print_report(browser, html: str, labels: PrintLabels, hint: dict[str, int],
                        store: PartStore) -> tuple[bytes, dict[str, int]]:
    parts = split_parts(html)
    # Every slot's target, and where each chapter starts (for the running header).
    wanted = slot_targets(html) | {target for target, _ in SECTION.findall(html)}
    # Start from the pages of the last print when it had the same targets: after a small
    # edit they rarely move, and one print is then enough.
    pages = {target: hint[target] for target in wanted} if wanted <= hint.keys() else {}
    # The largest parts first, so that two tabs finish close together.
    order = sorted(range(len(parts)), key=lambda i: -len(parts[i]))
    tabs = _Tabs(browser, PART_TABS)
    margins = None
    try:
        for _ in range(MAX_PRINTS):
            # A part without slots is printed tagged at once. A part with slots, until the
            # pages are known, by a pass that only finds where things land: no tags or
            # outline, only the elements links can point to painted (half the time each). The
            # print that is kept must confirm its own numbers.
            done = await asyncio.gather(*(_print_part(tabs, parts[i], pages, store,
                                                      browser.version) for i in order))
            printed = [part for _, part in sorted(zip(order, done))]
            found, before = {}, 0
            for part in printed:
                found.update({target: before + page for target, page in part.destinations.items()})
                before += part.pages
            missing = sorted(wanted - found.keys())
            if missing:
                raise ExportError("the PDF has no destination for " + ", ".join(missing))
            found = {target: found[target] for target in wanted}
            if all(part.final for part in printed) and found == pages:
                break
            pages = found
        else:
            raise ExportError(f"page numbers still moved after {MAX_PRINTS} prints")
        await tabs.close()  # the renderers' memory back before the join (and again below on error)
        store.keep_only({part.key for part in printed})
        document = await asyncio.to_thread(join, [part.pdf for part in printed])
        stamp_dates(document)
        headers = running_headers(html, pages, len(document.pages), labels.contents)
        margins = await browser.new_page()
        await _load(margins, margins_page(headers, labels))
        # Its fonts are subsets too, tagged as a part after the last (see splice.retag_font_subsets).
        overlay = retag_font_subsets(await _print(margins), len(printed))
    finally:
        await tabs.close()
        if margins is not None:
            await margins.close()
    return await asyncio.to_thread(lay_over, document, overlay), pages


# The margins (running header, footer), drawn after the page's own content and marked as a
# pagination artifact so they stay out of the tagged structure.
MARGINS_DRAW = (b"\nQ\n/Artifact <</Type /Pagination>> BDC\n"
                b"q /KzMargins Do Q\nEMC\n")


def lay_over(document, overlay: bytes) -> bytes:
    """Draw page i of ``overlay`` (the margins: running header and footer) over page i of
    ``document`` (a pikepdf.Pdf, closed here) as a pagination artifact (the overlay page as a
    form XObject; the page's own content untouched). qpdf (pikepdf) writes the result with object
    streams: Chromium's tagged-PDF structure is tens of thousands of small uncompressed objects,
    and packing them more than halves the file."""
    import pikepdf

    with document, pikepdf.open(io.BytesIO(overlay)) as over:
        if len(over.pages) != len(document.pages):
            raise ExportError(f"the page margins took {len(over.pages)} pages for "
                              f"{len(document.pages)} pages of report")
        for page, margins in zip(document.pages, over.pages):
            form = document.copy_foreign(margins.as_form_xobject())
            page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/KzMargins"))
            page.contents_add(pikepdf.Stream(document, b"q\n"), prepend=True)
            page.contents_add(pikepdf.Stream(document, MARGINS_DRAW))
        out = io.BytesIO()
        # deterministic_id: the file identifier from the content, so the same inputs give the
        # same bytes.
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      compress_streams=True, deterministic_id=True)
        return out.getvalue()


def print_pdf(static_html: str, hint: dict[str, int] | None = None,
              labels: PrintLabels | None = None, chromium: Chromium | None = None,
              store: PartStore | None = None) -> tuple[bytes, dict[str, int]]:
    """Print the static rendering (from :func:`to_html` with ``static=True``) to an A4 PDF.
    ``hint``: the pages of the last print (see :func:`_print_report`); ``chromium``: a browser
    launched ahead (by default one is launched for this print); ``store``: the final prints of
    parts kept from earlier builds (by default, none). Returns the PDF and the page each link
    target landed on."""
    labels = labels or PrintLabels.current()
    store = store if store is not None else PartStore()
    if chromium is not None:
        return chromium.print_report(static_html, hint or {}, labels, store)
    with Chromium() as own:
        return own.print_report(static_html, hint or {}, labels, store)


def stamp_dates(document) -> None:
    """Date the joined PDF (a pikepdf.Pdf): SOURCE_DATE_EPOCH when it is set, so the same inputs
    give the same bytes, else now. Each part carries the time it was printed, which for a part
    kept from an earlier build is not this build's."""
    import pikepdf

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = time.gmtime(int(epoch)) if epoch else time.gmtime()
    stamp = pikepdf.String("D:" + time.strftime("%Y%m%d%H%M%S", moment) + "+00'00'")
    document.docinfo[pikepdf.Name.CreationDate] = stamp
    document.docinfo[pikepdf.Name.ModDate] = stamp
