"""One vocabulary: the schema's allowed values, their words, and the code that reads them agree.

A new enum value added to datapackage.json without its words, or a precision the verdict code does
not read, fails here rather than as a KeyError in a chapter.
"""

from __future__ import annotations

import json

import pytest

from conftest import DATA
from kzunrest import claims, data, geography, vocabulary

DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
ENUM_FIELDS = [(resource["name"], field) for resource in DESCRIPTOR["resources"]
               for field in resource["schema"]["fields"] if "enum" in field.get("constraints", {})]
# Vocabularies of computed values, read by code only (no column stores them).
COMPUTED = {"verdict", "map_shading"}


@pytest.mark.parametrize("table, field", ENUM_FIELDS, ids=[f"{t}.{f['name']}" for t, f in ENUM_FIELDS])
def test_every_enum_is_a_vocabulary_with_words_for_each_value(table, field):
    names = field.get("vocabulary")
    assert names, f"{table}.{field['name']}: name the vocabulary its values come from"
    names = [names] if isinstance(names, str) else names
    allowed = [value for name in names for value in vocabulary.values(name)]
    assert field["constraints"]["enum"] == allowed
    for name in names:
        assert all(vocabulary.label(name, value) for value in vocabulary.values(name))


def test_every_vocabulary_is_used_by_a_column_or_named_as_computed():
    used = set(COMPUTED)
    for _, field in ENUM_FIELDS:
        names = field["vocabulary"]
        used |= {names} if isinstance(names, str) else set(names)
    assert set(DESCRIPTOR["vocabularies"]) == used


def test_the_verdict_rule_reads_every_precision_standing_and_verdict():
    assert list(claims.VERDICTS) == vocabulary.values("verdict")
    assert set(claims.TIERS) == set(vocabulary.values("standing"))
    for precision in vocabulary.values("number_precision"):   # every one has a window
        window = claims.number_window(precision, value=10, rounding=1, low=5, high=15)
        assert window.low <= window.high
    for precision in vocabulary.values("date_precision"):
        text = "2022-01-04/2022-01-05" if precision == "between" else "2022-01"
        if precision == "day":
            text = "2022-01-05"
        window = claims.date_window(precision, text)
        assert window.low <= window.high
    assert claims.BOUNDS <= set(vocabulary.values("number_precision")) | set(
        vocabulary.values("date_precision"))


def test_the_validator_knows_every_number_precision():
    number = set(vocabulary.values("number_precision"))
    assert data._NEEDS_VALUE | data._VAGUE | {"range"} == number
    assert set(data._DATE_LENGTH) <= set(vocabulary.values("date_precision"))


def test_every_region_has_an_outline_or_lies_in_one():
    outlined = {f["properties"]["region"] for f in geography.regions()["features"]}
    regions = set(vocabulary.values("region"))
    assert outlined | set(geography.DRAWN_INSIDE) == regions
    assert set(geography.DRAWN_INSIDE.values()) <= outlined


def test_event_kinds_marked_on_timelines_have_short_labels():
    marked = vocabulary.flagged("event_kind", "marked")
    assert "csto_arrival" in marked and "other" not in marked
    assert all(len(label) <= 45 for label in marked.values())
