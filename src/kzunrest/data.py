"""Load and validate the curated data package.

The Table Schemas in ``data/datapackage.json`` are the single description of every CSV: frictionless
checks types, required fields, enums, bounds, primary and foreign keys against them, and a few rules
a Table Schema cannot express (``low <= high``, "a value or a range") are checked here. Every problem
is reported as ``file:row: column — what is wrong; how to fix it`` so an editor can go straight to it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import vocabulary
from .cache import VALIDATED_ENV, package_digest

from .paths import DEFAULT_DATA_DIR  # noqa: E402  (re-exported: callers use data.DEFAULT_DATA_DIR)
DESCRIPTOR = "datapackage.json"
# Set by the build so it can record which files a chapter actually read (see cache.py).
READ_LOG_ENV = "KZUNREST_READ_LOG"


class DataError(Exception):
    """The data package has problems; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.column or '-'} — {self.message}"


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


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    path = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    if not path.is_dir():
        raise DataError([Problem(str(path), None, None,
                                 "data directory does not exist; pass an existing directory "
                                 "(it must contain datapackage.json and the CSV files)")])
    if not (path / DESCRIPTOR).is_file():
        raise DataError([Problem(str(path / DESCRIPTOR), None, None,
                                 "file not found; a data directory needs its datapackage.json "
                                 "(copy it from the project's data/ directory)")])
    return path


def read_descriptor(data_dir: Path) -> dict:
    path = data_dir / DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), None, None,
                                 f"not valid JSON ({exc}); fix the syntax")]) from None


def resource_schemas(descriptor: dict) -> dict[str, dict]:
    return {r["name"]: r for r in descriptor["resources"]}


# ---------------------------------------------------------------------------------------------
# Validation


def validate(data_dir: str | os.PathLike | None = None, tables: list[str] | None = None,
             engine: str = "auto") -> list[Problem]:
    """Check the package, or only ``tables`` and the sources they cite; return every problem.

    ``engine``: ``frictionless`` (cell by cell), ``bulk`` (vectorised, see bulkcheck.py) or
    ``auto``: frictionless, except for tables of more than ``bulkcheck.BULK_ROWS`` rows.
    """
    directory = resolve_data_dir(data_dir)
    vocabulary.use(directory)
    descriptor = _subset(read_descriptor(directory), tables, directory)
    # Files and headers first: a missing or misspelt column would otherwise shift every cell.
    problems = _check_files_present(directory, descriptor) or _check_headers(directory, descriptor)
    if problems:
        return problems
    bulk = _bulk_tables(directory, descriptor, engine)
    small = [r for r in descriptor["resources"] if r["name"] not in bulk]
    problems = _frictionless_problems(directory, {**descriptor, "resources": small}) if small else []
    for resource in descriptor["resources"]:
        if resource["name"] in bulk:
            problems += _bulk_problems(directory, resource, descriptor)
    broken = {p.file for p in problems}
    frames = {}
    for name, resource in resource_schemas(descriptor).items():
        path = directory / resource["path"]
        if _display(path) in broken:
            continue
        frames[name] = _read_typed(path, resource["schema"])
        problems += _row_rules(name, _display(path), frames[name])
    if "claims" in frames and "claim_checks" in frames:
        problems += _checks_match_claims(_display(directory / "claim_checks.csv"), frames["claims"],
                                         frames["claim_checks"])
    return problems


def _checks_match_claims(file: str, claims: pd.DataFrame, checks: pd.DataFrame) -> list[Problem]:
    """A check reports the kind of quantity its claim makes, at a precision that fits that kind."""
    kind = checks["claim_id"].map(dict(zip(claims["claim_id"], claims["claim_kind"])))
    known = kind.notna()  # an unknown claim_id is reported by the foreign-key check
    return _figure_shape(file, checks[known], kind[known], "reported_date", "the claim")


def _bulk_tables(directory: Path, descriptor: dict, engine: str) -> set[str]:
    from .bulkcheck import BULK_ROWS

    names = {r["name"] for r in descriptor["resources"]}
    if engine == "bulk":
        return names
    if engine == "frictionless":
        return set()
    return {r["name"] for r in descriptor["resources"]
            if (directory / r["path"]).read_bytes().count(b"\n") - 1 > BULK_ROWS}


def _bulk_problems(directory: Path, resource: dict, descriptor: dict) -> list[Problem]:
    from .bulkcheck import table_problems

    path = directory / resource["path"]
    file = _display(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return [Problem(file, _first_non_utf8_line(path), None,
                        f"the file is not UTF-8 ({error}); re-save it as UTF-8")]
    references = {}
    for foreign in resource["schema"].get("foreignKeys", []):
        table, key = foreign["reference"]["resource"], foreign["reference"]["fields"]
        target = resource_schemas(descriptor)[table]
        with open(directory / target["path"], encoding="utf-8-sig", newline="") as handle:
            references[f"{table}.{key}"] = {row[key] for row in csv.DictReader(handle)}
    found = table_problems(file, raw, resource["schema"], references, _TYPE_HINTS,
                           _constraint_message)
    return [Problem(file, row, column, message) for row, column, message in sorted(
        found, key=lambda item: item[0])]


def _subset(descriptor: dict, tables: list[str] | None, directory: Path) -> dict:
    """The descriptor restricted to ``tables`` plus ``sources`` (every table cites it)."""
    _log_read(directory / DESCRIPTOR)
    if tables is None:
        return descriptor
    known = resource_schemas(descriptor)
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise DataError([Problem(_display(directory / DESCRIPTOR), None, None,
                                 f"no resource named {', '.join(unknown)}; "
                                 f"known: {', '.join(known)}")])
    wanted = ["sources", *[t for t in tables if t != "sources"]]
    return {**descriptor, "resources": [known[name] for name in wanted]}


def _display(path: Path) -> str:
    """A path as the user will recognise it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _check_files_present(directory: Path, descriptor: dict) -> list[Problem]:
    problems = []
    for resource in descriptor["resources"]:
        path = directory / resource["path"]
        if not path.is_file():
            problems.append(Problem(_display(path), None, None,
                                    "file not found; datapackage.json lists it as resource "
                                    f"'{resource['name']}' — restore the file or fix the path"))
        elif path.stat().st_size == 0:
            problems.append(Problem(_display(path), None, None,
                                    "file is empty; it needs a header row and at least one data row"))
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
        file = _display(path)
        problems += [Problem(file, 1, name, f"column is missing from the header; {exactly}")
                     for name in expected if name not in header]
        problems += [Problem(file, 1, name or "(blank)",
                             f"column is not in the schema (misspelt?); {exactly}")
                     for name in header if name not in expected]
        if sorted(header) == sorted(expected):
            problems.append(Problem(file, 1, None, f"columns are in another order; {exactly}"))
    return problems


def _frictionless_problems(directory: Path, descriptor: dict) -> list[Problem]:
    from frictionless import Package  # slow import: only when validating

    report = Package(descriptor, basepath=str(directory)).validate()
    schemas = {name: r["schema"] for name, r in resource_schemas(descriptor).items()}
    problems = []
    for task in report.tasks:
        path = directory / task.place
        for error in task.errors:
            problems.append(_explain(path, error, schemas.get(task.name, {})))
    return problems


_TYPE_HINTS = {
    "date": "write the date as YYYY-MM-DD (e.g. 2022-01-05) and check that the day exists",
    "integer": "write a whole number without spaces or separators, or leave the cell empty",
    "number": "write a number with a dot as decimal separator (e.g. 43.25)",
    "boolean": "write true or false",
}


def _explain(path: Path, error, schema: dict) -> Problem:
    """Turn one frictionless error into a Problem with a fix."""
    file = _display(path)
    kind = error.type
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or getattr(error, "label", None)
    cell = getattr(error, "cell", None)
    note = error.note or ""
    if kind == "type-error":
        ftype = re.search(r'type is "(\w+)', note)
        ftype = ftype.group(1) if ftype else "value"
        return Problem(file, row, column, f"'{cell}' is not a valid {ftype}; "
                       + _TYPE_HINTS.get(ftype, "correct the value"))
    if kind == "constraint-error":
        return Problem(file, row, column, _constraint_message(cell, note))
    if kind == "primary-key":
        other = re.search(r"position (\d+)", note)
        keys = ", ".join(schema.get("primaryKey", []))
        return Problem(file, row, keys,
                       f"duplicate key: the same ({keys}) as row {other.group(1) if other else '?'}; "
                       "merge the two rows or correct one of them")
    if kind == "foreign-key":
        found = re.search(r'for "([^"]+)": values "([^"]*)" not found in the lookup table "([^"]+)" '
                          r'as "([^"]+)"', note)
        column, value, table, key = found.groups() if found else ("source_id", "?", "sources", "source_id")
        noun = {"sources": "source", "claims": "claim"}.get(table, "row")
        return Problem(file, row, column,
                       f"'{value}' is not a {key} in {table}.csv; add the {noun} to {table}.csv "
                       "first, or correct the id")
    if kind in {"missing-label", "extra-label", "incorrect-label", "blank-label", "duplicate-label"}:
        expected = [f["name"] for f in schema.get("fields", [])]
        what = {"missing-label": "column is missing from the header",
                "extra-label": "column is not in the schema",
                "incorrect-label": "header does not match the schema",
                "blank-label": "header cell is blank",
                "duplicate-label": "column appears twice in the header"}[kind]
        return Problem(file, 1, column or "header",
                       f"{what}; the header must be exactly: {','.join(expected)}")
    if kind == "encoding-error":
        line = _first_non_utf8_line(path)
        return Problem(file, line, None, "the file is not UTF-8 (" + note + "); re-save it as UTF-8")
    if kind in {"blank-row"}:
        return Problem(file, row, None, "the row is empty; delete it")
    if kind in {"extra-cell", "missing-cell"}:
        return Problem(file, row, column,
                       f"{'more' if kind == 'extra-cell' else 'fewer'} cells than the header has "
                       "columns; check for unquoted commas")
    return Problem(file, row, column, f"{error.title}: {note}")


def _constraint_message(cell, note: str) -> str:
    name = re.search(r'constraint "(\w+)" is "(.*)"', note)
    if not name:
        return f"'{cell}' breaks a constraint ({note})"
    constraint, bound = name.groups()
    if constraint == "required":
        return "the cell is empty but this column is required; fill it in"
    if constraint == "enum":
        allowed = ", ".join(re.findall(r"'([^']*)'", bound))
        return f"'{cell}' is not an allowed value; use one of: {allowed}"
    if constraint == "minimum":
        return f"'{cell}' is below the minimum {bound}; correct the value (counts cannot be negative; coordinates must lie in Kazakhstan)"
    if constraint == "maximum":
        return f"'{cell}' is above the maximum {bound}; correct the value"
    if constraint == "pattern":
        return f"'{cell}' does not have the required form ({bound}); correct it"
    if constraint == "maxLength":
        return f"the text is longer than {bound} characters; shorten it"
    if constraint == "unique":
        return f"'{cell}' appears more than once; each value must be unique"
    return f"'{cell}' breaks the constraint {constraint} = {bound}"


def _first_non_utf8_line(path: Path) -> int | None:
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


# Rules that a Table Schema cannot express. Each returns Problems for one table.

def _row_rules(name: str, file: str, frame: pd.DataFrame) -> list[Problem]:
    if frame.empty:
        return [Problem(file, 2, None, "the file has a header but no data rows; add at least one row")]
    rules = {
        "protest_spread": [_range_rule("crowd_low", "crowd_high"), _inside_region_rule],
        "death_tolls": [_value_or_range_rule, _range_rule("low", "high")],
        "detentions": [_value_or_range_rule, _range_rule("low", "high"), _count_precision_rule],
        "arrests_dismissals": [_date_precision_rule],
        "claims": [_claim_shape_rule, _range_rule("low", "high")],
        "claim_checks": [_range_rule("low", "high")],
    }.get(name, []) + [_locator_rule]
    problems: list[Problem] = []
    for rule in rules:
        problems += rule(file, frame)
    return problems


def _rows(mask: pd.Series) -> list[int]:
    """File line numbers (header is line 1) of the rows selected by ``mask``."""
    return [int(i) + 2 for i in mask[mask.fillna(False)].index]


def _range_rule(low: str, high: str):
    def rule(file: str, frame: pd.DataFrame) -> list[Problem]:
        if low not in frame or high not in frame:
            return []
        problems = [Problem(file, r, low, f"{low} ({frame.at[r - 2, low]}) is greater than "
                            f"{high} ({frame.at[r - 2, high]}); swap them or correct one")
                    for r in _rows(frame[low] > frame[high])]
        # low alone means "at least low"; high alone has no reading.
        problems += [Problem(file, r, low, f"{high} is filled in but {low} is empty; give {low} "
                             "too (equal for a single figure)")
                     for r in _rows(frame[low].isna() & frame[high].notna())]
        return problems
    return rule


def _value_or_range_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    has_value = frame["value"].notna()
    has_range = frame["low"].notna() | frame["high"].notna()
    problems = [Problem(file, r, "value", "both a value and a range are given; keep one")
                for r in _rows(has_value & has_range)]
    problems += [Problem(file, r, "value", "no figure: fill in value, or low and high for a range")
                 for r in _rows(~has_value & ~has_range)]
    return problems


def _count_precision_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    """The figure sits in the columns its precision names."""
    precision = frame["precision"]
    single = precision.isin(["exact", "approximate", "nearly"])
    bound = precision.isin(["at_least", "more_than"])
    checks = [
        (single & frame["value"].isna(), "value",
         "this precision gives one figure; put it in value (low and high are for bounds and ranges)"),
        (bound & (frame["low"].isna() | frame["high"].notna()), "low",
         "'at least N' / 'more than N' goes in low, with high empty"),
        ((precision == "range") & (frame["low"].isna() | frame["high"].isna()), "low",
         "precision 'range' needs both low and high"),
    ]
    return [Problem(file, r, column, message) for bad, column, message in checks for r in _rows(bad)]


def _date_precision_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    precision, date = frame["date_precision"], frame["date"]
    checks = [
        ((precision == "month") & (date.dt.day != 1),
         "date_precision is 'month' but the date is not the first of the month; write YYYY-MM-01"),
        ((precision == "year") & ((date.dt.day != 1) | (date.dt.month != 1)),
         "date_precision is 'year' but the date is not 1 January; write YYYY-01-01"),
        ((precision != "unknown") & date.isna(),
         "the date is empty; fill it in, or set date_precision to 'unknown'"),
        ((precision == "unknown") & date.notna(),
         "date_precision is 'unknown' but a date is given; set the precision (day, month, year)"),
    ]
    return [Problem(file, r, "date", message) for bad, message in checks for r in _rows(bad)]


def _claim_shape_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    return _figure_shape(file, frame, frame["claim_kind"], "claim_date", "this claim")


_NEEDS_VALUE = {"exact", "rounded", "approximate", "nearly", "at_least", "more_than", "at_most",
                "less_than"}
_VAGUE = {"dozens", "hundreds", "thousands"}
_DATE_LENGTH = {"day": 10, "month": 7, "early_month": 7, "mid_month": 7, "late_month": 7, "year": 4}


def _figure_shape(file: str, frame: pd.DataFrame, kind: pd.Series, date_column: str,
                  whose: str) -> list[Problem]:
    """The columns a claim or check fills in must be the ones its precision reads (claims.py)."""
    precision, value = frame["precision"], frame["value"]
    number = kind == "number"
    for_numbers = precision.isin(vocabulary.values("number_precision"))
    has_range = frame["low"].notna() | frame["high"].notna()
    dates = frame[date_column]
    checks = [
        (number & ~for_numbers, "precision",
         f"{whose} is a number but the precision is one for dates; use one of "
         + ", ".join(vocabulary.values("number_precision"))),
        (~number & for_numbers, "precision",
         f"{whose} is a date but the precision is one for numbers; use one of "
         + ", ".join(vocabulary.values("date_precision"))),
        (number & precision.isin(_NEEDS_VALUE) & value.isna(), "value",
         "this precision reads a stated number; fill in value"),
        (precision.isin(_VAGUE | {"range"}) & value.notna(), "value",
         "a range or a vague word (dozens, hundreds, thousands) has no single value; empty value"),
        ((precision == "range") & (frame["low"].isna() | frame["high"].isna()), "low",
         "precision 'range' needs both low and high"),
        ((precision != "range") & has_range, "low",
         "low and high are read only for precision 'range'; empty them or set precision to 'range'"),
        ((precision == "rounded") & frame["rounding"].isna(), "rounding",
         "precision 'rounded' needs the rounding unit (1 for '71 percent'); fill in rounding"),
        ((precision != "rounded") & frame["rounding"].notna(), "rounding",
         "rounding is read only for precision 'rounded'; empty it or change the precision"),
        (~precision.isin({"approximate", "nearly"}) & frame["tolerance"].notna(), "tolerance",
         "tolerance is read only for 'approximate' and 'nearly'; empty it or change the precision"),
        (~number & dates.isna(), date_column, f"{whose} is a date; fill in {date_column}"),
        (number & dates.notna(), date_column,
         f"{whose} is a number; empty {date_column} (say in note what day a number refers to)"),
    ]
    problems = [Problem(file, r, column, message) for bad, column, message in checks
                for r in _rows(bad)]
    return problems + _date_text_problems(file, frame, precision, dates, date_column)


def _date_text_problems(file: str, frame: pd.DataFrame, precision: pd.Series, dates: pd.Series,
                        column: str) -> list[Problem]:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' that exists in the calendar and fits the precision."""
    from .claims import period

    problems = []
    for index, text in dates.dropna().items():
        row, kind = int(index) + 2, precision.at[index]
        parts = str(text).split("/")
        try:
            windows = [period(part) for part in parts]
        except ValueError:
            problems.append(Problem(file, row, column, f"'{text}' is not a calendar date; write "
                                    "YYYY-MM-DD, YYYY-MM or YYYY"))
            continue
        if (kind == "between") != (len(parts) == 2):
            problems.append(Problem(file, row, column, "two dates joined by '/' go with precision "
                                    f"'between' (and only with it), not '{kind}'"))
        elif kind == "between" and windows[0][0] > windows[1][1]:
            problems.append(Problem(file, row, column, f"'{text}' ends before it starts; put the "
                                    "earlier date first"))
        elif _DATE_LENGTH.get(kind) and len(text) != _DATE_LENGTH[kind]:
            shape = {10: "YYYY-MM-DD", 7: "YYYY-MM", 4: "YYYY"}[_DATE_LENGTH[kind]]
            problems.append(Problem(file, row, column, f"precision '{kind}' reads a date written "
                                    f"{shape}, not '{text}'; write it so, or change the precision"))
    return problems


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


def _locator_rule(file: str, frame: pd.DataFrame) -> list[Problem]:
    """Printed words are given exactly when the source was read again."""
    if "locator" not in frame or "printed" not in frame:
        return []
    lost = frame["locator"] == "not retrieved"
    return ([Problem(file, r, "printed", "no printed words: give the words that carry the figure "
                     "or date as printed, or set locator to 'not retrieved' and say so in note")
             for r in _rows(~lost & frame["printed"].isna())]
            + [Problem(file, r, "printed", "the locator says the source was not retrieved, so "
                       "there can be no printed words; empty printed or give the locator")
               for r in _rows(lost & frame["printed"].notna())])


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
    if kind == "date":
        return pd.to_datetime(column, format="%Y-%m-%d", errors="coerce")
    if kind == "integer":
        return pd.to_numeric(column, errors="coerce").astype("Int64")
    if kind == "number":
        return pd.to_numeric(column, errors="coerce").astype("Float64")
    if kind == "boolean":
        return column.map({"true": True, "false": False}).astype("boolean")
    return column.astype("string")


def _log_read(path: Path) -> None:
    log = os.environ.get(READ_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{path.resolve()}\n")


def load(data_dir: str | os.PathLike | None = None, tables: list[str] | None = None,
         check: bool = True) -> Dataset:
    """Validate the package (unless ``check`` is false) and return its tables as typed DataFrames.

    ``tables`` limits loading to the named resources (``sources`` is always loaded, as every table
    cites it). Raises :class:`DataError` listing every problem when the package is not valid.
    """
    directory = resolve_data_dir(data_dir)
    vocabulary.use(directory)
    if check and os.environ.get(VALIDATED_ENV) != package_digest(directory):
        problems = validate(directory, tables)
        if problems:
            raise DataError(problems)
    schemas = resource_schemas(_subset(read_descriptor(directory), tables, directory))
    dataset = Dataset(directory)
    for name, resource in schemas.items():
        dataset.tables[name] = _read_typed(directory / resource["path"], resource["schema"])
    return dataset
