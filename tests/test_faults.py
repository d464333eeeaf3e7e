"""Fault suite: bad inputs through the real `kzunrest build`, each with a previous report in place.

Every case must exit non-zero with one clear message naming where (file:row: column, parameter,
or chapter and cell), leave build/…/report.html and report.pdf byte-for-byte as they were, and
leave no partial file. Killing a build half-way must not lose the previous report either, and
hostile text in the data must come out as text.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

from browser import visit
from conftest import BUILD, ROOT, DataCopy, as_from_a_terminal, digest, run_cli
from test_build import broken_chapter, config
from test_report import figure_metadata
from test_validate import CELL_CASES


@pytest.fixture
def previous(built_report) -> Path:
    """An output folder holding a finished report (copied from the session's real build)."""
    out = BUILD / "_test" / ("prev-" + uuid.uuid4().hex[:8])
    out.mkdir(parents=True)
    for name in ("report.html", "report.pdf"):
        shutil.copy(built_report / name, out / name)
    yield out
    shutil.rmtree(out, ignore_errors=True)


def untouched(out: Path, before: dict[str, str]) -> None:
    assert {p.name: digest(p) for p in out.glob("report.*")} == before
    partial = [p.name for p in out.iterdir() if p.name.startswith(".")]
    partial += [p.name for p in out.glob("chapters/.executing-*")]
    assert partial == [], partial


def snapshot(out: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in out.glob("report.*")}


def one_message(stderr: str) -> str:
    """The one problem line (not the summary, nor the lines of the message that go on indented)."""
    lines = [line for line in stderr.splitlines()
             if line and not line.startswith(("build stopped", "1 problem(s)", " "))]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# A sample of the data faults from test_validate, now through `build` (the full set runs through
# `validate` there): one per kind of rule.
DATA_FAULTS = [c for c in CELL_CASES if c[2] in {"date", "region", "latitude", "crowd_low",
                                                "source_id", "time_local", "official", "url"}]


@pytest.mark.parametrize("table,line,column,value,expected", DATA_FAULTS,
                         ids=[f"{c[0]}.{c[2]}={c[3]!r}" for c in DATA_FAULTS])
def test_bad_cell_stops_build_and_keeps_previous_report(tmp_path, previous, table, line, column,
                                                       value, expected):
    before = snapshot(previous)
    data = DataCopy(tmp_path)
    data.set(table, line, column, value)
    result = run_cli("build", "--data-dir", "data", "--output-dir", str(previous), cwd=tmp_path)
    assert result.returncode == 1
    assert one_message(result.stderr) == expected
    untouched(previous, before)


@pytest.mark.parametrize("fault", ["missing file", "empty file", "header only", "misspelt column",
                                   "not utf-8", "duplicate key", "low above high"])
def test_file_faults_stop_build_and_keep_previous_report(tmp_path, previous, fault):
    before = snapshot(previous)
    data = DataCopy(tmp_path)
    path = data.path("death_tolls")
    text = path.read_text(encoding="utf-8")
    if fault == "missing file":
        path.unlink()
        where = "data/death_tolls.csv: - — file not found"
    elif fault == "empty file":
        path.write_text("", encoding="utf-8")
        where = "data/death_tolls.csv: - — file is empty"
    elif fault == "header only":
        path.write_text(text.splitlines()[0] + "\n", encoding="utf-8")
        where = "data/death_tolls.csv:2: - — the file has a header but no data rows"
    elif fault == "misspelt column":
        path.write_text(text.replace("reported_by", "reportedby", 1), encoding="utf-8")
        where = "data/death_tolls.csv:1: reportedby — column is not in the schema; did you mean reported_by?"
    elif fault == "not utf-8":
        path.write_bytes(text.encode("utf-8").replace(b"Prosecutor", "Proс".encode("cp1251") + b"ecutor", 1))
        where = "data/death_tolls.csv:"
    elif fault == "duplicate key":
        path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
        where = f"data/death_tolls.csv:{len(data.rows('death_tolls')) + 1}: toll_id — duplicate key"
    else:
        rows = data.rows("death_tolls")
        rows[0].update(value="", low="9", high="3")
        data.write_rows("death_tolls", rows)
        where = "data/death_tolls.csv:2: low — low (9) is greater than high (3)"
    result = run_cli("build", "--data-dir", "data", "--output-dir", str(previous), cwd=tmp_path)
    assert result.returncode == 1
    assert one_message(result.stderr).startswith(where), result.stderr
    untouched(previous, before)


CONFIG_FAULTS = {
    "unknown chapter": ([{"notebook": "notebooks/05_nope.ipynb"}], "chapters[0]: unknown chapter"),
    "unknown parameter": ([{"notebook": "notebooks/03_death_tolls.ipynb", "parameters": {"figure": "all"}}],
                          "chapters[0].parameters.figure: unknown parameter"),
    "wrong parameter type": ([{"notebook": "notebooks/02_arrests_dismissals.ipynb",
                               "parameters": {"affiliations": "government"}}],
                             "chapters[0].parameters.affiliations: expected list"),
}


@pytest.mark.parametrize("fault", list(CONFIG_FAULTS))
def test_config_faults_keep_previous_report(tmp_path, previous, fault):
    before = snapshot(previous)
    chapters, where = CONFIG_FAULTS[fault]
    cfg = config(tmp_path, chapters)
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(previous))
    assert result.returncode == 1
    assert one_message(result.stderr).startswith(f"error: {cfg}: {where}"), result.stderr
    untouched(previous, before)


@pytest.mark.parametrize("parameters,message", [
    ({"start_date": "2022-01-19", "end_date": "2022-01-01"},
     "ParameterError: parameter start_date: 2022-01-19 is after end_date 2022-01-01; the start must come first"),
    ({"regions": ["Almaty Oblast"]},
     "ParameterError: parameter regions: unknown value(s) 'Almaty Oblast'; allowed: Akmola Region"),
])
def test_chapter_parameter_faults_name_the_parameter(tmp_path, previous, parameters, message):
    before = snapshot(previous)
    cfg = config(tmp_path, [{"notebook": "notebooks/01_protest_spread.ipynb", "parameters": parameters}])
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(previous))
    assert result.returncode == 1
    assert "chapter 01_protest_spread.ipynb failed in cell 3" in result.stderr
    assert f"    {message}" in result.stderr, result.stderr
    untouched(previous, before)


def test_malformed_config_and_missing_data_dir_keep_previous_report(tmp_path, previous):
    before = snapshot(previous)
    cfg = tmp_path / "report.yml"
    cfg.write_text("chapters: [\n", encoding="utf-8")
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(previous))
    assert result.returncode == 1 and "malformed YAML" in one_message(result.stderr)
    result = run_cli("build", "--data-dir", str(tmp_path / "absent"), "--output-dir", str(previous))
    assert result.returncode == 1 and "directory does not exist" in one_message(result.stderr)
    untouched(previous, before)


def test_raising_chapter_keeps_previous_report(tmp_path, previous):
    before = snapshot(previous)
    cfg = config(tmp_path, [{"notebook": "notebooks/99_broken.ipynb"}])
    broken_chapter(tmp_path)
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(previous))
    assert result.returncode == 1
    assert "chapter 99_broken.ipynb failed in cell 4" in one_message(result.stderr)
    untouched(previous, before)


def slow_chapter(tmp_path: Path) -> Path:
    """A report.yml whose second chapter is still running when the signal comes, whatever the
    machine's load: the build cannot have finished when the first chapter reports 'executed'.
    The sleep is short: an interrupted build still waits for the chapter a worker is running."""
    cfg = config(tmp_path, [{"notebook": "notebooks/01_protest_spread.ipynb"},
                            {"notebook": "notebooks/98_slow.ipynb"}])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Slow"),
                nbformat.v4.new_code_cell('data_dir = "../data"  # data folder',
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import time\ntime.sleep(40)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "notebooks" / "98_slow.ipynb")
    return cfg


@pytest.mark.parametrize("signum,stage", [(signal.SIGINT, "executed"), (signal.SIGKILL, "executed"),
                                          (signal.SIGKILL, "report.html  rendered")],
                         ids=["SIGINT-execute", "SIGKILL-execute", "SIGKILL-export"])
def test_killed_build_keeps_previous_report_and_next_build_succeeds(previous, tmp_path, signum, stage):
    before = snapshot(previous)
    during_execution = ["--config", str(slow_chapter(tmp_path))] if stage == "executed" else []
    process = subprocess.Popen([sys.executable, "-m", "kzunrest.cli", "build", "--force",
                                *during_execution, "--output-dir", str(previous)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, preexec_fn=as_from_a_terminal)
    for line in process.stdout:  # wait until chapters are executing, or the PDF is being printed
        if stage in line:
            break
    os.killpg(process.pid, signum)
    process.wait(timeout=120)
    assert process.returncode != 0
    assert snapshot(previous) == before
    assert not list(previous.glob(".report.*"))  # never a half-written report under its name
    result = run_cli("build", "--no-pdf", "--output-dir", str(previous))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [p for p in previous.iterdir() if p.name.startswith(".")]
    assert not list(previous.glob("chapters/.executing-*"))


def _can_mount() -> str | None:
    """Why a private mount namespace cannot be made here (None: it can)."""
    if os.geteuid() != 0:
        return "needs root to mount a small filesystem in a private mount namespace"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux) for a private mount namespace"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot mount in a namespace here: {probe.stderr.strip()}"


def test_disk_full_during_export_keeps_previous_report_and_says_so(built_report):
    """The output folder is a full tmpfs (private mount namespace): every chapter is cached, so
    the first write of the build is the new title page's print, kept in the cache of the PDF's
    parts. It must fail with one clear message naming that file, leave the previous report
    byte-identical and no temporary file."""
    reason = _can_mount()
    if reason:
        pytest.skip(reason)
    out = BUILD / "_test" / ("full-" + uuid.uuid4().hex[:8])
    out.mkdir(parents=True)
    script = f"""set -e
        mount -t tmpfs -o size=64m tmpfs {out}
        cp -r {built_report}/chapters {built_report}/cache {built_report}/report.html {built_report}/report.pdf {out}/
        rm {out}/cache/report.json   # the report must be exported again (and is: a new build stamp)
        dd if=/dev/zero of={out}/filler bs=1M 2>/dev/null || true   # the disk is now full
        set +e
        {sys.executable} -m kzunrest.cli build --output-dir {out} >{out}.stdout 2>{out}.stderr
        echo "exit $?"
        cd {out} && sha256sum report.html report.pdf && ls -A && find . -name '*.tmp'"""
    try:
        result = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True,
                                text=True, timeout=600)
        stdout, stderr = (Path(f"{out}.{n}").read_text() for n in ("stdout", "stderr"))
        lines = result.stdout.splitlines()
        assert lines[0] == "exit 1", result.stdout + result.stderr + stdout + stderr
        assert "[4/4] export" in stdout and "executed  in" not in stdout  # it failed exporting
        message = one_message(stderr)
        assert re.fullmatch(
            f"error: no space left on device while writing {re.escape(str(out))}/cache/pdf-parts/"
            r"[0-9a-f]{40}\.pdf; free some space on that disk \(or choose an --output-dir inside "
            r"build/ on another disk\) and build again", message), stderr
        assert stderr.splitlines()[-1] == "build stopped; the previous report is unchanged"
        digests = dict(reversed(line.split()) for line in lines[1:3])
        assert digests == {"report.html": digest(built_report / "report.html"),
                           "report.pdf": digest(built_report / "report.pdf")}
        assert sorted(lines[3:]) == ["cache", "chapters", "filler", "report.html", "report.pdf"]
    finally:
        for path in (out, Path(f"{out}.stdout"), Path(f"{out}.stderr")):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


HOSTILE = {
    ("sources", "title"): '<script>alert("title")</script>',
    ("sources", "publisher"): '<img src=x onerror=alert("publisher")>',
    ("arrests_dismissals", "person"): 'Evil <script>alert("person")</script>',
    ("arrests_dismissals", "detail"): '<img src=x onerror=alert("detail")>',
    ("death_tolls", "reported_by"): '<b onmouseover=alert("by")>bold</b>',
    ("death_tolls", "note"): "</script><script>alert('note')</script>",
    ("claims", "printed"): '[click](javascript:alert("printed")) <iframe src="javascript:alert(1)">',
    ("claims", "summary"): '<svg onload=alert("summary")>',
    ("detentions", "reported_by"): '<img src=x onerror=alert("count")>',
    ("claim_checks", "printed"): '<script>alert("check")</script>',
}


def test_hostile_text_is_shown_as_text_and_never_runs(tmp_path):
    data = DataCopy(tmp_path)
    for (table, column), text in HOSTILE.items():
        rows = data.rows(table)
        line = 2
        if table == "sources":  # a source every chapter cites: the first protest report's
            cited = data.rows("protest_spread")[0]["source_id"]
            line = next(i for i, r in enumerate(rows, start=2) if r["source_id"] == cited)
        if table == "arrests_dismissals":
            line = next(i for i, r in enumerate(rows, start=2) if r["date_precision"] == "day")
        rows[line - 2][column] = text
        data.write_rows(table, rows)
    out = BUILD / "_test" / ("hostile-" + uuid.uuid4().hex[:8])
    try:
        result = run_cli("build", "--data-dir", str(data.dir), "--output-dir", str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        seen = visit(out / "report.html", script=r"""({
            text: document.body.innerText,
            injected: document.querySelectorAll('main script:not([type="application/json"]), [onerror], [onload], [onmouseover], iframe, img').length,
            scripts: document.scripts.length,
            links: Array.from(document.links).map(a => a.href).filter(h => !/^(https?:|file:|about:|data:text\/csv;)/.test(h) && !h.includes('#')),
        })""")
        assert seen.dialogs == []
        assert seen.facts["injected"] == 0
        figures = len(figure_metadata(out))
        assert seen.facts["scripts"] == 2 + figures  # Vega bundle, embedding code, a spec per figure
        assert seen.facts["links"] == []  # only web, file, anchor links and CSV downloads
        for text in ('<script>alert("title")</script>', 'Evil <script>alert("person")</script>',
                     '<b onmouseover=alert("by")>bold</b>', '<svg onload=alert("summary")>',
                     '<img src=x onerror=alert("count")>'):
            assert text in seen.facts["text"], text
        pdf = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
        # The Sources list is set in two columns, which pdftotext may interleave line by line: the
        # title's markup must be there as printed text, its opening tag and its closing tag.
        # Lines break where the page is full: read the text with its line breaks as spaces.
        assert '<script>alert("title")' in pdf, [l for l in pdf.splitlines() if "alert" in l]
        assert '</script>. <img src=x onerror=alert("publisher")>' in re.sub(r"\s+", " ", pdf)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_only_http_links_in_sources(tmp_path):
    from kzunrest.assemble import safe_link

    assert safe_link("https://example.org/a?b=1&c=2", "T") == \
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">T</a>'
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                'https://x.org/" onmouseover="alert(1)', "ftp://example.org"):
        assert safe_link(url, "<T>") == "&lt;T&gt;"


def test_whole_build_succeeds_with_network_access_denied():
    # Skipped only where it cannot run, with the reason in the summary (pytest -ra). Where it can
    # (root, unshare), `ip` is there: scripts/install-system-deps.sh installs iproute2.
    if os.geteuid() != 0:
        pytest.skip("needs root to make a network namespace (run the suite as root, as CI does)")
    missing = [tool for tool in ("unshare", "ip") if shutil.which(tool) is None]
    assert not missing, f"{missing} missing: run scripts/install-system-deps.sh (make test does)"
    out = BUILD / "_test" / ("nonet-" + uuid.uuid4().hex[:8])
    command = (f"ip link set lo up && {sys.executable} -m kzunrest.cli build --force "
               f"--output-dir {out}")
    try:
        result = subprocess.run(["unshare", "--net", "sh", "-c", command], cwd=ROOT,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (out / "report.html").is_file() and (out / "report.pdf").is_file()
    finally:
        shutil.rmtree(out, ignore_errors=True)
