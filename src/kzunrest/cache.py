"""The build's state, all of it, in one store (``<build dir>/cache/``), and the one place that
says why something must be done again.

* Validation: the digest of each file of the data package and of the validating code at the
  last successful check (``validated.json``); the same digests again mean the check can be
  skipped, and after an edit they say which tables changed (data.tables_to_recheck).
* Chapters: re-run a chapter only when something it depends on changed. A chapter's inputs are
  its notebook's code, its parameters, the files it actually read on its last run (recorded by
  :mod:`kzunrest.data` in a log file the build names for each kernel), the kzunrest package's own
  code, and the versions of the installed packages. Their fingerprints are stored per chapter
  (``<chapter>.json``); a rebuild compares them and names what changed.
* The report: one key over every input of the report and the executed chapters, and the digest
  of each rendering's content without its build stamp (``report.json``): the same key means
  nothing to do, the same content means the file need not be written (or the PDF printed) again.
* The PDF's pages: where each link target landed in the last print (``pdf-pages.json``), the
  starting guess of the next print, which checks it.
* The PDF's parts: the last print of each part of the report (``pdf-parts/``; see
  kzunrest.splice), so that a rebuild prints only the parts that changed.
* Static images: each chart's SVG for the PDF, by digest of its Vega spec (``svg/``), so a chart
  that did not change is not rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .splice import PartStore, PrintedPart

PACKAGE_DIR = Path(__file__).resolve().parent


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content_digest(value: object) -> str:
    """Names a JSON-like value by its content (a chapter's fingerprint, a chart spec)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def data_files(directory: Path) -> list[Path]:
    """datapackage.json and every file it lists (just the descriptor if it cannot be read)."""
    descriptor = directory / "datapackage.json"
    try:
        resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    except (OSError, ValueError, KeyError):
        return [descriptor]
    return [descriptor, *[directory / r["path"] for r in resources]]


def data_file_digests(directory: Path) -> dict[str, str]:
    """The digest of each file of a data package (datapackage.json and every file it lists), by
    its path in the package."""
    return {path.relative_to(directory).as_posix(): file_digest(path) if path.is_file() else "(missing)"
            for path in data_files(directory)}


def package_digest(directory: Path, files: dict[str, str] | None = None) -> str:
    """SHA-256 over a data package: datapackage.json and every file it lists (``files``: their
    digests, from data_file_digests, when already read)."""
    return content_digest(files if files is not None else data_file_digests(directory))


def notebook_code_digest(path: Path) -> str:
    """Digest of the cells' types and sources only: outputs and UI metadata do not matter."""
    # Plain JSON, not nbformat: importing nbformat alone costs more than a no-op rebuild may take.
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return content_digest([(c["cell_type"], "".join(c["source"])) for c in cells])


def package_code_digest() -> str:
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return content_digest([(str(p.relative_to(PACKAGE_DIR)), file_digest(p)) for p in files])


_ENVIRONMENTS: dict[str, str] = {}


def environment_digest() -> str:
    """Digest of the Python version and every installed distribution's name and version. Reading
    them all takes a quarter of a second; a process that asks again (kzunrest watch) reuses the
    answer while no distribution's metadata file has changed."""
    files = sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                   for entry in sys.path if Path(entry or ".").is_dir()
                   for p in Path(entry or ".").glob("*.dist-info/METADATA"))
    signature = content_digest([sys.path, files])
    if signature not in _ENVIRONMENTS:
        dists = sorted({(d.metadata["Name"].lower(), d.version) for d in metadata.distributions()
                        if d.metadata["Name"]})
        _ENVIRONMENTS[signature] = content_digest([sys.version, dists])
    return _ENVIRONMENTS[signature]


@dataclass(frozen=True)
class Fingerprint:
    notebook: str
    parameters: str
    package: str
    environment: str
    reads: dict[str, str | None]  # path -> digest (None when the file is gone)

    def to_json(self) -> dict:
        return self.__dict__.copy()


def fingerprint(notebook: Path, parameters: dict, reads: list[str], package: str,
                environment: str) -> Fingerprint:
    return Fingerprint(
        notebook=notebook_code_digest(notebook),
        parameters=content_digest(parameters),
        package=package,
        environment=environment,
        reads={path: (file_digest(Path(path)) if Path(path).is_file() else None)
               for path in sorted(set(reads))},
    )


def record_path(build_dir: Path, name: str) -> Path:
    return build_dir / "cache" / f"{name}.json"


def load_record(build_dir: Path, name: str) -> dict | None:
    path = record_path(build_dir, name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_record(build_dir: Path, name: str, print_: Fingerprint) -> None:
    path = record_path(build_dir, name)
    _write_json(path, print_.to_json())


def why_stale(record: dict | None, current: Fingerprint, executed: Path) -> str | None:
    """None when the cached execution can be reused, else the reason it cannot."""
    if record is None or not executed.is_file():
        return "no earlier execution"
    reasons = []
    if record.get("notebook") != current.notebook:
        reasons.append("notebook code changed")
    if record.get("parameters") != current.parameters:
        reasons.append("parameters changed")
    if record.get("package") != current.package:
        reasons.append("kzunrest code changed")
    if record.get("environment") != current.environment:
        reasons.append("installed packages changed")
    changed = [Path(p).name for p, d in current.reads.items() if record.get("reads", {}).get(p) != d]
    if changed:
        reasons.append("data changed: " + ", ".join(changed))
    return "; ".join(reasons) or None


# ---------------------------------------------------------------------------------------------
# Validation


def _store(build_dir: Path, name: str) -> Path:
    return build_dir / "cache" / name


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, value: dict) -> None:
    _write(path, json.dumps(value, indent=1, sort_keys=True))


def _write(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file beside it, renamed). A failed write
    (a full disk) removes the temporary file and names ``path`` in its error: an error raised by
    write() carries no file name, and the build's message must say which file failed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error


def validated(build_dir: Path, files: dict[str, str]) -> bool:
    """Whether this data package (its files' digests, data_file_digests) passed the current
    validating code before."""
    return last_valid_files(build_dir) == files


def save_validated(build_dir: Path, files: dict[str, str]) -> None:
    """Remember that this package (its files' digests) passed the current code."""
    _write_json(_store(build_dir, "validated.json"), {"code": package_code_digest(), "files": files})


def last_valid_files(build_dir: Path) -> dict[str, str] | None:
    """The digests of the files of the package that last passed here (data_file_digests), if the
    validating code is still the same; None otherwise."""
    record = _read_json(_store(build_dir, "validated.json"))
    files = record.get("files")
    if record.get("code") != package_code_digest() or not isinstance(files, dict):
        return None
    return files


# ---------------------------------------------------------------------------------------------
# The report


def report_key(inputs: list[Path], executed: list[Path], package: str, environment: str) -> str:
    """Digest of everything the report is made from: the inputs (data, configuration, notebooks),
    the executed chapters, the code (``package_code_digest``) and packages
    (``environment_digest``), and the build date."""
    parts = [package, environment, os.environ.get("SOURCE_DATE_EPOCH", "")]
    parts += [(str(p), file_digest(p)) for p in inputs if p.is_file()]
    parts += [file_digest(p) for p in executed]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def content_key(text: str, stamp: str) -> str:
    """Digest of a rendering without its build-time stamp: same content, same key."""
    return hashlib.sha256(text.replace(stamp, "").encode("utf-8")).hexdigest()


def load_report(build_dir: Path) -> dict:
    """What is published here, per file (``report.html``, ``report.pdf``): the report ``key`` it
    was built from and its ``content`` key."""
    return _read_json(_store(build_dir, "report.json"))


def save_report(build_dir: Path, key: str, content: dict[str, str]) -> None:
    """Remember the files just exported; files not exported this time keep their entries."""
    record = {name: entry for name, entry in load_report(build_dir).items() if isinstance(entry, dict)}
    record.update({name: {"key": key, "content": digest} for name, digest in content.items()})
    _write_json(_store(build_dir, "report.json"), record)


def published_content(build_dir: Path) -> dict[str, str]:
    """File name -> content key of each file published here."""
    return {name: entry.get("content") for name, entry in load_report(build_dir).items()
            if isinstance(entry, dict)}


def why_report_stale(build_dir: Path, key: str, outputs: list[Path]) -> str | None:
    """None when every file in ``outputs`` is published here from the report of ``key``, else
    the reason to export again."""
    record = load_report(build_dir)
    for path in outputs:
        if not path.is_file():
            return f"{path.name} missing"
        if not isinstance(record.get(path.name), dict) or record[path.name].get("key") != key:
            return f"{path.name} built from other inputs"
    return None


def pdf_pages(build_dir: Path) -> dict[str, int]:
    """Where each link target landed in the last PDF printed here (a hint for the next print,
    which checks it: see kzunrest.export)."""
    pages = _read_json(_store(build_dir, "pdf-pages.json"))
    return {k: v for k, v in pages.items() if isinstance(v, int)}


def save_pdf_pages(build_dir: Path, pages: dict[str, int]) -> None:
    _write_json(_store(build_dir, "pdf-pages.json"), pages)


class PrintedParts(PartStore):
    """The final print of each part of the last PDF made here (``pdf-parts/``: the PDF and a
    JSON file of its pages), by the part's key (export.part_key, over its page, its page numbers
    and the browser) and ``code`` (the package's code and the installed packages, which print it)."""

    def __init__(self, build_dir: Path, code: str) -> None:
        super().__init__()
        self._dir = _store(build_dir, "pdf-parts")
        self._code = code

    def _name(self, key: str) -> str:
        return content_digest([key, self._code])[:40]

    def _find(self, key: str) -> PrintedPart | None:
        name = self._name(key)
        layout = _read_json(self._dir / f"{name}.json")
        try:
            pdf = (self._dir / f"{name}.pdf").read_bytes()
        except OSError:
            return None
        # A file that is not the one kept (damaged, or from another build) is printed again.
        if layout.get("sha256") != hashlib.sha256(pdf).hexdigest() \
                or not isinstance(layout.get("pages"), int) \
                or not isinstance(layout.get("destinations"), dict):
            return None
        return PrintedPart(key, pdf, layout["pages"], layout["destinations"])

    def _keep(self, printed: PrintedPart) -> None:
        name = self._name(printed.key)
        _write(self._dir / f"{name}.pdf", printed.pdf)
        _write_json(self._dir / f"{name}.json",
                    {"pages": printed.pages, "destinations": printed.destinations,
                     "sha256": hashlib.sha256(printed.pdf).hexdigest()})

    def keep_only(self, keys: set[str]) -> None:
        """Forget every part's print but these (the store does not grow with edits)."""
        kept = {self._name(key) for key in keys}
        for path in self._dir.glob("*.*"):
            if path.stem not in kept:
                path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Static images

_CLIP = re.compile(r"clip(\d+)")


def _svg_path(build_dir: Path, vega: dict) -> Path:
    """Where a chart's SVG is kept: by digest of its Vega spec and of the renderer's version."""
    return _store(build_dir, "svg") / f"{content_digest([vega, metadata.version('vl-convert-python')])}.svg"


def static_svg(build_dir: Path, vega: dict, rendered: str | None = None) -> str:
    """The chart's SVG: from the store when this Vega spec was rendered before, else ``rendered``
    (the SVG the chapter's kernel drew), else rendered here by vl-convert. vl-convert numbers clip
    paths with a counter global to its process; they are numbered from 1 in each image, so the
    same chart gives the same bytes whatever was rendered before it, and wherever."""
    path = _svg_path(build_dir, vega)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    if rendered is None:
        import vl_convert

        rendered = vl_convert.vega_to_svg(vega)
    svg = rendered
    numbers: dict[str, int] = {}
    svg = _CLIP.sub(lambda m: f"clip{numbers.setdefault(m.group(1), len(numbers) + 1)}", svg)
    _write(path, svg)
    return svg


def vega_bundle(build_dir: Path) -> str:
    """vl-convert's JavaScript bundle of Vega, Vega-Lite and vega-embed, which the HTML report
    embeds once, kept here per vl-convert version. Bundling takes 1.3-1.6 s and holds the
    interpreter's lock throughout, so it runs in a process of its own: in this one it stalled
    every other thread (the ones that drive the chapter kernels, and the build's main thread,
    which could not hand the chapters out until it finished)."""
    path = _store(build_dir, "vega") / f"vega-embed-{metadata.version('vl-convert-python')}.js"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = subprocess.run(
        [sys.executable, "-c", "import sys, vl_convert; "
                               "sys.stdout.buffer.write(vl_convert.javascript_bundle().encode())"],
        capture_output=True, check=True).stdout.decode("utf-8")
    _write(path, bundle)
    return bundle


def keep_only_svgs(build_dir: Path, charts: list[dict]) -> None:
    """Forget the SVGs of charts no longer in the report (the store does not grow with edits)."""
    kept = {_svg_path(build_dir, vega) for vega in charts}
    for path in _store(build_dir, "svg").glob("*.svg"):
        if path not in kept:
            path.unlink(missing_ok=True)
