"""Offline rendering of Altair charts, and safe text for notebook outputs.

Altair's default HTML output loads Vega from a CDN and draws nothing offline. Here each chart is
shown as one output carrying, at once:

* ``application/vnd.vega.v5+json`` — the chart compiled to a Vega spec by vl-convert (no network).
  JupyterLab draws it with its built-in Vega renderer, offline and even in untrusted notebooks; the
  report's nbconvert template draws it with the Vega bundle embedded once per page.
* ``image/svg+xml`` — a static vector image rendered by vl-convert, used for the PDF.
* ``text/plain`` — a one-line fallback.

The output's metadata names the figure (title, caption, sources) so the report can number it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import altair as alt
import pandas as pd
import vl_convert as vlc

from . import i18n
from .citations import source_names
from .i18n import _

VEGA_MIMETYPE = "application/vnd.vega.v5+json"
# JupyterLab 4's renderer bundles Vega 5; the Vega 6 specs vl-convert compiles use nothing newer.
_VEGA5_SCHEMA = "https://vega.github.io/schema/vega/v5.json"
META_KEY = "kzunrest"
# Whether each chart output carries its static SVG (for the PDF). Chapters executed by
# `kzunrest build` carry it only when the build prints a PDF (see build._enter_chapter_kernel);
# everywhere else (JupyterLab, Papermill on its own) they do.
STATIC_SVG = True
# The report's source numbers and labels (assemble.source_numbers, citations.source_labels), set
# by the build in its chapter kernels: the report numbers every chart's sources in its tooltips
# (figuredata.numbered_spec), so the SVG drawn here for the PDF is drawn from the spec
# numbered the same way. The chapter's own output keeps the spec as the chapter made it.
REPORT_SOURCES: tuple[dict[str, int], dict[str, str]] | None = None


def spec_bundle(spec: dict) -> dict:
    """The mimebundle for one Vega-Lite spec: interactive Vega spec, static SVG (see
    ``STATIC_SVG``), text fallback. Dates and numbers the chart formats itself (axes, tooltips)
    follow the report's language: the locale is carried in the spec, so the interactive chart and
    the SVG (rendered here or by the build) format the same way."""
    return _bundle(spec)[0]


def _bundle(spec: dict) -> tuple[dict, str | None]:
    """:func:`spec_bundle`, and the digest of the spec its SVG was drawn from (None: no SVG)."""
    locale = i18n.vega_locale()
    if locale:
        spec = {**spec, "config": {**spec.get("config", {}), "locale": locale}}
    vega = vlc.vegalite_to_vega(spec)
    vega["$schema"] = _VEGA5_SCHEMA
    bundle = {VEGA_MIMETYPE: vega, "text/plain": f"<chart: {spec_title(spec)}>"}
    if not STATIC_SVG:
        return bundle, None
    drawn = _as_in_report(vega)
    bundle["image/svg+xml"] = vlc.vega_to_svg(drawn)
    return bundle, spec_digest(drawn)


def _as_in_report(vega: dict) -> dict:
    """The spec as the report will carry it (see REPORT_SOURCES)."""
    if REPORT_SOURCES is None:
        return vega
    from .figuredata import numbered_spec

    return numbered_spec(vega, *REPORT_SOURCES)


def spec_digest(vega: dict) -> str:
    """Names a Vega spec by its content (a figure's SVG records the spec it was drawn from)."""
    from .cache import content_digest

    return content_digest(vega)


def chart_bundle(chart: alt.TopLevelMixin) -> dict:
    return spec_bundle(chart.to_dict())


def spec_title(spec: dict) -> str:
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title)


def chart_title(chart: alt.TopLevelMixin) -> str:
    return spec_title(chart.to_dict())


def _altair_renderer(spec: dict, **_) -> dict:
    """Altair renderer entry point: a bare ``chart`` in a cell renders offline too."""
    return spec_bundle(spec)


def enable() -> None:
    """Make plain ``chart`` displays in this kernel render offline."""
    if "kzunrest" not in alt.renderers.names():
        alt.renderers.register("kzunrest", _altair_renderer)
    alt.renderers.enable("kzunrest")


# ---------------------------------------------------------------------------------------------
# Figures with caption and sources


def figure(chart: alt.TopLevelMixin, caption: str, source_ids: Iterable[str],
           sources: pd.DataFrame, label: str | None = None) -> None:
    """Display a chart with its caption, the sources it draws on, the data it draws (one table
    per dataset, read from the spec by :mod:`kzunrest.chartdata`) and a description of that data
    (:mod:`kzunrest.describe`), which the report uses as the chart's accessible description.
    ``label`` names the figure for cross-references in the chapters' Markdown:
    ``[Figure](#figure:<label>)``."""
    from IPython.display import display

    from . import chartdata, describe

    spec = chart.to_dict()
    ids = sorted(set(source_ids))
    names = source_names(ids, sources)
    tables = chartdata.tables(spec)
    title = spec_title(spec)
    description = describe.describe(title, tables)
    bundle, drawn_from = _bundle(spec)
    meta = {META_KEY: {"figure": True, "title": title, "caption": caption,
                       "source_ids": ids, "sources": names, "description": description,
                       "data": tables, "label": label}}
    if drawn_from:
        meta[META_KEY]["svg_drawn_from"] = drawn_from
    display(bundle, raw=True, metadata=meta)
    # Seen in JupyterLab under the chart; the report draws its own numbered caption instead.
    display({"text/markdown": f"*{md_escape(caption)}*  \n{md_escape(description)}  \n"
                              + _("Sources: {sources}").format(sources=md_escape('; '.join(names)))},
            raw=True, metadata={META_KEY: {"role": "caption"}})


# ---------------------------------------------------------------------------------------------
# Text from the data, made safe for Markdown and HTML outputs

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: object) -> str:
    """Escape a value so Markdown shows it literally and no HTML in it is interpreted."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def markdown(text: str) -> None:
    """Display narrative Markdown (build it with :func:`md_escape` for values from the data)."""
    from IPython.display import display

    display({"text/markdown": text}, raw=True)


def table(frame: pd.DataFrame, caption: str | None = None,
          widths: list[int] | None = None, source_ids: Iterable[str] | None = None,
          label: str | None = None) -> None:
    """Display a table as escaped HTML (cell text is never interpreted as markup).

    ``label`` names the table for cross-references: ``[Table](#table:<label>)``.
    ``widths``: per-column widths in per cent, for wide tables that must fit an A4 page.
    ``source_ids``: the sources its rows cite, so the report's Sources list can name the table.
    """
    from IPython.display import display

    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].dt.strftime("%Y-%m-%d")
    classes = "kz-table fixed" if widths else "kz-table"
    body = shown.to_html(index=False, escape=True, na_rep="", classes=classes, border=0)
    head = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    if widths:
        head += "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in widths) + "</colgroup>"
    body = body.replace("<thead>", f"{head}<thead>", 1)
    display({"text/html": f'<div class="kz-table-wrap">{body}</div>',
             "text/plain": shown.to_string(index=False)}, raw=True,
            metadata={META_KEY: {"table": True, "caption": caption or "",
                                 "source_ids": sorted(set(source_ids or [])), "label": label}})
