"""The package keeps one home per concept: these tests fail when a second home appears.

Errors live in ``errors.py`` under one base class; the command line names them without importing
pandas; imports run down the route data → analysis → charts → render, never up.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import kzunrest
from kzunrest import errors

PACKAGE = Path(kzunrest.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")


def _classes(path: Path) -> list[ast.ClassDef]:
    return [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ClassDef)]


def _exception_bases(node: ast.ClassDef) -> set[str]:
    return {ast.unparse(base) for base in node.bases} & {"Exception", "ValueError", "RuntimeError"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_exceptions_are_defined_only_in_errors_py(path):
    if path.name == "errors.py":
        return
    defined = [node.name for node in _classes(path) if _exception_bases(node)]
    assert defined == [], f"{path.name} defines {defined}; define errors in errors.py"


def test_every_reader_facing_error_shares_the_base_class():
    found = [obj for _, obj in inspect.getmembers(errors, inspect.isclass)
             if issubclass(obj, Exception) and obj.__module__ == errors.__name__]
    assert len(found) >= 7
    assert all(issubclass(cls, errors.KzunrestError) for cls in found), found


def test_the_cli_parses_and_names_errors_without_importing_pandas():
    probe = ("import sys, kzunrest.cli as cli\n"
             "try:\n    cli.main(['build', '--help'])\nexcept SystemExit:\n    pass\n"
             "from kzunrest.errors import KzunrestError\n"
             "print(sorted(m for m in ('pandas', 'altair', 'nbconvert') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


# Modules low on the route must not import those above them (data before words before pictures).
LOWER_THAN = {
    "data": {"analysis", "charts", "render", "narrative", "build", "assemble", "export"},
    "analysis": {"charts", "render", "narrative", "build", "assemble", "export"},
    "claims": {"charts", "render", "narrative", "build", "assemble", "export"},
    "charts": {"analysis", "render", "narrative", "build", "assemble", "export"},
    "citations": {"analysis", "charts", "render", "build"},
}


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {a.name for a in node.names}
    return names


@pytest.mark.parametrize("module", sorted(LOWER_THAN))
def test_imports_run_down_the_route(module):
    upward = _imported(PACKAGE / f"{module}.py") & LOWER_THAN[module]
    assert not upward, f"{module}.py imports {sorted(upward)}, which sit above it on the route"
