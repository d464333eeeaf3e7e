"""The build pipeline: validate → execute → assemble → export.

* validate: the whole data package, with every problem listed (skipped when neither the data nor
  the validating code changed since the last successful check);
* execute: each chapter with Papermill in a fresh kernel forked warm from this process (see
  :mod:`kzunrest.kernels`), as many at once as there are cores, reusing the cached execution when
  none of its inputs changed (all build state lives in :mod:`kzunrest.cache`); with several
  languages (``--language``) every language's chapters share the one pool of warm kernels, after
  one validation;
* assemble: one report notebook per language with numbered figures, front and back matter;
* export: ``report.html`` and ``report.pdf`` (its chart images rendered only for charts not
  rendered before), each written to a temporary file and moved into place
  only when complete, and only when its content changed.

A failure at any stage leaves the previous report untouched.
"""

from __future__ import annotations

import ctypes
import gc
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import cache, changes, i18n
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
    # Report languages (kzunrest.i18n.LANGUAGES): English is written to the output folder itself,
    # every other language to a folder named after it (build/ru/, build/kk/).
    languages: tuple[str, ...] = ("en",)


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


def language_dir(out: Path, language: str) -> Path:
    """Where one language's report, executed chapters and cache records go."""
    return out if language == i18n.SOURCE_LANGUAGE else out / language


def _label(name: str, language: str) -> str:
    return name if language == i18n.SOURCE_LANGUAGE else f"{language}/{name}"


def data_dir_option(requested: Path | None) -> Path:
    """The folder of --data-dir (data/ by default), checked by data.data_dir_problem."""
    from .data import DEFAULT_DATA_DIR, data_dir_problem

    path = Path(requested) if requested else DEFAULT_DATA_DIR
    problem = data_dir_problem(path)
    if problem:
        raise ConfigError(f"--data-dir {_shown(Path(problem.file))}: {problem.message}")
    return path.resolve()


# ---------------------------------------------------------------------------------------------
# Stage 1: validate


def validate_stage(directory: Path, out: Path, force: bool) -> tuple[str, str]:
    """Validate the data package: skipped when neither the data nor the code changed since the
    last successful check, and after an edit only the tables it can affect
    (data.tables_to_recheck). Returns what was done and the digest of the package now known
    valid, which the chapters are given. Raises DataError."""
    files = cache.data_file_digests(directory)  # each file read once, here
    data_digest = cache.package_digest(directory, files)
    if not force and cache.validated(out, files):
        return "unchanged since last check", data_digest
    from .data import DataError, tables_to_recheck, validate

    tables = None if force else tables_to_recheck(directory, cache.last_valid_files(out), files)
    problems = validate(directory, tables)
    if problems:
        raise DataError(problems)
    cache.save_validated(out, files)
    if tables is None:
        return "valid", data_digest
    return f"valid: {', '.join(tables)} checked again, the other tables as last checked", data_digest


# ---------------------------------------------------------------------------------------------
# Stage 2: execute

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # ipykernel's start-up notices stay out of the build's output


def _prepare_chapter_kernel() -> None:
    """Run in each chapter kernel as soon as it is forked: vl-convert's runtime is started while
    the kernel waits."""
    import vl_convert

    vl_convert.vegalite_to_vega({"mark": "point"})


def _enter_chapter_kernel(context: dict) -> None:
    """Run in a chapter kernel as it starts, with the context the build sent for this chapter:
    ``static_svg``, whether its charts carry their SVG (only when the build prints a PDF: each
    chapter draws its own, in parallel with the others, while the build would draw them one after
    another; see with_static_images), ``sources``, the report's source numbers and labels the SVGs
    are drawn with (render.REPORT_SOURCES), and kzunrest.data's BuildContext (the rest)."""
    from . import render
    from .data import enter_build

    context = dict(context)
    render.STATIC_SVG = context.pop("static_svg", False)
    numbers, labels = context.pop("sources", (None, None))
    render.REPORT_SOURCES = (numbers, labels) if numbers is not None else None
    enter_build(context)


def _run_chapter(spare, notebook, target: str, parameters: dict, cwd: str,
                 context: dict) -> dict:
    """Execute one chapter with Papermill in a warm kernel; record the files it read.
    ``notebook``: the chapter's path, or the chapter with its Markdown already in the reader's
    language (:func:`kzunrest.i18n.translate_notebook`)."""
    import papermill
    from jupyter_core.utils import run_sync
    from papermill.exceptions import PapermillExecutionError

    from . import kernels

    log = tempfile.NamedTemporaryFile(prefix="kzunrest-reads-", suffix=".txt", delete=False)
    log.close()
    started = time.monotonic()
    # The kernel is told that this package is valid, where to log the files it reads, and
    # whether to render SVGs (see _enter_chapter_kernel).
    manager = kernels.manager(spare, context={**context, "read_log": log.name})
    try:
        run_sync(manager.start_kernel)(cwd=cwd, extra_arguments=KERNEL_ARGUMENTS)
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
        except Exception:  # the kernel is gone already: make sure of it, and of its socket files
            spare.kill()
            run_sync(manager.cleanup_resources)()
        os.unlink(log.name)


@dataclass
class Plan:
    """What stage 2 will do for one language: the chapters to execute (with why) and those reused
    from the cache."""

    todo: list
    cached: dict[str, Outcome]
    language: str = i18n.SOURCE_LANGUAGE
    out: Path | None = None


def plan_chapters(config: Config, directory: Path, out: Path, force: bool, package: str,
                  environment: str, language: str = i18n.SOURCE_LANGUAGE) -> Plan:
    todo, cached = [], {}
    for chapter in config.chapters:
        reason = "--force" if force else staleness(chapter, directory, out, package, environment,
                                                   language)
        if reason is None:
            cached[chapter.name] = Outcome(chapter.name, "cached", "inputs unchanged")
        else:
            todo.append((chapter, chapter_parameters(chapter, directory, language), reason))
    return Plan(todo, cached, language, out)


def _warm_exporter(root: Path) -> None:
    """While the chapters execute this process mostly waits: load the exporter and the Vega
    bundle meanwhile (any problem with them is reported by the export stage itself)."""
    try:
        from .export import warm

        warm(cache.vega_bundle(root))
    except Exception:
        pass


def kernel_pool():
    """A pool of chapter kernels, forked warm from this process (see kzunrest.kernels)."""
    from . import kernels

    return kernels.Pool(prepare=_prepare_chapter_kernel, enter=_enter_chapter_kernel)


def start_kernels(pool, count: int, jobs: int | None, languages: list[str]):
    """The chapter kernels of a build of ``count`` chapters in ``languages`` (a kernels.Supply):
    the first are started before validation so that their own warm-up (vl-convert's JavaScript
    runtime) runs while the data are checked, the rest as chapters start. The languages'
    catalogs are read first, once, for this process and every kernel forked from it."""
    from . import kernels

    if count:
        kernels.warm_up()
        i18n.preload(languages)
    return kernels.Supply(pool, count, ahead=(jobs or default_jobs(count)) + 1)


def execute_stage(config: Config, plans: list[Plan], jobs: int | None, spares,
                  context: dict, package: str, environment: str,
                  when_done: Callable[[Plan], None] = lambda plan: None) -> dict[str, list[Outcome]]:
    """Execute the stale chapters of every language's plan in one pool of warm kernels (as many
    at once as ``jobs``), languages in order. ``when_done(plan)`` is called in this thread as soon
    as all of a language's chapters have executed, while the next language's still run (unless a
    chapter failed). Returns each language's outcomes in chapter order."""
    outcomes: dict[tuple[str, str], Outcome] = {}
    todo = []
    for plan in plans:
        (plan.out / "chapters").mkdir(parents=True, exist_ok=True)
        for name, outcome in plan.cached.items():
            outcomes[(plan.language, name)] = outcome
            say(f"      {_label(name, plan.language):<28} cached    ({outcome.reason})")
        todo += [(chapter, parameters, reason, plan.language, plan.out)
                 for chapter, parameters, reason in plan.todo]
    for plan in plans:
        if not plan.todo:
            when_done(plan)
    if todo:
        waiting = {plan.language: (plan, len(plan.todo)) for plan in plans if plan.todo}

        def executed(language: str) -> None:
            plan, left = waiting[language]
            waiting[language] = (plan, left - 1)
            if left == 1:
                when_done(plan)
        _execute_parallel(todo, jobs, outcomes, spares, context, package, environment,
                          executed)
    return {plan.language: [outcomes[(plan.language, c.name)] for c in config.chapters]
            for plan in plans}


def chapter_parameters(chapter, directory: Path, language: str = i18n.SOURCE_LANGUAGE) -> dict:
    """What Papermill injects. English is every chapter's default language, so it is not passed
    (an English chapter's parameters, and its cache key, are what they were before languages)."""
    extra = {} if language == i18n.SOURCE_LANGUAGE else {"language": language}
    return {**chapter.parameters, "data_dir": str(directory), **extra}


def staleness(chapter, directory: Path, out: Path, package: str, environment: str,
              language: str = i18n.SOURCE_LANGUAGE) -> str | None:
    """Why the chapter must execute again, or None when its cached execution is current."""
    record = cache.load_record(out, chapter.name)
    reads = list((record or {}).get("reads", {}))
    current = cache.fingerprint(chapter.notebook, chapter_parameters(chapter, directory, language),
                                reads, package, environment)
    return cache.why_stale(record, current, out / "chapters" / f"{chapter.name}.ipynb")


def default_jobs(chapters: int) -> int:
    """Chapters run at once: one per core (measured by `make bench`: with warm kernels a chapter
    is CPU-bound, so more at once than cores only adds switching)."""
    return max(1, min(os.cpu_count() or 1, chapters))


def _execute_parallel(todo, jobs: int | None, outcomes: dict[tuple[str, str], Outcome],
                      spares, context: dict, package: str, environment: str,
                      executed: Callable[[str], None]) -> None:
    """``todo``: (chapter, parameters, reason, language, output folder) for every chapter of
    every language to execute, each on a kernel from ``spares`` (a kernels.Supply).
    ``executed(language)`` after each chapter that succeeded, while no chapter has failed."""
    import nbformat

    workers = max(1, min(jobs or default_jobs(len(todo)), len(todo)))
    say(f"      running {len(todo)} chapter(s), {workers} at a time")
    staging: dict[str, Path] = {}
    failures = []
    jobs_queue: queue.Queue = queue.Queue()
    results: queue.Queue = queue.Queue()
    for chapter, parameters, reason, language, out in todo:
        if language not in staging:
            staging[language] = Path(tempfile.mkdtemp(prefix=".executing-", dir=out / "chapters"))
        # The chapter's Markdown in the reader's language (here, not in the worker threads: the
        # catalogs switch language for the whole process); the notebook file itself stays English.
        source = (str(chapter.notebook) if language == i18n.SOURCE_LANGUAGE else
                  i18n.translate_notebook(nbformat.read(chapter.notebook, as_version=4), language))
        jobs_queue.put((chapter, parameters, reason, language, out, source,
                        staging[language] / f"{chapter.name}.ipynb"))
        say(f"      {_label(chapter.name, language):<28} queued    ({reason})")

    def worker() -> None:
        while True:
            try:
                chapter, parameters, reason, language, out, source, target = \
                    jobs_queue.get_nowait()
            except queue.Empty:
                return
            try:
                result = _run_chapter(spares.get(), source, str(target), parameters,
                                      str(chapter.notebook.parent), context)
            except BaseException as error:  # handed to the main thread, raised there
                result = {"ok": False, "error": error}
            results.put((chapter, parameters, reason, language, out, target, result))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    try:
        for thread in threads:
            thread.start()
        for _ in todo:
            while True:
                try:
                    chapter, parameters, reason, language, out, target, result = \
                        results.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
            if "error" in result:
                raise result["error"]
            chapters_dir, label = out / "chapters", _label(chapter.name, language)
            if not result["ok"]:
                kept = chapters_dir / f"{chapter.name}.failed.ipynb"
                if target.is_file():
                    target.replace(kept)
                failures.append(_failure_message(chapter, result, kept))
                say(f"      {label:<28} FAILED")
                continue
            target.replace(chapters_dir / f"{chapter.name}.ipynb")
            (chapters_dir / f"{chapter.name}.failed.ipynb").unlink(missing_ok=True)
            cache.save_record(out, chapter.name, cache.fingerprint(
                chapter.notebook, parameters, result["reads"], package, environment))
            outcomes[(language, chapter.name)] = Outcome(chapter.name, "executed", reason)
            say(f"      {label:<28} executed  in {result['seconds']:.1f} s")
            if not failures:
                executed(language)
    except BaseException:
        # Interrupted (Ctrl-C) or a kernel died: stop every kernel now rather than wait for the
        # chapters they are running.
        spares.kill()
        for thread in threads:
            thread.join(timeout=5)
        raise
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
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


def assemble_stage(config: Config, directory: Path, out: Path,
                   language: str = i18n.SOURCE_LANGUAGE, listing: SourceListing | None = None):
    """One report notebook from the executed chapters, with front and back matter, in the
    language the chapters were executed in (the catalogs stay on it until the next language).
    ``listing``: the build's :func:`source_listing` (read here when not given)."""
    from .assemble import assemble

    started = time.monotonic()
    listing = listing or source_listing(directory)
    cited = listing.cited
    parameters = {c.name: {k: v for k, v in chapter_parameters(c, directory, language).items()
                           if k != "data_dir"} | {"data_dir": _display_dir(directory)}
                  for c in config.chapters}
    i18n.use(language)
    report, front = assemble(config, [out / "chapters" / f"{c.name}.ipynb" for c in config.chapters],
                             listing.sources, cited, data_files(directory),
                             report_inputs(config, directory), parameters)
    figures = sum(1 for cell in report.cells for o in cell.get("outputs", [])
                  if o.get("metadata", {}).get("kzunrest", {}).get("figure"))
    say(f"      {len(config.chapters)} chapters, {figures} figures, {len(cited)} sources "
        f"({time.monotonic() - started:.1f} s)")
    return report, front


@dataclass
class SourceListing:
    """What the Sources list is made of, read once per build (every language shares it): the
    sources table, the ids the data cite, and as assemble() gives them, each cited source's number
    and every source's label."""

    sources: object  # pandas.DataFrame
    cited: set[str]
    numbers: dict[str, int]
    labels: dict[str, str]


def source_listing(directory: Path) -> SourceListing:
    from .assemble import cited_in_order, source_numbers
    from .citations import source_labels
    from .data import load

    sources = load(directory, tables=["sources"], check=False).sources  # validated in stage 1
    cited = cited_sources(directory)
    return SourceListing(sources, cited, source_numbers(cited_in_order(sources, cited)),
                         source_labels(sources))


def cited_sources(directory: Path) -> set[str]:
    """Every source_id cited by a row of any table: only that column, as text (pandas' C reader:
    a million rows in a fraction of a second)."""
    import pandas as pd

    cited = set()
    for path in data_files(directory)[1:]:
        if path.name == "sources.csv":
            continue
        table = pd.read_csv(path, usecols=lambda name: name == "source_id", dtype=str,
                            keep_default_na=False, encoding="utf-8-sig")
        if "source_id" in table:
            cited |= set(table["source_id"][table["source_id"] != ""])
    return cited


def with_static_images(report, out: Path) -> None:
    """Give every figure its SVG for the PDF, with clip-path ids unique in the report (figure
    number + id). The SVG is the one its chapter drew when that was drawn from the spec as the
    report numbers it; it is drawn here when the chapter ran without a PDF in view, or when the
    Sources list was renumbered after the chapter's cached run (see cache.static_svg)."""
    import re

    from .render import META_KEY, VEGA_MIMETYPE, spec_digest

    charts = []
    for cell in report.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(META_KEY, {})
            if meta.get("figure") and VEGA_MIMETYPE in output.get("data", {}):
                charts.append(output["data"][VEGA_MIMETYPE])
                drawn = output["data"].get("image/svg+xml")
                if drawn is not None and meta.get("svg_drawn_from") != spec_digest(charts[-1]):
                    drawn = None
                svg = cache.static_svg(out, charts[-1], drawn)
                output["data"]["image/svg+xml"] = re.sub(
                    r"clip(\d+)", rf"figure{meta['number']}-clip\1", svg)
    cache.keep_only_svgs(out, charts)


class Browsers:
    """Chromiums launched in the background when the build starts executing chapters (a launch
    is about 0.7 s a print would otherwise wait for), lent to the prints one at a time."""

    def __init__(self, count: int) -> None:
        from .export import Chromium

        self._free: queue.Queue = queue.Queue()
        self._all = [Chromium() for _ in range(count)]
        for chromium in self._all:
            self._free.put(chromium)

    @contextmanager
    def lend(self):
        chromium = self._free.get()
        try:
            yield chromium
        finally:
            self._free.put(chromium)

    def close(self) -> None:
        for chromium in self._all:
            chromium.close()


def export_stage(report, front, out: Path, want_pdf: bool, previous: dict, printer: Executor,
                 browsers: Browsers | None, vega_js: str | None = None,
                 code: str = "") -> Callable[[], tuple[dict, dict, dict]]:
    """Render the HTML here; hand the PDF to ``printer``, which renders the chart images and the
    static page and prints (only when its content changed) while this thread goes on to the next
    language. Returns a function that waits for the PDF and gives the files to publish (None:
    keep the existing file), the content keys to remember and the PDF's pages (empty when it
    was not printed). ``code``: what the parts of the PDF kept from the last print were printed
    by (see cache.PrintedParts)."""
    from .export import PrintLabels, to_html

    started = time.monotonic()
    html = to_html(report, front.as_resources(), vega_js=vega_js)
    keys = {"report.html": cache.content_key(html, front.built)}
    files: dict[str, bytes | None] = {"report.html": html.encode("utf-8")}
    say(f"      {_label('report.html', front.language):<12} rendered "
        f"({len(files['report.html']) / 1e6:.2f} MB, {time.monotonic() - started:.1f} s)")
    if keys["report.html"] == previous.get("report.html") and (out / "report.html").is_file():
        files["report.html"] = None  # only the build stamp would change
    # From here on only the print job touches ``report`` (it adds the chart images). It takes the
    # report out of its holder, so the notebook is freed once the static page is made and before
    # Chromium prints (in the million-row case, a few hundred MB at the build's peak).
    printing = printer.submit(_pdf, [report], front, out, previous.get("report.pdf"),
                              PrintLabels.current(), browsers, code) if want_pdf else None

    def finished() -> tuple[dict, dict, dict]:
        pages = {}
        if printing is not None:
            files["report.pdf"], keys["report.pdf"], pages = printing.result()
        return files, keys, pages
    return finished


def return_freed_memory() -> None:
    """Hand the memory the assembly freed (the chapters' notebooks, parsed) back to the system
    before the print, the build's peak: glibc keeps freed memory for reuse unless asked.
    Measured on the million-row case: this process 550 -> 400 MB while Chromium prints."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to ask
        pass


def _pdf(held: list, front, out: Path, previous: str | None, labels, browsers: Browsers,
         code: str) -> tuple[bytes | None, str, dict[str, int]]:
    """The PDF, its content key and its pages: the static page with every chart as SVG, printed
    only when its content changed (None: keep the existing file). The print starts from the
    pages of the last print here (cache.pdf_pages) and prints again only the parts of the report
    that changed (cache.PrintedParts); only the cache is written here. ``held``: the report
    notebook, alone in a list that this empties."""
    from .export import print_pdf, to_html

    shown = _label("report.pdf", front.language)
    report = held.pop()
    with_static_images(report, out)
    static = to_html(report, front.as_resources(), static=True)
    del report
    return_freed_memory()
    key = cache.content_key(static, front.built)
    if key == previous and (out / "report.pdf").is_file():
        say(f"      {shown:<12} content unchanged, not printed again")
        return None, key, {}
    started = time.monotonic()
    parts = cache.PrintedParts(out, code)
    with browsers.lend() as chromium:
        pdf, pages = print_pdf(static, hint=cache.pdf_pages(out), labels=labels, chromium=chromium,
                               store=parts)
    say(f"      {shown:<12} printed ({len(pdf) / 1e6:.2f} MB, {time.monotonic() - started:.1f} s; "
        f"parts: {parts.printed} printed, {parts.reused} reused)")
    return pdf, key, pages


def _display_dir(directory: Path) -> str:
    try:
        return str(directory.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(directory)


# ---------------------------------------------------------------------------------------------
# The whole pipeline


def build(options: Options, pool=None) -> int:
    """Build the report in each of ``options.languages``. ``pool``: chapter kernels kept ready
    between builds (kzunrest watch); by default the kernels are forked for this build alone."""
    total = time.monotonic()
    root = output_dir(options.output_dir)
    directory = data_dir_option(options.data_dir)
    config = load_config(options.config)
    languages = list(dict.fromkeys(i18n.check(language) for language in options.languages))
    outs = {language: language_dir(root, language) for language in languages}
    for out in outs.values():
        out.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)

    code = cache.package_code_digest(), cache.environment_digest()
    plans = [plan_chapters(config, directory, out, options.force, *code, language=language)
             for language, out in outs.items()]
    own = pool is None
    pool = kernel_pool() if own else pool
    spares = start_kernels(pool, sum(len(plan.todo) for plan in plans), options.jobs,
                           [plan.language for plan in plans if plan.todo])
    # A build with kernels of its own ends them as soon as its chapters have run: the fork server
    # and the spares hold the chapters' imports (about 100 MB) while the PDFs print.
    release = pool.close if own else (lambda: None)
    try:
        return _build(options, config, directory, root, plans, spares, total, code, release)
    finally:
        pool.give_back(spares.taken)  # kernels a failed or interrupted build did not use
        if own:
            pool.close()
        gc.unfreeze()  # kzunrest watch builds again in this process
        i18n.use(i18n.SOURCE_LANGUAGE)


def _outputs(out: Path, want_pdf: bool) -> list[Path]:
    return [out / "report.html", *([out / "report.pdf"] if want_pdf else [])]


def _build(options: Options, config: Config, directory: Path, root: Path, plans: list[Plan],
           spares, total: float, code: tuple[str, str], release_kernels: Callable[[], None]) -> int:
    started = time.monotonic()
    say("[1/4] validate data")
    status, data_digest = validate_stage(directory, root, options.force)  # once, every language
    say(f"      {status} ({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    say("[2/4] execute chapters")
    inputs = report_inputs(config, directory)
    current = {plan.language: not plan.todo and cache.why_report_stale(
        plan.out, cache.report_key(inputs, executed_chapters(config, plan.out), *code),
        _outputs(plan.out, options.pdf)) is None for plan in plans}
    if all(current.values()):
        # Fast path: no input of any chapter or of the report changed. Nothing is started.
        for plan in plans:
            for chapter in config.chapters:
                say(f"      {_label(chapter.name, plan.language):<28} cached    (inputs unchanged)")
        say(f"done in {time.monotonic() - total:.1f} s: nothing changed; "
            + ", ".join(_shown(p) for plan in plans for p in _outputs(plan.out, options.pdf))
            + " up to date")
        return 0
    for plan in plans:
        if current[plan.language]:
            say(f"      {plan.language}: report up to date, nothing to execute")
    stale = [plan for plan in plans if not current[plan.language]]
    check_parameters(config)  # imports Papermill: the last of this process's large imports
    # What is loaded by now lives until the build ends: out of the collector's way, each full
    # collection during the build no longer walks it (measured: 0.65 -> 0.44 s of collections).
    gc.freeze()
    warming = threading.Thread(target=_warm_exporter, args=(root,), daemon=True)
    warming.start()
    exports = []
    listing = source_listing(directory)

    def assemble_and_export(plan: Plan) -> None:
        """Stages 3 and 4 for one language, as soon as its chapters are ready (the other
        languages' chapters go on executing meanwhile; its PDF prints on ``printer``)."""
        out, prefix = plan.out, "" if len(plans) == 1 else f" ({plan.language})"
        warming.join()
        say(f"[3/4] assemble report{prefix}")
        report, front = assemble_stage(config, directory, out, plan.language, listing)
        changed = changes.attach(front, out, directory, [c.name for c in config.chapters])
        say(f"[4/4] export{prefix}")
        exports.append((plan.language, out, changed, export_stage(
            report, front, out, options.pdf, cache.published_content(out), printer, browsers,
            cache.vega_bundle(root), " ".join(code))))

    # At most two Chromiums print at once (a print keeps about one core busy); launched now, while
    # the chapters execute.
    browsers = Browsers(min(2, len(stale))) if options.pdf else None
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="print") as printer:
            # The PDF's chart images are drawn by each chapter's kernel, in parallel, with the
            # report's source numbers (see _enter_chapter_kernel; measured: a cold English build
            # about 1.4 s faster than drawing them here after the chapters).
            context = {"validated": data_digest, "static_svg": options.pdf}
            if options.pdf:
                context["sources"] = [listing.numbers, listing.labels]
            outcomes = execute_stage(config, stale, options.jobs, spares, context, *code,
                                     when_done=assemble_and_export)
            release_kernels()
            executed = sum(o.status == "executed" for done in outcomes.values() for o in done)
            say(f"      {executed} executed, {sum(map(len, outcomes.values())) - executed} cached "
                f"({time.monotonic() - started:.1f} s)")
            # Every language's files are complete before any is moved into place: a failure in
            # one leaves every report as it was.
            finished = [(language, out, changed, *finish())
                        for language, out, changed, finish in exports]
    finally:
        if browsers is not None:
            browsers.close()
    written_paths = []
    for language, out, changed, files, keys, pages in finished:
        written = publish(out, files)
        if pages:
            cache.save_pdf_pages(out, pages)
        for name in sorted(keys):
            say(f"      {_label(name, language):<12} {'written' if name in written else 'unchanged'}")
        cache.save_report(out, cache.report_key(inputs, executed_chapters(config, out), *code), keys)
        changed.keep()  # this build is now "the previous build"; writes changes.md
        written_paths += [_shown(p) for p in _outputs(out, options.pdf)]
    i18n.use(i18n.SOURCE_LANGUAGE)
    say(f"done in {time.monotonic() - total:.1f} s: " + ", ".join(written_paths))
    return 0


def main_build(options: Options) -> int:
    try:
        return build(options)
    except KeyboardInterrupt:
        say("interrupted: the previous report is unchanged")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_build(Options()))
