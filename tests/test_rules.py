"""One small bad fixture per validation rule, the list of rules generated from the validator's own
registries (kzunrest.data.RULES): a rule added without a fixture fails
``test_every_rule_has_a_bad_fixture``. Each fixture must produce exactly one problem, worded as
written here. (tests/test_validate.py checks that frictionless, an independent validator, flags
the same cells as the project's one engine, tablecheck.py.)

In-process calls of ``kzunrest.data.validate`` (fast, so ``make mutants`` can run them); the exit
status and output of the real ``kzunrest validate`` are tested in test_validate.py."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import DataCopy
from kzunrest.data import RULES, DataError, validate

# Rules allowed to have no fixture (none today); test_allow_list_is_only_for_rules_that_exist
# keeps the set honest.
WITHOUT_FIXTURE: set[str] = set()

LONG_TITLE = "A" * 401


def line_where(copy: DataCopy, table: str, **match) -> int:
    """File line (header = 1) of the first row whose cells equal ``match``."""
    return next(i for i, row in enumerate(copy.rows(table), start=2)
                if all(row[k] == v for k, v in match.items()))


def update(copy: DataCopy, table: str, line: int, **cells) -> int:
    rows = copy.rows(table)
    rows[line - 2].update(cells)
    copy.write_rows(table, rows)
    return line


def edit_descriptor(copy: DataCopy, change) -> None:
    path = copy.dir / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def replace_text(copy: DataCopy, table: str, old: str, new: str) -> None:
    path = copy.path(table)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def append_line(copy: DataCopy, table: str, text: str) -> int:
    path = copy.path(table)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, text)  # after the first data row: later rows' numbers must stay right
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 3


def _bad_data_directory(copy):
    (copy.dir / "datapackage.json").unlink()
    for csv in copy.dir.glob("*.csv"):
        csv.unlink()
    copy.dir.rmdir()
    return "data: - — data directory does not exist; pass an existing directory (it must contain datapackage.json and the CSV files)"


def _no_descriptor(copy):
    (copy.dir / "datapackage.json").unlink()
    return "data/datapackage.json: - — file not found; a data directory needs its datapackage.json (copy it from the project's data/ directory)"


def _not_json(copy):
    (copy.dir / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    return ("data/datapackage.json: - — not valid JSON (Expecting value: line 1 column 16 (char 15)); "
            "fix the syntax")


def _malformed(copy):
    edit_descriptor(copy, lambda d: d["resources"][1].pop("schema"))
    return ("data/datapackage.json: - — resources[1].schema.fields is missing or not a list of "
            "fields, each with a name and a type; every resource needs a name, a path and a schema "
            "with a list of fields (compare with the project's data/datapackage.json)")


def _header_with(copy, table, header):
    path = copy.path(table)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *lines[1:]]) + "\n", encoding="utf-8")


KEY_EVENTS = ("event_id,date,time_local,kind,region,description,source_id,locator,printed,qualifier,"
              "note")
EXACTLY = f"the header must be exactly: {KEY_EVENTS}"


def _not_utf8(copy):
    path = copy.path("key_events")
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b",", b" caf\xe9,", 1)  # é in latin-1
    path.write_bytes(b"\n".join(lines))
    return "data/key_events.csv:5: - — the file is not UTF-8 ("


def _unique(copy):
    edit_descriptor(copy, lambda d: next(f for f in d["resources"][0]["schema"]["fields"]
                                         if f["name"] == "url").setdefault("constraints", {})
                    .update(unique=True))
    url = copy.rows("sources")[0]["url"]
    update(copy, "sources", 4, url=url)
    return f"data/sources.csv:4: url — '{url}' appears more than once (first in row 2); each value must be unique"


def _drop_last_cell(copy, table):
    """Row 2 written with one cell fewer than the header."""
    rows = list(csv.reader(copy.path(table).read_text(encoding="utf-8").splitlines()))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerow(rows[1][:-1])
    writer.writerows(rows[2:])
    copy.path(table).write_text(buffer.getvalue(), encoding="utf-8")


def _retrieved(copy, table):
    """The first row whose source was read again (so it has printed words)."""
    return next(i for i, row in enumerate(copy.rows(table), start=2)
                if row["locator"] != "not retrieved")


def _claim(copy, claim_id):
    return line_where(copy, "claims", claim_id=claim_id)


def _check(copy, check_id):
    return line_where(copy, "claim_checks", check_id=check_id)


def _day_row(copy):
    return line_where(copy, "arrests_dismissals", date_precision="day")


def cell(table: str, line: int, column: str, value: str, says: str):
    """A fixture that sets one cell, and the problem it must cause."""
    return (lambda c: c.set(table, line, column, value) or
            f"data/{table}.csv:{line}: {column} — {says}", None)


# rule -> (how to break a copy of data/, the one expected problem (a prefix when it ends in "("),
#          tables to validate (None: all))
FIXTURES = {
    "file: data directory missing": (_bad_data_directory, None),
    "file: datapackage.json missing": (_no_descriptor, None),
    "file: datapackage.json not JSON": (_not_json, None),
    "file: datapackage.json malformed": (_malformed, None),
    "file: unknown table": (lambda c: "data/datapackage.json: - — no resource named riots; known: "
                            "sources, protest_spread, key_events, arrests_dismissals, death_tolls, "
                            "detentions, claims, claim_checks", ["riots"]),
    "file: file missing": (lambda c: c.path("claims").unlink() or
                           "data/claims.csv: - — file not found; datapackage.json lists it as "
                           "resource 'claims' — restore the file or fix the path", None),
    "file: file empty": (lambda c: c.path("death_tolls").write_text("") and None or
                         "data/death_tolls.csv: - — file is empty; it needs a header row and at "
                         "least one data row", None),
    "file: header only": (lambda c: c.write_rows("key_events", []) or
                          "data/key_events.csv:2: - — the file has a header but no data rows; add "
                          "at least one row", None),
    "file: column missing": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(",note", "")) or
                             f"data/key_events.csv:1: note — column is missing from the header; {EXACTLY}", None),
    "file: column not in schema": (lambda c: _header_with(c, "key_events", KEY_EVENTS + ",extra") or
                                   f"data/key_events.csv:1: extra — column is not in the schema "
                                   f"(misspelt?); {EXACTLY}", None),
    "file: column misspelt": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(
        "description", "descripton")) or
        f"data/key_events.csv:1: descripton — column is not in the schema; did you mean "
        f"description? {EXACTLY}", None),
    "file: columns out of order": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(
        "date,time_local", "time_local,date")) or
        f"data/key_events.csv:1: - — columns are in another order; {EXACTLY}", None),
    "file: not UTF-8": (_not_utf8, None),
    "type: date": cell("protest_spread", 2, "date", "2022-02-30",
                       "'2022-02-30' is not a valid date; write the date as YYYY-MM-DD (e.g. "
                       "2022-01-05) and check that the day exists"),
    "type: integer": cell("protest_spread", 3, "crowd_low", "3,000",
                          "'3,000' is not a valid integer; write a whole number without spaces or "
                          "separators, or leave the cell empty"),
    "type: number": cell("protest_spread", 2, "latitude", "43,3",
                         "'43,3' is not a valid number; write a number with a dot as decimal "
                         "separator (e.g. 43.25)"),
    "type: boolean": cell("death_tolls", 3, "official", "yes",
                          "'yes' is not a valid boolean; write true or false"),
    "schema: required": cell("key_events", 2, "description", "",
                                 "the cell is empty but this column is required; fill it in"),
    "schema: enum": cell("death_tolls", 2, "reporter_kind", "blogger",
                             "'blogger' is not an allowed value; use one of: "),
    "schema: minimum": cell("protest_spread", 2, "longitude", "45.0",
                                "'45.0' is below the minimum 46.4; correct the value (counts "
                                "cannot be negative; coordinates must lie in Kazakhstan)"),
    "schema: maximum": cell("protest_spread", 2, "latitude", "56",
                                "'56' is above the maximum 55.5; correct the value"),
    "schema: pattern": cell("key_events", 2, "time_local", "7:05",
                                "'7:05' does not have the required form "
                                "(([01][0-9]|2[0-3]):[0-5][0-9]); correct it"),
    "schema: maxLength": cell("sources", 2, "title", LONG_TITLE,
                                  "the text is longer than 400 characters; shorten it"),
    "schema: primary-key": (lambda c: append_line(c, "key_events", c.path("key_events").read_text(
        encoding="utf-8").splitlines()[1]) and
        "data/key_events.csv:3: event_id — duplicate key: the same (event_id) as row 2; merge the "
        "two rows or correct one of them", None),
    "schema: foreign-key": cell("death_tolls", 2, "source_id", "tass-1999",
                               "'tass-1999' is not a source_id in sources.csv; add the source to "
                               "sources.csv first, or correct the id"),
    "schema: unique": (_unique, None),
    "schema: blank-row": (lambda c: append_line(c, "key_events", ",,,,,,,") and
                         "data/key_events.csv:3: - — the row is empty; delete it", None),
    "schema: extra-cell": (lambda c: append_line(c, "key_events", c.path("key_events").read_text(
        encoding="utf-8").splitlines()[1].replace("cap-lifted-reuters,", "cap-x,", 1) + ",spare") and
        "data/key_events.csv:3: - — more cells than the header has columns; check for unquoted "
        "commas", None),
    "schema: missing-cell": (lambda c: _drop_last_cell(c, "key_events") or
                            "data/key_events.csv:2: note — fewer cells than the header has columns; "
                            "check for unquoted commas", None),
    "protest_spread: crowd_low > crowd_high": (
        lambda c: update(c, "protest_spread", 2, crowd_low="500", crowd_high="100") and
        "data/protest_spread.csv:2: crowd_low — crowd_low (500) is greater than crowd_high (100); "
        "swap them or correct one", None),
    "protest_spread: crowd_high without crowd_low": (
        lambda c: update(c, "protest_spread", 2, crowd_low="", crowd_high="300") and
        "data/protest_spread.csv:2: crowd_low — crowd_high is filled in but crowd_low is empty; "
        "give crowd_low too (equal for a single figure)", None),
    "death_tolls: value and range": (
        lambda c: update(c, "death_tolls", 2, value="130", low="100", high="140") and
        "data/death_tolls.csv:2: value — both a value and a range are given; keep one", None),
    "death_tolls: no figure": (
        lambda c: update(c, "death_tolls", 2, value="", low="", high="") and
        "data/death_tolls.csv:2: value — no figure: fill in value, or low and high for a range", None),
    "death_tolls: low > high": (
        lambda c: update(c, "death_tolls", 2, value="", low="20", high="10") and
        "data/death_tolls.csv:2: low — low (20) is greater than high (10); swap them or correct "
        "one", None),
    "death_tolls: high without low": (
        lambda c: update(c, "death_tolls", 2, value="", low="", high="10") and
        "data/death_tolls.csv:2: low — high is filled in but low is empty; give low too (equal "
        "for a single figure)", None),
    "arrests_dismissals: month precision": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='2022-01-17', date_precision='month')}"
                  ": date — date_precision is 'month' but the date is not the first of the month; "
                  "write YYYY-MM-01", None),
    # The first of a month that is not January: only the month is wrong.
    "arrests_dismissals: year precision": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='2022-03-01', date_precision='year')}"
                  ": date — date_precision is 'year' but the date is not 1 January; write "
                  "YYYY-01-01", None),
    "arrests_dismissals: empty date": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='')}"
                  ": date — the date is empty; fill it in, or set date_precision to 'unknown'", None),
    "arrests_dismissals: unknown precision with a date": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', line_where(c, 'arrests_dismissals', date_precision='unknown'), date='2022-01-05')}"
                  ": date — date_precision is 'unknown' but a date is given; set the precision "
                  "(day, month, year)", None),
    "protest_spread: printed words missing": (
        lambda c: f"data/protest_spread.csv:{update(c, 'protest_spread', _retrieved(c, 'protest_spread'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "protest_spread: printed words without a retrieved source": (
        lambda c: f"data/protest_spread.csv:{update(c, 'protest_spread', _retrieved(c, 'protest_spread'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "key_events: printed words missing": (
        lambda c: f"data/key_events.csv:{update(c, 'key_events', _retrieved(c, 'key_events'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "key_events: printed words without a retrieved source": (
        lambda c: f"data/key_events.csv:{update(c, 'key_events', _retrieved(c, 'key_events'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "arrests_dismissals: printed words missing": (
        lambda c: f"data/arrests_dismissals.csv:{update(c, 'arrests_dismissals', _retrieved(c, 'arrests_dismissals'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "arrests_dismissals: printed words without a retrieved source": (
        lambda c: f"data/arrests_dismissals.csv:{update(c, 'arrests_dismissals', _retrieved(c, 'arrests_dismissals'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "death_tolls: printed words missing": (
        lambda c: f"data/death_tolls.csv:{update(c, 'death_tolls', _retrieved(c, 'death_tolls'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "death_tolls: printed words without a retrieved source": (
        lambda c: f"data/death_tolls.csv:{update(c, 'death_tolls', _retrieved(c, 'death_tolls'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "detentions: printed words missing": (
        lambda c: f"data/detentions.csv:{update(c, 'detentions', _retrieved(c, 'detentions'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "detentions: printed words without a retrieved source": (
        lambda c: f"data/detentions.csv:{update(c, 'detentions', _retrieved(c, 'detentions'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "claim_checks: printed words missing": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _retrieved(c, 'claim_checks'), printed='')}"
                  ": printed — no printed words: give the words that carry the figure or date as "
                  "printed, or set locator to 'not retrieved' and say so in note", None),
    "claim_checks: printed words without a retrieved source": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _retrieved(c, 'claim_checks'), locator='not retrieved')}"
                  ": printed — the locator says the source was not retrieved, so there can be no "
                  "printed words; empty printed or give the locator", None),
    "protest_spread: coordinates outside the region": (
        lambda c: update(c, "protest_spread", 2, region="Atyrau Region") and
        "data/protest_spread.csv:2: region — Zhanaozen (43.34116, 52.86192) lies in Mangystau "
        "Region, not in Atyrau Region; correct the coordinates or the region (regions as of "
        "January 2022)", None),
    "detentions: value and range": (
        lambda c: update(c, "detentions", 2, low="100", high="5000") and
        "data/detentions.csv:2: value — both a value and a range are given; keep one", None),
    "detentions: low > high": (
        lambda c: f"data/detentions.csv:{update(c, 'detentions', line_where(c, 'detentions', precision='at_least'), precision='range', low='6000', high='5000')}"
                  ": low — low (6000) is greater than high (5000); swap them or correct one", None),
    "detentions: single figure without value": (
        lambda c: update(c, "detentions", 2, value="") and
        "data/detentions.csv:2: value — this precision gives one figure; put it in value (low and "
        "high are for bounds and ranges)", None),
    "detentions: bound not in low": (
        lambda c: f"data/detentions.csv:{update(c, 'detentions', line_where(c, 'detentions', precision='at_least'), high='7000')}"
                  ": low — 'at least N' / 'more than N' goes in low, with high empty", None),
    "detentions: count range incomplete": (
        lambda c: update(c, "detentions", 2, precision="range", value="", low="100") and
        "data/detentions.csv:2: low — precision 'range' needs both low and high", None),
    "claims: date precision for a number": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-18'), precision='year')}"
                  ": precision — this claim is a number but the precision is one for dates; use "
                  "one of: ", None),
    "claims: number precision for a date": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-06'), precision='exact')}"
                  ": precision — this claim is a date but the precision is one for numbers; use "
                  "one of: ", None),
    "claims: stated number missing": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-18'), value='')}"
                  ": value — this precision reads a stated number; fill in value", None),
    "claims: value with a range or vague word": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-02'), value='500')}"
                  ": value — a range or a vague word (dozens, hundreds, thousands) has no single "
                  "value; empty value", None),
    "claims: range incomplete": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-53'), high='')}"
                  ": low — precision 'range' needs both low and high", None),
    "claims: low or high without a range": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-18'), low='3000', high='4000')}"
                  ": low — low and high are read only for precision 'range'; empty them or set "
                  "precision to 'range'", None),
    "claims: rounded without rounding": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'jun-07'), rounding='')}"
                  ": rounding — precision 'rounded' needs the rounding unit (1 for '71 percent'); "
                  "fill in rounding", None),
    "claims: rounding without rounded": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-18'), rounding='100')}"
                  ": rounding — rounding is read only for precision 'rounded'; empty it or change "
                  "the precision", None),
    "claims: tolerance without approximate": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'jun-07'), tolerance='1')}"
                  ": tolerance — tolerance is read only for 'approximate' and 'nearly'; empty it "
                  "or change the precision", None),
    "claims: date missing": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-06'), claim_date='')}"
                  ": claim_date — this claim is a date; fill in claim_date", None),
    "claims: date on a number": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-18'), claim_date='2022-01-06')}"
                  ": claim_date — this claim is a number; empty claim_date (say in note what day a "
                  "number refers to)", None),
    "claims: date not in the calendar": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-04'), claim_date='2022-02-30')}"
                  ": claim_date — '2022-02-30' is not a calendar date; write YYYY-MM-DD, YYYY-MM "
                  "or YYYY", None),
    "claims: two dates without 'between'": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-04'), claim_date='2022-01-04/2022-01-05')}"
                  ": claim_date — two dates joined by '/' go with precision 'between' (and only "
                  "with it), not 'day'", None),
    "claims: dates in reverse": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-44'), claim_date='1999/1990')}"
                  ": claim_date — '1999/1990' ends before it starts; put the earlier date first", None),
    "claims: date written unlike its precision": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-06'), claim_date='2019-03')}"
                  ": claim_date — precision 'year' reads a date written YYYY, not '2019-03'; write "
                  "it so, or change the precision", None),
    "claim_checks: date precision for a number": (
        lambda c: update(c, "claim_checks", 2, precision="year") and
        "data/claim_checks.csv:2: precision — the claim is a number but the precision is one for "
        "dates; use one of: ", None),
    "claim_checks: number precision for a date": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), precision='exact')}"
                  ": precision — the claim is a date but the precision is one for numbers; use "
                  "one of: ", None),
    "claim_checks: stated number missing": (
        lambda c: update(c, "claim_checks", 2, value="") and
        "data/claim_checks.csv:2: value — this precision reads a stated number; fill in value", None),
    "claim_checks: value with a range or vague word": (
        lambda c: update(c, "claim_checks", 2, precision="hundreds") and
        "data/claim_checks.csv:2: value — a range or a vague word (dozens, hundreds, thousands) "
        "has no single value; empty value", None),
    "claim_checks: range incomplete": (
        lambda c: update(c, "claim_checks", 2, precision="range", value="", low="200") and
        "data/claim_checks.csv:2: low — precision 'range' needs both low and high", None),
    "claim_checks: low or high without a range": (
        lambda c: update(c, "claim_checks", 2, low="200", high="300") and
        "data/claim_checks.csv:2: low — low and high are read only for precision 'range'; empty "
        "them or set precision to 'range'", None),
    "claim_checks: rounded without rounding": (
        lambda c: update(c, "claim_checks", 2, precision="rounded") and
        "data/claim_checks.csv:2: rounding — precision 'rounded' needs the rounding unit (1 for "
        "'71 percent'); fill in rounding", None),
    "claim_checks: rounding without rounded": (
        lambda c: update(c, "claim_checks", 2, rounding="1") and
        "data/claim_checks.csv:2: rounding — rounding is read only for precision 'rounded'; empty "
        "it or change the precision", None),
    "claim_checks: tolerance without approximate": (
        lambda c: update(c, "claim_checks", 2, tolerance="5") and
        "data/claim_checks.csv:2: tolerance — tolerance is read only for 'approximate' and "
        "'nearly'; empty it or change the precision", None),
    "claim_checks: date missing": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), reported_date='')}"
                  ": reported_date — the claim is a date; fill in reported_date", None),
    "claim_checks: date on a number": (
        lambda c: update(c, "claim_checks", 2, reported_date="2022-01-15") and
        "data/claim_checks.csv:2: reported_date — the claim is a number; empty reported_date (say "
        "in note what day a number refers to)", None),
    "claim_checks: date not in the calendar": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), reported_date='2022-13')}"
                  ": reported_date — '2022-13' is not a calendar date; write YYYY-MM-DD, YYYY-MM "
                  "or YYYY", None),
    "claim_checks: two dates without 'between'": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), reported_date='2022-01-05/2022-01-06')}"
                  ": reported_date — two dates joined by '/' go with precision 'between' (and "
                  "only with it), not 'day'", None),
    "claim_checks: dates in reverse": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), precision='between', reported_date='2022-01-06/2022-01-05')}"
                  ": reported_date — '2022-01-06/2022-01-05' ends before it starts; put the "
                  "earlier date first", None),
    "claim_checks: date written unlike its precision": (
        lambda c: f"data/claim_checks.csv:{update(c, 'claim_checks', _check(c, 'dep-04-c1'), reported_date='2022-01')}"
                  ": reported_date — precision 'day' reads a date written YYYY-MM-DD, not "
                  "'2022-01'; write it so, or change the precision", None),
    "claim_checks: low > high": (
        lambda c: update(c, "claim_checks", 2, precision="range", value="", low="240", high="230") and
        "data/claim_checks.csv:2: low — low (240) is greater than high (230); swap them or "
        "correct one", None),
    "claims: low > high": (
        lambda c: f"data/claims.csv:{update(c, 'claims', _claim(c, 'dep-53'), low='300', high='200')}"
                  ": low — low (300) is greater than high (200); swap them or correct one", None),
}


def changed_tables(copy: DataCopy) -> list[str] | None:
    """The tables a fixture changed (with the tables they refer to), so only they are validated;
    None (everything) when the descriptor or a file's presence changed."""
    from conftest import DATA

    descriptor = copy.dir / "datapackage.json"
    if not descriptor.is_file() or descriptor.read_bytes() != (
            DATA / "datapackage.json").read_bytes():
        return None
    changed = []
    for original in sorted(DATA.glob("*.csv")):
        path = copy.dir / original.name
        if not path.is_file():
            return None
        if path.read_bytes() != original.read_bytes():
            changed.append(original.stem)
    return changed + (["claims"] if "claim_checks" in changed else []) or None


def problems(copy: DataCopy, tables) -> list[str]:
    tables = tables or changed_tables(copy)
    try:
        return [str(p) for p in validate("data", tables=tables)]
    except DataError as error:  # the package cannot be read at all
        return [str(p) for p in error.problems]


def test_every_rule_has_a_bad_fixture():
    assert sorted(set(RULES) - WITHOUT_FIXTURE - set(FIXTURES)) == []
    assert sorted(set(FIXTURES) - set(RULES)) == []  # no fixture for a rule that is gone


def test_allow_list_is_only_for_rules_that_exist():
    assert WITHOUT_FIXTURE <= set(RULES)
    assert not WITHOUT_FIXTURE & set(FIXTURES)


def test_every_constraint_and_type_in_the_schemas_has_a_rule():
    """A schema that starts using a new constraint or type needs a rule (and so a fixture)."""
    from conftest import DATA

    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    fields = [f for r in descriptor["resources"] for f in r["schema"]["fields"]]
    used = {f"schema: {c}" for f in fields for c in f.get("constraints", {}) }
    used |= {f"type: {f['type']}" for f in fields if f["type"] != "string"}
    assert sorted(used - set(RULES)) == []


@pytest.mark.parametrize("rule", sorted(FIXTURES))
def test_bad_fixture_breaks_exactly_its_rule(data_copy, monkeypatch, rule):
    breaks, tables = FIXTURES[rule]
    expected = breaks(data_copy)
    monkeypatch.chdir(data_copy.root)
    found = problems(data_copy, tables)
    assert len(found) == 1, found
    if expected.endswith(("(", ": ")):
        assert found[0].startswith(expected), found
    else:
        assert found == [expected]
