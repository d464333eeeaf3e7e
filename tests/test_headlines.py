"""Chapter 3's headline (which official figure, which independent span, the ratio's words) and
chapter 2's January panel, on small frames whose answers are known by construction."""

from __future__ import annotations

import pandas as pd
import pytest

from kzunrest import analysis, charts, narrative, render
from test_analysis import events_frame, people_frame, sources_frame, tolls_frame
from test_charts import layers, mark_type, rows

D = pd.Timestamp


def headline_frame() -> pd.DataFrame:
    """tolls_frame() plus figures the rule must pass over: an official figure larger than the
    latest but undated, an official bound stated after it, and other events' figures."""
    extra = [
        # toll_id, event, category, value, low, high, as_of, official, reported_by
        ("k-undated", "kazakhstan_2022", "total", 250, None, None, None, True, "Officials"),
        ("k-bound", "kazakhstan_2022", "total", None, 300, None, "2022-09-01", True, "Ministry"),
        ("k-ngo", "kazakhstan_2022", "total", 190, None, None, None, False, "NGO A"),
        ("z-first", "zhanaozen_2011", "total", 10, None, None, "2011-12-16", True, "Prosecutor"),
        ("z-last", "zhanaozen_2011", "total", 16, None, None, "2011-12-22", True, "Officials Z"),
        ("z-ngo", "zhanaozen_2011", "total", 17, None, None, None, False, "Journalist"),
        ("z-least", "zhanaozen_2011", "total", None, 64, None, None, False, "Reporter"),
        ("e-range", "euromaidan_2013_14", "total", None, 90, 110, None, False, "Monitors"),
        ("e-sec", "euromaidan_2013_14", "security_forces", 13, None, None, "2020-11-20", True, "PG"),
    ]
    frame = tolls_frame().drop(columns=["reported_by"])
    frame["reported_by"] = ["PG", "PG", "Diplomat", "Monitors", "PG"]
    more = pd.DataFrame(extra, columns=["toll_id", "event", "category", "value", "low", "high",
                                        "as_of", "official", "reported_by"])
    more["source_id"] = "s1"
    frame = pd.concat([frame, more], ignore_index=True)
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("Int64")
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["locator"], frame["printed"], frame["note"] = "lead", "printed words", None
    return frame


def test_latest_official_is_the_last_dated_single_figure_never_a_bound_or_undated():
    summary = analysis.headline_tolls(headline_frame()).set_index("event")
    kz = summary.loc["kazakhstan_2022"]
    # 238 (16 Aug 2022), not the later "at least 300" nor the undated 250.
    assert (kz["official_low"], kz["official_high"]) == (238, 238)
    assert kz["official_as_of"] == D("2022-08-16")
    assert (kz["official_dated"], kz["official_undated"], kz["official_bounds"]) == (2, 1, 1)
    assert list(summary.index) == ["kazakhstan_2022", "zhanaozen_2011", "euromaidan_2013_14"]
    assert summary.loc["zhanaozen_2011", "official_low"] == 16
    # Euromaidan has an official figure only for security forces: no official total.
    assert pd.isna(summary.loc["euromaidan_2013_14", "official_low"])


def test_figures_stated_the_same_last_day_are_kept_as_a_span():
    tolls = headline_frame()
    tie = tolls[tolls["toll_id"] == "t2"].assign(toll_id="t2b", value=300, reported_by="Ombudsman")
    summary = analysis.headline_tolls(pd.concat([tolls, tie], ignore_index=True)).set_index("event")
    kz = summary.loc["kazakhstan_2022"]
    assert (kz["official_low"], kz["official_high"], kz["official_same_day"]) == (238, 300, 2)
    text = narrative.toll_headline_text(summary.reset_index())
    assert "**238–300** deaths" in text
    # 238/16 reads 'about fifteen', 300/16 = 18.75 'about nineteen': the words give the span.
    assert "between 14.9 and 18.8 times that for Zhanaozen" in text
    close = tie.assign(value=241)  # 241/16 = 15.06: both ends read the same
    summary = analysis.headline_tolls(pd.concat([tolls, close], ignore_index=True))
    assert "about fifteen times that for Zhanaozen" in narrative.toll_headline_text(summary)


def test_independent_span_bounds_extend_only_the_top():
    summary = analysis.headline_tolls(headline_frame()).set_index("event")
    kz, zh, em = (summary.loc[e] for e in ("kazakhstan_2022", "zhanaozen_2011", "euromaidan_2013_14"))
    # Kazakhstan: 190 (NGO) and "at least 200" above it: 190 to at least 200.
    assert (kz["independent_low"], kz["independent_high"], kz["independent_open"]) == (190, 200, True)
    assert (kz["independent_low_by"], kz["independent_high_by"]) == ("NGO A", "Diplomat")
    # Zhanaozen: 17 and "at least 64": 17 to at least 64.
    assert (zh["independent_low"], zh["independent_high"], zh["independent_open"]) == (17, 64, True)
    # Euromaidan: the 100–130 range and the 90–110 range, closed at 130.
    assert (em["independent_low"], em["independent_high"], em["independent_open"]) == (90, 130, False)


@pytest.mark.parametrize("numerator,denominator,words", [
    (94, 100, "about 94% of"),
    (95, 100, "about the same as"),
    (104, 100, "about the same as"),
    (105, 100, "about 5% more than"),
    (124, 100, "about 24% more than"),
    (5, 4, "about one and a half times"),          # 1.25: the first half step
    (174, 100, "about one and a half times"),
    (7, 4, "about twice"),                          # 1.75
    (224, 100, "about twice"),
    (9, 4, "about two and a half times"),           # 2.25
    (238, 91, "about two and a half times"),
    (974, 100, "about nine and a half times"),
    (39, 4, "about ten times"),                     # 9.75
    (1049, 100, "about ten times"),
    (21, 2, "about eleven times"),                  # 10.5: whole numbers from here
    (238, 16, "about fifteen times"),
    (2049, 100, "about twenty times"),
    (2051, 100, "about 21 times"),
])
def test_ratio_words_at_their_boundaries(numerator, denominator, words):
    assert narrative.times_words(numerator, denominator) == words


def test_ratio_needs_a_positive_denominator():
    with pytest.raises(ValueError):
        narrative.times_words(5, 0)


def test_headline_sentence_and_reasons():
    summary = analysis.headline_tolls(headline_frame())
    text = narrative.toll_headline_text(summary)
    assert text.startswith("The latest official toll for Kazakhstan, January 2022 is **238** deaths")
    assert "about fifteen times that for Zhanaozen, December 2011 (**16**)" in text
    assert "Euromaidan, Ukraine 2013–14 has no dated official figure" in text
    reasons = narrative.toll_headline_reasons(summary).splitlines()
    assert len(reasons) == 3
    assert "**238**, stated on 16 August 2022" in reasons[0]
    assert "1 undated official figure and 1 official bound or range not ranked" in reasons[0]
    assert "from 190 (NGO A) to at least 200 (Diplomat)" in reasons[0]
    assert "no dated official single figure" in reasons[2]


def test_toll_headline_chart_marks_and_tooltips():
    tolls = analysis.tolls_for_chart(headline_frame(), sources_frame(), "all")
    summary = analysis.headline_tolls(tolls)
    marks, spans = analysis.headline_marks(summary, tolls)
    words = {"official": "Official", "independent": "Independent", "bound": "At least",
             "axis": "Deaths"}
    spec = charts.toll_headline(marks, spans, words, "Title", "Subtitle").to_dict()
    points = [layer for layer in layers(spec) if mark_type(layer) == "point"]
    drawn = rows(spec, points[0])
    official = sorted(r["toll_id"] for r in drawn if r["kind"] == "official")
    assert official == ["t2", "z-last"]
    bounds = {r["toll_id"]: r["figure"] for r in drawn if r["kind"] == "bound"}
    assert bounds == {"t3": "at least 200", "z-least": "at least 64"}
    ranges = [r["value"] for r in drawn if r["toll_id"] == "e-range"]
    assert sorted(ranges) == [90, 110]  # a range is drawn at both ends
    tooltip = {t["title"] for t in points[0]["encoding"]["tooltip"]}
    assert {"Reported by", "Source", "Where in the source", "As printed"} <= tooltip
    assert points[0]["encoding"]["y"]["sort"] == [
        "Kazakhstan, January 2022", "Zhanaozen, December 2011", "Euromaidan, Ukraine 2013–14"]
    svg = render.chart_bundle(charts.toll_headline(marks, spans, words, "Title", "Subtitle"))["image/svg+xml"]
    assert "at least 64" in svg and "Official" in svg


def test_january_panel_beside_the_multi_year_timeline():
    actions = analysis.people_actions(people_frame(), sources_frame(), D("2023-12-31"), [])
    events = analysis.marked_events(events_frame(), sources_frame())
    january = analysis.marked_events(events_frame(), sources_frame(), D("2022-01-01"), D("2022-01-31"))
    chart = charts.people_timeline_with_january(actions, events, january, D("2022-01-01"),
                                                D("2022-01-31"), "T", ["S"], ("All", "January"))
    spec = chart.to_dict()
    left, right = spec["vconcat"][0]["hconcat"]
    order = ["Askar Mamin · Government", "Karim Massimov · Security services",
             "Samat Abish · Nazarbayev family", "Timur Kulibayev · Nazarbayev family"]
    left_marks, right_marks = (
        [layer for layer in layers(panel) if mark_type(layer) == "point"][0] for panel in (left, right))
    # Same rows in the same order on both panels; the January one has its own day axis.
    assert left_marks["encoding"]["y"]["scale"]["domain"] == order
    assert right_marks["encoding"]["y"]["scale"]["domain"] == order
    x = right_marks["encoding"]["x"]["scale"]
    assert x["type"] == "utc"
    assert [(d["year"], d["month"], d["date"]) for d in x["domain"]] == [(2022, 1, 1), (2022, 1, 31)]
    assert right_marks["transform"][0]["filter"]["field"] == "date"
    # January's key events are numbered there and listed under both panels.
    assert "text" in [mark_type(layer) for layer in layers(right)]
    key = [layer for layer in layers(spec["vconcat"][1]) if mark_type(layer) == "text"][0]
    assert rows(spec, key)[0]["line"].startswith("1.  5 Jan")
