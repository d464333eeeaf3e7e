"""The data's vocabulary: allowed values with the words a reader sees for them.

The words live beside the data, in the ``vocabularies`` section of ``data/datapackage.json``
(value → label, phrase, reading), so the data dictionary shows them and code never carries its own
copy. Labels and phrases come back in the report's language (:mod:`kzunrest.i18n`; the Russian and
Kazakh words are in the catalogs, keyed by vocabulary and value). A field whose values come from a vocabulary names it (``"vocabulary": "standing"``) and
lists the same values in its ``enum``; ``tests/test_vocabulary.py`` fails when the two disagree.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import i18n
from .paths import DEFAULT_DATA_DIR

DESCRIPTOR = "datapackage.json"


@lru_cache(maxsize=8)
def _load(descriptor: Path) -> dict:
    with open(descriptor, encoding="utf-8") as handle:
        return json.load(handle).get("vocabularies", {})


_active = [DEFAULT_DATA_DIR / DESCRIPTOR]


def use(data_dir: Path) -> None:
    """Read labels from this data package from now on (``data.load`` calls it)."""
    path = Path(data_dir) / DESCRIPTOR
    try:
        if "vocabularies" in _load(path.resolve()):
            _active[0] = path.resolve()
    except (OSError, ValueError, AttributeError):
        pass  # a missing or broken descriptor: the validator reports it, in its own words


def vocabularies() -> dict:
    return _load(_active[0])


def values(name: str) -> list[str]:
    """The allowed values of a vocabulary, in their documented order."""
    return list(_entries(name))


def _word(name: str, value: str, entry: dict, field: str) -> str:
    """The entry's word in the reader's language (the catalogs key it by vocabulary and value)."""
    return i18n.vocabulary_word(name, value, field, entry[field])


def labels(name: str) -> dict[str, str]:
    """Every value of a vocabulary with the reader's word for it, in the documented order."""
    return {value: _word(name, value, entry, "label") for value, entry in _entries(name).items()}


def flagged(name: str, flag: str) -> dict[str, str]:
    """The values carrying a flag (e.g. the event kinds ``marked`` on timelines), with labels."""
    return {value: _word(name, value, entry, "label")
            for value, entry in _entries(name).items() if entry.get(flag)}


def label(name: str, key: str) -> str:
    """The reader's word for one value."""
    return _word(name, key, _entries(name)[key], "label")


def phrase(name: str, key: str, **fields) -> str:
    """A value used in a sentence: ``phrase('number_precision', 'approximate', value='3,600')``."""
    return _word(name, key, _entries(name)[key], "phrase").format(**fields)


def count(name: str, key: str, number: str) -> str:
    """How many times a value occurred, as a sentence lists it (``'29 dismissed'``): a form of its
    own, because a label ("Dismissed") does not take a number in every language."""
    return _word(name, key, _entries(name)[key], "count").format(n=number)


def reading(name: str, key: str) -> str:
    """How the project reads the value (documented in the data dictionary)."""
    return _entries(name)[key]["reading"]


def _entries(name: str) -> dict:
    try:
        return vocabularies()[name]
    except KeyError:
        raise KeyError(f"no vocabulary '{name}' in {_active[0]}; add it under 'vocabularies'") from None


@lru_cache(maxsize=8)
def _field_titles(descriptor: Path) -> dict:
    with open(descriptor, encoding="utf-8") as handle:
        package = json.load(handle)
    titles: dict[str, str] = {}
    for resource in package.get("resources", []):
        for field in resource.get("schema", {}).get("fields", []):
            if field.get("title"):
                titles.setdefault(field["name"], field["title"])
    return titles


def field_title(name: str) -> str | None:
    """The reader's word for a column (a field's ``title`` in the data package), if it has one."""
    try:
        title = _field_titles(_active[0]).get(name)
    except (OSError, ValueError):
        return None
    return None if title is None else i18n.p_("field", title)
