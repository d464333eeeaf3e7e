"""Benchmark the build (`make bench`). Each scenario runs several times; the median is reported.

* cold   — empty cache, full build of HTML and PDF;
* no-op  — the same build again;
* edit   — one row of one CSV (death_tolls.csv) changed, rebuilt;
* floor  — scripts/floor.py: load and validate, every chart to SVG, one HTML, one PDF, in one
           plain Python process: the work no pipeline can avoid;
* large  — the protest-spread chapter on a generated 1,000,000-row event file (HTML and PDF).

Prints a table (wall time, peak memory (PSS) of the whole process tree, chapters executed, ratio to the
floor) and writes build/bench.json. Targets (issue 6): no-op < 1 s and no kernel; edit runs only
the chapters reading the file; cold within 3x the floor; large < 60 s, < 2 GB, HTML < 5 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "build" / "bench"
PYTHON = sys.executable


def tree_memory(pid: int) -> int:
    """Memory (bytes) of a process and all its descendants: the sum of their proportional set
    sizes (PSS), so pages shared between processes (Chromium's, forked workers') count once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
        stack += children.get(current, [])
    return total


def measure(command: list[str], env: dict | None = None) -> dict:
    """Run a command; wall time, peak memory of its process tree, and its output."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, **(env or {})})
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}\n{output}")
    executed = re.findall(r"^\s+(\S+)\s+executed\s", output, flags=re.MULTILINE)
    return {"seconds": seconds, "peak_mb": peak / 1e6, "executed": executed,
            "kernels": len(executed), "output": output}


def build(out: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "kzunrest.cli", "build", "--output-dir", str(out), *extra]


def median_run(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "seconds_all": [round(r["seconds"], 2) for r in runs],
            "peak_mb": max(r["peak_mb"] for r in runs), "executed": middle["executed"]}


def scenario_cold_noop_edit(runs: int) -> dict:
    results = {"cold": [], "no-op": [], "edit": []}
    for _ in range(runs):
        out = BENCH / "pipeline"
        data = BENCH / "pipeline-data"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("README.md"))
        results["cold"].append(measure(build(out, "--data-dir", str(data))))
        results["no-op"].append(measure(build(out, "--data-dir", str(data))))
        tolls = data / "death_tolls.csv"
        lines = tolls.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[1] = lines[1].rstrip("\n") + " \n" if not lines[1].endswith(" \n") else lines[1].rstrip(" \n") + "\n"
        tolls.write_text("".join(lines), encoding="utf-8")
        results["edit"].append(measure(build(out, "--data-dir", str(data))))
    return {name: median_run(r) for name, r in results.items()}


def scenario_floor(runs: int) -> dict:
    return median_run([measure([PYTHON, str(ROOT / "scripts" / "floor.py"), str(BENCH / "floor")])
                       for _ in range(runs)])


def make_large(rows: int, target: Path) -> None:
    """A data package whose protest_spread.csv has ``rows`` synthetic events (real cities and
    regions, synthetic sources) — bench input only, never published."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("README.md"))
    spread = pd.read_csv(ROOT / "data" / "protest_spread.csv", dtype=str, keep_default_na=False)
    cities = spread.drop_duplicates("city")[["city", "region", "latitude", "longitude"]].reset_index(drop=True)
    days = pd.date_range("2022-01-01", "2022-01-19").strftime("%Y-%m-%d")
    per_source = len(cities) * len(days)
    index = np.arange(rows)
    frame = cities.iloc[index % len(cities)].reset_index(drop=True)
    frame.insert(0, "date", days[(index // len(cities)) % len(days)])
    frame["activity"] = np.array(["peaceful_protest", "clashes", "armed_violence"])[
        np.random.default_rng(0).integers(0, 3, rows)]
    frame["crowd_low"], frame["crowd_high"], frame["date_basis"] = "", "", "stated"
    frame["source_id"] = [f"bench-{k:06d}" for k in index // per_source]
    frame["note"] = ""
    frame.to_csv(target / "protest_spread.csv", index=False, lineterminator="\n")
    sources = pd.read_csv(ROOT / "data" / "sources.csv", dtype=str, keep_default_na=False)
    synthetic = pd.DataFrame({"source_id": [f"bench-{k:06d}" for k in range(-(-rows // per_source))]})
    synthetic = synthetic.assign(title="Synthetic benchmark source", publisher="kzunrest benchmark",
                                 author="", date_published="", url="https://example.org/bench",
                                 date_accessed="2026-11-21", kind="reference")
    pd.concat([sources, synthetic]).to_csv(target / "sources.csv", index=False, lineterminator="\n")


def scenario_large(rows: int, runs: int) -> dict:
    data = BENCH / "large-data"
    make_large(rows, data)
    config = BENCH / "large-report.yml"
    config.write_text("title: Large input\nchapters:\n"
                      f"  - notebook: {ROOT / 'notebooks' / '01_protest_spread.ipynb'}\n",
                      encoding="utf-8")
    results = []
    for _ in range(runs):
        out = BENCH / "large"
        shutil.rmtree(out, ignore_errors=True)
        result = measure(build(out, "--data-dir", str(data), "--config", str(config)))
        result["html_mb"] = (out / "report.html").stat().st_size / 1e6
        results.append(result)
    summary = median_run(results)
    summary["html_mb"] = max(r["html_mb"] for r in results)
    summary["rows"] = rows
    summary["input_mb"] = (data / "protest_spread.csv").stat().st_size / 1e6
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median reported)")
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument("--large-runs", type=int, default=1)
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"benchmark: {args.runs} run(s) per scenario, median reported", flush=True)
    results = scenario_cold_noop_edit(args.runs)
    print("  pipeline scenarios done", flush=True)
    results["floor"] = scenario_floor(args.runs)
    print("  floor done", flush=True)
    results["large"] = scenario_large(args.large_rows, args.large_runs)
    print("  large input done", flush=True)
    floor = results["floor"]["seconds"]
    for result in results.values():
        result["ratio_to_floor"] = result["seconds"] / floor
    print(f"\n{'scenario':<8} {'wall s':>8} {'peak MB':>9} {'x floor':>8}  chapters executed")
    for name, r in results.items():
        ran = ", ".join(r["executed"]) or "none"
        print(f"{name:<8} {r['seconds']:>8.2f} {r['peak_mb']:>9.0f} {r['ratio_to_floor']:>8.2f}  {ran}")
    large = results["large"]
    print(f"\nlarge input: {large['rows']:,} rows ({large['input_mb']:.0f} MB CSV) -> "
          f"HTML {large['html_mb']:.2f} MB")
    (ROOT / "build" / "bench.json").write_text(json.dumps(
        {"runs": args.runs, "cores": os.cpu_count(), "results": results}, indent=2), encoding="utf-8")
    print(f"written {ROOT / 'build' / 'bench.json'}")


if __name__ == "__main__":
    main()
