"""Errors of reading and writing data files: each names the file and carries its QIX code."""

from __future__ import annotations

from openqix.script.errors import SourceError


class BadFileError(SourceError):
    """A file that exists but cannot be read as the format it was loaded as."""

    code = 11020  # LOCERR_RELOAD_OPEN_FILE_ERROR

    @classmethod
    def of(cls, name: str, kind: str, detail: str) -> BadFileError:
        return cls(f"Cannot read {kind} file '{name}': {detail}")


class BadQvdError(BadFileError):
    code = 11047  # LOCERR_RELOAD_WRONG_FILE_FORMAT_QVD


class StoreError(SourceError):
    """STORE could not write its file (bad format, no such folder, unwritable)."""

    code = 11020  # LOCERR_RELOAD_OPEN_FILE_ERROR


class SqlError(SourceError):
    """An SQL statement failed on its connection (or no connection is active)."""

    code = 11038  # LOCERR_RELOAD_CUSTOM_READ_FAILED


class NoOpenDatabaseError(SqlError):
    code = 11030  # LOCERR_RELOAD_NO_OPEN_DATABASE
