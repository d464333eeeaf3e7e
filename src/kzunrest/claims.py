"""The claims ledger: each claim of the source articles beside the other reports of it.

Verdicts are computed, never typed:

* **not found elsewhere** — no other source in ``claim_checks.csv``;
* **consistent** — at least one other report agrees: the same number (a claimed range, or an
  "at least N" claim, agrees with any report inside it; a reported range agrees with a claim
  inside it), or the same date;
* **differs** — no report agrees; the verdict gives the nearest report and the distance to it
  (in units and per cent for numbers, in days for dates).
"""

from __future__ import annotations

import math

import pandas as pd

CONSISTENT, DIFFERS, NOT_FOUND = "consistent", "differs", "not found elsewhere"


def _interval(value, low, high) -> tuple[float, float]:
    """A figure as a closed interval: a single value, a range, or 'at least low' (open above)."""
    if pd.notna(value):
        return float(value), float(value)
    return float(low), (float(high) if pd.notna(high) else math.inf)


def _gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Signed distance from interval a to interval b (0 when they overlap)."""
    if b[1] < a[0]:
        return b[1] - a[0]
    if b[0] > a[1]:
        return b[0] - a[1]
    return 0.0


def _number_verdict(claim, checks: pd.DataFrame) -> dict:
    claimed = _interval(claim.value, claim.low, claim.high)
    gaps = [_gap(claimed, _interval(c.value, c.low, c.high)) for c in checks.itertuples()]
    agree = sum(g == 0 for g in gaps)
    if agree:
        return {"verdict": CONSISTENT, "agree": agree, "distance": 0.0, "relative": 0.0}
    nearest = min(gaps, key=abs)
    base = claimed[0] if nearest < 0 else claimed[1]
    relative = nearest / base if base else math.nan
    return {"verdict": DIFFERS, "agree": 0, "distance": nearest, "relative": relative}


def _date_verdict(claim, checks: pd.DataFrame) -> dict:
    dates = checks["reported_date"].dropna()
    if dates.empty:
        return {"verdict": NOT_FOUND, "agree": 0, "distance": math.nan, "relative": math.nan}
    days = [(d - claim.claim_date).days for d in dates]
    agree = sum(d == 0 for d in days)
    if agree:
        return {"verdict": CONSISTENT, "agree": agree, "distance": 0.0, "relative": math.nan}
    return {"verdict": DIFFERS, "agree": 0, "distance": float(min(days, key=abs)), "relative": math.nan}


def _describe(claim, result: dict, reports: int) -> str:
    if result["verdict"] == NOT_FOUND:
        return "Not found elsewhere"
    if result["verdict"] == CONSISTENT:
        return f"Consistent ({result['agree']} of {reports} other reports agree)"
    if claim.claim_kind == "date":
        days = int(result["distance"])
        return f"Differs: the nearest other report is {abs(days)} day{'s' * (abs(days) != 1)} " \
               f"{'later' if days > 0 else 'earlier'}"
    direction = "higher" if result["distance"] > 0 else "lower"
    unit = f" {claim.unit}" if pd.notna(claim.unit) else ""
    percent = "" if math.isnan(result["relative"]) else f", {abs(result['relative']):.0%}"
    return (f"Differs: the nearest other report is {abs(result['distance']):,.0f}{unit} "
            f"{direction}{percent}")


def ledger(claims: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: its verdict, the distance to the nearest other report, and a sentence."""
    rows = []
    for claim in claims.itertuples():
        mine = checks[checks["claim_id"] == claim.claim_id]
        if claim.claim_kind == "number":
            mine = mine[mine["value"].notna() | mine["low"].notna()]
        if mine.empty:
            result = {"verdict": NOT_FOUND, "agree": 0, "distance": math.nan, "relative": math.nan}
        elif claim.claim_kind == "number":
            result = _number_verdict(claim, mine)
        else:
            result = _date_verdict(claim, mine)
        rows.append({"claim_id": claim.claim_id, "reports": len(mine), **result,
                     "verdict_text": _describe(claim, result, len(mine))})
    return claims.merge(pd.DataFrame(rows), on="claim_id")


def figure(value, low, high, unit=None) -> str:
    """A claimed or reported number as text: '3,600', '200–300', 'more than 1,500'."""
    if pd.notna(value):
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    elif pd.notna(high):
        text = f"{low:,.0f}–{high:,.0f}"
    elif pd.notna(low):
        text = f"at least {low:,.0f}"
    else:
        return ""
    return f"{text} {unit}" if unit and pd.notna(unit) else text


def comparison_rows(claims: pd.DataFrame, checks: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Each other report of a number claim, relative to the article's figure (for the chart)."""
    from .render import source_labels

    labels = source_labels(sources)
    numbers = claims[(claims["claim_kind"] == "number")].set_index("claim_id")
    rows = []
    for check in checks.itertuples():
        if check.claim_id not in numbers.index or (pd.isna(check.value) and pd.isna(check.low)):
            continue
        claim = numbers.loc[check.claim_id]
        claimed = _interval(claim["value"], claim["low"], claim["high"])
        reported = _interval(check.value, check.low, check.high)
        base = claimed[0]
        if not base:
            continue
        point = reported[0] if math.isinf(reported[1]) else (reported[0] + reported[1]) / 2
        rows.append({"claim_id": check.claim_id, "subject": claim["subject"],
                     "label": f"{check.claim_id}: {claim['subject']}",
                     "article": figure(claim["value"], claim["low"], claim["high"], claim["unit"]),
                     "reported": figure(check.value, check.low, check.high, claim["unit"]),
                     "ratio": point / base,
                     "source": labels[check.source_id]})
    return pd.DataFrame(rows, columns=["claim_id", "subject", "label", "article", "reported",
                                       "ratio", "source"])
