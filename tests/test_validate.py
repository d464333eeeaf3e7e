"""Every schema rule can fail: one small bad fixture per rule, run through the real CLI, and the
exact message naming file, row and column."""

from __future__ import annotations

import pytest

from kzunrest import vocabulary

from conftest import DataCopy, run_cli


def validate(copy: DataCopy):
    return run_cli("validate", "--data-dir", "data", cwd=copy.root)


def test_shipped_data_is_valid():
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert "data package is valid" in result.stdout


# (table, line, column, bad value, expected message line)
CELL_CASES = [
    ("protest_spread", 2, "date", "2022-02-30",
     "data/protest_spread.csv:2: date — '2022-02-30' is not a valid date; write the date as "
     "YYYY-MM-DD (e.g. 2022-01-05) and check that the day exists"),
    ("protest_spread", 3, "date", "05.01.2022",
     "data/protest_spread.csv:3: date — '05.01.2022' is not a valid date; write the date as "
     "YYYY-MM-DD (e.g. 2022-01-05) and check that the day exists"),
    ("protest_spread", 2, "city", "",
     "data/protest_spread.csv:2: city — the cell is empty but this column is required; fill it in"),
    ("protest_spread", 4, "region", "Almaty Oblast",
     "data/protest_spread.csv:4: region — 'Almaty Oblast' is not an allowed value; use one of: "
     "Akmola Region, Aktobe Region, Almaty Region, Atyrau Region, East Kazakhstan Region, "
     "Karaganda Region, Kostanay Region, Kyzylorda Region, Mangystau Region, North Kazakhstan "
     "Region, Pavlodar Region, Turkistan Region, West Kazakhstan Region, Zhambyl Region, Almaty "
     "city, Nur-Sultan city, Shymkent city"),
    ("protest_spread", 2, "latitude", "38.5",
     "data/protest_spread.csv:2: latitude — '38.5' is below the minimum 40.5; correct the value "
     "(counts cannot be negative; coordinates must lie in Kazakhstan)"),
    ("protest_spread", 2, "longitude", "90.1",
     "data/protest_spread.csv:2: longitude — '90.1' is above the maximum 87.4; correct the value"),
    ("protest_spread", 2, "crowd_low", "-5",
     "data/protest_spread.csv:2: crowd_low — '-5' is below the minimum 0; correct the value "
     "(counts cannot be negative; coordinates must lie in Kazakhstan)"),
    ("protest_spread", 2, "crowd_low", "about 300",
     "data/protest_spread.csv:2: crowd_low — 'about 300' is not a valid integer; write a whole "
     "number without spaces or separators, or leave the cell empty"),
    ("protest_spread", 2, "source_id", "no-such-source",
     "data/protest_spread.csv:2: source_id — 'no-such-source' is not a source_id in sources.csv; "
     "add the source to sources.csv first, or correct the id"),
    ("protest_spread", 2, "source_id", "Not An Id",
     "data/protest_spread.csv:2: source_id — 'Not An Id' does not have the required form "
     "([a-z0-9][a-z0-9-]*); correct it"),
    ("protest_spread", 2, "activity", "riot",
     "data/protest_spread.csv:2: activity — 'riot' is not an allowed value; use one of: "
     "peaceful_protest, strike, clashes, storming_of_buildings, armed_violence"),
    ("key_events", 2, "time_local", "25:00",
     "data/key_events.csv:2: time_local — '25:00' does not have the required form "
     "(([01][0-9]|2[0-3]):[0-5][0-9]); correct it"),
    ("key_events", 2, "kind", "coup",
     "data/key_events.csv:2: kind — 'coup' is not an allowed value; use one of: price_rise, "
     "protest_start, price_concession, government_resignation, state_of_emergency_start, "
     "state_of_emergency_end, internet_shutdown_start, internet_shutdown_end, "
     "security_council_change, csto_request, csto_decision, csto_arrival, shoot_to_kill_order, "
     "counter_terrorist_operation, day_of_mourning, csto_withdrawal_start, csto_withdrawal_end, "
     "new_government, other"),
    ("death_tolls", 2, "official", "yes",
     "data/death_tolls.csv:2: official — 'yes' is not a valid boolean; write true or false"),
    ("death_tolls", 2, "value", "-1",
     "data/death_tolls.csv:2: value — '-1' is below the minimum 0; correct the value (counts "
     "cannot be negative; coordinates must lie in Kazakhstan)"),
    ("sources", 2, "url", "javascript:alert(1)",
     "data/sources.csv:2: url — 'javascript:alert(1)' does not have the required form "
     "(https?://\\S+); correct it"),
    ("sources", 2, "kind", "blog",
     "data/sources.csv:2: kind — 'blog' is not an allowed value; use one of: official, "
     "news_agency, newspaper, broadcaster, online_media, ngo_report, intergovernmental, analysis, "
     "reportage, reference"),
    ("claim_checks", 2, "claim_id", "dep-999",
     "data/claim_checks.csv:2: claim_id — 'dep-999' is not a claim_id in claims.csv; add the "
     "claim to claims.csv first, or correct the id"),
]


@pytest.mark.parametrize("table,line,column,value,expected", CELL_CASES,
                         ids=[f"{c[0]}.{c[2]}={c[3]!r}" for c in CELL_CASES])
def test_cell_rule_fails_with_exact_message(data_copy, table, line, column, value, expected):
    data_copy.set(table, line, column, value)
    result = validate(data_copy)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines(), result.stderr


def test_low_above_high(data_copy):
    rows = data_copy.rows("death_tolls")
    rows[0].update(value="", low="20", high="10")
    data_copy.write_rows("death_tolls", rows)
    result = validate(data_copy)
    assert result.returncode == 1
    assert ("data/death_tolls.csv:2: low — low (20) is greater than high (10); swap them or "
            "correct one") in result.stderr.splitlines()


def test_high_without_low(data_copy):
    data_copy.set("protest_spread", 2, "crowd_high", "300")
    result = validate(data_copy)
    assert ("data/protest_spread.csv:2: crowd_low — crowd_high is filled in but crowd_low is "
            "empty; give crowd_low too (equal for a single figure)") in result.stderr.splitlines()


def test_value_and_range_together(data_copy):
    rows = data_copy.rows("death_tolls")
    rows[0].update(value="130", low="100", high="140")
    data_copy.write_rows("death_tolls", rows)
    result = validate(data_copy)
    assert ("data/death_tolls.csv:2: value — both a value and a range are given; keep one"
            in result.stderr.splitlines())


def test_no_figure_at_all(data_copy):
    rows = data_copy.rows("death_tolls")
    rows[0].update(value="", low="", high="")
    data_copy.write_rows("death_tolls", rows)
    result = validate(data_copy)
    assert ("data/death_tolls.csv:2: value — no figure: fill in value, or low and high for a range"
            in result.stderr.splitlines())


def test_month_precision_needs_first_of_month(data_copy):
    rows = data_copy.rows("arrests_dismissals")
    line = next(i for i, r in enumerate(rows, start=2) if r["date_precision"] == "day")
    rows[line - 2].update(date="2022-01-17", date_precision="month")
    data_copy.write_rows("arrests_dismissals", rows)
    result = validate(data_copy)
    assert (f"data/arrests_dismissals.csv:{line}: date — date_precision is 'month' but the date is "
            "not the first of the month; write YYYY-MM-01") in result.stderr.splitlines()


def test_unknown_precision_with_a_date(data_copy):
    rows = data_copy.rows("arrests_dismissals")
    line = next(i for i, r in enumerate(rows, start=2) if r["date_precision"] == "unknown")
    rows[line - 2]["date"] = "2022-01-05"
    data_copy.write_rows("arrests_dismissals", rows)
    result = validate(data_copy)
    assert (f"data/arrests_dismissals.csv:{line}: date — date_precision is 'unknown' but a date is "
            "given; set the precision (day, month, year)") in result.stderr.splitlines()


def test_duplicate_primary_key(data_copy):
    rows = data_copy.rows("protest_spread")
    rows.append(dict(rows[0]))
    data_copy.write_rows("protest_spread", rows)
    result = validate(data_copy)
    line = len(rows) + 1
    assert (f"data/protest_spread.csv:{line}: date, city, source_id — duplicate key: the same "
            "(date, city, source_id) as row 2; merge the two rows or correct one of them"
            in result.stderr.splitlines()), result.stderr


def test_missing_column(data_copy):
    rows = data_copy.rows("key_events")
    for row in rows:
        del row["region"]
    data_copy.write_rows("key_events", rows)
    result = validate(data_copy)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "data/key_events.csv:1: region — column is missing from the header; the header must be "
        "exactly: event_id,date,time_local,kind,region,description,source_id,locator,printed,qualifier,note",
        "1 problem(s); nothing was built"]


def test_misspelt_column(data_copy):
    path = data_copy.path("key_events")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("time_local", "time_locale", 1), encoding="utf-8")
    result = validate(data_copy)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    header = "the header must be exactly: event_id,date,time_local,kind,region,description,source_id,locator,printed,qualifier,note"
    assert lines == [f"data/key_events.csv:1: time_locale — column is not in the schema; did you mean "
                     f"time_local? {header}", "1 problem(s); nothing was built"]  # no cell noise


def test_missing_file(data_copy):
    data_copy.path("claims").unlink()
    result = validate(data_copy)
    assert result.returncode == 1
    assert ("data/claims.csv: - — file not found; datapackage.json lists it as resource 'claims' — "
            "restore the file or fix the path") in result.stderr.splitlines()


def test_empty_file(data_copy):
    data_copy.path("death_tolls").write_text("", encoding="utf-8")
    result = validate(data_copy)
    assert ("data/death_tolls.csv: - — file is empty; it needs a header row and at least one data "
            "row") in result.stderr.splitlines()


def test_header_only(data_copy):
    path = data_copy.path("death_tolls")
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = validate(data_copy)
    assert result.returncode == 1
    assert ("data/death_tolls.csv:2: - — the file has a header but no data rows; add at least one row"
            in result.stderr.splitlines()), result.stderr


def test_not_utf8(data_copy):
    path = data_copy.path("protest_spread")
    lines = path.read_bytes().split(b"\n")
    lines[3] = lines[3].replace(b"Almaty", "Almaty é".encode("latin-1"), 1) if b"Almaty" in lines[3] \
        else lines[3] + "é".encode("latin-1")
    path.write_bytes(b"\n".join(lines))
    result = validate(data_copy)
    assert result.returncode == 1
    message = [line for line in result.stderr.splitlines() if line.startswith("data/protest_spread.csv:4: - — the file is not UTF-8")]
    assert message and message[0].endswith("re-save it as UTF-8"), result.stderr


def test_bom_and_crlf_are_accepted(data_copy):
    for table in ("protest_spread", "sources"):
        path = data_copy.path(table)
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = validate(data_copy)
    assert result.returncode == 0, result.stderr


def test_missing_data_directory(tmp_path):
    result = run_cli("validate", "--data-dir", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert (f"{tmp_path / 'nowhere'}: - — data directory does not exist; pass an existing directory "
            "(it must contain datapackage.json and the CSV files)") in result.stderr.splitlines()


def test_every_problem_is_reported_not_just_the_first(data_copy):
    data_copy.set("protest_spread", 2, "date", "2022-13-01")
    data_copy.set("death_tolls", 3, "official", "maybe")
    result = validate(data_copy)
    errors = [line for line in result.stderr.splitlines() if line.startswith("data/")]
    assert len(errors) == 2, result.stderr
    assert result.stderr.splitlines()[-1] == "2 problem(s); nothing was built"


def test_check_must_report_the_kind_of_quantity_its_claim_makes(data_copy):
    claims = {r["claim_id"]: r["claim_kind"] for r in data_copy.rows("claims")}
    rows = data_copy.rows("claim_checks")
    line = next(i for i, r in enumerate(rows, start=2)
                if claims[r["claim_id"]] == "number" and r["precision"] == "exact")
    rows[line - 2].update(value="", reported_date="2022-01-06", precision="day")
    data_copy.write_rows("claim_checks", rows)
    result = validate(data_copy)
    assert result.stderr.splitlines()[:2] == [
        f"data/claim_checks.csv:{line}: precision — the claim is a number but the precision is one "
        "for dates; use one of: " + ", ".join(vocabulary.values("number_precision")),
        f"data/claim_checks.csv:{line}: reported_date — the claim is a number; empty reported_date "
        "(say in note what day a number refers to)"], result.stderr


def frictionless_cells(directory) -> set[tuple[str, int, str]]:
    """(file, row, column) of every cell frictionless, an independent validator, finds wrong."""
    from frictionless import Package

    report = Package(str(directory / "datapackage.json")).validate()
    return {(task.place.split("/")[-1], getattr(e, "row_number", None), _field(e))
            for task in report.tasks for e in task.errors}


def _field(error) -> str | None:
    """The column frictionless names; a duplicate primary key names none (the row is the fault)."""
    if getattr(error, "field_name", None):
        return error.field_name
    return ", ".join(error.field_names) if getattr(error, "field_names", None) else None


def our_cells(problems) -> set[tuple[str, int, str]]:
    return {(p.file.split("/")[-1], p.row, p.column) for p in problems}


def as_frictionless_names(cells: set, theirs: set) -> set:
    """Our cells, with the column dropped where frictionless flags the whole row."""
    whole_rows = {(file, row) for file, row, column in theirs if column is None}
    return {(f, r, None if (f, r) in whole_rows else c) for f, r, c in cells}


@pytest.mark.parametrize("table,line,column,value,expected", CELL_CASES,
                         ids=[f"{c[0]}.{c[2]}={c[3]!r}" for c in CELL_CASES])
def test_every_cell_problem_is_worded_and_frictionless_flags_the_same_cell(
        data_copy, monkeypatch, table, line, column, value, expected):
    from kzunrest.data import validate as check

    data_copy.set(table, line, column, value)
    monkeypatch.chdir(data_copy.root)
    found = check("data")
    assert expected in [str(p) for p in found]
    theirs = frictionless_cells(data_copy.dir)
    assert as_frictionless_names(our_cells(found), theirs) == theirs
    assert our_cells(found) == {(f"{table}.csv", line, column)}


@pytest.mark.parametrize("change", ["duplicate", "range", "short row"])
def test_keys_row_shapes_and_range_rules_agree_with_frictionless(data_copy, monkeypatch, change):
    from kzunrest.data import validate as check

    rows = data_copy.rows("protest_spread")
    if change == "duplicate":
        rows.append(dict(rows[0]))
    elif change == "range":
        rows[1].update(crowd_low="", crowd_high="50")
    data_copy.write_rows("protest_spread", rows)
    if change == "short row":
        path = data_copy.path("protest_spread")
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[3] = lines[3].rsplit(",", 1)[0]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(data_copy.root)
    found = check("data")
    assert len(found) == 1, found
    theirs = frictionless_cells(data_copy.dir)
    if change == "range":  # a rule beyond the Table Schema: frictionless cannot see it
        assert theirs == set()
    else:
        assert as_frictionless_names(our_cells(found), theirs) == theirs


# ---------------------------------------------------------------------------------------------
# Validating again after an edit: only what the edit can affect (build.validate_stage)


def test_only_the_edited_tables_and_those_that_read_them_are_checked_again(data_copy):
    from kzunrest.cache import data_file_digests
    from kzunrest.data import tables_to_recheck

    before = data_file_digests(data_copy.dir)
    every = [r["name"] for r in __import__("json").loads(
        (data_copy.dir / "datapackage.json").read_text(encoding="utf-8"))["resources"]]

    def after_editing(*files: str) -> list[str] | None:
        now = {path: ("edited" if path in files else digest) for path, digest in before.items()}
        return tables_to_recheck(data_copy.dir, before, now)

    assert tables_to_recheck(data_copy.dir, None, before) is None  # nothing passed here yet
    assert after_editing("datapackage.json") is None  # the rules themselves changed
    # Only sources is read by a death toll (its foreign key); sources is always checked.
    assert after_editing("death_tolls.csv") == ["sources", "death_tolls"]
    # A check points into claims, and reads its claim's kind.
    assert after_editing("claims.csv") == ["sources", "claims", "claim_checks"]
    assert after_editing("claim_checks.csv") == ["sources", "claims", "claim_checks"]
    assert after_editing("sources.csv") == every  # every table cites a source


def test_an_edit_that_breaks_a_table_it_does_not_touch_is_still_caught(data_copy, tmp_path):
    from kzunrest.build import validate_stage
    from kzunrest.data import DataError

    out = tmp_path / "out"
    assert validate_stage(data_copy.dir, out, force=False)[0] == "valid"
    rows = data_copy.rows("death_tolls")
    rows[0]["note"] += " (edited)"
    data_copy.write_rows("death_tolls", rows)
    assert validate_stage(data_copy.dir, out, force=False)[0] == \
        "valid: sources, death_tolls checked again, the other tables as last checked"

    # A claim becomes a date: its checks (claim_checks.csv, not edited) no longer agree with it.
    checks = data_copy.rows("claim_checks")
    claims = data_copy.rows("claims")
    checked = next(c for c in claims if c["claim_kind"] == "number"
                   and any(k["claim_id"] == c["claim_id"] for k in checks))
    checked["claim_kind"] = "date"
    data_copy.write_rows("claims", claims)
    with pytest.raises(DataError) as raised:
        validate_stage(data_copy.dir, out, force=False)
    assert any(p.file.endswith("claim_checks.csv") for p in raised.value.problems), \
        [str(p) for p in raised.value.problems]
    data_copy.write_rows("claims", [{**c, "claim_kind": "number"} if c is checked else c
                                    for c in claims])
    # Put back, the package is the one that passed last.
    assert validate_stage(data_copy.dir, out, force=False)[0] == "unchanged since last check"

    # A source disappears: the tables that cite it (not edited) are checked again.
    cited = rows[0]["source_id"]
    data_copy.write_rows("sources", [s for s in data_copy.rows("sources") if s["source_id"] != cited])
    with pytest.raises(DataError) as raised:
        validate_stage(data_copy.dir, out, force=False)
    assert any(p.file.endswith("death_tolls.csv") for p in raised.value.problems), \
        [str(p) for p in raised.value.problems]
