"""Aggregates and verdicts on small hand-made frames whose answers are worked out by hand."""

from __future__ import annotations


import pandas as pd
import pytest

from kzunrest import analysis, narrative

D = pd.Timestamp


def spread_frame() -> pd.DataFrame:
    rows = [
        ("2022-01-02", "Zhanaozen", "Mangystau Region", "peaceful_protest", "s1"),
        ("2022-01-02", "Zhanaozen", "Mangystau Region", "peaceful_protest", "s2"),
        ("2022-01-03", "Aktau", "Mangystau Region", "peaceful_protest", "s1"),
        ("2022-01-04", "Almaty", "Almaty city", "clashes", "s1"),
        ("2022-01-04", "Zhanaozen", "Mangystau Region", "peaceful_protest", "s1"),
        ("2022-01-05", "Almaty", "Almaty city", "armed_violence", "s2"),
    ]
    frame = pd.DataFrame(rows, columns=["date", "city", "region", "activity", "source_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["latitude"], frame["longitude"] = 43.0, 60.0
    return frame


def test_first_seen_per_city():
    first = analysis.first_seen(spread_frame()).set_index("city")
    assert list(first.index) == ["Zhanaozen", "Aktau", "Almaty"]  # by first date
    assert first.at["Zhanaozen", "first_date"] == D("2022-01-02")
    assert first.at["Zhanaozen", "n_days"] == 2
    assert first.at["Zhanaozen", "n_reports"] == 3
    assert first.at["Almaty", "worst"] == "Armed violence"


def test_daily_counts_per_day_and_cumulative():
    counts = analysis.daily_counts(spread_frame(), D("2022-01-01"), D("2022-01-06"))
    assert list(counts["cities"]) == [0, 1, 1, 2, 1, 0]
    assert list(counts["regions"]) == [0, 1, 1, 2, 1, 0]
    assert list(counts["cities_cumulative"]) == [0, 1, 2, 3, 3, 3]
    assert list(counts["regions_cumulative"]) == [0, 1, 1, 2, 2, 2]


def test_spread_by_day_marks_this_day_and_earlier():
    days = analysis.spread_by_day(spread_frame(), D("2022-01-02"), D("2022-01-04"))
    on_4th = days[days["day"] == D("2022-01-04")].set_index("city")["status"].to_dict()
    assert on_4th == {"Zhanaozen": "reported this day", "Aktau": "reported earlier",
                      "Almaty": "reported this day"}
    assert len(days[days["day"] == D("2022-01-02")]) == 1


def test_filter_spread_by_window_and_region():
    chosen = analysis.filter_spread(spread_frame(), D("2022-01-03"), D("2022-01-05"), ["Almaty city"])
    assert sorted(chosen["date"].dt.day) == [4, 5]


def events_frame() -> pd.DataFrame:
    rows = [
        ("e1", "2022-01-05", "government_resignation", None, "s1"),
        ("e2", "2022-01-05", "state_of_emergency_start", "Mangystau Region", "s1"),
        ("e3", "2022-01-05", "state_of_emergency_start", "Almaty city", "s2"),
        ("e4", "2022-01-05", "csto_request", None, "s1"),
        ("e5", "2022-01-06", "csto_request", None, "s2"),  # a source that differs on the date
        ("e6", "2022-01-04", "internet_shutdown_start", None, "s1"),
        ("e7", "2022-01-10", "internet_shutdown_end", None, "s2"),
        ("e8", "2022-01-08", "other", None, "s1"),
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "date", "kind", "region", "source_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def sources_frame() -> pd.DataFrame:
    return pd.DataFrame({"source_id": ["s1", "s2"], "publisher": ["Reuters", "TASS"],
                         "date_published": pd.to_datetime(["2022-01-05", None])})


def test_marked_events_keep_disagreeing_dates_and_number_them():
    marked = analysis.marked_events(events_frame(), sources_frame())
    assert list(marked["label"]) == ["Government resigns", "State of emergency (2 regions)",
                                     "CSTO asked for help", "CSTO asked for help"]
    assert list(marked["date"].dt.day) == [5, 5, 5, 6]
    assert list(marked["number"]) == ["1", "2", "3", "4"]
    assert list(marked["slot"]) == [0, 1, 2, 0]
    assert marked.loc[1, "source"] == "Reuters, 2022-01-05; TASS"


def test_internet_shutdown_span_runs_to_the_end_of_the_last_day():
    span = analysis.internet_shutdowns(events_frame())
    assert span.loc[0, "start"] == D("2022-01-04")
    assert span.loc[0, "end"] == D("2022-01-11")


def people_frame() -> pd.DataFrame:
    rows = [
        ("Karim Massimov", "KNB chairman", "security_services", "dismissed", "2022-01-05", "day"),
        ("Karim Massimov", "KNB chairman", "security_services", "sentenced", "2023-04-24", "day"),
        ("Samat Abish", "KNB deputy", "nazarbayev_family", "dismissed", "2022-01-17", "day"),
        ("Timur Kulibayev", "Atameken chair", "nazarbayev_family", "resigned", "2022-01-17", "day"),
        ("Askar Mamin", "Prime Minister", "government", "resigned", "2022-01-05", "day"),
    ]
    frame = pd.DataFrame(rows, columns=["person", "role", "affiliation", "action", "date",
                                        "date_precision"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source_id"], frame["detail"], frame["linked"] = "s1", None, True
    frame["locator"], frame["printed"] = "paragraph 1", "5 January"
    return frame


def test_people_grouped_by_affiliation_then_first_action():
    actions = analysis.people_actions(people_frame(), sources_frame(), D("2023-12-31"), [])
    order = actions.drop_duplicates("person")["person"].tolist()
    # Government and security services both start on 5 Jan (alphabetical tie-break), family later.
    assert order == ["Askar Mamin", "Karim Massimov", "Samat Abish", "Timur Kulibayev"]


def test_people_end_date_and_affiliation_filter():
    actions = analysis.people_actions(people_frame(), sources_frame(), D("2022-01-31"),
                                      ["security_services"])
    assert actions[["person", "action"]].values.tolist() == [["Karim Massimov", "dismissed"]]


def test_people_summary_counts():
    actions = analysis.people_actions(people_frame(), sources_frame(), D("2023-12-31"), [])
    summary = narrative.people_summary(actions)
    assert summary["people"] == 4 and summary["actions"] == 5
    assert summary["sentenced"] == 1 and summary["detained"] == 0
    assert summary["first"] == D("2022-01-05") and summary["last"] == D("2023-04-24")
    assert summary["not_linked"] == 0


def test_people_summary_counts_only_actions_linked_to_january():
    frame = people_frame()
    frame.loc[frame["person"] == "Timur Kulibayev", "linked"] = False
    actions = analysis.people_actions(frame, sources_frame(), D("2023-12-31"), [])
    summary = narrative.people_summary(actions)
    assert summary["people"] == 3 and summary["actions"] == 4 and summary["not_linked"] == 1
    text = narrative.people_text(summary, D("2023-12-31"))
    assert "**4 actions** linked" in text
    assert "1 further action whose source does not link it to January 2022 is drawn hollow" in text


@pytest.mark.parametrize("lang, counts", [
    ("en", "2 dismissed, 1 resigned, 1 sentenced"),
    # A count has a form of its own: the table's labels ("Уволен") do not take a number.
    ("ru", "увольнений — 2, отставок — 1, приговоров — 1"),
    ("kk", "қызметтен босату — 2, отставкаға кету — 1, жазаға кесу — 1"),
])
def test_people_text_lists_each_action_with_its_count(lang, counts):
    from conftest import in_language

    frame = people_frame()
    frame.loc[frame["person"] == "Timur Kulibayev", "linked"] = False
    summary = narrative.people_summary(analysis.people_actions(frame, sources_frame(),
                                                               D("2023-12-31"), []))
    with in_language(lang):
        assert f"({counts};" in narrative.people_text(summary, D("2023-12-31"))


def detentions_frame() -> pd.DataFrame:
    rows = [  # measure, scope, value, low, high, precision, as_of, reported_by, official
        ("detained", "national", 4404, None, None, "exact", "2022-01-08", "Interior Ministry", True),
        ("detained", "national", 9900, None, None, "exact", "2022-01-11", "Interior Ministry", True),
        ("detained", "national", None, 10000, None, "more_than", "2022-08-22", "KIBHR", False),
        ("detained", "Almaty city", 2748, None, None, "exact", "2022-01-18", "Almaty HQ", True),
        ("convicted", "national", 1205, None, None, "exact", "2023-01-05", "Prosecutor General", True),
        ("convicted", "national", None, 1000, None, "more_than", "2022-12-20", "HRW", False),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "scope", "value", "low", "high", "precision",
                                        "as_of", "reported_by", "official"])
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("Int64")
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["source_id"], frame["locator"], frame["printed"] = "s1", "lead", "9,900"
    frame["note"] = None
    return frame


def test_detention_counts_are_drawn_at_their_figure_and_worded_with_their_precision():
    counts = analysis.detention_counts(detentions_frame(), sources_frame(), D("2023-12-31"))
    kibhr = counts[counts["reported_by"] == "KIBHR"].iloc[0]
    assert kibhr["point"] == 10000 and kibhr["figure"] == "more than 10,000"
    assert kibhr["standing"] == "independent"
    early = analysis.detention_counts(detentions_frame(), sources_frame(), D("2022-01-10"))
    assert early["point"].tolist() == [4404]


def test_detentions_text_gives_the_latest_national_figures():
    counts = analysis.detention_counts(detentions_frame(), sources_frame(), D("2023-12-31"))
    text = narrative.detentions_text(counts)
    assert "**6 reported counts**" in text
    # The Almaty count (18 Jan) is later than the national 9,900 (11 Jan) but not national.
    assert "detained **9,900** (Interior Ministry, 11 January 2022)" in text
    assert "convicted **1,205** (Prosecutor General, 5 January 2023)" in text
    assert "detained **more than 10,000** (KIBHR, 22 August 2022)" in text


def tolls_frame() -> pd.DataFrame:
    rows = [
        ("t1", "kazakhstan_2022", "total", 225, None, None, "2022-01-15", True),
        ("t2", "kazakhstan_2022", "total", 238, None, None, "2022-08-16", True),
        ("t3", "kazakhstan_2022", "total", None, 200, None, None, False),  # "at least 200"
        ("t4", "euromaidan_2013_14", "total", None, 100, 130, "2014-02-21", False),
        ("t5", "kazakhstan_2022", "security_forces", 19, None, None, "2022-01-15", True),
    ]
    frame = pd.DataFrame(rows, columns=["toll_id", "event", "category", "value", "low", "high",
                                        "as_of", "official"])
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("Int64")
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["reported_by"], frame["source_id"] = "Prosecutor", "s1"
    return frame


def test_toll_ranges_span_single_figures_ranges_and_lower_bounds():
    ranges = analysis.toll_ranges(tolls_frame()).set_index(["event", "category"])
    kz = ranges.loc[("kazakhstan_2022", "total")]
    assert (kz["figures"], kz["lowest"], kz["highest"]) == (3, 200, 238)
    assert not kz["highest_is_lower_bound"]  # "at least 200" is below the closed 238
    maidan = ranges.loc[("euromaidan_2013_14", "total")]
    assert (maidan["lowest"], maidan["highest"]) == (100, 130)


def test_at_least_figure_above_every_closed_figure_is_the_top():
    tolls = tolls_frame()
    tolls.loc[2, "low"] = 300  # "at least 300"
    kz = analysis.toll_ranges(tolls).set_index(["event", "category"]).loc[("kazakhstan_2022", "total")]
    assert (kz["highest"], kz["highest_is_lower_bound"]) == (300, True)
    assert "spanning 225 to at least 300 deaths" in narrative.tolls_text(tolls)


def test_official_series_and_its_sentence():
    series = analysis.official_series(tolls_frame())
    assert series["toll_id"].tolist() == ["t5", "t1", "t2"]  # by date, then category
    text = narrative.official_change_text(series)
    assert "**225**" in text and "**238**" in text and "16 August 2022" in text
    assert "security-force deaths is 19" in text


def test_toll_figure_text():
    assert analysis.toll_figure(3600, None, None) == "3,600"
    assert analysis.toll_figure(None, 200, 300) == "200–300"
    assert analysis.toll_figure(None, 1500, None) == "at least 1,500"
    assert analysis.toll_figure(None, None, None) == ""


def test_detentions_table_says_where_each_figure_stands():
    counts = analysis.detention_counts(detentions_frame(), sources_frame(), D("2023-12-31"))
    table = analysis.detentions_table(counts)
    assert list(table.columns) == ["Counted", "Figure", "Scope", "Stated on", "Stated by",
                                   "Source [id], where", "Note"]
    kibhr = table[table["Stated by"] == "KIBHR"].iloc[0]
    assert kibhr["Figure"] == "more than 10,000" and kibhr["Stated on"] == "2022-08-22"
    assert kibhr["Source [id], where"].endswith("[s1], lead: “9,900”")


def test_first_seen_keeps_where_each_first_day_source_states_it():
    spread = pd.DataFrame({
        "city": ["Aktau", "Aktau", "Aktau", "Taraz"],
        "region": ["Mangystau Region"] * 3 + ["Zhambyl Region"],
        "latitude": [43.6, 43.6, 43.6, 42.9], "longitude": [51.2, 51.2, 51.2, 71.4],
        "date": pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-04", "2022-01-05"]),
        "activity": ["peaceful_protest"] * 4,
        "source_id": ["b-src", "a-src", "c-src", "d-src"],
        "locator": ["paragraph 2", "lead", "headline", "excerpt"],
        "printed": ["3 января", "", "4 января", "5 January"]})
    first = analysis.first_seen(spread).set_index("city")
    # Both sources of Aktau's first day, in source order; the 4 January row is not its first day.
    assert first.at["Aktau", "locator"] == "lead; paragraph 2"
    assert first.at["Aktau", "printed"] == "3 января"
    assert first.at["Taraz", "locator"] == "excerpt"


def test_each_day_mark_names_the_sources_of_that_day_only():
    spread = pd.DataFrame({
        "city": ["Aktau", "Aktau", "Zhanaozen", "Aktau"],
        "region": ["Mangystau Region"] * 4,
        "latitude": [43.6, 43.6, 43.3, 43.6], "longitude": [51.2, 51.2, 52.9, 51.2],
        "date": pd.to_datetime(["2022-01-03", "2022-01-03", "2022-01-03", "2022-01-05"]),
        "activity": ["peaceful_protest", "peaceful_protest", "strike", "clashes"],
        "source_id": ["b", "a", "c", "d"]})
    start, end = pd.Timestamp("2022-01-03"), pd.Timestamp("2022-01-05")
    points = analysis.spread_by_day(spread, start, end).set_index(["day", "city"])["source_ids"]
    assert points[(start, "Aktau")] == ["a", "b"]
    assert points[(pd.Timestamp("2022-01-04"), "Aktau")] == []  # reported earlier: no source that day
    shades = analysis.region_days(spread, start, end)
    mangystau = shades[shades["region"] == "Mangystau Region"].set_index("day")["source_ids"]
    # 3 January: the strike outranks the protests, so only the strike's source shades the region.
    assert mangystau[start] == ["c"]
    assert mangystau[pd.Timestamp("2022-01-04")] == []
    assert mangystau[end] == ["d"]
