"""Where the project's files are, and how a path is shown: one home for both."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


def _relative(path: Path, base: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def for_messages(path: Path) -> str:
    """A path as the person at the terminal recognises it: relative to the working directory
    when it lies inside it (so ``data/x.csv:3`` can be pasted into an editor)."""
    return _relative(path, Path.cwd())


def in_project(path: Path) -> str:
    """A path as the report shows it: relative to the project, whatever the working directory
    (so the same inputs give the same report bytes)."""
    return _relative(path, PROJECT_ROOT)
