"""The one validator (tablecheck.py) on a large protest file generated in a temporary folder
(never committed): it finds the one bad cell among 20,001 rows and words it as for small tables."""

from __future__ import annotations

import pytest

from conftest import DataCopy
from kzunrest.data import validate

BULK_ROWS = 20_000  # a table far beyond the curated ones


def grow(copy: DataCopy, rows: int) -> None:
    """protest_spread.csv with ``rows`` valid data rows (distinct keys: one town per row)."""
    first = copy.rows("protest_spread")[0]
    copy.write_rows("protest_spread", [{**first, "city": f"Town {i:06d}"} for i in range(rows)])


def test_large_table_is_validated_with_the_same_words(data_copy, monkeypatch):
    grow(data_copy, BULK_ROWS + 1)
    rows = data_copy.rows("protest_spread")
    rows[15_000]["crowd_low"] = "about 300"
    rows[19_999].update(crowd_low="50", crowd_high="20")
    data_copy.write_rows("protest_spread", rows)
    monkeypatch.chdir(data_copy.root)
    found = [str(p) for p in validate("data", tables=["protest_spread"])]
    assert found == [
        "data/protest_spread.csv:15002: crowd_low — 'about 300' is not a valid integer; write a "
        "whole number without spaces or separators, or leave the cell empty"]
    # The range rule runs once the cells are valid.
    rows[15_000]["crowd_low"] = ""
    data_copy.write_rows("protest_spread", rows)
    assert [str(p) for p in validate("data", tables=["protest_spread"])] == [
        "data/protest_spread.csv:20001: crowd_low — crowd_low (50) is greater than crowd_high (20); "
        "swap them or correct one"]
