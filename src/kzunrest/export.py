"""Export the assembled report with nbconvert: interactive HTML and an A4 PDF.

Both use the ``kzreport`` template shipped in this package. The HTML embeds the Vega JavaScript
once (from vl-convert, no CDN) and draws every chart from its Vega spec. The PDF is the same
template in static mode — each chart as the SVG vl-convert rendered at execution time — printed by
Debian's Chromium through nbconvert's WebPDF exporter, since Playwright cannot download its own
browser here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
from importlib import resources
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter, WebPDFExporter

from . import __version__
from .errors import ExportError

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


def _exporter(kind: type[HTMLExporter]) -> HTMLExporter:
    # Traits go to the constructor: the template environment is built from them at init.
    return kind(extra_template_basedirs=[str(TEMPLATE_DIR)], template_name="kzreport",
                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                filters={"kz_json": kz_json, "kz_vega": kz_vega})


def _resources(front: dict, static: bool) -> dict:
    css = (TEMPLATE_DIR / "kzreport" / "report.css").read_text(encoding="utf-8")
    kz = {"front": front, "static": static, "css": css, "version": __version__}
    if not static:
        import vl_convert

        kz["vega_js"] = vl_convert.javascript_bundle()
    return {"kz": kz}


def to_html(report: nbformat.NotebookNode, front: dict, static: bool = False) -> str:
    html, _ = _exporter(HTMLExporter).from_notebook_node(report, resources=_resources(front, static))
    return html


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ExportError("Chromium not found: the PDF is printed by Debian's chromium package. "
                          "Run `make system-deps` (or `apt-get install chromium`), or set "
                          f"{CHROMIUM_ENV} to a Chromium binary")
    return found


class ChromiumPDFExporter(WebPDFExporter):
    """nbconvert's WebPDF exporter, printing with a given Chromium: A4, page numbers in the footer."""

    def run_playwright(self, html: str) -> bytes:
        return asyncio.run(_print_pdf(html, chromium_path()))


async def _print_pdf(html: str, executable: str) -> bytes:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=[*CHROMIUM_ARGS, "--no-sandbox"])
        try:
            page = await browser.new_page()
            # Nothing in the static report needs the network; refuse anything that tries.
            await page.route("**/*", lambda route: route.continue_()
                             if route.request.url.startswith(("file:", "data:", "about:"))
                             else route.abort())
            await page.set_content(html, wait_until="load")
            await page.emulate_media(media="print")
            return await page.pdf(
                format="A4", print_background=True, prefer_css_page_size=True,
                display_header_footer=True, header_template="<span></span>",
                footer_template=(
                    '<div style="font-family: DejaVu Sans, sans-serif; font-size: 8px; color: #666;'
                    ' width: 100%; padding: 0 16mm; display: flex; justify-content: space-between;">'
                    f"<span>{_footer_words()[0]}</span>"
                    f"<span>{_footer_words()[1]}</span></div>"),
                tagged=True, outline=True)
        finally:
            await browser.close()


def _footer_words() -> tuple[str, str]:
    """The page footer's words in the report's language (Chromium fills in the numbers)."""
    import html

    from .i18n import _

    page = html.escape(_("Page {page} of {total}")).format(
        page='<span class="pageNumber"></span>', total='<span class="totalPages"></span>')
    return html.escape(_("Kazakhstan, January 2022 · kzunrest")), page


def print_pdf(static_html: str) -> bytes:
    """Print the static rendering (from :func:`to_html` with ``static=True``) to an A4 PDF."""
    return stamp_dates(renumber_structure_ids(ChromiumPDFExporter().run_playwright(static_html)))


def renumber_structure_ids(pdf: bytes) -> bytes:
    """Chromium names the tagged-PDF structure elements after its DOM node counter
    (``/ID (node00001296)``), which can start one higher from one run to the next. Counting from
    the lowest id makes them depend on the document only. Same width, so offsets stay valid."""
    pattern = rb"\(node(\d{8})\)"
    ids = [int(n) for n in re.findall(pattern, pdf)]
    if not ids:
        return pdf
    lowest = min(ids)
    return re.sub(pattern, lambda m: b"(node%08d)" % (int(m.group(1)) - lowest), pdf)


def stamp_dates(pdf: bytes) -> bytes:
    """With SOURCE_DATE_EPOCH set, write it into the PDF's CreationDate and ModDate (Chromium puts
    the print time there), so the same inputs give the same bytes. Same-length replacement keeps
    the cross-reference offsets valid."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return pdf
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch))).encode() + b"+00'00'"

    def replace(match: re.Match) -> bytes:
        return b"(D:" + stamp + b")" if len(match.group(1)) == len(stamp) else match.group(0)

    return re.sub(rb"\(D:([0-9]{14}[^)]*)\)", replace, pdf)
