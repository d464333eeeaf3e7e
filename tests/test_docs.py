"""The documentation describes what the code does today."""

from __future__ import annotations

from conftest import ROOT, run_cli
from kzunrest.datadict import data_dictionary


def test_data_readme_holds_the_current_generated_dictionary():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert data_dictionary().strip() in readme, "run `make datadict`"


def test_data_readme_row_counts_match_the_files():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "data").glob("*.csv")):
        rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
        assert f"| `{path.name}` |" in readme
        line = next(l for l in readme.splitlines() if l.startswith(f"| `{path.name}` |"))
        assert line.rstrip(" |").endswith(str(rows)), f"{path.name}: README says {line}, file has {rows}"


def test_readme_gives_the_two_commands_and_they_exist_in_the_makefile():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("report", "test", "validate", "bench", "preview", "lab", "mutants"):
        assert f"make {target}" in readme
        assert f"\n{target}:" in makefile


def test_cli_help_lists_the_commands_and_options():
    top = run_cli("--help")
    assert top.returncode == 0
    for command in ("validate", "build", "watch", "datadict"):
        assert command in top.stdout
    build = run_cli("build", "--help").stdout
    for option in ("--config", "--data-dir", "--output-dir", "--force", "--jobs", "--no-pdf"):
        assert option in build


def test_unknown_command_is_a_usage_error():
    result = run_cli("bulid")
    assert result.returncode == 2
    assert "invalid choice: 'bulid'" in result.stderr
