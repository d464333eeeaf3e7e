"""One small bad fixture per validation rule, the list of rules generated from the validator's own
registries (kzunrest.data.RULES): a rule added without a fixture fails
``test_every_rule_has_a_bad_fixture``. Each fixture must produce exactly one problem, worded as
written here, and the vectorised engine (bulkcheck.py) must find the same for every rule it covers.

In-process calls of ``kzunrest.data.validate`` (fast, so ``make mutants`` can run them); the exit
status and output of the real ``kzunrest validate`` are tested in test_validate.py."""

from __future__ import annotations

import json

import pytest

from conftest import DataCopy
from kzunrest.data import RULES, DataError, validate

# Rules whose tables the lead is rewriting (claims, claim_checks): their fixtures come with the
# rewrite. Empty this set then; test_allow_list_is_only_for_rules_that_exist keeps it honest.
WITHOUT_FIXTURE = {"claims: claim shape", "claim_checks: check shape"}

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


KEY_EVENTS = "event_id,date,time_local,kind,region,description,source_id,note"
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


def _day_row(copy):
    return line_where(copy, "arrests_dismissals", date_precision="day")


def cell(table: str, line: int, column: str, value: str, says: str):
    """A fixture that sets one cell, and the problem it must cause."""
    return (lambda c: c.set(table, line, column, value) or
            f"data/{table}.csv:{line}: {column} — {says}", BOTH, None)


# rule -> (how to break a copy of data/, the one expected problem (a prefix when it ends in "("),
#          engines that must find it, tables to validate (None: all))
BOTH = ("frictionless", "bulk")
FIXTURES = {
    "file: data directory missing": (_bad_data_directory, BOTH, None),
    "file: datapackage.json missing": (_no_descriptor, BOTH, None),
    "file: datapackage.json not JSON": (_not_json, BOTH, None),
    "file: datapackage.json malformed": (_malformed, BOTH, None),
    "file: unknown table": (lambda c: "data/datapackage.json: - — no resource named riots; known: "
                            "sources, protest_spread, key_events, arrests_dismissals, death_tolls, "
                            "claims, claim_checks", BOTH, ["riots"]),
    "file: file missing": (lambda c: c.path("claims").unlink() or
                           "data/claims.csv: - — file not found; datapackage.json lists it as "
                           "resource 'claims' — restore the file or fix the path", BOTH, None),
    "file: file empty": (lambda c: c.path("death_tolls").write_text("") and None or
                         "data/death_tolls.csv: - — file is empty; it needs a header row and at "
                         "least one data row", BOTH, None),
    "file: header only": (lambda c: c.write_rows("key_events", []) or
                          "data/key_events.csv:2: - — the file has a header but no data rows; add "
                          "at least one row", BOTH, None),
    "file: column missing": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(",note", "")) or
                             f"data/key_events.csv:1: note — column is missing from the header; {EXACTLY}",
                             BOTH, None),
    "file: column not in schema": (lambda c: _header_with(c, "key_events", KEY_EVENTS + ",extra") or
                                   f"data/key_events.csv:1: extra — column is not in the schema "
                                   f"(misspelt?); {EXACTLY}", BOTH, None),
    "file: column misspelt": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(
        "description", "descripton")) or
        f"data/key_events.csv:1: descripton — column is not in the schema; did you mean "
        f"description? {EXACTLY}", BOTH, None),
    "file: columns out of order": (lambda c: _header_with(c, "key_events", KEY_EVENTS.replace(
        "date,time_local", "time_local,date")) or
        f"data/key_events.csv:1: - — columns are in another order; {EXACTLY}", BOTH, None),
    "file: not UTF-8": (_not_utf8, ("bulk",), None),
    "error: encoding-error": (_not_utf8, ("frictionless",), None),
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
    "constraint: required": cell("key_events", 2, "description", "",
                                 "the cell is empty but this column is required; fill it in"),
    "constraint: enum": cell("death_tolls", 2, "reporter_kind", "blogger",
                             "'blogger' is not an allowed value; use one of: "),
    "constraint: minimum": cell("protest_spread", 2, "longitude", "45.0",
                                "'45.0' is below the minimum 46.4; correct the value (counts "
                                "cannot be negative; coordinates must lie in Kazakhstan)"),
    "constraint: maximum": cell("protest_spread", 2, "latitude", "56",
                                "'56' is above the maximum 55.5; correct the value"),
    "constraint: pattern": cell("key_events", 2, "time_local", "7:05",
                                "'7:05' does not have the required form "
                                "(([01][0-9]|2[0-3]):[0-5][0-9]); correct it"),
    "constraint: maxLength": cell("sources", 2, "title", LONG_TITLE,
                                  "the text is longer than 400 characters; shorten it"),
    "error: primary-key": (lambda c: append_line(c, "key_events", c.path("key_events").read_text(
        encoding="utf-8").splitlines()[1]) and
        "data/key_events.csv:3: event_id — duplicate key: the same (event_id) as row 2; merge the "
        "two rows or correct one of them", BOTH, None),
    "error: foreign-key": cell("death_tolls", 2, "source_id", "tass-1999",
                               "'tass-1999' is not a source_id in sources.csv; add the source to "
                               "sources.csv first, or correct the id"),
    "error: unique-error": (_unique, BOTH, None),
    "error: blank-row": (lambda c: append_line(c, "key_events", ",,,,,,,") and
                         "data/key_events.csv:3: - — the row is empty; delete it", BOTH, None),
    "error: extra-cell": (lambda c: append_line(c, "key_events", c.path("key_events").read_text(
        encoding="utf-8").splitlines()[1].replace("cap-lifted-reuters,", "cap-x,", 1) + ",spare") and
        "data/key_events.csv:3: - — more cells than the header has columns; check for unquoted "
        "commas", BOTH, None),
    "error: missing-cell": (lambda c: replace_text(c, "key_events", ",reuters-20220104-price-caps-restored,\n",
                                                   ",reuters-20220104-price-caps-restored\n") or
                            "data/key_events.csv:2: note — fewer cells than the header has columns; "
                            "check for unquoted commas", ("frictionless",), None),
    "protest_spread: crowd_low > crowd_high": (
        lambda c: update(c, "protest_spread", 2, crowd_low="500", crowd_high="100") and
        "data/protest_spread.csv:2: crowd_low — crowd_low (500) is greater than crowd_high (100); "
        "swap them or correct one", BOTH, None),
    "protest_spread: crowd_high without crowd_low": (
        lambda c: update(c, "protest_spread", 2, crowd_low="", crowd_high="300") and
        "data/protest_spread.csv:2: crowd_low — crowd_high is filled in but crowd_low is empty; "
        "give crowd_low too (equal for a single figure)", BOTH, None),
    "death_tolls: value and range": (
        lambda c: update(c, "death_tolls", 2, value="130", low="100", high="140") and
        "data/death_tolls.csv:2: value — both a value and a range are given; keep one", BOTH, None),
    "death_tolls: no figure": (
        lambda c: update(c, "death_tolls", 2, value="", low="", high="") and
        "data/death_tolls.csv:2: value — no figure: fill in value, or low and high for a range",
        BOTH, None),
    "death_tolls: low > high": (
        lambda c: update(c, "death_tolls", 2, value="", low="20", high="10") and
        "data/death_tolls.csv:2: low — low (20) is greater than high (10); swap them or correct "
        "one", BOTH, None),
    "death_tolls: high without low": (
        lambda c: update(c, "death_tolls", 2, value="", low="", high="10") and
        "data/death_tolls.csv:2: low — high is filled in but low is empty; give low too (equal "
        "for a single figure)", BOTH, None),
    "arrests_dismissals: month precision": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='2022-01-17', date_precision='month')}"
                  ": date — date_precision is 'month' but the date is not the first of the month; "
                  "write YYYY-MM-01", BOTH, None),
    # The first of a month that is not January: only the month is wrong.
    "arrests_dismissals: year precision": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='2022-03-01', date_precision='year')}"
                  ": date — date_precision is 'year' but the date is not 1 January; write "
                  "YYYY-01-01", BOTH, None),
    "arrests_dismissals: empty date": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', _day_row(c), date='')}"
                  ": date — the date is empty; fill it in, or set date_precision to 'unknown'",
        BOTH, None),
    "arrests_dismissals: unknown precision with a date": (
        lambda c: f"data/arrests_dismissals.csv:"
                  f"{update(c, 'arrests_dismissals', line_where(c, 'arrests_dismissals', date_precision='unknown'), date='2022-01-05')}"
                  ": date — date_precision is 'unknown' but a date is given; set the precision "
                  "(day, month, year)", BOTH, None),
    "claims: low > high": (
        lambda c: f"data/claims.csv:{update(c, 'claims', line_where(c, 'claims', claim_id='dep-02'), high='150')}"
                  ": low — low (200) is greater than high (150); swap them or correct one",
        BOTH, None),
    "claims: high without low": (
        lambda c: f"data/claims.csv:{update(c, 'claims', line_where(c, 'claims', claim_id='dep-03'), high='20')}"
                  ": low — high is filled in but low is empty; give low too (equal for a single "
                  "figure)", BOTH, None),
    "claim_checks: low > high": (
        lambda c: update(c, "claim_checks", 2, value="", low="240", high="230") and
        "data/claim_checks.csv:2: low — low (240) is greater than high (230); swap them or "
        "correct one", BOTH, None),
    "claim_checks: high without low": (
        lambda c: update(c, "claim_checks", 2, high="230") and
        "data/claim_checks.csv:2: low — high is filled in but low is empty; give low too (equal "
        "for a single figure)", BOTH, None),
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


def problems(copy: DataCopy, engine: str, tables) -> list[str]:
    tables = tables or changed_tables(copy)
    try:
        return [str(p) for p in validate("data", tables=tables, engine=engine)]
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
    used = {f"constraint: {c}" for f in fields for c in f.get("constraints", {}) if c != "unique"}
    used |= {f"type: {f['type']}" for f in fields if f["type"] != "string"}
    assert sorted(used - set(RULES)) == []


@pytest.mark.parametrize("rule", sorted(FIXTURES))
def test_bad_fixture_breaks_exactly_its_rule(data_copy, monkeypatch, rule):
    breaks, engines, tables = FIXTURES[rule]
    expected = breaks(data_copy)
    monkeypatch.chdir(data_copy.root)
    for engine in engines:
        found = problems(data_copy, engine, tables)
        assert len(found) == 1, (engine, found)
        if expected.endswith(("(", ": ")):
            assert found[0].startswith(expected), (engine, found)
        else:
            assert found == [expected], engine
