"""Tokens and source positions shared by the script and the chart-expression front ends.

A token's `offset`, `line` and `column` are positions in the text that was tokenized; a
`Locator` maps such offsets back to the text the user wrote (it differs from the tokenized
text only after `$(...)` expansion).
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass
from typing import Protocol


class TokenKind(enum.Enum):
    IDENTIFIER = "identifier"  # Sales, Date#, %Key, @1, file.csv
    BRACKET_NAME = "bracket name"  # [Field name]
    QUOTED_NAME = "quoted name"  # "Field name"
    BACKTICK_NAME = "backtick name"  # `Field name`
    STRING = "string"  # 'text' (with '' as an escaped quote)
    NUMBER = "number"  # 12, 3.14, 1e5
    OPERATOR = "operator"  # + - * / & = < > <= >= <> ( ) , ; : ...
    OTHER = "other"  # any other character; parsers decide whether it is an error


NAME_KINDS = frozenset(
    {TokenKind.IDENTIFIER, TokenKind.BRACKET_NAME, TokenKind.QUOTED_NAME, TokenKind.BACKTICK_NAME}
)
QUOTED_KINDS = frozenset(
    {TokenKind.BRACKET_NAME, TokenKind.QUOTED_NAME, TokenKind.BACKTICK_NAME, TokenKind.STRING}
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token; `text` is the value (quotes removed, escapes resolved), `length` the raw size."""

    kind: TokenKind
    text: str
    line: int
    column: int
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length

    @property
    def upper(self) -> str:
        """The text upper-cased, for case-insensitive keyword matching."""
        return self.text.upper()

    def is_keyword(self, *words: str) -> bool:
        """An unquoted identifier equal (case-insensitively) to one of `words`."""
        return self.kind is TokenKind.IDENTIFIER and self.text.upper() in words

    def is_operator(self, *ops: str) -> bool:
        return self.kind is TokenKind.OPERATOR and self.text in ops


@dataclass(frozen=True, slots=True)
class Position:
    """A place in the user's text: 1-based line and column, 0-based offset, length."""

    line: int
    column: int
    offset: int
    length: int = 0


class Locator(Protocol):
    def locate(self, offset: int, length: int = 0) -> Position:
        """The position in the user's text of `offset` in the tokenized text."""
        ...


class LineIndex:
    """Offsets to (line, column) of one text, by binary search over its line starts."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def locate(self, offset: int, length: int = 0) -> Position:
        line = bisect.bisect_right(self._starts, offset)
        return Position(line, offset - self._starts[line - 1] + 1, offset, length)
