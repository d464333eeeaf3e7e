"""Print the score of the last `mutmut run` (make mutants) and check it against docs/testing.md.

Reads mutmut's results (mutants/**/*.meta), prints per module the mutants killed, survived, without
a test and timed out, the score (killed / all mutants), and the surviving mutants grouped by
function. docs/testing.md lists the survivors the project accepts, one line per function:
``- `module.function`: N — why``. Exits non-zero when a survivor is not accepted there or the counts
differ, so the document cannot drift from what `make mutants` finds.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"


def results() -> dict[str, str]:
    found = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        for key, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            found[key] = status_by_exit_code[code]
    return found


def function_of(key: str) -> str:
    """kzunrest.data.x__range_rules__mutmut_3 -> data._range_rules"""
    module, name = key.split(".")[1], key.split(".", 2)[2]
    name = re.sub(r"__mutmut_\d+$", "", name)
    name = re.sub(r"^x[ǁ_]", "", name).replace("ǁ", ".")
    return f"{module}.{name}"


def accepted() -> dict[str, int]:
    text = DOC.read_text(encoding="utf-8")
    return {name: int(count) for name, count in re.findall(r"^- `([\w.]+)`: (\d+) —", text, re.M)}


def main() -> int:
    found = results()
    if not found:
        print("no results: run `make mutants` (mutmut run) first")
        return 1
    by_module: dict[str, Counter] = defaultdict(Counter)
    for key, status in found.items():
        by_module[key.split(".")[1]][status] += 1
    total = Counter()
    print(f"{'module':<12} {'mutants':>8} {'killed':>8} {'survived':>9} {'no test':>8} {'timeout':>8}")
    for module, counts in sorted(by_module.items()):
        total.update(counts)
        print(f"{module:<12} {sum(counts.values()):>8} {counts['killed']:>8} {counts['survived']:>9} "
              f"{counts['no tests']:>8} {counts['timeout']:>8}")
    all_ = sum(total.values())
    print(f"{'all':<12} {all_:>8} {total['killed']:>8} {total['survived']:>9} "
          f"{total['no tests']:>8} {total['timeout']:>8}")
    score = 100 * (total["killed"] + total["timeout"]) / all_
    print(f"\nscore: {score:.1f} % of {all_} mutants killed (a timeout counts as killed)")
    survivors = Counter(function_of(k) for k, s in found.items() if s in {"survived", "no tests"})
    print("\nsurvivors (survived or no test), by function:")
    for name, count in sorted(survivors.items()):
        print(f"  {name}: {count}")
    expected = accepted()
    wrong = {n: (c, expected.get(n)) for n, c in survivors.items() if expected.get(n) != c}
    wrong |= {n: (0, c) for n, c in expected.items() if n not in survivors}
    if wrong:
        print("\ndocs/testing.md disagrees (function: found, documented):")
        for name, (count, documented) in sorted(wrong.items()):
            print(f"  {name}: {count}, {documented}")
        return 1
    print("\nevery survivor is accepted, with its reason, in docs/testing.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
