"""Assemble executed chapters into one report notebook, plus the front and back matter.

The report notebook keeps only what a reader sees: Markdown cells and the outputs of code cells
(charts, tables, narrative). Figures are numbered here, in reading order. The title page, table of
contents, Sources section and the "About this build" appendix are built as escaped HTML from the
data and the build's own record, so nothing a CSV contains can become markup.
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

from . import i18n
from .config import PROJECT_ROOT, Config
from .i18n import _
from .render import META_KEY

KEY_PACKAGES = ("altair", "vl-convert-python", "pandas", "frictionless", "papermill", "nbconvert",
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
    about_html: str
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
                cells.append(nbformat.v4.new_markdown_cell(heading + "\n" + rest))
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


def _number_figures(cells: list, chapter: int, figures: list, numbers: dict[str, int]) -> None:
    """Number figures in reading order and point their captions at the Sources section."""
    for cell in cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(META_KEY, {})
            if meta.get("figure"):
                meta["number"] = len(figures) + 1
                meta["chapter"] = chapter
                meta["source_line"] = source_line(meta.get("source_ids", []), meta.get("sources", []),
                                                  numbers)
                figures.append(meta)


def ranges(values: list[int]) -> str:
    """'1, 3–5, 9' from [1, 3, 4, 5, 9]."""
    parts, run = [], []
    for value in sorted(set(values)):
        if run and value == run[-1] + 1:
            run.append(value)
            continue
        if run:
            parts.append(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
        run = [value]
    if run:
        parts.append(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)))
    return ", ".join(parts)


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
    numbers = {source_id: n for n, source_id in enumerate(listed["source_id"], start=1)}
    toc, figures = [], []
    for number, path in enumerate(executed, start=1):
        nb = nbformat.read(path, as_version=4)
        cells, title = _chapter_cells(nb, number)
        start = len(figures)
        _number_figures(cells, number, figures, numbers)
        toc.append((number, title, figures[start:]))
        report.cells.extend(cells)
    front = Front(
        title=i18n.p_("report", config.title),
        subtitle=i18n.p_("report", config.subtitle) if config.subtitle else "",
        built=build_time().strftime("%Y-%m-%d %H:%M UTC"),
        data_version=data_version(data_files),
        toc_html=_toc_html(toc),
        sources_html=sources_html(listed),
        about_html=_about_html(parameters, inputs),
        language=i18n.language(), words=template_words(),
    )
    return report, front


def template_words() -> dict:
    """The words of the report's frame (title page, contents, back matter, captions)."""
    return {"kicker": _("kzunrest · reproducible report"), "built": _("Built"),
            "data_version": _("Data version"), "contents": _("Contents"),
            "figure": _("Figure"), "sources": _("Sources"), "sources_label": _("Sources:"),
            "about": _("About this build"), "not_drawn": _("This chart could not be drawn:")}


def data_version(data_files: list[Path]) -> str:
    """Short digest over the data files: two reports with the same data show the same version."""
    digest = hashlib.sha256()
    for path in sorted(data_files, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _toc_html(toc: list) -> str:
    items = []
    for number, title, figures in toc:
        figs = "".join(f'<li><a href="#figure-{f["number"]}">{html.escape(_("Figure"))} {f["number"]}. '
                       f'{html.escape(f["title"] or f["caption"])}</a></li>' for f in figures)
        items.append(f'<li><a href="#chapter-{number}">{number}. {html.escape(title)}</a>'
                     + (f'<ol class="toc-figures">{figs}</ol>' if figs else "") + "</li>")
    items.append(f'<li><a href="#sources">{html.escape(_("Sources"))}</a></li>')
    items.append(f'<li><a href="#about">{html.escape(_("About this build"))}</a></li>')
    return '<ol class="toc">' + "".join(items) + "</ol>"


def safe_link(url: str, text: str) -> str:
    """A link only for http(s) URLs; anything else (javascript:, data:, ...) stays plain text."""
    shown = html.escape(text)
    if re.match(r"^https?://[^\s\"'<>]+$", url or "", flags=re.IGNORECASE):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{shown}</a>'
    return shown


def cited_in_order(sources: pd.DataFrame, cited: set[str]) -> pd.DataFrame:
    """The cited sources in the order of the Sources section: publisher, then date, then id."""
    rows = sources[sources["source_id"].isin(cited)].copy()
    rows["publisher_key"] = rows["publisher"].str.lower()
    rows["date_key"] = rows["date_published"].fillna(pd.Timestamp("2100-01-01"))
    return rows.sort_values(["publisher_key", "date_key", "source_id"], ignore_index=True)


def sources_html(rows: pd.DataFrame) -> str:
    items = []
    for row in rows.itertuples():
        date = _("n.d.") if pd.isna(row.date_published) else f"{row.date_published:%Y-%m-%d}"
        author = "" if pd.isna(row.author) else f"{html.escape(row.author)}. "
        items.append(
            f'<li id="source-{html.escape(row.source_id)}"><span class="source-id">'
            f"{html.escape(row.source_id)}</span> {author}{safe_link(row.url, row.title)}. "
            f"<em>{html.escape(row.publisher)}</em>, {date}. "
            f'<span class="source-url">{html.escape(row.url)}</span> '
            + html.escape(_("(accessed {date})").format(date=f"{row.date_accessed:%Y-%m-%d}"))
            + "</li>")
    lead = i18n.n_("{n} source is cited by the data behind this report.",
                   "{n} sources are cited by the data behind this report.", len(items))
    return (f'<p>{html.escape(lead.format(n=i18n.number(len(items))))}</p>'
            f'<ol class="sources">{"".join(items)}</ol>')


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
        f"<tr><td><code>{html.escape(_relative(p))}</code></td><td><code>"
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
        f"<h3>{w['parameters']}</h3><table class=\"kz-table\"><thead><tr><th>{w['chapter']}</th>"
        f"<th>{w['parameter']}</th><th>{w['value']}</th></tr></thead><tbody>{params}</tbody></table>"
        f"<h3>{w['files']}</h3><table class=\"kz-table hashes\"><thead><tr><th>{w['file']}</th>"
        f"<th>SHA-256</th></tr></thead><tbody>{files}</tbody></table>"
        f"<h3>{w['software']}</h3><table class=\"kz-table\"><thead><tr><th>{w['package']}</th>"
        f"<th>{w['version']}</th></tr></thead><tbody>{versions_html}</tbody></table>")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
