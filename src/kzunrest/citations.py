"""How a source is named to the reader: one home for the words that point at sources.csv."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def ids_text(ids: Iterable[str]) -> str:
    """A row's source ids as one string, as a chart's data may carry them (see :func:`ids_in`)."""
    return " ".join(ids)


def ids_in(value: object) -> list[str]:
    """The source ids a chart row carries: a list, or one string of ids separated by spaces (a
    region-day of the million-row benchmark cites 1,400 sources; Altair walks every item of a
    list in a chart's data, but a string in one step)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(i) for i in value if i]
    return []


def source_labels(sources: pd.DataFrame) -> dict[str, str]:
    """'Publisher, YYYY-MM-DD' (or just the publisher when undated) for every source id."""
    dates = sources["date_published"]
    return {source_id: publisher + ("" if pd.isna(date) else f", {date:%Y-%m-%d}")
            for source_id, publisher, date in zip(sources["source_id"], sources["publisher"], dates)}


def source_names(source_ids: Iterable[str], sources: pd.DataFrame) -> list[str]:
    """The labels of the given sources, in the order given, without repeats."""
    labels = source_labels(sources)
    return list(dict.fromkeys(labels[source_id] for source_id in source_ids))
