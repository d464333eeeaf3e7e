"""The chapters' prose, with every number computed from the data.

Each function takes the frames a chapter already has and returns Markdown; values that come from
the CSVs pass through :func:`kzunrest.render.md_escape` so they are shown, never interpreted.
"""

from __future__ import annotations

import pandas as pd

from .analysis import toll_ranges
from . import i18n, vocabulary
from .i18n import _, np_
from .render import md_escape as esc


def day(value: pd.Timestamp) -> str:
    return i18n.date(value, "long")


def counted(template: str, count: int) -> str:
    """A counted phrase from the catalog (``np_`` picks the plural form) with its number."""
    return template.format(n=i18n.number(count))


def plural(count: int, word: str, many: str | None = None) -> str:
    """English only (kept for callers outside the report): '3 cities'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def spread_summary(spread: pd.DataFrame, counts: pd.DataFrame) -> dict:
    first = spread.sort_values(["date", "city"]).iloc[0]
    peak_day = counts["cities"].idxmax()
    all_regions = counts["regions_cumulative"].max()
    reached = counts.index[counts["regions_cumulative"] == all_regions][0]
    return {
        "cities": spread["city"].nunique(), "regions": spread["region"].nunique(),
        "reports": len(spread), "sources": spread["source_id"].nunique(),
        "first_day": first["date"], "first_city": first["city"],
        "last_day": spread["date"].max(),
        "peak_day": peak_day, "peak_cities": int(counts.at[peak_day, "cities"]),
        "peak_regions": int(counts.at[peak_day, "regions"]),
        "regions_reached_day": reached,
        "violent_cities": spread.loc[spread["activity"].isin(
            ["storming_of_buildings", "armed_violence"]), "city"].nunique(),
    }


def spread_text(s: dict, start: pd.Timestamp, end: pd.Timestamp) -> str:
    first = _("Between {start} and {end} the sources in this data set report unrest in "
              "**{cities}** across **{regions}** ({reports} from {sources}).").format(
        start=day(start), end=day(end),
        cities=counted(np_("spread: unrest in N cities", "{n} city", "{n} cities", s["cities"]),
                       s["cities"]),
        regions=counted(np_("spread: across N regions", "{n} region", "{n} regions",
                            s["regions"]), s["regions"]),
        reports=counted(np_("spread: N dated reports", "{n} dated report", "{n} dated reports",
                            s["reports"]), s["reports"]),
        sources=counted(np_("spread: from N sources", "{n} source", "{n} sources", s["sources"]),
                        s["sources"]))
    second = _("The earliest report is from {city} on {first}; the last dated report in the "
               "window is from {last}.").format(city=esc(i18n.place(s["first_city"])),
                                                first=day(s["first_day"]), last=day(s["last_day"]))
    third = _("The busiest day was **{peak}**, with reports from {cities} in {regions}; by "
              "{reached} every region that would report unrest had done so.").format(
        peak=day(s["peak_day"]),
        cities=counted(np_("spread: reports from N cities", "{n} city", "{n} cities",
                           s["peak_cities"]), s["peak_cities"]),
        regions=counted(np_("spread: in N regions", "{n} region", "{n} regions",
                            s["peak_regions"]), s["peak_regions"]),
        reached=day(s["regions_reached_day"]))
    fourth = counted(np_("spread: violence", "In {n} city a source reports buildings stormed or "
                         "armed violence.", "In {n} cities a source reports buildings stormed or "
                         "armed violence.", s["violent_cities"]), s["violent_cities"])
    return " ".join([first, second, third, fourth])


def _linked(actions: pd.DataFrame) -> pd.DataFrame:
    """The actions whose source links them to January 2022."""
    return actions[actions["linked"].fillna(False).astype(bool)]


def people_summary(all_actions: pd.DataFrame, undated: pd.DataFrame | None = None) -> dict:
    """Counts of the actions whose source links them to January 2022 (``linked``); the others are
    drawn but only counted as 'not linked'."""
    actions = _linked(all_actions)
    by_action = actions["action"].value_counts()
    return {
        "not_linked": len(all_actions) - len(actions),
        "people": actions["person"].nunique(), "actions": len(actions),
        "first": actions["date"].min(), "last": actions["date"].max(),
        "by_action": {vocabulary.label("action", a): int(n) for a, n in by_action.items()},
        "detained": actions.loc[actions["action"].isin(["detained", "arrested"]), "person"].nunique(),
        "sentenced": actions.loc[actions["action"].isin(["sentenced", "convicted"]), "person"].nunique(),
        "undated": 0 if undated is None else len(_linked(undated)),
    }


def people_text(s: dict, end: pd.Timestamp) -> str:
    counts = ", ".join(f"{esc(label.lower())} {i18n.number(n)}" for label, n in s["by_action"].items())
    undated = (" " + counted(np_("people: undated", "A further {n} action reported without a date "
                                 "is listed after the table.", "A further {n} actions reported "
                                 "without a date are listed after the table.", s["undated"]),
                             s["undated"]) if s["undated"] else "")
    unlinked = (" " + counted(np_("people: not linked", "{n} further action whose source does not "
                                  "link it to January 2022 is drawn hollow and not counted here.",
                                  "{n} further actions whose source does not link them to January "
                                  "2022 are drawn hollow and not counted here.", s["not_linked"]),
                              s["not_linked"]) if s["not_linked"] else "")
    first = _("Up to {end} the data set records **{actions}** linked by their sources to the "
              "January events, against **{people}**, from {first} to {last} ({counts}; one row per "
              "action and source, so one action reported by two sources counts twice).").format(
        end=day(end), first=day(s["first"]), last=day(s["last"]), counts=counts,
        actions=counted(np_("people: records N actions", "{n} action", "{n} actions",
                            s["actions"]), s["actions"]),
        people=counted(np_("people: against N people", "{n} person", "{n} people", s["people"]),
                       s["people"]))
    second = _("{detained} were detained or arrested and {sentenced} convicted or "
               "sentenced.").format(
        detained=counted(np_("people: N people were detained", "{n} person", "{n} people",
                             s["detained"]), s["detained"]),
        sentenced=counted(np_("people: N people sentenced", "{n} person", "{n} people",
                              s["sentenced"]), s["sentenced"]))
    return f"{first} {second}{unlinked}{undated}"


def detentions_text(counts: pd.DataFrame) -> str:
    """The reported counts in one paragraph: how many figures, then the latest national figure
    per measure from official bodies, then from independent ones."""
    from .analysis import latest_counts

    def listing(latest: pd.DataFrame) -> str:
        return "; ".join(
            f"{esc(vocabulary.label('detention_measure', m).lower())} **{esc(r['figure'])}** "
            f"({esc(r['reported_by'])}, {day(r['as_of'])})" for m, r in latest.iterrows())

    official, independent = latest_counts(counts, True), latest_counts(counts, False)
    sources = counts["source_id"].nunique()
    text = _("The data set holds **{counts}** from {sources}, stated between {first} and "
             "{last}.").format(
        counts=counted(np_("detentions: holds N counts", "{n} reported count",
                           "{n} reported counts", len(counts)), len(counts)),
        sources=counted(np_("detentions: from N sources", "{n} source", "{n} sources", sources),
                        sources),
        first=day(counts["as_of"].min()), last=day(counts["as_of"].max()))
    if not official.empty:
        text += " " + _("The latest national official figures: {listing}.").format(
            listing=listing(official))
    if not independent.empty:
        text += " " + _("The latest independent figures: {listing}.").format(
            listing=listing(independent))
    return text


def tolls_text(tolls: pd.DataFrame) -> str:
    lines = []
    for row in toll_ranges(tolls).itertuples():
        if row.category != "total":
            continue
        top = (_("at least {n}") if row.highest_is_lower_bound else "{n}").format(
            n=i18n.number(row.highest))
        span = top if row.lowest == row.highest else _("{low} to {high}").format(
            low=i18n.number(row.lowest), high=top)
        lines.append("- " + _("**{event}**: {figures}, spanning {span} deaths.").format(
            event=vocabulary.label("toll_event", row.event), span=span,
            figures=counted(np_("tolls: N reported totals", "{n} reported total",
                                "{n} reported totals", row.figures), row.figures)))
    return _("For all deaths, the sources in this data set give:") + "\n\n" + "\n".join(lines)


def official_change_text(series: pd.DataFrame) -> str:
    totals = series[series["category"] == "total"].sort_values("as_of")
    if totals.empty:
        return _("No dated official total is in the data.")
    first, last = totals.iloc[0], totals.iloc[-1]
    security = series[series["category"] == "security_forces"]
    sec = ""
    if not security.empty:
        latest = security.sort_values("as_of").iloc[-1]
        sec = " " + _("The latest official count of security-force deaths is {value} ({by}, "
                      "{when}).").format(value=i18n.number(latest["value"]),
                                         by=esc(latest["reported_by"]), when=day(latest["as_of"]))
    return _("Kazakhstan's official total went from **{first}** ({first_by}, {first_when}) to "
             "**{last}** ({last_by}, {last_when}), across {statements} in the data.").format(
        first=i18n.number(first["value"]), first_by=esc(first["reported_by"]),
        first_when=day(first["as_of"]), last=i18n.number(last["value"]),
        last_by=esc(last["reported_by"]), last_when=day(last["as_of"]),
        statements=counted(np_("tolls: across N statements", "{n} dated official statement",
                               "{n} dated official statements", len(totals)), len(totals))) + sec


def category_label(category: str) -> str:
    return vocabulary.label("toll_category", category)


def claims_text(ledger: pd.DataFrame) -> str:
    """How many claims, from which article, and how many of each verdict (in the rule's order)."""
    from .claims import VERDICTS

    counts = ledger["verdict"].value_counts()
    per_article = ledger.groupby("source_id").size()
    articles = ", ".join(_("{n} from `{source}`").format(n=i18n.number(n), source=s)
                         for s, n in per_article.items())  # ids are [a-z0-9-]
    verdicts = "; ".join(f"{vocabulary.label('verdict', v).lower()}: **{i18n.number(counts.get(v, 0))}**"
                         for v in VERDICTS)
    return _("The ledger holds **{claims}** ({articles}). By the rule above — {verdicts}.").format(
        claims=counted(np_("claims: holds N claims", "{n} claim", "{n} claims", len(ledger)),
                       len(ledger)), articles=articles, verdicts=verdicts)
