"""The shipped claims ledger: every claim stands where it says in its article, and every verdict
matches the reviewed snapshot in ``tests/snapshots/ledger_verdicts.csv``.

A changed verdict fails here with its old and new reason side by side. When the change is meant
(new data, a corrected row), review the diff and write the new snapshot with
``KZUNREST_UPDATE_SNAPSHOT=1 pytest tests/test_ledger.py``; the snapshot's diff then shows in review.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from kzunrest import claims, data

SNAPSHOT = ROOT / "tests" / "snapshots" / "ledger_verdicts.csv"
# The two articles as the project received them (shared/ beside the repository, and beside CI's
# clone): their text is what the locators count paragraphs in.
ARTICLES_DIR = ROOT.parent / "shared" / "sources"
ARTICLES = {"depencier-2022-january-rebellion": "000_99835657cdf78023.txt",
            "junisbai-2022-ponars-memo": "004_a86c552a611b01fb.txt"}


def rows(table: str) -> list[dict]:
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def paragraphs(source_id: str) -> list[str]:
    """The article's paragraphs: its non-empty lines, after the headline when the copy starts
    with it (data/README.md, 'Where each fact stands')."""
    lines = [line.strip() for line in
             (ARTICLES_DIR / ARTICLES[source_id]).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    title = next(s["title"] for s in rows("sources") if s["source_id"] == source_id)
    return lines[1:] if lines[0] == title.strip() else lines


def article_rows() -> list[tuple[str, dict]]:
    """Every row of every table that cites one of the two articles, with its table's name."""
    tables = ["claims", "protest_spread", "key_events", "arrests_dismissals", "death_tolls",
              "detentions", "claim_checks"]
    return [(table, row) for table in tables for row in rows(table) if row["source_id"] in ARTICLES]


@pytest.mark.skipif(not ARTICLES_DIR.is_dir(),
                    reason=f"the source articles are not beside the repository ({ARTICLES_DIR})")
@pytest.mark.parametrize("table, row", article_rows(),
                         ids=[f"{t}:{i}" for i, (t, _) in enumerate(article_rows())])
def test_printed_words_stand_in_the_paragraph_the_locator_names(table, row):
    assert row["locator"].startswith("paragraph "), (table, row["locator"])
    number = int(row["locator"].split()[1])
    text = paragraphs(row["source_id"])
    assert 1 <= number <= len(text), f"{table}: the article has {len(text)} paragraphs"
    assert row["printed"] in text[number - 1], (
        f"{table}: '{row['printed']}' is not in paragraph {number}: {text[number - 1][:120]}…")


def test_printed_words_are_a_few_words_not_a_sentence():
    long = [c["claim_id"] for c in rows("claims") if len(c["printed"].split()) > 12]
    assert not long, f"printed words longer than twelve words: {long}"


def current_verdicts() -> dict[str, dict]:
    ds = data.load(DATA, tables=["claims", "claim_checks"])
    ledger = claims.ledger(ds.claims, ds.claim_checks, ds.sources)
    return {row.claim_id: {"claim_id": row.claim_id, "verdict": row.verdict, "reason": row.reason}
            for row in ledger.itertuples()}


def test_every_verdict_matches_the_reviewed_snapshot():
    now = current_verdicts()
    if os.environ.get("KZUNREST_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        with open(SNAPSHOT, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["claim_id", "verdict", "reason"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(now[k] for k in sorted(now, key=_claim_order))
    with open(SNAPSHOT, encoding="utf-8", newline="") as handle:
        reviewed = {r["claim_id"]: r for r in csv.DictReader(handle)}
    changed = [f"{k}: {reviewed.get(k, {}).get('verdict', '(new)')} → "
               f"{now.get(k, {}).get('verdict', '(gone)')}\n  was: "
               f"{reviewed.get(k, {}).get('reason', '')}\n  now: {now.get(k, {}).get('reason', '')}"
               for k in sorted(set(now) | set(reviewed), key=_claim_order)
               if now.get(k) != reviewed.get(k)]
    assert not changed, "verdicts differ from the reviewed snapshot:\n" + "\n".join(changed)


def _claim_order(claim_id: str) -> tuple[str, int]:
    prefix, number = claim_id.split("-")
    return prefix, int(number)


def test_snapshot_verdicts_come_from_the_rule_vocabulary():
    with open(SNAPSHOT, encoding="utf-8", newline="") as handle:
        verdicts = {r["verdict"] for r in csv.DictReader(handle)}
    assert verdicts <= set(claims.VERDICTS)
