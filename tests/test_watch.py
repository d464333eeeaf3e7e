"""`kzunrest watch` for real: a subprocess on a copy of the data, serving on localhost; one CSV
edited; the served page must show the edit (the latency itself is measured by `make bench`, not
asserted here). The reload script is in the served page only, never in the report file."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

from conftest import BUILD, ROOT, DataCopy, as_from_a_terminal

WAIT = 600  # seconds: generous, the machine may be loaded


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_watch_rebuilds_on_save_and_serves_the_change(tmp_path):
    data = DataCopy(tmp_path)
    out = BUILD / "_test" / f"watch-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "kzunrest.cli", "watch", "--data-dir", str(data.dir),
         "--output-dir", str(out), "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
        preexec_fn=as_from_a_terminal)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()

    def wait_for(pattern: str, count: int = 1) -> None:
        deadline = time.monotonic() + WAIT
        while sum(pattern in line for line in list(lines)) < count:
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, f"no {pattern!r} in time:\n" + "".join(lines)
            time.sleep(0.2)

    try:
        wait_for("watching for changes")
        url = re.search(r"serving (http://127\.0\.0\.1:\d+/)", "".join(lines)).group(1)
        page = fetch(url)
        assert "kzunrest watch: reload" in page  # the preview reloads itself...
        assert "kzunrest watch" not in (out / "report.html").read_text(encoding="utf-8")  # ...the report does not
        version = fetch(url + "__version")

        rows = data.rows("death_tolls")
        token = f"edited while watching {uuid.uuid4().hex[:8]}"
        rows[0]["note"] = f"{rows[0]['note']} ({token})"
        data.write_rows("death_tolls", rows)
        deadline = time.monotonic() + WAIT
        while token not in fetch(url):
            assert process.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "the edit never reached the served page:\n" + "".join(lines)
            time.sleep(0.2)
        assert fetch(url + "__version") != version  # what tells the open page to reload
        text = "".join(lines)
        assert "03_death_tolls               queued    (data changed: death_tolls.csv)" in text
        assert text.count(" executed  in ") == 5  # four at first, then only the edited chapter
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        shutil.rmtree(out, ignore_errors=True)
    assert process.returncode == 0, "".join(lines)
    assert "stopped" in "".join(lines)
    deadline = time.monotonic() + 30  # the fork server and its spare kernels end with it
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("processes of the watch are still running")
