"""Every figure of the built report, in a real browser with the network off: its accessible
description (read from Chromium's accessibility tree) names figures from its data, its data table
is there, and its "Download CSV" gives exactly the table's rows. Sources link both ways."""

from __future__ import annotations

import csv
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from kzunrest.export import CHROMIUM_ARGS, chromium_path
from conftest import in_language
from test_report import figure_metadata, squash

MONTHS = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July",
                                      "August", "September", "October", "November", "December"], 1)}


@pytest.fixture(scope="module")
def page_facts(built_report, tmp_path_factory):
    """Open the report offline once; gather the accessibility tree, every data table as shown,
    every CSV as downloaded, the Sources entries and one tooltip."""
    downloads = tmp_path_factory.mktemp("csv")
    facts = {"blocked": [], "csv": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=[*CHROMIUM_ARGS, "--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          accept_downloads=True, offline=True)
            page = context.new_page()

            def route(request_route):
                url = request_route.request.url
                if url.startswith(("file:", "data:", "about:", "blob:")):
                    return request_route.continue_()
                facts["blocked"].append(url)
                return request_route.abort()

            page.route("**/*", route)
            page.goto((built_report / "report.html").resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "document.querySelectorAll('.kz-chart').length === "
                "document.querySelectorAll('.kz-chart[data-rendered=true]').length", timeout=30000)
            cdp = context.new_cdp_session(page)
            facts["ax"] = cdp.send("Accessibility.getFullAXTree")["nodes"]
            facts["figures"] = page.evaluate("""Array.from(document.querySelectorAll('figure.kz-figure'))
              .map(f => ({id: f.id,
                tables: Array.from(f.querySelectorAll('details.kz-data table')).map(t => ({
                  id: t.id,
                  header: Array.from(t.querySelectorAll('thead th')).map(c => c.textContent),
                  rows: Array.from(t.querySelectorAll('tbody tr')).map(
                    r => Array.from(r.cells).map(c => c.textContent))})),
                links: Array.from(f.querySelectorAll('.kz-download a[download]')).map(a => a.dataset.table),
                captionLinks: Array.from(f.querySelectorAll('figcaption a[href^="#source-"]'))
                  .map(a => [a.getAttribute('href'), a.textContent])}))""")
            facts["sources"] = page.evaluate("""Array.from(document.querySelectorAll('ol.sources > li'))
              .map((li, i) => ({id: li.id, n: i + 1, text: li.textContent,
                source_id: li.querySelector('.source-id').textContent,
                uses: Array.from(li.querySelectorAll('.source-uses a')).map(a => a.getAttribute('href'))}))""")
            facts["ids"] = page.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
            for figure in facts["figures"]:
                for table_id in figure["links"]:
                    link = page.locator(f'.kz-download a[data-table="{table_id}"]')
                    page.locator(f'#{figure["id"]} details.kz-data > summary').evaluate(
                        "s => s.parentElement.open = true")
                    with page.expect_download() as download:
                        link.click()
                    target = downloads / download.value.suggested_filename
                    download.value.save_as(target)
                    facts["csv"][table_id] = target
            # A mark of the people timeline: its tooltip names its source with its number.
            mark = page.locator("#figure-5 .kz-chart svg .mark-symbol path").nth(5)
            mark.scroll_into_view_if_needed()
            mark.hover(force=True)
            page.wait_for_timeout(300)
            facts["tooltip"] = page.evaluate(
                "(document.getElementById('vg-tooltip-element') || {}).textContent || ''")
        finally:
            browser.close()
    return facts


def _images(ax_nodes: list[dict]) -> list[tuple[str, str]]:
    return [(n.get("name", {}).get("value", ""), (n.get("description") or {}).get("value", ""))
            for n in ax_nodes if n.get("role", {}).get("value") == "image" and not n.get("ignored")]


def _facts_in(text: str) -> set[str]:
    """Numbers (1,095 -> 1095) and dates (5 January 2022 -> 2022-01-05) a sentence mentions."""
    found = set()
    for day, month, year in re.findall(r"\b(\d{1,2}) (%s) (\d{4})\b" % "|".join(MONTHS), text):
        found.add(dt.date(int(year), MONTHS[month], int(day)).isoformat())
    text = re.sub(r"\b\d{1,2} (%s) \d{4}\b" % "|".join(MONTHS), " ", text)
    found |= {n.replace(",", "") for n in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", text)}
    return found


def _cell_facts(tables: list[dict]) -> set[str]:
    cells = {c.strip() for t in tables for row in t["rows"] for c in row}
    return {c.replace(",", "") for c in cells} | {c[:10] for c in cells if re.match(r"\d{4}-\d\d-\d\d", c)}


def test_every_chart_is_an_image_described_with_figures_from_its_data(built_report, page_facts):
    figures = figure_metadata(built_report)
    images = _images(page_facts["ax"])
    assert [name for name, _ in images] == [f["title"] for f in figures]
    for (name, description), shown in zip(images, page_facts["figures"]):
        assert description, f"{name}: no accessible description"
        mentioned = _facts_in(description)
        in_data = _facts_in(description) & _cell_facts(shown["tables"])
        # Its extremes or dates are values of its table; its mark count is one table's length.
        assert len(in_data) >= 2, (name, description, mentioned)
        marks = int(re.search(r"([\d,]+) marks?\b", description).group(1).replace(",", ""))
        assert marks in [len(t["rows"]) for t in shown["tables"]], (name, description)
    assert page_facts["blocked"] == []


def test_every_figure_has_its_data_and_a_csv_with_the_same_rows(page_facts):
    for figure in page_facts["figures"]:
        assert figure["tables"], f'{figure["id"]} has no data table'
        assert [t["id"] for t in figure["tables"]] == figure["links"]
        for table in figure["tables"]:
            assert table["rows"], table["id"]
            with open(page_facts["csv"][table["id"]], encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            assert rows[0] == table["header"]
            assert rows[1:] == table["rows"], table["id"]
            # Headers are readers' words (titles), never code names such as first_date.
            assert not [h for h in table["header"] if re.fullmatch(r"[a-z0-9_]+", h)], table["header"]


def test_source_numbers_link_both_ways(built_report, page_facts):
    numbers = {s["source_id"]: s["n"] for s in page_facts["sources"]}
    assert all(s["id"] == f'source-{s["n"]}' for s in page_facts["sources"])
    ids = set(page_facts["ids"])
    for meta, shown in zip(figure_metadata(built_report), page_facts["figures"]):
        # Every number in the caption is a link to its own entry.
        assert shown["captionLinks"]
        for href, text in shown["captionLinks"]:
            assert href == f"#source-{text}" and href[1:] in ids
        # Every source the figure draws on lists the figure.
        for source_id in meta["source_ids"]:
            entry = page_facts["sources"][numbers[source_id] - 1]
            assert f'#{shown["id"]}' in entry["uses"], (source_id, entry)
    used = [href for s in page_facts["sources"] for href in s["uses"]]
    assert any(h.startswith("#table-") for h in used)
    assert all(h[1:] in ids for h in used)


def test_a_tooltip_names_its_source_with_its_number(page_facts):
    tip = page_facts["tooltip"]
    match = re.search(r"Source(.+?) \(no\. (\d+)\)", tip)
    assert match, tip
    label = match.group(1).strip()  # "Publisher, YYYY-MM-DD"
    entry = page_facts["sources"][int(match.group(2)) - 1]
    assert label.rsplit(",", 1)[0] in entry["text"], (label, entry["text"])


def test_pdf_shows_each_description_under_its_chart_and_the_data_in_an_appendix(built_report):
    text = squash(subprocess.run(["pdftotext", str(built_report / "report.pdf"), "-"],
                                 capture_output=True, text=True, check=True).stdout)
    # The appendix starts at its first sentence: its title is also in the contents and in the
    # running header of each of its pages.
    heading, lead = "Appendix: the data behind the figures", "Each figure's data as drawn"
    assert f"{heading} {lead}" in text
    body, appendix = text[:text.index(lead)], text[text.index(lead):]
    figures = figure_metadata(built_report)
    for number, figure in enumerate(figures, start=1):
        assert squash(figure["description"]) in body, figure["description"]
        assert f"Data behind Figure {number}" in appendix
    assert f"Data behind Figure {len(figures) + 1}" not in appendix


def test_a_mark_with_many_scattered_sources_lists_the_first_runs_and_counts_the_rest():
    from kzunrest import figuredata, i18n

    i18n.use("en")
    ids = [f"s{k}" for k in range(40)]
    labels = {i: f"Source {i}" for i in ids}
    scattered = {f"s{k}": 2 * k + 1 for k in range(40)}  # 1, 3, 5, … 79: forty runs of one
    text = figuredata.source_text(ids, scattered, labels)
    assert text == "40 sources: nos. 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23 and 28 more"
    linked = figuredata.source_html(ids, scattered, labels)
    assert re.sub("<[^>]+>", "", linked) == text and linked.count("<a ") == 12
    consecutive = {f"s{k}": 100 + k for k in range(40)}  # one run, however long
    assert figuredata.source_text(ids, consecutive, labels) == "40 sources: nos. 100–139"


def test_a_data_table_writes_fractions_as_its_language_and_its_csv_keeps_the_point():
    """The appendix of a Russian edition shows «0,375» like its text; the CSV stays machine-read."""
    from kzunrest import figuredata

    table = {"columns": [{"field": "share", "label": "Share", "type": "quantitative"},
                         {"field": "n", "label": "N", "type": "quantitative"},
                         {"field": "place", "label": "Place", "type": "nominal"}],
             "rows": [[0.375, 12.0, "Zhanaozen 2.0"]]}
    with in_language("ru"):
        html = figuredata.table_html(table, {}, {}, "figure-9-data", "Data")
        csv_out = figuredata.csv_text(table, {}, {})
    assert re.findall(r"<td[^>]*>([^<]*)</td>", html) == ["0,375", "12", "Zhanaozen 2.0"]
    assert csv_out.splitlines()[1] == "0.375,12,Zhanaozen 2.0"
