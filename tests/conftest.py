"""Shared fixtures: copies of the data package to break, the real CLI, one real build."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests: 300 cases each in the suite; 30 under `make mutants` (--hypothesis-profile=mutants,
# set in pyproject.toml), where each of ~2,800 mutants runs them again.
settings.register_profile("suite", max_examples=300, deadline=None)
settings.register_profile("mutants", max_examples=30, deadline=None, derandomize=True)  # same score each run
settings.load_profile("suite")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BUILD = ROOT / "build"


def as_from_a_terminal() -> None:
    """Popen's preexec_fn for a program a test interrupts with SIGINT: a test run started as a
    background job (``make test &``) inherits SIGINT ignored, and so would the program; give it
    the default disposition, as a terminal's Ctrl-C would find it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real ``kzunrest`` command in a subprocess."""
    return subprocess.run([sys.executable, "-m", "kzunrest.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


class DataCopy:
    """A copy of data/ under ``root/data`` with helpers to break it one cell at a time."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / "data"
        shutil.copytree(DATA, self.dir, ignore=shutil.ignore_patterns("README.md"))

    def path(self, table: str) -> Path:
        return self.dir / f"{table}.csv"

    def rows(self, table: str) -> list[dict]:
        with open(self.path(table), encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def write_rows(self, table: str, rows: list[dict]) -> None:
        header = list(rows[0].keys()) if rows else self.header(table)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.path(table).write_text(buffer.getvalue(), encoding="utf-8")

    def header(self, table: str) -> list[str]:
        return self.path(table).read_text(encoding="utf-8").splitlines()[0].split(",")

    def set(self, table: str, line: int, column: str, value: str) -> None:
        """Set one cell; ``line`` is the file line (the header is line 1)."""
        rows = self.rows(table)
        rows[line - 2][column] = value
        self.write_rows(table, rows)

    def append(self, table: str, row: dict) -> int:
        """Append a row; returns its file line number."""
        rows = self.rows(table)
        rows.append(row)
        self.write_rows(table, rows)
        return len(rows) + 1


@pytest.fixture
def data_copy(tmp_path: Path) -> DataCopy:
    return DataCopy(tmp_path)


# Chromium draws each page under two transformations: device space, then the page's scale. At
# 100 % a CSS pixel is 0.75 pt (72 / 96); anything wider than the paper makes Chromium shrink the
# whole page, every page, and this product with it.
PAGE_TRANSFORMS = re.compile(rb"([-\d.]+) 0 0 [-\d.]+ [-\d.]+ [-\d.]+ cm")


def page_scales(pdf: bytes) -> list[float]:
    """The points per CSS pixel each page of a Chromium PDF is drawn at (read with pypdf)."""
    from pypdf import PdfReader

    scales = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        device, scale = PAGE_TRANSFORMS.findall(page.get_contents().get_data()[:4000])[:2]
        scales.append(round(float(device) * float(scale), 4))
    return scales


@contextmanager
def in_language(language: str):
    """The report's words in ``language`` inside the block, English again after it."""
    from kzunrest import i18n

    i18n.use(language)
    try:
        yield
    finally:
        i18n.use("en")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def built_report() -> Path:
    """One real build (HTML and PDF) into build/_test/<id>, shared by the report tests."""
    out = BUILD / "_test" / uuid.uuid4().hex[:8]
    result = run_cli("build", "--output-dir", str(out), env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stdout + result.stderr
    yield out
    shutil.rmtree(out, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(BUILD / "_test", ignore_errors=True)
