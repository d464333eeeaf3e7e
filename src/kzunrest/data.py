"""Load and validate the curated data package.

The Table Schemas in ``data/datapackage.json`` are the single description of every CSV.
``tablecheck.py`` checks every table against them (types, required fields, enums, bounds, keys,
row shapes); the rules a Table Schema cannot express (``low <= high``, "a value or a range", a
check judged by its claim's kind) are ``ROW_RULES`` here. Every problem is worded here, in one
place, as ``file:row: column — what is wrong; how to fix it`` so an editor can go straight to it.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from . import vocabulary
from .cache import package_digest
from .errors import DataError, Problem  # noqa: F401  (re-exported: data.DataError)
from .tablecheck import TYPES, Finding, read_cells, read_rows, table_findings

from .paths import DEFAULT_DATA_DIR, for_messages  # noqa: F401  (re-exported: data.DEFAULT_DATA_DIR)
DESCRIPTOR = "datapackage.json"


@dataclass
class Dataset:
    """Typed tables of the package, keyed by resource name (``sources``, ``death_tolls``, ...)."""

    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None


# ---------------------------------------------------------------------------------------------
# Descriptor


# Problems with the package's folder and files, by rule name. With the schema rules and the row
# rules below they make up RULES, the list tests/test_validate.py holds one bad fixture for.
FILE_RULES = {
    "data directory missing": "data directory does not exist; pass an existing directory "
                              "(it must contain datapackage.json and the CSV files)",
    "datapackage.json missing": "file not found; a data directory needs its datapackage.json "
                                "(copy it from the project's data/ directory)",
    "datapackage.json not JSON": "not valid JSON ({error}); fix the syntax",
    "datapackage.json malformed": "{where} is missing or not {kind}; every resource needs a "
                                  "name, a path and a schema with a list of fields (compare with "
                                  "the project's data/datapackage.json)",
    "unknown table": "no resource named {names}; known: {known}",
    "file missing": "file not found; datapackage.json lists it as resource '{name}' — restore the "
                    "file or fix the path",
    "file empty": "file is empty; it needs a header row and at least one data row",
    "header only": "the file has a header but no data rows; add at least one row",
    "column missing": "column is missing from the header; {exactly}",
    "column not in schema": "column is not in the schema (misspelt?); {exactly}",
    "column misspelt": "column is not in the schema; did you mean {expected}? {exactly}",
    "columns out of order": "columns are in another order; {exactly}",
    "not UTF-8": "the file is not UTF-8 ({error}); re-save it as UTF-8",
}


def data_dir_problem(path: Path) -> Problem | None:
    """What keeps ``path`` from being a data folder (the one rule: it exists and holds
    datapackage.json), or None. The CLI's --data-dir and the chapters' data_dir parameter use it
    too, each naming its own option."""
    if not path.is_dir():
        return Problem(str(path), None, None, FILE_RULES["data directory missing"])
    if not (path / DESCRIPTOR).is_file():
        return Problem(str(path / DESCRIPTOR), None, None, FILE_RULES["datapackage.json missing"])
    return None


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """The data folder asked for (the project's data/ by default); DataError when it is none."""
    path = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    problem = data_dir_problem(path)
    if problem:
        raise DataError([problem])
    return path


def read_descriptor(data_dir: Path) -> dict:
    path = data_dir / DESCRIPTOR
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError([Problem(for_messages(path), None, None,
                                 FILE_RULES["datapackage.json not JSON"].format(error=exc))]) from None
    malformed = _malformed(descriptor)
    if malformed:
        where, kind = malformed
        raise DataError([Problem(for_messages(path), None, None, FILE_RULES[
            "datapackage.json malformed"].format(where=where, kind=kind))])
    return descriptor


def _malformed(descriptor) -> tuple[str, str] | None:
    """The first part of the descriptor the validator needs and cannot find: (where, expected)."""
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return "resources", "a non-empty list"
    for number, resource in enumerate(resources):
        where = f"resources[{number}]"
        if not isinstance(resource, dict):
            return where, "an object"
        for key in ("name", "path"):
            if not isinstance(resource.get(key), str):
                return f"{where}.{key}", "a string"
        fields = resource.get("schema", {}).get("fields") if isinstance(resource.get("schema"), dict) else None
        if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f and "type" in f
                                                   for f in fields):
            return f"{where}.schema.fields", "a list of fields, each with a name and a type"
    return None


def resource_schemas(descriptor: dict) -> dict[str, dict]:
    return {r["name"]: r for r in descriptor["resources"]}


# ---------------------------------------------------------------------------------------------
# Validation


def validate(data_dir: str | os.PathLike | None = None,
             tables: list[str] | None = None) -> list[Problem]:
    """Check the package, or only ``tables`` and the sources they cite; return every problem."""
    directory = resolve_data_dir(data_dir)
    vocabulary.use(directory)
    descriptor = _subset(read_descriptor(directory), tables, directory)
    # Files and headers first: a missing or misspelt column would otherwise shift every cell.
    problems = _check_files_present(directory, descriptor) or _check_headers(directory, descriptor)
    if problems:
        return problems
    for resource in descriptor["resources"]:
        problems += _cell_problems(directory, resource, descriptor)
    problems = _one_per_cell(problems)
    broken = {p.file for p in problems}
    frames = {}
    for name, resource in resource_schemas(descriptor).items():
        path = directory / resource["path"]
        if for_messages(path) in broken:
            continue
        frames[name] = _read_typed(path, resource["schema"])
    # Row rules once every table is read: a check is judged with its claim's kind.
    for name, frame in frames.items():
        path = directory / resource_schemas(descriptor)[name]["path"]
        problems += _row_rules(name, for_messages(path), _with_claim_kind(name, frames))
    return problems


def tables_to_recheck(directory: Path, before: dict[str, str] | None,
                      now: dict[str, str]) -> list[str] | None:
    """The tables to validate again after an edit, from the digests of the package's files (by
    path in the package, datapackage.json included) when it last passed and now; None: all of
    them (no state that passed, or the descriptor or the list of files changed). A table's
    problems depend on its own file, on the tables its foreign keys point into, and on the tables
    it reads while it is checked, which are the same (a check reads its claim's kind); so the
    changed tables are checked again, with every table that points into one of them, and those
    read what they point into."""
    if before is None or before.keys() != now.keys() or before.get(DESCRIPTOR) != now.get(DESCRIPTOR):
        return None
    schemas = resource_schemas(read_descriptor(directory))
    targets = {name: {key["reference"]["resource"] for key in resource["schema"].get("foreignKeys", [])}
               for name, resource in schemas.items()}
    changed = {name for name, resource in schemas.items()
               if before.get(resource["path"]) != now.get(resource["path"])}
    again = changed | {name for name, points_to in targets.items() if points_to & changed}
    again |= {target for name in again for target in targets[name]}
    return [name for name in schemas if name in again]


def _with_claim_kind(name: str, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A check is read as the kind of quantity its claim makes (a number or a date); checks of an
    unknown claim get no kind, so only the foreign-key check reports them."""
    frame = frames[name]
    if name != "claim_checks":
        return frame
    kinds = dict(zip(frames["claims"]["claim_id"], frames["claims"]["claim_kind"])) \
        if "claims" in frames else {}
    return frame.assign(claim_kind=frame["claim_id"].map(kinds))


def _cell_problems(directory: Path, resource: dict, descriptor: dict) -> list[Problem]:
    """Every broken schema rule in one table (tablecheck.py finds them; CELL_WORDS words them)."""
    path = directory / resource["path"]
    file = for_messages(path)
    raw, widths = read_cells(path)
    if raw is None:  # not UTF-8, or rows too wide to place their cells
        return [Problem(file, f.row, f.column, CELL_WORDS[f.rule](f)) for f in widths]
    references = {}
    for foreign in resource["schema"].get("foreignKeys", []):
        table, key = foreign["reference"]["resource"], foreign["reference"]["fields"]
        target = directory / resource_schemas(descriptor)[table]["path"]
        references[f"{table}.{key}"] = {row[key] for row in read_rows(target)}
    return [Problem(file, f.row, f.column, CELL_WORDS[f.rule](f))
            for f in table_findings(raw, resource["schema"], references, widths)]


def _subset(descriptor: dict, tables: list[str] | None, directory: Path) -> dict:
    """The descriptor restricted to ``tables`` plus ``sources`` (every table cites it)."""
    _log_read(directory / DESCRIPTOR)
    if tables is None:
        return descriptor
    known = resource_schemas(descriptor)
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise DataError([Problem(for_messages(directory / DESCRIPTOR), None, None,
                                 FILE_RULES["unknown table"].format(names=", ".join(unknown),
                                                                    known=", ".join(known)))])
    wanted = ["sources", *[t for t in tables if t != "sources"]]
    return {**descriptor, "resources": [known[name] for name in wanted]}


def _check_files_present(directory: Path, descriptor: dict) -> list[Problem]:
    problems = []
    for resource in descriptor["resources"]:
        path = directory / resource["path"]
        if not path.is_file():
            problems.append(Problem(for_messages(path), None, None,
                                    FILE_RULES["file missing"].format(name=resource["name"])))
        elif path.stat().st_size == 0:
            problems.append(Problem(for_messages(path), None, None, FILE_RULES["file empty"]))
    return problems


def _check_headers(directory: Path, descriptor: dict) -> list[Problem]:
    problems = []
    for resource in descriptor["resources"]:
        path = directory / resource["path"]
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except UnicodeDecodeError:
            continue  # reported with its line by the encoding check
        expected = [f["name"] for f in resource["schema"]["fields"]]
        if header == expected:
            continue
        exactly = f"the header must be exactly: {','.join(expected)}"
        file = for_messages(path)
        missing = [name for name in expected if name not in header]
        unknown = [name for name in header if name not in expected]
        meant = _misspellings(unknown, missing)
        problems += [Problem(file, 1, name, FILE_RULES["column missing"].format(exactly=exactly))
                     for name in missing if name not in meant.values()]
        problems += [Problem(file, 1, name or "(blank)",
                             FILE_RULES["column misspelt"].format(expected=meant[name], exactly=exactly)
                             if name in meant else
                             FILE_RULES["column not in schema"].format(exactly=exactly))
                     for name in unknown]
        if sorted(header) == sorted(expected):
            problems.append(Problem(file, 1, None,
                                    FILE_RULES["columns out of order"].format(exactly=exactly)))
    return problems


def _misspellings(unknown: list[str], missing: list[str]) -> dict[str, str]:
    """Unknown header names that are a near miss of exactly one missing column: name -> meant."""
    from difflib import get_close_matches

    meant = {}
    for name in unknown:
        close = get_close_matches(name, missing, n=2, cutoff=0.8)
        if len(close) == 1 and close[0] not in meant.values():
            meant[name] = close[0]
    return meant


def _one_per_cell(problems: list[Problem]) -> list[Problem]:
    """The first problem of each cell: a source_id that breaks the id pattern is not also listed
    as missing from sources.csv (fix the first; the next run says if more is wrong)."""
    seen, kept = set(), []
    for problem in problems:
        cell = (problem.file, problem.row, problem.column)
        if problem.row is None or problem.column is None or cell not in seen:
            kept.append(problem)
        seen.add(cell)
    return kept


# How the validator words each finding of tablecheck.py, with its fix: one entry per rule.
_TYPE_HINTS = {
    "date": "write the date as YYYY-MM-DD (e.g. 2022-01-05) and check that the day exists",
    "integer": "write a whole number without spaces or separators, or leave the cell empty",
    "number": "write a number with a dot as decimal separator (e.g. 43.25)",
    "boolean": "write true or false",
}


def _type_words(kind: str) -> Callable[[Finding], str]:
    return lambda f: f"'{f.cell}' is not a valid {kind}; {_TYPE_HINTS[kind]}"


def _foreign_key_words(f: Finding) -> str:
    table, key = f.detail
    noun = {"sources": "source", "claims": "claim"}.get(table, "row")
    return (f"'{f.cell}' is not a {key} in {table}.csv; add the {noun} to {table}.csv first, or "
            "correct the id")


def _cells_words(kind: str) -> Callable[[Finding], str]:
    return lambda f: f"{kind} cells than the header has columns; check for unquoted commas"


CELL_WORDS: dict[str, Callable[[Finding], str]] = {
    **{f"type:{kind}": _type_words(kind) for kind in TYPES},
    "required": lambda f: "the cell is empty but this column is required; fill it in",
    "enum": lambda f: f"'{f.cell}' is not an allowed value; use one of: " + ", ".join(f.detail),
    "minimum": lambda f: (f"'{f.cell}' is below the minimum {f.detail}; correct the value (counts "
                          "cannot be negative; coordinates must lie in Kazakhstan)"),
    "maximum": lambda f: f"'{f.cell}' is above the maximum {f.detail}; correct the value",
    "pattern": lambda f: f"'{f.cell}' does not have the required form ({f.detail}); correct it",
    "maxLength": lambda f: f"the text is longer than {f.detail} characters; shorten it",
    "unique": lambda f: (f"'{f.cell}' appears more than once (first in row {f.detail}); each value "
                         "must be unique"),
    "primary-key": lambda f: (f"duplicate key: the same ({f.column}) as row {f.detail}; merge the "
                              "two rows or correct one of them"),
    "foreign-key": _foreign_key_words,
    "blank-row": lambda f: "the row is empty; delete it",
    "not-utf8": lambda f: FILE_RULES["not UTF-8"].format(error=f.detail),
    "extra-cell": _cells_words("more"),
    "missing-cell": _cells_words("fewer"),
}


# Rules that a Table Schema cannot express, each named and returning Problems for one table.


@dataclass(frozen=True)
class Rule:
    """A rule given as a function of the table: ``check(file, frame)`` returns its Problems."""
    name: str
    check: Callable[[str, pd.DataFrame], list[Problem]]


@dataclass(frozen=True)
class RowRule:
    """A rule flagging the rows where ``bad(frame, *args)`` holds, on ``column``, with
    ``message(frame, index, *args)``."""
    name: str
    column: str
    bad: Callable[..., pd.Series]
    message: Callable[..., str]
    args: tuple = ()

    def check(self, file: str, frame: pd.DataFrame) -> list[Problem]:
        return [Problem(file, r, self.column, self.message(frame, r - 2, *self.args))
                for r in _rows(self.bad(frame, *self.args))]


def _rows(mask: pd.Series) -> list[int]:
    """File line numbers (header is line 1) of the rows selected by ``mask``."""
    return [int(i) + 2 for i in mask[mask.fillna(False)].index]


def _as_written(number) -> str:
    """A number as an editor would have typed it: 240, not 240.0."""
    return str(int(number)) if float(number).is_integer() else str(number)


# low <= high; low alone means "at least low", high alone has no reading.

def _low_above_high(frame: pd.DataFrame, low: str, high: str) -> pd.Series:
    return frame[low] > frame[high]


def _low_above_high_text(frame: pd.DataFrame, i: int, low: str, high: str) -> str:
    return (f"{low} ({_as_written(frame.at[i, low])}) is greater than {high} "
            f"({_as_written(frame.at[i, high])}); swap them or correct one")


def _high_without_low(frame: pd.DataFrame, low: str, high: str) -> pd.Series:
    return frame[low].isna() & frame[high].notna()


def _high_without_low_text(frame: pd.DataFrame, i: int, low: str, high: str) -> str:
    return f"{high} is filled in but {low} is empty; give {low} too (equal for a single figure)"


def _range_rules(low: str, high: str) -> tuple[RowRule, RowRule]:
    return (RowRule(f"{low} > {high}", low, _low_above_high, _low_above_high_text, (low, high)),  # pragma: no mutate
            RowRule(f"{high} without {low}", low, _high_without_low, _high_without_low_text,  # pragma: no mutate
                    (low, high)))  # pragma: no mutate


# A value, or a range (death_tolls).

def _has_range(frame: pd.DataFrame) -> pd.Series:
    return frame["low"].notna() | frame["high"].notna()


def _value_and_range(frame: pd.DataFrame) -> pd.Series:
    return frame["value"].notna() & _has_range(frame)


def _no_figure(frame: pd.DataFrame) -> pd.Series:
    return frame["value"].isna() & ~_has_range(frame)


# Date precision (arrests_dismissals): a day, the first of a month, 1 January, or no date.

def _month_not_first(frame: pd.DataFrame) -> pd.Series:
    date = frame["date"]
    return (frame["date_precision"] == "month") & date.notna() & (date.dt.day != 1)


def _year_not_first_of_january(frame: pd.DataFrame) -> pd.Series:
    date = frame["date"]
    return (frame["date_precision"] == "year") & date.notna() & (
        (date.dt.day != 1) | (date.dt.month != 1))


def _date_missing(frame: pd.DataFrame) -> pd.Series:
    return (frame["date_precision"] != "unknown") & frame["date"].isna()


def _unknown_but_dated(frame: pd.DataFrame) -> pd.Series:
    return (frame["date_precision"] == "unknown") & frame["date"].notna()


def _says(text: str) -> Callable[..., str]:
    """A message that does not depend on the row."""
    def message(frame: pd.DataFrame, i: int) -> str:
        return text
    return message


def _row_rules(name: str, file: str, frame: pd.DataFrame) -> list[Problem]:
    if frame.empty:
        return [Problem(file, 2, None, FILE_RULES["header only"])]
    problems: list[Problem] = []
    for rule in ROW_RULES.get(name, ()):
        problems += rule.check(file, frame)
    return problems


# The precisions whose window reads a stated value, and the vague words that have none
# (claims.py reads them; tests/test_vocabulary.py checks that the two cover every precision).
_NEEDS_VALUE = {"exact", "rounded", "approximate", "nearly", "at_least", "more_than", "at_most",
                "less_than"}
_VAGUE = {"dozens", "hundreds", "thousands"}
_DATE_LENGTH = {"day": 10, "month": 7, "early_month": 7, "mid_month": 7, "late_month": 7, "year": 4}


# Counts (detentions): the figure sits in the columns its precision names.

def _single_without_value(frame: pd.DataFrame) -> pd.Series:
    return frame["precision"].isin(["exact", "approximate", "nearly"]) & frame["value"].isna()


def _bound_not_in_low(frame: pd.DataFrame) -> pd.Series:
    return frame["precision"].isin(["at_least", "more_than"]) & (
        frame["low"].isna() | frame["high"].notna())


def _range_incomplete(frame: pd.DataFrame) -> pd.Series:
    return (frame["precision"] == "range") & (frame["low"].isna() | frame["high"].isna())


# Claims and checks: the columns filled in are the ones the precision reads (claims.py). A check
# has no claim_kind of its own: validate() gives it its claim's.

def _number(frame: pd.DataFrame) -> pd.Series:
    return frame["claim_kind"] == "number"


def _date(frame: pd.DataFrame) -> pd.Series:
    return frame["claim_kind"] == "date"


def _for_numbers(frame: pd.DataFrame) -> pd.Series:
    return frame["precision"].isin(vocabulary.values("number_precision"))


def _date_precision_on_number(frame: pd.DataFrame) -> pd.Series:
    return _number(frame) & ~_for_numbers(frame)


def _number_precision_on_date(frame: pd.DataFrame) -> pd.Series:
    return _date(frame) & _for_numbers(frame)


def _stated_number_missing(frame: pd.DataFrame) -> pd.Series:
    return _number(frame) & frame["precision"].isin(_NEEDS_VALUE) & frame["value"].isna()


def _value_with_range_or_vague(frame: pd.DataFrame) -> pd.Series:
    return frame["precision"].isin(_VAGUE | {"range"}) & frame["value"].notna()


def _range_without_precision(frame: pd.DataFrame) -> pd.Series:
    return (frame["precision"] != "range") & _has_range(frame)


def _rounded_without_rounding(frame: pd.DataFrame) -> pd.Series:
    return (frame["precision"] == "rounded") & frame["rounding"].isna()


def _rounding_without_rounded(frame: pd.DataFrame) -> pd.Series:
    return (frame["precision"] != "rounded") & frame["rounding"].notna()


def _tolerance_without_approximate(frame: pd.DataFrame) -> pd.Series:
    return ~frame["precision"].isin({"approximate", "nearly"}) & frame["tolerance"].notna()


def _date_text_missing(frame: pd.DataFrame, column: str, whose: str) -> pd.Series:
    return _date(frame) & frame[column].isna()


def _date_text_on_number(frame: pd.DataFrame, column: str, whose: str) -> pd.Series:
    return _number(frame) & frame[column].notna()


def _date_text_missing_text(frame: pd.DataFrame, i: int, column: str, whose: str) -> str:
    return f"{whose} is a date; fill in {column}"


def _date_text_on_number_text(frame: pd.DataFrame, i: int, column: str, whose: str) -> str:
    return f"{whose} is a number; empty {column} (say in note what day a number refers to)"


def _kind_message(kind: str, other: str, whose: str) -> Callable[..., str]:
    def message(frame: pd.DataFrame, i: int) -> str:
        return (f"{whose} is a {kind} but the precision is one for {other}s; use one of: "
                + ", ".join(vocabulary.values(f"{kind}_precision")))
    return message


def _periods(text: str):
    """The first and last day of each part of 'YYYY[-MM[-DD]]' or 'A/B'; None if not a date."""
    from .claims import period

    try:
        return [period(part) for part in text.split("/")]
    except ValueError:
        return None


def _each_date(frame: pd.DataFrame, column: str, wrong) -> pd.Series:
    """``wrong(text, precision)`` for every filled-in date text (claims and checks are small)."""
    return pd.Series([pd.notna(text) and wrong(str(text), precision)
                      for text, precision in zip(frame[column], frame["precision"])],
                     index=frame.index, dtype=bool)


def _dates_where(wrong) -> Callable[[pd.DataFrame, str], pd.Series]:
    """A row rule's test: the rows whose date text in ``column`` is ``wrong`` for its precision."""
    return lambda frame, column: _each_date(frame, column, wrong)


def _unparsable(text: str, precision) -> bool:
    return _periods(text) is None


def _slash_without_between(text: str, precision) -> bool:
    return _periods(text) is not None and (precision == "between") != ("/" in text)


def _ends_before_start(text: str, precision) -> bool:
    parts = _periods(text)
    return bool(parts) and len(parts) == 2 and parts[0][0] > parts[1][1]


def _shape_unlike_precision(text: str, precision) -> bool:
    wanted = _DATE_LENGTH.get(precision)
    return _periods(text) is not None and "/" not in text and bool(wanted) and len(text) != wanted


def _not_a_date_text(frame: pd.DataFrame, i: int, column: str) -> str:
    return f"'{frame.at[i, column]}' is not a calendar date; write YYYY-MM-DD, YYYY-MM or YYYY"


def _between_mismatch_text(frame: pd.DataFrame, i: int, column: str) -> str:
    return ("two dates joined by '/' go with precision 'between' (and only with it), not "
            f"'{frame.at[i, 'precision']}'")


def _reversed_text(frame: pd.DataFrame, i: int, column: str) -> str:
    return f"'{frame.at[i, column]}' ends before it starts; put the earlier date first"


def _wrong_shape_text(frame: pd.DataFrame, i: int, column: str) -> str:
    precision = frame.at[i, "precision"]
    shape = {10: "YYYY-MM-DD", 7: "YYYY-MM", 4: "YYYY"}[_DATE_LENGTH[precision]]
    return (f"precision '{precision}' reads a date written {shape}, not '{frame.at[i, column]}'; "
            "write it so, or change the precision")


def _figure_rules(column: str, whose: str) -> tuple[RowRule, ...]:
    """The rules of a claim (``claim_date``) or a check (``reported_date``)."""
    return (
        RowRule("date precision for a number", "precision", _date_precision_on_number,
                _kind_message("number", "date", whose)),
        RowRule("number precision for a date", "precision", _number_precision_on_date,
                _kind_message("date", "number", whose)),
        RowRule("stated number missing", "value", _stated_number_missing,
                _says("this precision reads a stated number; fill in value")),
        RowRule("value with a range or vague word", "value", _value_with_range_or_vague,
                _says("a range or a vague word (dozens, hundreds, thousands) has no single value; "
                      "empty value")),
        RowRule("range incomplete", "low", _range_incomplete,
                _says("precision 'range' needs both low and high")),
        RowRule("low or high without a range", "low", _range_without_precision,
                _says("low and high are read only for precision 'range'; empty them or set "
                      "precision to 'range'")),
        RowRule("rounded without rounding", "rounding", _rounded_without_rounding,
                _says("precision 'rounded' needs the rounding unit (1 for '71 percent'); fill in "
                      "rounding")),
        RowRule("rounding without rounded", "rounding", _rounding_without_rounded,
                _says("rounding is read only for precision 'rounded'; empty it or change the "
                      "precision")),
        RowRule("tolerance without approximate", "tolerance", _tolerance_without_approximate,
                _says("tolerance is read only for 'approximate' and 'nearly'; empty it or change "
                      "the precision")),
        RowRule("date missing", column, _date_text_missing, _date_text_missing_text,
                (column, whose)),
        RowRule("date on a number", column, _date_text_on_number, _date_text_on_number_text,
                (column, whose)),
        RowRule("date not in the calendar", column, _dates_where(_unparsable), _not_a_date_text, (column,)),
        RowRule("two dates without 'between'", column, _dates_where(_slash_without_between), _between_mismatch_text,
                (column,)),
        RowRule("dates in reverse", column, _dates_where(_ends_before_start), _reversed_text, (column,)),
        RowRule("date written unlike its precision", column, _dates_where(_shape_unlike_precision), _wrong_shape_text,
                (column,)),
    )


def _inside_region_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    """A place's coordinates lie inside its region's outline (January 2022 borders)."""
    from .geography import outline_of, regions_at

    places = frame.dropna(subset=["latitude", "longitude", "region"])
    keys = ["city", "latitude", "longitude", "region"]
    problems = []
    # Each distinct place once: a large event file repeats the same few hundred places.
    for (city, lat, lon, region), rows in places.groupby(keys, sort=False).groups.items():
        found = regions_at(float(lon), float(lat))
        if outline_of(region) in found:
            continue
        where = f"in {found[0]}" if found else "outside every region's outline"
        problems += [Problem(file, int(i) + 2, "region", (
            f"{city} ({lat}, {lon}) lies {where}, not in {region}; correct the coordinates or "
            "the region (regions as of January 2022)")) for i in rows]
    return problems


# Printed words are given exactly when the source was read again.

def _printed_missing(frame: pd.DataFrame) -> pd.Series:
    return (frame["locator"] != "not retrieved") & frame["printed"].isna()


def _printed_without_source(frame: pd.DataFrame) -> pd.Series:
    return (frame["locator"] == "not retrieved") & frame["printed"].notna()


_LOCATOR = (
    RowRule("printed words missing", "printed", _printed_missing,
            _says("no printed words: give the words that carry the figure or date as printed, or "
                  "set locator to 'not retrieved' and say so in note")),
    RowRule("printed words without a retrieved source", "printed", _printed_without_source,
            _says("the locator says the source was not retrieved, so there can be no printed "
                  "words; empty printed or give the locator")),
)

_VALUE_AND_RANGE = RowRule("value and range", "value", _value_and_range,
                           _says("both a value and a range are given; keep one"))
_NO_FIGURE = RowRule("no figure", "value", _no_figure,
                     _says("no figure: fill in value, or low and high for a range"))
_DATE_PRECISION = (
    RowRule("month precision", "date", _month_not_first,
            _says("date_precision is 'month' but the date is not the first of the month; "
                  "write YYYY-MM-01")),
    RowRule("year precision", "date", _year_not_first_of_january,
            _says("date_precision is 'year' but the date is not 1 January; write YYYY-01-01")),
    RowRule("empty date", "date", _date_missing,
            _says("the date is empty; fill it in, or set date_precision to 'unknown'")),
    RowRule("unknown precision with a date", "date", _unknown_but_dated,
            _says("date_precision is 'unknown' but a date is given; set the precision (day, "
                  "month, year)")),
)

ROW_RULES: dict[str, tuple[Rule | RowRule, ...]] = {
    "protest_spread": (*_range_rules("crowd_low", "crowd_high"),
                       Rule("coordinates outside the region", _inside_region_rule), *_LOCATOR),
    "key_events": _LOCATOR,
    "arrests_dismissals": (*_DATE_PRECISION, *_LOCATOR),
    "death_tolls": (_VALUE_AND_RANGE, _NO_FIGURE, *_range_rules("low", "high"), *_LOCATOR),
    # Where a precision says which columns hold the figure, its rules already catch a missing
    # figure and a lone high; only the order of low and high is left to check.
    "detentions": (
        _VALUE_AND_RANGE, _range_rules("low", "high")[0],
        RowRule("single figure without value", "value", _single_without_value,
                _says("this precision gives one figure; put it in value (low and high are for "
                      "bounds and ranges)")),
        RowRule("bound not in low", "low", _bound_not_in_low,
                _says("'at least N' / 'more than N' goes in low, with high empty")),
        RowRule("count range incomplete", "low", _range_incomplete,
                _says("precision 'range' needs both low and high")),
        *_LOCATOR),
    "claims": (*_figure_rules("claim_date", "this claim"), _range_rules("low", "high")[0]),
    "claim_checks": (*_figure_rules("reported_date", "the claim"), _range_rules("low", "high")[0],
                     *_LOCATOR),
}

# Every rule the validator applies, by name: the file rules, the schema rules tablecheck.py checks
# (one per type, constraint, key and row shape) and the row rules of each table.
# tests/test_rules.py has a bad fixture for each name.
RULES = ([f"file: {name}" for name in FILE_RULES]
         + [f"type: {rule.split(':')[1]}" if rule.startswith("type:") else f"schema: {rule}"
            for rule in CELL_WORDS if rule != "not-utf8"]  # that one is the file rule "not UTF-8"
         + [f"{table}: {rule.name}" for table, rules in ROW_RULES.items() for rule in rules])


# ---------------------------------------------------------------------------------------------
# Loading


def _read_typed(path: Path, schema: dict) -> pd.DataFrame:
    """Read a CSV as strings, then convert each column to the type its schema gives."""
    _log_read(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = pd.DataFrame(index=raw.index)
    for spec in schema["fields"]:
        column = raw.get(spec["name"], pd.Series([""] * len(raw), dtype=str)).replace("", pd.NA)
        frame[spec["name"]] = _convert(column, spec)
    return frame


def _convert(column: pd.Series, spec: dict) -> pd.Series:
    kind = spec["type"]
    if kind == "date":  # strictly YYYY-MM-DD, as the schema's validators require
        strict = column.where(column.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False))
        return pd.to_datetime(strict, format="%Y-%m-%d", errors="coerce")
    if kind == "integer":
        return pd.to_numeric(column, errors="coerce").astype("Int64")
    if kind == "number":
        return pd.to_numeric(column, errors="coerce").astype("Float64")
    if kind == "boolean":
        return column.map({"true": True, "false": False}).astype("boolean")
    return column.astype("string")


@dataclass(frozen=True)
class BuildContext:
    """What the build tells a chapter's kernel before the chapter runs (kzunrest.build, through
    kzunrest.kernels); a notebook run on its own has the defaults. ``validated``: the digest of the
    package the build has just validated (loading exactly those files need not check them again);
    ``read_log``: a file in which every data file read is recorded, so that the cache knows what
    the chapter depends on."""

    validated: str | None = None
    read_log: str | None = None


BUILD = BuildContext()


def enter_build(context: dict) -> None:
    """Called in a chapter kernel with the context the build sent (see :class:`BuildContext`)."""
    global BUILD
    BUILD = BuildContext(**context)


def _log_read(path: Path) -> None:
    if BUILD.read_log:
        with open(BUILD.read_log, "a", encoding="utf-8") as handle:
            handle.write(f"{path.resolve()}\n")


def load(data_dir: str | os.PathLike | None = None, tables: list[str] | None = None,
         check: bool = True) -> Dataset:
    """Validate the package (unless ``check`` is false) and return its tables as typed DataFrames.

    ``tables`` limits loading to the named resources (``sources`` is always loaded, as every table
    cites it). Raises :class:`DataError` listing every problem when the package is not valid.
    """
    directory = resolve_data_dir(data_dir)
    vocabulary.use(directory)
    if check and BUILD.validated != package_digest(directory):
        problems = validate(directory, tables)
        if problems:
            raise DataError(problems)
    schemas = resource_schemas(_subset(read_descriptor(directory), tables, directory))
    dataset = Dataset(directory)
    for name, resource in schemas.items():
        dataset.tables[name] = _read_typed(directory / resource["path"], resource["schema"])
    return dataset
