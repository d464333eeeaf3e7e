"""environment.yml (conda-forge) and pyproject.toml pin the same versions; the lock file agrees."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = {}
    for requirement in requirements:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", requirement).groups()
        pins[name.lower()] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    pins = {}
    for item in env["dependencies"]:
        if isinstance(item, str) and "=" in item:
            name, version = item.split("=", 1)
            pins[name.lower()] = version
    return pins


def lock_pins() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {line.split("==")[0].lower(): line.split("==")[1] for line in lines if "==" in line}


def test_every_dependency_is_pinned_exactly():
    assert pyproject_pins(), "no pins found"


def test_environment_yml_matches_pyproject():
    conda = conda_pins()
    assert conda.pop("python") == "3.11"
    assert conda == pyproject_pins()


def test_lock_file_agrees_with_pyproject():
    lock = lock_pins()
    for name, version in pyproject_pins().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"
