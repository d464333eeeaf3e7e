"""Cross-references, table numbering and page slots in the assembly, without a build."""

from __future__ import annotations

import re

import nbformat
import pytest

from conftest import in_language

from kzunrest import assemble
from kzunrest.assemble import resolve_references, table_html, wbr
from kzunrest.errors import ChapterError

TARGETS = {("figure", "spread-map"): ("figure-3", 3),
           ("chapter", "01_protest_spread"): ("chapter-1", 1)}


def test_a_reference_becomes_a_numbered_link_with_a_page_slot():
    cell = nbformat.v4.new_markdown_cell("See [Figure](#figure:spread-map) in [](#chapter:01_protest_spread).")
    resolve_references([cell], TARGETS, ["02_arrests"])
    assert cell.source == (
        'See <a class="kz-ref" href="#figure-3">Figure 3<span class="kz-print">, page '
        '<span class="kz-page" data-for="figure-3"></span></span></a> in '
        '<a class="kz-ref" href="#chapter-1">Chapter 1<span class="kz-print">, page '
        '<span class="kz-page" data-for="chapter-1"></span></span></a>.')


@pytest.mark.parametrize("lang, sentence, reads", [
    ("ru", "В [таблице](#table:tolls) и на [рисунке](#figure:spread-map)",
     ["таблице 5", "рисунке 3"]),
    ("kk", "[кестеде](#table:tolls) [суреттегі](#figure:spread-map)", ["5-кестеде", "3-суреттегі"]),
])
def test_a_translated_reference_keeps_its_declined_word_and_gets_its_number(lang, sentence, reads):
    """Russian and Kazakh decline the word ('в таблице', 'кестеде'): the sentence's own word stays,
    and the number goes where the language puts it."""
    cell = nbformat.v4.new_markdown_cell(sentence)
    with in_language(lang):
        resolve_references([cell], {**TARGETS, ("table", "tolls"): ("table-5", 5)}, ["03"])
    assert re.findall(r'class="kz-ref" href="#[a-z]+-\d">([^<]+)<', cell.source) == reads


def test_an_unknown_label_stops_the_build_naming_the_chapter_and_the_labels():
    cell = nbformat.v4.new_markdown_cell("[Figure](#figure:no-such)")
    with pytest.raises(ChapterError, match=r"03_death_tolls: \[Figure\]\(#figure:no-such\) refers "
                                           r"to no figure labelled 'no-such'; .*spread-map"):
        resolve_references([cell], TARGETS, ["03_death_tolls"])


def test_a_table_gets_its_number_an_id_column_names_and_break_places():
    body = ('<div class="kz-table-wrap"><table class="dataframe kz-table"><caption>Tolls</caption>'
            "<thead><tr><th>Person</th><th>Date</th><th>Source</th></tr></thead><tbody><tr>"
            "<td>Kairat Sharipbayev</td><td>2022-01-05</td>"
            "<td>RFE/RL, 2022-03-13 [rferl-20220313-watchdog-satybaldy-detained]</td></tr></tbody></table></div>")
    out = table_html(body, 4)
    assert '<div class="kz-table-wrap" id="table-4">' in out
    assert '<caption><span class="kz-table-number">Table 4.</span> Tolls</caption>' in out
    assert '<td data-label="Person">Kairat Sharipbayev</td>' in out  # words untouched
    assert '<td class="kz-nowrap" data-label="Date">2022-01-05</td>' in out
    assert ('<span class="kz-nowrap">2022-03-13</span> [rferl-<wbr>20220313-<wbr>watchdog-<wbr>'
            "satybaldy-<wbr>detained]") in out


def test_break_places_only_after_a_run_of_punctuation_never_inside_words_or_entities():
    assert wbr("https://example.org/a_b?x=1&amp;y=2") == \
        "https://<wbr>example.<wbr>org/<wbr>a_<wbr>b?<wbr>x=<wbr>1&amp;<wbr>y=<wbr>2"
    assert wbr("Nazarbayev&#x27;s") == "Nazarbayev&#x27;s"


def test_a_sources_entry_ends_each_part_with_one_full_stop():
    """An undated source reads 'n.d.' (not 'n.d..'), a title ending in '?' takes no full stop."""
    import pandas as pd

    rows = pd.DataFrame({
        "source_id": ["a-1", "b-2"], "author": [None, "J. Smith"],
        "title": ["What happened in Almaty?", "Protests spread"], "url": ["https://a.example/1", "https://b.example/2"],
        "publisher": ["Outlet A", "Outlet B"], "date_published": [pd.NaT, pd.Timestamp("2022-01-05")],
        "date_accessed": [pd.Timestamp("2026-11-21")] * 2})
    text = re.sub(r"<[^>]+>", "", assemble.sources_html(rows))
    assert "Outlet A, n.d. https://a.example/1" in text
    assert "What happened in Almaty? Outlet A" in text
    assert "J. Smith. Protests spread. Outlet B, 2022-01-05. https://b.example/2" in text
    assert ".." not in text


def test_a_long_sources_list_is_cut_into_lists_whose_numbering_runs_on(monkeypatch):
    """Chromium prints one list of thousands of entries slowly and in gigabytes: the Sources list
    comes in lists of SOURCES_PER_LIST, each starting where the last stopped."""
    import pandas as pd

    monkeypatch.setattr(assemble, "SOURCES_PER_LIST", 2)
    rows = pd.DataFrame({
        "source_id": [f"s-{n}" for n in range(5)], "author": [None] * 5,
        "title": [f"Title {n}" for n in range(5)], "url": [f"https://x.example/{n}" for n in range(5)],
        "publisher": ["Outlet"] * 5, "date_published": [pd.NaT] * 5,
        "date_accessed": [pd.Timestamp("2026-11-21")] * 5})
    out = assemble.sources_html(rows)
    assert re.findall(r'<ol class="sources" start="(\d+)">', out) == ["1", "3", "5"]
    assert re.findall(r'<li id="source-(\d+)">', out) == ["1", "2", "3", "4", "5"]
    assert [len(re.findall("<li ", part)) for part in out.split("</ol>")[:-1]] == [2, 2, 1]
