"""Aggregates behind the charts and the narrative: pure functions on the typed frames."""

from __future__ import annotations

import pandas as pd

from . import i18n, vocabulary
from .i18n import _
from .render import source_labels, source_names


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


def first_seen(spread: pd.DataFrame) -> pd.DataFrame:
    """One row per city: first day reported, days with reports, most serious activity."""
    rank = spread["activity"].map(activity_order().index)
    worst = spread.assign(rank=rank).sort_values("rank").groupby("city")["activity"].last()
    grouped = spread.groupby("city").agg(
        region=("region", "first"), latitude=("latitude", "first"), longitude=("longitude", "first"),
        first_date=("date", "min"), n_days=("date", "nunique"), n_reports=("source_id", "size"))
    grouped["worst"] = worst.map(vocabulary.labels("activity"))
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
    """For each day from ``start`` to ``end``: every city reported so far, and whether that day."""
    cities = spread.groupby("city").agg(latitude=("latitude", "first"),
                                        longitude=("longitude", "first"))
    reported = set(zip(spread["date"], spread["city"]))
    first = spread.groupby("city")["date"].min()
    rows = []
    for day in pd.date_range(start, end, freq="D"):
        for city in first[first <= day].index:
            status = _("reported this day") if (day, city) in reported else _("reported earlier")
            rows.append((day, i18n.place(city), cities.at[city, "latitude"],
                         cities.at[city, "longitude"], status))
    return pd.DataFrame(rows, columns=["day", "city", "latitude", "longitude", "status"])


def region_days(spread: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """For each day and each region drawn with its own outline: the most serious activity a
    source reports there that day ('No report' when none). Regions without an outline of their
    own (Shymkent city) are left out: their reports show as points, never as another region's."""
    from .geography import DRAWN_INSIDE

    rank = spread["activity"].map(activity_order().index)
    worst = (spread.assign(rank=rank).sort_values("rank").groupby(["date", "region"])["activity"]
             .last())
    outlined = [r for r in vocabulary.values("region") if r not in DRAWN_INSIDE]
    index = pd.MultiIndex.from_product([pd.date_range(start, end, freq="D"), outlined],
                                       names=["day", "region"])
    frame = worst.rename_axis(["day", "region"]).reindex(index).rename("activity").reset_index()
    frame["activity_label"] = frame["activity"].map(vocabulary.labels("activity")).fillna(vocabulary.label("map_shading", "no_report"))
    frame["region_label"] = frame["region"].map(vocabulary.labels("region"))
    return frame


# ---------------------------------------------------------------------------------------------
# Key events


def marked_events(events: pd.DataFrame, sources: pd.DataFrame, start: pd.Timestamp | None = None,
                  end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Key events to draw as numbered reference lines: one per kind and date, so sources that
    differ on a date give two lines. Regional states of emergency collapse to one line per date.

    Columns: date, kind, label, source, source_ids, number (1.. in date order), slot (0.. within
    a date, to stack the numbers of events sharing a day).
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
                     "source_ids": sorted(group["source_id"].unique())})
    frame = pd.DataFrame(rows, columns=["date", "kind", "label", "source", "source_ids"])
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
    return _shown(shown, {"measure_label": _("Counted"), "figure": _("Figure"),
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


class EmptySelection(ValueError):
    """The chosen parameters leave nothing to show."""


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
