"""How a source is named to the reader: one home for the words that point at sources.csv."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def source_labels(sources: pd.DataFrame) -> dict[str, str]:
    """'Publisher, YYYY-MM-DD' (or just the publisher when undated) for every source id."""
    dates = sources["date_published"]
    return {source_id: publisher + ("" if pd.isna(date) else f", {date:%Y-%m-%d}")
            for source_id, publisher, date in zip(sources["source_id"], sources["publisher"], dates)}


def source_names(source_ids: Iterable[str], sources: pd.DataFrame) -> list[str]:
    """The labels of the given sources, in the order given, without repeats."""
    labels = source_labels(sources)
    return list(dict.fromkeys(labels[source_id] for source_id in source_ids))
