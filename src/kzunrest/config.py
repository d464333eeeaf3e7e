"""``report.yml``: the report's title, its chapters in order and their parameters.

Everything is checked before any chapter runs: unknown chapters, unknown parameters and parameters
of the wrong type are reported with the place in ``report.yml`` and what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError  # noqa: F401  (re-exported)
from .paths import PROJECT_ROOT
DEFAULT_CONFIG = PROJECT_ROOT / "report.yml"


@dataclass(frozen=True)
class Chapter:
    notebook: Path
    parameters: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.notebook.stem


@dataclass(frozen=True)
class Config:
    path: Path
    title: str
    subtitle: str
    chapters: tuple[Chapter, ...]


def load_config(path: str | Path | None = None) -> Config:
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"{path}: file not found; pass --config with the path of a report.yml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: malformed YAML ({problem}); check indentation and quoting") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; re-save it as UTF-8") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with keys title, subtitle, chapters")
    unknown = set(raw) - {"title", "subtitle", "chapters"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: title, "
                          "subtitle, chapters")
    chapters = raw.get("chapters")
    if not isinstance(chapters, list) or not chapters:
        raise ConfigError(f"{path}: chapters must be a non-empty list of {{notebook, parameters}}")
    return Config(path=path, title=str(raw.get("title", "Report")),
                  subtitle=str(raw.get("subtitle", "")),
                  chapters=tuple(_chapter(path, i, item) for i, item in enumerate(chapters)))


def _chapter(path: Path, index: int, item: object) -> Chapter:
    where = f"{path}: chapters[{index}]"
    if not isinstance(item, dict) or "notebook" not in item:
        raise ConfigError(f"{where}: expected a mapping with a 'notebook' key")
    unknown = set(item) - {"notebook", "parameters"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
                          "notebook, parameters")
    notebook = (path.parent / str(item["notebook"])).resolve()
    if not notebook.is_file():
        available = sorted(p.name for p in (path.parent / "notebooks").glob("*.ipynb"))
        raise ConfigError(f"{where}: unknown chapter {item['notebook']!r} (no such notebook); "
                          f"available: {', '.join(available) or 'none'}")
    parameters = item.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ConfigError(f"{where}.parameters: expected a mapping of name: value")
    if "language" in parameters:
        raise ConfigError(f"{where}.parameters.language: the language is chosen for the whole "
                          "report with `kzunrest build --language`; remove it here")
    return Chapter(notebook=notebook, parameters=dict(parameters))


def check_parameters(config: Config) -> None:
    """Each chapter's parameters must exist in its ``parameters`` cell and match the defaults' type."""
    import papermill

    for index, chapter in enumerate(config.chapters):
        declared = papermill.inspect_notebook(str(chapter.notebook))
        for name, value in chapter.parameters.items():
            where = f"{config.path}: chapters[{index}].parameters.{name}"
            if name not in declared:
                raise ConfigError(f"{where}: unknown parameter for {chapter.notebook.name}; its "
                                  f"parameters are: {', '.join(declared)}")
            expected = declared[name]["inferred_type_name"]
            if not _type_matches(value, expected):
                raise ConfigError(f"{where}: expected {expected} like the default "
                                  f"{declared[name]['default']}, got {type(value).__name__} {value!r}")


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def _type_matches(value: object, expected: str) -> bool:
    python_type = _TYPES.get(expected.split("[")[0].strip().lower())
    if python_type is None:
        return True  # no annotation and an unrecognised default: nothing to check against
    if python_type is int and isinstance(value, bool):
        return False
    return isinstance(value, python_type)
