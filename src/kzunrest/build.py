"""The build pipeline: validate → execute → assemble → export.

* validate: the whole data package, with every problem listed (skipped when neither the data nor
  the validating code changed since the last successful check);
* execute: each chapter with Papermill, in parallel (one process per core), reusing the cached
  execution when none of its inputs changed (see :mod:`kzunrest.cache`);
* assemble: one report notebook with numbered figures, front and back matter;
* export: ``report.html`` and ``report.pdf``, each written to a temporary file and moved into place
  only when complete, and only when its content changed.

A failure at any stage leaves the previous report untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import cache, changes
from .cache import VALIDATED_ENV, data_files
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


def validate_stage(directory: Path, out: Path, force: bool) -> str:
    """Validate the data package (skipped when neither the data nor the code changed since the
    last successful check). Tells the chapters it is valid. Raises DataError."""
    data_key = cache.package_digest(directory)
    key = hashlib.sha256(f"{cache.package_code_digest()} {data_key}".encode()).hexdigest()
    os.environ.pop(VALIDATED_ENV, None)  # set again below once the data are known valid
    stamp = out / "cache" / "validated.json"
    if not force and stamp.is_file() and json.loads(stamp.read_text()).get("key") == key:
        os.environ[VALIDATED_ENV] = data_key
        return "unchanged since last check"
    from .data import DataError, validate

    problems = validate(directory)
    if problems:
        raise DataError(problems)
    os.environ[VALIDATED_ENV] = data_key
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"key": key}))
    return "valid"


# ---------------------------------------------------------------------------------------------
# Stage 2: execute


def _run_chapter(notebook: str, target: str, parameters: dict, cwd: str) -> dict:
    """Worker process: execute one chapter with Papermill; record the files it read."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .data import READ_LOG_ENV

    log = tempfile.NamedTemporaryFile(prefix="kzunrest-reads-", suffix=".txt", delete=False)
    log.close()
    os.environ[READ_LOG_ENV] = log.name
    started = time.monotonic()
    try:
        papermill.execute_notebook(notebook, target, parameters=parameters, kernel_name="python3",
                                   cwd=cwd, progress_bar=False, log_output=False,
                                   # ipykernel warns on stderr about its local TCP transport.
                                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
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
        os.unlink(log.name)


def execute_stage(config: Config, directory: Path, out: Path, force: bool,
                  jobs: int | None) -> list[Outcome]:
    chapters_dir = out / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    package, environment = cache.package_code_digest(), cache.environment_digest()
    outcomes: dict[str, Outcome] = {}
    todo = []
    for chapter in config.chapters:
        parameters = chapter_parameters(chapter, directory)
        reason = "--force" if force else staleness(chapter, directory, out, package, environment)
        if reason is None:
            outcomes[chapter.name] = Outcome(chapter.name, "cached", "inputs unchanged")
        else:
            todo.append((chapter, parameters, reason))
    for name, outcome in outcomes.items():
        say(f"      {name:<28} cached    ({outcome.reason})")
    if todo:
        _execute_parallel(todo, chapters_dir, out, package, environment, jobs, outcomes)
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


def _execute_parallel(todo, chapters_dir: Path, out: Path, package: str, environment: str,
                      jobs: int | None, outcomes: dict[str, Outcome]) -> None:
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    say(f"      running {len(todo)} chapter(s) on {workers} process(es)")
    staging = Path(tempfile.mkdtemp(prefix=".executing-", dir=chapters_dir))
    failures = []
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {}
            for chapter, parameters, reason in todo:
                target = staging / f"{chapter.name}.ipynb"
                future = pool.submit(_run_chapter, str(chapter.notebook), str(target), parameters,
                                     str(chapter.notebook.parent))
                futures[future] = (chapter, parameters, reason, target)
                say(f"      {chapter.name:<28} queued    ({reason})")
            for future in as_completed(futures):
                chapter, parameters, reason, target = futures[future]
                result = future.result()
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


def _report_key(config: Config, out: Path, inputs: list[Path], want_pdf: bool) -> str:
    parts = [cache.package_code_digest(), cache.environment_digest(), want_pdf,
             os.environ.get("SOURCE_DATE_EPOCH", "")]
    parts += [(str(p), cache.file_digest(p)) for p in inputs if p.is_file()]
    parts += [cache.file_digest(out / "chapters" / f"{c.name}.ipynb") for c in config.chapters]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


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


def content_key(text: str, stamp: str) -> str:
    """Digest of a rendering without its build-time stamp: same content, same key."""
    return hashlib.sha256(text.replace(stamp, "").encode("utf-8")).hexdigest()


def export_stage(report, front, out: Path, want_pdf: bool, previous: dict) -> tuple[dict, dict]:
    """Render the HTML, and print the PDF only when its content changed. Returns the files to
    publish (None: keep the existing file) and the content keys to remember."""
    from .export import print_pdf, to_html

    started = time.monotonic()
    html = to_html(report, front.as_resources())
    keys = {"report.html": content_key(html, front.built)}
    files: dict[str, bytes | None] = {"report.html": html.encode("utf-8")}
    say(f"      report.html  rendered ({len(files['report.html']) / 1e6:.2f} MB, "
        f"{time.monotonic() - started:.1f} s)")
    if want_pdf:
        static = to_html(report, front.as_resources(), static=True)
        keys["report.pdf"] = content_key(static, front.built)
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


def build(options: Options) -> int:
    total = time.monotonic()
    out = output_dir(options.output_dir)
    directory = data_dir(options.data_dir)
    config = load_config(options.config)
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)

    started = time.monotonic()
    say("[1/4] validate data")
    status = validate_stage(directory, out, options.force)
    say(f"      {status} ({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    say("[2/4] execute chapters")
    inputs = report_inputs(config, directory)
    key = _report_key_if_current(config, directory, out, inputs, options.pdf)
    record = out / "cache" / "report.json"
    if not options.force and key and _published(out, options.pdf) and record.is_file() \
            and json.loads(record.read_text()).get("key") == key:
        # Fast path: no input of any chapter or of the report changed. Nothing is started.
        for chapter in config.chapters:
            say(f"      {chapter.name:<28} cached    (inputs unchanged)")
        say("[3/4] assemble report\n      up to date")
        say("[4/4] export\n      report.html, report.pdf up to date")
        say(f"done in {time.monotonic() - total:.1f} s: nothing changed")
        return 0
    check_parameters(config)
    outcomes = execute_stage(config, directory, out, options.force, options.jobs)
    ran = [o.name for o in outcomes if o.status == "executed"]
    say(f"      {len(ran)} executed, {len(outcomes) - len(ran)} cached "
        f"({time.monotonic() - started:.1f} s)")

    say("[3/4] assemble report")
    report, front = assemble_stage(config, directory, out)
    changed = changes.attach(front, out, directory, [c.name for c in config.chapters])
    say("[4/4] export")
    previous = json.loads(record.read_text()).get("content", {}) if record.is_file() else {}
    files, keys = export_stage(report, front, out, options.pdf, previous)
    written = publish(out, files)
    for name in keys:
        say(f"      {name:<12} {'written' if name in written else 'unchanged'}")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"key": _report_key(config, out, inputs, options.pdf),
                                  "content": keys, "executed": ran}))
    changed.keep()  # this build is now "the previous build"; writes changes.md
    say(f"done in {time.monotonic() - total:.1f} s: {_shown(out / 'report.html')}"
        + (f", {_shown(out / 'report.pdf')}" if options.pdf else ""))
    return 0


def _report_key_if_current(config: Config, directory: Path, out: Path, inputs: list[Path],
                           want_pdf: bool) -> str | None:
    """The report's key when every chapter's cached execution is current, else None."""
    package, environment = cache.package_code_digest(), cache.environment_digest()
    if any(staleness(c, directory, out, package, environment) for c in config.chapters):
        return None
    return _report_key(config, out, inputs, want_pdf)


def _published(out: Path, want_pdf: bool) -> bool:
    return (out / "report.html").is_file() and (not want_pdf or (out / "report.pdf").is_file())


def main_build(options: Options) -> int:
    try:
        return build(options)
    except KeyboardInterrupt:
        say("interrupted: the previous report is unchanged")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main_build(Options()))
