"""Execution cache: re-run a chapter only when something it depends on changed.

A chapter's inputs are its notebook's code, its parameters, the files it actually read on its last
run (recorded by :mod:`kzunrest.data` through ``KZUNREST_READ_LOG``), the kzunrest package's own
code, and the versions of the installed packages. Their fingerprints are stored beside the executed
notebook; a rebuild compares them and names what changed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# Set by the build to the digest of the package it has just validated: chapters loading exactly
# those files need not validate them again (a notebook run on its own always validates).
VALIDATED_ENV = "KZUNREST_VALIDATED"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def data_files(directory: Path) -> list[Path]:
    """datapackage.json and every file it lists (just the descriptor if it cannot be read)."""
    descriptor = directory / "datapackage.json"
    try:
        resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    except (OSError, ValueError, KeyError):
        return [descriptor]
    return [descriptor, *[directory / r["path"] for r in resources]]


def package_digest(directory: Path) -> str:
    """SHA-256 over a data package: datapackage.json and every file it lists."""
    digest = hashlib.sha256()
    for path in data_files(directory):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()


def notebook_code_digest(path: Path) -> str:
    """Digest of the cells' types and sources only: outputs and UI metadata do not matter."""
    # Plain JSON, not nbformat: importing nbformat alone costs more than a no-op rebuild may take.
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return _digest([(c["cell_type"], "".join(c["source"])) for c in cells])


def package_code_digest() -> str:
    files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return _digest([(str(p.relative_to(PACKAGE_DIR)), file_digest(p)) for p in files])


def environment_digest() -> str:
    dists = sorted({(d.metadata["Name"].lower(), d.version) for d in metadata.distributions()
                    if d.metadata["Name"]})
    return _digest([sys.version, dists])


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
        parameters=_digest(parameters),
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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(print_.to_json(), indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


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
