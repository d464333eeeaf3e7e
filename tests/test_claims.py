"""The claims ledger's precision windows and verdict rule, at every boundary.

Expected windows and verdicts are worked out by hand from the rule in ``claims.py`` (and the
chapter): e.g. "71 percent" rounded to 1 covers 70.5 up to, not including, 71.5.
"""

from __future__ import annotations

import math
from collections import namedtuple
from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import in_language

from kzunrest import claims
from kzunrest.claims import Window, date_window, number_window

SOURCES = {"a": "Agency A, 2022-01-10", "b": "Body B, 2022-03-14", "c": "Paper C, 2022-06-01"}
Claim = namedtuple("Claim", "claim_id source_id claim_kind precision value rounding tolerance "
                            "low high unit claim_date summary")
NAN = math.nan


def claim(precision, value=NAN, *, kind="number", rounding=NAN, tolerance=NAN, low=NAN, high=NAN,
          unit="people", when=None):
    return Claim("dep-01", "article", kind, precision, value, rounding, tolerance, low, high,
                 unit if kind == "number" else None, when, "a test claim")


def checks(*rows):
    """Rows of (id, standing, precision, value-or-date, measures, as_of[, low, high])."""
    records = []
    for row in rows:
        check_id, standing, precision, figure, measures, as_of, *rng = row + (None,) * (8 - len(row))
        is_date = isinstance(figure, str)
        records.append({
            "check_id": check_id, "claim_id": "dep-01", "source_id": check_id[0],
            "measures": measures, "standing": standing, "precision": precision,
            "value": NAN if is_date or figure is None else figure, "rounding": NAN,
            "tolerance": NAN, "low": rng[0] if rng[0] is not None else NAN,
            "high": rng[1] if rng[1] is not None else NAN,
            "reported_date": figure if is_date else None,
            "as_of": pd.Timestamp(as_of) if as_of else pd.NaT})
    return pd.DataFrame(records)


# ---------------------------------------------------------------------------------------------
# Windows, one precision at a time


@pytest.mark.parametrize("precision, kwargs, inside, outside", [
    ("exact", {"value": 17}, [17], [16.999, 17.001]),
    # "71 percent" rounded to the unit: [70.5, 71.5)
    ("rounded", {"value": 71, "rounding": 1}, [70.5, 70.96, 71.4999], [70.4999, 71.5]),
    ("rounded", {"value": 78, "rounding": 1}, [77.5, 78.4], [77.4, 78.5]),
    # "about 3,600": ± 10 % → [3,240, 3,960]
    ("approximate", {"value": 3600}, [3240, 3960], [3239.9, 3960.1, 2500, 2030]),
    ("approximate", {"value": 14, "tolerance": 3}, [11, 17], [10.9, 17.1]),
    # "nearly 8,000": [7,200, 8,000]
    ("nearly", {"value": 8000}, [7200, 7939, 8000], [7199, 8001]),
    ("range", {"low": 200, "high": 300}, [200, 300], [199, 301]),
    ("at_least", {"value": 2000}, [2000, 1e9], [1999]),
    ("more_than", {"value": 1500}, [1500.5, 1e9], [1500, 1499]),
    ("at_most", {"value": 10}, [10, 0], [10.1]),
    ("less_than", {"value": 10}, [9.99, 0], [10]),
    ("dozens", {}, [24, 99], [23, 100]),
    ("hundreds", {}, [200, 238, 999], [199, 1000]),
    ("thousands", {}, [2000, 9900], [1999]),
])
def test_number_windows(precision, kwargs, inside, outside):
    w = number_window(precision, **kwargs)
    assert all(w.contains(x) for x in inside), (precision, w, inside)
    assert not any(w.contains(x) for x in outside), (precision, w, outside)


def ordinal(text: str) -> int:
    return date.fromisoformat(text).toordinal()


@pytest.mark.parametrize("precision, text, inside, outside", [
    ("day", "2022-01-05", ["2022-01-05"], ["2022-01-04", "2022-01-06"]),
    ("month", "2020-08", ["2020-08-01", "2020-08-31"], ["2020-07-31", "2020-09-01"]),
    ("month", "2024-02", ["2024-02-29"], ["2024-03-01"]),          # leap year
    ("year", "2019", ["2019-01-01", "2019-03-20", "2019-12-31"], ["2018-12-31", "2020-01-01"]),
    ("early_month", "2022-06", ["2022-06-01", "2022-06-05", "2022-06-10"], ["2022-06-11", "2022-05-31"]),
    ("mid_month", "2022-05", ["2022-05-11", "2022-05-20"], ["2022-05-10", "2022-05-21"]),
    ("late_month", "2022-02", ["2022-02-21", "2022-02-28"], ["2022-02-20", "2022-03-01"]),
    ("on_or_before", "2022-01", ["1990-01-01", "2022-01-31"], ["2022-02-01"]),
    ("on_or_before", "2022-01-06", ["2022-01-06"], ["2022-01-07"]),
    ("on_or_after", "2022", ["2022-01-01", "2030-05-05"], ["2021-12-31"]),
    ("between", "2022-01-04/2022-01-05", ["2022-01-04", "2022-01-05"], ["2022-01-03", "2022-01-06"]),
    ("between", "1989/1991-12", ["1989-01-01", "1991-12-31"], ["1988-12-31", "1992-01-01"]),
])
def test_date_windows(precision, text, inside, outside):
    w = date_window(precision, text)
    assert all(w.contains(ordinal(d)) for d in inside), (precision, text, inside)
    assert not any(w.contains(ordinal(d)) for d in outside), (precision, text, outside)


def test_touching_windows_overlap_only_where_both_ends_are_closed():
    assert Window(0, 10).overlaps(Window(10, 20))
    assert not Window(0, 10, high_open=True).overlaps(Window(10, 20))
    assert not Window(10, 20, low_open=True).overlaps(Window(0, 10))
    assert Window(0, math.inf).overlaps(Window(5, 5))
    assert Window(0, 10).gap_to(Window(13, 15)) == 3
    assert Window(0, 10).gap_to(Window(-5, -2)) == -2


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6))
def test_overlap_is_symmetric_and_matches_gap(a, b, c, d):
    one, two = Window(min(a, b), max(a, b)), Window(min(c, d), max(c, d))
    assert one.overlaps(two) == two.overlaps(one)
    assert (one.gap_to(two) == 0) == one.overlaps(two)


@given(st.integers(1, 9999).map(float), st.sampled_from([0.1, 1, 10, 100]))
def test_a_rounded_figure_agrees_with_what_rounds_to_it(value, step):
    w = number_window("rounded", value, rounding=step)
    assert w.contains(value - step / 2) and w.contains(value + step * 0.49)
    assert not w.contains(value + step / 2) and not w.contains(value - step * 0.51)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_a_year_claim_holds_every_day_of_its_year_and_no_other(day):
    w = date_window("year", str(day.year))
    assert w.contains(day.toordinal())
    assert not w.contains(date(day.year + 1, 1, 1).toordinal())
    assert not w.contains(date(day.year - 1, 12, 31).toordinal())


# ---------------------------------------------------------------------------------------------
# Verdicts, one rule at a time


def judge(the_claim, the_checks, written=date(2022, 5, 15)):
    return claims.judge(the_claim, the_checks, SOURCES, written)


def test_year_claim_against_a_day_of_that_year_is_consistent():
    result = judge(claim("year", kind="date", when="2019"),
                   checks(("a1", "record", "day", "2019-03-20", "same", "2019-03-20")))
    assert result.verdict == claims.CONSISTENT
    assert "2019-03-20" in result.reason and "2019-01-01 – 2019-12-31" in result.reason


def test_year_claim_one_day_outside_its_year_differs_by_one_day():
    result = judge(claim("year", kind="date", when="2019"),
                   checks(("a1", "record", "day", "2020-01-01", "same", "2020-01-01")))
    assert result.verdict == claims.DIFFERS
    assert result.distance == 1 and "1 day above" in result.reason


def test_rounded_percentage_agrees_with_the_value_that_rounds_to_it():
    share = checks(("a1", "record", "exact", 70.96, "same", "2019-06-10"))
    assert judge(claim("rounded", 71, rounding=1, unit="percent"), share).verdict == claims.CONSISTENT
    edge = checks(("a1", "record", "exact", 70.5, "same", "2019-06-10"))
    assert judge(claim("rounded", 71, rounding=1, unit="percent"), edge).verdict == claims.CONSISTENT
    below = checks(("a1", "record", "exact", 77.4, "same", "2019-06-10"))
    result = judge(claim("rounded", 78, rounding=1, unit="percent"), below)
    assert result.verdict == claims.DIFFERS
    assert result.distance == pytest.approx(-0.1)


def test_a_bound_does_not_outvote_point_figures_of_the_same_standing():
    troops = checks(("a1", "official_final", "exact", 2030, "same", "2022-01-07"),
                    ("b1", "official_final", "at_least", 2000, "same", "2022-01-08"))
    result = judge(claim("approximate", 3600, unit="troops"), troops)
    assert result.verdict == claims.DIFFERS
    assert result.weighed == ("a1",)
    # 2,030 lies 3,240 − 2,030 = 1,210 below the window; 1,210 / 3,240 = 37 %
    assert result.distance == -1210 and "1,210 troops, 37% below" in result.reason


def test_a_bound_alone_is_weighed_when_nothing_better_exists():
    only = checks(("a1", "official_final", "at_least", 2000, "same", "2022-01-08"))
    assert judge(claim("approximate", 3600, unit="troops"), only).verdict == claims.CONSISTENT


def test_estimates_are_not_weighed_when_an_official_final_figure_exists():
    rows = checks(("a1", "official_final", "exact", 238, "same", "2022-08-01"),
                  ("c1", "estimate", "exact", 227, "same", "2022-01-20"))
    result = judge(claim("exact", 227), rows, written=None)
    assert result.verdict == claims.DIFFERS and result.weighed == ("a1",)


def test_only_the_latest_official_interim_figure_is_weighed():
    rows = checks(("a1", "official_interim", "exact", 225, "same", "2022-01-15"),
                  ("b1", "official_interim", "exact", 230, "same", "2022-03-14"))
    result = judge(claim("exact", 225), rows, written=None)
    assert result.verdict == claims.DIFFERS and result.weighed == ("b1",)
    assert judge(claim("exact", 230), rows, written=None).verdict == claims.CONSISTENT


def test_an_interim_figure_current_when_the_article_was_written_makes_it_superseded():
    # 227 was the figure of 18 January; by the article (15 May) the latest was 232 (5 May).
    rows = checks(("a1", "official_interim", "exact", 227, "same", "2022-01-18"),
                  ("b1", "official_interim", "exact", 232, "same", "2022-05-05"),
                  ("c1", "official_final", "exact", 238, "same", "2022-12-01"))
    assert judge(claim("exact", 227), rows, written=date(2022, 5, 15)).verdict == claims.DIFFERS
    assert judge(claim("exact", 227), rows, written=date(2022, 2, 1)).verdict == claims.SUPERSEDED


def test_disputed_when_best_reports_split():
    rows = checks(("a1", "official_final", "exact", 238, "same", "2022-08-01"),
                  ("b1", "independent_count", "exact", 250, "same", "2022-08-01"))
    result = judge(claim("exact", 238), rows)
    assert result.verdict == claims.DISPUTED and result.agreeing == ("a1",)


def test_superseded_when_right_at_the_article_date_and_revised_later():
    rows = checks(("a1", "official_interim", "exact", 227, "same", "2022-01-24"),
                  ("b1", "official_final", "exact", 238, "same", "2022-08-01"))
    result = judge(claim("exact", 227), rows, written=date(2022, 5, 15))
    assert result.verdict == claims.SUPERSEDED
    assert "2022-05-15" in result.reason and "238" in result.reason


def test_a_report_stated_after_the_article_cannot_make_it_superseded():
    rows = checks(("a1", "official_interim", "exact", 227, "same", "2022-05-16"),
                  ("b1", "official_final", "exact", 238, "same", "2022-08-01"))
    assert judge(claim("exact", 227), rows, written=date(2022, 5, 15)).verdict == claims.DIFFERS
    same_day = checks(("a1", "official_interim", "exact", 227, "same", "2022-05-15"),
                      ("b1", "official_final", "exact", 238, "same", "2022-08-01"))
    assert judge(claim("exact", 227), same_day,
                 written=date(2022, 5, 15)).verdict == claims.SUPERSEDED


def test_related_reports_are_never_weighed():
    rows = checks(("a1", "official_final", "exact", 3600, "related", "2022-01-07"))
    result = judge(claim("approximate", 3600, unit="troops"), rows)
    assert result.verdict == claims.NOT_FOUND and "1 report(s) of a related quantity" in result.reason


def test_no_reports_is_not_found():
    assert judge(claim("exact", 17), checks()[:0] if False else pd.DataFrame(
        columns=["check_id", "measures", "standing", "precision"])).verdict == claims.NOT_FOUND


def test_hundreds_against_the_final_toll():
    rows = checks(("a1", "official_final", "exact", 238, "same", "2022-08-01"))
    assert judge(claim("hundreds"), rows).verdict == claims.CONSISTENT


def test_early_june_against_a_date_inside_and_outside_the_first_third():
    inside = checks(("a1", "record", "day", "2022-06-05", "same", "2022-06-06"))
    outside = checks(("a1", "record", "day", "2022-06-11", "same", "2022-06-12"))
    assert judge(claim("early_month", kind="date", when="2022-06"), inside).verdict == claims.CONSISTENT
    assert judge(claim("early_month", kind="date", when="2022-06"), outside).verdict == claims.DIFFERS


def test_by_the_end_of_january_is_an_upper_bound():
    earlier = checks(("a1", "record", "day", "2022-01-19", "same", "2022-01-19"))
    later = checks(("a1", "record", "day", "2022-02-02", "same", "2022-02-02"))
    by = claim("on_or_before", kind="date", when="2022-01")
    assert judge(by, earlier).verdict == claims.CONSISTENT
    result = judge(by, later)
    assert result.verdict == claims.DIFFERS and result.distance == 2


def test_a_reported_range_agrees_with_a_claim_inside_it():
    rows = checks(("a1", "estimate", "range", None, "same", "2022-01-10", 11, 17))
    assert judge(claim("approximate", 14, tolerance=3, unit="days"), rows).verdict == claims.CONSISTENT


@pytest.mark.parametrize("lang, count, words", [
    ("ru", 1, "год"), ("ru", 3, "года"), ("ru", 28.9, "года"), ("ru", 0.29, "года"),
    ("ru", 30, "лет"), ("ru", 21, "год"), ("ru", math.nan, "лет"),  # 'hundreds': the form of many
    ("kk", 28.9, "жыл"), ("kk", 30, "жыл"), ("en", 1, "years"),
])
def test_a_unit_takes_the_form_its_number_needs(lang, count, words):
    """Russian says '1 год', '3 года', '28,9 года' (a fraction as after 2), '30 лет'; Kazakh nouns
    do not change after numbers; English units are written as the data give them."""
    with in_language(lang):
        assert claims.unit_words("years", count) == words
