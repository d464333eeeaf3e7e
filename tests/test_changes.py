"""What changed between two builds: one row of death_tolls.csv changed between two real builds
(--no-pdf) into the same output folder lists that row, and only what followed from it, in
build/changes.md and in the report's "About this build"."""

from __future__ import annotations

import csv
import html
import re
import shutil
import uuid
from pathlib import Path

import pytest

from conftest import BUILD, DataCopy, run_cli
from kzunrest import changes


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Build, change one cell of death_tolls.csv, build again; what each build wrote."""
    copy = DataCopy(tmp_path_factory.mktemp("changes"))
    out = BUILD / "_test" / f"changes-{uuid.uuid4().hex[:8]}"
    args = ["build", "--no-pdf", "--data-dir", str(copy.dir), "--output-dir", str(out)]
    first = run_cli(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    seen = {"first": (out / "changes.md").read_text(encoding="utf-8")}
    rows = copy.rows("death_tolls")
    # The latest dated official single figure of all deaths for January 2022: the headline's.
    line, row = max(((n, r) for n, r in enumerate(rows, start=2)
                     if r["event"] == "kazakhstan_2022" and r["category"] == "total"
                     and r["official"] == "true" and r["value"] and r["as_of"]),
                    key=lambda pair: pair[1]["as_of"])
    old, new = row["value"], str(int(row["value"]) + 7)
    copy.set("death_tolls", line, "value", new)
    second = run_cli(*args)
    assert second.returncode == 0, second.stdout + second.stderr
    seen.update(second=(out / "changes.md").read_text(encoding="utf-8"),
                html=(out / "report.html").read_text(encoding="utf-8"),
                toll_id=row["toll_id"], old=old, new=new, tables=[p.name for p in copy.dir.glob("*.csv")])
    yield seen
    shutil.rmtree(out, ignore_errors=True)


def section(markdown: str, heading: str) -> list[str]:
    body = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in body.splitlines() if line.startswith("- ")]


def test_first_build_says_there_is_no_previous_build(two_builds):
    assert "no previous build" in two_builds["first"]
    assert "## " not in two_builds["first"]


def test_the_changed_row_and_only_it(two_builds):
    rows = section(two_builds["second"], "Rows added, removed or changed")
    assert rows == [f"death_tolls.csv: changed {two_builds['toll_id']}: "
                    f"value {two_builds['old']} → {two_builds['new']}"]


def test_narrative_numbers_that_followed_from_it(two_builds):
    lines = section(two_builds["second"], "Numbers in the narrative that changed")
    assert lines, "the headline toll changed, so chapter 3's sentences must"
    assert all(line.startswith("03_death_tolls: ") for line in lines)  # no other chapter
    moved = f"{two_builds['old']} → {two_builds['new']}"
    assert any(line.startswith(f"03_death_tolls: {moved} in “The latest official toll") for line in lines)
    # Each line names numbers that moved, each to the new figure (the toll itself, or a top of a
    # span it now sets): nothing the edit could not have moved.
    for line in lines:
        pairs = re.findall(r"(\d[\d,]*) → (\d[\d,]*)", line.split(" in “")[0])
        assert pairs and all(b == two_builds["new"] for _, b in pairs), line


def test_no_verdict_changed(two_builds):
    assert section(two_builds["second"], "Ledger verdicts that changed") == ["none"]


def test_about_this_build_shows_the_same(two_builds):
    about = two_builds["html"].split('id="about"', 1)[1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", about.split('id="changes"', 1)[1].split("<h3", 1)[0]))
    assert f"changed {two_builds['toll_id']}: value {two_builds['old']} → {two_builds['new']}" in text
    assert not any(t in text for t in two_builds["tables"] if t != "death_tolls.csv")
    assert "Ledger verdicts that changed" in text


def write(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_rows_by_key_and_without_one(tmp_path):
    before = write(tmp_path / "a.csv", [{"id": "x", "n": "1"}, {"id": "y", "n": "2"}])
    after = write(tmp_path / "b.csv", [{"id": "y", "n": "3"}, {"id": "z", "n": "4"}])
    change = changes.table_change("t.csv", before, after, ["id"])
    assert (change.added, change.removed, change.changed) == (["z"], ["x"], [("y", [("n", "2", "3")])])
    keyless = changes.table_change("t.csv", before, after, [])
    assert keyless.removed == ["id=x, n=1", "id=y, n=2"] and keyless.added == ["id=y, n=3", "id=z, n=4"]


def test_sentences_pair_on_their_words_not_their_numbers():
    pairs = changes.sentence_changes(["A has 3 rows.", "B is 5.", "Gone 1."],
                                     ["A has 4 rows.", "B is 5.", "New 2."])
    assert pairs == [("A has 3 rows.", "A has 4 rows."), ("", "New 2."), ("Gone 1.", "")]
