"""The work no pipeline can avoid, in one plain Python process (the benchmark's "floor"):
load and validate the data, build every chart of the report, render each to SVG with
vl-convert, write one HTML file and print it to PDF with the same Chromium.

    python scripts/floor.py OUTPUT_DIR [DATA_DIR]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pandas as pd
import vl_convert

from kzunrest import analysis, charts, claims, data
from kzunrest.export import _print_pdf, chromium_path


def every_chart(ds: data.Dataset) -> list:
    start, end, until = pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-19"), pd.Timestamp("2023-12-31")
    spread = analysis.filter_spread(ds.protest_spread, start, end, [])
    events = analysis.marked_events(ds.key_events, ds.sources, start, end)
    outline, regions = charts.kazakhstan_outline(), charts.regions_2022()
    first_day = spread["date"].min()
    actions = analysis.people_actions(ds.arrests_dismissals, ds.sources, until, [])
    tolls = analysis.tolls_for_chart(ds.death_tolls, ds.sources, "all")
    official = analysis.official_series(ds.death_tolls, ds.sources)
    ledger = claims.ledger(ds.claims, ds.claim_checks, ds.sources)
    return [
        charts.spread_map(analysis.first_seen(spread), outline, start, end, regions),
        charts.spread_small_multiples(analysis.spread_by_day(spread, first_day, end),
                                      analysis.region_days(spread, first_day, end), outline, regions),
        charts.places_per_day(analysis.daily_counts_long(analysis.daily_counts(spread, start, end)),
                            events, analysis.internet_shutdowns(ds.key_events)),
        charts.detentions_over_time(analysis.detention_counts(ds.detentions, ds.sources, until)),
        charts.people_timeline(actions, analysis.marked_events(ds.key_events, ds.sources,
                                                               actions["date"].min(), until)),
        charts.tolls_compared(tolls),
        charts.official_toll_over_time(official[official["as_of"].notna()]),
        charts.claims_compared(claims.comparison_rows(ledger, ds.claim_checks, ds.sources)),
    ]


def main(out: Path, data_dir: str | None) -> None:
    ds = data.load(data_dir)  # validates the whole package
    svgs = [vl_convert.vegalite_to_svg(chart.to_dict()) for chart in every_chart(ds)]
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>floor</title></head><body>"
            + "".join(f"<figure>{svg}</figure>" for svg in svgs) + "</body></html>")
    out.mkdir(parents=True, exist_ok=True)
    (out / "floor.html").write_text(html, encoding="utf-8")
    (out / "floor.pdf").write_bytes(asyncio.run(_print_pdf(html, chromium_path())))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
