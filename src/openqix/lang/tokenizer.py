"""A table-driven tokenizer for chart expressions (`Tokenizer`) and load scripts
(`ScriptTokenizer`): quotes, comments, operators and name characters are class-level tables.

Every input ends in a token list or a `ScriptSyntaxError` (unterminated quote or comment);
characters no table knows become `OTHER` tokens so parsers can report them in context.
"""

from __future__ import annotations

import re
from typing import ClassVar

from openqix.lang.errors import ScriptSyntaxError
from openqix.lang.tokens import LineIndex, Locator, Token, TokenKind


class Tokenizer:
    """Chart-expression tokenizer; subclasses change the tables, not the loop."""

    # opening character -> (closing character, kind); a doubled closing character escapes it
    QUOTES: ClassVar[dict[str, tuple[str, TokenKind]]] = {
        "[": ("]", TokenKind.BRACKET_NAME),
        '"': ('"', TokenKind.QUOTED_NAME),
        "`": ("`", TokenKind.BACKTICK_NAME),
        "'": ("'", TokenKind.STRING),
    }
    LINE_COMMENTS: ClassVar[tuple[str, ...]] = ("//",)
    BLOCK_COMMENTS: ClassVar[dict[str, str]] = {"/*": "*/"}
    # longest first; anything else that is not a name, number or quote becomes OTHER
    OPERATORS: ClassVar[tuple[str, ...]] = (
        *("<>", "<=", ">=", "<<", ">>"),
        *("+", "-", "*", "/", "&", "=", "<", ">", "(", ")", "{", "}", ",", ";", ":"),
        *("$", "!", "#", "?", "|", "^", "~", ".", "\\"),
    )
    # unquoted names: a letter, `_`, `%` or `@`, then letters, digits and `_ . # %`
    IDENTIFIER: ClassVar[re.Pattern[str]] = re.compile(r"(?:[^\W\d]|[%@])[\w.#%]*")
    NUMBER: ClassVar[re.Pattern[str]] = re.compile(
        r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    )
    WHITESPACE: ClassVar[re.Pattern[str]] = re.compile(r"[\s\ufeff]*")
    # statement-level comment keywords (`REM ...;` in scripts)
    STATEMENT_COMMENTS: ClassVar[frozenset[str]] = frozenset()
    # a line comment opener right after this character is not a comment (`lib://x`)
    NOT_COMMENT_AFTER: ClassVar[str] = ""

    def tokenize(self, text: str, locator: Locator | None = None) -> list[Token]:
        """Tokens of `text` (positions in `text`); errors are located through `locator`."""
        return _Scan(self, text, locator or LineIndex(text)).run()


class ScriptTokenizer(Tokenizer):
    """Load-script tokenizer: adds `REM ...;` comments and keeps `lib://` paths whole."""

    STATEMENT_COMMENTS = frozenset({"REM"})
    NOT_COMMENT_AFTER = ":"


class _Scan:
    """One pass over one text; `pos` only ever moves forward."""

    def __init__(self, config: Tokenizer, text: str, locator: Locator) -> None:
        self.config = config
        self.text = text
        self.locator = locator
        self.lines = LineIndex(text)
        self.tokens: list[Token] = []
        self.pos = 0

    def run(self) -> list[Token]:
        text, n = self.text, len(self.text)
        while True:
            blank = self.config.WHITESPACE.match(text, self.pos)
            self.pos = blank.end() if blank else self.pos
            if self.pos >= n:
                return self.tokens
            if not (self._comment() or self._quoted() or self._word()):
                self._operator()

    def _emit(self, kind: TokenKind, value: str, start: int, end: int) -> None:
        where = self.lines.locate(start)
        self.tokens.append(Token(kind, value, where.line, where.column, start, end - start))
        self.pos = end

    def _error(self, message: str, start: int, length: int) -> ScriptSyntaxError:
        where = self.locator.locate(start, length)
        return ScriptSyntaxError(message, where.line, where.column, where.offset, length)

    def _comment(self) -> bool:
        text, pos = self.text, self.pos
        for opener in self.config.LINE_COMMENTS:
            after = self.config.NOT_COMMENT_AFTER
            if text.startswith(opener, pos) and not (after and pos and text[pos - 1] in after):
                end = text.find("\n", pos)
                self.pos = len(text) if end < 0 else end
                return True
        for opener, closer in self.config.BLOCK_COMMENTS.items():
            if text.startswith(opener, pos):
                end = text.find(closer, pos + len(opener))
                if end < 0:
                    raise self._error("Unterminated comment", pos, len(opener))
                self.pos = end + len(closer)
                return True
        return False

    def _quoted(self) -> bool:
        text, start = self.text, self.pos
        spec = self.config.QUOTES.get(text[start])
        if spec is None:
            return False
        closer, kind = spec
        pieces: list[str] = []
        i = start + 1
        while True:
            j = text.find(closer, i)
            if j < 0:
                raise self._error(f"Unterminated {kind.value}: missing {closer}", start, 1)
            pieces.append(text[i:j])
            if not text.startswith(closer, j + 1):
                self._emit(kind, closer.join(pieces), start, j + 1)
                return True
            i = j + 2

    def _word(self) -> bool:
        text, pos = self.text, self.pos
        number = self.config.NUMBER.match(text, pos)
        if number:
            self._emit(TokenKind.NUMBER, number.group(), pos, number.end())
            return True
        name = self.config.IDENTIFIER.match(text, pos)
        if not name:
            return False
        if self._statement_comment(name.group(), name.end()):
            return True
        self._emit(TokenKind.IDENTIFIER, name.group(), pos, name.end())
        return True

    def _statement_comment(self, word: str, end: int) -> bool:
        """`REM` as the first word of a statement comments out everything up to `;`."""
        if word.upper() not in self.config.STATEMENT_COMMENTS:
            return False
        if self.tokens and not self.tokens[-1].is_operator(";"):
            return False
        if end < len(self.text) and not (self.text[end].isspace() or self.text[end] == ";"):
            return False
        semicolon = self.text.find(";", end)
        self.pos = len(self.text) if semicolon < 0 else semicolon + 1
        return True

    def _operator(self) -> None:
        text, pos = self.text, self.pos
        for op in self.config.OPERATORS:
            if text.startswith(op, pos):
                self._emit(TokenKind.OPERATOR, op, pos, pos + len(op))
                return
        self._emit(TokenKind.OTHER, text[pos], pos, pos + 1)


_SCRIPT = ScriptTokenizer()
_EXPRESSION = Tokenizer()


def tokenize_script(text: str, locator: Locator | None = None) -> list[Token]:
    return _SCRIPT.tokenize(text, locator)


def tokenize_expression(text: str, locator: Locator | None = None) -> list[Token]:
    return _EXPRESSION.tokenize(text, locator)
