"""The claims ledger: each claim of the source articles read at the precision it was made.

A claim and every other report of it become *windows*: the set of values (or days) the words
allow. "71 percent" (rounded to 1) is [70.5, 71.5); "about 3,600" is 3,600 ± 10 %; "at least 2,000"
is [2,000, ∞); "In 2019" is 1 January to 31 December 2019; "early June" is 1–10 June. The verdict
rule, in the order it is applied (the chapter states it to the reader in the same words):

1. Only reports of the **same quantity** are weighed; reports of a neighbouring quantity
   (``measures = related``) are shown for context only.
2. Only the **best-standing** reports are weighed: official final figures, facts of record and
   independent counts first; official interim figures only when none of those exists, and then
   only the latest of them (each replaced the one before); estimates and unattributed reports
   only when nothing better exists. Within that tier a bound ("at least
   N") counts only when the tier holds no point or range figure, because a bound agrees with
   everything on one side of it.
3. A report *agrees* when its window overlaps the claim's window.
4. **consistent**: every weighed report agrees. **disputed**: some agree and some do not.
   **superseded**: none agrees now, but a report stated on or before the article's publication
   date agreed (the article was right when written). **differs**: none agrees, and nothing
   earlier did; the reason gives the distance beyond the claim's own window. **not found
   elsewhere**: no report of the same quantity.

Every verdict carries a one-line reason naming the reports it weighed.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from . import i18n, vocabulary
from .citations import source_labels
from .i18n import _

CONSISTENT, DISPUTED, SUPERSEDED, DIFFERS, NOT_FOUND = (
    "consistent", "disputed", "superseded", "differs", "not found elsewhere")
VERDICTS = (CONSISTENT, DISPUTED, SUPERSEDED, DIFFERS, NOT_FOUND)

# How the words of a claim become a window. Documented in data/README.md (claims precision).
APPROXIMATE_TOLERANCE = 0.10          # "about N": N ± 10 % unless the row gives a tolerance
VAGUE_READINGS = {"dozens": (24, 99), "hundreds": (200, 999), "thousands": (2_000, 999_999)}
THIRDS_OF_MONTH = {"early_month": (1, 10), "mid_month": (11, 20), "late_month": (21, 31)}
LOWER_BOUNDS = {"at_least", "more_than", "on_or_after"}
UPPER_BOUNDS = {"at_most", "less_than", "on_or_before"}
BOUNDS = LOWER_BOUNDS | UPPER_BOUNDS
# Tier of each standing: 1 is weighed first.
TIERS = {"official_final": 1, "record": 1, "independent_count": 1,
         "official_interim": 2, "estimate": 3, "report": 3}


@dataclass(frozen=True)
class Window:
    """An interval of numbers (or of day ordinals); either end may be open or infinite."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below

    def overlaps(self, other: Window) -> bool:
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return not (self.high_open or other.low_open)
        if other.high == self.low:
            return not (other.high_open or self.low_open)
        return True

    def gap_to(self, other: Window) -> float:
        """How far ``other`` lies beyond this window: > 0 above, < 0 below, 0 when they overlap."""
        if self.overlaps(other):
            return 0.0
        return other.low - self.high if other.low >= self.high else other.high - self.low


# ---------------------------------------------------------------------------------------------
# Words → windows


def number_window(precision: str, value=None, rounding=None, tolerance=None, low=None,
                  high=None) -> Window:
    """The values a number claim (or report) allows, by its precision."""
    if precision in VAGUE_READINGS:
        return Window(*map(float, VAGUE_READINGS[precision]))
    if precision == "range":
        return Window(float(low), float(high))
    v = float(value)
    spread = (float(tolerance) if _given(tolerance) else abs(v) * APPROXIMATE_TOLERANCE)
    windows = {
        "exact": lambda: Window(v, v),
        "rounded": lambda: Window(v - float(rounding) / 2, v + float(rounding) / 2, high_open=True),
        "approximate": lambda: Window(v - spread, v + spread),
        "nearly": lambda: Window(v - spread, v),
        "at_least": lambda: Window(v, math.inf),
        "more_than": lambda: Window(v, math.inf, low_open=True),
        "at_most": lambda: Window(-math.inf, v),
        "less_than": lambda: Window(-math.inf, v, high_open=True),
    }
    return windows[precision]()


def period(text: str) -> tuple[date, date]:
    """First and last day of 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'."""
    parts = [int(p) for p in str(text).split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, parts[2])
    return day, day


def date_window(precision: str, text: str) -> Window:
    """The days (as ordinals) a date claim (or report) allows, by its precision."""
    if precision == "between":  # 'YYYY-MM-DD/YYYY-MM-DD': from the first day to the last
        start, end = str(text).split("/")
        return Window(period(start)[0].toordinal(), period(end)[1].toordinal())
    first, last = period(text)
    if precision in THIRDS_OF_MONTH:
        start, end = THIRDS_OF_MONTH[precision]
        first, last = first.replace(day=start), first.replace(day=min(end, last.day))
    if precision == "on_or_before":
        return Window(-math.inf, last.toordinal())
    if precision == "on_or_after":
        return Window(first.toordinal(), math.inf)
    return Window(first.toordinal(), last.toordinal())


def window(row) -> Window:
    """The window of a claim or check row (pandas row or named tuple)."""
    if _given(_field(row, "claim_date")) or _given(_field(row, "reported_date")):
        text = _field(row, "claim_date")
        return date_window(row.precision, text if _given(text) else _field(row, "reported_date"))
    return number_window(row.precision, row.value, _field(row, "rounding"),
                         _field(row, "tolerance"), row.low, row.high)


def _field(row, name):
    return getattr(row, name, None)


def _given(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)


# ---------------------------------------------------------------------------------------------
# Windows → words


def amount(x: float) -> str:
    """A number as text: thousands separated, no needless decimals."""
    return i18n.number(x, 2)


def day_text(ordinal: float) -> str:
    return date.fromordinal(int(ordinal)).isoformat()


def window_text(w: Window, is_date: bool) -> str:
    """'3,240–3,960', '≥ 2,000', '2019-01-01 – 2019-12-31', '70.5 to under 71.5'."""
    show = day_text if is_date else amount
    if w.low == w.high:
        return show(w.low)
    if math.isinf(w.high):
        return f"{'>' if w.low_open else '≥'} {show(w.low)}"
    if math.isinf(w.low):
        return f"{'<' if w.high_open else '≤'} {show(w.high)}"
    if w.high_open:
        return _("{low} to under {high}").format(low=show(w.low), high=show(w.high))
    return f"{show(w.low)} – {show(w.high)}" if is_date else f"{show(w.low)}–{show(w.high)}"


def stated(row) -> str:
    """The claim or report as stated, in the project's words: 'about 3,600', 'hundreds', '2019'."""
    if _given(_field(row, "claim_date")) or _given(_field(row, "reported_date")):
        text = _field(row, "claim_date")
        text = text if _given(text) else _field(row, "reported_date")
        return vocabulary.phrase("date_precision", row.precision, date=text)
    if row.precision == "range":
        return f"{amount(row.low)}–{amount(row.high)}"
    value = "" if not _given(row.value) else amount(row.value)
    return vocabulary.phrase("number_precision", row.precision, value=value)


# ---------------------------------------------------------------------------------------------
# The verdict


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str
    weighed: tuple[str, ...] = ()     # check_ids weighed
    agreeing: tuple[str, ...] = ()    # of those, the ones that agree
    distance: float = math.nan        # differs: how far the nearest weighed report lies beyond
    relative: float = math.nan        # ... as a share of the claim's window edge (numbers)


def weighed_reports(checks: pd.DataFrame) -> pd.DataFrame:
    """Rule steps 1–2: same-quantity reports of the best standing present, points before bounds."""
    same = checks[checks["measures"] == "same"]
    if same.empty:
        return same
    tiers = same["standing"].map(TIERS)
    best = same[tiers == tiers.min()]
    if (best["standing"] == "official_interim").all() and best["as_of"].notna().any():
        best = best[best["as_of"] == best["as_of"].max()]  # a later interim figure replaces it
    points = best[~best["precision"].isin(BOUNDS)]
    return points if not points.empty else best


def judge(claim, checks: pd.DataFrame, sources: dict[str, str], written: date | None) -> Verdict:
    """The verdict on one claim, given every check of it and the article's publication date."""
    weighed = weighed_reports(checks)
    if weighed.empty:
        return Verdict(NOT_FOUND, _not_found_reason(checks))
    mine = window(claim)
    agree = [c.check_id for c in weighed.itertuples() if mine.overlaps(window(c))]
    ids = tuple(weighed["check_id"])
    if len(agree) == len(ids):
        return Verdict(CONSISTENT, _consistent_reason(claim, weighed, sources), ids, tuple(agree))
    if agree:
        return Verdict(DISPUTED, _disputed_reason(claim, weighed, agree, sources), ids, tuple(agree))
    earlier = _agreeing_before(claim, checks, written)
    if earlier is not None:
        return Verdict(SUPERSEDED, _superseded_reason(claim, earlier, weighed, written, sources), ids)
    nearest = min(weighed.itertuples(), key=lambda c: abs(mine.gap_to(window(c))))
    gap = mine.gap_to(window(nearest))
    edge = mine.high if gap > 0 else mine.low
    relative = gap / abs(edge) if _is_number(claim) and edge and not math.isinf(edge) else math.nan
    return Verdict(DIFFERS, _differs_reason(claim, nearest, gap, relative, weighed, sources), ids,
                   (), gap, relative)


def _agreeing_before(claim, checks: pd.DataFrame, written: date | None):
    """The report that made the claim consistent when the article was written, if any.

    The same rule applied to the reports stated on or before the article's date: when all the
    reports it would have weighed then agree, the claim was right when written.
    """
    if written is None:
        return None
    known = checks[checks["as_of"].notna()]
    weighed = weighed_reports(known[known["as_of"].dt.date <= written])
    mine = window(claim)
    if weighed.empty or not all(mine.overlaps(window(c)) for c in weighed.itertuples()):
        return None
    return weighed.sort_values("as_of").iloc[-1]


def _is_number(claim) -> bool:
    return claim.claim_kind == "number"


def unit_words(unit: str, count: float) -> str:
    """A claim's unit in the form its number takes: Russian '1 год', '2,5 года', '30 лет' (a
    fraction takes the form of 2). A number stated in words ('hundreds') takes the form of many."""
    return i18n.np_("unit", unit, unit, count if math.isfinite(count) else 5)


def _last_number(row) -> float:
    """The number a unit follows: the upper end of a range, else the value (NaN when none)."""
    value = row.high if row.precision == "range" else row.value
    return float(value) if _given(value) else math.nan


def describe_report(check, sources: dict[str, str], unit: str | None = None) -> str:
    """'2,030 troops (official final; TASS, 2022-01-14)'."""
    unit_text = f" {unit_words(unit, _last_number(check))}" if _given(unit) else ""
    standing = vocabulary.label("standing", check.standing)
    return f"{stated(check)}{unit_text} ({standing}; {sources[check.source_id]})"


def _claim_window_text(claim) -> str:
    return window_text(window(claim), not _is_number(claim))


def _list(checks, sources, unit=None) -> str:
    return "; ".join(describe_report(c, sources, unit) for c in checks)


def _not_found_reason(checks: pd.DataFrame) -> str:
    related = int((checks["measures"] == "related").sum())
    extra = ("; " + _("{n} report(s) of a related quantity shown for context").format(n=related)
             if related else "")
    return _("No other source in the data reports the same quantity") + extra


def _consistent_reason(claim, weighed, sources) -> str:
    unit = claim.unit if _is_number(claim) else None
    return _("{reports}: within the claim's window {window} ({precision})").format(
        reports=_list(weighed.itertuples(), sources, unit), window=_claim_window_text(claim),
        precision=vocabulary.label(_precision_kind(claim), claim.precision))


def _disputed_reason(claim, weighed, agree, sources) -> str:
    unit = claim.unit if _is_number(claim) else None
    yes = [c for c in weighed.itertuples() if c.check_id in agree]
    no = [c for c in weighed.itertuples() if c.check_id not in agree]
    return _("{yes} of {all} best-standing reports fall within {window}: agree {agree}; "
             "disagree {disagree}").format(yes=len(yes), all=len(weighed),
                                           window=_claim_window_text(claim),
                                           agree=_list(yes, sources, unit),
                                           disagree=_list(no, sources, unit))


def _superseded_reason(claim, earlier, weighed, written, sources) -> str:
    unit = claim.unit if _is_number(claim) else None
    earlier = next(pd.DataFrame([earlier]).itertuples())
    return _("Matched {report}, stated before the article ({written}); since revised: "
             "{reports}").format(report=describe_report(earlier, sources, unit),
                                 written=written.isoformat(),
                                 reports=_list(weighed.itertuples(), sources, unit))


def _differs_reason(claim, nearest, gap, relative, weighed, sources) -> str:
    unit = claim.unit if _is_number(claim) else None
    size = _distance_text(abs(gap), unit, _is_number(claim))
    share = "" if math.isnan(relative) else f", {i18n.percent(abs(relative))}"
    others = [c for c in weighed.itertuples() if c.check_id != nearest.check_id]
    rest = ("; " + _("also weighed: {reports}").format(reports=_list(others, sources, unit))
            if others else "")
    sentence = (_("Nearest best-standing report {report} lies {size} above the claim's window "
                  "{window}") if gap > 0 else
                _("Nearest best-standing report {report} lies {size} below the claim's window "
                  "{window}"))
    return sentence.format(report=describe_report(nearest, sources, unit), size=size + share,
                           window=_claim_window_text(claim)) + rest


def _distance_text(size: float, unit, is_number: bool) -> str:
    """'1,210 troops', '0.29 years', '1 day', '1,250 days (3.4 years)'."""
    if is_number:
        return f"{amount(size)} {unit_words(unit, size)}".strip() if _given(unit) else amount(size)
    days = i18n.n_("{n} day", "{n} days", size).format(n=amount(size))
    if size > 365:
        return _("{days} ({years} years)").format(days=days,
                                                   years=i18n.number(size / 365.25, 1, fixed=True))
    return days


def _precision_kind(row) -> str:
    return "number_precision" if _is_number(row) else "date_precision"


def ledger(claims: pd.DataFrame, checks: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: its verdict, the reason, the reports weighed and the distance."""
    labels = source_labels(sources)
    published = dict(zip(sources["source_id"], sources["date_published"]))
    rows = []
    for claim in claims.itertuples():
        written = published.get(claim.source_id)
        written = None if pd.isna(written) else written.date()
        result = judge(claim, checks[checks["claim_id"] == claim.claim_id], labels, written)
        rows.append({"claim_id": claim.claim_id, "verdict": result.verdict,
                     "verdict_label": vocabulary.label("verdict", result.verdict),
                     "reason": result.reason, "weighed": len(result.weighed),
                     "agreeing": len(result.agreeing), "distance": result.distance,
                     "relative": result.relative,
                     "claim_window": _claim_window_text(claim), "claim_stated": stated(claim)})
    return claims.merge(pd.DataFrame(rows), on="claim_id")


def comparison_rows(claims: pd.DataFrame, checks: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Each report of a number claim relative to the claim's stated figure (for the chart).

    One row per report with a finite point (bounds are drawn at their bound), with whether it was
    weighed, and the claim's own window relative to the same figure.
    """
    labels = source_labels(sources)
    numbers = claims[claims["claim_kind"] == "number"].set_index("claim_id")
    rows = []
    for claim_id, mine in checks[checks["claim_id"].isin(numbers.index)].groupby("claim_id"):
        claim = numbers.loc[claim_id]
        base = _reference(claim)
        if not base:
            continue
        claim_w = window(_Row(claim))
        weighed = set(weighed_reports(mine)["check_id"])
        for check in mine.itertuples():
            reported = window(check)
            point = reported.low if math.isinf(reported.high) else (
                reported.high if math.isinf(reported.low) else (reported.low + reported.high) / 2)
            rows.append({
                "claim_id": claim_id, "label": _chart_label(claim_id, claim),
                "article": stated(_Row(claim)), "reported": stated(check),
                # Three significant digits: where a mark sits on the chart, and what the reader
                # is told it is (tooltip, data table, description), are the same number.
                "ratio": float(f"{point / base:.3g}"),
                "window_low": _finite(claim_w.low, base), "window_high": _finite(claim_w.high, base),
                "role": ("weighed" if check.check_id in weighed else
                         "related" if check.measures == "related" else "not weighed"),
                "standing": vocabulary.label("standing", check.standing),
                "source": labels[check.source_id], "source_id": check.source_id})
    return pd.DataFrame(rows, columns=["claim_id", "label", "article", "reported", "ratio",
                                       "window_low", "window_high", "role", "standing", "source",
                                       "source_id"])


def _chart_label(claim_id: str, claim: pd.Series) -> str:
    verdict = claim.get("verdict_label")
    summary = i18n.data_text("summary", claim["summary"])
    return f"{claim_id} · {verdict}: {summary}" if _given(verdict) else f"{claim_id}: {summary}"


class _Row:
    """Attribute access to a pandas Series, so rows and named tuples read alike."""

    def __init__(self, series: pd.Series):
        self._s = series

    def __getattr__(self, name):
        return self._s.get(name)


def _reference(claim: pd.Series) -> float:
    """The figure a chart compares reports with: the stated value, or a range's middle."""
    if _given(claim.get("value")):
        return float(claim["value"])
    low, high = claim.get("low"), claim.get("high")
    if claim.get("precision") in VAGUE_READINGS:
        low, high = VAGUE_READINGS[claim["precision"]]
    return (float(low) + float(high)) / 2 if _given(low) and _given(high) else 0.0


def _finite(x: float, base: float) -> float:
    return math.nan if math.isinf(x) else x / base
