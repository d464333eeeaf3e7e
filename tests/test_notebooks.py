"""Real Papermill runs of every chapter, with default and non-default parameters; the narrative's
numbers are checked against counts made here straight from the CSV files."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from conftest import DATA, ROOT

NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / name
    papermill.execute_notebook(str(NOTEBOOKS / name), str(out), kernel_name="python3",
                               parameters={"data_dir": str(DATA), **parameters},
                               cwd=str(NOTEBOOKS), progress_bar=False)
    return nbformat.read(out, as_version=4)


def outputs(nb, mimetype: str) -> list:
    return [o["data"][mimetype] for cell in nb.cells for o in cell.get("outputs", [])
            if mimetype in o.get("data", {})]


def figures(nb) -> list[dict]:
    return [o["metadata"]["kzunrest"] for cell in nb.cells for o in cell.get("outputs", [])
            if o.get("metadata", {}).get("kzunrest", {}).get("figure")]


def table(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_notebooks_are_committed_without_outputs_and_with_documented_parameters():
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1, path.name
        declared = papermill.inspect_notebook(str(path))
        assert "data_dir" in declared
        for name, spec in declared.items():
            assert spec["help"], f"{path.name}: parameter {name} has no comment"


def test_spread_chapter_defaults(tmp_path):
    nb = execute("01_protest_spread.ipynb", tmp_path)
    rows = [r for r in table("protest_spread") if "2022-01-01" <= r["date"] <= "2022-01-19"]
    cities, regions = {r["city"] for r in rows}, {r["region"] for r in rows}
    text = outputs(nb, "text/markdown")[0]
    assert f"**{len(cities)} cities** across **{len(regions)} regions**" in text
    assert f"({len(rows)} dated reports" in text
    per_day = Counter()
    for day in {r["date"] for r in rows}:
        per_day[day] = len({r["city"] for r in rows if r["date"] == day})
    busiest = max(sorted(per_day), key=lambda d: per_day[d])
    assert f"with reports from {per_day[busiest]} cities" in text
    assert [f["title"] for f in figures(nb)] == [
        "Where unrest was reported, by the day it was first reported",
        "Day by day: regions and cities with reported unrest",
        "Cities and regions with reported unrest, by day"]
    assert all(f["caption"] and f["sources"] for f in figures(nb))


def test_spread_chapter_one_region_short_window(tmp_path):
    nb = execute("01_protest_spread.ipynb", tmp_path, start_date="2022-01-04",
                 end_date="2022-01-06", regions=["Almaty city", "Mangystau Region"])
    rows = [r for r in table("protest_spread") if "2022-01-04" <= r["date"] <= "2022-01-06"
            and r["region"] in ("Almaty city", "Mangystau Region")]
    cities = {r["city"] for r in rows}
    text = outputs(nb, "text/markdown")[0]
    assert f"**{len(cities)} cities** across **2 regions**" in text
    assert "Between 4 January 2022 and 6 January 2022" in text
    panels = [o for o in outputs(nb, "application/vnd.vega.v5+json")]
    assert len(panels) == 3


def test_arrests_chapter_defaults_and_january_only(tmp_path):
    nb = execute("02_arrests_dismissals.ipynb", tmp_path)
    dated = [r for r in table("arrests_dismissals") if r["date"] and r["date"] <= "2023-12-31"]
    rows = [r for r in dated if r["linked"] == "true"]
    undated = [r for r in table("arrests_dismissals") if not r["date"] and r["linked"] == "true"]
    text = next(t for t in outputs(nb, "text/markdown") if "actions** linked" in t)
    assert (f"**{len(rows)} actions** linked by their sources to the January events, against "
            f"**{len({r['person'] for r in rows})} people**") in text
    assert f"{len(dated) - len(rows)} further actions whose source does not link them" in text
    assert f"A further {len(undated)} actions reported without a date are listed" in text

    nb = execute("02_arrests_dismissals.ipynb", tmp_path, end_date="2022-01-31",
                 affiliations=["nazarbayev_family"])
    rows = [r for r in table("arrests_dismissals") if r["date"] and r["date"] <= "2022-01-31"
            and r["affiliation"] == "nazarbayev_family"]
    linked = [r for r in rows if r["linked"] == "true"]
    text = next(t for t in outputs(nb, "text/markdown") if "actions** linked" in t)
    assert f"**{len(linked)} actions** linked" in text
    dated_table = next(h for h in outputs(nb, "text/html") if "Dated actions" in h)
    assert all(r["person"] in dated_table for r in rows)
    assert "Karim Massimov" not in dated_table
    assert not re.search(r"<td>(2022-(0[2-9]|1[0-2])|202[3-9])", dated_table)  # nothing after January


def test_arrests_chapter_opens_with_the_detention_counts(tmp_path):
    nb = execute("02_arrests_dismissals.ipynb", tmp_path)
    counts = table("detentions")
    text = next(t for t in outputs(nb, "text/markdown") if "reported count" in t)
    assert f"**{len(counts)} reported counts** from {len({r['source_id'] for r in counts})} sources" in text
    official = [r for r in counts if r["official"] == "true" and r["scope"] == "national"
                and r["measure"] == "detained"]
    latest = max(official, key=lambda r: r["as_of"])
    assert f"detained **{int(latest['value'] or latest['low']):,}**" in text.replace("more than ", "").replace("about ", "").replace("nearly ", "")
    assert [f["title"] for f in figures(nb)][0] == "Detentions, arrests, charges and sentences as reported"
    table_html = next(h for h in outputs(nb, "text/html") if "Every reported count" in h)
    assert table_html.count("<tr") == len(counts) + 1


def test_tolls_chapter_all_and_official(tmp_path):
    nb = execute("03_death_tolls.ipynb", tmp_path)
    rows = [r for r in table("death_tolls") if r["event"] == "zhanaozen_2011" and r["category"] == "total"]
    closed = [int(r["value"]) for r in rows if r["value"]] + [int(r["high"]) for r in rows if r["high"]]
    at_least = [int(r["low"]) for r in rows if r["low"] and not r["high"]]
    lowest = min(int(r["value"] or r["low"]) for r in rows)
    top = (f"at least {max(at_least)}" if at_least and max(at_least) > max(closed) else str(max(closed)))
    text = next(t for t in outputs(nb, "text/markdown") if "reported totals" in t)
    assert (f"**Zhanaozen, December 2011**: {len(rows)} reported totals, spanning "
            f"{lowest} to {top} deaths.") in text

    nb = execute("03_death_tolls.ipynb", tmp_path, figures="official")
    official = [r for r in table("death_tolls") if r["official"] == "true"]
    html = outputs(nb, "text/html")[-1]
    assert html.count("<tr") == len(official) + 1  # header row + one per figure


def test_claims_chapter_counts(tmp_path):
    nb = execute("04_claims_ledger.ipynb", tmp_path)
    claims = table("claims")
    same_quantity = {r["claim_id"] for r in table("claim_checks") if r["measures"] == "same"}
    text = outputs(nb, "text/markdown")[0]
    assert f"**{len(claims)} claims**" in text
    assert f"not found elsewhere: **{sum(c['claim_id'] not in same_quantity for c in claims)}**" in text

    nb = execute("04_claims_ledger.ipynb", tmp_path, articles=["junisbai-2022-ponars-memo"])
    junisbai = [c for c in claims if c["source_id"] == "junisbai-2022-ponars-memo"]
    assert f"**{len(junisbai)} claims**" in outputs(nb, "text/markdown")[0]


@pytest.mark.parametrize("name,parameters,message", [
    ("01_protest_spread.ipynb", {"regions": ["Atlantis Region"]},
     "parameter regions: unknown value(s) 'Atlantis Region'; allowed: Akmola Region"),
    ("01_protest_spread.ipynb", {"start_date": "2022-01-10", "end_date": "2022-01-05"},
     "parameter start_date: 2022-01-10 is after end_date 2022-01-05; the start must come first"),
    ("01_protest_spread.ipynb", {"end_date": "2022-02-30"},
     "parameter end_date: '2022-02-30' is not a date in the form YYYY-MM-DD"),
    ("01_protest_spread.ipynb", {"regions": "Almaty city"},
     "parameter regions: expected a list of strings (empty for all 17 regions), got str"),
    ("02_arrests_dismissals.ipynb", {"data_dir": "/nonexistent/data"},
     "parameter data_dir: /nonexistent/data: data directory does not exist; pass an existing "
     "directory (it must contain datapackage.json and the CSV files)"),
    ("03_death_tolls.ipynb", {"figures": "some"},
     "parameter figures: 'some' is not allowed; use one of: all, official"),
])
def test_bad_parameters_stop_with_a_clear_message(tmp_path, name, parameters, message):
    with pytest.raises(PapermillExecutionError) as error:
        execute(name, tmp_path, **parameters)
    assert error.value.ename == "ParameterError"
    assert error.value.evalue.startswith(message), error.value.evalue
