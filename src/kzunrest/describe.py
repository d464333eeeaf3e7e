"""A chart's written description, computed from the data it draws (its accessible description).

Input: the chart's title and the tables :func:`kzunrest.chartdata.tables` reads from its spec, so
any chart gets a description without code of its own. Two or three sentences: what is drawn and
how it is grouped, the extremes of its main measure, and how the measure (or the number of
marks) runs over time. Every number is taken from the table; the words for the fields are the
chart's own (its tooltip, axis and legend titles).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from . import i18n
from .chartdata import GEO_CHANNELS, SOURCE_FIELD, cell_text
from .i18n import _, n_

POSITIONS = ("y", "x", "size", "facet", "color", "tooltip")
SERIES_CHANNELS = {"color", "fill", "stroke", "strokeDash", "shape", "detail"}
MAX_SERIES = 4
MAX_LISTED = 5


def _number(value: float) -> str:
    """Whole numbers with thousands separators; others as the data table shows them, so a reader
    finds the number there."""
    if float(value).is_integer():
        return i18n.number(int(value))
    return cell_text(float(value)).replace(".", i18n.number(0.5, 1)[1])


def _date(value: str) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return i18n.date(day, "long")


def _text(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == "temporal":
        return _date(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _who(names: list[str]) -> str:
    """'Zhanaozen', or 'Zhanaozen and 3 others'."""
    names = list(dict.fromkeys(n for n in names if n))
    if not names:
        return ""
    more = len(names) - 1
    return names[0] if not more else n_("{name} and {n} other", "{name} and {n} others", more).format(
        name=names[0], n=i18n.number(more))


def _column(table: dict, kind: str, channels: tuple = POSITIONS, exclude: set | None = None):
    """The first column of a kind, by channel priority (a measure on y before one on x ...)."""
    for channel in channels:
        for index, column in enumerate(table["columns"]):
            if column["field"] == SOURCE_FIELD or set(column["channels"]) & GEO_CHANNELS:
                continue
            if exclude and index in exclude:
                continue
            if column["type"] == kind and channel in column["channels"]:
                return index
    return None


def _primary(tables: list[dict]) -> dict:
    """The table the description is about: one with a measure if any, the longest otherwise."""
    with_measure = [t for t in tables if _column(t, "quantitative") is not None]
    return max(with_measure or tables, key=lambda t: len(t["rows"]))


def _values(table: dict, index: int) -> list:
    return [row[index] for row in table["rows"]]


def describe(title: str, tables: list[dict]) -> str:
    """Two or three sentences on what a chart draws, from its data tables."""
    if not tables or not any(t["rows"] for t in tables):
        return _("{title}: the chart has no data to draw.").format(title=title)
    table = _primary(tables)
    rows, columns = table["rows"], table["columns"]
    measure = _column(table, "quantitative")
    when = _column(table, "temporal")
    name = _column(table, "nominal", ("y", "x", "text", "tooltip"))
    nominal = [i for i, c in enumerate(columns)
               if c["type"] in ("nominal", "ordinal") and c["field"] != SOURCE_FIELD]
    facet = next((i for i in nominal if "facet" in columns[i]["channels"]), None)
    series = [i for i in nominal if set(columns[i]["channels"]) & SERIES_CHANNELS]
    sentences = [_what(title, table, name, series, nominal)]
    if measure is not None:
        sentences.append(_extremes(table, measure, name, when, facet))
    else:
        sentences.append(_most_marks(table, name))
    if when is not None:
        trend = _trend(table, measure, when, series)
        if trend:
            sentences.append(trend)
    return " ".join(s for s in sentences if s)


def _what(title: str, table: dict, name: int | None, series: list[int], nominal: list[int]) -> str:
    rows, columns = table["rows"], table["columns"]
    # The title is the chart's accessible name already; the description starts after it.
    text = n_("The chart draws {n} mark", "The chart draws {n} marks", len(rows)).format(
        n=i18n.number(len(rows)))
    if name is not None:
        distinct = len({row[name] for row in rows})
        if distinct != len(rows):
            text += n_(" for {n} value of “{label}”", " for {n} values of “{label}”", distinct).format(
                n=i18n.number(distinct), label=columns[name]["label"])
    group = next((i for i in series if i != name and 1 < len({row[i] for row in rows}) <= 8), None)
    if group is not None:
        counts = Counter(row[group] for row in rows if row[group] is not None)
        shown = [f"{value} {i18n.number(count)}" for value, count in counts.most_common(MAX_LISTED)]
        more = len(counts) - len(shown)
        listed = (_("{items} and {n} more").format(items=", ".join(shown), n=i18n.number(more))
                  if more > 0 else _listing(shown))
        text += _(", by “{label}” ({listing})").format(label=columns[group]["label"], listing=listed)
    return text + "."


def _label_of(row: list, name: int | None, when: int | None, columns: list) -> str:
    parts = [str(row[name])] if name is not None and row[name] is not None else []
    if when is not None and row[when] is not None:
        parts.append(_date(row[when]))
    return ", ".join(parts)


def _extremes(table: dict, measure: int, name: int | None, when: int | None,
              facet: int | None) -> str:
    rows, columns = table["rows"], table["columns"]
    label = columns[measure]["label"]
    valued = [row for row in rows if isinstance(row[measure], (int, float))]
    if not valued:
        return ""
    if facet is not None:
        parts = []
        for group in dict.fromkeys(row[facet] for row in valued):
            numbers = [row[measure] for row in valued if row[facet] == group]
            low, high = min(numbers), max(numbers)
            parts.append(f"{group} {_number(low)}" if low == high
                         else _("{group} from {low} to {high}").format(
                             group=group, low=_number(low), high=_number(high)))
        return _("“{label}” by “{facet}”: {parts}.").format(
            label=label, facet=columns[facet]["label"], parts="; ".join(parts))
    low = min(row[measure] for row in valued)
    high = max(row[measure] for row in valued)
    lows = [_label_of(r, name, when, columns) for r in valued if r[measure] == low]
    highs = [_label_of(r, name, when, columns) for r in valued if r[measure] == high]
    if low == high:
        return _("Every mark has “{label}” {value}.").format(label=label, value=_number(low))
    return _("“{label}” runs from {low} to {high}.").format(
        label=label, low=_number(low) + (f" ({_who(lows)})" if _who(lows) else ""),
        high=_number(high) + (f" ({_who(highs)})" if _who(highs) else ""))


def _most_marks(table: dict, name: int | None) -> str:
    if name is None:
        return ""
    counts = Counter(row[name] for row in table["rows"] if row[name] is not None)
    if not counts or max(counts.values()) == 1:
        return ""
    top = max(counts.values())
    leaders = [value for value, count in counts.items() if count == top]
    return _("Most marks for one “{label}”: {n} ({who}).").format(
        label=table["columns"][name]["label"], n=i18n.number(top),
        who=_who([str(v) for v in leaders]))


def _trend(table: dict, measure: int | None, when: int, series: list[int]) -> str:
    rows, columns = table["rows"], table["columns"]
    dated = sorted((row for row in rows if row[when] is not None), key=lambda r: str(r[when]))
    if not dated:
        return ""
    first, last = _date(dated[0][when]), _date(dated[-1][when])
    positional = bool({"x", "y"} & set(columns[when]["channels"]))
    if measure is None or not positional:
        values = {"label": columns[when]["label"], "first": first, "last": last,
                  "busiest": _busiest(dated, when, series, columns)}
        return (_("“{label}” runs from {first} to {last}; {busiest}.") if first != last
                else _("“{label}” runs on {first}; {busiest}.")).format(**values)
    keys = [tuple(row[i] for i in series) for row in dated]
    groups = list(dict.fromkeys(keys))
    note = ""
    if len(groups) > MAX_SERIES:  # too many lines to read out: the one with the most marks
        groups = [Counter(keys).most_common(1)[0][0]]
        note = " " + _("(the series with the most marks)")
    parts = []
    for group in groups:
        points = [row for row, key in zip(dated, keys)
                  if key == group and isinstance(row[measure], (int, float))]
        if not points:
            continue
        peak = max(points, key=lambda r: r[measure])
        start, end = points[0], points[-1]
        name = ", ".join(map(str, group))
        if len(points) == 1:
            text = _("{value} on {date} only").format(value=_number(start[measure]),
                                                      date=_date(start[when]))
        else:
            text = _("from {first} on {first_date} to {last} on {last_date}").format(
                first=_number(start[measure]), first_date=_date(start[when]),
                last=_number(end[measure]), last_date=_date(end[when]))
            if peak[measure] > max(start[measure], end[measure]):
                text += _(", highest {value} on {date}").format(value=_number(peak[measure]),
                                                                date=_date(peak[when]))
        parts.append(f"{name}{note} {text}" if name else text)
    return _("“{label}” over time: {parts}.").format(label=columns[measure]["label"],
                                                      parts="; ".join(parts))


def _busiest(dated: list, when: int, series: list[int], columns: list) -> str:
    """The date with the most marks, per value of the first legend (when it has few values)."""
    split = series[0] if series and len({r[series[0]] for r in dated}) <= 3 else None
    values = list(dict.fromkeys(r[split] for r in dated)) if split is not None else [None]
    parts = []
    for value in values:
        per_day = Counter(str(r[when])[:10] for r in dated if split is None or r[split] == value)
        top = max(per_day.values())
        days = [d for d, n in per_day.items() if n == top]
        where = (n_("{date} and {n} other date", "{date} and {n} other dates", len(days) - 1).format(
            date=_date(days[0]), n=i18n.number(len(days) - 1)) if len(days) > 1 else _date(days[0]))
        parts.append((_("“{value}”").format(value=value) + " " if value is not None else "")
                      + _("{n} on {date}").format(n=i18n.number(top), date=where))
    return _("the most marks on one date: {parts}").format(parts="; ".join(parts))
