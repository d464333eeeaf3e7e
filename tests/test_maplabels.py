"""Map labels: the projection as Vega draws it, the place each label takes, and the real cities'
labels apart from each other in every language (by the width estimate; tests/browser.py checks
the drawn labels)."""

from __future__ import annotations

import math
import re

import altair as alt
import pandas as pd
import pytest
import vl_convert

from conftest import DATA, in_language
from kzunrest import analysis, charts, data, i18n, maplabels
from kzunrest.maplabels import Dot

WIDTH, HEIGHT, FONT = 560, 330, 10


def projection() -> dict:
    return charts._projection(charts.kazakhstan_outline(), WIDTH, HEIGHT)


def test_mercator_puts_points_where_vega_draws_them():
    """Almaty, Aktau and Petropavl drawn by Vega (vl-convert) under the map's projection land on
    the pixels the labels are placed by, and the inverse gives the coordinates back."""
    places = pd.DataFrame({"lon": [76.95, 51.17, 69.15], "lat": [43.25, 43.65, 54.87]})
    spec = (alt.Chart(places).mark_point(shape="circle")
            .encode(longitude="lon:Q", latitude="lat:Q").project(**projection())
            .properties(width=WIDTH, height=HEIGHT, padding=0, autosize="none")).to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    drawn = [tuple(map(float, m)) for m in re.findall(r'translate\(([-\d.]+),([-\d.]+)\)"[^>]*d="M',
                                                        svg)]
    forward, inverse = maplabels.mercator(projection())
    wanted = [forward(lon, lat) for lon, lat in zip(places["lon"], places["lat"])]
    assert len(drawn) == 3
    for (x, y), (vx, vy) in zip(wanted, drawn):
        assert x == pytest.approx(vx, abs=0.05) and y == pytest.approx(vy, abs=0.05)
    for lon, lat in zip(places["lon"], places["lat"]):
        assert inverse(*forward(lon, lat)) == pytest.approx((lon, lat), abs=1e-9)


def test_a_lone_city_is_named_to_the_right_of_its_dot():
    (label,) = maplabels.place_labels([Dot(200, 150, 5, "Shu")], WIDTH, HEIGHT, FONT)
    assert label.place == "right"
    assert (label.x, label.y) == (200 + 5 + maplabels.GAP, 150)
    assert label.box.left == label.x and label.box.top < 150 < label.box.bottom


def test_two_cities_side_by_side_are_named_outwards():
    """As Uralsk and Aksay: the west one's name to its left, the east one's to its right."""
    west, east = Dot(100, 100, 7, "Uralsk"), Dot(128, 102, 7, "Aksay")
    first, second = maplabels.place_labels([west, east], WIDTH, HEIGHT, FONT)
    assert (first.place, second.place) == ("left", "right")
    assert first.box.overlap(second.box) == 0


def test_a_city_at_the_edge_is_named_inwards():
    right_edge, top_edge = Dot(WIDTH - 6, 150, 4, "Ust-Kamenogorsk"), Dot(300, 3, 3, "Petropavl")
    labels = maplabels.place_labels([right_edge, top_edge], WIDTH, HEIGHT, FONT)
    assert labels[0].place == "left"
    # 3 px from the top, a name beside the dot would stick out: it goes below.
    assert labels[1].place == "below"
    assert all(label.box.outside(WIDTH, HEIGHT) == 0 for label in labels)


def test_a_crowd_gets_every_name_with_the_least_overlap():
    """Nine dots closer than a name is long: each still gets a name, and each takes the place
    that overlaps least (never a worse one than its first choice)."""
    crowd = [Dot(200 + 6 * (i % 3), 150 + 6 * (i // 3), 3, f"City {i}") for i in range(9)]
    labels = maplabels.place_labels(crowd, WIDTH, HEIGHT, FONT)
    assert len(labels) == 9 and len({(l.x, l.y) for l in labels}) == 9
    assert {l.place for l in labels} <= {name for name, *_ in maplabels.PLACES}


def test_box_overlap_and_outside_at_their_boundaries():
    box = maplabels.Box(0, 0, 10, 10)
    assert box.overlap(maplabels.Box(10, 0, 20, 10)) == 0  # touching edges share nothing
    assert box.overlap(maplabels.Box(9, 9, 20, 20)) == 1
    assert box.outside(10, 10) == 0 and maplabels.Box(-2, 0, 8, 10).outside(10, 10) == 20


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_reports_cities_are_named_apart_in_every_language(lang):
    """The map of chapter 1 with the real data: no name over another name or another city's dot,
    none off the map, by the estimate of each name's width in its language."""
    with in_language(lang):
        frame = data.load(DATA, tables=["protest_spread"]).protest_spread
        first = analysis.first_seen(analysis.filter_spread(
            frame, pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-19"), []))
        spec = charts.spread_map(first, charts.kazakhstan_outline(), pd.Timestamp("2022-01-01"),
                                 pd.Timestamp("2022-01-19"), charts.regions_2022()).to_dict()
    cities = next(rows for rows in spec["datasets"].values() if rows and "label_place" in rows[0])
    forward, _ = maplabels.mercator(projection())
    high = max(row["n_days"] for row in cities)
    dots = [Dot(*forward(row["longitude"], row["latitude"]),
                math.sqrt((50 + (row["n_days"] - 1) / (high - 1) * 370) / math.pi),  # size scale
                row["city"]) for row in cities]
    places = {place[0]: place for place in maplabels.PLACES}
    labels = [maplabels.label_at(dot, places[row["label_place"]], FONT)
              for dot, row in zip(dots, cities)]
    assert len(labels) > 15
    for label, row in zip(labels, cities):  # the text is drawn at the anchor of its place
        assert forward(row["label_longitude"], row["label_latitude"]) == pytest.approx(
            (label.x, label.y), abs=0.01)
    for i, label in enumerate(labels):
        assert label.box.outside(WIDTH, HEIGHT) == 0, cities[i]["city"]
        for j, other in enumerate(labels):
            if j != i:
                assert label.box.overlap(other.box) == 0, (cities[i]["city"], cities[j]["city"])
                assert label.box.overlap(maplabels._square(dots[j])) == 0, (cities[i]["city"],
                                                                            cities[j]["city"])
