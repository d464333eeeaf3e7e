"""What changed since the previous successful build.

Each successful build leaves a snapshot of what a reviewer re-checks in
``<output>/cache/previous/``: a copy of the data package's files, the sentences with numbers the
narrative computed (from the executed chapters), and the claims ledger's verdicts. The next build
compares itself with that snapshot and lists

* per table, the rows added, removed or changed, each named by its primary key (from
  ``datapackage.json``), with the columns that changed;
* the narrative's numbers that changed, as the sentence that carries them, before and after;
* the ledger verdicts that changed;

in ``<output>/changes.md`` and in the report's "About this build". The first build in an output
folder says there is no previous build. :func:`compare` runs after the report is assembled (it
adds the section to the About matter); :meth:`Changes.keep` runs once the report is published,
so a failed build never becomes "the previous build".
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .cache import data_files, file_digest
from .i18n import _
from .publish import publish
from .tablecheck import read_rows

SNAPSHOT = Path("cache") / "previous"
REPORT = "changes.md"
# Tables longer than this are compared by digest only: keying a million rows costs more time and
# memory than the build may spend (see README, Benchmark).
ROW_LIMIT = 200_000
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ*(“«\"])")
_LEDGER_TABLES = ("claims.csv", "claim_checks.csv", "sources.csv", "datapackage.json")


# ---------------------------------------------------------------------------------------------
# What a build is made of, for comparison


def narrative_sentences(chapters: list[Path]) -> dict[str, list[str]]:
    """Per chapter, every sentence with a number in the narrative it computed (the Markdown
    outputs of its code cells that are not captions), as plain text."""
    from .render import META_KEY

    found = {}
    for path in chapters:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"] if path.is_file() else []
        sentences = []
        for cell in cells:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown")
                if text is None or output.get("metadata", {}).get(META_KEY, {}).get("role"):
                    continue
                sentences += [s for s in _sentences("".join(text)) if _NUMBER.search(s)]
        found[path.stem] = sentences
    return found


def _sentences(markdown: str) -> list[str]:
    plain = re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))  # bold and escapes, as read
    plain = html.unescape(plain)
    return [s.strip(" -") for line in plain.splitlines() for s in _SENTENCE_END.split(line)
            if s.strip(" -")]


def ledger_verdicts(directory: Path) -> dict[str, str]:
    """Each claim's verdict (its reader's word), by the rule chapter 4 states."""
    from . import claims, data

    try:
        dataset = data.load(directory, tables=["claims", "claim_checks"], check=False)
    except Exception:  # a package without a ledger (or one that cannot be read) has no verdicts
        return {}
    ledger = claims.ledger(dataset.claims, dataset.claim_checks, dataset.sources)
    return dict(zip(ledger["claim_id"], ledger["verdict_label"]))


def _digests(files: list[Path]) -> dict[str, str]:
    return {p.name: file_digest(p) for p in files if p.is_file()}


# ---------------------------------------------------------------------------------------------
# Comparison


@dataclass
class TableChange:
    name: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
    note: str = ""

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.note)


def _keys(descriptor: Path) -> dict[str, list[str]]:
    try:
        resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    except (OSError, ValueError, KeyError):
        return {}
    keys = {}
    for resource in resources:
        key = resource.get("schema", {}).get("primaryKey") or []
        keys[resource["path"]] = [key] if isinstance(key, str) else list(key)
    return keys


def _read(path: Path) -> tuple[list[str], list[dict]]:
    rows = read_rows(path)
    return (list(rows[0]) if rows else _header(path)), rows


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def table_change(name: str, before: Path, after: Path, key: list[str]) -> TableChange:
    """Rows added, removed and changed between two versions of one CSV, by primary key (by
    whole row when the table has none)."""
    change = TableChange(name)
    if not before.is_file() or not after.is_file():
        change.note = _("table added") if after.is_file() else _("table removed")
        return change
    if _line_count(before) > ROW_LIMIT or _line_count(after) > ROW_LIMIT:
        change.note = _("file changed (more than {n} rows: compared by digest only)").format(
            n=f"{ROW_LIMIT:,}")
        return change
    old_columns, old_rows = _read(before)
    new_columns, new_rows = _read(after)
    if not key or any(k not in old_columns or k not in new_columns for k in key):
        old = Counter(tuple(sorted(r.items())) for r in old_rows)
        new = Counter(tuple(sorted(r.items())) for r in new_rows)
        change.removed = [_row_text(dict(r)) for r in (old - new).elements()]
        change.added = [_row_text(dict(r)) for r in (new - old).elements()]
        return change
    old = {" / ".join(r[k] for k in key): r for r in old_rows}
    new = {" / ".join(r[k] for k in key): r for r in new_rows}
    change.removed = [k for k in old if k not in new]
    change.added = [k for k in new if k not in old]
    for k in new:
        if k in old and old[k] != new[k]:
            columns = list(dict.fromkeys([*old_columns, *new_columns]))
            cells = [(c, old[k].get(c) or "", new[k].get(c) or "") for c in columns
                     if (old[k].get(c) or "") != (new[k].get(c) or "")]
            if cells:
                change.changed.append((k, cells))
    return change


def _line_count(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _row_text(row: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items() if v)


def sentence_changes(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    """Pairs (before, after) of narrative sentences whose numbers changed; a sentence only in
    one build pairs with ''. Sentences are matched on their words with the numbers masked."""
    def mask(s: str) -> str:
        return _NUMBER.sub("#", s)

    gone, new = Counter(before) - Counter(after), Counter(after) - Counter(before)
    old_by_mask: dict[str, list[str]] = {}
    for sentence in (s for s in before if gone[s] > 0):
        old_by_mask.setdefault(mask(sentence), []).append(sentence)
    pairs = []
    for sentence in (s for s in after if new[s] > 0):
        olds = old_by_mask.get(mask(sentence))
        pairs.append((olds.pop(0) if olds else "", sentence))
    pairs += [(s, "") for olds in old_by_mask.values() for s in olds]
    return pairs


@dataclass
class Changes:
    out: Path
    directory: Path
    previous: bool
    tables: list[TableChange]
    narrative: dict[str, list[tuple[str, str]]]
    verdicts: list[tuple[str, str, str]]
    descriptor_changed: bool
    state: dict

    def markdown(self) -> str:
        return _markdown(self)

    def html(self) -> str:
        return _html(self)

    def keep(self) -> None:
        """Write changes.md and make this build the previous one (after a successful publish)."""
        publish(self.out, {REPORT: self.markdown().encode("utf-8")})
        target = self.out / SNAPSHOT
        staging = target.with_name(target.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "data").mkdir(parents=True)
        for path in data_files(self.directory):
            if path.is_file():
                shutil.copy2(path, staging / "data" / path.name)
        (staging / "state.json").write_text(json.dumps(self.state, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def compare(out: Path, directory: Path, chapters: list[Path]) -> Changes:
    """This build (data in ``directory``, executed ``chapters``) against the previous successful
    build in ``out``."""
    snapshot = out / SNAPSHOT
    before = {}
    if (snapshot / "state.json").is_file():
        before = json.loads((snapshot / "state.json").read_text(encoding="utf-8"))
    files = data_files(directory)
    digests = _digests(files)
    ledger_inputs = {n: digests.get(n) for n in _LEDGER_TABLES}
    if before and before.get("ledger_inputs") == ledger_inputs:
        verdicts = before.get("verdicts", {})  # nothing the verdicts depend on changed
    else:
        verdicts = ledger_verdicts(directory)
    state = {"digests": digests, "ledger_inputs": ledger_inputs, "verdicts": verdicts,
             "narrative": narrative_sentences(chapters)}
    if not before:
        return Changes(out, directory, False, [], {}, [], False, state)
    keys = _keys(directory / "datapackage.json")
    old_files = before.get("digests", {})
    tables = []
    for path in files[1:]:
        if old_files.get(path.name) != digests.get(path.name):
            change = table_change(path.name, snapshot / "data" / path.name, path,
                                  keys.get(path.name, []))
            if change:
                tables.append(change)
    for name in sorted(set(old_files) - set(digests) - {"datapackage.json"}):
        tables.append(TableChange(name, note=_("table removed")))
    narrative = {}
    for chapter, sentences in state["narrative"].items():
        pairs = sentence_changes(before.get("narrative", {}).get(chapter, []), sentences)
        if pairs:
            narrative[chapter] = pairs
    old_verdicts = before.get("verdicts", {})
    verdict_changes = [(c, old_verdicts.get(c, ""), verdicts.get(c, ""))
                       for c in sorted(set(old_verdicts) | set(verdicts))
                       if old_verdicts.get(c) != verdicts.get(c)]
    return Changes(out, directory, True, tables, narrative, verdict_changes,
                   old_files.get("datapackage.json") != digests.get("datapackage.json"), state)


# ---------------------------------------------------------------------------------------------
# Words


def _blocks(c: Changes) -> list[tuple[str, list[str]]]:
    """(heading, items) for each kind of change, in plain text (the writers escape)."""
    if not c.previous:
        return []
    tables = []
    for t in c.tables:
        parts = []
        if t.note:
            parts.append(t.note)
        if t.added:
            parts.append(_("{n} added:").format(n=len(t.added)) + " " + "; ".join(t.added))
        if t.removed:
            parts.append(_("{n} removed:").format(n=len(t.removed)) + " " + "; ".join(t.removed))
        for key, cells in t.changed:
            empty = _("(empty)")
            parts.append(_("changed {key}:").format(key=key) + " " + "; ".join(
                f"{col} {old or empty} → {new or empty}"
                                                       for col, old, new in cells))
        tables.append(f"{t.name}: " + " · ".join(parts))
    if c.descriptor_changed:
        tables.append(_("datapackage.json: the schemas or vocabularies changed"))
    narrative = []
    for chapter, pairs in c.narrative.items():
        for old, new in pairs:
            if old and new:
                moved = [f"{a} → {b}" for a, b in zip(_NUMBER.findall(old), _NUMBER.findall(new))
                         if a != b]
                narrative.append(_("{chapter}: {numbers} in “{sentence}”").format(
                    chapter=chapter, numbers=", ".join(moved), sentence=new))
            elif new:
                narrative.append(_("{chapter}: new: “{sentence}”").format(chapter=chapter, sentence=new))
            else:
                narrative.append(_("{chapter}: no longer said: “{sentence}”").format(
                    chapter=chapter, sentence=old))
    none = _("(no claim)")
    verdicts = [f"{claim}: {old or none} → {new or none}"
                for claim, old, new in c.verdicts]
    return [(_("Rows added, removed or changed"), tables),
            (_("Numbers in the narrative that changed"), narrative),
            (_("Ledger verdicts that changed"), verdicts)]


def _lead(c: Changes) -> str:
    if not c.previous:
        return _("This is the first build in this output folder: there is no previous build to "
                 "compare with.")
    if not any(items for _, items in _blocks(c)):
        return _("Nothing a reviewer re-checks changed since the previous successful build.")
    return _("Compared with the previous successful build in this output folder:")


def _markdown(c: Changes) -> str:
    lines = ["# " + _("What changed since the previous build"), "", _lead(c)]
    for heading, items in _blocks(c):
        lines += ["", f"## {heading}", ""]
        lines += [f"- {item}" for item in items] or ["- " + _("none")]
    return "\n".join(lines) + "\n"


def _html(c: Changes) -> str:
    parts = ['<div class="kz-changes">', f"<p>{html.escape(_lead(c))}</p>"]
    for heading, items in _blocks(c):
        parts.append(f"<h4>{html.escape(heading)}</h4>")
        parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
                     if items else "<p>" + html.escape(_("None.")) + "</p>")
    parts.append("</div>")
    return "".join(parts)


def about_section(c: Changes) -> str:
    """The block added at the head of "About this build"."""
    heading = html.escape(_("What changed since the previous build"))
    return f'<h3 id="changes">{heading}</h3>{c.html()}'



def attach(front, out: Path, directory: Path, chapter_names: list[str]) -> Changes:
    """Compare this build with the previous one and put the result at the head of the report's
    "About this build" (``front``: :class:`kzunrest.assemble.Front`). Call :meth:`Changes.keep`
    once the report is published."""
    changes = compare(out, directory, [out / "chapters" / f"{n}.ipynb" for n in chapter_names])
    front.about_html = about_section(changes) + front.about_html
    return changes
