"""Checks for chapter parameters: a clear message naming the parameter, before any work is done."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import ParameterError  # noqa: F401  (re-exported)

def data_dir(value: object, name: str = "data_dir") -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise ParameterError(name, f"expected a path (string), got {type(value).__name__} {value!r}")
    from .data import data_dir_problem

    path = Path(value).expanduser()
    problem = data_dir_problem(path)
    if problem:
        raise ParameterError(name, f"{problem.file}: {problem.message}")
    return path


def date(value: object, name: str) -> pd.Timestamp:
    if not isinstance(value, str):
        raise ParameterError(name, f"expected a date string YYYY-MM-DD, got {type(value).__name__} "
                                   f"{value!r}")
    try:
        return pd.Timestamp(pd.to_datetime(value, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise ParameterError(name, f"{value!r} is not a date in the form YYYY-MM-DD "
                                   "(and the day must exist)") from None


def date_range(start: object, end: object, start_name: str = "start_date",
               end_name: str = "end_date") -> tuple[pd.Timestamp, pd.Timestamp]:
    first, last = date(start, start_name), date(end, end_name)
    if first > last:
        raise ParameterError(start_name, f"{start} is after {end_name} {end}; the start must come "
                                         "first")
    return first, last


def choices(value: object, name: str, allowed: Iterable[str], empty_means: str = "all") -> list[str]:
    """A list of allowed strings; an empty list means every choice (said in ``empty_means``)."""
    allowed = list(allowed)
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ParameterError(name, f"expected a list of strings (empty for {empty_means}), "
                                   f"got {type(value).__name__} {value!r}")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise ParameterError(name, f"unknown value(s) {', '.join(map(repr, unknown))}; allowed: "
                                   + ", ".join(allowed))
    return list(value)


def choice(value: object, name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ParameterError(name, f"{value!r} is not allowed; use one of: {', '.join(allowed)}")
    return str(value)


def language(value: object, name: str = "language") -> str:
    """One of the report's languages (``kzunrest.i18n.LANGUAGES``); every word the chapter shows
    is in it from now on."""
    from . import i18n

    try:
        chosen = i18n.check(value)
    except i18n.LanguageError:
        raise ParameterError(name, f"{value!r} is not allowed; use one of: "
                                   + ", ".join(i18n.LANGUAGES)) from None
    i18n.use(chosen)
    return chosen
