"""The one validator of cell rules: a Table Schema checked a column at a time.

Every table, from the eight curated CSVs to a million-row export, is checked here against the
same ``data/datapackage.json``: types, required, enum, minimum, maximum, pattern, maxLength,
unique, primary key, foreign keys, and the shape of each row (blank, too many or too few cells).
It returns structured :class:`Finding` objects and words nothing: :mod:`kzunrest.data` words
every finding, in one table, with its fix.

Why not frictionless or pandera? frictionless checks cell by cell (about 75 s for a million rows)
and reports findings as prose that had to be parsed back; pandera's ``from_frictionless_schema``
needs the cells typed first, leaves dates as strings and names failures by the repr of its
checks. ``tests/test_validate.py`` keeps frictionless as an independent oracle of which cells are
wrong.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Finding:
    """One broken rule: the file line, the column, the rule's name, the cell and what it needs."""
    row: int
    column: str | None
    rule: str
    cell: object = ""
    detail: object = None


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a small CSV as dictionaries (a byte-order mark, as Excel writes, is dropped)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_cells(path: Path) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Every cell as text, with its file line as index, and the rows whose width is wrong.

    A row with more cells than the header gives no table (its cells cannot be placed); a row with
    fewer gives one finding per missing cell (pandas would read them as empty text); a file that
    is not UTF-8 gives no table and one finding at its first undecodable line.
    """
    try:
        widths = _row_widths(path)
        raw = None if widths["wide"] else pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
            skip_blank_lines=False)  # a blank line keeps its number
    except UnicodeDecodeError as error:
        return None, [Finding(_first_non_utf8_line(path), None, "not-utf8", detail=error)]
    if raw is None:
        return None, [Finding(line, None, "extra-cell") for line in widths["wide"]]
    raw.index = raw.index + 2  # line 1 is the header
    columns = list(raw.columns)
    return raw, [Finding(line, name, "missing-cell")
                 for line, width in widths["short"] for name in columns[width:]]


def _row_widths(path: Path) -> dict[str, list]:
    """Lines with more cells than the header, and (line, width) of non-blank lines with fewer."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        header = len(next(rows, []))
        wide, short = [], []
        for line, row in enumerate(rows, start=2):
            if len(row) > header:
                wide.append(line)
            elif len(row) < header and any(row):  # an all-empty row is blank, whatever its width
                short.append((line, len(row)))
    return {"wide": wide, "short": short}


def _first_non_utf8_line(path: Path) -> int | None:
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


def _lines(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask].index]


def parse(column: pd.Series, field: dict) -> tuple[pd.Series, pd.Series]:
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


TYPES = ("date", "integer", "number", "boolean")
# Constraints checked on the text of a present, well-typed cell: name -> "is the cell bad?"
_TEXT_CONSTRAINTS = {
    "enum": lambda column, allowed: ~column.isin(allowed),
    "pattern": lambda column, pattern: ~column.str.fullmatch(pattern),
    "maxLength": lambda column, limit: column.str.len() > limit,
}
_BOUNDS = {"minimum": lambda value, bound: value < bound, "maximum": lambda value, bound: value > bound}


def table_findings(raw: pd.DataFrame, schema: dict, references: dict[str, set],
                   short: list[Finding] = ()) -> list[Finding]:
    """Every broken rule in one table, by line then by the schema's column order. ``short``: the
    missing-cell findings of read_cells (those cells are checked for nothing else)."""
    blank = (raw == "").all(axis=1)
    found = [Finding(line, None, "blank-row") for line in _lines(blank)] + list(short)
    cells = raw[~blank]
    for field in schema["fields"]:
        absent = cells.index.isin([f.row for f in short if f.column == field["name"]])
        found += _field_findings(cells[field["name"]], field, pd.Series(absent, index=cells.index))
    found += _primary_key(cells, schema)
    found += _foreign_keys(cells, schema, references)
    order = {field["name"]: n for n, field in enumerate(schema["fields"])}
    return sorted(found, key=lambda f: (f.row, order.get(f.column, -1)))


def _field_findings(column: pd.Series, field: dict, missing: pd.Series) -> list[Finding]:
    name, constraints = field["name"], field.get("constraints", {})
    present = (column != "") | missing
    found = []
    if constraints.get("required"):
        found += [Finding(line, name, "required") for line in _lines(~present)]
    parsed, bad = parse(column, field)
    if field["type"] in TYPES:
        found += [Finding(line, name, f"type:{field['type']}", column.at[line]) for line in _lines(bad)]
    ok = present & ~bad & ~missing
    for key, breaks in _TEXT_CONSTRAINTS.items():
        if key in constraints:
            found += [Finding(line, name, key, column.at[line], constraints[key])
                      for line in _lines(ok & breaks(column, constraints[key]))]
    for key, outside in _BOUNDS.items():
        if key in constraints:
            limit = constraints[key]
            bound = pd.Timestamp(limit) if field["type"] == "date" else limit
            mask = ok & outside(parsed, bound).fillna(False).astype(bool)
            found += [Finding(line, name, key, column.at[line], limit) for line in _lines(mask)]
    if constraints.get("unique"):
        repeated = ok & column.duplicated(keep="first")
        first = column.reset_index().groupby(name)["index"].transform("min")
        first.index = column.index
        found += [Finding(line, name, "unique", column.at[line], int(first.at[line]))
                  for line in _lines(repeated)]
    return found


def _primary_key(cells: pd.DataFrame, schema: dict) -> list[Finding]:
    keys = schema.get("primaryKey", [])
    if not keys:
        return []
    duplicated = cells.duplicated(keys, keep="first")
    if not duplicated.any():
        return []
    first = cells.reset_index().groupby(keys)["index"].transform("min")
    first.index = cells.index
    label = ", ".join(keys)
    return [Finding(line, label, "primary-key", None, int(first.at[line])) for line in _lines(duplicated)]


def _foreign_keys(cells: pd.DataFrame, schema: dict, references: dict[str, set]) -> list[Finding]:
    found = []
    for foreign in schema.get("foreignKeys", []):
        column = foreign["fields"]
        table, key = foreign["reference"]["resource"], foreign["reference"]["fields"]
        known = references.get(f"{table}.{key}", set())
        unknown = (cells[column] != "") & ~cells[column].isin(known)
        found += [Finding(line, column, "foreign-key", cells.at[line, column], (table, key))
                  for line in _lines(unknown)]
    return found
