"""Publishing the report: each file is written to a temporary name beside it and moved into place
only when complete, so a reader (or a failed build) never sees half a report.

Kept apart from build.py so ``make mutants`` can mutate exactly this part of the pipeline.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ExportError

NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def remove_leftovers(out: Path) -> None:
    """Temporary files of a build that was killed (SIGKILL leaves no chance to clean up)."""
    for leftover in [*out.glob(".report.*"), *out.glob("cache/**/*.tmp")]:
        leftover.unlink(missing_ok=True)
    for staging in out.glob("chapters/.executing-*"):
        shutil.rmtree(staging, ignore_errors=True)


def write_failure(path: Path, error: OSError) -> str:
    """One sentence naming the cause of a failed write, the file, and what to do."""
    if error.errno in NO_SPACE:
        return (f"no space left on device while writing {path}; free some space on that disk "
                "(or choose an --output-dir inside build/ on another disk) and build again")
    return f"cannot write {path}: {error.strerror or error}; check the folder's permissions and free space"


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def publish(out: Path, files: dict[str, bytes | None]) -> list[str]:
    """Write each file to a temporary name, then move it into place; skip unchanged files.

    Nothing is moved into place until every file is written, so a failure leaves all the previous
    files as they were; it raises ExportError, and removes the temporary files.
    """
    staged: dict[Path, Path] = {}
    try:
        for name, content in files.items():
            if content is None:
                continue
            final = out / name
            if final.is_file() and final.read_bytes() == content:
                continue
            handle = tempfile.NamedTemporaryFile(dir=out, prefix=f".{name}.", delete=False)
            staged[final] = Path(handle.name)
            with handle:
                # A temporary file is private (0600); the report is for reading, as any file the
                # user writes would be (0666 less the umask).
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        for temp in staged.values():
            temp.unlink(missing_ok=True)
        raise ExportError(write_failure(final, error)) from None
    for final, temp in staged.items():
        os.replace(temp, final)
    return [final.name for final in staged]
