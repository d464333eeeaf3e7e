"""Bring the Russian and Kazakh catalogs in line with the words the report uses.

    .venv/bin/python scripts/update_catalogs.py

Adds every key of ``kzunrest.i18n.catalog_keys()`` that a catalog lacks (with an empty
translation, to be filled in), removes keys nothing uses any more, keeps every translation and
translator comment, and writes each ``src/kzunrest/locale/<lang>/LC_MESSAGES/kzunrest.po`` sorted,
so a diff shows only what changed. ``tests/test_i18n.py`` fails until every new key is translated.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kzunrest import i18n  # noqa: E402


def msgid(key):
    return key[1]


def update(lang: str, keys: dict) -> tuple[int, int]:
    path = i18n.catalog_path(lang)
    old = {}
    if path.is_file():
        with open(path, "rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id:
                    old[(message.context, message.id)] = message
    epoch = datetime(2026, 1, 1, tzinfo=timezone.utc)  # fixed: a header that never changes
    catalog = Catalog(locale=lang, creation_date=epoch, revision_date=epoch, project="kzunrest", domain=i18n.DOMAIN,
                      copyright_holder="kzunrest contributors", fuzzy=False,
                      header_comment=f"# {i18n.NAMES[lang]} words of the kzunrest report.\n"
                                     "# Keys: the English text (msgid) and, where one English "
                                     "text needs\n# several renderings, a context (msgctxt). "
                                     "See docs/translating.md.")
    added = 0
    for key in sorted(keys, key=lambda k: (k[0] or "", str(k[1]))):
        context, ident = key
        previous = old.get((context, ident))
        if previous is None:
            added += 1
        string = previous.string if previous is not None else (
            ("",) * catalog.num_plurals if isinstance(ident, tuple) else "")
        catalog.add(ident, string, locations=[(keys[key], None)], context=context,
                    user_comments=previous.user_comments if previous is not None else [],
                    auto_comments=previous.auto_comments if previous is not None else [])
    removed = len(set(old) - set(keys))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, include_lineno=False,
                 omit_header=False)
    return added, removed


def main() -> int:
    keys = i18n.catalog_keys()
    for lang in i18n.LANGUAGES:
        if lang == i18n.SOURCE_LANGUAGE:
            continue
        added, removed = update(lang, keys)
        print(f"{lang}: {len(keys)} keys ({added} new, {removed} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
