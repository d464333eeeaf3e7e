"""The chapters' prose, with every number computed from the data.

Each function takes the frames a chapter already has and returns Markdown; values that come from
the CSVs pass through :func:`kzunrest.render.md_escape` so they are shown, never interpreted.
"""

from __future__ import annotations

import pandas as pd

from .analysis import toll_ranges
from . import vocabulary
from .render import md_escape as esc


def day(value: pd.Timestamp) -> str:
    return f"{value:%-d %B %Y}"


def plural(count: int, word: str, many: str | None = None) -> str:
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
    return (
        f"Between {day(start)} and {day(end)} the sources in this data set report unrest in "
        f"**{plural(s['cities'], 'city', 'cities')}** across **{plural(s['regions'], 'region')}** "
        f"({plural(s['reports'], 'dated report')} from {plural(s['sources'], 'source')}). "
        f"The earliest report is from {esc(s['first_city'])} on {day(s['first_day'])}; the "
        f"last dated report in the window is from {day(s['last_day'])}. The busiest day was "
        f"**{day(s['peak_day'])}**, with reports from {plural(s['peak_cities'], 'city', 'cities')} "
        f"in {plural(s['peak_regions'], 'region')}; by {day(s['regions_reached_day'])} every "
        f"region that would report unrest had done so. In "
        f"{plural(s['violent_cities'], 'city', 'cities')} a source reports buildings stormed or "
        f"armed violence.")


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
    counts = ", ".join(f"{esc(label.lower())} {n}" for label, n in s["by_action"].items())
    undated = (f" A further {plural(s['undated'], 'action')} reported without a date "
               f"{'is' if s['undated'] == 1 else 'are'} listed after the table."
               if s["undated"] else "")
    unlinked = (f" {plural(s['not_linked'], 'further action')} whose source does not link "
                f"{'it' if s['not_linked'] == 1 else 'them'} to January 2022 "
                f"{'is' if s['not_linked'] == 1 else 'are'} drawn hollow and not counted here."
                if s["not_linked"] else "")
    return (
        f"Up to {day(end)} the data set records **{plural(s['actions'], 'action')}** linked by "
        f"their sources to the January events, against "
        f"**{plural(s['people'], 'person', 'people')}**, from {day(s['first'])} to {day(s['last'])} "
        f"({counts}; one row per action and source, so one action reported by two sources counts "
        f"twice). {plural(s['detained'], 'person', 'people')} were detained or arrested and "
        f"{plural(s['sentenced'], 'person', 'people')} convicted or sentenced.{unlinked}{undated}")


def detentions_text(counts: pd.DataFrame) -> str:
    """The reported counts in one paragraph: how many figures, then the latest national figure
    per measure from official bodies, then from independent ones."""
    from .analysis import latest_counts

    def listing(latest: pd.DataFrame) -> str:
        return "; ".join(
            f"{esc(vocabulary.label('detention_measure', m).lower())} **{esc(r['figure'])}** "
            f"({esc(r['reported_by'])}, {day(r['as_of'])})" for m, r in latest.iterrows())

    official, independent = latest_counts(counts, True), latest_counts(counts, False)
    text = (f"The data set holds **{plural(len(counts), 'reported count')}** from "
            f"{plural(counts['source_id'].nunique(), 'source')}, stated between "
            f"{day(counts['as_of'].min())} and {day(counts['as_of'].max())}.")
    if not official.empty:
        text += f" The latest national official figures: {listing(official)}."
    if not independent.empty:
        text += f" The latest independent figures: {listing(independent)}."
    return text


def tolls_text(tolls: pd.DataFrame) -> str:
    lines = []
    for row in toll_ranges(tolls).itertuples():
        if row.category != "total":
            continue
        top = f"{'at least ' if row.highest_is_lower_bound else ''}{row.highest:,.0f}"
        span = top if row.lowest == row.highest else f"{row.lowest:,.0f} to {top}"
        lines.append(f"- **{vocabulary.label('toll_event', row.event)}**: {plural(row.figures, 'reported total')}, "
                     f"spanning {span} deaths.")
    return "For all deaths, the sources in this data set give:\n\n" + "\n".join(lines)


def official_change_text(series: pd.DataFrame) -> str:
    totals = series[series["category"] == "total"].sort_values("as_of")
    if totals.empty:
        return "No dated official total is in the data."
    first, last = totals.iloc[0], totals.iloc[-1]
    security = series[series["category"] == "security_forces"]
    sec = ""
    if not security.empty:
        latest = security.sort_values("as_of").iloc[-1]
        sec = (f" The latest official count of security-force deaths is {latest['value']:,} "
               f"({esc(latest['reported_by'])}, {day(latest['as_of'])}).")
    return (f"Kazakhstan's official total went from **{first['value']:,}** "
            f"({esc(first['reported_by'])}, {day(first['as_of'])}) to **{last['value']:,}** "
            f"({esc(last['reported_by'])}, {day(last['as_of'])}), across "
            f"{plural(len(totals), 'dated official statement')} in the data.{sec}")


def category_label(category: str) -> str:
    return vocabulary.label("toll_category", category)


def claims_text(ledger: pd.DataFrame) -> str:
    """How many claims, from which article, and how many of each verdict (in the rule's order)."""
    from .claims import VERDICTS

    counts = ledger["verdict"].value_counts()
    per_article = ledger.groupby("source_id").size()
    articles = ", ".join(f"{n} from `{s}`" for s, n in per_article.items())  # ids are [a-z0-9-]
    verdicts = "; ".join(f"{vocabulary.label('verdict', v).lower()}: **{counts.get(v, 0)}**"
                         for v in VERDICTS)
    return (f"The ledger holds **{plural(len(ledger), 'claim')}** ({articles}). "
            f"By the rule above — {verdicts}.")


# ---------------------------------------------------------------------------------------------
# Chapter 3's headline: the latest official tolls compared


_NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                 "seventeen", "eighteen", "nineteen", "twenty"]


def times_words(numerator: int, denominator: int) -> str:
    """How many times ``denominator`` goes into ``numerator``, in words that take "that of …":
    'about fifteen times', 'about twice', 'about one and a half times', 'about 20% more than',
    'about the same as', 'about 40% of'.

    Computed exactly (fractions), so the boundaries are sharp: below 0.95 a percentage of it;
    up to 1.05 the same; up to 1.25 a percentage more; from 1.25 the nearest half (1.25 is
    already 'one and a half', 1.75 'twice'); from 9.75 the nearest whole number (9.75 is 'ten',
    10.5 'eleven'). Numbers up to twenty are written out.
    """
    from fractions import Fraction
    from math import floor

    if denominator <= 0:
        raise ValueError("a ratio needs a positive denominator")
    ratio = Fraction(int(numerator), int(denominator))
    if ratio < Fraction(95, 100):
        return f"about {floor(ratio * 100 + Fraction(1, 2))}% of"
    if ratio < Fraction(105, 100):
        return "about the same as"
    if ratio < Fraction(5, 4):
        return f"about {floor((ratio - 1) * 100 + Fraction(1, 2))}% more than"
    if ratio < Fraction(39, 4):
        halves = floor(ratio * 2 + Fraction(1, 2))
        whole, half = divmod(halves, 2)
    else:
        whole, half = floor(ratio + Fraction(1, 2)), 0
    if (whole, half) == (2, 0):
        return "about twice"
    number = _NUMBER_WORDS[whole] if whole <= 20 else f"{whole:,}"
    return f"about {number}{' and a half' if half else ''} times"


def _ratio_words(low: int, high: int, other_low: int, other_high: int) -> str:
    """:func:`times_words` for figures that may be spans (several official figures on one day):
    the words when both ends read the same, else the range of the ratio."""
    least, most = times_words(low, other_high), times_words(high, other_low)
    if least == most:
        return least
    return f"between {low / other_high:.1f} and {high / other_low:.1f} times"


def _span(low, high) -> str:
    return f"{int(low):,}" if low == high else f"{int(low):,}–{int(high):,}"


def toll_headline_text(summary: pd.DataFrame) -> str:
    """The headline sentence: the first event's latest official toll against each other event's
    (``summary`` from :func:`kzunrest.analysis.headline_tolls`)."""
    if summary.empty:
        return "No death-toll figures are in the data."
    first, others = summary.iloc[0], summary.iloc[1:]
    name = esc(first["event_label"])
    if pd.isna(first["official_low"]):
        return (f"The data hold no dated official figure of all deaths for **{name}**, so its "
                "toll is not compared with the other events.")
    compared, missing = [], []
    for row in others.itertuples():
        if pd.isna(row.official_low) or row.official_low <= 0:
            missing.append(esc(row.event_label))
            continue
        words = _ratio_words(first["official_low"], first["official_high"], row.official_low,
                             row.official_high)
        compared.append(f"{words} that for {esc(row.event_label)} "
                        f"(**{_span(row.official_low, row.official_high)}**)")
    text = (f"The latest official toll for {name} is "
            f"**{_span(first['official_low'], first['official_high'])}** deaths")
    if compared:
        text += ": " + (", and ".join([", ".join(compared[:-1]), compared[-1]])
                        if len(compared) > 1 else compared[0])
    text += "."
    if missing:
        text += (f" {' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no dated "
                 "official figure of all deaths to compare.")
    return text


def toll_headline_reasons(summary: pd.DataFrame) -> str:
    """Per event: which official figure was chosen and why, and the span of independent ones."""
    lines = []
    for row in summary.itertuples():
        if pd.isna(row.official_low):
            official = "no dated official single figure of all deaths"
        else:
            same_day = (f"; {row.official_same_day} official figures were stated that day, "
                        "both ends shown" if row.official_same_day > 1 else "")
            official = (f"latest official figure **{_span(row.official_low, row.official_high)}**, "
                        f"stated on {day(row.official_as_of)} (given by: {esc(row.official_by)}), "
                        f"the last of {plural(row.official_dated, 'dated official single figure')}"
                        f"{same_day}")
        passed = []
        if row.official_undated:
            passed.append(f"{plural(row.official_undated, 'undated official figure')}")
        if row.official_bounds:
            passed.append(f"{plural(row.official_bounds, 'official bound or range', 'official bounds or ranges')}")
        if passed:
            official += f" ({' and '.join(passed)} not ranked)"
        if pd.isna(row.independent_low):
            independent = "no independent figure"
        else:
            top = f"{'at least ' if row.independent_open else ''}{int(row.independent_high):,}"
            low = f"{int(row.independent_low):,} ({esc(row.independent_low_by)})"
            independent = (f"{plural(row.independent_figures, 'independent figure')}, "
                           + (f"{top} ({esc(row.independent_high_by)})"
                              if row.independent_low == row.independent_high and not row.independent_open
                              else f"from {low} to {top} ({esc(row.independent_high_by)})"))
        lines.append(f"- **{esc(row.event_label)}**: {official}. {independent[0].upper()}{independent[1:]}.")
    return "\n".join(lines)
