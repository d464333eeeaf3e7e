"""Publishing the report (publish.py) on real files, with a real fault at write time: the file-size
limit (RLIMIT_FSIZE) makes the kernel refuse a write half-way, as a full disk would. Fast enough for
``make mutants``; the disk-full fault through the whole build is in test_faults.py."""

from __future__ import annotations

import errno
import os
import resource
import signal
from pathlib import Path

import pytest

from kzunrest.errors import ExportError
from kzunrest.publish import publish, remove_leftovers, write_failure


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "report.html").write_bytes(b"<p>previous html</p>")
    (tmp_path / "report.pdf").write_bytes(b"%PDF previous")
    return tmp_path


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def publish_with_file_size_limit(out: Path, files: dict, limit: int):
    """publish() while the kernel refuses to let any file grow past ``limit`` bytes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        return publish(out, files)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)


def test_writes_new_files_in_place_and_leaves_no_temporary_file(out):
    written = publish(out, {"report.html": b"<p>new</p>", "report.pdf": b"%PDF new"})
    assert written == ["report.html", "report.pdf"]
    assert contents(out) == {"report.html": b"<p>new</p>", "report.pdf": b"%PDF new"}


def test_unchanged_and_absent_content_is_not_rewritten(out):
    stamp = (out / "report.pdf").stat().st_mtime_ns
    written = publish(out, {"report.html": None, "report.pdf": b"%PDF previous"})
    assert written == []
    assert (out / "report.pdf").stat().st_mtime_ns == stamp
    assert contents(out) == {"report.html": b"<p>previous html</p>", "report.pdf": b"%PDF previous"}


def test_first_report_in_an_empty_folder(tmp_path):
    assert publish(tmp_path, {"report.html": b"x"}) == ["report.html"]
    assert contents(tmp_path) == {"report.html": b"x"}


@pytest.mark.parametrize("limit", [10, 300_000], ids=["first file fails", "second file fails"])
def test_a_failed_write_keeps_every_previous_file_and_no_temporary_file(out, limit):
    before = contents(out)
    new = {"report.html": b"h" * 200_000, "report.pdf": b"p" * 400_000}
    with pytest.raises(ExportError) as raised:
        publish_with_file_size_limit(out, new, limit)
    assert contents(out) == before  # nothing moved into place, not even the file that fit
    failed = "report.html" if limit == 10 else "report.pdf"
    assert str(raised.value) == (f"cannot write {out / failed}: File too large; check the folder's "
                                 "permissions and free space")


def test_no_space_message_names_the_cause_the_file_and_the_fix(tmp_path):
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert write_failure(tmp_path / "report.pdf", full) == (
        f"no space left on device while writing {tmp_path / 'report.pdf'}; free some space on that "
        "disk (or choose an --output-dir inside build/ on another disk) and build again")
    quota = OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))
    assert write_failure(tmp_path / "x", quota).startswith("no space left on device while writing")


def test_leftovers_of_a_killed_build_are_removed_and_nothing_else(out):
    (out / ".report.html.abc123").write_bytes(b"half")
    (out / ".report.pdf.def456").write_bytes(b"half")
    (out / "cache").mkdir()
    (out / "cache" / "03_death_tolls.tmp").write_text("{")
    (out / "cache" / "03_death_tolls.json").write_text("{}")
    (out / "chapters" / ".executing-xyz").mkdir(parents=True)
    (out / "chapters" / ".executing-xyz" / "01.ipynb").write_text("{}")
    (out / "chapters" / "01_protest_spread.ipynb").write_text("{}")
    (out / ".keep").write_text("")
    remove_leftovers(out)
    kept = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    assert kept == [".keep", "cache", "cache/03_death_tolls.json", "chapters",
                    "chapters/01_protest_spread.ipynb", "report.html", "report.pdf"]


def test_published_files_are_readable_like_any_file_the_user_writes(tmp_path):
    old = os.umask(0o022)
    try:
        publish(tmp_path, {"report.html": b"<html></html>"})
    finally:
        os.umask(old)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644
