"""Errors of script execution: the front-end errors (re-exported) plus those of data sources.

Sources raise without a position; the executor places the error at the source token of the
LOAD with `ScriptError.at`. Each class carries its QIX LocalizedErrorCode as `code`.
"""

from __future__ import annotations

from openqix.lang.errors import (
    FieldNotFoundError,
    ScriptError,
    ScriptSyntaxError,
    UnknownStatementError,
)

__all__ = [
    "CannotOpenFileError",
    "ConnectionNotFoundError",
    "DuplicateFieldError",
    "FieldNotFoundError",
    "NotALibPathError",
    "PathOutsideConnectionError",
    "ScriptError",
    "ScriptSyntaxError",
    "SourceError",
    "UnknownStatementError",
    "error_line",
]


class SourceError(ScriptError):
    """A data source that cannot be reached or read."""


class ConnectionNotFoundError(SourceError):
    code = 11015  # LOCERR_RELOAD_LIB_CONNECTION_X_NOT_FOUND


class PathOutsideConnectionError(SourceError):
    """`..`, an absolute part or a symlink leads out of the connection's folder."""

    code = 11026  # LOCERR_RELOAD_MATCHING_LIBPATH_X_OUTSIDE


class NotALibPathError(SourceError):
    """Only `lib://Connection/...` paths are allowed (no legacy absolute or relative paths)."""

    code = 11028  # LOCERR_RELOAD_MODE_STATEMENT_ONLY_FOR_LIB_PATHS


class CannotOpenFileError(SourceError):
    code = 11020  # LOCERR_RELOAD_OPEN_FILE_ERROR


class DuplicateFieldError(ScriptError):
    """Two fields of one LOAD would get the same name."""

    code = 11016  # LOCERR_RELOAD_NAME_ALREADY_TAKEN


def error_line(script: str, error: object) -> str:
    """The script line an error points at (for the reload's error data), or ''."""
    line = getattr(error, "line", 0)
    if not isinstance(line, int) or line < 1:
        return ""
    lines = script.splitlines()
    return lines[line - 1] if line <= len(lines) else ""
