"""The loader: typed tables as their schemas say, a subset on request, and invalid data refused
(in-process and fast, so `make mutants` runs it)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import DATA
from kzunrest import data as data_module
from kzunrest.cache import package_digest
from kzunrest.data import DataError, load


def test_tables_are_typed_as_their_schemas_say():
    data = load(DATA)
    assert set(data.tables) == {p.stem for p in DATA.glob("*.csv")}
    assert str(data.protest_spread["date"].dtype).startswith("datetime64")
    assert str(data.protest_spread["crowd_low"].dtype) == "Int64"
    assert str(data.protest_spread["latitude"].dtype) == "Float64"
    assert str(data.death_tolls["official"].dtype) == "boolean"
    assert str(data.sources["title"].dtype).startswith("string")
    # Empty cells are missing values, not empty strings or zeros.
    assert data.arrests_dismissals.loc[data.arrests_dismissals["date_precision"] == "unknown",
                                       "date"].isna().all()
    assert len(data.key_events) == len((DATA / "key_events.csv").read_text().splitlines()) - 1


def test_a_subset_always_brings_the_sources():
    data = load(DATA, tables=["death_tolls"])
    assert set(data.tables) == {"sources", "death_tolls"}
    with pytest.raises(AttributeError):
        data.claims  # noqa: B018


def test_invalid_data_is_refused_unless_the_build_validated_exactly_these_files(data_copy, monkeypatch):
    data_copy.set("death_tolls", 2, "value", "-3")
    monkeypatch.setattr(data_module, "BUILD", data_module.BuildContext())  # a notebook on its own
    with pytest.raises(DataError) as raised:
        load(data_copy.dir)
    assert [p.message for p in raised.value.problems] == [
        "'-3' is below the minimum 0; correct the value (counts cannot be negative; coordinates "
        "must lie in Kazakhstan)"]
    assert str(raised.value).startswith("1 problem(s) in the data:\n")
    data_module.enter_build({"validated": package_digest(DATA)})  # another package's digest
    with pytest.raises(DataError):
        load(data_copy.dir)
    data_module.enter_build({"validated": package_digest(data_copy.dir)})
    assert load(data_copy.dir).death_tolls["value"].iloc[0] == -3  # the build checked these files
    assert isinstance(load(data_copy.dir, check=False).death_tolls, pd.DataFrame)
