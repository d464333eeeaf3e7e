"""Errors the CLI turns into short messages (kept apart so importing them costs nothing)."""


class ChapterError(Exception):
    """A chapter raised while executing."""


class ExportError(Exception):
    """The report could not be exported (a missing browser, say)."""
