"""The data a chart draws, read back from any Altair spec, and the sentences describing it."""

from __future__ import annotations

import altair as alt
import pandas as pd

from kzunrest import chartdata, describe


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"day": ["2022-01-01", "2022-01-02", "2022-01-03", "2022-01-04"],
                         "value": [3, 11, 7, 2], "rank": [4, 1, 2, 3],
                         "place": ["Aktau", "Almaty", "Aktau", "Taraz"],
                         "source_id": ["a-1", "b-2", "a-1", "c-3"]})


def test_a_table_holds_the_rows_and_the_titled_fields_the_marks_use():
    frame = _frame()
    points = alt.Chart(frame).mark_point().encode(
        x=alt.X("day:T", title="Day"), y=alt.Y("value:Q", title="Count"),
        order="rank:Q", tooltip=[alt.Tooltip("place:N", title="Place")])
    labels = alt.Chart(frame).mark_text().encode(x="day:T", y="value:Q", text="place:N")
    tables = chartdata.tables(alt.layer(points, labels).to_dict())
    assert len(tables) == 1  # the text labels repeat the points' data
    table = tables[0]
    # Tooltip order first; the sort rank has no title and is no reader's column; the rows cite
    # sources, so a Source column waits for the report to number them.
    assert [c["label"] for c in table["columns"]] == ["Place", "Day", "Count", "Source"]
    assert [row[:3] for row in table["rows"]] == [
        [p, d, v] for p, d, v in zip(frame["place"], frame["day"], frame["value"])]
    assert table["source_ids"] == [[s] for s in frame["source_id"]]


def test_the_description_names_the_extremes_and_the_run_over_time():
    chart = alt.Chart(_frame()).mark_line().encode(
        x=alt.X("day:T", title="Day"), y=alt.Y("value:Q", title="Count"),
        tooltip=[alt.Tooltip("place:N", title="Place")])
    text = describe.describe("Counts", chartdata.tables(chart.to_dict()))
    assert "4 marks" in text
    assert "from 2 (Taraz, 4 January 2022) to 11 (Almaty, 2 January 2022)" in text
    assert "from 3 on 1 January 2022 to 2 on 4 January 2022, highest 11 on 2 January 2022" in text
