"""The chapters' prose, with every number computed from the data.

Each function takes the frames a chapter already has and returns Markdown; values that come from
the CSVs pass through :func:`kzunrest.render.md_escape` so they are shown, never interpreted.
"""

from __future__ import annotations

import pandas as pd

from .analysis import toll_ranges
from . import i18n, vocabulary
from .i18n import _, np_, p_
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
        "by_action": {action: int(n) for action, n in by_action.items()},
        "detained": actions.loc[actions["action"].isin(["detained", "arrested"]), "person"].nunique(),
        "sentenced": actions.loc[actions["action"].isin(["sentenced", "convicted"]), "person"].nunique(),
        "undated": 0 if undated is None else len(_linked(undated)),
    }


def people_text(s: dict, end: pd.Timestamp) -> str:
    counts = ", ".join(esc(vocabulary.count("action", action, i18n.number(n)))
                       for action, n in s["by_action"].items())
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


# ---------------------------------------------------------------------------------------------
# Chapter 3's headline: the latest official tolls compared


def _number_word(number: int) -> str:
    """Two to twenty written out in the report's language; larger numbers in digits."""
    words = {2: p_("number word", "two"), 3: p_("number word", "three"),
             4: p_("number word", "four"), 5: p_("number word", "five"),
             6: p_("number word", "six"), 7: p_("number word", "seven"),
             8: p_("number word", "eight"), 9: p_("number word", "nine"),
             10: p_("number word", "ten"), 11: p_("number word", "eleven"),
             12: p_("number word", "twelve"), 13: p_("number word", "thirteen"),
             14: p_("number word", "fourteen"), 15: p_("number word", "fifteen"),
             16: p_("number word", "sixteen"), 17: p_("number word", "seventeen"),
             18: p_("number word", "eighteen"), 19: p_("number word", "nineteen"),
             20: p_("number word", "twenty")}
    return words.get(number) or i18n.number(number)


def _ratio(numerator: int, denominator: int) -> tuple[str, int]:
    """How many times ``denominator`` goes into ``numerator``, as a kind ('percent_of', 'same',
    'percent_more', 'twice', 'one_and_a_half', 'and_a_half', 'times') and its number.

    Computed exactly (fractions), so the boundaries are sharp: below 0.95 a percentage of it;
    up to 1.05 the same; up to 1.25 a percentage more; from 1.25 the nearest half (1.25 is
    already 'one and a half', 1.75 'twice'); from 9.75 the nearest whole number (9.75 is 'ten',
    10.5 'eleven')."""
    from fractions import Fraction
    from math import floor

    if denominator <= 0:
        raise ValueError("a ratio needs a positive denominator")
    ratio = Fraction(int(numerator), int(denominator))
    if ratio < Fraction(95, 100):
        return "percent_of", floor(ratio * 100 + Fraction(1, 2))
    if ratio < Fraction(105, 100):
        return "same", 1
    if ratio < Fraction(5, 4):
        return "percent_more", floor((ratio - 1) * 100 + Fraction(1, 2))
    if ratio < Fraction(39, 4):
        whole, half = divmod(floor(ratio * 2 + Fraction(1, 2)), 2)
    else:
        whole, half = floor(ratio + Fraction(1, 2)), 0
    if (whole, half) == (2, 0):
        return "twice", 2
    if half:
        return ("one_and_a_half", 1) if whole == 1 else ("and_a_half", whole)
    return "times", whole


def times_words(numerator: int, denominator: int) -> str:
    """How many times ``denominator`` goes into ``numerator``, in words that take "that of …"
    (English): 'about fifteen times', 'about twice', 'about one and a half times', 'about 20% more
    than', 'about the same as', 'about 40% of'. Numbers up to twenty are written out. The
    report's sentences use :func:`_comparison`, whose words follow the report's language."""
    kind, number = _ratio(numerator, denominator)
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
             "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
             "eighteen", "nineteen", "twenty"]
    written = words[number] if number <= 20 else f"{number:,}"
    return {"percent_of": f"about {number}% of", "same": "about the same as",
            "percent_more": f"about {number}% more than", "twice": "about twice",
            "one_and_a_half": "about one and a half times",
            "and_a_half": f"about {written} and a half times",
            "times": f"about {written} times"}[kind]


def _comparison(low: int, high: int, other_low: int, other_high: int, event: str,
                figure: str) -> str:
    """One figure (a span when several official figures share a day) against another event's,
    in the report's language: the words when both ends read the same, else the range of the
    ratio."""
    least, most = _ratio(low, other_high), _ratio(high, other_low)
    values = {"event": event, "figure": figure}
    if least != most:
        return p_("headline", "between {low} and {high} times that for {event} ({figure})").format(
            low=i18n.number(low / other_high, 1, fixed=True),
            high=i18n.number(high / other_low, 1, fixed=True), **values)
    kind, number = least
    if kind == "percent_of":
        text = p_("headline", "about {percent}% of that for {event} ({figure})")
    elif kind == "same":
        text = p_("headline", "about the same as that for {event} ({figure})")
    elif kind == "percent_more":
        text = p_("headline", "about {percent}% more than that for {event} ({figure})")
    elif kind == "twice":
        text = p_("headline", "about twice that for {event} ({figure})")
    elif kind == "one_and_a_half":
        text = p_("headline", "about one and a half times that for {event} ({figure})")
    elif kind == "and_a_half":
        text = p_("headline", "about {n} and a half times that for {event} ({figure})")
    else:
        text = np_("headline", "about {n} time that for {event} ({figure})",
                   "about {n} times that for {event} ({figure})", number)
    return text.format(percent=i18n.number(number), n=_number_word(number), **values)


def _span(low, high) -> str:
    return i18n.number(low) if low == high else f"{i18n.number(low)}–{i18n.number(high)}"


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the report's language."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def toll_headline_text(summary: pd.DataFrame) -> str:
    """The headline sentence: the first event's latest official toll against each other event's
    (``summary`` from :func:`kzunrest.analysis.headline_tolls`)."""
    if summary.empty:
        return _("No death-toll figures are in the data.")
    first, others = summary.iloc[0], summary.iloc[1:]
    name = esc(first["event_label"])
    if pd.isna(first["official_low"]):
        return _("The data hold no dated official figure of all deaths for **{event}**, so its "
                 "toll is not compared with the other events.").format(event=name)
    compared, missing = [], []
    for row in others.itertuples():
        if pd.isna(row.official_low) or row.official_low <= 0:
            missing.append(esc(row.event_label))
            continue
        compared.append(_comparison(first["official_low"], first["official_high"],
                                    row.official_low, row.official_high, esc(row.event_label),
                                    f"**{_span(row.official_low, row.official_high)}**"))
    total = _span(first["official_low"], first["official_high"])
    if compared:
        joined = (_("{items}, and {last}").format(items=", ".join(compared[:-1]), last=compared[-1])
                  if len(compared) > 1 else compared[0])
        text = np_("headline", "The latest official toll for {event} is **{total}** death: "
                   "{comparisons}.", "The latest official toll for {event} is **{total}** deaths: "
                   "{comparisons}.", int(first["official_high"])).format(
            event=name, total=total, comparisons=joined)
    else:
        text = np_("headline", "The latest official toll for {event} is **{total}** death.",
                   "The latest official toll for {event} is **{total}** deaths.",
                   int(first["official_high"])).format(event=name, total=total)
    if missing:
        text += " " + np_("headline", "{events} has no dated official figure of all deaths to "
                          "compare.", "{events} have no dated official figure of all deaths to "
                          "compare.", len(missing)).format(events=_and(missing))
    return text


def toll_headline_reasons(summary: pd.DataFrame) -> str:
    """Per event: which official figure was chosen and why, and the span of independent ones."""
    lines = []
    for row in summary.itertuples():
        if pd.isna(row.official_low):
            official = _("no dated official single figure of all deaths")
        else:
            same_day = (_("; {n} official figures were stated that day, both ends shown").format(
                n=i18n.number(row.official_same_day)) if row.official_same_day > 1 else "")
            official = _("latest official figure **{figure}**, stated on {day} (given by: {by}), "
                         "the last of {dated}{same_day}").format(
                figure=_span(row.official_low, row.official_high), day=day(row.official_as_of),
                by=esc(row.official_by), same_day=same_day,
                dated=counted(np_("headline: the last of N", "{n} dated official single figure",
                                  "{n} dated official single figures", row.official_dated),
                              row.official_dated))
        passed = []
        if row.official_undated:
            passed.append(counted(np_("headline: N not ranked", "{n} undated official figure",
                                      "{n} undated official figures", row.official_undated),
                                  row.official_undated))
        if row.official_bounds:
            passed.append(counted(np_("headline: N not ranked", "{n} official bound or range",
                                      "{n} official bounds or ranges", row.official_bounds),
                                  row.official_bounds))
        if passed:
            official += " " + _("({figures} not ranked)").format(figures=_and(passed))
        if pd.isna(row.independent_low):
            independent = _("No independent figure")
        else:
            top = (_("at least {n}") if row.independent_open else "{n}").format(
                n=i18n.number(row.independent_high))
            figures = counted(np_("headline: N independent", "{n} independent figure",
                                  "{n} independent figures", row.independent_figures),
                              row.independent_figures)
            if row.independent_low == row.independent_high and not row.independent_open:
                independent = _("{figures}, {top} ({by})").format(
                    figures=figures, top=top, by=esc(row.independent_high_by))
            else:
                independent = _("{figures}, from {low} ({low_by}) to {top} ({by})").format(
                    figures=figures, low=i18n.number(row.independent_low),
                    low_by=esc(row.independent_low_by), top=top, by=esc(row.independent_high_by))
            independent = independent[0].upper() + independent[1:]
        lines.append(f"- **{esc(row.event_label)}**: {official}. {independent}.")
    return "\n".join(lines)
