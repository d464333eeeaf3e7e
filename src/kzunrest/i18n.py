"""The report's languages: message catalogs, and dates and numbers formatted for the locale.

Every word a reader sees that is not data is English in the code, the notebooks and
``datapackage.json``; its Russian and Kazakh forms live in one gettext catalog per language,
``src/kzunrest/locale/<lang>/LC_MESSAGES/kzunrest.po``, keyed by the English text (plus a context
for vocabulary words, chapter prose and place names). The catalogs are read directly from the
``.po`` files (compiled in memory with Babel), so they are the only copy.

Keys come from five places, all listed by :func:`catalog_keys`:

* code strings marked ``_("...")``, ``n_("...", "...", n)``, ``p_("context", "...")`` or
  ``np_("context", "...", "...", n)`` in the
  package and in the notebooks' code cells;
* every chapter's Markdown cells (context ``prose``), swapped in at execution time by
  :func:`translate_notebook`, so the notebooks stay English;
* every vocabulary entry's label, phrase and count (context ``vocabulary:<name>:<value>:<field>``);
* city names of ``protest_spread.csv`` (context ``place``);
* the report's title and subtitle from ``report.yml`` (context ``report``).

``scripts/update_catalogs.py`` adds new keys (empty) and drops unused ones;
``tests/test_i18n.py`` fails on any key that is missing, empty or unused.

English needs no catalog: every function returns the English text unchanged.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from functools import lru_cache
from pathlib import Path

from .errors import LanguageError

LANGUAGES = ("en", "ru", "kk")  # the one list of the report's languages
SOURCE_LANGUAGE = "en"
NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
# The letters of each script beyond the basic Latin and Russian alphabets, printed in "About this
# build" so a reader (and the tests) can see that the fonts carry every one of them.
LETTERS = {"en": "", "ru": "Ёё", "kk": "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kzunrest"
KEYWORDS = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2), "np_": ((1, "c"), 2, 3)}

_active = [SOURCE_LANGUAGE]
# Each language's catalog as last read (see use): a message looks its catalog up here, not on disk.
_catalogs: dict[str, gettext.NullTranslations] = {}


def check(language: object) -> str:
    if language not in LANGUAGES:
        raise LanguageError(f"{language!r} is not a report language; use one of: "
                            + ", ".join(LANGUAGES))
    return str(language)


def use(language: str) -> None:
    """Translate into this language from now on (a chapter calls it from its setup cell). Its
    catalog is read again if the file changed, so an edited catalog shows when a chapter's setup
    cell runs again in JupyterLab."""
    _active[0] = check(language)
    if language != SOURCE_LANGUAGE:
        _catalogs[language] = _read_catalog(language)


def preload(languages) -> None:
    """Read the catalogs of ``languages`` now: a build does it before forking its chapter kernels
    (kzunrest.kernels), so every kernel starts with them parsed instead of parsing its own."""
    for language in languages:
        if check(language) != SOURCE_LANGUAGE:
            _read_catalog(language)


def language() -> str:
    return _active[0]


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=4)
def _translations(lang: str, stamp: float) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(catalog_path(lang), "rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _read_catalog(lang: str) -> gettext.NullTranslations:
    path = catalog_path(lang)
    return _translations(lang, path.stat().st_mtime if path.is_file() else 0.0)


def _catalog() -> gettext.NullTranslations | None:
    """The active language's catalog. Looked up thousands of times a chapter: the file is
    checked for changes by use(), not here (that was 0.2 s of every chapter)."""
    lang = _active[0]
    if lang == SOURCE_LANGUAGE:
        return None
    catalog = _catalogs.get(lang)
    if catalog is None:
        catalog = _catalogs[lang] = _read_catalog(lang)
    return catalog


def _(message: str) -> str:
    """The reader's words for an English message."""
    catalog = _catalog()
    return message if catalog is None else catalog.gettext(message)


def n_(singular: str, plural: str, count: int) -> str:
    """The form for ``count`` (Russian has three; Kazakh nouns do not change after numbers)."""
    catalog = _catalog()
    if catalog is None:
        return singular if count == 1 else plural
    return catalog.ngettext(singular, plural, _plural_count(count))


def p_(context: str, message: str) -> str:
    catalog = _catalog()
    return message if catalog is None else catalog.pgettext(context, message)


def np_(context: str, singular: str, plural: str, count: int) -> str:
    """``n_`` with a context: the same English phrase may need another case in another sentence."""
    catalog = _catalog()
    if catalog is None:
        return singular if count == 1 else plural
    return catalog.npgettext(context, singular, plural, _plural_count(count))


def _plural_count(count) -> int:
    """gettext picks forms for whole numbers; a fraction takes the form of 2 (Russian: 1,5 дня)."""
    return int(count) if float(count).is_integer() else 2


def vocabulary_word(name: str, value: str, field: str, english: str) -> str:
    return p_(f"vocabulary:{name}:{value}:{field}", english)


def place(name: str) -> str:
    """A city's name in the reader's script (official form of January 2022)."""
    return p_("place", name)


def prose(markdown: str) -> str:
    """A chapter's Markdown cell in the reader's language."""
    return p_("prose", markdown)


# Free text in the data that the catalogs translate (context ``data:<column>``), by file: every
# free-text column a reader sees, except words as printed, titles and names.
DATA_TEXT = {"detentions.csv": ("reported_by", "note"), "death_tolls.csv": ("reported_by", "note"),
             "arrests_dismissals.csv": ("role", "detail"), "claims.csv": ("summary",)}


def data_text(column: str, value: object) -> object:
    """A free-text value from the data (see DATA_TEXT) in the reader's language."""
    if not isinstance(value, str) or _active[0] == SOURCE_LANGUAGE:
        return value
    return p_(f"data:{column}", value)


_LOCATOR = re.compile(r"^(paragraph|list item|live blog) ([0-9:]+)(.*)$|"
                      r"^(lead|excerpt|not retrieved|caption|subheading|headline)(.*)$", re.S)
_SECTION = re.compile(r"""^section ["«](.*)["»]$""", re.S)


def locator_remark(text: str) -> str | None:
    """The parenthesised remark of a locator ('section "..."', 'photo caption excluded')."""
    match = re.search(r" \((.*)\)$", text, re.S)
    return match.group(1) if match else None


def locator(text: object) -> object:
    """Where in a source ('paragraph 3 (section "...")'): the project's words translated, the
    source's own words in parentheses kept as they are."""
    if not isinstance(text, str) or _active[0] == SOURCE_LANGUAGE:
        return text
    match = _LOCATOR.match(text)
    if not match:
        return text
    words = {"paragraph": p_("locator", "paragraph {n}"), "list item": p_("locator", "list item {n}"),
             "live blog": p_("locator", "live blog {n}"), "lead": p_("locator", "lead"),
             "excerpt": p_("locator", "excerpt"), "not retrieved": p_("locator", "not retrieved"),
             "caption": p_("locator", "caption"), "subheading": p_("locator", "subheading"),
             "headline": p_("locator", "headline")}
    head = (words[match.group(1)].format(n=match.group(2)) if match.group(1)
            else words[match.group(4)])
    remark = locator_remark(text)
    if remark is None:
        return head + (match.group(3) if match.group(1) else match.group(5))
    section = _SECTION.match(remark)
    remark = (p_("locator", "section «{name}»").format(name=section.group(1)) if section
              else p_("data:locator", remark))
    return f"{head} ({remark})"


def person(name: str, cyrillic: object) -> str:
    """A person's name: the Cyrillic form (when the data give it) for Russian and Kazakh."""
    if _active[0] != SOURCE_LANGUAGE and isinstance(cyrillic, str) and cyrillic.strip():
        return cyrillic.strip()
    return name


# ---------------------------------------------------------------------------------------------
# Dates and numbers (Babel, CLDR)

_DATE_PATTERNS = {  # style -> pattern per language (kk: CLDR's year-first order)
    "long": {"en": "d MMMM y", "ru": "d MMMM y", "kk": "y 'ж'. d MMMM"},
    "month": {"en": "MMMM y", "ru": "LLLL y", "kk": "y 'ж'. LLLL"},
    "day_month": {"en": "d MMMM", "ru": "d MMMM", "kk": "d MMMM"},
    "short": {"en": "d MMM", "ru": "d MMM", "kk": "d MMM"},
}


def date(value, style: str = "long") -> str:
    """``5 January 2022`` / ``5 января 2022`` / ``2022 ж. 5 қаңтар``."""
    from babel.dates import format_date

    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.date()
    lang = _active[0]
    return format_date(value, _DATE_PATTERNS[style][lang], locale=lang)


def number(value, decimals: int = 0, fixed: bool = False) -> str:
    """Thousands grouped for the locale (``12,345`` / ``12 345``); up to ``decimals`` places,
    no trailing zeros (exactly ``decimals`` places when ``fixed``)."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + ("0" if fixed else "#") * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_active[0])


def decimal_mark(text: str) -> str:
    """A number already written with '.' (a data table's cell), with the language's decimal
    mark instead ('0,375' in Russian and Kazakh)."""
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(_active[0]))


def percent(share: float) -> str:
    from babel.numbers import format_percent

    return format_percent(share, locale=_active[0])


@lru_cache(maxsize=4)
def _vega_locale(lang: str) -> dict:
    from babel import Locale

    loc = Locale.parse(lang)
    symbols = loc.number_symbols.get("latn", loc.number_symbols)
    months = loc.months["format"]
    days = loc.days["format"]
    ordered = [6, 0, 1, 2, 3, 4, 5]  # d3 weeks start on Sunday; CLDR indexes Monday as 0
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"].replace("\u202f", "\u00a0"),
                   "grouping": [3], "currency": ["", ""]},
        "time": {"dateTime": "%x, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
                 "periods": ["AM", "PM"],
                 "days": [days["wide"][i] for i in ordered],
                 "shortDays": [days["abbreviated"][i] for i in ordered],
                 "months": [months["wide"][i] for i in range(1, 13)],
                 "shortMonths": [months["abbreviated"][i] for i in range(1, 13)]},
    }


def vega_locale() -> dict | None:
    """Number and time formats for Vega (d3 locale definitions from CLDR), None for English."""
    return None if _active[0] == SOURCE_LANGUAGE else _vega_locale(_active[0])


# ---------------------------------------------------------------------------------------------
# Chapters


def translate_notebook(nb, lang: str | None = None):
    """The notebook with every Markdown cell in the reader's language (a copy; English returns
    it unchanged)."""
    import copy

    lang = check(lang or _active[0])
    if lang == SOURCE_LANGUAGE:
        return nb
    previous = _active[0]
    _active[0] = lang
    try:
        nb = copy.deepcopy(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = prose(cell.source)
        nb.metadata["language"] = lang
    finally:
        _active[0] = previous
    return nb


# ---------------------------------------------------------------------------------------------
# The keys the catalogs must hold


def catalog_keys(root: Path | None = None) -> dict[tuple[str | None, object], str]:
    """Every (context, msgid) the report can ask for, with where it comes from."""
    import ast
    import csv
    import json

    import nbformat
    import yaml
    from babel.messages.extract import extract_python

    from .paths import PROJECT_ROOT

    root = root or PROJECT_ROOT
    keys: dict[tuple[str | None, object], str] = {}

    def python(source: str, where: str) -> None:
        for _lineno, funcname, message, _comments in extract_python(
                io.BytesIO(source.encode("utf-8")), KEYWORDS.keys(), [], {}):
            if funcname == "_" and isinstance(message, str):
                keys.setdefault((None, message), where)
            elif funcname == "n_" and isinstance(message, tuple):
                keys.setdefault((None, (message[0], message[1])), where)
            elif funcname == "p_" and isinstance(message, tuple) and all(
                    isinstance(m, str) for m in message[:2]):
                keys.setdefault((message[0], message[1]), where)
            elif funcname == "np_" and isinstance(message, tuple) and all(
                    isinstance(m, str) for m in message[:3]):
                keys.setdefault((message[0], (message[1], message[2])), where)

    package = Path(__file__).resolve().parent
    for path in sorted(package.glob("*.py")):
        python(path.read_text(encoding="utf-8"), f"src/kzunrest/{path.name}")
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                keys.setdefault(("prose", cell.source), f"notebooks/{path.name}")
            elif cell.cell_type == "code":
                try:
                    ast.parse(cell.source)
                except SyntaxError:
                    continue
                python(cell.source, f"notebooks/{path.name}")
    descriptor = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for name, entries in descriptor.get("vocabularies", {}).items():
        for value, entry in entries.items():
            for field in ("label", "phrase", "count"):
                if entry.get(field):
                    keys[(f"vocabulary:{name}:{value}:{field}", entry[field])] = \
                        "data/datapackage.json"
    for resource in descriptor.get("resources", []):
        for field in resource.get("schema", {}).get("fields", []):
            if field.get("title"):
                keys.setdefault(("field", field["title"]), "data/datapackage.json")
    with open(root / "data" / "protest_spread.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            keys.setdefault(("place", row["city"]), "data/protest_spread.csv")
    for name, columns in DATA_TEXT.items():
        with open(root / "data" / name, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    if row.get(column):
                        keys.setdefault((f"data:{column}", row[column]), f"data/{name}")
    for path in sorted((root / "data").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                remark = locator_remark(row.get("locator") or "")
                if remark and not _SECTION.match(remark):
                    keys.setdefault(("data:locator", remark), f"data/{path.name}")
    with open(root / "data" / "claims.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["unit"]:
                # One English word, its forms after numbers in the other languages.
                keys.setdefault(("unit", (row["unit"], row["unit"])), "data/claims.csv")
    report = yaml.safe_load((root / "report.yml").read_text(encoding="utf-8"))
    for field in ("title", "subtitle"):
        if report.get(field):
            keys[("report", str(report[field]))] = "report.yml"
    return keys
