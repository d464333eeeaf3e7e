"""Chart builders on small frames: what each chart encodes (fields, marks, rows) and that it
renders offline to a Vega spec and an SVG carrying its title and labels."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from conftest import in_language
from kzunrest import analysis, charts, claims, render, vocabulary
from test_analysis import events_frame, people_frame, sources_frame, spread_frame, tolls_frame

D = pd.Timestamp


def layers(spec: dict) -> list[dict]:
    """Every unit spec (one with a mark) inside a (possibly nested) Vega-Lite spec."""
    found = []
    if "mark" in spec:
        found.append(spec)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for child in spec.get(key, []):
            found += layers(child)
    if "spec" in spec:
        found += layers(spec["spec"])
    return found


def mark_type(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def rows(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data") or spec.get("data")
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def test_spread_map_encodes_each_city_once_coloured_by_first_day():
    first = analysis.first_seen(spread_frame())
    spec = charts.spread_map(first, charts.kazakhstan_outline(), D("2022-01-01"), D("2022-01-19")).to_dict()
    kinds = [mark_type(layer) for layer in layers(spec)]
    assert kinds[:2] == ["geoshape", "circle"] and set(kinds[2:]) == {"text"}
    circle = layers(spec)[1]
    # One text layer per place a label takes (kzunrest.maplabels), each city named by exactly one.
    places = [layer["transform"][0]["filter"] for layer in layers(spec)[2:]]
    cities = rows(spec, circle)
    named = [r["city"] for place in places for r in cities if place == f"(datum.label_place === '{r['label_place']}')"]
    assert sorted(named) == sorted(r["city"] for r in cities)
    assert circle["encoding"]["color"]["field"] == "first_day"
    assert circle["encoding"]["color"]["scale"]["domain"] == ["2 Jan", "3 Jan", "4 Jan"]
    assert {r["city"] for r in rows(spec, circle)} == {"Zhanaozen", "Aktau", "Almaty"}
    tooltip = [t["title"] for t in circle["encoding"]["tooltip"]]
    assert tooltip == ["City", "Region", "First reported", "Days with reports", "Most serious activity",
                       "Sources of the first report", "Where in the source", "As printed"]
    assert spec["title"]["text"] == "Where unrest was reported, by the day it was first reported"


def test_regions_are_embedded_once_and_shaded_by_each_days_worst_report():
    frame = spread_frame()
    start, end = D("2022-01-02"), D("2022-01-05")
    days = analysis.spread_by_day(frame, start, end)
    shades = analysis.region_days(frame, start, end)
    spec = charts.spread_small_multiples(days, shades, charts.kazakhstan_outline(),
                                         charts.regions_2022()).to_dict()
    assert len(spec["concat"]) == 4  # one panel per day
    assert [p["title"]["text"] for p in spec["concat"]] == [
        "2 Jan: 1 city", "3 Jan: 1 city", "4 Jan: 2 cities", "5 Jan: 1 city"]
    assert list(spec["datasets"]).count(charts.REGIONS_DATA) == 1
    assert charts.OUTLINE not in spec["datasets"]  # the regions cover the country
    shapes = [layer for layer in layers(spec) if mark_type(layer) == "geoshape"]
    assert [layer["data"] for layer in shapes] == [{"name": charts.REGIONS_DATA}] * 4
    # Each panel looks up that day's activity per region: 16 outlined regions, one day.
    looked_up = [spec["datasets"][layer["transform"][0]["from"]["data"]["name"]] for layer in shapes]
    assert all(len(values) == 16 for values in looked_up)
    worst = {row["region"]: row["activity_label"] for row in looked_up[2]}  # 4 January
    assert worst["Almaty city"] == "Clashes" and worst["Mangystau Region"] == "Peaceful protest"
    assert sum(label != vocabulary.label("map_shading", "no_report") for label in worst.values()) == 2


def test_a_regions_shade_is_its_most_serious_report_of_the_day():
    frame = spread_frame()
    calmer = frame.iloc[[-1]].assign(activity="peaceful_protest", city="Almaty", source_id="s3")
    shades = analysis.region_days(pd.concat([frame, calmer], ignore_index=True),
                                  D("2022-01-05"), D("2022-01-05")).set_index("region")
    assert shades.at["Almaty city", "activity_label"] == "Armed violence"
    assert "Shymkent city" not in shades.index  # no outline of its own: drawn as a point only


def test_daily_counts_has_lines_event_rules_shutdown_band_and_key():
    frame = spread_frame()
    counts = analysis.daily_counts_long(analysis.daily_counts(frame, D("2022-01-01"), D("2022-01-06")))
    events = analysis.marked_events(events_frame(), sources_frame())
    shutdown = analysis.internet_shutdowns(events_frame())
    spec = charts.places_per_day(counts, events, shutdown).to_dict()
    kinds = [mark_type(layer) for layer in layers(spec)]
    assert kinds == ["rect", "rule", "text", "line", "text"]
    line = layers(spec)[3]
    assert line["encoding"]["x"]["title"] == "Date (January 2022)"
    assert line["encoding"]["y"]["title"] == "Number with reported unrest"
    assert len(rows(spec, line)) == 6 * 4  # 6 days × (cities, regions) × (that day, cumulative)
    key = layers(spec)[4]
    assert [r["line"] for r in rows(spec, key)][0] == "1.  5 Jan — Government resigns"


def test_people_timeline_one_row_per_person_in_chart_order():
    actions = analysis.people_actions(people_frame(), sources_frame(), D("2023-12-31"), [])
    spec = charts.people_timeline(actions, analysis.marked_events(events_frame(), sources_frame())).to_dict()
    marks = [layer for layer in layers(spec) if mark_type(layer) == "point"][0]
    assert marks["encoding"]["y"]["sort"] == [
        "Askar Mamin · Government", "Karim Massimov · Security services",
        "Samat Abish · Nazarbayev family", "Timur Kulibayev · Nazarbayev family"]
    assert marks["encoding"]["color"]["field"] == "action_label"
    assert len(rows(spec, marks)) == 5
    assert {t["title"] for t in marks["encoding"]["tooltip"]} >= {"Role at the time", "Action", "Date", "Source"}


def test_tolls_compared_draws_ranges_and_points_per_event():
    tolls = analysis.tolls_for_chart(tolls_frame(), pd.DataFrame(
        {"source_id": ["s1"], "publisher": ["Reuters"], "date_published": [pd.NaT]}), "all")
    spec = charts.tolls_compared(tolls).to_dict()
    assert spec["facet"]["row"]["field"] == "event_label"
    kinds = [mark_type(layer) for layer in layers(spec)]
    assert kinds == ["rule", "point"]
    assert len(spec["data"]["values"] if "values" in spec["data"] else
               spec["datasets"][spec["data"]["name"]]) == 5


def test_official_only_filter():
    official = analysis.tolls_for_chart(tolls_frame(), pd.DataFrame(
        {"source_id": ["s1"], "publisher": ["Reuters"], "date_published": [pd.NaT]}), "official")
    assert sorted(official["toll_id"]) == ["t1", "t2", "t5"]


def test_claims_chart_plots_ratio_and_the_claims_window():
    claim_rows = pd.DataFrame([{"claim_id": "dep-18", "source_id": "a", "summary": "CSTO troops",
                                "claim_kind": "number", "precision": "approximate", "value": 3600,
                                "rounding": None, "tolerance": None, "low": None, "high": None,
                                "unit": "troops", "claim_date": None}])
    checks = pd.DataFrame([
        {"check_id": "dep-18-c1", "claim_id": "dep-18", "measures": "same", "standing": "official_final",
         "precision": "exact", "value": 2030, "rounding": None, "tolerance": None, "low": None,
         "high": None, "reported_date": None, "as_of": pd.Timestamp("2022-01-07"), "source_id": "s1"},
        {"check_id": "dep-18-c2", "claim_id": "dep-18", "measures": "related", "standing": "record",
         "precision": "exact", "value": 3600, "rounding": None, "tolerance": None, "low": None,
         "high": None, "reported_date": None, "as_of": pd.Timestamp("2022-01-07"), "source_id": "s1"}])
    compared = claims.comparison_rows(claim_rows, checks, sources_frame())
    assert compared.loc[0, "ratio"] == 0.564  # 2030 / 3600 = 0.5638…, to three significant digits
    # "about 3,600" allows ± 10 %: 0.9 to 1.1 of the stated figure
    assert compared.loc[0, ["window_low", "window_high"]].tolist() == pytest.approx([0.9, 1.1])
    assert compared["role"].tolist() == ["weighed", "related"]
    spec = charts.claims_compared(compared).to_dict()
    point = [layer for layer in layers(spec) if mark_type(layer) == "point"][0]
    assert point["encoding"]["x"]["scale"]["type"] == "log"
    bar = [layer for layer in layers(spec) if mark_type(layer) == "bar"][0]
    assert bar["encoding"]["x2"]["field"] == "window_high"


def test_every_chart_renders_offline_to_vega_and_svg():
    first = analysis.first_seen(spread_frame())
    chart = charts.spread_map(first, charts.kazakhstan_outline(), D("2022-01-01"), D("2022-01-19"))
    bundle = render.chart_bundle(chart)
    assert bundle[render.VEGA_MIMETYPE]["$schema"].endswith("/vega/v5.json")
    assert "cdn" not in str(bundle[render.VEGA_MIMETYPE])
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and "Where unrest was reported" in svg and "Zhanaozen" in svg


def test_md_escape_neutralises_markup():
    text = render.md_escape('<script>alert(1)</script> [x](javascript:alert(1)) *bold*')
    assert "<script>" not in text and "](" not in text and "*bold*" not in text


def test_people_timeline_numbers_events_only_on_short_axes():
    events = analysis.marked_events(events_frame(), sources_frame())
    january = people_frame().iloc[[0, 2, 3, 4]]  # 5 to 17 January
    short = analysis.people_actions(january, sources_frame(), D("2022-01-31"), [])
    long = analysis.people_actions(people_frame(), sources_frame(), D("2023-12-31"), [])
    short_kinds = [mark_type(layer) for layer in layers(charts.people_timeline(short, events).to_dict())]
    long_kinds = [mark_type(layer) for layer in layers(charts.people_timeline(long, events).to_dict())]
    assert short_kinds == ["rule", "text", "point", "text"]  # rules, numbers, marks, key
    assert long_kinds == ["rule", "point"]


def test_a_bare_chart_in_a_cell_renders_offline_through_the_altair_renderer():
    import altair as alt

    render.enable()
    layered = alt.layer(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q"),
                        alt.Chart(pd.DataFrame({"x": [1.5]})).mark_rule().encode(x="x:Q"))
    bundle = layered._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(data) == {render.VEGA_MIMETYPE, "image/svg+xml", "text/plain"}
    assert data["image/svg+xml"].startswith("<svg")


def test_a_rows_source_id_list_reaches_the_spec_as_one_string_and_reads_back():
    """charts' data transformer writes each list of source ids as one string (Altair walks every
    item of a list); citations.ids_in reads either form back."""
    from kzunrest.citations import ids_in

    frame = pd.DataFrame({"x": [1, 2, 3], "source_ids": [["akorda-1", "rfe-2"], [], "kloop-3"]})
    spec = alt.Chart(frame).mark_point().encode(x="x:Q").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [row["source_ids"] for row in rows] == ["akorda-1 rfe-2", "", "kloop-3"]
    assert [ids_in(row["source_ids"]) for row in rows] == [["akorda-1", "rfe-2"], [], ["kloop-3"]]
    assert ids_in(["akorda-1", "", "rfe-2"]) == ["akorda-1", "rfe-2"] and ids_in(None) == []


def test_long_axis_labels_are_cut_after_a_whole_word():
    """The claims chart cuts its labels by characters at a word boundary: never inside a name."""
    import re

    import vl_convert

    long = "jun-23 · Consistent: Number of Junisbai's earlier PONARS memo cited in footnote 1"
    spec = alt.Chart(pd.DataFrame({"label": [long, "short label"], "x": [1, 2]})).mark_point().encode(
        x="x:Q", y=alt.Y("label:N", axis=alt.Axis(labelLimit=0, labelExpr=charts._whole_words(
            "datum.label", charts.CLAIM_LABEL_CHARACTERS)))).to_dict()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", vl_convert.vegalite_to_svg(spec))
    assert "jun-23 · Consistent: Number of Junisbai&#39;s earlier…" in texts or \
        "jun-23 · Consistent: Number of Junisbai's earlier…" in texts
    assert "short label" in texts


@pytest.mark.parametrize("lang, low, high, figure", [("en", "From", "To", "Figure"),
                                                      ("ru", "От", "До", "Число"),
                                                      ("kk", "Ең азы", "Ең көбі", "Сан")])
def test_a_toll_range_is_labelled_as_numbers_not_dates(lang, low, high, figure):
    """English 'From', 'To' and 'Figure' name dates, illustrations and numbers alike; the tolls'
    tooltips (and the appendix columns made from them) say numbers in every language."""
    tolls = analysis.tolls_for_chart(tolls_frame(), pd.DataFrame(
        {"source_id": ["s1"], "publisher": ["Reuters"], "date_published": [pd.NaT]}), "all")
    with in_language(lang):
        spec = charts.tolls_compared(tolls).to_dict()
    titles = [t["title"] for layer in layers(spec) for t in layer["encoding"].get("tooltip", [])]
    assert {low, high, figure} <= set(titles), titles
