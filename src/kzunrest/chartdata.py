"""The data a chart draws, read back from its Vega-Lite spec: one table per drawn dataset.

Works for any chart built with Altair, so a new chart passed to :func:`kzunrest.render.figure`
gets its data table, its CSV and its description without code of its own. A table holds exactly
the rows the chart was given and the columns its marks use (positions, colours, sizes, text and
tooltips); each column is headed by the words the chart shows for that field (its tooltip,
axis or legend title), or else by the field's ``title`` in ``datapackage.json``. Columns with
neither (helper fields such as a sort rank) are left out, as are map geometry, datasets drawn only
as text labels beside other marks, and single reference values (a rule at 1).

A table is a plain dict, JSON-ready for notebook metadata::

    {"columns": [{"field", "label", "type", "channels"}], "rows": [[value, ...]],
     "source_ids": [[id, ...], ...]}   # per row, when the rows carry source_id / source_ids
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from . import vocabulary
from .citations import ids_in

# Channels whose field is data a reader sees; order, offsets and keys only arrange marks.
SKIPPED_CHANNELS = {"order", "xOffset", "yOffset", "key", "href", "url", "description"}
GEO_CHANNELS = {"longitude", "latitude", "longitude2", "latitude2"}
# The field naming a mark's source(s) in words; the report adds their numbers in its Sources list.
SOURCE_FIELD = "source"


def _ref(data: dict | None) -> tuple[str, object] | None:
    """A hashable handle for a data reference: ('name', ...) or ('values', id(list))."""
    if not isinstance(data, dict):
        return None
    if "name" in data:
        return ("name", data["name"])
    if "values" in data:
        return ("values", id(data["values"]))
    return None


def _units(spec: dict, data: dict | None = None, facets: tuple = ()) -> Iterator[tuple]:
    """Every unit (single-mark) spec with the data it draws and the facet fields above it."""
    data = spec.get("data", data)
    if "mark" in spec:
        yield spec, data, facets
        return
    if "facet" in spec and "spec" in spec:
        facet = spec["facet"]
        defs = [facet[k] for k in ("row", "column") if k in facet] if (
            "row" in facet or "column" in facet) else [facet]
        yield from _units(spec["spec"], data, facets + tuple(d for d in defs if isinstance(d, dict)))
        return
    for key in ("layer", "concat", "vconcat", "hconcat"):
        for child in spec.get(key, []):
            yield from _units(child, data, facets)
    if "spec" in spec:  # repeat
        yield from _units(spec["spec"], data, facets)


def _field_defs(unit: dict, facets: tuple) -> Iterator[tuple[str, dict]]:
    """(channel, field definition) for every field a unit's marks use."""
    for defn in facets:
        if "field" in defn:
            yield "facet", defn
    for channel, defn in (unit.get("encoding") or {}).items():
        if channel in SKIPPED_CHANNELS:
            continue
        for item in (defn if isinstance(defn, list) else [defn]):
            if not isinstance(item, dict):
                continue
            if "field" in item:
                yield channel, item
            condition = item.get("condition")
            for cond in (condition if isinstance(condition, list) else [condition]):
                if isinstance(cond, dict) and "field" in cond:
                    yield channel, cond


def _title(defn: dict) -> str | None:
    for holder in (defn, defn.get("axis") or {}, defn.get("legend") or {}, defn.get("header") or {}):
        title = holder.get("title") if isinstance(holder, dict) else None
        if isinstance(title, list):
            title = " ".join(map(str, title))
        if title:
            return str(title)
    return None


def _mark(unit: dict) -> str:
    mark = unit.get("mark")
    return mark.get("type", "") if isinstance(mark, dict) else str(mark)


def _rows(spec: dict, data: dict | None) -> list | None:
    if not isinstance(data, dict):
        return None
    if "values" in data:
        rows = data["values"]
    elif "name" in data:
        rows = (spec.get("datasets") or {}).get(data["name"])
    else:
        return None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return None
    if "geometry" in rows[0]:  # map outlines: shapes, not data a reader reads
        return None
    return rows


def row_source_ids(row: dict) -> list[str]:
    """The source ids a row of a chart's data cites (``source_ids``, or one ``source_id``)."""
    if "source_ids" in row:
        return ids_in(row["source_ids"])
    if row.get("source_id"):
        return [str(row["source_id"])]
    return []


def _clean(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def tables(spec: dict) -> list[dict]:
    """The data drawn by a Vega-Lite spec (``chart.to_dict()``), one table per dataset."""
    everywhere: dict[str, str] = {}  # field -> a title given anywhere in the figure
    used: dict = {}  # dataset handle -> {"rows", "fields", "titles", "marks"}
    for unit, data, facets in _units(spec):
        # A lookup draws the rows of another dataset on this unit's shapes.
        sources = [(data, None)]
        for step in unit.get("transform", []):
            if "lookup" in step and isinstance(step.get("from"), dict):
                sources.append((step["from"].get("data"), step))
        defs = list(_field_defs(unit, facets))
        for channel, defn in defs:
            if _title(defn):
                everywhere.setdefault(defn["field"], _title(defn))
        for source, lookup in sources:
            rows = _rows(spec, source)
            handle = _ref(source)
            if rows is None or handle is None:
                continue
            entry = used.setdefault(handle, {"rows": rows, "fields": {}, "titles": {},
                                             "marks": set(), "extra": set()})
            entry["marks"].add(_mark(unit))
            keys = rows[0].keys()
            tooltip_at = 0
            for channel, defn in defs:
                field = defn["field"]
                if lookup is not None and field == lookup["lookup"]:
                    field = lookup["from"].get("key", field)  # the key stands for the shape
                if field not in keys:
                    continue
                if channel == "tooltip":
                    tooltip_at += 1
                rank = tooltip_at if channel == "tooltip" else 1000 + len(entry["fields"])
                old_rank, channels = entry["fields"].get(field, (rank, []))
                entry["fields"][field] = (min(rank, old_rank), channels + [channel])
                title = _title(defn)
                if title and (channel == "tooltip" or field not in entry["titles"]):
                    entry["titles"].setdefault(("tooltip" if channel == "tooltip" else "other", field),
                                               title)
                entry.setdefault("types", {}).setdefault(field, defn.get("type"))
            if lookup is not None:
                for field in [lookup["from"].get("key"), *lookup["from"].get("fields", [])]:
                    entry["fields"].setdefault(field, (2000, ["lookup"]))
                for field in keys:  # e.g. the day a panel's shading belongs to
                    if field not in entry["fields"]:
                        entry["fields"][field] = (-1, [])
                        entry["extra"].add(field)

    def label(entry: dict, field: str) -> str | None:
        titles = entry["titles"]
        return (titles.get(("tooltip", field)) or titles.get(("other", field))
                or (everywhere.get(field) if field in entry["extra"] else None)
                or vocabulary.field_title(field))

    found: list[dict] = []
    only_text = []
    for entry in used.values():
        columns, seen_labels = [], set()
        # Reading order: the tooltip's order (authored for readers), then the other channels.
        for field, (_, channels) in sorted(entry["fields"].items(), key=lambda item: item[1][0]):
            text = label(entry, field)
            if not text or text in seen_labels:
                continue
            seen_labels.add(text)
            kind = entry.get("types", {}).get(field) or _guess_type(entry["rows"], field)
            columns.append({"field": field, "label": text, "type": kind,
                            "channels": sorted(set(channels))})
        if not columns:
            continue
        rows = [[_clean(row.get(c["field"])) for c in columns] for row in entry["rows"]]
        if len(rows) == 1 and len(columns) == 1:
            continue  # a single reference value (e.g. a rule at 1)
        ids = [row_source_ids(row) for row in entry["rows"]]
        # Tables with the same columns (one per panel of small multiples) become one.
        same = next((t for t in found if t["columns"] == columns), None)
        if same is not None:
            same["rows"] += rows
            same["source_ids"] += ids
            continue
        found.append({"columns": columns, "rows": rows, "source_ids": ids})
        only_text.append(entry["marks"] <= {"text"})
    if any(not text for text in only_text):  # labels beside other marks repeat their data
        found = [t for t, text in zip(found, only_text) if not text]
    for table in found:
        if not any(table["source_ids"]):
            table["source_ids"] = None
        elif SOURCE_FIELD not in [c["field"] for c in table["columns"]]:
            # The marks carry their sources but the chart names none: the table does, once the
            # report has numbered them (``assemble`` fills the column).
            table["columns"].append({"field": SOURCE_FIELD, "type": "nominal", "channels": [],
                                     "label": vocabulary.field_title("source_id") or SOURCE_FIELD})
            for row in table["rows"]:
                row.append(None)
    return found


def _guess_type(rows: list, field: str) -> str:
    values = [r.get(field) for r in rows if r.get(field) is not None]
    return "quantitative" if values and all(isinstance(v, (int, float)) for v in values) else "nominal"


def cell_text(value: object) -> str:
    """A value as a table cell and CSV field: blank for missing, integers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6g}"
    if isinstance(value, list):
        return "; ".join(cell_text(v) for v in value)
    return str(value)
