"""The Russian and Kazakh editions: catalogs complete and tidy, the editions built by the real CLI
(one build of both, beside the session's English report), read back as a reader gets them."""

from __future__ import annotations

import csv
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import papermill
import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from browser import MAP_LABELS, check_map_labels, visit
from conftest import DATA, ROOT, in_language, page_scales, run_cli
from kzunrest import i18n, params

LOCALIZED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Names that stay in Latin letters in every edition: organisations and products (not in
# sources.csv as publishers), the articles' authors, software. Everything else Latin must go.
NAMES_IN_LATIN = {
    "Natural Earth", "GeoNames", "kzunrest", "SHA-256", "Git", "UTC", "Human Rights Watch", "HRW",
    "Amnesty International", "Amnesty", "Reuters", "FIDH", "OMCT", "RFE/RL", "Euronews/AFP",
    "Euronews", "AFP", "The Diplomat", "openDemocracy", "Bloomberg", "PONARS Eurasia", "PONARS",
    "Palladium", "QazaqGaz", "Nur Otan", "Fin DePencier", "Azamat Junisbai", "Junisbai",
    "altaynews.kz", "KZUNREST", "/fr/", "CSV", "UTF-8", "HTML",
    # Media, platforms and organisations named in the curators' notes.
    "Associated Press", "AP", "Telegram", "Facebook", "Hearst", "National Post", "Malay Mail",
    "Irish Legal News", "Washington Post", "BBC", "ACCA", "Inform.kz", "Panorama.am",
    "primeminister.kz", "inquirycommission.com", "Azattyq Rýhy", "Tengrinews", "Europa Press",
    "Belsat", "Kazinform", "El.kz", "KZ.expert", "Agenzia Nova", "OHCHR"}


def read_catalog(lang: str):
    with open(i18n.catalog_path(lang), "rb") as handle:
        return read_po(handle, locale=lang)


def key(message) -> tuple:
    ident = message.id if isinstance(message.id, str) else tuple(message.id)
    return message.context, ident


# ---------------------------------------------------------------------------------------------
# Catalogs (fast: no build)


@pytest.mark.parametrize("lang", LOCALIZED)
def test_catalog_has_every_key_translated_and_no_unused_key(lang):
    catalog = read_catalog(lang)
    messages = {key(m): m for m in catalog if m.id}
    wanted = i18n.catalog_keys()
    missing = [f"{where}: [{ctx or ''}] {ident!r}" for (ctx, ident), where in wanted.items()
               if (ctx, ident) not in messages]
    empty = [f"{where}: [{ctx or ''}] {ident!r}" for (ctx, ident), where in wanted.items()
             if (ctx, ident) in messages and not all(
                 [messages[(ctx, ident)].string] if isinstance(messages[(ctx, ident)].string, str)
                 else messages[(ctx, ident)].string)]
    unused = [f"[{ctx or ''}] {ident!r}" for (ctx, ident) in messages if (ctx, ident) not in wanted]
    where = i18n.catalog_path(lang).relative_to(ROOT)
    assert not missing, (f"{len(missing)} key(s) missing from {where} (run scripts/"
                         "update_catalogs.py, then translate):\n" + "\n".join(missing[:20]))
    assert not empty, f"{len(empty)} key(s) untranslated in {where}:\n" + "\n".join(empty[:20])
    assert not unused, f"{len(unused)} unused key(s) in {where}:\n" + "\n".join(unused[:20])


@pytest.mark.parametrize("lang", LOCALIZED)
def test_translations_keep_every_placeholder(lang):
    wrong = []
    for message in read_catalog(lang):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [f"{message.id!r} -> {s!r}" for s in strings
                  if set(PLACEHOLDER.findall(s)) != expected]
    assert wrong == []


def test_catalog_keys_follow_the_sources_of_words():
    keys = i18n.catalog_keys()
    assert (None, "About this build") in keys  # code
    assert ("vocabulary:verdict:disputed:label", "Disputed") in keys  # datapackage.json
    assert ("place", "Zhanaozen") in keys  # protest_spread.csv
    assert any(ctx == "prose" and ident.startswith("# Death tolls compared") for ctx, ident in keys)


def test_language_is_a_parameter_of_every_chapter_and_is_checked():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        declared = papermill.inspect_notebook(str(notebook))
        assert declared["language"]["default"] == '"en"', notebook.name
    with pytest.raises(params.ParameterError, match="use one of: en, ru, kk"):
        params.language("de")
    assert run_cli("build", "--language", "de").returncode == 2


def test_language_is_chosen_for_the_whole_build_not_per_chapter(tmp_path):
    from kzunrest.config import ConfigError, load_config

    path = tmp_path / "report.yml"
    path.write_text(f"chapters:\n  - notebook: {ROOT / 'notebooks' / '03_death_tolls.ipynb'}\n"
                    "    parameters: {language: ru}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"chapters\[0\]\.parameters\.language: .*--language"):
        load_config(path)


def test_dates_and_numbers_follow_the_locale():
    import datetime as dt

    for lang, day, number in [("en", "5 January 2022", "12,345.6"),
                              ("ru", "5 января 2022", "12\u00a0345,6"),
                              ("kk", "2022 ж. 5 қаңтар", "12\u00a0345,6")]:
        with in_language(lang):
            assert i18n.date(dt.date(2022, 1, 5)) == day
            assert i18n.number(12345.6, 1) == number


def test_an_edited_catalog_is_read_when_the_language_is_chosen_again(tmp_path, monkeypatch):
    """A catalog is checked for changes when a chapter chooses its language (its setup cell), not
    at every message; JupyterLab users see an edit by running the setup cell again."""
    copy = tmp_path / "kzunrest.po"
    original = i18n.catalog_path("ru").read_text(encoding="utf-8")
    copy.write_text(original, encoding="utf-8")
    monkeypatch.setattr(i18n, "catalog_path", lambda lang: copy)
    monkeypatch.setattr(i18n, "_catalogs", {})
    with in_language("ru"):
        assert i18n._("Source") == "Источник"
        edited = original.replace('msgid "Source"\nmsgstr "Источник"', 'msgid "Source"\nmsgstr "ИСТОЧНИК"')
        assert edited != original
        copy.write_text(edited, encoding="utf-8")
        os.utime(copy, (copy.stat().st_atime, copy.stat().st_mtime + 10))
        assert i18n._("Source") == "Источник"  # not re-read per message
        i18n.use("ru")
        assert i18n._("Source") == "ИСТОЧНИК"


# ---------------------------------------------------------------------------------------------
# The editions, built once


@pytest.fixture(scope="session")
def editions(built_report) -> dict[str, Path]:
    """The Russian and Kazakh editions, built beside the session's English report (so its
    validation and English chapters are reused) by the real CLI, with PDFs."""
    result = run_cli("build", "--output-dir", str(built_report), "--language", "ru",
                     "--language", "kk", env={"SOURCE_DATE_EPOCH": "1700000000"}, timeout=1500)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unchanged since last check" in result.stdout  # one validation for every language
    return {"en": built_report, "ru": built_report / "ru", "kk": built_report / "kk"}


def soup(out: Path) -> BeautifulSoup:
    # <wbr> (a break opportunity in a long token) is no space: read the token whole.
    html = re.sub(r"<wbr\s*/?>", "", (out / "report.html").read_text(encoding="utf-8"))
    return BeautifulSoup(html, "html.parser")


def pdf_text(out: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(out / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def exempt_strings() -> list[str]:
    """Text a translated edition keeps as it is: sources (titles, publishers, authors, ids,
    addresses), people's names and words as printed, each from the data itself."""
    found = set(NAMES_IN_LATIN)
    for path in DATA.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("title", "publisher", "author", "url", "source_id", "person",
                               "name_cyrillic", "printed"):
                    if row.get(column):
                        found.add(squash(row[column]))
    return sorted(found, key=len, reverse=True)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def english_left(text: str, exempt: list[str], spaced: bool = True) -> Counter:
    """Latin-letter words left once exempt text is gone. ``spaced=False`` (the PDF, where
    lines wrap anywhere and chart labels split into runs) compares with all spaces removed."""
    text = squash(text) if spaced else re.sub(r"\s+", "", text)
    for item in exempt:
        text = text.replace(item if spaced else re.sub(r"\s+", "", item), " ")
    text = re.sub(r"“[^”]*”|«[^»]*»", " ", text)  # quoted words, as printed or as titled
    # Source and claim ids, digests.
    # (a table's cited id carries its number in the Sources list: "[id, № 12]").
    text = re.sub(r"\[[a-z0-9][a-z0-9 -]*(?:,\s*№\s*\d+\s*)?\]|(?:dep|jun)-\d+|[0-9a-f]{12,64}",
                  " ", text)
    text = re.sub(r"(?:data/)?[a-z0-9_]+\.(?:csv|json|yml|ipynb)", " ", text)  # file names
    return Counter(LATIN_WORD.findall(text))


@pytest.mark.parametrize("lang", LOCALIZED)
def test_edition_html_has_no_english_outside_names_quotes_and_sources(editions, lang):
    page = soup(editions[lang])
    assert page.html["lang"] == lang
    for node in page(["script", "style", "code"]) + page.select(
            "ol.sources, #about table"):
        node.decompose()
    left = english_left(page.get_text(" "), exempt_strings())
    assert not left, f"English left in the {lang} HTML: {left.most_common(30)}"


@pytest.mark.parametrize("lang", LOCALIZED)
def test_edition_pdf_is_in_its_language_and_script(editions, lang):
    text = pdf_text(editions[lang], "-raw").replace("-\n", "-")  # ids wrap at their hyphens
    # Cut the Sources list and what follows (the build's files and packages).
    heading = list(re.finditer(r"[\n\f]" + i18n_word(lang, "Sources") + r"\n", text))
    assert heading, "no Sources section found"
    body = [text[:heading[-1].start()]]
    left = english_left(body[0], exempt_strings(), spaced=False)
    assert not left, f"English left in the {lang} PDF: {left.most_common(30)}"
    assert len(re.findall(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", body[0])) > 30_000


def i18n_word(lang: str, word: str) -> str:
    with in_language(lang):
        return i18n._(word)


def computed(page: BeautifulSoup) -> Counter:
    """Every run of digits in what the chapters computed: narrative, tables, captions."""
    text = " ".join(n.get_text(" ") for n in page.select(".kz-output, figcaption"))
    return Counter(re.findall(r"\d+", text))


def test_numbers_verdicts_and_figures_agree_in_every_language(editions):
    pages = {lang: soup(out) for lang, out in editions.items()}
    english = computed(pages["en"])
    assert sum(english.values()) > 1000
    for lang in LOCALIZED:
        assert computed(pages[lang]) == english, lang
        assert len(pages[lang].select("figure.kz-figure")) == \
            len(pages["en"].select("figure.kz-figure")) == 9
        assert len(pages[lang].select(".kz-output table tbody tr")) == \
            len(pages["en"].select(".kz-output table tbody tr"))
    verdicts = {lang: ledger_verdicts(page, lang) for lang, page in pages.items()}
    assert len(verdicts["en"]) > 50
    assert verdicts["ru"] == verdicts["kk"] == verdicts["en"]


def ledger_verdicts(page: BeautifulSoup, lang: str) -> list[str]:
    """The ledger's verdict column, read back to the data's values."""
    from kzunrest import vocabulary

    with in_language(lang):
        back = {label: value for value, label in vocabulary.labels("verdict").items()}
        heading = i18n._("Verdict")
    table = page.select(".kz-output table")[-1]
    column = [th.get_text(strip=True) for th in table.select("thead th")].index(heading)
    return [back[row.select("td")[column].get_text(strip=True)] for row in table.select("tbody tr")]


@pytest.mark.parametrize("lang", LOCALIZED)
def test_edition_draws_every_figure_offline(editions, lang):
    seen = visit(editions[lang] / "report.html", script="""({
        figures: document.querySelectorAll('figure.kz-figure').length,
        drawn: Array.from(document.querySelectorAll('.kz-chart[data-rendered=true]'))
                 .filter(c => c.querySelector('svg .mark-group')).length,
        axis: Array.from(document.querySelectorAll('#figure-3 .kz-chart svg text'))
                 .map(t => t.textContent).join(' '),
        map: """ + MAP_LABELS + """,
    })""")
    assert seen.facts["figures"] == seen.facts["drawn"] == 9
    assert seen.blocked == []
    assert [m for m in seen.console if m.startswith(("error", "pageerror"))] == []
    month = {"ru": "янв", "kk": "қаң"}[lang]  # Vega formats the date axis in the locale too
    assert month in seen.facts["axis"] and "Jan" not in seen.facts["axis"]
    check_map_labels(seen.facts["map"])  # the names are other words, placed again


@pytest.mark.parametrize("lang", LOCALIZED)
def test_edition_says_number_where_english_says_figure_for_a_number(editions, lang):
    """English 'Figure' is an illustration (captions, references) and a reported number (table
    headers, tooltips); Russian and Kazakh have two words, so no table header is «Рисунок»."""
    page = soup(editions[lang])
    headers = {th.get_text(strip=True) for th in page.select("table th")}
    assert i18n_word(lang, "Figure") not in headers
    with in_language(lang):
        number = i18n.p_("a number", "Figure")
    assert number in headers and number != i18n_word(lang, "Figure")
    # And a reference declines as its sentence needs ("в таблице 5", "5-кестеде").
    declined = {"ru": r"таблице \d+", "kk": r"\d+-кестеде"}[lang]
    refs = [a.get_text() for a in page.select("a.kz-ref")]
    assert [r for r in refs if re.fullmatch(declined, r)], refs


@pytest.mark.parametrize("lang", LOCALIZED)
def test_edition_pdf_is_printed_at_full_size(editions, lang):
    """Longer words make wider tables; none may make Chromium shrink the pages (the Russian
    edition was once printed at 73 %)."""
    scales = page_scales((editions[lang] / "report.pdf").read_bytes())
    assert len(scales) > 50 and set(scales) == {0.75}, sorted(set(scales))


def test_kazakh_letters_render_in_html_and_are_embedded_in_pdf(editions):
    letters = i18n.LETTERS["kk"].replace(" ", "")
    text = pdf_text(editions["kk"])
    assert [c for c in letters if c not in text] == []
    fonts = subprocess.run(["pdffonts", str(editions["kk"] / "report.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    assert families_rendering(editions["kk"] / "report.html", ".font-check span") <= \
        {"DejaVu Serif", "DejaVu Sans"}


def families_rendering(html: Path, selector: str) -> set[str]:
    """The platform fonts Chromium used to draw the text of ``selector`` (DevTools protocol):
    a letter missing from the report's fonts would show up as a fallback family."""
    from playwright.sync_api import sync_playwright

    from kzunrest.export import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=[*CHROMIUM_ARGS, "--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                       else r.abort())
            page.goto(html.resolve().as_uri(), wait_until="load")
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        finally:
            browser.close()
    assert fonts, "no text drawn"
    return {font["familyName"] for font in fonts}
