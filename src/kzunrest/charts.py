"""Chart builders: pure functions, DataFrames in, Altair charts out.

They take the typed frames of :mod:`kzunrest.data` (or aggregates of them from
:mod:`kzunrest.analysis`) and never read files, so each can be tested on a small frame.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import altair as alt
import pandas as pd
from altair.vegalite.data import default_data_transformer

from . import i18n, maplabels, vocabulary
from .citations import ids_text
from .i18n import _

FONT = "DejaVu Sans"
WIDTH = 620
CLAIM_LABEL_CHARACTERS = 56  # about 360 px of 11 px DejaVu Sans

def theme() -> dict:
    # A chart is one image, named by its title and described by sentences from its data
    # (render.figure), in the reader's language: its parts stay out of the accessibility tree
    # (aria: false). Vega would label each mark with its tooltip fields, raw ("From: null",
    # "Sources: undefined"), and each axis, legend and title in English ("X-axis titled …"); the
    # PDF turned those into about 1,500 alternative texts of their own.
    return {"config": {
        "font": FONT,
        "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "offset": 10,
                  "aria": False},
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridColor": "#e6e6e6",
                 "aria": False},
        "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom",
                   "direction": "horizontal", "columns": 3, "labelLimit": 260, "aria": False},
        "view": {"stroke": None},
        "mark": {"aria": False},
    }}


alt.theme.register("kzunrest", enable=True)(theme)


def _whole_words(field: str, characters: int) -> str:
    """A Vega expression: ``field`` cut after its last whole word within ``characters``, with an
    ellipsis (unchanged when it fits)."""
    return (f"length({field}) > {characters} ? replace(slice({field}, 0, {characters}), "
            f"regexp('\\\\s+\\\\S*$'), '') + '…' : {field}")


def _data_transformer(data, max_rows: int = 5000):
    """Altair's own data transformer, after writing a row's list of source ids as one string
    (citations.ids_in reads both): Altair walks every item of a list in a chart's data, and a
    region-day of the million-row benchmark cites 1,400 sources (measured: the day-by-day maps
    took 5.7 s to build, 1.4 s with strings)."""
    if isinstance(data, pd.DataFrame) and "source_ids" in data:
        data = data.assign(source_ids=data["source_ids"].map(
            lambda ids: ids_text(ids) if isinstance(ids, list) else ids))
    return default_data_transformer(data, max_rows=max_rows)


alt.data_transformers.register("kzunrest", _data_transformer)
alt.data_transformers.enable("kzunrest")


def _source_tooltips(source_title: str | None = None) -> list[alt.Tooltip]:
    """Where a mark comes from: the source, where in it, and the words as printed there."""
    return [alt.Tooltip("source:N", title=source_title or _("Source")),
            alt.Tooltip("locator:N", title=_("Where in the source")),
            alt.Tooltip("printed:N", title=_("As printed"))]


def lines(subtitle: str | list[str]) -> list[str]:
    """A subtitle as lines: a translation may break a long line with "\\n" (Vega does not)."""
    return [line for text in ([subtitle] if isinstance(subtitle, str) else subtitle)
            for line in text.split("\n")]


def _dates(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Dates as ISO strings: Vega parses them as UTC days and the specs stay small."""
    out = frame.copy()
    out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


# ---------------------------------------------------------------------------------------------
# Protest spread


def kazakhstan_outline() -> dict:
    text = resources.files("kzunrest").joinpath("geo/kazakhstan.geojson").read_text("utf-8")
    return json.loads(text)


OUTLINE = "kazakhstan_outline"  # name of the outline's dataset in every map spec
REGIONS_DATA = "regions_2022"    # name of the regions' dataset in every map spec


def regions_2022() -> dict:
    """The regions as they stood in January 2022 (see ``kzunrest.geography``)."""
    from .geography import regions

    return regions()


def _projection(outline: dict, width: int, height: int) -> dict:
    """A Mercator projection fitting the outline, computed here so the geometry is not copied into
    every panel's projection (Vega-Lite's ``fit`` would embed it once per panel)."""
    points = [p for feature in outline["features"]
              for polygon in feature["geometry"]["coordinates"] for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    merc = maplabels.mercator_y
    span_x = math.radians(max(lons) - min(lons))
    span_y = merc(max(lats)) - merc(min(lats))
    scale = min(width / span_x, height / span_y) * 0.97
    centre_y = math.degrees(2 * math.atan(math.exp((merc(max(lats)) + merc(min(lats))) / 2)) - math.pi / 2)
    return {"type": "mercator", "scale": round(scale, 3),
            "center": [round((max(lons) + min(lons)) / 2, 4), round(centre_y, 4)],
            "translate": [width / 2, height / 2]}


def _outline_layer(outline: dict, width: int, height: int) -> alt.Chart:
    return (alt.Chart(alt.NamedData(name=OUTLINE))
            .mark_geoshape(fill="#f2efe9", stroke="#9a9a9a", strokeWidth=0.8)
            .project(**_projection(outline, width, height))
            .properties(width=width, height=height))


def _with_outline(chart, outline: dict | None = None, regions: dict | None = None):
    """Attach the geometry the layers draw once, as named datasets all panels refer to."""
    datasets = {}
    if outline is not None:
        datasets[OUTLINE] = outline["features"]
    if regions is not None:
        datasets[REGIONS_DATA] = regions["features"]
    return chart.properties(datasets=datasets)


def _first_days(first_seen: pd.DataFrame) -> list[str]:
    return [i18n.date(d, "short") for d in sorted(first_seen["first_date"].unique())]


SIZE_RANGE = [50, 420]  # a city's dot, in square pixels, from one day with reports to the most
LABEL_FONT_SIZE = 10


def _with_label_places(data: pd.DataFrame, projection: dict, width: int, height: int,
                       size_domain: list[int], size_range: list[int]) -> pd.DataFrame:
    """The cities with where their names go (see kzunrest.maplabels): label_place and the
    label's anchor as label_longitude and label_latitude."""
    forward, inverse = maplabels.mercator(projection)
    low, high = size_domain

    def radius(days: int) -> float:  # the size scale: area linear in days with reports
        area = size_range[0] + (days - low) / (high - low) * (size_range[1] - size_range[0])
        return math.sqrt(area / math.pi)

    dots = [maplabels.Dot(*forward(lon, lat), radius(days), str(city))
            for lon, lat, days, city in zip(data["longitude"], data["latitude"], data["n_days"],
                                            data["city"])]
    labels = maplabels.place_labels(dots, width, height, LABEL_FONT_SIZE)
    anchors = [inverse(label.x, label.y) for label in labels]
    return data.assign(label_place=[label.place for label in labels],
                       label_longitude=[round(lon, 5) for lon, _ in anchors],
                       label_latitude=[round(lat, 5) for _, lat in anchors])


def spread_map(first_seen: pd.DataFrame, outline: dict, start: pd.Timestamp,
               end: pd.Timestamp, regions: dict | None = None) -> alt.LayerChart:
    """Every city with reported unrest, coloured by the day it was first reported.

    ``first_seen``: one row per city with city, region, latitude, longitude, first_date, n_days
    (days with reports) and worst (most serious activity reported there in the window).
    """
    data = first_seen.assign(first_day=[i18n.date(d, "short") for d in first_seen["first_date"]])
    data = _dates(data, "first_date")
    days = _first_days(first_seen)
    width, height = 560, 330
    size_domain = [1, max(2, int(data["n_days"].max()))]
    projection = _projection(outline, width, height)
    data = _with_label_places(data, projection, width, height, size_domain, SIZE_RANGE)
    points = (alt.Chart(data)
              .mark_circle(stroke="#333333", strokeWidth=0.6, opacity=0.9)
              .encode(longitude="longitude:Q", latitude="latitude:Q",
                      color=alt.Color("first_day:O", title=_("First reported"), sort=days,
                                      # Earliest days darkest: the spread reads outward.
                                      scale=alt.Scale(scheme="yelloworangered", reverse=True,
                                                      domain=days),
                                      legend=alt.Legend(orient="right", direction="vertical")),
                      size=alt.Size("n_days:Q", title=_("Days with reports"),
                                    scale=alt.Scale(domain=size_domain, range=SIZE_RANGE),
                                    legend=alt.Legend(orient="right", direction="vertical",
                                                      values=sorted({1, int(data["n_days"].max())}))),
                      tooltip=[alt.Tooltip("city:N", title=_("City")),
                               alt.Tooltip("region:N", title=_("Region")),
                               alt.Tooltip("first_date:T", title=_("First reported"), format="%d %B %Y"),
                               alt.Tooltip("n_days:Q", title=_("Days with reports")),
                               alt.Tooltip("worst:N", title=_("Most serious activity")),
                               # Filled in by the report with the sources' numbers.
                               *_source_tooltips(_("Sources of the first report"))]))
    used_places = set(data["label_place"])
    labels = [alt.Chart(data).transform_filter(alt.datum.label_place == place)
              .mark_text(align=align, baseline=baseline, fontSize=LABEL_FONT_SIZE, color="#333333")
              .encode(longitude="label_longitude:Q", latitude="label_latitude:Q", text="city:N")
              .project(**projection)
              for place, (align, baseline) in maplabels.ALIGN.items() if place in used_places]
    base = (_outline_layer(outline, width, height) if regions is None
            else region_shapes(regions, None, projection, width, height))
    chart = alt.layer(base, points.project(**projection), *labels)
    return _with_outline(chart, outline if regions is None else None, regions).properties(
        title=alt.Title(_("Where unrest was reported, by the day it was first reported"),
                        subtitle=_("Cities and towns, {start} – {end}").format(
                            start=i18n.date(start, "day_month"), end=i18n.date(end))))


# Shades for the most serious activity reported in a region that day (ordinal, light to dark).
SEVERITY_COLOURS = ["#f2efe9", "#fde0a1", "#fdae61", "#f46d43", "#d73027", "#7f0000"]


def region_shapes(regions: dict, days: pd.DataFrame | None, projection: dict, width: int,
                  height: int) -> alt.Chart:
    """The regions of January 2022, shaded by that day's most serious activity when ``days``
    (one day's rows of ``analysis.region_days``) is given, else plain with their borders."""
    base = alt.Chart(alt.NamedData(name=REGIONS_DATA))
    if days is None:
        return (base.mark_geoshape(fill="#f2efe9", stroke="#b5b5b5", strokeWidth=0.5)
                .project(**projection).properties(width=width, height=height))
    levels = [vocabulary.label("map_shading", "no_report"), *vocabulary.labels("activity").values()]
    # The day rides along (unused by the marks) so the figure's data table says which panel a row
    # shades.
    fields = ["activity_label", "region_label"] if "region_label" in days else ["activity_label"]
    columns = ["region", *fields, *(["source_ids"] if "source_ids" in days else [])]
    shown = _dates(days[["day", *columns]], "day") if "day" in days else days[columns]
    # "source" (the sources with their numbers) is written into the rows by the report.
    lookup = alt.LookupData(shown, "region", [*fields, "source"])
    return (base.transform_lookup(lookup="properties.region", from_=lookup)
            .mark_geoshape(stroke="#8c8c8c", strokeWidth=0.4)
            .encode(color=alt.Color("activity_label:N", title=_("Most serious report in the region"),
                                    scale=alt.Scale(domain=levels, range=SEVERITY_COLOURS),
                                    legend=alt.Legend(orient="bottom", columns=3, titleLimit=300)),
                    tooltip=[alt.Tooltip("region_label:N" if "region_label" in days
                                         else "properties.region:N", title=_("Region")),
                             alt.Tooltip("activity_label:N", title=_("Most serious report")),
                             alt.Tooltip("source:N", title=_("Sources"))])
            .project(**projection).properties(width=width, height=height))


def spread_small_multiples(daily: pd.DataFrame, region_days: pd.DataFrame, outline: dict,
                           regions: dict, columns: int = 4) -> alt.ConcatChart:
    """One small map per day: regions shaded by the most serious activity reported there that
    day, cities reported that day (dark dots) and earlier (grey dots).

    ``daily``: one row per day and city ever reported up to that day: day, city, latitude,
    longitude, status ('reported this day' / 'reported earlier'). ``region_days``: see
    ``analysis.region_days``.
    """
    width, height = 150, 92
    projection = _projection(outline, width, height)
    panels = []
    for day, frame in daily.groupby("day", sort=True):
        points = (alt.Chart(_dates(frame, "day"))
                  .mark_circle(size=22, opacity=0.95, stroke="white", strokeWidth=0.4)
                  .encode(longitude="longitude:Q", latitude="latitude:Q",
                          fill=alt.Fill("status:N", title=_("Cities"),
                                        scale=alt.Scale(domain=[_("reported this day"), _("reported earlier")],
                                                        range=["#1a1a1a", "#9e9e9e"]),
                                        legend=alt.Legend(orient="bottom")),
                          order=alt.Order("status:N", sort="descending"),  # this day's on top
                          tooltip=[alt.Tooltip("city:N", title=_("City")),
                                   alt.Tooltip("status:N", title=_("Status")),
                                   alt.Tooltip("day:T", title=_("Day"), format="%d %B %Y"),
                                   alt.Tooltip("source:N", title=_("Sources"))])
                  .project(**projection))
        shades = region_shapes(regions, region_days[region_days["day"] == day], projection,
                               width, height)
        count = int((frame["status"] == _("reported this day")).sum())
        label = i18n.np_("small map title", "{day}: {n} city", "{day}: {n} cities", count).format(
            day=i18n.date(day, "short"), n=i18n.number(count))
        panels.append(alt.layer(shades, points).properties(title=alt.Title(label, fontSize=11)))
    chart = alt.concat(*panels, columns=columns, spacing=8)
    return _with_outline(chart, regions=regions).properties(
        title=alt.Title(_("Day by day: regions and cities with reported unrest"),
                        subtitle=[_("Regions as of January 2022, shaded by the most serious activity a "
                                    "source reports there that day"),
                                  _("dark dots: cities reported that day, grey: on an earlier day")]))


def _event_layers(events: pd.DataFrame, shutdown: pd.DataFrame | None, numbered: bool = True):
    """Reference rules for key events, each with its number at the top (unless ``numbered`` is
    false: on a years-long axis the numbers of January's events would pile up), and a shaded
    span for the internet shutdown. ``events``: date, number, label, source."""
    layers = []
    if shutdown is not None and not shutdown.empty:
        span = shutdown.assign(start=shutdown["start"].dt.strftime("%Y-%m-%d"),
                               end=shutdown["end"].dt.strftime("%Y-%m-%d"))
        layers.append(alt.Chart(span).mark_rect(color="#5b8def", opacity=0.13)
                      .encode(x="start:T", x2="end:T",
                              tooltip=[alt.Tooltip("label:N", title=_("Span")),
                                       alt.Tooltip("start:T", title=i18n.p_("a date", "From"),
                                                   format="%d %b"),
                                       alt.Tooltip("end:T", title=_("Until"), format="%d %b")]))
    if not events.empty:
        marks = _dates(events, "date")
        tooltip = [alt.Tooltip("number:N", title=_("Key event")),
                   alt.Tooltip("date:T", title=_("Date"), format="%d %B %Y"),
                   alt.Tooltip("label:N", title=_("Event")), *_source_tooltips()]
        layers.append(alt.Chart(marks).mark_rule(color="#555555", strokeDash=[3, 3])
                      .encode(x="date:T", tooltip=tooltip))
        if not numbered:
            return layers
        # Events sharing a day stack their numbers downwards from the top edge.
        layers.append(alt.Chart(marks).mark_text(fontSize=10, fontWeight="bold", color="#a93226")
                      .encode(x="date:T", y=alt.value(0), yOffset=alt.YOffset("stack:Q", scale=None),
                              text="number:N", tooltip=tooltip)
                      .transform_calculate(stack="6 + 12 * datum.slot"))
    return layers


def event_key(events: pd.DataFrame, width: int = WIDTH) -> alt.Chart:
    """The numbered list of key events shown under a chart with :func:`_event_layers`."""
    rows = _dates(events, "date").assign(
        line=[f"{n}.  {i18n.date(d, 'short')} — {label}" for n, d, label in
              zip(events["number"], events["date"], events["label"])])
    rows["row"] = range(len(rows))
    return (alt.Chart(rows).mark_text(align="left", baseline="top", fontSize=10, color="#333333",
                                      limit=width - 10)
            .encode(y=alt.Y("row:O", axis=None), x=alt.value(0), text="line:N",
                    tooltip=[alt.Tooltip("label:N", title=_("Event")),
                             alt.Tooltip("source:N", title=_("Source"))])
            .properties(width=width, height=alt.Step(14),
                        title=alt.Title(_("Key events"), fontSize=12)))


def places_per_day(counts: pd.DataFrame, events: pd.DataFrame,
                 shutdown: pd.DataFrame | None = None) -> alt.LayerChart:
    """Cities and regions with reported unrest, per day and cumulative, with key events.

    ``counts``: long frame with day, measure ('Cities' / 'Regions'), kind ('That day' /
    'Cumulative') and value. ``events``: date, label, short, source.
    """
    data = _dates(counts, "day")
    top = math.ceil(max(1, counts["value"].max()) * 1.3)  # headroom for the event numbers
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title=_("Date (January 2022)"), axis=alt.Axis(format="%-d %b", tickCount="day", labelAngle=-45)),
        y=alt.Y("value:Q", title=_("Number with reported unrest"), scale=alt.Scale(domain=[0, top])),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(range=["#c0392b", "#2c3e50"])),
        strokeDash=alt.StrokeDash("kind:N", title=None,
                                  scale=alt.Scale(domain=[_("That day"), _("Cumulative")],
                                                  range=[[1, 0], [5, 3]]),
                                  legend=None),  # the subtitle explains solid and dashed
        tooltip=[alt.Tooltip("day:T", title=_("Date"), format="%d %B %Y"),
                 alt.Tooltip("measure:N", title=_("Counting")), alt.Tooltip("kind:N", title=_("Per")),
                 alt.Tooltip("value:Q", title=_("Number"))])
    lines = base.mark_line(point=True, strokeWidth=2)
    chart = alt.layer(*_event_layers(events, shutdown), lines).properties(width=WIDTH, height=300)
    parts = [chart, event_key(events)] if not events.empty else [chart]
    return (alt.vconcat(*parts, spacing=14)
            .properties(title=alt.Title(_("Cities and regions with reported unrest, by day"),
                                        subtitle=[_("Solid: that day; dashed: cumulative"),
                                                  _("Numbered rules: key events (listed below); blue "
                                                    "band: internet shutdown")])))


# ---------------------------------------------------------------------------------------------
# Arrests and dismissals


def people_timeline(actions: pd.DataFrame, events: pd.DataFrame) -> alt.LayerChart:
    """One row per person, ordered by first action; a mark per action coloured by kind.

    ``actions``: person, label (person and affiliation for the axis), order (rank by affiliation
    then first action), affiliation_label, role, action_label, date, detail, source.
    """
    data = _dates(actions, "date")
    order = list(actions.sort_values("order")["label"].drop_duplicates())
    data["link"] = data["linked"].map({True: _("linked to January 2022"),
                                       False: _("not linked by its source")})
    marks = (alt.Chart(data).mark_point(size=90, opacity=0.9, strokeWidth=1.5)
             .encode(x=alt.X("date:T", title=_("Date of the action"),
                             axis=alt.Axis(format="%-d %b %Y", labelAngle=-45)),
                     y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
                     color=alt.Color("action_label:N", title=_("Action"),
                                     scale=alt.Scale(scheme="tableau10")),
                     shape=alt.Shape("action_label:N", title=_("Action")),
                     fill=alt.condition(alt.datum.linked, "action_label:N", alt.value("white")),
                     tooltip=[alt.Tooltip("person:N", title=_("Person")),
                              alt.Tooltip("role:N", title=_("Role at the time")),
                              alt.Tooltip("affiliation_label:N", title=_("Affiliation")),
                              alt.Tooltip("action_label:N", title=_("Action")),
                              alt.Tooltip("date:T", title=_("Date"), format="%d %B %Y"),
                              alt.Tooltip("detail:N", title=_("Detail")),
                              alt.Tooltip("link:N", title=_("January 2022")),
                              *_source_tooltips()]))
    height = max(160, 22 * len(order))
    span = (actions["date"].max() - actions["date"].min()).days if len(actions) else 0
    numbered = span <= 120  # numbers stay legible only on an axis of a few months
    chart = alt.layer(*_event_layers(events, None, numbered), marks).properties(
        width=WIDTH - 180, height=height)
    parts = [chart, event_key(events, WIDTH)] if numbered and not events.empty else [chart]
    rules = (_("Numbered rules: key events (listed below)") if numbered
             else _("Dotted rules: the key events of January 2022 (chapter 1 lists them)"))
    return (alt.vconcat(*parts, spacing=14)
            .properties(title=alt.Title(_("Who was dismissed, detained, charged and sentenced, and when"),
                                        subtitle=[_("One row per person, grouped by affiliation and "
                                                    "ordered by first action"), rules,
                                                  _("Hollow marks: the source does not link the action "
                                                    "to the January 2022 events")])))


# ---------------------------------------------------------------------------------------------
# Mass detentions


def detentions_over_time(counts: pd.DataFrame) -> alt.LayerChart:
    """Each reported count on the day it was stated, one colour per measure, on a log scale;
    filled marks are official figures, hollow ones independent; lines join official figures.

    ``counts`` (see ``analysis.detention_counts``): as_of, point, figure, measure_label,
    standing, reported_by, scope, source, locator, printed.
    """
    data = _dates(counts, "as_of")
    measures = list(dict.fromkeys(counts.sort_values("measure")["measure_label"]))
    color = alt.Color("measure_label:N", title=_("What is counted"), sort=measures,
                      scale=alt.Scale(scheme="dark2"), legend=alt.Legend(orient="right", columns=1))
    x = alt.X("as_of:T", title=_("Date the figure was stated"),
              axis=alt.Axis(format="%-d %b %Y", labelAngle=-45))
    y = alt.Y("point:Q", title=_("Reported figure (log scale)"), scale=alt.Scale(type="log"),
              axis=alt.Axis(format="~s"))
    base = alt.Chart(data).encode(x=x, y=y, color=color)
    official = alt.datum.standing == "official"
    # One line per measure through the national official figures (regional counts stand apart).
    lines = (base.transform_filter(official & (alt.datum.scope == "national"))
             .mark_line(strokeWidth=1, opacity=0.5))
    points = base.mark_point(size=80, strokeWidth=2).encode(
        fill=alt.condition(official, alt.Fill("measure_label:N", sort=measures, legend=None),
                           alt.value("white")),
        shape=alt.Shape("standing:N", legend=None,
                        scale=alt.Scale(domain=["official", "independent"],
                                        range=["circle", "diamond"])),
        tooltip=[alt.Tooltip("measure_label:N", title=_("Counted")),
                 alt.Tooltip("figure:N", title=i18n.p_("a number", "Figure")),
                 alt.Tooltip("scope_label:N", title=_("Scope")),
                 alt.Tooltip("as_of:T", title=_("Stated on"), format="%d %B %Y"),
                 alt.Tooltip("reported_by:N", title=_("Stated by")),
                 alt.Tooltip("standing_label:N", title=_("Official or independent")),
                 *_source_tooltips()])
    return (alt.layer(lines, points)
            .properties(width=WIDTH - 200, height=300,
                        title=alt.Title(_("Detentions, arrests, charges and sentences as reported"),
                                        subtitle=[_("Each mark is one figure on the day it was stated"),
                                                  _("Filled circles: official, hollow diamonds: "
                                                    "independent"),
                                                  _("Lines join the national official figures of each measure")])))


# ---------------------------------------------------------------------------------------------
# Death tolls


def tolls_compared(tolls: pd.DataFrame) -> alt.LayerChart:
    """Every reported figure per event and category: dots for single figures, bars for ranges.

    ``tolls``: event_label, category_label, value, low, high, reported_by, reporter_kind, as_of,
    official_label, source.
    """
    data = _dates(tolls, "as_of")
    data["point"] = data["value"].fillna((data["low"] + data["high"]) / 2).fillna(data["low"])
    # Every row gets a rule (zero-length for single figures) so no facet has an empty layer.
    data["from"] = data["low"].fillna(data["value"])
    data["to"] = data["high"].fillna(data["from"])
    y = alt.Y("category_label:N", title=None, sort=list(vocabulary.labels("toll_category").values()))
    tooltip = [alt.Tooltip("event_label:N", title=_("Event")),
               alt.Tooltip("category_label:N", title=_("Counting")),
               alt.Tooltip("value:Q", title=i18n.p_("a number", "Figure")),
               alt.Tooltip("low:Q", title=i18n.p_("a number", "From")),
               alt.Tooltip("high:Q", title=i18n.p_("a number", "To")),
               alt.Tooltip("reported_by:N", title=_("Reported by")),
               alt.Tooltip("as_of:T", title=_("As of"), format="%d %B %Y"),
               *_source_tooltips()]
    base = alt.Chart(data).encode(y=y)
    ranges = (base.mark_rule(strokeWidth=3, opacity=0.6)
              .encode(x="from:Q", x2="to:Q", color=alt.Color("official_label:N", title=_("Figure from")),
                      tooltip=tooltip))
    points = (base.mark_point(filled=True, size=70, opacity=0.85)
              .encode(x=alt.X("point:Q", title=_("Deaths reported")),
                      color=alt.Color("official_label:N", title=_("Figure from"),
                                      scale=alt.Scale(domain=[_("State body"), _("Others")],
                                                      range=["#c0392b", "#2c7fb8"])),
                      shape=alt.Shape("official_label:N", title=_("Figure from"),
                                      scale=alt.Scale(domain=[_("State body"), _("Others")],
                                                      range=["circle", "diamond"])),
                      tooltip=tooltip))
    return (alt.layer(ranges, points)
            .properties(width=WIDTH - 160, height=alt.Step(26))
            .facet(row=alt.Row("event_label:N", title=None,
                               sort=list(vocabulary.labels("toll_event").values()),
                               header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=12,
                                                 labelFontWeight="bold", labelOrient="top")))
            .resolve_scale(y="independent")
            .properties(title=alt.Title(_("Death tolls as reported, three events compared"),
                                        subtitle=_("Each mark is one reported figure; bars are reported ranges"))))


def official_toll_over_time(tolls: pd.DataFrame) -> alt.LayerChart:
    """How Kazakhstan's official toll changed: one line per category, a point per statement.

    ``tolls``: as_of, value, category_label, reported_by, source.
    """
    data = _dates(tolls, "as_of")
    base = alt.Chart(data).encode(
        x=alt.X("as_of:T", title=_("Date of the statement"), axis=alt.Axis(format="%-d %b %Y", labelAngle=-45)),
        y=alt.Y("value:Q", title=_("Deaths (official figure)")),
        color=alt.Color("category_label:N", title=_("Counting")),
        tooltip=[alt.Tooltip("as_of:T", title=_("As of"), format="%d %B %Y"),
                 alt.Tooltip("category_label:N", title=_("Counting")),
                 alt.Tooltip("value:Q", title=_("Deaths")),
                 alt.Tooltip("reported_by:N", title=_("Reported by")),
                 *_source_tooltips()])
    return (alt.layer(base.mark_line(interpolate="step-after", opacity=0.6),
                      base.mark_point(filled=True, size=70))
            .properties(width=WIDTH, height=260,
                        title=alt.Title(_("Kazakhstan's official death toll over time"),
                                        subtitle=_("Each point is a figure stated by a state body"))))


# ---------------------------------------------------------------------------------------------
# Claims ledger


def claims_compared(rows: pd.DataFrame) -> alt.LayerChart:
    """Other reports of each number claim, as a multiple of the article's figure (log scale).

    ``rows`` (see ``claims.comparison_rows``): label, article, reported, ratio, window_low,
    window_high, role, standing, source — one row per report. The grey bar is the claim's own
    window (what its words allow); a report inside the bar agrees with the claim.
    """
    order = list(rows.sort_values("label")["label"].drop_duplicates())
    lowest, highest = 0.05, 20.0
    windows = (rows.groupby("label", as_index=False)
               .agg(window_low=("window_low", "first"), window_high=("window_high", "first"),
                    article=("article", "first")))
    windows["window_low"] = windows["window_low"].fillna(lowest).clip(lower=lowest)
    windows["window_high"] = windows["window_high"].fillna(highest).clip(upper=highest)
    x_scale = alt.Scale(type="log", domain=[lowest, highest], clamp=True)
    # Long claim labels are cut after the last whole word within a character count, not by
    # labelLimit: the pixel limit makes the renderer measure each label again and again (1.3 of
    # the 1.6 s this chart took to draw as SVG for the PDF), and it cuts inside words (a name
    # left as "Junisb…"). The tooltip and the table keep the whole label.
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=0, labelExpr=_whole_words("datum.label", CLAIM_LABEL_CHARACTERS)))
    bars = (alt.Chart(windows).mark_bar(height=10, color="#d9d9d9")
            .encode(x=alt.X("window_low:Q", scale=x_scale), x2="window_high:Q", y=y,
                    tooltip=[alt.Tooltip("label:N", title=_("Claim")),
                             alt.Tooltip("article:N", title=_("Article says")),
                             alt.Tooltip("window_low:Q", title=_("Words allow from (× figure)"),
                                         format=".3g"),
                             alt.Tooltip("window_high:Q", title=_("Words allow up to (× figure)"),
                                         format=".3g")]))
    agree = alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(color="#333333", strokeWidth=1) \
        .encode(x="ratio:Q")
    roles = ["weighed", "not weighed", "related"]
    names = {"weighed": _("weighed"), "not weighed": _("not weighed"), "related": _("related")}
    # Weighed reports are drawn last, on top of the others.
    rows = rows.assign(role_label=rows["role"].map(names),
                       role_rank=rows["role"].map({"not weighed": 0, "related": 1, "weighed": 2}))
    points = (alt.Chart(rows).mark_point(size=70, opacity=0.9, filled=True)
              .encode(x=alt.X("ratio:Q", title=_("Other report ÷ the article's figure (1 = same figure)"),
                              scale=x_scale,
                              axis=alt.Axis(values=[0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20], format="~g")),
                      y=y,
                      color=alt.Color("role_label:N", title=_("Report"), scale=alt.Scale(
                          domain=[names[r] for r in roles], range=["#08519c", "#a6a6a6", "#e6550d"]),
                          legend=alt.Legend(orient="top")),
                      shape=alt.Shape("role_label:N", title=_("Report"), scale=alt.Scale(
                          domain=[names[r] for r in roles], range=["circle", "circle", "diamond"])),
                      order=alt.Order("role_rank:Q", sort="ascending"),
                      tooltip=[alt.Tooltip("label:N", title=_("Claim")),
                               alt.Tooltip("article:N", title=_("Article says")),
                               alt.Tooltip("reported:N", title=_("Other report")),
                               alt.Tooltip("standing:N", title=_("Standing")),
                               alt.Tooltip("role_label:N", title=_("In the verdict")),
                               alt.Tooltip("ratio:Q", title=_("Ratio"), format=".3~g"),
                               alt.Tooltip("source:N", title=_("Source"))]))
    return (alt.layer(bars, agree, points)
            .properties(width=WIDTH - 260, height=alt.Step(18),
                        title=alt.Title(_("The articles' numbers against other reports"),
                                        subtitle=_("Grey bar: what the article’s words allow; blue "
                                                   "dots are the reports the verdict weighs"))))



TICK = "M-0.12,-1L0.12,-1L0.12,1L-0.12,1Z"  # a vertical bar, as a point-mark shape


def toll_headline(marks: pd.DataFrame, spans: pd.DataFrame, words: dict[str, str], title: str,
                  subtitle: str | list[str]) -> alt.LayerChart:
    """One row per event: the latest official toll (large dot, its figure above it) on the span
    of independent figures (grey band, its ends below it), each independent figure a tick and
    each "at least N" a right-pointing triangle. Hover any mark for who gave it and where.

    ``marks`` and ``spans``: :func:`kzunrest.analysis.headline_marks` (marks: event_label, kind
    — 'official', 'independent' or 'bound' —, value, figure, reported_by, as_of, source, locator,
    printed; spans: event_label, low, high, bottom, top). ``words``: the legend's word for each
    kind, and ``axis`` for the x axis. Title and subtitle come from the chapter.
    """
    order = list(dict.fromkeys([*spans["event_label"], *marks["event_label"]]))
    data = _dates(marks.assign(kind_label=marks["kind"].map(words)), "as_of")
    y = alt.Y("event_label:N", sort=order, title=None,
              axis=alt.Axis(labelFontSize=12, labelFontWeight="bold", labelLimit=260, grid=False))
    top = max(1.0, float(pd.concat([marks["value"], spans["high"]]).max()))
    scale = alt.Scale(domain=[0, math.ceil(top * 1.08)])
    x = alt.X("value:Q", title=words["axis"], scale=scale)
    tooltip = [alt.Tooltip("event_label:N", title=_("Event")),
               alt.Tooltip("kind_label:N", title=_("Figure from")),
               alt.Tooltip("figure:N", title=_("Deaths")),
               alt.Tooltip("reported_by:N", title=_("Reported by")),
               alt.Tooltip("as_of:T", title=_("As of"), format="%d %B %Y"),
               *_source_tooltips()]
    band = (alt.Chart(spans).mark_rule(strokeWidth=14, color="#d5dde6", strokeCap="round")
            .encode(x=alt.X("low:Q", scale=scale, title=words["axis"]), x2="high:Q", y=y))
    ends = [alt.Chart(spans).mark_text(dy=17, fontSize=10, color="#44546a", align=align)
            .encode(x=alt.X(f"{field}:Q", scale=scale, title=words["axis"]), y=y, text=f"{text}:N")
            for field, text, align in (("low", "bottom", "right"), ("high", "top", "left"))]
    domain = [words[k] for k in ("official", "independent", "bound")]
    colour = alt.Color("kind_label:N", title=None,
                       scale=alt.Scale(domain=domain, range=["#c0392b", "#2c5d8a", "#2c5d8a"]))
    shape = alt.Shape("kind_label:N", title=None,
                      scale=alt.Scale(domain=domain, range=["circle", TICK, "triangle-right"]))
    base = alt.Chart(data).encode(x=x, y=y, color=colour, shape=shape, tooltip=tooltip)
    others = (base.transform_filter(alt.datum.kind != "official")
              .mark_point(size=150, strokeWidth=2, filled=True, opacity=0.9))
    official = (base.transform_filter(alt.datum.kind == "official")
                .mark_point(size=260, filled=True, opacity=1, stroke="white", strokeWidth=1.5))
    label = (alt.Chart(data).transform_filter(alt.datum.kind == "official")
             .mark_text(dy=-17, fontSize=12, fontWeight="bold", color="#c0392b")
             .encode(x=x, y=y, text="figure:N", tooltip=tooltip))
    return (alt.layer(band, *ends, others, official, label)
            .properties(width=WIDTH - 200, height=alt.Step(62),
                        title=alt.Title(title, subtitle=lines(subtitle))))


def people_timeline_with_january(actions: pd.DataFrame, events: pd.DataFrame,
                                 january_events: pd.DataFrame, start: pd.Timestamp,
                                 end: pd.Timestamp, title: str, subtitle: list[str],
                                 panels: tuple[str, str], widths: tuple[int, int] = (160, 290)
                                 ) -> alt.VConcatChart:
    """:func:`people_timeline` beside a panel of the same rows over the days ``start`` to
    ``end`` (January 2022), where the actions the multi-year axis squeezes into a few pixels
    stand apart, with the key events of those days numbered (``january_events``) and listed
    below. The marks are the multi-year chart's own (same encodings and tooltips), so the rows
    line up across the two panels.

    ``panels``: the two panels' titles; ``title``, ``subtitle``: the figure's (from the chapter).
    """
    whole = people_timeline(actions, events).vconcat[0]  # the multi-year layers, key events unnumbered
    marks = whole.layer[-1]
    order = list(actions.sort_values("order")["label"].drop_duplicates())
    # A step of room above the first row for the event numbers (both panels: the rows stay level).
    rows = alt.Scale(domain=order, padding=1)
    # Dates are ISO days, which Vega reads as UTC midnights: a UTC scale keeps every reader's
    # time zone from moving a mark (or an axis label) to the day before.
    first = alt.DateTime(year=start.year, month=start.month, date=start.day, utc=True)
    last = alt.DateTime(year=end.year, month=end.month, date=end.day, hours=23, minutes=59, utc=True)
    days = alt.X("date:T", title=None, scale=alt.Scale(type="utc", domain=[first, last]),
                 axis=alt.Axis(format="%-d", tickCount="day", labelAngle=0, labelFontSize=10))
    inside = alt.FieldRangePredicate(field="date", range=[first, last])
    january = marks.encode(x=days, y=alt.Y("label:N", sort=order, scale=rows, axis=None)) \
        .transform_filter(inside)
    height = whole.height
    left = whole.properties(width=widths[0], title=alt.Title(panels[0], fontSize=12))
    years = marks.encoding.x.copy()  # the multi-year axis, its ticks thinned to fit the narrower panel
    years.axis = alt.Axis(format="%b %Y", labelAngle=-45, tickCount={"interval": "month", "step": 6})
    left.layer[-1] = marks.encode(x=years, y=alt.Y("label:N", sort=order, scale=rows, title=None,
                                                    axis=alt.Axis(labelLimit=300)))
    # Event numbers drawn over the marks, so a number stacked low on a busy day stays legible.
    right = alt.layer(january, *_event_layers(january_events, None, True)).properties(
        width=widths[1], height=height, title=alt.Title(panels[1], fontSize=12))
    parts = [alt.hconcat(left, right, spacing=12).resolve_scale(x="independent")]
    if not january_events.empty:
        parts.append(event_key(january_events, WIDTH))
    return alt.vconcat(*parts, spacing=14).properties(title=alt.Title(title, subtitle=lines(subtitle)))
