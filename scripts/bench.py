"""Benchmark the build (`make bench`) against its floor and its peers, all timed in the same run.
Each scenario runs several times, interleaved (so a change in the machine's load touches all of
them alike); the median is reported, with the CPU time (user + system, whole process tree) beside
the wall time.

* html      — kzunrest, empty cache, HTML only (``--no-pdf``);
* cold      — kzunrest, empty cache, HTML and PDF;
* no-op     — the same build again;
* edit      — one row of one CSV (death_tolls.csv) changed, rebuilt (HTML and PDF);
* floor     — scripts/floor.py: validate once, every chapter's code in one in-process shell, every
              chart to SVG, one HTML, one PDF: the work no pipeline can avoid;
* jupyter-book — Jupyter Book 1.x building the same four notebooks (HTML only), installed in its
              own environment under build/bench/ from the registry, for the benchmark only;
* naive     — the chain a user would type: papermill each notebook, nbconvert each to HTML, print
              each HTML to PDF with Chromium;
* large     — the protest-spread chapter on a generated 1,000,000-row event file (HTML and PDF).

Prints a table and the targets of issue 15 as ratios measured in this run (met or not), and
writes build/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
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


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Run a command; wall time, CPU time of its process tree (every descendant reaped), peak
    memory of its process tree, and its output."""
    cpu = cpu_of_children()
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
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
    cpu = cpu_of_children() - cpu
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}\n{output}")
    executed = re.findall(r"^\s+(\S+)\s+executed\s", output, flags=re.MULTILINE)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1e6, "executed": executed,
            "kernels": len(executed), "output": output}


def build(out: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "kzunrest.cli", "build", "--output-dir", str(out), *extra]


def median_run(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "seconds_all": [round(r["seconds"], 2) for r in runs],
            "peak_mb": max(r["peak_mb"] for r in runs), "executed": middle["executed"]}


def fresh_data(name: str) -> Path:
    data = BENCH / name
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("README.md"))
    return data


def edit_one_csv(data: Path) -> None:
    """Change one row of death_tolls.csv (a trailing space in its note, added or taken away)."""
    tolls = data / "death_tolls.csv"
    lines = tolls.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n") + " \n" if not lines[1].endswith(" \n") else lines[1].rstrip(" \n") + "\n"
    tolls.write_text("".join(lines), encoding="utf-8")


def run_kzunrest(results: dict) -> None:
    out, data = BENCH / "html", fresh_data("html-data")
    shutil.rmtree(out, ignore_errors=True)
    results["html"].append(measure(build(out, "--no-pdf", "--data-dir", str(data))))
    out, data = BENCH / "pipeline", fresh_data("pipeline-data")
    shutil.rmtree(out, ignore_errors=True)
    results["cold"].append(measure(build(out, "--data-dir", str(data))))
    results["no-op"].append(measure(build(out, "--data-dir", str(data))))
    edit_one_csv(data)
    results["edit"].append(measure(build(out, "--data-dir", str(data))))


def run_floor(results: dict) -> None:
    results["floor"].append(measure([PYTHON, str(ROOT / "scripts" / "floor.py"), str(BENCH / "floor")]))


# ---------------------------------------------------------------------------------------------
# Peers

JUPYTER_BOOK = BENCH / "jupyter-book-venv"
BOOK = BENCH / "jupyter-book"


def jupyter_book() -> Path:
    """Jupyter Book 1.x in its own environment (installed once, from the registry). Its kernels
    find kzunrest and its dependencies through a .pth file naming this project's environment,
    read after Jupyter Book's own packages."""
    executable = JUPYTER_BOOK / "bin" / "jupyter-book"
    if not executable.is_file():
        print("  installing Jupyter Book 1.x into build/bench/jupyter-book-venv (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(JUPYTER_BOOK)], check=True)
        subprocess.run([str(JUPYTER_BOOK / "bin" / "python"), "-m", "ensurepip", "--quiet"], check=True)
        subprocess.run([str(JUPYTER_BOOK / "bin" / "pip"), "install", "--quiet", "jupyter-book<2"],
                       check=True)
    ours = Path(next(p for p in sys.path if p.endswith("site-packages")))
    theirs = next((JUPYTER_BOOK / "lib").glob("python3*/site-packages"))
    (theirs / "kzunrest-bench.pth").write_text(f"import site; site.addsitedir({str(ours)!r})\n")
    return executable


def make_book() -> None:
    """The four chapters as a Jupyter Book: executed on every build (no cache), HTML only."""
    shutil.rmtree(BOOK, ignore_errors=True)
    (BOOK / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "data", BOOK / "data", ignore=shutil.ignore_patterns("README.md"))
    names = sorted(p.name for p in (ROOT / "notebooks").glob("0*.ipynb"))
    for name in names:
        shutil.copy(ROOT / "notebooks" / name, BOOK / "notebooks" / name)
    (BOOK / "intro.md").write_text("# Bloody January\n", encoding="utf-8")
    (BOOK / "_config.yml").write_text(
        "title: Bloody January\nonly_build_toc_files: true\n"
        "execute:\n  execute_notebooks: force\n  timeout: 600\n", encoding="utf-8")
    (BOOK / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        + "".join(f"  - file: notebooks/{Path(n).stem}\n" for n in names), encoding="utf-8")


def run_jupyter_book(results: dict, executable: Path) -> None:
    shutil.rmtree(BOOK / "_build", ignore_errors=True)
    result = measure([str(executable), "build", str(BOOK)])
    if "There were 0 warnings" not in result["output"] and "build succeeded" not in result["output"]:
        print(result["output"][-2000:])
    results["jupyter-book"].append(result)


def naive_script() -> Path:
    """papermill each chapter, nbconvert each to HTML, print each HTML to PDF: one shell script."""
    from kzunrest.export import CHROMIUM_ARGS, chromium_path

    out = BENCH / "naive"
    bin_dir = Path(PYTHON).parent
    lines = ["set -e", f"rm -rf {out}", f"mkdir -p {out}"]
    for notebook in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        executed, html = out / notebook.name, out / f"{notebook.stem}.html"
        lines += [f"{bin_dir / 'papermill'} --no-progress-bar --cwd {ROOT / 'notebooks'} "
                  f"-p data_dir {ROOT / 'data'} {notebook} {executed}",
                  f"{bin_dir / 'jupyter-nbconvert'} --to html --log-level WARN {executed}",
                  f"{chromium_path()} --headless {' '.join(CHROMIUM_ARGS)} --no-sandbox "
                  f"--no-pdf-header-footer --print-to-pdf={out / notebook.stem}.pdf file://{html} "
                  "2>/dev/null"]
    script = BENCH / "naive.sh"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return script


def run_naive(results: dict, script: Path) -> None:
    results["naive"].append(measure(["bash", str(script)]))


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


def targets(r: dict) -> list[tuple[str, str, bool]]:
    """Issue 15's targets, each as (what, measured, met)."""
    html, jb, cold, floor = r["html"], r["jupyter-book"], r["cold"], r["floor"]
    naive, edit, noop, large = r["naive"], r["edit"], r["no-op"], r.get("large")
    rows = [
        ("cold HTML-only <= 0.8 x Jupyter Book's wall",
         f"{html['seconds'] / jb['seconds']:.2f} x", html["seconds"] <= 0.8 * jb["seconds"]),
        ("cold HTML-only: less CPU than Jupyter Book",
         f"{html['cpu']:.1f} s vs {jb['cpu']:.1f} s ({html['cpu'] / jb['cpu']:.2f} x)",
         html["cpu"] < jb["cpu"]),
        ("cold HTML+PDF <= 2.0 x the floor", f"{cold['seconds'] / floor['seconds']:.2f} x",
         cold["seconds"] <= 2.0 * floor["seconds"]),
        ("cold HTML+PDF >= 2.5 x faster than the naive chain",
         f"{naive['seconds'] / cold['seconds']:.2f} x faster", naive["seconds"] >= 2.5 * cold["seconds"]),
        ("one CSV edited -> HTML+PDF <= 0.8 x the floor", f"{edit['seconds'] / floor['seconds']:.2f} x",
         edit["seconds"] <= 0.8 * floor["seconds"]),
        ("no-op < 1 s", f"{noop['seconds']:.2f} s", noop["seconds"] < 1.0),
    ]
    if large:
        rows.append(("1,000,000 rows: < 60 s, < 2 GB, HTML < 5 MB",
                     f"{large['seconds']:.1f} s, {large['peak_mb'] / 1000:.2f} GB, "
                     f"{large['html_mb']:.2f} MB",
                     large["seconds"] < 60 and large["peak_mb"] < 2000 and large["html_mb"] < 5))
    if "watch" in r:
        rows.append(("watch: HTML updated <= 3 s after a one-chapter CSV save",
                     f"{r['watch']['seconds']:.2f} s", r["watch"]["seconds"] <= 3.0))
    return rows


def scenario_watch() -> dict | None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median reported)")
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument("--large-runs", type=int, default=1, help="0 leaves the large case out")
    args = parser.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"benchmark: {args.runs} run(s) per scenario, interleaved, median reported", flush=True)
    executable = jupyter_book()
    make_book()
    script = naive_script()
    names = ["html", "cold", "no-op", "edit", "floor", "jupyter-book", "naive"]
    runs: dict[str, list] = {name: [] for name in names}
    for run in range(args.runs):
        run_kzunrest(runs)
        run_floor(runs)
        run_jupyter_book(runs, executable)
        run_naive(runs, script)
        print(f"  run {run + 1} of {args.runs} done", flush=True)
    results = {name: median_run(r) for name, r in runs.items()}
    if args.large_runs:
        results["large"] = scenario_large(args.large_rows, args.large_runs)
        print("  large input done", flush=True)
    watch = scenario_watch()
    if watch:
        results["watch"] = watch
    floor = results["floor"]["seconds"]
    for result in results.values():
        result["ratio_to_floor"] = result["seconds"] / floor
    print(f"\n{'scenario':<13} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'x floor':>8}  chapters executed")
    for name, r in results.items():
        ran = ", ".join(r.get("executed", [])) or "-"
        print(f"{name:<13} {r['seconds']:>7.2f} {r.get('cpu', float('nan')):>7.2f} "
              f"{r.get('peak_mb', float('nan')):>8.0f} {r['ratio_to_floor']:>8.2f}  {ran}")
    if "large" in results:
        large = results["large"]
        print(f"\nlarge input: {large['rows']:,} rows ({large['input_mb']:.0f} MB CSV) -> "
              f"HTML {large['html_mb']:.2f} MB")
    checks = targets(results)
    print("\ntargets (issue 15), as measured in this run:")
    for what, measured, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'}  {what}: {measured}")
    (ROOT / "build" / "bench.json").write_text(json.dumps(
        {"runs": args.runs, "cores": os.cpu_count(), "load_average": os.getloadavg(),
         "results": results, "targets": [{"target": w, "measured": m, "met": ok}
                                         for w, m, ok in checks]}, indent=2), encoding="utf-8")
    print(f"written {ROOT / 'build' / 'bench.json'}")


if __name__ == "__main__":
    main()
