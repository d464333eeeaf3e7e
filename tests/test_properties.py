"""Property-based tests (hypothesis) of the rules that have a space of inputs: low <= high, the
date-precision windows and date parsing. The expected outcome of each case is derived from the rule
as the data dictionary states it, never from the code under test."""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from hypothesis import given, strategies as st

from kzunrest.tablecheck import parse as _parse
from kzunrest.data import _DATE_PRECISION, _NO_FIGURE, _VALUE_AND_RANGE, ROW_RULES, _convert, _range_rules

FILE = "data/x.csv"
counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000))


def run(rules, table: pd.DataFrame) -> list[str]:
    """The problems the given rules find (each table has more rules, on columns not built here)."""
    return sorted(str(p) for rule in rules for p in rule.check(FILE, table))


CROWD = _range_rules("crowd_low", "crowd_high")
TOLL = (_VALUE_AND_RANGE, _NO_FIGURE, *_range_rules("low", "high"))


def test_the_rules_run_here_are_the_tables_rules():
    names = {r.name for r in ROW_RULES["protest_spread"]}
    assert {r.name for r in CROWD} <= names
    assert {r.name for r in TOLL} <= {r.name for r in ROW_RULES["death_tolls"]}
    assert {r.name for r in _DATE_PRECISION} <= {r.name for r in ROW_RULES["arrests_dismissals"]}


def frame(columns: dict[str, list], types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(values, dtype=types[name]) for name, values in columns.items()})


# --- low <= high -------------------------------------------------------------------------------

def expected_range_problems(pairs, low="crowd_low", high="crowd_high") -> list[str]:
    out = []
    for line, (lo, hi) in enumerate(pairs, start=2):
        if lo is not None and hi is not None and lo > hi:
            out.append(f"{FILE}:{line}: {low} — {low} ({lo}) is greater than {high} ({hi}); swap "
                       "them or correct one")
        if lo is None and hi is not None:
            out.append(f"{FILE}:{line}: {low} — {high} is filled in but {low} is empty; give {low} "
                       "too (equal for a single figure)")
    return out


@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=12))
def test_low_high_rule(pairs):
    table = frame({"crowd_low": [p[0] for p in pairs], "crowd_high": [p[1] for p in pairs]},
                  {"crowd_low": "Int64", "crowd_high": "Int64"})
    assert run(CROWD, table) == sorted(expected_range_problems(pairs))


@given(st.integers(min_value=0, max_value=10_000))
def test_low_equal_to_high_is_a_single_figure_and_valid(n):
    table = frame({"crowd_low": [n], "crowd_high": [n]}, {"crowd_low": "Int64", "crowd_high": "Int64"})
    assert run(CROWD, table) == []
    table = frame({"crowd_low": [n + 1], "crowd_high": [n]}, {"crowd_low": "Int64", "crowd_high": "Int64"})
    assert run(CROWD, table) == [
        f"{FILE}:2: crowd_low — crowd_low ({n + 1}) is greater than crowd_high ({n}); swap them or "
        "correct one"]


@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 500)),
                          st.one_of(st.none(), st.integers(0, 500))), min_size=1, max_size=8))
def test_low_high_rule_on_decimal_columns(pairs):
    """death_tolls' low/high are numbers (Float64): still quoted as written, 240 not 240.0."""
    table = frame({"value": [1.0 if lo is None and hi is None else None for lo, hi in pairs],
                   "low": [lo for lo, _ in pairs], "high": [hi for _, hi in pairs]},
                  {"value": "Float64", "low": "Float64", "high": "Float64"})
    assert run(TOLL, table) == sorted(expected_range_problems(pairs, "low", "high"))


# --- date precision ----------------------------------------------------------------------------

PRECISIONS = ["day", "month", "year", "unknown"]
MESSAGES = {
    "month": "date_precision is 'month' but the date is not the first of the month; write YYYY-MM-01",
    "year": "date_precision is 'year' but the date is not 1 January; write YYYY-01-01",
    "empty": "the date is empty; fill it in, or set date_precision to 'unknown'",
    "unknown": "date_precision is 'unknown' but a date is given; set the precision (day, month, year)",
}
dates = st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
                  # the edges of the windows, often
                  st.builds(dt.date, st.integers(2020, 2024), st.integers(1, 12), st.just(1)))


def expected_precision_problem(date: dt.date | None, precision: str) -> str | None:
    """data/README.md: a date is day-exact, or the first of its month, or 1 January of its year,
    or absent with precision 'unknown'."""
    if date is None:
        return None if precision == "unknown" else MESSAGES["empty"]
    if precision == "unknown":
        return MESSAGES["unknown"]
    if precision == "month" and date.day != 1:
        return MESSAGES["month"]
    if precision == "year" and (date.day, date.month) != (1, 1):
        return MESSAGES["year"]
    return None


@given(st.lists(st.tuples(dates, st.sampled_from(PRECISIONS)), min_size=1, max_size=10))
def test_date_precision_rule(rows):
    table = pd.DataFrame({
        "date": pd.to_datetime(pd.Series([d.isoformat() if d else None for d, _ in rows], dtype="string"),
                               format="%Y-%m-%d"),
        "date_precision": pd.Series([p for _, p in rows], dtype="string")})
    found = run(_DATE_PRECISION, table)
    expected = sorted(f"{FILE}:{line}: date — {message}" for line, (d, p) in enumerate(rows, start=2)
                      if (message := expected_precision_problem(d, p)))
    assert found == expected


def test_every_arrests_rule_is_exercised_by_the_property():
    assert len(_DATE_PRECISION) == len(MESSAGES)


# --- date parsing ------------------------------------------------------------------------------

@given(st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32))
def test_date_parsing_accepts_exactly_the_real_days(year, month, day):
    text = f"{year:04d}-{month:02d}-{day:02d}"
    real = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
    in_range = dt.date(1677, 9, 22) <= dt.date(year, min(max(month, 1), 12), 1) <= dt.date(2262, 4, 1)
    parsed = _convert(pd.Series([text], dtype="string"), {"type": "date"}).iloc[0]
    _, bad = _parse(pd.Series([text], dtype=object), {"type": "date"})
    if real and in_range:
        assert parsed == pd.Timestamp(year, month, day)
        assert not bad.iloc[0]
    elif not real:
        assert pd.isna(parsed)
        assert bad.iloc[0]


@given(st.text(min_size=1, max_size=12))
def test_date_parsing_rejects_other_forms(text):
    """Only YYYY-MM-DD is a date: 05.01.2022, 2022/01/05, 2022-1-5, words are not."""
    try:
        value = dt.date.fromisoformat(text)
        strict = len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit()
    except ValueError:
        value, strict = None, False
    parsed = _convert(pd.Series([text], dtype="string"), {"type": "date"}).iloc[0]
    _, bad = _parse(pd.Series([text], dtype=object), {"type": "date"})
    if strict:
        assert parsed == pd.Timestamp(value) and not bad.iloc[0]
    else:
        assert pd.isna(parsed) and bad.iloc[0]


@given(st.sampled_from(["2022-1-5", "05.01.2022", "2022/01/05", "20220105", " 2022-01-05",
                        "2022-01-05T00:00", "2022-02-29", "2021-02-29", "2022-04-31"]))
def test_date_parsing_known_bad_forms(text):
    assert pd.isna(_convert(pd.Series([text], dtype="string"), {"type": "date"}).iloc[0])
    assert _parse(pd.Series([text], dtype=object), {"type": "date"})[1].iloc[0]


def test_empty_date_cell_is_missing_not_bad():
    assert pd.isna(_convert(pd.Series([pd.NA], dtype="string"), {"type": "date"}).iloc[0])
    assert not _parse(pd.Series([""], dtype=object), {"type": "date"})[1].iloc[0]
