"""Assemble executed chapters into one report notebook, plus the front and back matter.

The report notebook keeps only what a reader sees: Markdown cells and the outputs of code cells
(charts, tables, narrative). Figures and tables are numbered here, in reading order, and the
chapters' cross-references (``[Figure](#figure:<label>)``, ``[Table](#table:<label>)``,
``[Chapter](#chapter:<notebook name>)``) become links reading "Figure 4". Each link, and each entry
of the contents and the lists of figures and tables, carries an empty page-number slot
(``<span class="kz-page" data-for="figure-4">``) that the PDF export fills in (see export.py); the
HTML leaves it out. The title page, contents, Sources section and the "About this build" appendix
are built as escaped HTML from the data and the build's own record, so nothing a CSV contains can
become markup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nbformat
import pandas as pd

from . import figuredata, i18n
from .citations import source_labels
from .config import Config
from .errors import ChapterError
from .i18n import _
from .paths import PROJECT_ROOT, in_project
from .render import META_KEY

# A cross-reference in a chapter's Markdown: [Figure](#figure:spread-map). The text is the word
# as the sentence needs it (JupyterLab shows it as it is); the report adds the item's number.
# A translated sentence declines the word: "В [таблице](#table:tolls)", "[кестеде](#table:tolls)".
REFERENCE = re.compile(r"\[([^\]]*)\]\(#(figure|table|chapter):([A-Za-z0-9_.-]+)\)")


def reference_words(kind: str, number: int) -> str:
    """'Figure 4', 'Table 2', 'Chapter 3' in the report's language."""
    words = {"figure": _("Figure {number}"), "table": _("Table {number}"),
             "chapter": _("Chapter {number}")}
    return words[kind].format(number=number)


def reference_in_sentence(word: str, kind: str, number: int) -> str:
    """The word a sentence gives a reference, with the number where the language puts it
    ('Table 4', 'таблице 4', '4-кестеде'); without a word, :func:`reference_words`."""
    if not word.strip():
        return reference_words(kind, number)
    return _("{word} {number}").format(word=word.strip(), number=number)


KEY_PACKAGES = ("altair", "vl-convert-python", "pandas", "papermill", "nbconvert",
                "nbclient", "ipykernel", "playwright")


@dataclass
class Front:
    """What the template needs besides the cells."""

    title: str
    subtitle: str
    built: str
    data_version: str
    toc_html: str
    sources_html: str
    # The PDF's contents: the HTML's, and the appendix of the figures' data, which only the PDF has.
    toc_print_html: str
    about_html: str
    data_appendix_html: str = ""
    language: str = "en"
    words: dict | None = None  # the template's own words, in the report's language

    def as_resources(self) -> dict:
        return self.__dict__.copy()


def build_time() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so two builds of the same inputs are identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def _chapter_cells(nb: nbformat.NotebookNode, number: int) -> tuple[list, str]:
    """Reader-facing cells of one chapter; its first ``# `` heading becomes the numbered title."""
    untitled = _("Chapter {number}").format(number=number)
    cells, title = [], untitled
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.match(r"\s*#\s+(.+)", cell.source)
            if match and title == untitled:
                title = match.group(1).strip()
                rest = cell.source[match.end():]
                heading = (f'<h1 class="chapter" id="chapter-{number}">'
                           f'<span class="chapter-number">{number}</span> {html.escape(title)}</h1>')
                # Marked as a chapter's start: the PDF prints each chapter on its own (see
                # export.split_parts).
                cells.append(nbformat.v4.new_markdown_cell(
                    heading + "\n" + rest, metadata={META_KEY: {"starts_chapter": number}}))
            else:
                cells.append(cell)
        elif cell.cell_type == "code" and cell.get("outputs"):
            tags = cell.metadata.get("tags", [])
            if "parameters" in tags or "injected-parameters" in tags:
                continue
            kept = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
            if kept:
                code = nbformat.v4.new_code_cell(source="", outputs=kept)
                cells.append(code)
    return cells, title


def _number_figures(cells: list, chapter: int, figures: list, numbers: dict[str, int],
                    tables: list | None = None, labels: dict[str, str] | None = None) -> None:
    """Number figures and tables in reading order; point figure captions at the Sources section,
    give each figure its data and description, and write each table's number into its caption
    with its cited sources linked."""
    tables = [] if tables is None else tables
    for cell in cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(META_KEY, {})
            if meta.get("figure"):
                meta["number"] = len(figures) + 1
                meta["chapter"] = chapter
                meta["figure_words"] = reference_words("figure", meta["number"])
                meta["appendix_words"] = _("appendix, Figure {number}").format(number=meta["number"])
                meta["source_line"] = source_line(meta.get("source_ids", []), meta.get("sources", []),
                                                  numbers)
                figuredata.annotate_figure(output, meta, numbers, labels or {})
                figures.append(meta)
            elif meta.get("table") and "text/html" in output.get("data", {}):
                meta["number"] = len(tables) + 1
                meta["chapter"] = chapter
                tables.append(meta)
                output["data"]["text/html"] = table_html(output["data"]["text/html"], meta["number"])
                figuredata.link_table_sources(output, meta, numbers)


def page_slot(target: str) -> str:
    """Where the PDF export writes the page on which ``target`` (an element id) starts."""
    return f'<span class="kz-page" data-for="{target}"></span>'


def table_html(body: str, number: int) -> str:
    """A rendered table with its number in the caption (one is added when it has none), an id to
    link to, and break opportunities after the punctuation of long identifiers and URLs."""
    label = f'<span class="kz-table-number">{html.escape(reference_words("table", number))}.</span>'
    body = body.replace('class="dataframe kz-table', 'class="dataframe kz-table kz-cards', 1)
    if "<caption>" in body:
        body = body.replace("<caption>", f"<caption>{label} ", 1)
    else:
        body = re.sub(r"(<table[^>]*>)", rf"\1<caption>{label}</caption>", body, count=1)
    body = body.replace('<div class="kz-table-wrap">', f'<div class="kz-table-wrap" id="table-{number}">', 1)
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", body.split("</thead>", 1)[0])

    def row(match: re.Match) -> str:  # each cell names its column, for the card layout on phones
        cells = iter(heads)
        return re.sub(r"(<td[^>]*>)([^<]*)(</td>)", lambda m: _cell(
            m.group(1).replace("<td", f'<td data-label="{next(cells, "")}"', 1), m.group(2))
            + m.group(3), match.group(0))

    return re.sub(r"<tr>.*?</tr>", row, body, flags=re.S)


ISO_DATE = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})(?![\w-])")
DATE_LIKE = re.compile(r"^\s*(\d{4}-\d{2}(-\d{2})?|(\d{1,2} )?[A-Z][a-z]+ \d{4}|[\d.,%–-]+)\s*$")


def _cell(open_tag: str, text: str) -> str:
    """Dates and numbers stay on one line; long identifiers and URLs may break after '/', '-',
    '_', '.', '?', '&', '=' or ':' but never inside a word."""
    if DATE_LIKE.match(text):
        return open_tag.replace("<td", '<td class="kz-nowrap"', 1) + text
    text = re.sub(r"\S{16,}", lambda m: wbr(m.group(0)), text)
    return open_tag + ISO_DATE.sub(r'<span class="kz-nowrap">\1</span>', text)


def wbr(token: str) -> str:
    """Break opportunities (<wbr>) after the punctuation inside an (already escaped) token."""
    return re.sub(r"(?<=[/_.?=:-])(?=[^\s/_.?=:-])|(?<=&amp;)", "<wbr>", token)


def resolve_references(cells: list, targets: dict[tuple[str, str], tuple[str, int]],
                       chapter_of_cell: list[str]) -> None:
    """Turn every cross-reference in the Markdown cells into a link reading 'Figure 4' followed by
    a page slot ('Figure 4, page 9' in the PDF). An unknown label stops the build."""
    for cell, chapter in zip(cells, chapter_of_cell):
        if cell.cell_type != "markdown":
            continue

        def link(match: re.Match) -> str:
            kind, label = match.group(2), match.group(3)
            if (kind, label) not in targets:
                known = sorted(name for k, name in targets if k == kind)
                raise ChapterError(
                    f"{chapter}: {match.group(0)} refers to no {kind} labelled {label!r}; "
                    f"labels of {kind}s in this report: {', '.join(known) or 'none'}")
            target, number = targets[(kind, label)]
            words = html.escape(reference_in_sentence(match.group(1), kind, number), quote=False)
            page = html.escape(_(", page {page}")).format(page=page_slot(target))
            return (f'<a class="kz-ref" href="#{target}">{words}'
                    f'<span class="kz-print">{page}</span></a>')

        cell.source = REFERENCE.sub(link, cell.source)


def runs(values: list[int]) -> list[list[int]]:
    """The runs of consecutive numbers in ``values``: [[1], [3, 4, 5], [9]] from [9, 1, 3, 4, 5]."""
    found: list[list[int]] = []
    for value in sorted(set(values)):
        if found and value == found[-1][-1] + 1:
            found[-1].append(value)
        else:
            found.append([value])
    return found


def ranges(values: list[int]) -> str:
    """'1, 3–5, 9' from [1, 3, 4, 5, 9]."""
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run))
                     for run in runs(values))


def source_line(source_ids: list[str], names: list[str], numbers: dict[str, int],
                shown: int = 6) -> str:
    """Caption line naming a figure's sources; long lists name the first few and give the
    numbers of all of them in the Sources section."""
    more = _("and {n} more").format(n=len(names) - shown)
    named = "; ".join(names[:shown]) + (f"; {more}" if len(names) > shown else "")
    refs = ranges([numbers[s] for s in source_ids if s in numbers])
    return _("{named} (Sources nos. {refs})").format(named=named, refs=refs) if refs else named


def assemble(config: Config, executed: list[Path], sources: pd.DataFrame, cited: set[str],
             data_files: list[Path], inputs: list[Path],
             parameters: dict[str, dict]) -> tuple[nbformat.NotebookNode, Front]:
    report = nbformat.v4.new_notebook()
    report.metadata["title"] = i18n.p_("report", config.title)
    listed = cited_in_order(sources, cited)
    numbers = source_numbers(listed)
    labels = source_labels(sources)
    toc, figures, tables, chapter_of_cell = [], [], [], []
    targets: dict[tuple[str, str], tuple[str, int]] = {}
    for number, path in enumerate(executed, start=1):
        nb = nbformat.read(path, as_version=4)
        cells, title = _chapter_cells(nb, number)
        _number_figures(cells, number, figures, numbers, tables, labels)
        toc.append((number, title))
        targets[("chapter", path.stem)] = (f"chapter-{number}", number)
        report.cells.extend(cells)
        chapter_of_cell += [path.stem] * len(cells)
    for kind, items in (("figure", figures), ("table", tables)):
        for item in items:
            if item.get("label"):
                targets[(kind, item["label"])] = (f"{kind}-{item['number']}", item["number"])
    resolve_references(report.cells, targets, chapter_of_cell)
    front = Front(
        title=i18n.p_("report", config.title),
        subtitle=i18n.p_("report", config.subtitle) if config.subtitle else "",
        built=build_time().strftime("%Y-%m-%d %H:%M UTC"),
        data_version=data_version(data_files),
        toc_html=_toc_html(toc, figures, tables),
        toc_print_html=_toc_html(toc, figures, tables, appendix=bool(figures)),
        sources_html=sources_html(listed, figuredata.source_uses(figures, tables)),
        about_html=_about_html(parameters, inputs),
        data_appendix_html=figuredata.appendix_html(figures, numbers, labels),
        language=i18n.language(), words=template_words(),
    )
    return report, front


def template_words() -> dict:
    """The words of the report's frame (title page, contents, back matter, captions)."""
    return {"kicker": _("kzunrest · reproducible report"), "built": _("Built"),
            "data_version": _("Data version"), "contents": _("Contents"),
            "figure": _("Figure"), "sources": _("Sources"), "sources_label": _("Sources:"),
            "about": _("About this build"), "not_drawn": _("This chart could not be drawn:"),
            "data_drawn": _("The data drawn:"),
            "appendix": _("Appendix: the data behind the figures"),
            "appendix_lead": _("Each figure's data as drawn, one row per mark; the HTML edition "
                               "offers each table as a CSV file.")}


def data_version(data_files: list[Path]) -> str:
    """Short digest over the data files: two reports with the same data show the same version."""
    digest = hashlib.sha256()
    for path in sorted(data_files, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


APPENDIX_ID = "appendix-data"  # the PDF's appendix of the figures' data (see the template)


def _toc_entry(target: str, text: str) -> str:
    return (f'<li><a href="#{target}"><span class="toc-text">{text}</span>'
            f"{page_slot(target)}</a></li>")


def _toc_html(toc: list, figures: list, tables: list, appendix: bool = False) -> str:
    """Contents, then the lists of figures and of tables; each entry links to its item and has a
    page slot the PDF fills in. ``appendix``: list the appendix of the figures' data."""
    items = [_toc_entry(f"chapter-{number}", f"{number}. {html.escape(title)}")
             for number, title in toc]
    if appendix:
        items.append(_toc_entry(APPENDIX_ID, html.escape(template_words()["appendix"])))
    items += [_toc_entry("sources", html.escape(_("Sources"))),
              _toc_entry("about", html.escape(_("About this build")))]
    parts = ['<ol class="toc">' + "".join(items) + "</ol>"]
    for kind, heading, entries in (("figure", _("Figures"), figures), ("table", _("Tables"), tables)):
        if entries:
            listed = "".join(_toc_entry(
                f"{kind}-{e['number']}",
                f"{html.escape(reference_words(kind, e['number']))}. "
                f"{html.escape(e.get('title') or e.get('caption') or '')}") for e in entries)
            parts.append(f'<h3 class="toc-list">{html.escape(heading)}</h3>'
                         f'<ol class="toc toc-{kind}s">{listed}</ol>')
    return "".join(parts)


def safe_link(url: str, text: str) -> str:
    """A link only for http(s) URLs; anything else (javascript:, data:, ...) stays plain text."""
    shown = html.escape(text)
    if re.match(r"^https?://[^\s\"'<>]+$", url or "", flags=re.IGNORECASE):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{shown}</a>'
    return shown


def source_numbers(listed: pd.DataFrame) -> dict[str, int]:
    """Each cited source's number in the Sources section (``listed``: :func:`cited_in_order`).
    They depend on the data alone, so the build can send them to the chapter kernels before any
    chapter has run (see render.REPORT_SOURCES)."""
    return {source_id: n for n, source_id in enumerate(listed["source_id"], start=1)}


def cited_in_order(sources: pd.DataFrame, cited: set[str]) -> pd.DataFrame:
    """The cited sources in the order of the Sources section: publisher, then date, then id."""
    rows = sources[sources["source_id"].isin(cited)].copy()
    rows["publisher_key"] = rows["publisher"].str.lower()
    rows["date_key"] = rows["date_published"].fillna(pd.Timestamp("2100-01-01"))
    return rows.sort_values(["publisher_key", "date_key", "source_id"], ignore_index=True)


def sources_html(rows: pd.DataFrame, uses: dict[str, list] | None = None) -> str:
    """The numbered Sources list; ``uses`` (source id -> figures and tables) names where each
    source is used. Entry N is ``#source-N``."""
    items = []
    for number, row in enumerate(rows.itertuples(), start=1):
        date = _("n.d.") if pd.isna(row.date_published) else f"{row.date_published:%Y-%m-%d}"
        author = "" if pd.isna(row.author) else f"{html.escape(row.author)}{_full_stop(row.author)} "
        items.append(
            f'<li id="source-{number}"><span class="source-id">'
            f"{html.escape(row.source_id)}</span> {author}{safe_link(row.url, row.title)}"
            f"{_full_stop(row.title)} <em>{html.escape(row.publisher)}</em>, {date}{_full_stop(date)} "
            f'<span class="source-url">{wbr(html.escape(row.url))}</span> '
            + html.escape(_("(accessed {date})").format(date=f"{row.date_accessed:%Y-%m-%d}"))
            + f"{figuredata.uses_html((uses or {}).get(row.source_id, []))}</li>")
    lead = i18n.n_("{n} source is cited by the data behind this report.",
                   "{n} sources are cited by the data behind this report.", len(items))
    return (f'<p>{html.escape(lead.format(n=i18n.number(len(items))))}</p>'
            + "".join(f'<ol class="sources" start="{first + 1}">{"".join(part)}</ol>'
                      for first, part in _parts(items, SOURCES_PER_LIST)))


# Chromium's print lays out one list of many entries over many pages in time and memory that
# grow faster than the list: 2,827 entries in one <ol> took 9 s and 2.3 GB to print untagged,
# the same entries in lists of 300 to 600, 3 s and 1.2 GB. The numbering runs on across lists.
SOURCES_PER_LIST = 150


def _parts(items: list, size: int):
    """(index of the first item, items) for consecutive runs of ``size`` items."""
    return ((first, items[first:first + size]) for first in range(0, len(items), size))


def _full_stop(text: str) -> str:
    """The full stop after an element of a Sources entry, unless the text ends a sentence already
    ('n.d.', a title ending in a question mark): no 'n.d..'."""
    return "" if text.rstrip().endswith((".", "?", "!", "…")) else "."


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()
        return commit + (" " + _("(with uncommitted changes)") if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return _("unknown (not a git checkout)")


def _about_html(parameters: dict[str, dict], inputs: list[Path]) -> str:
    params = "".join(
        f"<tr><td>{html.escape(chapter)}</td><td><code>{html.escape(name)}</code></td>"
        f"<td><code>{html.escape(repr(value))}</code></td></tr>"
        for chapter, values in parameters.items() for name, value in values.items())
    files = "".join(
        f"<tr><td><code>{html.escape(in_project(p))}</code></td><td><code>"
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}</code></td></tr>" for p in inputs)
    versions = [("Python", platform.python_version())]
    for name in KEY_PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, _("not installed")))
    versions_html = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(v)}</td></tr>"
                            for n, v in versions)
    w = {key: html.escape(text) for key, text in {
        "commit": _("Git commit:"), "parameters": _("Parameters"), "chapter": _("Chapter"),
        "parameter": _("Parameter"), "value": _("Value"), "files": _("Input files (SHA-256)"),
        "file": _("File"), "software": _("Software"), "package": _("Package"),
        "version": _("Version")}.items()}
    letters = i18n.LETTERS.get(i18n.language(), "")
    lead = html.escape(_("Letters of this edition’s alphabet, for checking the fonts:"))
    check = (f'<p class="font-check">{lead} <span lang="{i18n.language()}">'
             f"{html.escape(letters)}</span></p>" if letters else "")
    return (
        f"<p>{w['commit']} <code>{html.escape(git_commit())}</code></p>{check}"
        f"<h3>{w['parameters']}</h3><div class=\"kz-table-wrap\"><table class=\"kz-table\"><thead><tr>"
        f"<th>{w['chapter']}</th><th>{w['parameter']}</th><th>{w['value']}</th></tr></thead>"
        f"<tbody>{params}</tbody></table></div>"
        f"<h3>{w['files']}</h3><div class=\"kz-table-wrap\"><table class=\"kz-table hashes\">"
        f"<thead><tr><th>{w['file']}</th><th>SHA-256</th></tr></thead><tbody>{files}</tbody></table></div>"
        f"<h3>{w['software']}</h3><div class=\"kz-table-wrap\"><table class=\"kz-table\"><thead><tr>"
        f"<th>{w['package']}</th><th>{w['version']}</th></tr></thead><tbody>{versions_html}</tbody>"
        "</table></div>")
