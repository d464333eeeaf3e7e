"""Vectorised checks of a Table Schema, for tables too large for row-by-row validation.

frictionless validates the curated CSVs cell by cell, which is right for a few thousand rows and
far too slow for the million-row event exports a researcher may point the report at (about 75 s
here). This module checks the same schema rules that ``data/datapackage.json`` uses — types,
required, enum, minimum, maximum, pattern, maxLength, unique, primary key, foreign keys — column at a time
with pandas, and words every problem exactly as :mod:`kzunrest.data` does for frictionless's
findings. ``tests/test_validate.py`` runs the bad fixtures through both and compares.
"""

from __future__ import annotations

import pandas as pd

from .data import (_constraint_message, _duplicate_key_message, _foreign_key_message, _type_message,
                   _unique_message)

# Tables with more rows than this are checked here instead of by frictionless.
BULK_ROWS = 20_000


def _lines(mask: pd.Series) -> list[int]:
    return [int(i) + 2 for i in mask[mask].index]


def _bound(value) -> str:
    return str(value)


def _parse(column: pd.Series, field: dict) -> tuple[pd.Series, pd.Series]:
    """Parsed values and a mask of non-empty cells that do not parse as the field's type."""
    kind = field["type"]
    present = column != ""
    if kind == "date":
        parsed = pd.to_datetime(column.where(present), format="%Y-%m-%d", errors="coerce")
        bad = present & (parsed.isna() | ~column.str.fullmatch(r"\d{4}-\d{2}-\d{2}"))
    elif kind == "integer":
        bad = present & ~column.str.fullmatch(r"[+-]?\d+")
        parsed = pd.to_numeric(column.where(present & ~bad), errors="coerce")
    elif kind == "number":
        parsed = pd.to_numeric(column.where(present), errors="coerce")
        bad = present & parsed.isna()
    elif kind == "boolean":
        true, false = field.get("trueValues", ["true"]), field.get("falseValues", ["false"])
        bad = present & ~column.isin(true + false)
        parsed = column.isin(true)
    else:
        parsed, bad = column, pd.Series(False, index=column.index)
    return parsed, bad


_TYPE_NAMES = {"date": "date", "integer": "integer", "number": "number", "boolean": "boolean"}


def table_problems(file: str, raw: pd.DataFrame, schema: dict, references: dict[str, set]) -> list:
    """Every problem in one table given as strings (``raw``), as (row, column, message) tuples."""
    found: list[tuple[int, str, str]] = []
    for field in schema["fields"]:
        name = field["name"]
        column = raw[name]
        constraints = field.get("constraints", {})
        present = column != ""
        if constraints.get("required"):
            found += [(r, name, _constraint_message("", 'constraint "required" is "True"'))
                      for r in _lines(~present)]
        parsed, bad = _parse(column, field)
        if field["type"] in _TYPE_NAMES:
            found += [(r, name, _type_message(column.at[r - 2], field["type"])) for r in _lines(bad)]
        ok = present & ~bad
        if "enum" in constraints:
            rule = f"{constraints['enum']}"
            found += [(r, name, _constraint_message(column.at[r - 2], f'constraint "enum" is "{rule}"'))
                      for r in _lines(ok & ~column.isin(constraints["enum"]))]
        for key, compare in (("minimum", lambda v, b: v < b), ("maximum", lambda v, b: v > b)):
            if key in constraints:
                limit = constraints[key]
                bound = pd.Timestamp(limit) if field["type"] == "date" else limit
                outside = ok & compare(parsed, bound).fillna(False).astype(bool)
                found += [(r, name, _constraint_message(column.at[r - 2],
                                                       f'constraint "{key}" is "{_bound(limit)}"'))
                          for r in _lines(outside)]
        if "pattern" in constraints:
            pattern = constraints["pattern"]
            mismatch = ok & ~column.str.fullmatch(pattern)
            found += [(r, name, _constraint_message(column.at[r - 2], f'constraint "pattern" is "{pattern}"'))
                      for r in _lines(mismatch)]
        if "maxLength" in constraints:
            limit = constraints["maxLength"]
            found += [(r, name, _constraint_message(column.at[r - 2], f'constraint "maxLength" is "{limit}"'))
                      for r in _lines(ok & (column.str.len() > limit))]
        if constraints.get("unique"):
            repeated = ok & column.duplicated(keep="first")
            first = raw.reset_index().groupby(name)["index"].transform("min") + 2
            found += [(r, name, _unique_message(column.at[r - 2], int(first.at[r - 2])))
                      for r in _lines(repeated)]
    found += _primary_key(raw, schema)
    found += _foreign_keys(raw, schema, references)
    return found


def _primary_key(raw: pd.DataFrame, schema: dict) -> list[tuple[int, str, str]]:
    keys = schema.get("primaryKey", [])
    if not keys:
        return []
    duplicated = raw.duplicated(keys, keep="first")
    if not duplicated.any():
        return []
    first_line = raw.reset_index().groupby(keys)["index"].transform("min") + 2
    label = ", ".join(keys)
    return [(r, label, _duplicate_key_message(label, int(first_line.at[r - 2])))
            for r in _lines(duplicated)]


def _foreign_keys(raw: pd.DataFrame, schema: dict, references: dict[str, set]) -> list:
    found = []
    for foreign in schema.get("foreignKeys", []):
        column = foreign["fields"]
        table, key = foreign["reference"]["resource"], foreign["reference"]["fields"]
        known = references.get(f"{table}.{key}", set())
        missing = (raw[column] != "") & ~raw[column].isin(known)
        found += [(r, column, _foreign_key_message(raw.at[r - 2, column], table, key))
                  for r in _lines(missing)]
    return found
