"""Benchmark the build (`make bench`) against its floor and its peers, all timed in the same run.
Each scenario runs several times, interleaved (so a change in the machine's load touches all of
them alike); the median is reported, with the CPU time (user + system, whole process tree) beside
the wall time.

* html      — kzunrest, empty cache, HTML only (``--no-pdf``);
* cold      — kzunrest, empty cache, HTML and PDF;
* no-op     — the same build again;
* edit      — one row of one CSV (death_tolls.csv) changed, rebuilt (HTML and PDF);
* languages — kzunrest, empty cache, HTML and PDF in English, Russian and Kazakh at once
              (``--language en --language ru --language kk``, as `make reports`);
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
import signal
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
SAMPLE_SECONDS = 0.25  # memory sampling interval (memory runs only; see measure)


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def tree_memory(pid: int) -> int:
    """Memory (bytes) of a process and all its descendants: the sum of their proportional set
    sizes (PSS), so pages shared between processes (Chromium's, forked workers') count once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (parent := _parent(int(entry))) is not None:
            children.setdefault(parent, []).append(int(entry))
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


PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def adopt_orphans() -> None:
    """Make this process the reaper of every descendant whose parent dies before it. Chromium's
    browser is stopped without waiting for its helper processes (renderer, GPU, print
    compositor); re-parented to init, their CPU time would never reach this process's
    RUSAGE_CHILDREN, and a build's CPU would miss about 7 s per PDF."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(timeout: float = 10.0) -> None:
    """Wait for the descendants a measured command left behind (see adopt_orphans), so that
    their CPU time is counted with it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.02)
    raise SystemExit("a measured command left processes running: " + ", ".join(
        str(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent(int(pid)) == os.getpid()))


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict | None = None, cwd: Path = ROOT,
            memory: bool = False) -> dict:
    """Run a command; wall time, CPU time of its process tree (every descendant reaped, orphans
    included: see adopt_orphans), its
    output and, with ``memory``, the peak memory of its process tree (PSS sampled every
    SAMPLE_SECONDS). Timed runs are not sampled: reading a process's smaps_rollup walks its page
    tables under the process's own memory lock, and at a 50 ms interval that slowed the
    million-row build from 64 s to 94 s (56 s of system time)."""
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
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True) if memory else None
    if sampler:
        sampler.start()
    output, _ = process.communicate()
    done.set()
    if sampler:
        sampler.join()
    seconds = time.monotonic() - started
    reap_orphans()
    cpu = cpu_of_children() - cpu
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}\n{output}")
    executed = re.findall(r"^\s+(\S+)\s+executed\s", output, flags=re.MULTILINE)
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1e6 if memory else None,
            "executed": executed, "kernels": len(executed), "output": output}


def build(out: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "kzunrest.cli", "build", "--output-dir", str(out), *extra]


def median_run(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "seconds_all": [round(r["seconds"], 2) for r in runs],
            "peak_mb": max((r["peak_mb"] for r in runs if r["peak_mb"] is not None), default=None),
            "executed": middle["executed"]}


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
    out, data = BENCH / "languages", fresh_data("languages-data")
    shutil.rmtree(out, ignore_errors=True)
    results["languages"].append(measure(build(out, "--data-dir", str(data), "--language", "en",
                                              "--language", "ru", "--language", "kk")))


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
        shutil.rmtree(JUPYTER_BOOK, ignore_errors=True)  # a half-made one from an interrupted run
        subprocess.run([sys.executable, "-m", "venv", str(JUPYTER_BOOK)], check=True)
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
    frame["locator"], frame["printed"], frame["qualifier"], frame["note"] = "not retrieved", "", "", ""
    frame = frame[list(spread.columns)]  # the header exactly as the schema has it
    frame.to_csv(target / "protest_spread.csv", index=False, lineterminator="\n")
    sources = pd.read_csv(ROOT / "data" / "sources.csv", dtype=str, keep_default_na=False)
    synthetic = pd.DataFrame({"source_id": [f"bench-{k:06d}" for k in range(-(-rows // per_source))]})
    synthetic = synthetic.assign(title="Synthetic benchmark source", publisher="kzunrest benchmark",
                                 author="", date_published="",
                                 url=[f"https://example.org/bench/{k}" for k in range(len(synthetic))],
                                 date_accessed="2026-11-21", kind="reference")
    synthetic = synthetic[list(sources.columns)]
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
    # Memory in a run of its own (sampling slows what it samples; see measure).
    shutil.rmtree(out, ignore_errors=True)
    sampled = measure(build(out, "--data-dir", str(data), "--config", str(config)), memory=True)
    summary["peak_mb"], summary["sampled_seconds"] = sampled["peak_mb"], sampled["seconds"]
    summary["rows"] = rows
    summary["input_mb"] = (data / "protest_spread.csv").stat().st_size / 1e6
    return summary


PROFILE_CODE = r"""
import json, os, sys, time
from pathlib import Path
times = {}
def lap(name, started):
    times[name] = time.perf_counter() - started
from kzunrest import kernels
kernels.skip_unused_imports()  # as the build's process does
started = time.perf_counter()
import pandas, altair, vl_convert, IPython, ipykernel.kernelapp
from kzunrest import analysis, charts, claims, data, narrative, params, render, vocabulary
lap("imports a chapter needs (pandas, Altair, vl-convert, IPython, kzunrest)", started)
directory = Path(sys.argv[1])
started = time.perf_counter(); problems = data.validate(directory)
lap("validate the whole data package", started)
from kzunrest import cache
data.enter_build({"validated": cache.package_digest(directory)})
started = time.perf_counter(); data.load(directory)
lap("load every table (validation stamp trusted)", started)
started = time.perf_counter(); vl_convert.vegalite_to_vega({"mark": "point"})
lap("start vl-convert's JavaScript runtime (once per kernel)", started)
out = Path(sys.argv[2])
import nbformat
specs = []
for path in sorted((out / "chapters").glob("*.ipynb")):
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            if render.VEGA_MIMETYPE in output.get("data", {}):
                specs.append(output["data"][render.VEGA_MIMETYPE])
started = time.perf_counter()
for spec in specs:
    vl_convert.vega_to_svg(spec)
lap(f"render the {len(specs)} static SVGs (PDF only; cached by spec)", started)
started = time.perf_counter()
from kzunrest import export
lap("import nbconvert", started)
from kzunrest import build, config
cfg = config.load_config(None)
started = time.perf_counter(); report, front = build.assemble_stage(cfg, directory, out)
lap("assemble the report notebook", started)
started = time.perf_counter(); export.to_html(report, front.as_resources())
lap("nbconvert HTML, first in a process (template compiled)", started)
started = time.perf_counter(); export.to_html(report, front.as_resources())
lap("nbconvert HTML, again", started)
build.with_static_images(report, out)
static = export.to_html(report, front.as_resources(), static=True)
started = time.perf_counter(); export.print_pdf(static)
lap("print the PDF with Chromium (cold: no page hint)", started)
print(json.dumps(times))
"""


def kernel_start() -> dict:
    """A kernel started the usual way (new Python, ipykernel, then the chapter's imports) against
    one forked warm by kzunrest."""
    code = r"""
import json, time
from jupyter_client.manager import start_new_kernel
started = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
kc.execute_interactive("import pandas, altair, vl_convert; from kzunrest import charts, data", timeout=120)
cold = time.perf_counter() - started
kc.stop_channels(); km.shutdown_kernel(now=True)
from jupyter_core.utils import run_sync
from kzunrest import build, kernels
kernels.warm_up()
pool = build.kernel_pool()
started = time.perf_counter()
spare = pool.take(1)[0]
km = kernels.manager(spare)
run_sync(km.start_kernel)(extra_arguments=build.KERNEL_ARGUMENTS)
kc = km.client(); kc.start_channels(); run_sync(kc.wait_for_ready)(timeout=120)
warm = time.perf_counter() - started
kc.stop_channels(); run_sync(km.shutdown_kernel)(now=True); pool.close()
print(json.dumps({"kernel start + imports, the usual way": cold, "kernel start, forked warm": warm}))
"""
    return json.loads(subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                     check=True).stdout.splitlines()[-1])


def chapter_cells(out: Path) -> dict:
    """Per chapter: the seconds each code cell took (Papermill's own record)."""
    import nbformat

    cells = {}
    for path in sorted((out / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells[path.stem] = [round(c.metadata.get("papermill", {}).get("duration") or 0, 2)
                            for c in nb.cells if c.cell_type == "code"]
    return cells


def profile() -> dict:
    """Where the time of a build goes: the stages as the build reports them, each chapter's cells,
    and the parts measured one by one in a fresh process."""
    out, data = BENCH / "profile", fresh_data("profile-data")
    shutil.rmtree(out, ignore_errors=True)
    cold = measure(build(out, "--data-dir", str(data)))
    stages = dict(re.findall(r"^\s+(\d+ executed.*?|report\.\w+\s+(?:rendered|printed).*?|valid.*?)"
                             r"\((?:[^()]*?, )?([\d.]+) s(?:; [^()]*)?\)$", cold["output"],
                             flags=re.MULTILINE))
    parts = json.loads(subprocess.run([PYTHON, "-c", PROFILE_CODE, str(data), str(out)], cwd=ROOT,
                                      capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    parts.update(kernel_start())
    return {"build_seconds": cold["seconds"], "build_cpu": cold["cpu"], "stages": stages,
            "chapters": chapter_cells(out), "parts": parts}


def print_profile(result: dict) -> None:
    print(f"\nprofile: one cold HTML+PDF build, {result['build_seconds']:.1f} s wall, "
          f"{result['build_cpu']:.1f} s CPU")
    for stage, seconds in result["stages"].items():
        print(f"  {seconds:>6} s  {stage.strip()}")
    for chapter, cells in result["chapters"].items():
        print(f"  {sum(cells):>6.2f} s  {chapter}: cells {cells}")
    print("parts, measured one by one in a fresh process:")
    for part, seconds in result["parts"].items():
        print(f"  {seconds:>6.2f} s  {part}")


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _languages_measured(r: dict) -> str:
    """The three-language ratio, with the least wall time its CPU allows on this machine: the
    build's processes keep every core busy, so its CPU over the core count bounds it from below
    (and a machine with more cores can do better)."""
    three, english, cores = r["languages"], r["cold"], os.cpu_count() or 1
    return (f"{three['seconds'] / english['seconds']:.2f} x ({three['cpu']:.1f} s CPU vs "
            f"{english['cpu']:.1f} s; on {cores} cores that CPU needs at least "
            f"{three['cpu'] / cores / english['seconds']:.2f} x)")


def targets(r: dict) -> list[tuple[str, str, bool]]:
    """The targets of issue 15 (and issue 14's three-language build), each as (what, measured,
    met)."""
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
        ("three languages (HTML+PDF each) <= 1.6 x English alone", _languages_measured(r),
         r["languages"]["seconds"] <= 1.6 * cold["seconds"]),
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


def scenario_watch(edits: int = 3) -> dict:
    """`kzunrest watch` on a copy of the data: the time from saving one CSV (one chapter reads
    it) to the served HTML showing the change, median of several saves."""
    import urllib.request

    from kzunrest.watch import VERSION_PATH

    data, out = fresh_data("watch-data"), BENCH / "watch"
    shutil.rmtree(out, ignore_errors=True)
    process = subprocess.Popen([PYTHON, "-m", "kzunrest.cli", "watch", "--data-dir", str(data),
                                "--output-dir", str(out), "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True,
                               # stopped with SIGINT below, even when this runs as a background
                               # job (which would pass SIGINT on ignored)
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()

    def page(url: str) -> str:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")

    def wait_for(pattern: str, count: int) -> None:
        while sum(pattern in line for line in list(lines)) < count:
            if process.poll() is not None:
                raise SystemExit("watch stopped:\n" + "".join(lines))
            time.sleep(0.05)

    latencies = []
    try:
        wait_for("watching for changes", 1)
        url = re.search(r"serving (http://127\.0\.0\.1:\d+/)", "".join(lines)).group(1)
        tolls = data / "death_tolls.csv"
        for edit in range(edits):
            time.sleep(1.0)  # the spare kernels for the next change are ready by now
            token = f"bench-edit-{edit}-{time.time_ns()}"
            text = tolls.read_text(encoding="utf-8")
            header, first, rest = text.split("\n", 2)
            first = re.sub(r" bench-edit-[\w-]+", "", first)
            first = first[:-1] + f" {token}\"" if first.endswith('"') else f"{first} {token}"
            before = page(url + VERSION_PATH.lstrip("/"))
            started = time.monotonic()
            tolls.write_text(f"{header}\n{first}\n{rest}", encoding="utf-8")
            # As the page in the browser does (its reload script), poll the report's version,
            # not the report: fetching the 2.7 MB page fifty times a second from the watch's
            # own server thread slowed the rebuild it was timing by about 0.7 s. Then the page
            # is fetched, as the reload does, and must show the edit.
            while True:
                if time.monotonic() - started > 300:
                    raise SystemExit("watch did not show the edit:\n" + "".join(lines))
                version = page(url + VERSION_PATH.lstrip("/"))
                if version != before and token in page(url):
                    break
                time.sleep(0.02)
            latencies.append(time.monotonic() - started)
            wait_for("watching for changes", edit + 2)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    return {"seconds": statistics.median(latencies), "seconds_all": [round(x, 2) for x in latencies]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (median reported)")
    parser.add_argument("--large-rows", type=int, default=1_000_000)
    parser.add_argument("--large-runs", type=int, default=1, help="0 leaves the large case out")
    parser.add_argument("--profile-only", action="store_true",
                        help="only where the time of one build goes (no peers, no targets)")
    args = parser.parse_args()
    adopt_orphans()
    BENCH.mkdir(parents=True, exist_ok=True)
    if args.profile_only:
        print_profile(profile())
        return
    print(f"benchmark: {args.runs} run(s) per scenario, interleaved, median reported", flush=True)
    executable = jupyter_book()
    make_book()
    script = naive_script()
    names = ["html", "cold", "no-op", "edit", "languages", "floor", "jupyter-book", "naive"]
    runs: dict[str, list] = {name: [] for name in names}
    for run in range(args.runs):
        run_kzunrest(runs)
        run_floor(runs)
        run_jupyter_book(runs, executable)
        run_naive(runs, script)
        print(f"  run {run + 1} of {args.runs} done", flush=True)
    results = {name: median_run(r) for name, r in runs.items()}
    if args.large_runs:
        try:
            results["large"] = scenario_large(args.large_rows, args.large_runs)
            print("  large input done", flush=True)
        except SystemExit as failure:  # reported, and the other results still written
            print(f"  large input FAILED: {failure}", flush=True)
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
              f"{_mb(r.get('peak_mb')):>8} {r['ratio_to_floor']:>8.2f}  {ran}")
    if "large" in results:
        large = results["large"]
        print(f"\nlarge input: {large['rows']:,} rows ({large['input_mb']:.0f} MB CSV) -> "
              f"HTML {large['html_mb']:.2f} MB")
    jobs = {}
    for count in (1, 2, 4):  # how many chapters at once: the default comes from this
        out, data = BENCH / f"jobs-{count}", fresh_data(f"jobs-{count}-data")
        shutil.rmtree(out, ignore_errors=True)
        run = measure(build(out, "--no-pdf", "--jobs", str(count), "--data-dir", str(data)))
        jobs[count] = {"seconds": run["seconds"], "cpu": run["cpu"]}
    print("\ncold HTML-only build by chapters at once (--jobs): " + ", ".join(
        f"{n}: {j['seconds']:.1f} s wall, {j['cpu']:.1f} s CPU" for n, j in jobs.items()))
    results_profile = profile()
    print_profile(results_profile)
    checks = targets(results)
    print("\ntargets (issues 14 and 15), as measured in this run:")
    for what, measured, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'}  {what}: {measured}")
    (ROOT / "build" / "bench.json").write_text(json.dumps(
        {"runs": args.runs, "cores": os.cpu_count(), "load_average": os.getloadavg(),
         "results": results, "jobs": jobs, "profile": results_profile, "targets": [{"target": w, "measured": m, "met": ok}
                                         for w, m, ok in checks]}, indent=2), encoding="utf-8")
    print(f"written {ROOT / 'build' / 'bench.json'}")


if __name__ == "__main__":
    main()
