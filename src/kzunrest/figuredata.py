"""What the assembled report adds to each figure and table once sources are numbered.

* Each mark's source, in its tooltip and in the figure's data table, gains its number in the
  Sources list ("Reuters, 2022-01-05 (no. 12)"); in captions and tables the number links to the
  entry (``#source-12``).
* Each figure's data (read from its spec by :mod:`kzunrest.chartdata` at execution time) becomes
  an HTML table with a "Download CSV" link holding the same rows as a ``data:`` URI (works offline,
  no script), collapsed under the chart in the HTML and gathered in an appendix in the PDF.
* Tables are numbered, and each Sources entry lists the figures and tables that use it.

Everything from the data is escaped here; the template inserts these strings as they are.
"""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

from . import i18n
from .chartdata import SOURCE_FIELD, cell_text, row_source_ids
from .i18n import _, n_, p_
from .render import META_KEY, VEGA_MIMETYPE

NAMED = 3  # a mark with more sources than this gives their numbers only
# ... and of those numbers, the first runs of consecutive ones and a count of the rest: a mark
# citing a thousand scattered sources would otherwise list them all, in every cell and tooltip.
LISTED_RUNS = 12


def _numbers(ids: list[str], numbers: dict[str, int]) -> list[int]:
    return sorted({numbers[i] for i in ids if i in numbers})


def _listed(values: list[int]) -> tuple[list[int], int]:
    """The numbers to list (the first LISTED_RUNS runs of consecutive numbers) and how many
    are left out."""
    from .assemble import runs

    found = runs(values)
    kept = [value for run in found[:LISTED_RUNS] for value in run]
    return kept, sum(map(len, found)) - len(kept)


def _refs(values: list[int], linked: bool) -> str:
    """'1, 3–5, 9' (numbers linked to their entries when ``linked``), with '… and N more'
    beyond LISTED_RUNS runs."""
    from .assemble import ranges

    kept, left = _listed(values)
    refs = linked_ranges(kept) if linked else ranges(kept)
    if not left:
        return refs
    words = _("{items} and {n} more")
    return (html.escape(words) if linked else words).format(items=refs, n=i18n.number(left))


def source_text(ids: list[str], numbers: dict[str, int], labels: dict[str, str]) -> str:
    """A mark's sources in words with their numbers, for tooltips, table cells and CSVs."""
    ids = [i for i in dict.fromkeys(ids) if i in labels]
    if len(ids) > NAMED:
        return _many(len(ids), _refs(_numbers(ids, numbers), linked=False))
    return "; ".join(labels[i] + (f" ({_no(numbers[i])})" if i in numbers else "") for i in ids)


def _many(count: int, refs: str) -> str:
    return n_("{n} source: nos. {refs}", "{n} sources: nos. {refs}", count).format(
        n=i18n.number(count), refs=refs)


def _no(number: object) -> str:
    """'no. 12': a source's number in the Sources list."""
    return p_("source number", "no. {number}").format(number=number)


def _link(number: int) -> str:
    return f'<a href="#source-{number}">{number}</a>'


def source_html(ids: list[str], numbers: dict[str, int], labels: dict[str, str]) -> str:
    """:func:`source_text` with each number a link to its entry (same text content)."""
    ids = [i for i in dict.fromkeys(ids) if i in labels]
    if len(ids) > NAMED:
        return _many(len(ids), _refs(_numbers(ids, numbers), linked=True))
    return "; ".join(html.escape(labels[i]) + (f" ({_no(_link(numbers[i]))})" if i in numbers else "")
                     for i in ids)


def linked_ranges(values: list[int]) -> str:
    """Like ``assemble.ranges`` ('1, 3–5, 9'), each number a link to its Sources entry."""
    from .assemble import ranges

    return re.sub(r"\d+", lambda m: _link(int(m.group(0))), ranges(values))


def caption_sources_html(source_ids: list[str], names: list[str], numbers: dict[str, int],
                         shown: int = 6) -> str:
    """The caption's source line (``assemble.source_line``) with linked numbers."""
    more = html.escape(_("and {n} more").format(n=len(names) - shown))
    named = "; ".join(html.escape(n) for n in names[:shown]) + (
        f"; {more}" if len(names) > shown else "")
    refs = [numbers[s] for s in source_ids if s in numbers]
    return (html.escape(_("{named} (Sources nos. {refs})")).format(named=named, refs=linked_ranges(refs))
            if refs else named)


# ---------------------------------------------------------------------------------------------
# Tooltips and data tables


def numbered_spec(vega: dict, numbers: dict[str, int], labels: dict[str, str]) -> dict:
    """The Vega spec with every row that cites sources given a ``source`` naming them with
    numbers, and its ``locator`` (where in the source) in the report's language. The list of ids
    itself is dropped from the row: no mark draws it, and a mark with thousands of sources (the
    million-row benchmark) would otherwise carry them all into the page. ``vega`` is left as it
    is; only the datasets' rows are new (a chart's geometry is shared, not copied)."""
    return {**vega, "data": [_numbered_dataset(dataset, numbers, labels)
                             for dataset in vega.get("data", [])]} if "data" in vega else vega


def _numbered_dataset(dataset: dict, numbers: dict[str, int], labels: dict[str, str]) -> dict:
    if not dataset.get("values") or not isinstance(dataset["values"], list):
        return dataset
    return {**dataset, "values": [_numbered_row(row, numbers, labels) if isinstance(row, dict)
                                  else row for row in dataset["values"]]}


def _numbered_row(row: dict, numbers: dict[str, int], labels: dict[str, str]) -> dict:
    ids = row_source_ids(row)
    row = {key: value for key, value in row.items() if key != "source_ids"}
    if ids:
        row[SOURCE_FIELD] = source_text(ids, numbers, labels)
    if isinstance(row.get("locator"), str):
        row["locator"] = i18n.locator(row["locator"])
    return row


def _cells(table: dict, numbers: dict[str, int], labels: dict[str, str],
           linked: bool) -> tuple[list[str], list[list[str]]]:
    """Header and cell strings (HTML-escaped when ``linked``) of one data table."""
    header = [c["label"] for c in table["columns"]]
    source_at = next((i for i, c in enumerate(table["columns"]) if c["field"] == SOURCE_FIELD), None)
    ids = table.get("source_ids") or [[] for _ in table["rows"]]
    rows = []
    for row, row_ids in zip(table["rows"], ids):
        cells = [cell_text(i18n.locator(v) if c["field"] == "locator" else v)
                 for v, c in zip(row, table["columns"])]
        if source_at is not None and row_ids:
            cells[source_at] = source_text(row_ids, numbers, labels)
        if linked:  # the page writes fractions as its language does; the CSV keeps '.'
            cells = [html.escape(i18n.decimal_mark(c) if isinstance(v, float) else c)
                     for c, v in zip(cells, row)]
            if source_at is not None and row_ids:
                cells[source_at] = source_html(row_ids, numbers, labels)
        rows.append(cells)
    return header, rows


def csv_text(table: dict, numbers: dict[str, int], labels: dict[str, str]) -> str:
    header, rows = _cells(table, numbers, labels, linked=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def table_html(table: dict, numbers: dict[str, int], labels: dict[str, str], table_id: str,
               caption: str) -> str:
    header, rows = _cells(table, numbers, labels, linked=True)
    # Dates and numbers never wrap; a table of a few columns may flow in columns on paper.
    kinds = [{"temporal": ' class="date"', "quantitative": ' class="num"'}.get(c["type"], "")
             for c in table["columns"]]
    head = "".join(f'<th scope="col"{k}>{html.escape(h)}</th>' for h, k in zip(header, kinds))
    body = "".join("<tr>" + "".join(f"<td{k}>{c}</td>" for c, k in zip(row, kinds)) + "</tr>"
                   for row in rows)
    narrow = " narrow" if len(header) <= 4 and len(rows) > 40 else ""
    return (f'<div class="kz-table-wrap{narrow}"><table class="kz-table kz-data-table" id="{table_id}">'
            f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _rows(count: int) -> str:
    return n_("{n} row", "{n} rows", count).format(n=i18n.number(count))


def _parts(meta: dict) -> list[tuple[str, str, dict, str]]:
    """(id, caption, table, its rows in words) for each data table of a figure."""
    number, tables = meta["number"], meta.get("data") or []
    found = []
    for k, table in enumerate(tables, start=1):
        suffix = f"-{k}" if len(tables) > 1 else ""
        rows = _rows(len(table["rows"]))
        caption = (_("Data behind Figure {number}, part {part} of {parts}: {rows}").format(
            number=number, part=k, parts=len(tables), rows=rows) if len(tables) > 1 else
            _("Data behind Figure {number}: {rows}").format(number=number, rows=rows))
        found.append((f"figure-{number}-data{suffix}", caption, table, rows))
    return found


def data_html(meta: dict, numbers: dict[str, int], labels: dict[str, str]) -> str:
    """The figure's data under the chart in the HTML: collapsed tables, each with its CSV."""
    parts = []
    for table_id, caption, table, rows in _parts(meta):
        uri = "data:text/csv;charset=utf-8," + urllib.parse.quote(csv_text(table, numbers, labels))
        parts.append(table_html(table, numbers, labels, table_id, caption)
                     + f'<p class="kz-download"><a href="{html.escape(uri, quote=True)}" '
                       f'download="{table_id}.csv" data-table="{table_id}">'
                       + html.escape(_("Download CSV")) + "</a> "
                       + html.escape(_("({rows}, UTF-8)").format(rows=rows)) + "</p>")
    if not parts:
        return ""
    rows = _rows(sum(len(part[2]["rows"]) for part in _parts(meta)))
    summary = (_("The data behind Figure {number} ({rows} in {tables} tables)").format(
        number=meta["number"], rows=rows, tables=len(parts)) if len(parts) > 1 else
        _("The data behind Figure {number} ({rows})").format(number=meta["number"], rows=rows))
    return f'<details class="kz-data"><summary>{html.escape(summary)}</summary>{"".join(parts)}</details>'


def appendix_html(figures: list[dict], numbers: dict[str, int], labels: dict[str, str]) -> str:
    """Every figure's data, for the PDF's appendix."""
    blocks = []
    for meta in figures:
        from .assemble import reference_words

        tables = "".join(table_html(t, numbers, labels, table_id, caption)
                         for table_id, caption, t, _rows_text in _parts(meta))
        if tables:
            words = html.escape(reference_words("figure", meta["number"]))
            blocks.append(f'<section class="kz-appendix-figure" id="figure-{meta["number"]}-appendix">'
                          f'<h3><a href="#figure-{meta["number"]}">{words}</a>. '
                          f'{html.escape(meta.get("title") or meta.get("caption", ""))}</h3>{tables}</section>')
    return "".join(blocks)


def annotate_figure(output: dict, meta: dict, numbers: dict[str, int],
                    labels: dict[str, str]) -> None:
    """Numbers in the tooltips, linked numbers in the caption, and the data tables' HTML."""
    vega = output.get("data", {}).get(VEGA_MIMETYPE)
    if isinstance(vega, dict):
        output["data"][VEGA_MIMETYPE] = numbered_spec(vega, numbers, labels)
    meta["source_line_html"] = caption_sources_html(meta.get("source_ids", []),
                                                    meta.get("sources", []), numbers)
    meta["data_html"] = data_html(meta, numbers, labels)


# ---------------------------------------------------------------------------------------------
# Tables and the Sources list


def link_table_sources(output: dict, meta: dict, numbers: dict[str, int]) -> None:
    """Link the source ids a numbered table's cells cite (``[source_id]``, perhaps with <wbr>
    break points in it) to their Sources entries, and record them as the table's sources."""
    cited = set(meta.get("source_ids", []))

    def link(match: re.Match) -> str:
        shown = match.group(1)
        source_id = shown.replace("<wbr>", "")
        if source_id not in numbers:
            return match.group(0)
        cited.add(source_id)
        return f"[{shown}, {_no(_link(numbers[source_id]))}]"

    body = output["data"]["text/html"]
    output["data"]["text/html"] = re.sub(r"\[([a-z0-9](?:[a-z0-9-]|<wbr>)*)\]", link, body)
    meta["source_ids"] = sorted(cited)


def source_uses(figures: list[dict], tables: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """For each source id: ('Figure 3', '#figure-3') and ('Table 2', '#table-2') that use it."""
    uses: dict[str, list[tuple[str, str]]] = {}
    from .assemble import reference_words

    for kind, items in (("figure", figures), ("table", tables)):
        for meta in items:
            for source_id in meta.get("source_ids", []):
                uses.setdefault(source_id, []).append(
                    (reference_words(kind, meta["number"]), f"#{kind}-{meta['number']}"))
    return uses


def uses_html(uses: list[tuple[str, str]]) -> str:
    if not uses:
        return ""
    links = ", ".join(f'<a href="{href}">{html.escape(name)}</a>' for name, href in uses)
    used = html.escape(_("Used in {links}.")).format(links=links)
    return f' <span class="source-uses">{used}</span>'
