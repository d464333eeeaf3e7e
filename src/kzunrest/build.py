"""The build pipeline: validate → execute → assemble → export.

* validate: the whole data package, with every problem listed (skipped when neither the data nor
  the validating code changed since the last successful check);
* execute: each chapter with Papermill in a fresh kernel forked warm from this process (see
  :mod:`kzunrest.kernels`), as many at once as there are cores, reusing the cached execution when
  none of its inputs changed (all build state lives in :mod:`kzunrest.cache`);
* assemble: one report notebook with numbered figures, front and back matter;
* export: ``report.html`` and ``report.pdf`` (its chart images rendered only for charts not
  rendered before), each written to a temporary file and moved into place
  only when complete, and only when its content changed.

A failure at any stage leaves the previous report untouched.
"""

from __future__ import annotations

import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import cache, changes
from .cache import data_files
from .errors import ChapterError
from .publish import publish, remove_leftovers
from .config import PROJECT_ROOT, Config, ConfigError, check_parameters, load_config

BUILD_ROOT = PROJECT_ROOT / "build"


@dataclass
class Options:
    config: Path | None = None
    data_dir: Path | None = None
    output_dir: Path | None = None
    force: bool = False
    jobs: int | None = None
    pdf: bool = True


@dataclass
class Outcome:
    name: str
    status: str  # "executed" or "cached"
    reason: str


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# Paths


def output_dir(requested: Path | None) -> Path:
    """The output folder: build/ or a folder inside it, never anywhere else."""
    target = (Path(requested) if requested else BUILD_ROOT).resolve()
    root = BUILD_ROOT.resolve()
    if target != root and root not in target.parents:
        raise ConfigError(f"--output-dir {requested}: outside {root}; the build writes only inside "
                          "build/ (choose e.g. build/alt)")
    return target


def data_dir(requested: Path | None) -> Path:
    path = (Path(requested) if requested else PROJECT_ROOT / "data").resolve()
    if not path.is_dir():
        raise ConfigError(f"--data-dir {requested}: directory does not exist; point it at a folder "
                          "holding datapackage.json and the CSV files")
    return path


# ---------------------------------------------------------------------------------------------
# Stage 1: validate


def validate_stage(directory: Path, out: Path, force: bool) -> tuple[str, str]:
    """Validate the data package (skipped when neither the data nor the code changed since the
    last successful check). Returns what was done and the digest of the package now known valid,
    which the chapters are given. Raises DataError."""
    data_digest = cache.package_digest(directory)
    if not force and cache.validated(out, data_digest):
        return "unchanged since last check", data_digest
    from .data import DataError, validate

    problems = validate(directory)
    if problems:
        raise DataError(problems)
    cache.save_validated(out, data_digest)
    return "valid", data_digest


# ---------------------------------------------------------------------------------------------
# Stage 2: execute

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # ipykernel warns about its TCP transport


def _prepare_chapter_kernel() -> None:
    """Run in each chapter kernel as soon as it is forked: charts carry no SVG (export_stage
    renders those the PDF needs), and vl-convert's runtime is started while the kernel waits."""
    import vl_convert

    from . import render

    render.STATIC_SVG = False
    vl_convert.vegalite_to_vega({"mark": "point"})


def _run_chapter(spare, notebook: str, target: str, parameters: dict, cwd: str,
                 data_digest: str) -> dict:
    """Execute one chapter with Papermill in a warm kernel; record the files it read."""
    import papermill
    from jupyter_core.utils import run_sync
    from papermill.exceptions import PapermillExecutionError

    from . import kernels

    log = tempfile.NamedTemporaryFile(prefix="kzunrest-reads-", suffix=".txt", delete=False)
    log.close()
    # The kernel is told where to log the files it reads, and that this package is valid.
    env = {**os.environ, cache.READ_LOG_ENV: log.name, cache.VALIDATED_ENV: data_digest}
    started = time.monotonic()
    manager = kernels.manager(spare)
    try:
        run_sync(manager.start_kernel)(cwd=cwd, env=env, extra_arguments=KERNEL_ARGUMENTS)
        papermill.execute_notebook(notebook, target, parameters=parameters, kernel_name="python3",
                                   km=manager, progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False)
        reads = Path(log.name).read_text(encoding="utf-8").split()
        return {"ok": True, "reads": reads, "seconds": time.monotonic() - started}
    except PapermillExecutionError as error:
        first_line = next((line for line in error.source.splitlines() if line.strip()), "")
        # Papermill always inserts its injected-parameters cell before the failing one, so the
        # executed notebook's 0-based index is the 1-based position in the chapter's own file.
        return {"ok": False, "cell": error.cell_index, "ename": error.ename,
                "evalue": error.evalue, "line": first_line}
    finally:
        try:
            if manager.has_kernel:
                run_sync(manager.shutdown_kernel)(now=False)
        except Exception:  # the kernel is gone already: make sure of it
            spare.kill()
        os.unlink(log.name)


@dataclass
class Plan:
    """What stage 2 will do: the chapters to execute (with why) and those reused from the cache."""

    todo: list
    cached: dict[str, Outcome]


def plan_chapters(config: Config, directory: Path, out: Path, force: bool, package: str,
                  environment: str) -> Plan:
    todo, cached = [], {}
    for chapter in config.chapters:
        reason = "--force" if force else staleness(chapter, directory, out, package, environment)
        if reason is None:
            cached[chapter.name] = Outcome(chapter.name, "cached", "inputs unchanged")
        else:
            todo.append((chapter, chapter_parameters(chapter, directory), reason))
    return Plan(todo, cached)


def _warm_exporter() -> None:
    """While the chapters execute this process mostly waits: load the exporter meanwhile (any
    problem with it is reported by the export stage itself)."""
    try:
        from .export import warm

        warm()
    except Exception:
        pass


def kernel_pool():
    """A pool of chapter kernels, forked warm from this process (see kzunrest.kernels)."""
    from . import kernels

    return kernels.Pool(prepare=_prepare_chapter_kernel)


def start_kernels(pool, count: int) -> list:
    """``count`` chapter kernels, started before validation so that their own warm-up
    (vl-convert's JavaScript runtime) runs while the data are checked."""
    from . import kernels

    if not count:
        return []
    kernels.warm_up()
    return pool.take(count)


def execute_stage(config: Config, plan: Plan, out: Path, jobs: int | None, spares: list,
                  data_digest: str, package: str, environment: str) -> list[Outcome]:
    chapters_dir = out / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    outcomes = dict(plan.cached)
    for name, outcome in outcomes.items():
        say(f"      {name:<28} cached    ({outcome.reason})")
    if plan.todo:
        _execute_parallel(plan.todo, chapters_dir, out, jobs, outcomes, spares, data_digest,
                          package, environment)
    return [outcomes[c.name] for c in config.chapters]


def chapter_parameters(chapter, directory: Path) -> dict:
    return {**chapter.parameters, "data_dir": str(directory)}


def staleness(chapter, directory: Path, out: Path, package: str, environment: str) -> str | None:
    """Why the chapter must execute again, or None when its cached execution is current."""
    record = cache.load_record(out, chapter.name)
    reads = list((record or {}).get("reads", {}))
    current = cache.fingerprint(chapter.notebook, chapter_parameters(chapter, directory), reads,
                                package, environment)
    return cache.why_stale(record, current, out / "chapters" / f"{chapter.name}.ipynb")


def default_jobs(chapters: int) -> int:
    """Chapters run at once: one per core (measured by `make bench`: with warm kernels a chapter
    is CPU-bound, so more at once than cores only adds switching)."""
    return max(1, min(os.cpu_count() or 1, chapters))


def _execute_parallel(todo, chapters_dir: Path, out: Path, jobs: int | None,
                      outcomes: dict[str, Outcome], spares: list, data_digest: str, package: str,
                      environment: str) -> None:
    workers = max(1, min(jobs or default_jobs(len(todo)), len(todo)))
    say(f"      running {len(todo)} chapter(s), {workers} at a time")
    staging = Path(tempfile.mkdtemp(prefix=".executing-", dir=chapters_dir))
    failures = []
    jobs_queue: queue.Queue = queue.Queue()
    results: queue.Queue = queue.Queue()
    for spare, (chapter, parameters, reason) in zip(spares, todo):
        jobs_queue.put((spare, chapter, parameters, reason, staging / f"{chapter.name}.ipynb"))
        say(f"      {chapter.name:<28} queued    ({reason})")

    def worker() -> None:
        while True:
            try:
                spare, chapter, parameters, reason, target = jobs_queue.get_nowait()
            except queue.Empty:
                return
            try:
                result = _run_chapter(spare, str(chapter.notebook), str(target), parameters,
                                      str(chapter.notebook.parent), data_digest)
            except BaseException as error:  # handed to the main thread, raised there
                result = {"ok": False, "error": error}
            results.put((chapter, parameters, reason, target, result))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    try:
        for thread in threads:
            thread.start()
        for _ in todo:
            while True:
                try:
                    chapter, parameters, reason, target, result = results.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
            if "error" in result:
                raise result["error"]
            if not result["ok"]:
                kept = chapters_dir / f"{chapter.name}.failed.ipynb"
                if target.is_file():
                    target.replace(kept)
                failures.append(_failure_message(chapter, result, kept))
                say(f"      {chapter.name:<28} FAILED")
                continue
            target.replace(chapters_dir / f"{chapter.name}.ipynb")
            (chapters_dir / f"{chapter.name}.failed.ipynb").unlink(missing_ok=True)
            cache.save_record(out, chapter.name, cache.fingerprint(
                chapter.notebook, parameters, result["reads"], package, environment))
            outcomes[chapter.name] = Outcome(chapter.name, "executed", reason)
            say(f"      {chapter.name:<28} executed  in {result['seconds']:.1f} s")
    except BaseException:
        # Interrupted (Ctrl-C) or a kernel died: stop every kernel now rather than wait for the
        # chapters they are running.
        for spare in spares:
            spare.kill()
        for thread in threads:
            thread.join(timeout=5)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if failures:
        raise ChapterError("\n".join(failures))


def _failure_message(chapter, result: dict, kept: Path) -> str:
    return (f"chapter {chapter.notebook.name} failed in cell {result['cell']} "
            f"(starting `{result['line'][:80]}`):\n"
            f"    {result['ename']}: {result['evalue']}\n"
            f"    the executed notebook is kept for review: {_shown(kept)}")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# Stages 3 and 4: assemble and export


def report_inputs(config: Config, directory: Path) -> list[Path]:
    return [*data_files(directory), config.path, *[c.notebook for c in config.chapters]]


def executed_chapters(config: Config, out: Path) -> list[Path]:
    return [out / "chapters" / f"{c.name}.ipynb" for c in config.chapters]


def assemble_stage(config: Config, directory: Path, out: Path):
    """One report notebook from the executed chapters, with front and back matter."""
    from .assemble import assemble
    from .data import load

    started = time.monotonic()
    dataset = load(directory, tables=["sources"], check=False)  # validated in stage 1
    cited = cited_sources(directory)
    parameters = {c.name: {**c.parameters, "data_dir": _display_dir(directory)}
                  for c in config.chapters}
    report, front = assemble(config, [out / "chapters" / f"{c.name}.ipynb" for c in config.chapters],
                             dataset.sources, cited, data_files(directory),
                             report_inputs(config, directory), parameters)
    figures = sum(1 for cell in report.cells for o in cell.get("outputs", [])
                  if o.get("metadata", {}).get("kzunrest", {}).get("figure"))
    say(f"      {len(config.chapters)} chapters, {figures} figures, {len(cited)} sources "
        f"({time.monotonic() - started:.1f} s)")
    return report, front


def cited_sources(directory: Path) -> set[str]:
    """Every source_id cited by a row of any table (read as plain CSV: no typing needed)."""
    import csv

    cited = set()
    for path in data_files(directory)[1:]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if path.name != "sources.csv" and "source_id" in (reader.fieldnames or []):
                cited |= {row["source_id"] for row in reader if row["source_id"]}
    return cited


def with_static_images(report, out: Path) -> None:
    """Give every figure its SVG for the PDF (rendered only when the chart is new, see
    cache.static_svg), with clip-path ids unique in the report (figure number + id)."""
    import re

    from .render import META_KEY, VEGA_MIMETYPE

    charts = []
    for cell in report.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(META_KEY, {})
            if meta.get("figure") and VEGA_MIMETYPE in output.get("data", {}):
                charts.append(output["data"][VEGA_MIMETYPE])
                svg = cache.static_svg(out, charts[-1])
                output["data"]["image/svg+xml"] = re.sub(
                    r"clip(\d+)", rf"figure{meta['number']}-clip\1", svg)
    cache.keep_only_svgs(out, charts)


def export_stage(report, front, out: Path, want_pdf: bool, previous: dict) -> tuple[dict, dict]:
    """Render the HTML, and print the PDF only when its content changed. Returns the files to
    publish (None: keep the existing file) and the content keys to remember."""
    from .export import print_pdf, to_html

    started = time.monotonic()
    html = to_html(report, front.as_resources())
    keys = {"report.html": cache.content_key(html, front.built)}
    files: dict[str, bytes | None] = {"report.html": html.encode("utf-8")}
    say(f"      report.html  rendered ({len(files['report.html']) / 1e6:.2f} MB, "
        f"{time.monotonic() - started:.1f} s)")
    if want_pdf:
        with_static_images(report, out)
        static = to_html(report, front.as_resources(), static=True)
        keys["report.pdf"] = cache.content_key(static, front.built)
        if keys["report.pdf"] == previous.get("report.pdf") and (out / "report.pdf").is_file():
            files["report.pdf"] = None
            say("      report.pdf   content unchanged, not printed again")
        else:
            started = time.monotonic()
            files["report.pdf"] = print_pdf(static)
            say(f"      report.pdf   printed ({len(files['report.pdf']) / 1e6:.2f} MB, "
                f"{time.monotonic() - started:.1f} s)")
    if keys["report.html"] == previous.get("report.html") and (out / "report.html").is_file():
        files["report.html"] = None  # only the build stamp would change
    return files, keys


def _display_dir(directory: Path) -> str:
    try:
        return str(directory.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(directory)


# ---------------------------------------------------------------------------------------------
# The whole pipeline


def build(options: Options, pool=None) -> int:
    """Build the report. ``pool``: chapter kernels kept ready between builds (kzunrest watch);
    by default the kernels are forked for this build alone."""
    total = time.monotonic()
    out = output_dir(options.output_dir)
    directory = data_dir(options.data_dir)
    config = load_config(options.config)
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)

    code = cache.package_code_digest(), cache.environment_digest()
    plan = plan_chapters(config, directory, out, options.force, *code)
    own = pool is None
    pool = kernel_pool() if own else pool
    spares = start_kernels(pool, len(plan.todo))
    try:
        return _build(options, config, directory, out, plan, spares, total, code)
    finally:
        pool.give_back(spares)  # kernels a failed or interrupted build did not use
        if own:
            pool.close()


def _build(options: Options, config: Config, directory: Path, out: Path, plan: Plan,
           spares: list, total: float, code: tuple[str, str]) -> int:
    started = time.monotonic()
    say("[1/4] validate data")
    status, data_digest = validate_stage(directory, out, options.force)
    say(f"      {status} ({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    say("[2/4] execute chapters")
    inputs = report_inputs(config, directory)
    outputs = [out / "report.html", *([out / "report.pdf"] if options.pdf else [])]
    if not plan.todo and cache.why_report_stale(
            out, cache.report_key(inputs, executed_chapters(config, out), *code), outputs) is None:
        # Fast path: no input of any chapter or of the report changed. Nothing is started.
        for chapter in config.chapters:
            say(f"      {chapter.name:<28} cached    (inputs unchanged)")
        say(f"done in {time.monotonic() - total:.1f} s: nothing changed; "
            + ", ".join(_shown(p) for p in outputs) + " up to date")
        return 0
    check_parameters(config)
    warming = threading.Thread(target=_warm_exporter, daemon=True)
    warming.start()
    outcomes = execute_stage(config, plan, out, options.jobs, spares, data_digest, *code)
    warming.join()
    ran = [o.name for o in outcomes if o.status == "executed"]
    say(f"      {len(ran)} executed, {len(outcomes) - len(ran)} cached "
        f"({time.monotonic() - started:.1f} s)")

    say("[3/4] assemble report")
    report, front = assemble_stage(config, directory, out)
    changed = changes.attach(front, out, directory, [c.name for c in config.chapters])
    say("[4/4] export")
    files, keys = export_stage(report, front, out, options.pdf, cache.published_content(out))
    written = publish(out, files)
    for name in keys:
        say(f"      {name:<12} {'written' if name in written else 'unchanged'}")
    cache.save_report(out, cache.report_key(inputs, executed_chapters(config, out), *code), keys)
    changed.keep()  # this build is now "the previous build"; writes changes.md
    say(f"done in {time.monotonic() - total:.1f} s: " + ", ".join(_shown(p) for p in outputs))
    return 0


def main_build(options: Options) -> int:
    try:
        return build(options)
    except KeyboardInterrupt:
        say("interrupted: the previous report is unchanged")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_build(Options()))
