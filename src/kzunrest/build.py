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

from . import cache, changes, i18n
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
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .data import READ_LOG_ENV

    log = tempfile.NamedTemporaryFile(prefix="kzunrest-reads-", suffix=".txt", delete=False)
    log.close()
    os.environ[READ_LOG_ENV] = log.name
    started = time.monotonic()
    try:
        # The chapter's Markdown in the reader's language; the notebook file itself stays English.
        source = i18n.translate_notebook(nbformat.read(notebook, as_version=4),
                                         parameters.get("language", i18n.SOURCE_LANGUAGE))
        papermill.execute_notebook(source, target, parameters=parameters, kernel_name="python3",
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


def execute_stage(config: Config, directory: Path, outs: dict[str, Path], force: bool,
                  jobs: int | None) -> dict[str, list[Outcome]]:
    """Execute every stale chapter of every language (``outs``: language -> its folder) in one
    process pool. Returns each language's outcomes in chapter order."""
    package, environment = cache.package_code_digest(), cache.environment_digest()
    outcomes: dict[tuple[str, str], Outcome] = {}
    todo = []
    for language, out in outs.items():
        (out / "chapters").mkdir(parents=True, exist_ok=True)
        for chapter in config.chapters:
            parameters = chapter_parameters(chapter, directory, language)
            reason = "--force" if force else staleness(chapter, directory, out, package,
                                                       environment, language)
            if reason is None:
                outcomes[(language, chapter.name)] = Outcome(chapter.name, "cached",
                                                             "inputs unchanged")
                say(f"      {_label(chapter.name, language):<28} cached    (inputs unchanged)")
            else:
                todo.append((chapter, parameters, reason, language, out))
    if todo:
        _execute_parallel(todo, package, environment, jobs, outcomes)
    return {language: [outcomes[(language, c.name)] for c in config.chapters] for language in outs}


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


def _execute_parallel(todo, package: str, environment: str, jobs: int | None,
                      outcomes: dict[tuple[str, str], Outcome]) -> None:
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    say(f"      running {len(todo)} chapter(s) on {workers} process(es)")
    staging = {}
    failures = []
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {}
            for chapter, parameters, reason, language, out in todo:
                if language not in staging:
                    staging[language] = Path(tempfile.mkdtemp(prefix=".executing-",
                                                              dir=out / "chapters"))
                target = staging[language] / f"{chapter.name}.ipynb"
                future = pool.submit(_run_chapter, str(chapter.notebook), str(target), parameters,
                                     str(chapter.notebook.parent))
                futures[future] = (chapter, parameters, reason, target, language, out)
                say(f"      {_label(chapter.name, language):<28} queued    ({reason})")
            for future in as_completed(futures):
                chapter, parameters, reason, target, language, out = futures[future]
                chapters_dir, label = out / "chapters", _label(chapter.name, language)
                result = future.result()
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


def _report_key(config: Config, out: Path, inputs: list[Path], want_pdf: bool,
                language: str = i18n.SOURCE_LANGUAGE) -> str:
    parts = [cache.package_code_digest(), cache.environment_digest(), want_pdf,
             os.environ.get("SOURCE_DATE_EPOCH", ""), language]
    parts += [(str(p), cache.file_digest(p)) for p in inputs if p.is_file()]
    parts += [cache.file_digest(out / "chapters" / f"{c.name}.ipynb") for c in config.chapters]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def assemble_stage(config: Config, directory: Path, out: Path,
                   language: str = i18n.SOURCE_LANGUAGE):
    """One report notebook from the executed chapters, with front and back matter, in the
    language the chapters were executed in."""
    from .assemble import assemble
    from .data import load

    started = time.monotonic()
    dataset = load(directory, tables=["sources"], check=False)  # validated in stage 1
    cited = cited_sources(directory)
    parameters = {c.name: {k: v for k, v in chapter_parameters(c, directory, language).items()
                           if k != "data_dir"} | {"data_dir": _display_dir(directory)}
                  for c in config.chapters}
    i18n.use(language)
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
    root = output_dir(options.output_dir)
    directory = data_dir(options.data_dir)
    config = load_config(options.config)
    languages = list(dict.fromkeys(i18n.check(language) for language in options.languages))
    outs = {language: language_dir(root, language) for language in languages}
    for out in outs.values():
        out.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)

    started = time.monotonic()
    say("[1/4] validate data")
    status = validate_stage(directory, root, options.force)  # once, for every language
    say(f"      {status} ({time.monotonic() - started:.1f} s)")

    started = time.monotonic()
    say("[2/4] execute chapters")
    inputs = report_inputs(config, directory)
    stale = {language: out for language, out in outs.items()
             if options.force or not _up_to_date(config, directory, out, inputs, options.pdf,
                                                 language)}
    if stale:
        for language in (lang for lang in languages if lang not in stale):
            say(f"      {language}: report up to date, nothing to execute")
    else:
        # Fast path: no input of any chapter or of the report changed. Nothing is started.
        for language in languages:
            for chapter in config.chapters:
                say(f"      {_label(chapter.name, language):<28} cached    (inputs unchanged)")
        say("[3/4] assemble report\n      up to date")
        say("[4/4] export\n      report.html, report.pdf up to date")
        say(f"done in {time.monotonic() - total:.1f} s: nothing changed")
        return 0
    check_parameters(config)
    outcomes = execute_stage(config, directory, stale, options.force, options.jobs)
    ran = {language: [o.name for o in done if o.status == "executed"]
           for language, done in outcomes.items()}
    executed = sum(map(len, ran.values()))
    say(f"      {executed} executed, {len(stale) * len(config.chapters) - executed} cached "
        f"({time.monotonic() - started:.1f} s)")

    written_paths = []
    for language, out in stale.items():
        prefix = "" if len(languages) == 1 else f" ({language})"
        say(f"[3/4] assemble report{prefix}")
        report, front = assemble_stage(config, directory, out, language)
        changed = changes.attach(front, out, directory, [c.name for c in config.chapters])
        say(f"[4/4] export{prefix}")
        record = out / "cache" / "report.json"
        previous = json.loads(record.read_text()).get("content", {}) if record.is_file() else {}
        files, keys = export_stage(report, front, out, options.pdf, previous)
        written = publish(out, files)
        for name in keys:
            say(f"      {name:<12} {'written' if name in written else 'unchanged'}")
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"key": _report_key(config, out, inputs, options.pdf, language),
                                      "content": keys, "executed": ran[language]}))
        changed.keep()  # this build is now "the previous build"; writes changes.md
        written_paths += [_shown(out / "report.html")] + ([_shown(out / "report.pdf")]
                                                          if options.pdf else [])
    i18n.use(i18n.SOURCE_LANGUAGE)
    say(f"done in {time.monotonic() - total:.1f} s: {', '.join(written_paths)}")
    return 0


def _up_to_date(config: Config, directory: Path, out: Path, inputs: list[Path], want_pdf: bool,
                language: str) -> bool:
    """True when this language's published report is current: nothing to execute or export."""
    key = _report_key_if_current(config, directory, out, inputs, want_pdf, language)
    record = out / "cache" / "report.json"
    return bool(key) and _published(out, want_pdf) and record.is_file() \
        and json.loads(record.read_text()).get("key") == key


def _report_key_if_current(config: Config, directory: Path, out: Path, inputs: list[Path],
                           want_pdf: bool, language: str = i18n.SOURCE_LANGUAGE) -> str | None:
    """The report's key when every chapter's cached execution is current, else None."""
    package, environment = cache.package_code_digest(), cache.environment_digest()
    if any(staleness(c, directory, out, package, environment, language) for c in config.chapters):
        return None
    return _report_key(config, out, inputs, want_pdf, language)


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
