"""The build pipeline through the real CLI: execution cache, failures that leave the previous
report untouched, and configuration errors with clear messages."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import shutil
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BUILD, ROOT, DataCopy, digest, run_cli


@pytest.fixture
def out() -> Path:
    path = BUILD / "_test" / uuid.uuid4().hex[:8]
    yield path
    shutil.rmtree(path, ignore_errors=True)


def config(tmp_path: Path, chapters: list[dict], name: str = "report.yml") -> Path:
    """A report.yml in tmp_path whose chapters point at copies of the real notebooks."""
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, tmp_path / "notebooks" / nb.name)
    lines = ["title: Test report", "chapters:"]
    for chapter in chapters:
        lines.append(f"  - notebook: {chapter['notebook']}")
        if "parameters" in chapter:
            lines.append(f"    parameters: {json.dumps(chapter['parameters'])}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def broken_chapter(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"),
                nbformat.v4.new_code_cell('data_dir = "../data"  # data folder', metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise RuntimeError('the data do not add up')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "notebooks" / "99_broken.ipynb")


def test_cache_noop_and_one_csv_edited(tmp_path, out):
    data = DataCopy(tmp_path)
    first = run_cli("build", "--no-pdf", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count(" executed  in ") == 4

    noop = run_cli("build", "--no-pdf", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert noop.returncode == 0, noop.stderr
    assert noop.stdout.count("cached    (inputs unchanged)") == 4
    assert "nothing changed" in noop.stdout and "queued" not in noop.stdout  # no kernel started

    rows = data.rows("death_tolls")
    rows[0]["note"] = rows[0]["note"] + " (edited)"
    data.write_rows("death_tolls", rows)
    edited = run_cli("build", "--no-pdf", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert edited.returncode == 0, edited.stderr
    assert "03_death_tolls               queued    (data changed: death_tolls.csv)" in edited.stdout
    assert edited.stdout.count(" executed  in ") == 1
    assert edited.stdout.count("cached    (inputs unchanged)") == 3

    forced = run_cli("build", "--no-pdf", "--force", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert forced.stdout.count("queued    (--force)") == 4
    # Its "what changed" differs from the edited build's (nothing changed since it), so the report
    # is new; forced again, the content is the same and the file is not rewritten.
    assert "report.html  written" in forced.stdout
    again = run_cli("build", "--no-pdf", "--force", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert "report.html  unchanged" in again.stdout, again.stdout

    # The same chapters from copies of the notebooks (content unchanged: still cached), then one
    # parameter changed, then one notebook's code edited: each re-runs only its own chapter.
    chapters = yaml.safe_load((ROOT / "report.yml").read_text(encoding="utf-8"))["chapters"]
    cfg = config(tmp_path, chapters)
    same = run_cli("build", "--no-pdf", "--config", str(cfg), "--data-dir", str(data.dir),
                   "--output-dir", str(out))
    assert same.stdout.count("cached    (inputs unchanged)") == 4, same.stdout + same.stderr
    chapters[2]["parameters"]["figures"] = "official"
    cfg = config(tmp_path, chapters)
    changed = run_cli("build", "--no-pdf", "--config", str(cfg), "--data-dir", str(data.dir),
                      "--output-dir", str(out))
    assert "03_death_tolls               queued    (parameters changed)" in changed.stdout
    assert changed.stdout.count(" executed  in ") == 1, changed.stdout + changed.stderr
    notebook = tmp_path / "notebooks" / "02_arrests_dismissals.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    next(c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get(
        "tags", [])).source += "\n# edited"
    nbformat.write(nb, notebook)
    edited = run_cli("build", "--no-pdf", "--config", str(cfg), "--data-dir", str(data.dir),
                     "--output-dir", str(out))
    assert "02_arrests_dismissals        queued    (notebook code changed)" in edited.stdout
    assert edited.stdout.count(" executed  in ") == 1, edited.stdout + edited.stderr


def test_failing_chapter_names_chapter_cell_and_error_and_keeps_previous_report(tmp_path, out):
    out.mkdir(parents=True)
    (out / "report.html").write_text("previous html", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"%PDF previous")
    before = {p.name: digest(p) for p in out.glob("report.*")}
    cfg = config(tmp_path, [{"notebook": "notebooks/03_death_tolls.ipynb"},
                            {"notebook": "notebooks/99_broken.ipynb"}])
    broken_chapter(tmp_path)
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(out))
    assert result.returncode == 1
    assert "chapter 99_broken.ipynb failed in cell 4 (starting `raise RuntimeError('the data do not add up')`):" in result.stderr
    assert "    RuntimeError: the data do not add up" in result.stderr
    assert "build stopped; the previous report is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: digest(p) for p in out.glob("report.*")} == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no partial files
    assert (out / "chapters" / "99_broken.failed.ipynb").is_file()


@pytest.mark.parametrize("chapters,message", [
    ([{"notebook": "notebooks/77_nowhere.ipynb"}],
     "chapters[0]: unknown chapter 'notebooks/77_nowhere.ipynb' (no such notebook); available: "
     "01_protest_spread.ipynb, 02_arrests_dismissals.ipynb, 03_death_tolls.ipynb, 04_claims_ledger.ipynb"),
    ([{"notebook": "notebooks/01_protest_spread.ipynb", "parameters": {"region": ["Almaty city"]}}],
     "chapters[0].parameters.region: unknown parameter for 01_protest_spread.ipynb; its parameters "
     "are: data_dir, start_date, end_date, regions, language"),
    ([{"notebook": "notebooks/01_protest_spread.ipynb", "parameters": {"start_date": 20220101}}],
     "chapters[0].parameters.start_date: expected str like the default \"2022-01-01\", got int 20220101"),
    ([{"notebook": "notebooks/03_death_tolls.ipynb", "parameters": {"figures": ["all"]}}],
     "chapters[0].parameters.figures: expected str like the default \"all\", got list ['all']"),
])
def test_bad_configuration_is_reported_before_anything_runs(tmp_path, out, chapters, message):
    cfg = config(tmp_path, chapters)
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {cfg}: {message}", result.stderr
    assert not (out / "chapters").exists() or not any((out / "chapters").glob("*.ipynb"))


def test_malformed_yaml(tmp_path, out):
    cfg = tmp_path / "report.yml"
    cfg.write_text("title: x\nchapters:\n  - notebook: [unclosed\n", encoding="utf-8")
    result = run_cli("build", "--config", str(cfg), "--output-dir", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {cfg}:4: malformed YAML (")
    assert "check indentation and quoting" in result.stderr


def test_output_outside_build_is_refused(tmp_path):
    result = run_cli("build", "--output-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: --output-dir {tmp_path}: outside {BUILD.resolve()}; the "
                                     "build writes only inside build/ (choose e.g. build/alt)")


def test_missing_data_directory_for_build(tmp_path, out):
    result = run_cli("build", "--data-dir", str(tmp_path / "nope"), "--output-dir", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: --data-dir {tmp_path / 'nope'}: data directory does "
                                     "not exist; pass an existing directory (it must contain "
                                     "datapackage.json and the CSV files)")


def test_a_data_directory_without_its_descriptor_is_named_for_the_build(tmp_path, out):
    (tmp_path / "data").mkdir()
    result = run_cli("build", "--data-dir", str(tmp_path / "data"), "--output-dir", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: --data-dir {tmp_path / 'data' / 'datapackage.json'}: "
                                     "file not found; a data directory needs its datapackage.json "
                                     "(copy it from the project's data/ directory)")


def test_invalid_data_stops_the_build_before_execution(tmp_path, out):
    data = DataCopy(tmp_path)
    data.set("death_tolls", 2, "value", "-3")
    result = run_cli("build", "--data-dir", str(data.dir), "--output-dir", str(out))
    assert result.returncode == 1
    assert f"{data.dir / 'death_tolls.csv'}:2: value — '-3' is below the minimum 0" in result.stderr
    assert result.stderr.splitlines()[-1] == "1 problem(s); nothing was built"
    assert "[2/4]" not in result.stdout


def _formats(schema) -> set[str]:
    """Every "format" a JSON Schema names, anywhere in it."""
    if isinstance(schema, dict):
        own = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        return own.union(*(_formats(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_formats(value) for value in schema))
    return set()


def test_the_build_process_skips_the_iri_checker_and_altair_still_validates():
    """kernels.skip_unused_imports: the command leaves rfc3987-syntax unimported (kernels fork
    from its process), and what Altair validates is unchanged: its schema names no format that
    module checks, and a wrong encoding is still refused."""
    import altair

    schema_formats = _formats(altair.vegalite.v6.schema.core.load_schema())
    assert "uri" in schema_formats  # the walk finds formats: it would find "iri" too
    assert not schema_formats & {"iri", "iri-reference"}
    script = ("import sys\n"
              "from kzunrest import cli\n"
              f"assert cli.main(['validate', '--data-dir', {str(ROOT / 'data')!r}]) == 0\n"
              "import altair as alt, pandas as pd, jsonschema\n"
              "assert sys.modules['rfc3987_syntax'] is None\n"
              "chart = alt.Chart(pd.DataFrame({'a': [1]})).mark_point().encode(x='a:Q')\n"
              "chart.to_dict()\n"
              "try:\n"
              "    chart.encode(x=alt.X('a', type='nonsense')).to_dict()\n"
              "except alt.utils.schemapi.SchemaValidationError:\n"
              "    print('refused')\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("refused")


def test_chapter_kernels_talk_over_a_unix_socket_file_of_their_own():
    """No TCP port: a port jupyter_client has picked can be taken by another socket before the
    kernel binds it, and the kernel then dies before it replies (seen in a three-language build)."""
    from kzunrest import kernels

    managers = [kernels.manager(None), kernels.manager(None)]
    try:
        for manager in managers:
            manager.write_connection_file()
        first, second = (manager.get_connection_info() for manager in managers)
        assert first["transport"] == second["transport"] == "ipc"
        assert first["ip"] != second["ip"]
        assert Path(first["ip"]).parent == Path(tempfile.gettempdir())
    finally:
        for manager in managers:
            manager.cleanup_connection_file()
