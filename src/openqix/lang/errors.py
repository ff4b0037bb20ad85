"""Typed errors of the script and expression front end, each at a position in the source.

Positions are 1-based line and column plus a 0-based character offset and a length, always in
the text the user wrote (before `$(...)` expansion). `code` is the QIX LocalizedErrorCode.
"""

from __future__ import annotations

from typing import Self

from openqix.errors import QixError
from openqix.lang.tokens import Position


class ScriptError(QixError):
    """An error while parsing or running a load script; the previous data model stays."""

    code = -1  # LOCERR_GENERIC_UNKNOWN

    def __init__(
        self, message: str, line: int = 0, column: int = 0, offset: int = -1, length: int = 0
    ) -> None:
        super().__init__(message, message)
        self.message: str = message
        self.line = line
        self.column = column
        self.offset = offset
        self.length = length

    def at(self, position: Position) -> Self:
        """This error placed at `position` (sources raise their errors without one)."""
        return type(self)(
            self.message, position.line, position.column, position.offset, position.length
        )

    @property
    def has_position(self) -> bool:
        return self.line > 0

    def __str__(self) -> str:
        if not self.has_position:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, line={self.line}, column={self.column}, "
            f"offset={self.offset}, length={self.length})"
        )


class ScriptSyntaxError(ScriptError):
    """Text that does not tokenize or parse (also used for chart expressions)."""

    code = 11003  # LOCERR_RELOAD_EXPECTED_SOMETHING_FOUND_UNKNOWN

    def __init__(self, message: str, line: int, column: int, offset: int, length: int) -> None:
        super().__init__(message, line, column, offset, length)


class UnknownStatementError(ScriptSyntaxError):
    """A statement (or prefix) keyword this engine does not know."""

    code = 11002  # LOCERR_RELOAD_UNKNOWN_STATEMENT


class FieldNotFoundError(ScriptError):
    """A LOAD names a field its source does not have."""

    code = 11013  # LOCERR_RELOAD_FIELD_X_NOT_FOUND
