"""Aggregates behind the charts and the narrative: pure functions on the typed frames."""

from __future__ import annotations

import pandas as pd

from . import i18n, vocabulary
from .citations import source_labels, source_names
from .errors import EmptySelection
from .i18n import _


def activity_order() -> list[str]:
    """The activities from least to most serious (the vocabulary's documented order)."""
    return vocabulary.values("activity")


# ---------------------------------------------------------------------------------------------
# Protest spread


def filter_spread(spread: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  regions: list[str] | None) -> pd.DataFrame:
    keep = spread["date"].between(start, end)
    if regions:
        keep &= spread["region"].isin(regions)
    return spread[keep]


def where_stated(rows: pd.DataFrame) -> dict[str, str]:
    """Where the sources of a mark's rows state it and the words they print, each distinct pair
    once, in source order ("; " between them): a mark drawn from several rows keeps them all."""
    pairs = (rows.sort_values("source_id").reindex(columns=["locator", "printed"]).astype("string")
             .fillna("").drop_duplicates())
    return {"locator": "; ".join(i18n.locator(text) if text else text for text in pairs["locator"]),
            "printed": "; ".join(p for p in pairs["printed"] if p)}


def first_seen(spread: pd.DataFrame) -> pd.DataFrame:
    """One row per city: first day reported, days with reports, most serious activity, and the
    sources of the first day with where they state it (locator, printed)."""
    rank = spread["activity"].map(activity_order().index)
    worst = spread.assign(rank=rank).sort_values("rank").groupby("city")["activity"].last()
    grouped = spread.groupby("city").agg(
        region=("region", "first"), latitude=("latitude", "first"), longitude=("longitude", "first"),
        first_date=("date", "min"), n_days=("date", "nunique"), n_reports=("source_id", "size"))
    grouped["worst"] = worst.map(vocabulary.labels("activity"))
    # The sources of the city's first reported day: where the mark's colour comes from.
    first_day = spread[spread["date"] == spread["city"].map(grouped["first_date"])]
    grouped["source_ids"] = first_day.groupby("city")["source_id"].agg(lambda s: sorted(set(s)))
    stated = {city: where_stated(rows) for city, rows in first_day.groupby("city")}
    for column in ("locator", "printed"):
        grouped[column] = [stated[city][column] for city in grouped.index]
    grouped = grouped.reset_index().sort_values(["first_date", "city"], ignore_index=True)
    return grouped.assign(city=grouped["city"].map(i18n.place),
                          region=grouped["region"].map(vocabulary.labels("region")))


def daily_counts(spread: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per day: cities and regions with reports that day, and cumulative since ``start``.

    Wide frame indexed by every day of the window (days without reports count zero).
    """
    days = pd.date_range(start, end, freq="D")
    per_day = spread.groupby("date").agg(cities=("city", "nunique"), regions=("region", "nunique"))
    per_day = per_day.reindex(days, fill_value=0)
    first_city = spread.groupby("city")["date"].min().value_counts()
    first_region = spread.groupby("region")["date"].min().value_counts()
    per_day["cities_cumulative"] = first_city.reindex(days, fill_value=0).cumsum()
    per_day["regions_cumulative"] = first_region.reindex(days, fill_value=0).cumsum()
    per_day.index.name = "day"
    return per_day.astype(int)


def daily_counts_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The chart's long form of :func:`daily_counts`."""
    names = {"cities": (_("Cities"), _("That day")), "regions": (_("Regions"), _("That day")),
             "cities_cumulative": (_("Cities"), _("Cumulative")),
             "regions_cumulative": (_("Regions"), _("Cumulative"))}
    long = wide.reset_index().melt(id_vars="day", var_name="series", value_name="value")
    long["measure"] = long["series"].map(lambda s: names[s][0])
    long["kind"] = long["series"].map(lambda s: names[s][1])
    return long[["day", "measure", "kind", "value"]]


def spread_by_day(spread: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """For each day from ``start`` to ``end``: every city reported so far, whether that day, and
    the sources reporting it that day (none for a city reported only earlier)."""
    cities = spread.groupby("city").agg(latitude=("latitude", "first"),
                                        longitude=("longitude", "first"))
    sources = spread.groupby(["date", "city"])["source_id"].agg(lambda s: sorted(set(s))).to_dict()
    first = spread.groupby("city")["date"].min()
    rows = []
    for day in pd.date_range(start, end, freq="D"):
        for city in first[first <= day].index:
            status = _("reported this day") if (day, city) in sources else _("reported earlier")
            rows.append((day, i18n.place(city), cities.at[city, "latitude"],
                         cities.at[city, "longitude"], status, sources.get((day, city), [])))
    return pd.DataFrame(rows, columns=["day", "city", "latitude", "longitude", "status",
                                       "source_ids"])


def region_days(spread: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """For each day and each region drawn with its own outline: the most serious activity a
    source reports there that day ('No report' when none), and the sources that report it
    (``source_ids``). Regions without an outline of their own (Shymkent city) are left out: their
    reports show as points, never as another region's."""
    from .geography import DRAWN_INSIDE

    rank = spread["activity"].map(activity_order().index)
    worst = (spread.assign(rank=rank).sort_values("rank").groupby(["date", "region"])["activity"]
             .last())
    ranked = spread.set_index(["date", "region"])
    chosen = ranked[ranked["activity"] == worst.reindex(ranked.index).to_numpy()]
    sources = chosen.groupby(level=["date", "region"])["source_id"].agg(lambda s: sorted(set(s)))
    outlined = [r for r in vocabulary.values("region") if r not in DRAWN_INSIDE]
    index = pd.MultiIndex.from_product([pd.date_range(start, end, freq="D"), outlined],
                                       names=["day", "region"])
    frame = worst.rename_axis(["day", "region"]).reindex(index).rename("activity").reset_index()
    found = sources.rename_axis(["day", "region"]).reindex(index)
    frame["source_ids"] = [ids if isinstance(ids, list) else [] for ids in found]
    frame["activity_label"] = frame["activity"].map(vocabulary.labels("activity")).fillna(vocabulary.label("map_shading", "no_report"))
    frame["region_label"] = frame["region"].map(vocabulary.labels("region"))
    return frame


# ---------------------------------------------------------------------------------------------
# Key events


def marked_events(events: pd.DataFrame, sources: pd.DataFrame, start: pd.Timestamp | None = None,
                  end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Key events to draw as numbered reference lines: one per kind and date, so sources that
    differ on a date give two lines. Regional states of emergency collapse to one line per date.

    Columns: date, kind, label, source, source_ids, locator and printed (where each source states
    it, and its words), number (1.. in date order), slot (0.. within a date, to stack the numbers
    of events sharing a day).
    """
    marked = vocabulary.flagged("event_kind", "marked")  # in the vocabulary's order
    chosen = events[events["kind"].isin(list(marked))]
    if start is not None:
        chosen = chosen[chosen["date"].between(start, end)]
    rows = []
    for (date, kind), group in chosen.groupby(["date", "kind"], sort=False):
        label = marked[kind]
        if kind == "state_of_emergency_start":
            regions = sorted(group["region"].dropna().unique())
            label = (i18n.np_("state of emergency in N regions", "{label} ({n} region)",
                              "{label} ({n} regions)", len(regions)).format(
                         label=label, n=i18n.number(len(regions))) if regions
                     else _("{label} (nationwide)").format(label=label))
        rows.append({"date": date, "kind": kind, "label": label,
                     "source": "; ".join(source_names(group["source_id"], sources)),
                     "source_ids": sorted(group["source_id"].unique()), **where_stated(group)})
    frame = pd.DataFrame(rows, columns=["date", "kind", "label", "source", "source_ids", "locator",
                                        "printed"])
    frame["order"] = frame["kind"].map(list(marked).index)
    frame = frame.sort_values(["date", "order"], ignore_index=True).drop(columns="order")
    frame["number"] = [str(n) for n in range(1, len(frame) + 1)]
    frame["slot"] = frame.groupby("date").cumcount()
    return frame


def internet_shutdowns(events: pd.DataFrame) -> pd.DataFrame:
    """Shutdown spans: the earliest reported start to the latest reported end (all sources)."""
    starts = events.loc[events["kind"] == "internet_shutdown_start", "date"]
    ends = events.loc[events["kind"] == "internet_shutdown_end", "date"]
    if starts.empty or ends.empty:
        return pd.DataFrame(columns=["start", "end", "label"])
    # The span is drawn to the end of the last day reported.
    return pd.DataFrame({"start": [starts.min()], "end": [ends.max() + pd.Timedelta(days=1)],
                         "label": [_("Internet shutdown (as reported)")]})


# ---------------------------------------------------------------------------------------------
# Arrests and dismissals


def people_actions(actions: pd.DataFrame, sources: pd.DataFrame, end: pd.Timestamp,
                   affiliations: list[str] | None) -> pd.DataFrame:
    """Dated actions up to ``end`` for the chosen affiliations, with the chart's labels and row
    order: people grouped by affiliation, each group ordered by its members' first action.
    Undated actions have no place on a timeline: see :func:`undated_actions`."""
    keep = actions["date"].notna() & (actions["date"] <= end)
    if affiliations:
        keep &= actions["affiliation"].isin(affiliations)
    return _label_actions(actions[keep].copy(), sources)


def undated_actions(actions: pd.DataFrame, sources: pd.DataFrame,
                    affiliations: list[str] | None) -> pd.DataFrame:
    """Actions whose source gives no date, for the chosen affiliations."""
    keep = actions["date"].isna()
    if affiliations:
        keep &= actions["affiliation"].isin(affiliations)
    return _label_actions(actions[keep].copy(), sources)


def _label_actions(chosen: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    chosen["source"] = chosen["source_id"].map(source_labels(sources))
    chosen["affiliation_label"] = chosen["affiliation"].map(vocabulary.labels("affiliation"))
    chosen["action_label"] = chosen["action"].map(vocabulary.labels("action"))
    # People's names in the reader's script: the Cyrillic form the data give, for ru and kk.
    cyrillic = (chosen.dropna(subset=["name_cyrillic"]).groupby("person")["name_cyrillic"].first()
                if "name_cyrillic" in chosen else pd.Series(dtype=object))
    chosen["role"] = chosen["role"].map(lambda t: i18n.data_text("role", t))
    chosen["detail"] = chosen["detail"].map(lambda t: i18n.data_text("detail", t))
    chosen["person_shown"] = [i18n.person(p, cyrillic.get(p)) for p in chosen["person"]]
    chosen["label"] = chosen["person_shown"] + " · " + chosen["affiliation_label"]
    first = chosen.groupby("person")["date"].transform("min")
    group_first = chosen.groupby("affiliation")["date"].transform("min")
    chosen = chosen.assign(first=first, group_first=group_first)
    ordered = (chosen.sort_values(["group_first", "affiliation", "first", "person"])
               ["person"].drop_duplicates().tolist())
    chosen["order"] = chosen["person"].map(ordered.index)
    chosen = chosen.assign(person=chosen["person_shown"]).drop(columns="person_shown")
    return chosen.sort_values(["order", "date"], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Mass detentions


def detention_counts(counts: pd.DataFrame, sources: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Reported counts up to ``end`` with the chart's fields: where each figure is drawn (its
    value, the N of a bound, a range's middle), its words, who stood behind it, its source."""

    chosen = counts[counts["as_of"] <= end].copy()
    chosen["point"] = chosen["value"].astype("Float64").fillna(
        ((chosen["low"] + chosen["high"].fillna(chosen["low"])) / 2).astype("Float64"))
    chosen["figure"] = [
        vocabulary.phrase("count_precision", p, value=_amount_or_blank(v), low=_amount_or_blank(lo),
                          high=_amount_or_blank(hi))
        for p, v, lo, hi in zip(chosen["precision"], chosen["value"], chosen["low"], chosen["high"])]
    chosen["measure_label"] = chosen["measure"].map(lambda m: vocabulary.label("detention_measure", m))
    chosen["reported_by"] = chosen["reported_by"].map(lambda t: i18n.data_text("reported_by", t))
    chosen["standing"] = chosen["official"].map({True: "official", False: "independent"})
    chosen["standing_label"] = chosen["official"].map({True: _("official"), False: _("independent")})
    chosen["scope_label"] = chosen["scope"].map(vocabulary.labels("scope"))
    chosen["source"] = chosen["source_id"].map(source_labels(sources))
    return chosen.sort_values(["measure", "as_of"], ignore_index=True)


def _amount_or_blank(x) -> str:
    from .claims import amount

    return "" if pd.isna(x) else amount(x)


def detentions_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Every reported count, in the chart's order, with who stated it and where."""
    shown = counts.assign(source_text=_source_where(counts),
                          as_of_text=counts["as_of"].dt.strftime("%Y-%m-%d"),
                          note=counts["note"].map(lambda t: i18n.data_text("note", t)))
    return _shown(shown, {"measure_label": _("Counted"),
                          "figure": i18n.p_("a number", "Figure"),
                          "scope_label": _("Scope"), "as_of_text": _("Stated on"),
                          "reported_by": _("Stated by"), "source_text": _("Source [id], where"),
                          "note": _("Note")})


def latest_counts(counts: pd.DataFrame, official: bool) -> pd.DataFrame:
    """Per measure (national scope), the latest figure stated by official or independent bodies."""
    chosen = counts[(counts["official"] == official) & (counts["scope"] == "national")]
    return chosen.sort_values("as_of").groupby("measure", sort=False).tail(1).set_index("measure")


# ---------------------------------------------------------------------------------------------
# Death tolls


def tolls_for_chart(tolls: pd.DataFrame, sources: pd.DataFrame, which: str) -> pd.DataFrame:
    """Figures to show: ``which`` is 'all' or 'official' (state bodies of the country only)."""
    chosen = tolls if which == "all" else tolls[tolls["official"]]
    chosen = chosen.copy()
    chosen["event_label"] = chosen["event"].map(vocabulary.labels("toll_event"))
    chosen["category_label"] = chosen["category"].map(vocabulary.labels("toll_category"))
    chosen["official_label"] = chosen["official"].map({True: _("State body"), False: _("Others")})
    chosen["reported_by"] = chosen["reported_by"].map(lambda t: i18n.data_text("reported_by", t))
    chosen["source"] = chosen["source_id"].map(source_labels(sources))
    return chosen


def toll_ranges(tolls: pd.DataFrame) -> pd.DataFrame:
    """Per event and category: how many figures, the lowest and the highest reported, and whether
    the highest is only a lower bound ("at least N", N above every closed figure)."""
    low = tolls["value"].fillna(tolls["low"])
    high = tolls["value"].fillna(tolls["high"]).fillna(tolls["low"])
    open_ended = tolls["value"].isna() & tolls["high"].isna()
    frame = tolls.assign(lowest=low, highest=high, closed=high.where(~open_ended))
    ranges = (frame.groupby(["event", "category"])
              .agg(figures=("toll_id", "size"), lowest=("lowest", "min"),
                   highest=("highest", "max"), closed_max=("closed", "max"))
              .reset_index())
    ranges["highest_is_lower_bound"] = ranges["closed_max"].isna() | (ranges["highest"] > ranges["closed_max"])
    return ranges.drop(columns="closed_max")


def official_series(tolls: pd.DataFrame, sources: pd.DataFrame | None = None,
                    event: str = "kazakhstan_2022") -> pd.DataFrame:
    """Official single-figure tolls for one event, in order of statement, with the chart's
    labels (``category_label``, and ``source`` when ``sources`` is given)."""
    chosen = tolls[(tolls["event"] == event) & tolls["official"] & tolls["value"].notna()].copy()
    chosen["category_label"] = chosen["category"].map(vocabulary.labels("toll_category"))
    chosen["reported_by"] = chosen["reported_by"].map(lambda t: i18n.data_text("reported_by", t))
    if sources is not None:
        chosen["source"] = chosen["source_id"].map(source_labels(sources))
    return chosen.sort_values(["as_of", "category"], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Guards and tables shown under the charts


def require_rows(frame: pd.DataFrame, message: str) -> pd.DataFrame:
    if frame.empty:
        raise EmptySelection(f"{message}; widen the parameters")
    return frame


def _shown(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The given columns, in order, under the reader's headings."""
    return frame.rename(columns=columns)[list(columns.values())]


def cities_table(first: pd.DataFrame) -> pd.DataFrame:
    return _shown(first, {"city": _("City"), "region": _("Region"),
                          "first_date": _("First reported"), "n_days": _("Days with reports"),
                          "n_reports": _("Reports"), "worst": _("Most serious activity reported")})


def actions_table(actions: pd.DataFrame) -> pd.DataFrame:
    shown = actions.assign(
        when=[_date_text(d, p) for d, p in zip(actions["date"], actions["date_precision"])])
    shown["source_text"] = _source_where(shown)
    shown["detail"] = shown["detail"].fillna("") + shown["linked"].map(
        {True: "", False: " " + _("(source does not link it to January 2022)")}).fillna("")
    return _shown(shown, {"person": _("Person"), "role": _("Role at the time"),
                          "affiliation_label": _("Affiliation"), "action_label": _("Action"),
                          "when": _("Date"), "detail": _("Detail"),
                          "source_text": _("Source [id], where")})


def _source_where(frame: pd.DataFrame) -> pd.Series:
    """'Publisher, date [id], paragraph 3: “as printed”' for each row of a table."""
    printed = frame["printed"].map(lambda p: "" if pd.isna(p) else f": “{p}”")
    return (frame["source"] + " [" + frame["source_id"] + "], "
            + frame["locator"].fillna("").map(i18n.locator) + printed)


def _date_text(date, precision: str) -> str:
    if pd.isna(date):
        return _("date not given")
    if precision == "month":
        return i18n.date(date, "month")
    return {"day": f"{date:%Y-%m-%d}", "year": f"{date:%Y}"}[precision]


def toll_figure(value, low, high) -> str:
    """A toll as text: '225', '200–300', 'at least 1,500' (low alone is 'at least')."""
    from .claims import amount

    if pd.notna(value):
        return amount(value)
    if pd.notna(high):
        return f"{amount(low)}–{amount(high)}"
    return _("at least {n}").format(n=amount(low)) if pd.notna(low) else ""


def tolls_table(tolls: pd.DataFrame) -> pd.DataFrame:
    shown = tolls.assign(
        figure=[toll_figure(v, lo, hi) for v, lo, hi in zip(tolls["value"], tolls["low"], tolls["high"])],
        as_of_text=[(_("not given") if pd.isna(d) else f"{d:%Y-%m-%d}") for d in tolls["as_of"]])
    shown = shown.sort_values(["event", "category", "as_of"], na_position="last")
    shown["source_text"] = _source_where(shown)
    shown["note"] = shown["note"].map(lambda t: i18n.data_text("note", t))
    return _shown(shown, {"event_label": _("Event"), "category_label": _("Counting"),
                          "figure": _("Deaths"), "as_of_text": _("As of"),
                          "reported_by": _("Reported by"), "source_text": _("Source [id], where"),
                          "note": _("Note")})


def ledger_table(ledger: pd.DataFrame, checks: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The ledger as the reader sees it: the claim, how it is read, the reports, verdict and why."""
    from . import claims as ledger_rules

    labels = source_labels(sources)
    rows = []
    for claim in ledger.itertuples():
        mine = checks[checks["claim_id"] == claim.claim_id]
        weighed = set(ledger_rules.weighed_reports(mine)["check_id"]) if not mine.empty else set()
        unit = claim.unit if claim.claim_kind == "number" else None
        reports = "; ".join(
            ("" if c.check_id in weighed else _("[not weighed]") + " ")
            + ledger_rules.describe_report(c, labels, unit) for c in mine.itertuples())
        rows.append({_("Claim"): f"{claim.claim_id} ({i18n.locator(claim.locator)})",
                     _("The article"): f"{i18n.data_text('summary', claim.summary)}: “{claim.printed}”",
                     _("Read as"): (claim.claim_stated if claim.claim_stated == claim.claim_window
                                    else f"{claim.claim_stated} → {claim.claim_window}"),
                     _("Other reports"): reports or "—",
                     _("Verdict"): claim.verdict_label, _("Why"): claim.reason})
    return pd.DataFrame(rows)


def headline_tolls(tolls: pd.DataFrame, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per event (in the vocabulary's order), the figures chapter 3's headline compares: the
    latest official toll of all deaths and the span of the independent ones.

    *Latest official*: among the figures of all deaths (``category`` total) given by a state body
    of the country (``official``), only single figures (``value``; a bound such as "at least N"
    or a range is not a point) with a statement date (``as_of``; an undated figure cannot be
    placed in time) are ranked; the one stated last is chosen (:func:`official_series`). When
    several figures share that date and differ, both ends are kept (``official_low`` <
    ``official_high``). Undated single figures and bounds are counted (``official_undated``,
    ``official_bounds``), never chosen.

    *Independent*: every other figure of all deaths. Single figures and ranges set the span;
    "at least N" sets its top only when N is above all of them (``independent_open``: the top is
    a lower bound), and sets both ends when the event has nothing else.
    """
    events = [e for e in vocabulary.values("toll_event") if e in set(tolls["event"])]
    rows = []
    for event in events:
        mine = tolls[(tolls["event"] == event) & (tolls["category"] == "total")]
        official = mine[mine["official"].astype(bool)]
        row = {"event": event, "event_label": vocabulary.label("toll_event", event),
               "official_dated": 0, "official_undated": 0, "official_bounds": 0,
               "official_low": pd.NA, "official_high": pd.NA, "official_as_of": pd.NaT,
               "official_by": "", "official_ids": [], "official_source_ids": [],
               "official_same_day": 0}
        series = official_series(official, sources, event)
        dated = series[series["as_of"].notna()]
        row.update(official_dated=len(dated), official_undated=len(series) - len(dated),
                   official_bounds=int(official["value"].isna().sum()))
        if not dated.empty:
            last = dated[dated["as_of"] == dated["as_of"].max()]
            row.update(official_low=int(last["value"].min()), official_high=int(last["value"].max()),
                       official_as_of=last["as_of"].iloc[0], official_same_day=len(last),
                       official_by="; ".join(dict.fromkeys(last["reported_by"])),
                       official_ids=list(last["toll_id"]),
                       official_source_ids=list(dict.fromkeys(last["source_id"])))
        row.update(_independent_span(mine[~mine["official"].astype(bool)]))
        rows.append(row)
    return pd.DataFrame(rows)


def _independent_span(others: pd.DataFrame) -> dict:
    closed = others[others["value"].notna() | others["high"].notna()]
    bounds = others[others["value"].isna() & others["high"].isna() & others["low"].notna()]
    span = {"independent_figures": len(others), "independent_low": pd.NA,
            "independent_high": pd.NA, "independent_open": False,
            "independent_low_by": "", "independent_high_by": "",
            "independent_ids": list(others["toll_id"])}
    if closed.empty and bounds.empty:
        return span
    low_end = closed["value"].fillna(closed["low"])
    high_end = closed["value"].fillna(closed["high"])
    if closed.empty:
        low, high, open_top = bounds["low"].min(), bounds["low"].max(), True
        low_rows, high_rows = bounds[bounds["low"] == low], bounds[bounds["low"] == high]
    else:
        low, high = low_end.min(), high_end.max()
        low_rows, high_rows = closed[low_end == low], closed[high_end == high]
        open_top = bool(not bounds.empty and bounds["low"].max() > high)
        if open_top:
            high = bounds["low"].max()
            high_rows = bounds[bounds["low"] == high]
    span.update(independent_low=int(low), independent_high=int(high), independent_open=open_top,
                independent_low_by="; ".join(dict.fromkeys(low_rows["reported_by"])),
                independent_high_by="; ".join(dict.fromkeys(high_rows["reported_by"])))
    return span


def headline_marks(summary: pd.DataFrame, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What chapter 3's headline chart draws, from :func:`headline_tolls` and the chapter's rows
    (:func:`tolls_for_chart`): one mark per figure — ``kind`` 'official' (the chosen ones),
    'independent', or 'bound' (an independent "at least N") — with its words (``figure``) and
    where it is drawn (``value``; a range twice, at both ends); and per event the span of the
    independent figures with the words for its ends."""
    kinds = {i: "official" for ids in summary["official_ids"] for i in ids}
    kinds.update({i: "independent" for ids in summary["independent_ids"] for i in ids})
    marks = rows[rows["toll_id"].isin(list(kinds))].copy()
    marks["kind"] = marks["toll_id"].map(kinds)
    bound = marks["value"].isna() & marks["high"].isna()
    marks.loc[bound & (marks["kind"] == "independent"), "kind"] = "bound"
    marks["figure"] = [toll_figure(v, lo, hi) for v, lo, hi in
                       zip(marks["value"], marks["low"], marks["high"])]
    upper = marks[marks["value"].isna() & marks["high"].notna()].assign(value=lambda f: f["high"])
    marks["value"] = marks["value"].fillna(marks["low"])
    marks = pd.concat([marks, upper], ignore_index=True)
    marks["value"] = marks["value"].astype(float)
    marks = marks[["toll_id", "event_label", "kind", "value", "figure", "reported_by", "as_of",
                   "source_id", "source", "locator", "printed"]]
    spans = summary[summary["independent_low"].notna()]
    spans = pd.DataFrame({
        "event_label": spans["event_label"], "low": spans["independent_low"].astype(float),
        "high": spans["independent_high"].astype(float),
        "bottom": [toll_figure(v, None, None) for v in spans["independent_low"]],
        "top": [toll_figure(None, h, None) if o else toll_figure(h, None, None)
                for h, o in zip(spans["independent_high"], spans["independent_open"])]})
    return marks, spans.reset_index(drop=True)
