"""Every error kzunrest reports to a reader, under one base class the CLI catches.

Kept apart, and free of heavy imports, so the command line can name an error without importing
pandas or nbconvert first.
"""

from __future__ import annotations

from dataclasses import dataclass


class KzunrestError(Exception):
    """An error with a message written for the person running kzunrest (not a bug)."""


@dataclass(frozen=True)
class Problem:
    """One problem in the data: where it is and what to do about it."""
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.column or '-'} — {self.message}"


class DataError(KzunrestError):
    """The data package has problems; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


class ConfigError(KzunrestError):
    """report.yml (or an option given on the command line) is wrong."""


class ParameterError(KzunrestError, ValueError):
    """A chapter parameter is wrong; the message names it and says what is expected."""

    def __init__(self, name: str, message: str):
        self.name = name
        super().__init__(f"parameter {name}: {message}")


class LanguageError(KzunrestError, ValueError):
    """A language the report has no catalog for."""


class EmptySelection(KzunrestError, ValueError):
    """The chosen parameters leave nothing to show."""


class ChapterError(KzunrestError):
    """A chapter raised while executing."""


class ExportError(KzunrestError):
    """The report could not be exported (a missing browser, say)."""
